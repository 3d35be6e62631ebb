//! The four questions a server is chosen by, answered in a sentence each from
//! the run's own figures, above the load scenarios' tables: how much load a
//! server holds before its tail breaks, what it costs at the same load, what
//! happens past it, and what a heavy request does to the cheap ones. Ties are
//! said as ties; a question the run did not ask is left out.

use std::fmt::Write as _;

use super::{
    capacity::{capacity, leaders},
    held,
    ladder::common_rate,
    mixed::{CLAIMED, cheap_p99s, claimed, pair},
    rate, runs,
};
use crate::{
    results::{Cell, Record},
    scenarios::{
        load::{LOAD, MIXED, OVERLOADED, TARGET_P99_US},
        paradigms::{self, Language},
    },
};

/// Server CPU below this over a run is too few of /proc's 10 ms ticks to compare.
const MEASURABLE_CPU_US: u64 = 200_000;

/// The answers as a list, or nothing when serve-load did not run.
pub fn list(record: &Record) -> String {
    if !record.has(LOAD.name) {
        return String::new();
    }
    "The four questions, answered from this run (the tables below hold every figure):\n\n"
        .to_string()
        + &items(record)
}

/// The answers alone, a bullet each, for the README under serve-load's
/// capacities (its scenario ran).
pub fn items(record: &Record) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "- **How much load before the tail breaks?** {}",
        most(record)
    );
    if let Some(cost) = cost(record) {
        let _ = writeln!(
            md,
            "- **What does a request cost at the same load?** {cost}"
        );
    }
    if record.has(OVERLOADED.name) {
        let _ = writeln!(md, "- **What happens past the capacity?** {}", past(record));
    }
    if record.has(MIXED.name) {
        let _ = writeln!(
            md,
            "- **What does a heavy request do to the cheap ones?** {}",
            heavy(record)
        );
    }
    md + "\n"
}

/// Each language's most capacity at the target, ties named.
fn most(record: &Record) -> String {
    let say = |language: Language, name: &str| {
        let leaders = leaders(record, language);
        let names: Vec<String> = leaders
            .iter()
            .map(|c| format!("{} {}", c.paradigm.name, c.short()))
            .collect();
        match names.len() {
            0 => format!(
                "No {name} server held a rate with p99 within {} ms",
                TARGET_P99_US / 1_000
            ),
            1 => format!(
                "In {name}, {} holds the most with p99 within {} ms",
                names[0],
                TARGET_P99_US / 1_000
            ),
            n => format!(
                "In {name}, {n} servers tie for the most with p99 within {} ms: {}",
                TARGET_P99_US / 1_000,
                names.join(", ")
            ),
        }
    };
    let limited = paradigms::ROWS
        .iter()
        .filter_map(|p| capacity(record, p))
        .filter(|c| c.at_least() && c.above.is_some())
        .count();
    let mut text = format!(
        "{}. {}.",
        say(Language::Rust, "Rust"),
        say(Language::Python, "Python")
    );
    if limited > 0 {
        let _ = write!(
            text,
            " `>=`: {limited} {} reached loadgen's own limit on this machine (client and server share its cores) before theirs; for them, read the cost at the same load.",
            if limited == 1 { "server" } else { "servers" }
        );
    }
    text
}

/// The common rate and the servers' CPU per request there (µs), cheapest
/// first: only runs long enough for /proc's ticks to count.
pub fn costs(record: &Record) -> Option<(u64, Vec<(&'static str, f64)>)> {
    let (at, _) = common_rate(record);
    let at = at?;
    let per_request = |name: &str| {
        let cell = runs(record, LOAD.name, name)
            .into_iter()
            .find(|c| c.x == Some(at))?;
        // /proc counts CPU in 10 ms ticks: a run of under 20 of them says little.
        held(cell).filter(|r| r.server_cpu_us >= MEASURABLE_CPU_US)?;
        Some(super::ladder::both_cpu(cell)?.0)
    };
    let mut costs: Vec<(&'static str, f64)> = super::ladder::common_servers()
        .filter_map(|p| Some((p.name, per_request(p.name)?)))
        .collect();
    costs.sort_by(|a, b| a.1.total_cmp(&b.1));
    Some((at, costs))
}

/// Server CPU per request at the common rate: the cheapest and dearest Rust server.
fn cost(record: &Record) -> Option<String> {
    let (at, costs) = costs(record)?;
    if costs.len() < 2 {
        return Some(format!(
            "At {} the servers' runs were too short for /proc's 10 ms ticks to tell their CPU apart (under {} ms each).",
            rate(at),
            MEASURABLE_CPU_US / 1_000
        ));
    }
    let (least, most) = (costs.first()?, costs.last()?);
    Some(format!(
        "At {}, which every Rust server that held a rate holds, the server's CPU per request runs from {:.1} µs ({}) to {:.1} µs ({}), {:.1}x (from /proc: one run each, ticks of 10 ms, so a factor under 1.5x is not claimed).",
        rate(at),
        least.1,
        least.0,
        most.1,
        most.0,
        most.1 / least.1.max(1e-9)
    ))
}

/// serve-overload: who failed requests, whose memory grew most, who never came back.
fn past(record: &Record) -> String {
    let cells: Vec<&Cell> = record
        .cells
        .iter()
        .filter(|c| c.scenario == OVERLOADED.name && c.load.is_some())
        .collect();
    let failed: Vec<&str> = cells
        .iter()
        .filter(|c| c.field("errors").unwrap_or(0) > 0)
        .map(|c| c.paradigm.as_str())
        .collect();
    let never: Vec<&str> = cells
        .iter()
        .filter(|c| c.lines().first().and_then(|l| l.get("recovery_ms")) == Some("never"))
        .map(|c| c.paradigm.as_str())
        .collect();
    let growth = |c: &&&Cell| {
        let m = c.load.as_ref().map(|r| r.memory).unwrap_or_default();
        m.peak_kib.saturating_sub(m.idle_kib)
    };
    let grew = cells.iter().max_by_key(growth);
    let mut text = match failed.len() {
        0 => format!(
            "At 1.5x their capacity no server failed a request ({} ran)",
            cells.len()
        ),
        _ => format!(
            "At 1.5x their capacity {} of {} servers failed requests ({})",
            failed.len(),
            cells.len(),
            failed.join(", ")
        ),
    };
    if let Some(c) = grew {
        let _ = write!(
            text,
            "; the most memory grown, {:.1} MiB, was {}'s",
            growth(&c) as f64 / 1024.0,
            c.paradigm
        );
    }
    match never.len() {
        0 => text += "; every server's p99 came back under the target once the rate fell.",
        _ => {
            let _ = write!(
                text,
                "; p99 never came back under the target before the run ended for {}.",
                never.join(", ")
            );
        }
    }
    text
}

/// serve-mixed: where offloading changed the cheap requests' p99 past the claim.
fn heavy(record: &Record) -> String {
    let mut changed = Vec::new();
    let mut same = Vec::new();
    for p in paradigms::ROWS.iter() {
        let (inline, offloaded) = pair(&runs(record, MIXED.name, p.name));
        let Some((a, b)) = cheap_p99s(inline, offloaded) else {
            continue;
        };
        if claimed(a as f64 / b.max(1) as f64) {
            changed.push(format!(
                "{} {:.1} ms inline, {:.1} ms offloaded",
                p.name,
                a as f64 / 1e3,
                b as f64 / 1e3
            ));
        } else {
            same.push(p.name);
        }
    }
    let mut text = match changed.len() {
        0 => format!(
            "Offloading the heavy work changed no server's cheap p99 by {CLAIMED:.0}x or more"
        ),
        _ => format!(
            "Offloading the heavy work moved the cheap requests' p99 by {CLAIMED:.0}x or more for {}",
            changed.join("; ")
        ),
    };
    if !same.is_empty() {
        let _ = write!(
            text,
            "; within {CLAIMED:.0}x (not claimed) for {}",
            same.join(", ")
        );
    }
    text + ". The blocking servers count on the connection's own thread and refuse `--offload`."
}
