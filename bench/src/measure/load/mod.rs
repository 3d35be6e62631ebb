//! The open-loop scenarios (`scenarios::load`), server by server: serve-load
//! climbs the rates until a server no longer holds one and narrows the step
//! (its capacity at the latency target is kept for the two others),
//! serve-overload offers 1.5 times that capacity then half of it, serve-mixed
//! a rate with a heavy request in a hundred, inline and offloaded. Each run is a
//! fresh server and one `loadgen` ([`run`]).

mod climb;
mod run;

use std::{collections::BTreeMap, path::Path};

use super::{Point, Probes, program::Attempt, progress::Progress, server::Opponent};
use crate::{
    measure::tools::Tools,
    results::{Cell, Outcome, Verdict},
    scenarios::{
        Limits,
        load::{HEAVY_EVERY, HEAVY_WORK, LoadKind, OVERLOAD, RECOVER, TARGET_P99_US},
        paradigms::{self, Paradigm},
    },
};
use climb::climb;
use run::Ask;

/// Each server's capacity at the latency target, from serve-load in this run
/// (`None`: it held no rate within it), and whether that was the generator's limit.
pub type Capacities = BTreeMap<String, Capacity>;

#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    pub rate: Option<u64>,
    /// The climb stopped at `loadgen`'s own limit, not the server's.
    pub generator: bool,
}

/// What limits an iterative server under open-loop load, said with its rows.
const ONE_AT_A_TIME: &str = "one connection at a time: loadgen opens another whenever a request falls due while its connections are busy (requests go out in batches of up to 250 µs), and that one waits until the first closes";

/// Every server at the point; `None` when the benchmark is stopping.
pub fn measure(
    at: &Point<'_>,
    limits: &Limits,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
    progress: &Progress,
    capacities: &mut Capacities,
) -> Result<Option<Vec<Cell>>, String> {
    let scenario = at.scenario;
    let load = scenario.load.expect("a load scenario");
    let sizes = load.sizes(at.quick);
    let mut cells = Vec::new();
    for paradigm in &paradigms::runners(scenario.workload, scenario.sized_pools) {
        if super::procs::stopping() {
            return Ok(None);
        }
        let workers = scenario.workers.unwrap_or(limits.cores);
        let connections = Some(crate::scenarios::load::CONNECTIONS_MAX);
        let Opponent::Own(server, note) =
            Opponent::of(scenario.workload, paradigm, workers, connections, tools)
        else {
            unreachable!("a serve scenario's servers are their own");
        };
        let skipped = |why: String| {
            let mut cell = Cell::new(
                scenario.name,
                None,
                paradigm.name,
                Vec::new(),
                Outcome::Skipped(why),
            );
            cell.server = server.clone();
            cell
        };
        let skip = (scenario.skip)(0, paradigm, limits).or_else(|| probes.uring.skip(paradigm));
        if let Some(why) = skip {
            cells.push(skipped(why));
            continue;
        }
        let capacity = capacities.get(paradigm.name).copied();
        let runs = match load.kind {
            LoadKind::Climb => {
                let Some((runs, capacity)) = climb(&server, paradigm, sizes, tools, dir, progress)?
                else {
                    return Ok(None);
                };
                capacities.insert(paradigm.name.to_string(), capacity);
                runs
            }
            LoadKind::Overload => match overload_rates(capacity) {
                Err(why) => vec![skipped(why)],
                Ok((high, low)) => {
                    let ask = Ask {
                        rate: high,
                        ms: sizes.step_ms,
                        then: Some((low, sizes.then_ms)),
                        ..Ask::default()
                    };
                    match one(&server, paradigm, &ask, tools, dir, progress)? {
                        Some(cell) => vec![cell],
                        None => return Ok(None),
                    }
                }
            },
            LoadKind::Mixed => match capacity {
                Some(Capacity { rate: None, .. }) => vec![skipped(format!(
                    "held no rate in serve-load with p99 within {} ms: no rate it holds to mix heavy requests into",
                    TARGET_P99_US / 1_000
                ))],
                _ => {
                    let mut runs = Vec::new();
                    for offload in [false, true] {
                        let rate = mixed_rate(sizes.rates[0], capacity);
                        let heavy = Some((HEAVY_EVERY, HEAVY_WORK));
                        let ask = Ask {
                            rate,
                            ms: sizes.step_ms,
                            heavy,
                            offload,
                            ..Ask::default()
                        };
                        match one(&server, paradigm, &ask, tools, dir, progress)? {
                            Some(cell) => runs.push(cell),
                            None => return Ok(None),
                        }
                    }
                    runs
                }
            },
        };
        for mut cell in runs {
            cell.scenario = scenario.name.to_string();
            cell.note = match paradigm.short() {
                "sequential" => ONE_AT_A_TIME.to_string(),
                _ => note.clone(),
            };
            cells.push(cell);
        }
    }
    Ok(Some(cells))
}

/// One run as a cell: x is its rate; FAILED where the server or `loadgen` could not run.
pub(super) fn one(
    server: &[String],
    paradigm: &Paradigm,
    ask: &Ask,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Cell>, String> {
    let what = match ask.offload {
        true => format!("{} at {} requests/s, --offload", paradigm.name, ask.rate),
        false => format!("{} at {} requests/s", paradigm.name, ask.rate),
    };
    progress.doing(what);
    let name = paradigm.name;
    let attempt = run::run(server, ask, name, tools, dir)?;
    progress.done(1);
    let mut cell = Cell::new(
        "",
        Some(ask.rate),
        name,
        Vec::new(),
        Outcome::Skipped(String::new()),
    );
    cell.server = server.to_vec();
    match attempt {
        Attempt::Stopped => return Ok(None),
        Attempt::Failed(why) if why.starts_with("refuses --offload") => {
            cell.outcome = Outcome::Skipped(why)
        }
        Attempt::Failed(why) => {
            progress.warn(format!("{name} FAILED: {why}"));
            cell.outcome = Outcome::Failed(why);
        }
        Attempt::Ok((server, command, line, run)) => {
            if let Verdict::Generator(why) = &run.verdict {
                progress.warn(format!("{name} at {}/s: {why}", ask.rate));
            }
            (cell.server, cell.command) = (server, command);
            cell.outcome = Outcome::Ok {
                lines: vec![line],
                timing: None,
            };
            cell.load = Some(run);
        }
    }
    Ok(Some(cell))
}

/// serve-overload's two rates for a server of that capacity, or why it sits out.
fn overload_rates(capacity: Option<Capacity>) -> Result<(u64, u64), String> {
    match capacity {
        None => Err("serve-load did not run in this run: no capacity to exceed".into()),
        Some(Capacity { rate: None, .. }) => Err(format!(
            "held no rate in serve-load with p99 within {} ms: no capacity to exceed",
            TARGET_P99_US / 1_000
        )),
        Some(Capacity {
            generator: true,
            rate: Some(rate),
        }) => Err(format!(
            "held {rate} requests/s, where loadgen reached its own limit: it cannot be overloaded from here"
        )),
        Some(Capacity {
            rate: Some(rate), ..
        }) => Ok((
            (rate as f64 * OVERLOAD).round() as u64,
            ((rate as f64 * RECOVER).round() as u64).max(1),
        )),
    }
}

/// serve-mixed's rate for a server: the scenario's, or half its capacity where that is lower.
fn mixed_rate(rate: u64, capacity: Option<Capacity>) -> u64 {
    match capacity.and_then(|c| c.rate) {
        Some(c) if c / 2 < rate => (c / 2).max(1),
        _ => rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::stats::two_digits;

    #[test]
    fn rates_between_and_beyond() {
        assert_eq!(two_digits(14_142.1), 14_000);
        assert_eq!(two_digits(7_071.0), 7_100);
        assert_eq!(two_digits(31.6), 32);
        let cap = |rate, generator| Some(Capacity { rate, generator });
        assert_eq!(
            overload_rates(cap(Some(10_000), false)),
            Ok((15_000, 5_000))
        );
        assert!(
            overload_rates(cap(None, false))
                .unwrap_err()
                .contains("held no rate")
        );
        assert!(
            overload_rates(cap(Some(100_000), true))
                .unwrap_err()
                .contains("own limit")
        );
        assert!(overload_rates(None).unwrap_err().contains("did not run"));
        assert_eq!(mixed_rate(2_000, cap(Some(3_000), false)), 1_500);
        assert_eq!(mixed_rate(2_000, cap(Some(50_000), false)), 2_000);
        assert_eq!(mixed_rate(2_000, None), 2_000);
    }
}
