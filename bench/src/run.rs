//! `bench run`: for each point of each scenario, check every program (a failure
//! is a FAILED cell with its reason, never a time), time the verified ones with
//! hyperfine, and write the raw data into a new results folder. The `complete`
//! marker is written last, so an interrupted run is never taken for a finished one.

use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use crate::{
    machine,
    paradigms::{self, Tools},
    procs::{self, Ended, Group},
    program::{self, ApiServer, Ran},
    progress::Progress,
    results::{Cell, Outcome, Writer, raw_json},
    scenarios::{Limits, Scenario},
};

/// A check that has not answered by then has hung: FAILED.
const CHECK_LIMIT: Duration = Duration::from_secs(600);

pub struct Options {
    pub quick: bool,
    /// The scenarios to run, each once; all of them when empty.
    pub only: Vec<&'static Scenario>,
    pub out: Option<PathBuf>,
    pub quiet: bool,
    /// The command as the user typed it, for the machine description.
    pub command: String,
}

/// How a run ended, for the exit status.
pub enum RunEnd {
    Done { failures: usize },
    Stopped,
}

/// Runs the benchmark; returns the folder written and how it ended.
pub fn run(options: &Options, tools: &Tools) -> Result<(PathBuf, RunEnd), String> {
    let mode = if options.quick { "quick" } else { "full" };
    let only: Vec<&str> = options.only.iter().map(|s| s.name).collect();
    let meta = machine::describe(tools, mode, &only.join(","), &options.command);
    let writer = Writer::create(options.out.as_deref(), &tools.root, options.quick, &meta)?;
    let dir = writer.dir().to_path_buf();

    let scenarios: Vec<&Scenario> = if options.only.is_empty() {
        crate::scenarios::ALL.iter().collect()
    } else {
        options.only.clone()
    };
    let limits = Limits::here();
    let plan: Vec<(&Scenario, Option<u64>)> = scenarios
        .iter()
        .flat_map(|s| s.points(options.quick).into_iter().map(move |x| (*s, x)))
        .collect();
    let runs: u64 = plan
        .iter()
        .map(|(s, x)| {
            let sizes = s.sizes(options.quick);
            let r = sizes.runs_at(x.unwrap_or(0));
            let n = paradigms::ALL
                .iter()
                .filter(|p| (s.skip)(x.unwrap_or(0), p, &limits).is_none())
                .count() as u64;
            n * u64::from(sizes.checks + r.warmup + r.runs)
        })
        .sum();
    let mut progress = Progress::new(runs, plan.len(), options.quiet);
    progress.say(format!("writing {}", dir.display()));
    let mut failures = 0;
    for (scenario, x) in plan {
        progress.point(format!("{}{}", scenario.name, scenario.at(x)));
        let Some(cells) = point(scenario, x, options.quick, &limits, tools, &dir, &progress)?
        else {
            progress.finish();
            return Ok((dir, RunEnd::Stopped));
        };
        writer.append(&cells)?;
        failures += cells.iter().filter(|c| c.failed()).count();
    }
    progress.finish();
    writer.complete()?;
    Ok((dir, RunEnd::Done { failures }))
}

/// One point: each paradigm is checked, then timed on its own. An io program
/// meets a fresh api-server for its check and another for its timing: on
/// loopback, ports left in TIME_WAIT towards one server port slow the next
/// 10,000 connections to it by half (measured: 0.68 s to a fresh port, 1.23 s to
/// a used one), while towards a new port they cost nothing. Runs of one timing
/// share a server: at 1,000 connections eight runs in a row to one port took
/// the same time (0.25-0.27 s), and at 10,000 there is one run. `None` when the
/// benchmark is stopping.
fn point(
    scenario: &Scenario,
    x: Option<u64>,
    quick: bool,
    limits: &Limits,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let sizes = scenario.sizes(quick);
    let at = x.unwrap_or(0);
    let r = sizes.runs_at(at);
    let asked = (sizes.flags)(at);
    let mut flags: Vec<String> = asked
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect();
    flags.extend(["--workers".into(), limits.cores.to_string()]);
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
        let mut cell = Cell {
            scenario: scenario.name.into(),
            x,
            paradigm: paradigm.name.into(),
            command,
            outcome: Outcome::Skipped(String::new()),
        };
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
        let mut lines = Vec::new();
        let mut slowest = Duration::ZERO;
        let mut failed = None;
        for i in 0..sizes.checks {
            progress.doing(format!(
                "checking {} ({} of {})",
                paradigm.name,
                i + 1,
                sizes.checks
            ));
            let server = match serve(io, tools, dir)? {
                Ran::Ok(server) => server,
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            };
            let start = Instant::now();
            match program::check(
                &with_server(&cell.command, &server),
                &expect,
                CHECK_LIMIT,
                dir,
            )? {
                Ran::Ok(line) => lines.push(line),
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            }
            slowest = slowest.max(start.elapsed());
            progress.done(1);
        }
        if failed.is_none() {
            progress.doing(format!(
                "timing {}: {} warm-up and {} timed runs",
                paradigm.name, r.warmup, r.runs
            ));
            // Generous: a run that takes three times its check, or ten minutes.
            let limit = CHECK_LIMIT.max(slowest * 3 * (r.warmup + r.runs));
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
                // Its other checks and timed runs will not happen.
                progress.done(u64::from(sizes.checks + r.warmup + r.runs) - lines.len() as u64);
                Outcome::Failed(why)
            }
            None => {
                progress.done(u64::from(r.warmup + r.runs));
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
