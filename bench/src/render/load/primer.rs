//! The primer's rows for the open-loop scenarios, in its table's columns: who
//! holds the most at the latency target (serve-load: the highest capacity), and
//! whose cheap requests wait least beside a heavy one (serve-mixed: the lowest
//! cheap p99, inline or offloaded), in Python and in Rust, ties said as ties;
//! the last column says how many times better Rust's best does than Python's.

use super::{
    capacity::{capacity, tie_ratio},
    held, mixed, rate, runs,
};
use crate::{
    results::stats::secs,
    results::{Cell, Record},
    scenarios::{
        load::{LOAD, MIXED},
        paradigms::{self, Language, Paradigm},
        primer::Row,
    },
};

/// The sentence under the primer's table that says what its load rows compare.
pub const SAID: &str = "In the rows of serve-load and serve-mixed, \"fastest\" is the most load held with p99 within 10 ms (a capacity: capacities less than one narrowed step apart are a tie) or the lowest p99 of the cheap requests beside a heavy one (one run each: under 2x is a tie; only servers run at the scenario's rate are ranked, not those run at half their capacity), and the last column is Rust's capacity over Python's or Python's cheap p99 over Rust's: above 1, Rust does better, as in every other row.";

/// One paradigm's figure: its value, its text, and whether it is only a bound.
struct Score {
    name: &'static str,
    value: f64,
    text: String,
    at_least: bool,
}

/// How a scenario's figure is read: higher or lower is better, and its tie.
struct Reading {
    higher: bool,
    tie: f64,
}

impl Reading {
    /// How many times better a figure of `a` does than one of `b`.
    fn better(&self, a: f64, b: f64) -> f64 {
        match self.higher {
            true => a / b.max(1e-12),
            false => b / a.max(1e-12),
        }
    }
}

/// A server's figure in the scenario, where it has one.
fn score(record: &Record, scenario: &str, p: &'static Paradigm) -> Option<Score> {
    let (value, text, at_least) = if scenario == LOAD.name {
        let c = capacity(record, p)?;
        let r = c.rate()?;
        let bound = if c.at_least() { ">= " } else { "" };
        (r as f64, format!("{bound}{}", rate(r)), c.at_least())
    } else {
        // Ranked only at the scenario's own rate: a server run at half its
        // capacity (a lower rate) has an easier load, not a better p99.
        let quick = record.meta("mode") == "quick";
        let offered = MIXED
            .load
            .and_then(|l| l.sizes(quick).rates.first().copied());
        let (inline, offloaded) = mixed::pair(&runs(record, MIXED.name, p.name));
        let p99 = |c: Option<&Cell>, how: &'static str| {
            let c = c.filter(|c| c.x.is_some() && c.x == offered)?;
            let us = Some(c)
                .filter(|c| held(c).is_some())?
                .field("cheap_p99_us")?;
            Some((us as f64 / 1e6, how))
        };
        let best = [p99(inline, "inline"), p99(offloaded, "offloaded")]
            .into_iter()
            .flatten()
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        (best.0, format!("{} {}", secs(best.0), best.1), false)
    };
    Some(Score {
        name: p.name,
        value,
        text,
        at_least,
    })
}

/// The language's best and every paradigm that ties with it, best first;
/// never the reference or a sized pool.
fn leaders(record: &Record, scenario: &str, reading: &Reading, language: Language) -> Vec<Score> {
    let mut all: Vec<Score> = paradigms::ALL
        .iter()
        .filter(|p| p.language == language)
        .filter_map(|p| score(record, scenario, p))
        .collect();
    all.sort_by(|a, b| match reading.higher {
        true => b.value.total_cmp(&a.value),
        false => a.value.total_cmp(&b.value),
    });
    let Some(best) = all.first().map(|s| s.value) else {
        return all;
    };
    all.retain(|s| reading.better(best, s.value) < reading.tie);
    all
}

/// How a load scenario's figure is read: serve-load's capacity, higher is
/// better; serve-mixed's cheap p99, lower is better.
fn reading(record: &Record, scenario: &str) -> Reading {
    match scenario == LOAD.name {
        true => Reading {
            higher: true,
            tie: tie_ratio(record),
        },
        false => Reading {
            higher: false,
            tie: mixed::CLAIMED,
        },
    }
}

/// A language's best server in a load scenario and every one that ties with
/// it, best first, each with its figure's text (`>= 25,000/s`, `1.5 ms offloaded`).
pub fn best(record: &Record, scenario: &str, language: Language) -> Vec<(&'static str, String)> {
    let reading = reading(record, scenario);
    let leaders = leaders(record, scenario, &reading, language);
    leaders.into_iter().map(|s| (s.name, s.text)).collect()
}

/// The row of the primer's table for a load scenario.
pub fn row(record: &Record, row: &Row) -> String {
    let scenario = row.scenario.name;
    let reading = reading(record, scenario);
    let short = |name: &str| name.trim_start_matches("python-").to_string();
    let says = short(row.choice);
    let py = leaders(record, scenario, &reading, Language::Python);
    let rust = leaders(record, scenario, &reading, Language::Rust);
    let find = |name: &str| paradigms::named(name).and_then(|p| score(record, scenario, p));
    let why_not = |name: &str| {
        let cells = runs(record, scenario, name);
        let reason = cells.iter().find_map(|c| match &c.load {
            Some(_) if super::held(c).is_none() => Some(super::why(c)),
            Some(_) if scenario == MIXED.name => {
                Some("run at half its capacity, a lower rate: not ranked".to_string())
            }
            Some(_) => None,
            None => c.why_not(),
        });
        reason.unwrap_or_else(|| "not run".into()).replace('|', "/")
    };
    let show = |cells: &[Score]| {
        let named: Vec<String> = cells
            .iter()
            .map(|s| format!("{}: {}", short(s.name), s.text))
            .collect();
        match named.len() {
            0 => "–".into(),
            1 => named[0].clone(),
            _ => format!("tie: {}", named.join(", ")),
        }
    };
    let among = |cells: &[Score], name: &str| cells.iter().any(|s| s.name == name);
    let holds = match (py.first(), find(row.choice)) {
        (Some(_), Some(_)) if py.len() > 1 && among(&py, row.choice) => format!(
            "a tie: within {:.1}x of {}",
            reading.tie,
            py.iter()
                .filter(|s| s.name != row.choice)
                .map(|s| short(s.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Some(best), Some(_)) if best.name == row.choice => "yes".into(),
        (Some(best), Some(mine)) => format!(
            "no: {says} {} against {}'s {}",
            mine.text,
            short(best.name),
            best.text
        ),
        _ => format!("– ({says}: {})", why_not(row.choice)),
    };
    let twin = match (rust.first(), find(row.twin)) {
        (Some(_), Some(t)) if among(&rust, row.twin) && rust.len() > 1 => {
            format!("{}: {}, tied with the best", row.twin, t.text)
        }
        (Some(best), Some(t)) if best.name == row.twin => {
            format!("{}: {}, the best", row.twin, t.text)
        }
        (Some(best), Some(t)) => format!(
            "{}: {}, {:.2}x worse than the best",
            row.twin,
            t.text,
            reading.better(best.value, t.value)
        ),
        _ => format!("{}: {}", row.twin, why_not(row.twin)),
    };
    let across = match (py.first(), rust.first()) {
        (Some(_), Some(_)) if py[0].at_least && rust[0].at_least => "– (both at a bound)".into(),
        (Some(p), Some(r)) => {
            let bound = match (r.at_least, p.at_least) {
                (true, _) => ">= ",
                (_, true) => "<= ",
                _ => "",
            };
            let what = match reading.higher {
                true => "capacities: Rust's / Python's",
                false => "cheap p99s: Python's / Rust's",
            };
            format!("{bound}{:.1}x ({what})", reading.better(r.value, p.value))
        }
        _ => "–".into(),
    };
    format!(
        "| {} ({scenario}) | {says} | {} | {holds} | {} | {twin} | {across} |\n",
        row.kind,
        show(&py),
        show(&rust)
    )
}
