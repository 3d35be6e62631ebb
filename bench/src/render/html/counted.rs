//! The counting run and the memory passes of a cell, for its details: its
//! counters per unit of work (as the why-tables give them), and its memory in
//! user space and with the kernel's share, per check, per unit of the scan, and
//! a server's, read from outside.

use crate::{
    render::figures::{memory_per_unit, server_memory, units_of_work},
    render::load::thousands,
    render::why::{cpu_seconds, per},
    results::stats::{Memory, bytes, secs},
    results::{Cell, Record},
    scenarios::{self, Measure},
};

/// A row of a section.
pub fn row(what: impl Into<String>, value: impl Into<String>) -> (String, String) {
    (what.into(), value.into())
}

/// The counters' section's title: per the cell's unit of work.
pub fn title(cell: &Cell) -> &'static str {
    match units_of_work(cell).map(|(_, noun)| noun) {
        Some("job") => "Counted run, per job",
        Some("hop") => "Counted run, per hop",
        Some("unit") => "Counted run, per unit",
        _ => "Counted run, per request",
    }
}

/// The counting run's counters per unit of work, as the why-tables give them.
pub fn per_unit(cell: &Cell) -> Vec<(String, String)> {
    let (Some((n, noun)), Some(c)) = (units_of_work(cell), cell.counters) else {
        return Vec::new();
    };
    let optional = |v: Option<u64>| v.map_or("not measured".into(), |v| per(v as f64 / n));
    let whose = if cell.server.is_empty() {
        ""
    } else {
        " (the server's)"
    };
    let mut rows = vec![row(format!("{noun}s"), thousands(n as u64))];
    rows.extend(cell.median().map(|m| row("wall time", secs(m / n))));
    rows.extend(cpu_seconds(cell).map(|s| row(format!("CPU time{whose}"), secs(s / n))));
    rows.push(row("syscalls", optional(c.syscalls)));
    rows.push(row("of them sched_yield", optional(c.sched_yields)));
    rows.push(row("of them io_uring_enter", optional(c.uring_enters)));
    rows.push(row("voluntary switches", per(c.voluntary as f64 / n)));
    rows.push(row("involuntary switches", per(c.involuntary as f64 / n)));
    rows.push(row("CPU migrations", optional(c.migrations)));
    rows.push(row("cross-CPU wake-ups", optional(c.cross_wakeups)));
    rows.push(row("page faults", per(c.page_faults as f64 / n)));
    rows
}

/// Peak RSS of each check, the cgroup's peaks (with the kernel's share), memory
/// per unit of the scan, and a server's memory read from outside.
pub fn memory(record: &Record, cell: &Cell) -> Vec<(String, String)> {
    let kib = |k: u64| bytes(k as f64 * 1024.0);
    let mut rows = Vec::new();
    let rss: Vec<String> = cell
        .lines()
        .iter()
        .filter_map(|l| l.number("peak_rss_kib"))
        .map(kib)
        .collect();
    if !rss.is_empty() && cell.load.is_none() {
        rows.push(row("peak RSS, user space (each check)", rss.join(", ")));
    }
    if !cell.peaks.is_empty() {
        let total: Vec<String> = cell.peaks.iter().map(|p| bytes(p.total as f64)).collect();
        rows.push(row(
            "cgroup peak, with the kernel (each check)",
            total.join(", "),
        ));
        let kernel: Vec<String> = cell
            .peaks
            .iter()
            .filter_map(|p| Some(bytes(p.kernel? as f64)))
            .collect();
        if !kernel.is_empty() {
            rows.push(row("of it, the kernel's", kernel.join(", ")));
        }
    }
    let scan = scenarios::named(&cell.scenario).is_some_and(|s| {
        s.measure == Measure::MemoryPerUnit || (s.kernel_memory && s.axis.is_some())
    });
    if scan && cell.server.is_empty() {
        let one = scenarios::named(&cell.scenario)
            .and_then(|s| s.axis)
            .map_or("unit", |a| a.one);
        for (kind, what) in [
            (Memory::UserSpace, "user space"),
            (Memory::WithKernel, "with the kernel"),
            (Memory::KernelOnly, "the kernel's alone"),
        ] {
            if let Some(v) = memory_per_unit(record, cell, kind) {
                rows.push(row(format!("memory per {one}, {what}"), v.to_string()));
            }
        }
    }
    for m in &cell.server_memory {
        let cgroup = m.cgroup_idle.map_or(String::new(), |c| {
            format!("; cgroup idle {}", bytes(c as f64))
        });
        rows.push(row(
            "server: idle → peak",
            format!(
                "{} → {} ({} threads at most, {} processes){cgroup}",
                kib(m.idle_kib),
                kib(m.peak_kib),
                m.threads,
                m.processes
            ),
        ));
    }
    for (kind, what) in [
        (Memory::UserSpace, "user space"),
        (Memory::WithKernel, "with the kernel"),
    ] {
        if let Some(b) = server_memory(cell, kind).filter(|_| cell.x.is_some()) {
            rows.push(row(
                format!("server memory per connection, {what}"),
                bytes(b),
            ));
        }
    }
    if let Some(run) = &cell.load {
        let m = &run.memory;
        rows.push(row(
            "server: idle → peak over the run",
            format!(
                "{} → {} ({} threads at most)",
                kib(m.idle_kib),
                kib(m.peak_kib),
                m.threads
            ),
        ));
    }
    rows
}
