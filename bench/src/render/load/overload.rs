//! serve-overload's section: each server offered 1.5 times its capacity, then
//! half of it: what it answered, how its requests failed, its p99 in each
//! phase, how long its p99 took to come back under the target, and how much
//! its memory grew meanwhile.

use std::fmt::Write as _;

use super::{rate, runs, servers, thousands, us, why};
use crate::scenarios::load::GENERATOR_SLACK_US;
use crate::{
    results::stats::bytes,
    results::{Cell, Outcome, Record},
    scenarios::{Scenario, load::TARGET_P99_US},
};

/// `loadgen`'s window for `p99_windows_us` (its `--window-ms`, which bench leaves at its default).
pub const WINDOW_MS: u64 = 250;

/// The table, under the chart linked in `charts`.
pub fn section(record: &Record, scenario: &Scenario, charts: &str) -> String {
    let target = TARGET_P99_US / 1_000;
    let mut md = format!(
        "![{}: p99 per {WINDOW_MS} ms window]({charts}/{}.svg)\n\n",
        scenario.title, scenario.name
    );
    let _ = writeln!(
        md,
        "Answered: of every request its schedule held (sent or not). Errors by kind: timed out, refused, lost (the connection closed before its answer), wrong. Back under the target: from the fall of the rate to the end of the last window whose p99 was over {target} ms or had a failed request; `never`: the run ended before. Memory: the server's, idle before the run and its peak over it.\n"
    );
    md += "| server | offered, then | answered | errors: timed out / refused / lost / wrong | p99 | p99 after the fall | back under the target after | server memory: idle → peak | server threads (most) |\n|---|---:|---:|---|---:|---:|---:|---|---:|\n";
    let mut notes = String::new();
    for p in servers(record, scenario.name) {
        for cell in runs(record, scenario.name, p.name) {
            let _ = writeln!(md, "| {} | {} |", p.name, row(cell));
            // The overload runs' own verdict is no capacity: a note, beside the row.
            if super::generator(cell) || cell.field("behind_us") > Some(GENERATOR_SLACK_US) {
                let _ = writeln!(
                    notes,
                    "- **{}**: loadgen fell {} ms behind its own schedule; its latencies include that lateness.",
                    p.name,
                    cell.field("behind_us").unwrap_or(0) / 1_000
                );
            }
        }
    }
    md + "\n" + &notes + if notes.is_empty() { "" } else { "\n" }
}

/// One server's run, every column after its name.
fn row(cell: &Cell) -> String {
    let (Outcome::Ok { .. }, Some(run)) = (&cell.outcome, &cell.load) else {
        return format!("{} |{}", why(cell), " |".repeat(6));
    };
    let n = |key: &str| cell.field(key).unwrap_or(0);
    let offered = format!(
        "{}, then {}",
        rate(n("rate")),
        rate(cell.field("then_rate").unwrap_or(0))
    );
    // Of every request the schedule held: one never sent (it timed out waiting
    // for a connection) counts, as one sent and not answered does.
    let scheduled = n("answered") + n("errors");
    let share = n("answered") as f64 / scheduled.max(1) as f64 * 100.0;
    let answered = format!(
        "{} of {} ({share:.1}%)",
        thousands(n("answered")),
        thousands(scheduled)
    );
    let errors = match n("errors") {
        0 => "none".to_string(),
        e => format!(
            "{e}: {} / {} / {} / {}",
            n("timeouts"),
            n("refused"),
            n("lost"),
            n("wrong")
        ),
    };
    let recovery = match cell.lines().first().and_then(|l| l.get("recovery_ms")) {
        Some("never") => "never".to_string(),
        Some(ms) => ms
            .parse::<u64>()
            .map_or(ms.to_string(), |ms| format!("{ms} ms")),
        None => "–".into(),
    };
    let m = &run.memory;
    let growth = m.peak_kib.saturating_sub(m.idle_kib) as f64 * 1024.0;
    let percent = match m.idle_kib {
        0 => String::new(),
        idle => format!(", +{:.0}%", growth / 1024.0 / idle as f64 * 100.0),
    };
    format!(
        "{offered} | {answered} | {errors} | {} | {} | {recovery} | {} → {} (+{}{percent}) | {}",
        us(cell, "p99_us"),
        after_the_fall(cell),
        bytes(m.idle_kib as f64 * 1024.0),
        bytes(m.peak_kib as f64 * 1024.0),
        bytes(growth),
        m.threads
    )
}

/// The p99 of the answers after the fall, and how many of its requests failed
/// (which have no latency: a low p99 beside many failures is not a recovery).
fn after_the_fall(cell: &Cell) -> String {
    match cell.field("then_errors") {
        Some(n) if n > 0 => format!("{} ({} failed)", us(cell, "then_p99_us"), thousands(n)),
        _ => us(cell, "then_p99_us"),
    }
}

/// A run's p99 per window: (seconds from the start to the window's middle,
/// p99 in seconds), windows with no answer (`-`) left out.
pub fn windows(cell: &Cell) -> Vec<(f64, f64)> {
    let Some(text) = cell.lines().first().and_then(|l| l.get("p99_windows_us")) else {
        return Vec::new();
    };
    let width = WINDOW_MS as f64 / 1_000.0;
    text.split(',')
        .enumerate()
        .filter_map(|(i, us)| {
            let us: u64 = us.parse().ok()?;
            Some(((i as f64 + 0.5) * width, us as f64 / 1e6))
        })
        .collect()
}

/// Where the rate falls, seconds from the start: the first phase's length.
pub fn fall(cell: &Cell) -> Option<f64> {
    cell.field("then_rate")?;
    Some(cell.field("duration_ms")? as f64 / 1_000.0)
}
