//! One point of one scenario, paradigm by paradigm: check (in a memory cgroup
//! where the kernel's share is wanted), count (perf stat and rusage), then time
//! with hyperfine. The counting and cgroup passes are runs of their own, so they
//! add nothing to the timed ones.
//!
//! An io program meets a fresh api-server for each of these runs: on loopback,
//! ports left in TIME_WAIT towards one server port slow the next 10,000
//! connections to it by half (measured: 0.68 s to a fresh port, 1.23 s to a used
//! one), while towards a new port they cost nothing. The runs of one timing share
//! a server: at 1,000 connections eight runs in a row to one port took the same
//! time (0.25-0.27 s).

use std::{
    fs,
    path::Path,
    time::{Duration, Instant},
};

use super::Probes;
use crate::{
    cgroup::Peak,
    counters::{self, Counters, Counting},
    paradigms::{self, Tools},
    procs,
    program::{self, ApiServer, Ran},
    progress::Progress,
    results::{Cell, Outcome, raw_json},
    scenarios::{Limits, Scenario},
};

/// A check that has not answered by then has hung: FAILED.
const CHECK_LIMIT: Duration = Duration::from_secs(600);

/// Where a run is: a scenario's point, at full or quick size.
pub struct Point<'a> {
    pub scenario: &'a Scenario,
    pub x: Option<u64>,
    pub quick: bool,
}

/// Every paradigm at the point; `None` when the benchmark is stopping.
pub fn run(
    at: &Point<'_>,
    limits: &Limits,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let Point { scenario, x, quick } = *at;
    let sizes = scenario.sizes(quick);
    let at = x.unwrap_or(0);
    let r = sizes.runs_at(at);
    let asked = (sizes.flags)(at);
    let mut flags: Vec<String> = asked
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect();
    let workers = scenario.workers.unwrap_or(limits.cores);
    flags.extend(["--workers".into(), workers.to_string()]);
    if scenario.offload {
        flags.push("--offload".into());
    }
    let io = scenario.workload == "io";
    let mut cells = Vec::new();
    for paradigm in &paradigms::ALL {
        if procs::stopping() {
            return Ok(None);
        }
        let mut command: Vec<String> = paradigm
            .program(scenario.workload, tools)
            .iter()
            .map(|p| p.to_string_lossy().into())
            .collect();
        command.extend(flags.iter().cloned());
        let skipped = Outcome::Skipped(String::new());
        let mut cell = Cell::new(scenario.name, x, paradigm.name, command, skipped);
        if let Some(why) = (scenario.skip)(at, paradigm, limits) {
            cell.outcome = Outcome::Skipped(why);
            cells.push(cell);
            continue;
        }
        // Its result line must say it ran this workload, paradigm and sizes.
        let mut expect = vec![
            ("workload".to_string(), scenario.workload.to_string()),
            ("paradigm".to_string(), paradigm.name.to_string()),
        ];
        expect.extend(
            asked
                .iter()
                .map(|(f, v)| (f[2..].replace('-', "_"), v.to_string())),
        );
        if scenario.offload {
            expect.push(("offload".into(), "true".into()));
        }

        let mut lines = Vec::new();
        let mut peaks: Vec<Option<Peak>> = Vec::new();
        let mut slowest = Duration::ZERO;
        let mut failed = None;
        for i in 0..sizes.checks {
            let of = sizes.checks;
            progress.doing(format!("checking {} ({} of {of})", paradigm.name, i + 1));
            let server = match serve(io, tools, dir)? {
                Ran::Ok(server) => server,
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            };
            // Where the kernel's share is wanted, each check runs in a cgroup.
            let cgroup = scenario
                .kernel_memory
                .then(|| probes.memcg.create().ok())
                .flatten();
            let mut command = with_server(&cell.command, &server);
            if let Some(cgroup) = &cgroup {
                command = cgroup.command(&command);
            }
            let start = Instant::now();
            match program::check(&command, &expect, CHECK_LIMIT, dir)? {
                Ran::Ok(line) => lines.push(line),
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            }
            slowest = slowest.max(start.elapsed());
            peaks.push(cgroup.and_then(|c| c.peak().ok()));
            progress.done(1);
        }
        if failed.is_none() {
            progress.doing(format!("counting {}", paradigm.name));
            match count(&cell.command, &expect, io, tools, probes, dir)? {
                Ran::Ok(counted) => cell.counters = Some(counted),
                Ran::Failed(why) => failed = Some(format!("while counted: {why}")),
                Ran::Stopped => return Ok(None),
            }
            progress.done(1);
        }
        if failed.is_none() {
            let (w, n) = (r.warmup, r.runs);
            progress.doing(format!(
                "timing {}: {w} warm-up and {n} timed runs",
                paradigm.name
            ));
            // Generous: a run that takes three times its check, or ten minutes.
            let limit = CHECK_LIMIT.max(slowest * 3 * (w + n));
            let json = raw_json(dir, scenario.name, x, paradigm.name);
            let timed = match serve(io, tools, dir)? {
                Ran::Ok(server) => {
                    let command = with_server(&cell.command, &server);
                    program::time(tools, &command, paradigm.name, r, limit, &json)?
                }
                Ran::Failed(why) => Ran::Failed(why),
                Ran::Stopped => Ran::Stopped,
            };
            match timed {
                Ran::Ok(()) => {}
                Ran::Failed(why) => failed = Some(format!("while timed: {why}")),
                Ran::Stopped => return Ok(None),
            }
        }
        cell.outcome = match failed {
            Some(why) => {
                progress.warn(format!("{} FAILED: {why}", paradigm.name));
                // What it did not get to is done, as far as the bar goes.
                let total = u64::from(sizes.checks + 1 + r.warmup + r.runs);
                let done = lines.len() as u64 + u64::from(cell.counters.is_some());
                progress.done(total - done);
                cell.counters = None;
                Outcome::Failed(why)
            }
            None => {
                progress.done(u64::from(r.warmup + r.runs));
                // All or nothing: a peak from every check, or none.
                cell.peaks = peaks.into_iter().collect::<Option<_>>().unwrap_or_default();
                Outcome::Ok {
                    lines,
                    timing: None,
                }
            }
        };
        cells.push(cell);
    }
    Ok(Some(cells))
}

/// The counting pass: one more verified run, untimed, inside `perf stat` where
/// it counts here, with the rusage of all it started.
fn count(
    command: &[String],
    expect: &[(String, String)],
    io: bool,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Ran<Counters>, String> {
    let server = match serve(io, tools, dir)? {
        Ran::Ok(server) => server,
        Ran::Failed(why) => return Ok(Ran::Failed(why)),
        Ran::Stopped => return Ok(Ran::Stopped),
    };
    let csv = dir.join("raw/count.csv");
    let command = probes
        .counting
        .command(&with_server(command, &server), &csv);
    let before = counters::children_so_far();
    let ran = program::check(&command, expect, CHECK_LIMIT, dir)?;
    // Read before the api-server is reaped, so that its share is not counted.
    let after = counters::children_so_far();
    drop(server);
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let _ = fs::remove_file(&csv); // scratch: the counts go into the cell
    if let Ran::Ok(_) = ran {
        let perf = match &probes.counting {
            Counting::Perf(_) => match counters::parse_perf(&text) {
                Ok(counts) => Some(counts),
                Err(why) => return Ok(Ran::Failed(why)),
            },
            Counting::Rusage(_) => None,
        };
        return Ok(Ran::Ok(Counters::between(before, after, perf)));
    }
    Ok(match ran {
        Ran::Failed(why) => Ran::Failed(why),
        _ => Ran::Stopped,
    })
}

/// A fresh api-server for an io program, nothing for the others.
fn serve(io: bool, tools: &Tools, dir: &Path) -> Result<Ran<Option<ApiServer>>, String> {
    if !io {
        return Ok(Ran::Ok(None));
    }
    Ok(match ApiServer::start(tools, dir)? {
        Ran::Ok(server) => Ran::Ok(Some(server)),
        Ran::Failed(why) => Ran::Failed(why),
        Ran::Stopped => Ran::Stopped,
    })
}

/// The command with `--server ADDR` added for an io program.
fn with_server(command: &[String], server: &Option<ApiServer>) -> Vec<String> {
    let mut command = command.to_vec();
    if let Some(server) = server {
        command.extend(["--server".into(), server.addr.clone()]);
    }
    command
}
