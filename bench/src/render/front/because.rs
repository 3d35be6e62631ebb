//! The answers' "why, in one line", from the counting runs: what sets the
//! fastest apart from the paradigm it is set against, or what a tie shares.

use crate::{
    render::figures::units_of_work,
    render::why::{cpu_seconds, per},
    results::Cell,
    results::stats::secs,
};

/// A cell's counts per unit of work: syscalls, voluntary switches, cross-CPU
/// wake-ups (each named), its CPU seconds, and what a unit is called.
struct Counts {
    each: [(&'static str, Option<f64>); 3],
    cpu: f64,
    noun: &'static str,
}

fn counts(cell: &Cell) -> Option<Counts> {
    let ((n, noun), c) = (units_of_work(cell)?, cell.counters?);
    let each = |v: Option<u64>| v.map(|v| v as f64 / n);
    Some(Counts {
        each: [
            ("syscalls", each(c.syscalls)),
            ("voluntary context switches", Some(c.voluntary as f64 / n)),
            ("cross-CPU wake-ups", each(c.cross_wakeups)),
        ],
        cpu: cpu_seconds(cell)? / n,
        noun,
    })
}

/// Times closer than this are not explained by a counter: they barely differ.
const CLOSE: f64 = 1.05;
/// CPU per unit of work spread less than this across a tie is the same work.
const SAME_CPU: f64 = 1.15;

/// Why `best` beats `other`: the count that differs most between them per
/// unit of work (of those `other` makes at least 0.05 of), and their CPU;
/// for times within 5%, that they barely differ.
pub(super) fn contrast(best: &Cell, other: &Cell) -> String {
    let (Some(a), Some(b)) = (counts(best), counts(other)) else {
        return format!("{} was not counted in this run", other.paradigm);
    };
    let (cpu_a, cpu_b, noun) = (a.cpu, b.cpu, a.noun);
    let slower = other.median().unwrap_or(0.0) / best.median().unwrap_or(1.0).max(1e-12);
    if slower < CLOSE {
        return format!(
            "{} is only {:.0}% slower, just outside the tie: too close for a counter to explain ({} and {} of CPU per {noun})",
            other.paradigm,
            (slower - 1.0) * 100.0,
            secs(cpu_b),
            secs(cpu_a)
        );
    }
    let most = a
        .each
        .iter()
        .zip(&b.each)
        .filter_map(|(&(what, x), &(_, y))| Some((what, x?, y?)))
        .filter(|&(_, _, y)| y >= 0.05)
        .max_by(|p, q| (p.2 / p.1.max(1e-3)).total_cmp(&(q.2 / q.1.max(1e-3))));
    let cpu = format!(
        "spends {} of CPU to {}'s {}",
        secs(cpu_b),
        best.paradigm,
        secs(cpu_a)
    );
    match most.filter(|&(_, x, y)| y / x.max(1e-3) >= 1.5) {
        Some((what, x, y)) => format!(
            "per {noun}, {} makes {} {what} to {}'s {}, and {cpu}",
            other.paradigm,
            per(y),
            best.paradigm,
            per(x)
        ),
        None => format!("per {noun}, {} {cpu}", other.paradigm),
    }
}

/// Why a tie is one: the tied paradigms spend about the same CPU per unit.
pub(super) fn alike(tied: &[&Cell]) -> String {
    let cpus: Vec<(f64, &str)> = tied
        .iter()
        .filter_map(|c| counts(c).map(|k| (k.cpu, k.noun)))
        .collect();
    let (Some(low), Some(high)) = (
        cpus.iter().map(|c| c.0).min_by(f64::total_cmp),
        cpus.iter().map(|c| c.0).max_by(f64::total_cmp),
    ) else {
        return "not counted in this run".into();
    };
    let same = match high / low.max(1e-12) < SAME_CPU {
        true => ": the work, not the paradigm, sets the time",
        false => "",
    };
    match tied.len() {
        1 => format!("fastest, spending {} of CPU per {}", secs(low), cpus[0].1),
        n => format!(
            "{n} tie within the noise, spending {}–{} of CPU per {}{same}",
            secs(low),
            secs(high),
            cpus[0].1
        ),
    }
}
