//! serve-load beside a generator that is not ours: oha's p99 at the rates it
//! ran, against `loadgen`'s, gaps flagged; and `loadgen`'s own ceiling: the
//! most it sent while a server kept up, where it could not keep its schedule,
//! and how much of the machine it took to do so.

use std::fmt::Write as _;

use super::{generator, held, rate, runs, us, why};
use crate::{
    results::stats::secs,
    results::{Cell, Oha, Record},
    scenarios::{
        load::{LOAD, TARGET_P99_US},
        paradigms,
    },
};

/// p99s further apart than this factor ...
const GAP_RATIO: f64 = 2.0;
/// ... and by more than this many µs disagree.
const GAP_US: u64 = 1_000;

/// Per server, every rate where oha ran: both p99s, oha's errors, and a gap flagged.
pub fn table(record: &Record) -> String {
    let mut rows = String::new();
    for p in &paradigms::ROWS {
        for cell in runs(record, LOAD.name, p.name) {
            let Some(oha) = cell.load.as_ref().and_then(|r| r.oha.as_ref()) else {
                continue;
            };
            let ours = match held(cell) {
                Some(_) => us(cell, "p99_us"),
                None => why(cell),
            };
            let (theirs, errors) = match oha {
                Ok(o) => (secs(o.p99_us as f64 / 1e6), o.errors.to_string()),
                Err(why) => (format!("– ({})", why.replace('|', "/")), "–".into()),
            };
            let _ = writeln!(
                rows,
                "| {} | {} | {ours} | {theirs} | {errors} | {} |",
                p.name,
                rate(cell.x.unwrap_or(0)),
                gap(cell, oha)
            );
        }
    }
    if rows.is_empty() {
        return "oha did not run.\n\n".into();
    }
    format!(
        "oha (`--latency-correction`: latencies from the intended start, as loadgen's) ran at the same rate against a fresh server (after a short loadgen run there), with as many connections as loadgen opened at that rate, beside the climb's own run. A gap is flagged where the two p99s differ by more than {GAP_RATIO}x and by more than {} ms: less than that is the difference of two runs, not of two generators. oha opens all its connections at the start, where loadgen opens them as requests fall due: against a server that serves one connection, or a pool's worth, at a time, oha's other connections wait, and a gap there is that. Each p99 is one run's: at a low rate it is a few dozen requests, and a stall of a few ms (a generator's loop busy, or a CPU taken from it for a moment, as a virtual machine's can be) decides which side of a gap a run lands. loadgen's own lateness, how far it fell behind its schedule at worst, delays the requests due meanwhile: where it is as much as half loadgen's p99, the gap says so, as one that may be loadgen's own.\n\n| server | rate | loadgen's p99 | oha's p99 | oha's errors | gap |\n|---|---:|---:|---:|---:|---|\n{rows}\n",
        GAP_US / 1_000
    )
}

/// Whether loadgen's and oha's p99 disagree beyond the tolerance, and how.
pub fn gap(cell: &Cell, oha: &Result<Oha, String>) -> String {
    let (Some(ours), Ok(theirs)) = (held(cell).and(cell.field("p99_us")), oha) else {
        return "–".into();
    };
    let theirs = theirs.p99_us;
    let (hi, lo) = (ours.max(theirs), ours.min(theirs).max(1));
    let factor = hi as f64 / lo as f64;
    match factor > GAP_RATIO && hi - lo > GAP_US {
        false => "no".into(),
        true if theirs > ours => format!("**gap**: oha's is {factor:.1}x loadgen's"),
        true => format!(
            "**gap**: loadgen's is {factor:.1}x oha's{}",
            lateness(cell, ours)
        ),
    }
}

/// Where loadgen's worst lateness in the run is at least half its p99: the
/// requests due meanwhile went out late, and the gap may be loadgen's, not the
/// server's.
fn lateness(cell: &Cell, p99_us: u64) -> String {
    match cell.field("behind_us") {
        Some(behind) if behind * 2 >= p99_us => format!(
            "; loadgen fell up to {} behind its own schedule in this run: the gap may be its own",
            secs(behind as f64 / 1e6)
        ),
        _ => String::new(),
    }
}

/// `loadgen`'s own ceiling: the highest rate any server held, the lowest
/// where `loadgen` could not keep its schedule, and its CPU at the former.
pub fn ceiling(record: &Record) -> String {
    let cells = || record.cells.iter().filter(|c| c.scenario == LOAD.name);
    // Within the target: a rate held with a p99 of a second says little of loadgen.
    let Some(top) = cells().filter(|c| c.within_target()).max_by_key(|c| c.x) else {
        return "loadgen's ceiling: no server held any rate within the target.\n\n".into();
    };
    let holding: Vec<&str> = paradigms::ROWS
        .iter()
        .filter(|p| cells().any(|c| c.paradigm == p.name && c.x == top.x && c.within_target()))
        .map(|p| p.name)
        .collect();
    let mut md = format!(
        "loadgen's ceiling: the highest rate any server held with p99 within {} ms was {} ({})",
        TARGET_P99_US / 1_000,
        rate(top.x.unwrap_or(0)),
        holding.join(", ")
    );
    let behind = cells().filter(|c| generator(c)).min_by_key(|c| c.x);
    let _ = match behind {
        Some(c) => write!(
            md,
            "; loadgen first fell behind its own schedule at {} ({}), its limit there, not the server's",
            rate(c.x.unwrap_or(0)),
            c.paradigm
        ),
        None => write!(md, "; loadgen kept its schedule at every rate it offered"),
    };
    let run = top.load.as_ref().expect("a held run");
    if let Some(ms) = top.field("cpu_ms").filter(|_| run.wall_us > 0) {
        let share = ms as f64 * 1_000.0 / run.wall_us as f64;
        let _ = write!(
            md,
            ". At {} (against {}) loadgen itself used {share:.2} cores' worth of CPU (its CPU time over the run's wall time): client and server share the cores",
            rate(top.x.unwrap_or(0)),
            top.paradigm
        );
    }
    md + ".\n\n"
}
