//! The benchmark: every workload in every paradigm, each program verified before
//! it is timed, timed with hyperfine, written into a results folder that is never
//! overwritten, and turned into a report, charts and the README's and
//! docs/FINDINGS.md's tables.
//!
//! ```sh
//! scripts/bench.sh --quick                       # finds or installs hyperfine, then `bench run`
//! cargo run --release -p bench -- run --only cpu,io-fast --note "why this run"
//! cargo run --release -p bench -- report results/2026-12-06-vm-2 --readme README.md
//! cargo run --release -p bench -- compare results/2026-12-01-vm results/2026-12-06-vm-2
//! ```
//!
//! # Layout
//!
//! Four folders, in the order the data goes: the table says what to run,
//! `measure` runs it, `results` keeps it, `render` shows it. A module imports
//! only from its own folder, `scenarios`, and (`measure` and `render`)
//! `results`: its stored types and what they mean; a renderer never imports a measuring module, nor
//! the other way round, and no files import each other in a circle
//! (`bench/tests/layers.rs` checks it). [`cli`] is the command line and this
//! file carries its three actions out.
//!
//! - [`scenarios`]: the one scenario table, an entry per scenario in a file per
//!   workload (`cpu.rs`, `io.rs`, `serve.rs`, `spawn.rs`, `ring.rs`) and the
//!   sweeps across cores (`cores.rs`), with where a point's programs run
//!   (`placement.rs`), and the open-loop scenarios (`load.rs`); what an
//!   entry is made of (`kinds.rs`: measure, axis, sizes, repeats, the limits it
//!   raises, wrk's duration; `workload.rs`: the workload, its unit of work, whom
//!   its programs meet); the skip rules and their budgets (`rules.rs`); the
//!   machine's limits they read (`limits.rs`); the paradigms (`paradigms.rs`);
//!   the primer's rows, the scenarios and paradigms of its claims and the
//!   offloading pair (`primer.rs`); the rules' tests (`tests.rs`).
//! - [`measure`]: `bench run` (`mod.rs`: build, then point by point). A point:
//!   its cells' shared setup (`setup.rs`, with `cpus.rs`: the CPUs a pinned
//!   program gets), their checks (`check.rs`), the
//!   counting pass (`count.rs`, with `counters.rs`: perf or rusage), the timed
//!   rounds (`rounds.rs`), in that order (`point.rs`). Around them: one program
//!   run checked, timed or serving (`program.rs`), where the programs are
//!   (`tools.rs`), the server a cell meets and wrk against it (`server.rs`,
//!   `wrk.rs`), the server watched from outside (`watch.rs`), memory cgroups
//!   (`cgroup.rs`), the host's CPU, steal and TCP counters (`host.rs`), the
//!   machine's description and limits (`machine.rs`), raised limits
//!   (`raise.rs`), process groups that die whole (`procs.rs`), the progress
//!   bar (`progress.rs`), whether io_uring starts for compio (`uring.rs`). The
//!   open-loop scenarios are `loadgen` runs, not timed rounds (`load/mod.rs`:
//!   server by server; `load/climb.rs`: serve-load's ladder; `load/run.rs`: one
//!   run against a fresh server), with oha beside them (`oha.rs`).
//! - [`results`]: a results folder, written (`writer.rs`) and loaded
//!   (`mod.rs`: [`results::Record`]); every stored type: a cell and its line
//!   (`cell.rs`), its timed runs (`timed.rs`), its counters and cgroup peaks
//!   (`counted.rs`), a serve cell's server (`server.rs`), a load cell's run
//!   (`load.rs`), hyperfine's exports
//!   (`hyperfine.rs`); what stored numbers mean: ratios, memory per unit and
//!   units (`stats.rs`), noise and ties (`noise.rs`); made-up cells for the
//!   unit tests (`testing.rs`).
//! - [`render`]: `bench report` (`mod.rs`: report.md, machine.md, charts) and the
//!   generated blocks of README.md and docs/FINDINGS.md (`readme.rs`; the
//!   README's answers and a table per workload in `front/mod.rs`, the answers'
//!   why from the counters in `front/because.rs`); a cell's figures (`figures.rs`) and who
//!   leads a point (`leaders.rs`), which the rest read; the tables per point
//!   (`tables/mod.rs`) and per scenario (`tables/compact.rs`), the servers'
//!   tables (`servers.rs`), the why-tables (`why.rs`), the primer's table
//!   (`primer/mod.rs`) and claims (`primer/claims.rs`), the thread-per-core
//!   comparison (`per_core/mod.rs`, its tests in `per_core/tests.rs`), the
//!   offloading comparison (`offload.rs`), the sweeps across cores (`sweep/mod.rs`,
//!   its made-up runs and tests in `sweep/fixtures.rs`, `sweep/tests.rs`), the
//!   open-loop scenarios' sections, which no hyperfine time decides (`load/`:
//!   `mod.rs`; serve-load's capacities in `capacity.rs` and `ladder.rs`, oha and
//!   `loadgen`'s ceiling in `oha.rs`; `overload.rs`, `mixed.rs`; their charts in
//!   `chart.rs`, primer rows in `primer.rs`, `bench compare` in `compare.rs`; made-up
//!   runs and tests in `fixtures.rs`, `tests.rs`), the charts (`charts/`: `mod.rs`,
//!   `bars.rs`, `lines.rs`, `axis.rs`, and `scaling.rs` for a sweep), and
//!   `bench compare` (`compare.rs`); the run as one page, report.html (`html/`).

mod cli;
mod measure;
mod render;
mod results;
mod scenarios;

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Parser;

use crate::{
    cli::{Action, Cli, RunArgs},
    measure::tools::Tools,
    measure::{Ending, procs, program, raise},
    render::compare,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Action::Run(args) => bench_run(args),
        Action::Report { dir, readme, open } => results::Record::load(&dir).and_then(|record| {
            render::write(&record)?;
            if let Some(readme) = readme {
                render::fill(&readme, &record)?;
            }
            let page = dir.join(render::PAGE);
            eprintln!("bench: report: {}", page.display());
            if open {
                cli::browse(&page)?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Action::Compare { dirs } => dirs
            .iter()
            .map(|d| results::Record::load(d))
            .collect::<Result<Vec<_>, _>>()
            .map(|records| {
                print!("{}", compare::compare(&records));
                ExitCode::SUCCESS
            }),
    };
    result.unwrap_or_else(|e| {
        eprintln!("Error: {e}");
        ExitCode::FAILURE
    })
}

fn bench_run(args: RunArgs) -> Result<ExitCode, String> {
    let RunArgs {
        quick,
        mut only,
        out,
        quiet,
        raise_limits,
        note,
        bin,
    } = args;
    let root = repository()?;
    let build = bin.is_none();
    let bin = match bin {
        Some(bin) => bin
            .canonicalize()
            .map_err(|e| format!("--bin {}: {e}", bin.display()))?,
        None => release_folder(&root),
    };
    let tools = Tools {
        root: root.clone(),
        bin,
        python: tool("PYTHON", "python3", &root)?,
        hyperfine: tool("HYPERFINE", "hyperfine", &root)?,
        // Only the serve scenarios' cross-check needs wrk: without it they say so.
        wrk: tool("WRK", "wrk", &root),
        // Only serve-load's second opinion needs oha: without it its cells say so.
        oha: tool("OHA", "oha", &root),
    };
    // --only cpu,cpu runs cpu once.
    let mut seen = Vec::new();
    only.retain(|s| {
        let new = !seen.contains(&s.name);
        seen.push(s.name);
        new
    });
    if let Some(out) = &out
        && fs::read_dir(out).is_ok_and(|mut d| d.next().is_some())
    {
        eprintln!(
            "Error: {} exists and is not empty: results are never overwritten",
            out.display()
        );
        return Ok(ExitCode::from(2));
    }
    procs::stop_on_signals().map_err(|e| format!("cannot handle signals: {e}"))?;
    let invoked = env::var("BENCH_INVOKED_AS").unwrap_or_else(|_| "bench run".into());
    let args: Vec<String> = env::args().skip(2).collect();
    let mut options = measure::Options {
        quick,
        only,
        out,
        quiet,
        note,
        command: format!("{invoked} {}", program::quote(&args))
            .trim_end()
            .to_string(),
        raised: Vec::new(),
    };
    if build && !measure::build(&tools)? {
        eprintln!("bench: stopped while building");
        return Ok(ExitCode::from(130));
    }
    if raise_limits {
        // What was raised before a later limit failed goes back too.
        options.raised = raise::raise(quick).inspect_err(|_| raise::restore())?;
    }
    // The limits go back however the run ends.
    let measured = measure::benchmark(&options, &tools);
    raise::restore();
    let (dir, ended) = measured?;
    if let Ending::Stopped = ended {
        // What was done is reported, if it can be; the stop is what counts.
        if let Err(e) = results::Record::load(&dir).and_then(|record| render::write(&record)) {
            eprintln!("bench: no report for the stopped run: {e}");
        }
        if dir.join(render::PAGE).exists() {
            eprintln!("{}", open_line(&dir));
        }
        eprintln!("bench: stopped; {} is marked incomplete", dir.display());
        return Ok(ExitCode::from(130));
    }
    let loaded = results::Record::load(&dir)?;
    render::write(&loaded)?;
    let code = match ended {
        Ending::Stopped => ExitCode::from(130),
        Ending::Done { failures: 0 } => ExitCode::SUCCESS,
        Ending::Done { failures } => {
            eprintln!(
                "bench: {failures} program(s) FAILED: see {}",
                dir.join("report.md").display()
            );
            ExitCode::FAILURE
        }
    };
    if loaded.is_full() && dir.starts_with(root.join("results")) {
        if let Some(newest) = results::newest_full(&root.join("results"))? {
            render::fill(&root.join("README.md"), &newest)?;
            eprintln!(
                "bench: README.md's and docs/FINDINGS.md's results now show {}",
                newest.name()
            );
        }
    }
    eprintln!("bench: done: {}", dir.join("report.md").display());
    eprintln!("{}", open_line(&dir));
    Ok(code)
}

/// Where the run's page is, and how to open it (`bench` is seldom on PATH).
fn open_line(dir: &Path) -> String {
    let page = dir.join(render::PAGE);
    format!(
        "bench: open {} in a browser, or run cargo run --release -p bench -- report {} --open",
        page.display(),
        program::quote(&[dir.to_string_lossy().into()])
    )
}

/// Where release builds go: beside this program's own profile folder
/// (`target/release`, or under `CARGO_TARGET_DIR`), else the repository's.
fn release_folder(root: &Path) -> PathBuf {
    env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("release")))
        .unwrap_or_else(|| root.join("target/release"))
}

/// The repository: above the running binary (target/release/bench), else above
/// the current folder.
fn repository() -> Result<PathBuf, String> {
    let exe = env::current_exe().ok();
    let starts = exe
        .iter()
        .map(|e| e.as_path())
        .chain([Path::new(".")])
        .filter_map(|p| p.canonicalize().ok());
    for start in starts.collect::<Vec<_>>() {
        if let Some(root) = start
            .ancestors()
            .find(|a| a.join("bench/Cargo.toml").exists())
        {
            return Ok(root.to_path_buf());
        }
    }
    Err(
        "cannot find the repository (a folder with bench/Cargo.toml) above this program or here"
            .into(),
    )
}

/// A tool from `$VAR`, else PATH, else the repository's .tools/ (where
/// scripts/bench.sh installs hyperfine).
fn tool(var: &str, name: &str, root: &Path) -> Result<PathBuf, String> {
    if let Some(path) = env::var_os(var) {
        return Ok(PathBuf::from(path));
    }
    let path = env::var_os("PATH").unwrap_or_default();
    let mut candidates: Vec<PathBuf> = env::split_paths(&path).map(|d| d.join(name)).collect();
    candidates.extend(["usr/bin", "bin"].map(|d| root.join(".tools").join(d).join(name)));
    candidates.into_iter().find(|c| c.is_file()).ok_or_else(|| {
        format!(
            "{name} not found: scripts/bench.sh installs what the benchmark needs (or set {var})"
        )
    })
}
