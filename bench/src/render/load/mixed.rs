//! serve-mixed's section: one request in a hundred heavy, each server run with
//! the heavy work inline and, where it takes `--offload`, on its pool for
//! blocking work: the cheap requests' p99 each way, the heavy ones', and what
//! a request cost the server. One run each, so a difference under 2x is not claimed.

use std::fmt::Write as _;

use super::{held, rate, runs, server_cpu, servers, us, why};
use crate::{
    results::{Cell, Outcome, Record},
    scenarios::Scenario,
};

/// One run each: cheap p99s closer than this factor are not said to differ.
pub const CLAIMED: f64 = 2.0;

/// The table and what its columns mean.
pub fn section(record: &Record, scenario: &Scenario) -> String {
    let quick = record.meta("mode") == "quick";
    let offered = scenario
        .load
        .and_then(|l| l.sizes(quick).rates.first().copied());
    let mut md = format!(
        "Cheap and heavy: the p99 of the requests without and with `work`. One run each: a difference under {CLAIMED:.0}x is not claimed. A rate below {} is half the server's capacity in serve-load, where that was lower.\n\n",
        offered.map_or("the scenario's".into(), rate)
    );
    md += "| server | rate | cheap p99, inline | cheap p99, offloaded | heavy p99, inline | heavy p99, offloaded | server CPU per request: inline / offloaded | offloading, for the cheap requests |\n|---|---:|---:|---:|---:|---:|---:|---|\n";
    let mut notes = String::new();
    for p in servers(record, scenario.name) {
        let (inline, offloaded) = pair(&runs(record, scenario.name, p.name));
        let Some(first) = inline.or(offloaded) else {
            continue;
        };
        let Some(x) = first.x else {
            let _ = writeln!(md, "| {} | {} |{}", p.name, why(first), " |".repeat(6));
            continue;
        };
        let mut rate_text = rate(x);
        if offered.is_some_and(|o| x < o) {
            rate_text += " (half its capacity)";
        }
        let cpu = |c: Option<&Cell>| {
            c.filter(|c| held(c).is_some())
                .map_or("–".into(), server_cpu)
        };
        let _ = writeln!(
            md,
            "| {} | {rate_text} | {} | {} | {} | {} | {} / {} | {} |",
            p.name,
            latency(inline, "cheap_p99_us"),
            latency(offloaded, "cheap_p99_us"),
            latency(inline, "heavy_p99_us"),
            latency(offloaded, "heavy_p99_us"),
            cpu(inline),
            cpu(offloaded),
            offloading(inline, offloaded)
        );
        for (how, cell) in [("inline", inline), ("offloaded", offloaded)] {
            if let Some(c) = cell.filter(|c| held(c).is_none()) {
                let _ = writeln!(notes, "- **{}**, {how}: {}.", p.name, why(c));
            }
        }
    }
    md + "\n" + &notes + if notes.is_empty() { "" } else { "\n" }
}

/// A server's inline run and its offloaded one: by what each run stored, or,
/// for a run that never started (a refusal), by its place (inline first).
pub fn pair<'a>(cells: &[&'a Cell]) -> (Option<&'a Cell>, Option<&'a Cell>) {
    let (mut inline, mut offloaded) = (None, None);
    for (i, &cell) in cells.iter().enumerate() {
        match cell.load.as_ref().map_or(i == 1, |r| r.offload) {
            true => offloaded = offloaded.or(Some(cell)),
            false => inline = inline.or(Some(cell)),
        }
    }
    (inline, offloaded)
}

/// A p99 from a run that held, or why there is none, shortened (in full below the table).
fn latency(cell: Option<&Cell>, key: &str) -> String {
    let Some(cell) = cell else {
        return "–".into();
    };
    match (&cell.outcome, held(cell)) {
        (_, Some(_)) => us(cell, key),
        (Outcome::Ok { .. }, None) => format!("{} (not held)", us(cell, key)),
        _ => short(&why(cell)),
    }
}

/// `skipped: refuses --offload: smol's server has ...` as `skipped: refuses --offload`.
fn short(why: &str) -> String {
    let mut parts = why.splitn(3, ": ");
    match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}: {b}"),
        (Some(a), None) => a.to_string(),
        _ => String::new(),
    }
}

/// The cheap requests' p99 inline and offloaded, µs, where both runs held.
pub fn cheap_p99s(inline: Option<&Cell>, offloaded: Option<&Cell>) -> Option<(u64, u64)> {
    let p99 = |c: Option<&Cell>| c.filter(|c| held(c).is_some())?.field("cheap_p99_us");
    Some((p99(inline)?, p99(offloaded)?))
}

/// Whether inline over offloaded is past the claim, either way.
pub fn claimed(factor: f64) -> bool {
    factor >= CLAIMED || factor <= 1.0 / CLAIMED
}

/// What offloading did to the cheap requests' p99, claimed only past 2x.
pub fn offloading(inline: Option<&Cell>, offloaded: Option<&Cell>) -> String {
    let Some((a, b)) = cheap_p99s(inline, offloaded) else {
        return "–".into();
    };
    let factor = a as f64 / b.max(1) as f64;
    match factor {
        f if !claimed(f) => format!("under {CLAIMED:.0}x: not claimed"),
        f if f >= CLAIMED => format!("{f:.1}x lower offloaded"),
        f => format!("{:.1}x higher offloaded", 1.0 / f),
    }
}
