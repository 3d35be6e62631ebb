//! One point of one scenario, paradigm by paradigm: check (in a memory cgroup
//! where the kernel's share is wanted), count (perf stat and rusage), then time
//! with hyperfine. The counting and cgroup passes are runs of their own, so they
//! add nothing to the timed ones.
//!
//! A serve scenario turns this around: the cell's program is the one client
//! (`scenarios::CLIENT`) and what differs is the server it meets, which is what
//! runs in the memory cgroup, is watched for memory and threads, is counted, and
//! is measured by wrk too (see [`super::server`] and [`crate::measure::watch`]). The
//! counting pass is in [`super::count`].
//!
//! An io program meets a fresh api-server for each of these runs, timed runs
//! included (see [`super::rounds`]): on loopback, the ports a run leaves in
//! TIME_WAIT towards one server port make the next run's `connect()` search past
//! them while they are under a second old (`net.ipv4.tcp_tw_reuse_delay`):
//! measured at 10,000 connections, half of the second run's samples were in
//! `__inet_hash_connect` and it took 1.2-1.4 s instead of 0.7-0.8, with no TCP
//! counter moving. Towards a new port they cost nothing.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use super::{
    Probes,
    count::{count, count_server},
    rounds::{self, Contender, Timed},
    server::{Opponent, Watch, cross_check, serve, with_server},
};
use crate::{
    measure::procs,
    measure::program::{self, Attempt},
    measure::progress::Progress,
    measure::tools::Tools,
    results::Peak,
    results::{Cell, Outcome, raw_json},
    scenarios::paradigms,
    scenarios::{CLIENT, CLIENT_PARADIGM, Limits, Scenario, Sizes, Workload},
};

/// A check that has not answered by then has hung: FAILED.
pub(super) const CHECK_LIMIT: Duration = Duration::from_secs(600);
/// Where a run is: a scenario's point, at full or quick size.
pub struct Point<'a> {
    pub scenario: &'a Scenario,
    pub x: Option<u64>,
    pub quick: bool,
}

/// Every paradigm at the point; `None` when the benchmark is stopping.
pub fn measure(
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
    let r = sizes.repeats_at(at);
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
    let serving = scenario.workload == Workload::Serve;
    let mut cells = Vec::new();
    // The verified ones, with where their cell is, for the timed rounds.
    let mut contenders = Vec::new();
    // serve: the client's connections, which a fixed pool may be smaller than.
    let connections = asked
        .iter()
        .find(|(f, _)| *f == "--concurrency")
        .map(|f| f.1);
    for paradigm in &paradigms::runners(scenario.workload, scenario.sized_pools) {
        if procs::stopping() {
            return Ok(None);
        }
        // serve: every cell runs the one client; its server is the paradigm's.
        let program = match serving {
            true => vec![tools.bin.join(CLIENT)],
            false => tools.program(paradigm, scenario.workload),
        };
        let mut command: Vec<String> = match scenario.pinned {
            true => vec!["taskset".into(), "-c".into(), "0".into()],
            false => Vec::new(),
        };
        command.extend(program.iter().map(|p| p.to_string_lossy().into()));
        command.extend(flags.iter().cloned());
        let skipped = Outcome::Skipped(String::new());
        let mut cell = Cell::new(scenario.name, x, paradigm.name, command, skipped);
        let meets = Opponent::of(scenario.workload, paradigm, workers, connections, tools);
        if let Opponent::Own(server, note) = &meets {
            (cell.server, cell.note) = (server.clone(), note.clone());
        }
        if let Some(why) = (scenario.skip)(at, paradigm, limits) {
            cell.outcome = Outcome::Skipped(why);
            cells.push(cell);
            continue;
        }
        // Its result line must say it ran this workload, paradigm and sizes (for
        // serve, the client's: io and tokio).
        let (workload, client) = match serving {
            true => (Workload::Io, CLIENT_PARADIGM),
            false => (scenario.workload, paradigm.name),
        };
        let mut expect = vec![
            ("workload".to_string(), workload.name().to_string()),
            ("paradigm".to_string(), client.to_string()),
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
            // Where the kernel's share is wanted, each check runs in a cgroup:
            // the program's, or for serve the server's. (Declared before the
            // server, so that the server is killed before the cgroup goes.)
            let cgroup = scenario
                .kernel_memory
                .then(|| probes.memcg.create().ok())
                .flatten();
            let in_cgroup = |c: &[String]| match (&cgroup, serving) {
                (Some(cgroup), true) => cgroup.command(c),
                _ => c.to_vec(),
            };
            let server = match serve(&meets, &in_cgroup, paradigm.name, tools, dir)? {
                Attempt::Ok(server) => server,
                Attempt::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Attempt::Stopped => return Ok(None),
            };
            let mut command = with_server(&cell.command, server.as_ref());
            if let (Some(cgroup), false) = (&cgroup, serving) {
                command = cgroup.command(&command);
            }
            let watch = server
                .as_ref()
                .filter(|_| serving)
                .map(|s| Watch::start(s, &cgroup));
            let start = Instant::now();
            match program::check(&command, &expect, CHECK_LIMIT, dir)? {
                Attempt::Ok(line) => lines.push(line),
                Attempt::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Attempt::Stopped => return Ok(None),
            }
            if let Some(watch) = watch {
                cell.server_memory.push(watch.finish());
            }
            slowest = slowest.max(start.elapsed());
            peaks.push(cgroup.as_ref().and_then(|c| c.peak().ok()));
            drop(server);
            progress.done(1);
        }
        if failed.is_none() {
            progress.doing(format!("counting {}", paradigm.name));
            let counted = match serving {
                true => count_server(
                    &cell.command,
                    &expect,
                    &meets,
                    paradigm.name,
                    tools,
                    probes,
                    dir,
                )?,
                false => count(&cell.command, &expect, &meets, tools, probes, dir)?,
            };
            match counted {
                Attempt::Ok(counted) => cell.counters = Some(counted),
                Attempt::Failed(why) => failed = Some(format!("while counted: {why}")),
                Attempt::Stopped => return Ok(None),
            }
            progress.done(1);
        }
        match failed {
            Some(why) => fail(&mut cell, why, &lines, sizes, progress),
            None => {
                // All or nothing: a peak from every check, or none.
                cell.peaks = peaks.into_iter().collect::<Option<_>>().unwrap_or_default();
                cell.outcome = Outcome::Ok {
                    lines,
                    timing: None,
                };
                // Generous: a run that takes three times its check, or ten minutes.
                let limit = CHECK_LIMIT.max(slowest * 3 * (r.warmup + 1));
                // The machine's switches during the counting run, as the timed
                // runs' are read; the program's own where they were not.
                let counted = match (serving, cell.counters) {
                    (false, Some(c)) => c.cpu_us.map(|us| {
                        let switches = c.machine_switches.unwrap_or(c.voluntary + c.involuntary);
                        (us as f64 / 1e6, switches)
                    }),
                    _ => None,
                };
                contenders.push((
                    cells.len(),
                    Contender {
                        name: paradigm.name.to_string(),
                        command: cell.command.clone(),
                        meets,
                        limit,
                        counted,
                        json: raw_json(dir, scenario.name, x, paradigm.name),
                    },
                ));
            }
        }
        cells.push(cell);
    }
    // Every verified program of the point, timed in interleaved rounds.
    let (at_cells, timed): (Vec<usize>, Vec<Contender>) = contenders.into_iter().unzip();
    let Some(results) = rounds::time(&timed, r, tools, dir, progress)? else {
        return Ok(None);
    };
    for ((i, contender), result) in at_cells.into_iter().zip(&timed).zip(results) {
        let cell = &mut cells[i];
        match result {
            Timed::Ok(around) => {
                cell.around = Some(around);
                if let Some(why) = cell.noisy() {
                    progress.warn(format!("{} {why}", cell.paradigm));
                }
            }
            Timed::Failed(why) => {
                let lines = cell.lines().to_vec();
                fail(cell, why, &lines, sizes, progress);
                continue;
            }
        }
        if let Some(seconds) = scenario.wrk_seconds(quick) {
            progress.doing(format!("wrk against {}", cell.paradigm));
            let connections = connections.expect("a serve scenario sets --concurrency");
            let meets = &contender.meets;
            match cross_check(meets, connections, seconds, &cell.paradigm, tools, dir)? {
                Attempt::Ok(wrk) => cell.wrk = Some(wrk),
                Attempt::Failed(why) => cell.wrk = Some(Err(why)),
                Attempt::Stopped => return Ok(None),
            }
        }
    }
    Ok(Some(cells))
}

/// A cell that FAILED: its reason, said as it happens, and its remaining runs
/// counted as done on the bar.
fn fail(
    cell: &mut Cell,
    why: String,
    lines: &[workload::ResultLine],
    sizes: &Sizes,
    progress: &Progress,
) {
    progress.warn(format!("{} FAILED: {why}", cell.paradigm));
    let r = sizes.repeats_at(cell.x.unwrap_or(0));
    let total = u64::from(sizes.checks + 1 + r.warmup + r.timed);
    let done = lines.len() as u64 + u64::from(cell.counters.is_some());
    progress.done(total.saturating_sub(done));
    // A FAILED cell has no figure at all: no counters, no memory.
    cell.counters = None;
    cell.peaks.clear();
    cell.outcome = Outcome::Failed(why);
}
