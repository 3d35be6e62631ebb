//! The primer's claims about processes and threads, each against the run:
//! start-up cost, the cost of a hand-off, memory per live unit.

use super::short;
use crate::{
    render::figures::{memory_per_unit, units_of_work},
    results::stats::{Memory, bytes, ratio, secs},
    results::{Cell, Record},
    scenarios::primer::{self, Claimed},
};

/// Start-and-join time per unit of processes against threads, at the largest
/// K where both were timed.
pub(in crate::render) fn start_claim(record: &Record, claimed: &Claimed) -> String {
    let Claimed {
        process, thread, ..
    } = *claimed;
    let timed = |x: Option<u64>, p: &str| {
        record
            .cell(primer::STARTING.name, x, p)
            .filter(|c| c.timing().is_some())
    };
    let found = record
        .points(primer::STARTING.name)
        .into_iter()
        .rev()
        .find_map(|x| Some((timed(x, process)?, timed(x, thread)?, x?)));
    let Some((p, t, k)) = found else {
        return "–".into();
    };
    let per = |c: &Cell| secs(c.median().unwrap_or(0.0) / k as f64);
    format!(
        "{} {} per unit, {} {}: {} (K = {k})",
        short(process),
        per(p),
        short(thread),
        per(t),
        ratio(p.timing().unwrap(), t.timing().unwrap())
    )
}

/// Wall time per hop of a process ring against a thread ring (and tasks).
pub(super) fn hop_claim(record: &Record, claimed: &Claimed) -> String {
    let Claimed {
        process,
        thread,
        task,
    } = *claimed;
    let timed = |p: &str| {
        record
            .cell(primer::HANDING_OFF.name, None, p)
            .filter(|c| c.timing().is_some())
    };
    let (Some(p), Some(t)) = (timed(process), timed(thread)) else {
        return "–".into();
    };
    let per = |c: &Cell| {
        let hops = units_of_work(c).map_or(1.0, |(n, _)| n);
        secs(c.median().unwrap_or(0.0) / hops)
    };
    let task_text = timed(task).map_or(String::new(), |c| {
        format!("; {} {} per hop", short(task), per(c))
    });
    format!(
        "{} {} per hop, {} {}: {}{task_text}",
        short(process),
        per(p),
        short(thread),
        per(t),
        ratio(p.timing().unwrap(), t.timing().unwrap())
    )
}

/// Memory per live unit of processes against threads (and a task), at the
/// largest K where both processes and threads were measured above the noise.
pub(in crate::render) fn memory_claim(
    record: &Record,
    claimed: &Claimed,
    memory: Memory,
) -> String {
    let Claimed {
        process,
        thread,
        task,
    } = *claimed;
    let per = |x: Option<u64>, p: &str| {
        memory_per_unit(record, record.cell(primer::LIVING.name, x, p)?, memory)?.bytes()
    };
    let found = record
        .points(primer::LIVING.name)
        .into_iter()
        .rev()
        .find_map(|x| Some((per(x, process)?, per(x, thread)?, per(x, task), x?)));
    let Some((p, t, task_bytes, k)) = found else {
        return "–".into();
    };
    let task_text = task_bytes.map_or(String::new(), |b| {
        let name = short(task);
        let a = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("; {a} {name} task {}", bytes(b))
    });
    format!(
        "{} {} per live unit, {} {}: {:.1}×{task_text} (K = {k})",
        short(process),
        bytes(p),
        short(thread),
        bytes(t),
        p / t
    )
}
