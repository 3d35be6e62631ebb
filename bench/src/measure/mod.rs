//! `bench run`: for each point of each scenario, check every program (a failure
//! is a FAILED cell with its reason, never a time), time the verified ones with
//! hyperfine, and write the raw data into a new results folder. The `complete`
//! marker is written last, so an interrupted run is never taken for a finished one.

pub mod cgroup;
mod check;
mod count;
pub mod counters;
mod cpus;
pub mod host;
mod load;
pub mod machine;
pub mod oha;
mod point;
pub mod procs;
pub mod program;
pub mod progress;
pub mod raise;
mod rounds;
mod server;
mod setup;
pub mod tools;
pub mod uring;
pub mod watch;
pub mod wrk;

use std::{env, path::PathBuf, process::Command, time::Duration};

use crate::{
    measure::tools::Tools,
    results::Writer,
    scenarios::Scenario,
    scenarios::load::LoadKind,
    scenarios::paradigms::{self, Paradigm},
};
use cgroup::Memcg;
use counters::Counting;
use procs::{Ended, Group};
use progress::Progress;
use uring::Uring;

/// A check that has not answered by then has hung: FAILED.
const CHECK_LIMIT: Duration = Duration::from_secs(600);

/// Where a run is: a scenario's point, at full or quick size.
pub struct Point<'a> {
    pub scenario: &'a Scenario,
    pub x: Option<u64>,
    pub quick: bool,
}

pub struct Options {
    pub quick: bool,
    /// The scenarios to run, each once; all of them when empty.
    pub only: Vec<&'static Scenario>,
    pub out: Option<PathBuf>,
    pub quiet: bool,
    /// Why the run is made, for the folder's README.md.
    pub note: Option<String>,
    /// The command as the user typed it, for the machine description.
    pub command: String,
    /// The limits raised for this run, as `meta.env` lines.
    pub raised: Vec<(String, String)>,
}

/// How this machine measures beyond time: the counting pass, and memory with
/// the kernel's share; and whether io_uring starts for the compio programs.
pub struct Probes {
    pub counting: Counting,
    pub memcg: Memcg,
    pub uring: Uring,
}

/// How a run ended, for the exit status.
pub enum Ending {
    Done { failures: usize },
    Stopped,
}

/// Runs the benchmark; returns the folder written and how it ended.
pub fn benchmark(options: &Options, tools: &Tools) -> Result<(PathBuf, Ending), String> {
    let mode = if options.quick { "quick" } else { "full" };
    let only: Vec<&str> = options.only.iter().map(|s| s.name).collect();
    let mut scenarios: Vec<&Scenario> = if options.only.is_empty() {
        crate::scenarios::ALL.iter().collect()
    } else {
        options.only.clone()
    };
    // serve-overload and serve-mixed start from serve-load's capacities: it runs
    // before them, asked for or not, wherever it was asked.
    let needs_capacity = |s: &&Scenario| s.load.is_some_and(|l| l.kind != LoadKind::Climb);
    if scenarios.iter().any(needs_capacity) {
        scenarios.retain(|s| s.load.is_none_or(|l| l.kind != LoadKind::Climb));
        let first = scenarios.iter().position(needs_capacity).unwrap_or(0);
        scenarios.insert(first, &crate::scenarios::load::LOAD);
    }
    let limits = machine::limits();
    let plan: Vec<(&Scenario, Option<u64>)> = scenarios
        .iter()
        .flat_map(|s| {
            s.points(options.quick, &limits)
                .into_iter()
                .map(move |x| (*s, x))
        })
        .collect();
    // Who runs at a point, by the table's rules.
    let runners = |s: &Scenario, x: Option<u64>| -> Vec<Paradigm> {
        let all = paradigms::runners(s.workload, s.sized_pools).into_iter();
        all.filter(|p| (s.skip)(x.unwrap_or(0), p, &limits).is_none())
            .collect()
    };
    let compio = plan
        .iter()
        .any(|&(s, x)| runners(s, x).iter().any(|p| p.family == uring::NEEDS_IT));
    let probes = Probes {
        counting: Counting::detect(),
        memcg: Memcg::detect(),
        uring: match compio {
            true => Uring::probe(tools),
            false => Uring::NotAsked,
        },
    };
    let mut meta = machine::describe(tools, mode, &only.join(","), &options.command);
    meta.push(("counters".into(), probes.counting.describe()));
    meta.push(("kernel_memory".into(), probes.memcg.describe()));
    let io_uring = workload::cores::io_uring_state();
    meta.push(("io_uring".into(), probes.uring.describe(&io_uring)));
    meta.extend(options.raised.iter().cloned());
    let writer = Writer::create(
        options.out.as_deref(),
        &tools.root,
        &machine::host(),
        options.quick,
        &meta,
    )?;
    if let Some(note) = &options.note {
        writer.note(note)?;
    }
    let dir = writer.dir().to_path_buf();

    let runs: u64 = plan
        .iter()
        .map(|&(s, x)| {
            if let Some(load) = s.load {
                return runners(s, x).len() as u64 * load.runs_per_server(options.quick);
            }
            let sizes = s.sizes(options.quick);
            let r = sizes.repeats_at(x.unwrap_or(0));
            let n = runners(s, x)
                .iter()
                .filter(|p| probes.uring.skip(p).is_none())
                .count() as u64;
            n * u64::from(sizes.checks + 1 + r.warmup + r.timed)
        })
        .sum();
    let mut progress = Progress::new(runs, plan.len(), options.quiet);
    progress.say(format!("writing {}", dir.display()));
    let mut failures = 0;
    let mut capacities = load::Capacities::new();
    for (scenario, x) in plan {
        progress.point(format!("{}{}", scenario.name, scenario.at(x)));
        let at = Point {
            scenario,
            x,
            quick: options.quick,
        };
        let measured = match scenario.load {
            Some(_) => load::measure(
                &at,
                &limits,
                tools,
                &probes,
                &dir,
                &progress,
                &mut capacities,
            )?,
            None => point::measure(&at, &limits, tools, &probes, &dir, &progress)?,
        };
        let Some(cells) = measured else {
            progress.finish();
            return Ok((dir, Ending::Stopped));
        };
        writer.append(&cells)?;
        failures += cells.iter().filter(|c| c.failed()).count();
    }
    progress.finish();
    writer.complete(&machine::now())?;
    Ok((dir, Ending::Done { failures }))
}

/// Builds every program in release mode (a no-op when up to date) into the
/// target folder `tools.bin` is in; `false` if the benchmark was stopped meanwhile.
pub fn build(tools: &Tools) -> Result<bool, String> {
    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or("cargo".into()));
    cargo
        .args([
            "build",
            "--release",
            "--locked",
            "--workspace",
            "--bins",
            "--quiet",
        ])
        .current_dir(&tools.root);
    if let Some(target) = tools.bin.parent() {
        cargo.env("CARGO_TARGET_DIR", target);
    }
    let mut group = match Group::spawn(&mut cargo) {
        Ok(group) => group,
        Err(_) if procs::stopping() => return Ok(false),
        Err(e) => return Err(format!("cargo: {e}")),
    };
    match group.wait(None).map_err(|e| e.to_string())? {
        _ if procs::stopping() => Ok(false),
        Ended::Exited(status) if status.success() => Ok(true),
        Ended::Exited(status) => Err(format!("cargo build --release failed: {status}")),
        Ended::TimedOut | Ended::Stopped => Ok(false),
    }
}
