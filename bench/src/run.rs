//! `bench run`: build, then for each point of each scenario check every program
//! once (a failure is a FAILED cell with its reason, never a time), time the
//! verified ones with hyperfine (`-N`, `-n <paradigm>`), and write the raw data
//! into a new results folder that is never overwritten. The `complete` marker is
//! written last, so an interrupted or failed run is never taken for a finished one.

use std::{
    env,
    fs::{self, File, OpenOptions},
    io::{BufRead, BufReader, Write as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use workload::ResultLine;

use crate::{
    machine,
    paradigms::{self, Tools},
    procs::{self, Ended, Group},
    progress::Progress,
    results::{self, COMPLETE, Cell, Outcome},
    scenarios::{Machine, Runs, Scenario},
};

/// A check that has not answered by then has hung: FAILED.
const CHECK_LIMIT: Duration = Duration::from_secs(600);

pub struct Options {
    pub quick: bool,
    /// The scenarios to run; all of them when `only` is empty.
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
    let dir = results_folder(options, &tools.root)?;
    let mode = if options.quick { "quick" } else { "full" };
    let only: Vec<&str> = options.only.iter().map(|s| s.name).collect();
    let meta = machine::describe(tools, mode, &only.join(","), &options.command);
    fs::write(dir.join(results::META), results::write_meta(&meta)).map_err(|e| e.to_string())?;
    fs::write(dir.join(results::CELLS), "").map_err(|e| e.to_string())?;

    let scenarios: Vec<&Scenario> = if options.only.is_empty() {
        crate::scenarios::ALL.iter().collect()
    } else {
        options.only.clone()
    };
    let this = Machine::this();
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
                .filter(|p| (s.skip)(x.unwrap_or(0), p, &this).is_none())
                .count() as u64;
            n * u64::from(sizes.checks + r.warmup + r.runs)
        })
        .sum();
    let mut progress = Progress::new(runs, plan.len(), options.quiet);
    progress.say(format!("writing {}", dir.display()));
    let mut failures = 0;
    for (scenario, x) in plan {
        progress.point(format!("{}{}", scenario.name, scenario.at(x)));
        match point(scenario, x, options.quick, &this, tools, &dir, &progress)? {
            Some(cells) => {
                let mut file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(results::CELLS))
                    .map_err(|e| e.to_string())?;
                for cell in &cells {
                    writeln!(file, "{}", cell.to_json()).map_err(|e| e.to_string())?;
                }
                failures += cells.iter().filter(|c| c.failed()).count();
            }
            None => {
                progress.finish();
                return Ok((dir, RunEnd::Stopped));
            }
        }
    }
    progress.finish();
    fs::write(dir.join(COMPLETE), machine::now() + "\n").map_err(|e| e.to_string())?;
    Ok((dir, RunEnd::Done { failures }))
}

/// One point: each paradigm is checked, then timed on its own. An io program
/// meets a fresh api-server for its check and another for its timing: on
/// loopback, ports left in TIME_WAIT towards one server port slow the next
/// 10,000 connections to it by half (measured: 0.68 s to a fresh port, 1.23 s to
/// a used one), while towards a new port they cost nothing. `None` when the
/// benchmark is stopping.
fn point(
    scenario: &Scenario,
    x: Option<u64>,
    quick: bool,
    this: &Machine,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let sizes = scenario.sizes(quick);
    let at = x.unwrap_or(0);
    let r = sizes.runs_at(at);
    let mut flags: Vec<String> = (sizes.flags)(at)
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect();
    flags.extend(["--workers".into(), this.cores.to_string()]);
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
        if let Some(why) = (scenario.skip)(at, paradigm, this) {
            cell.outcome = Outcome::Skipped(why);
            cells.push(cell);
            continue;
        }
        let io = scenario.workload == "io";
        let server = if io {
            Some(ApiServer::start(tools, dir)?)
        } else {
            None
        };
        let mut lines = Vec::new();
        for i in 0..sizes.checks {
            progress.doing(format!(
                "checking {} ({} of {})",
                paradigm.name,
                i + 1,
                sizes.checks
            ));
            match check(&with_server(&cell.command, server.as_ref()), dir)? {
                Check::Ok(line) => lines.push(line),
                Check::Failed(why) => {
                    progress.warn(format!("{} FAILED: {why}", paradigm.name));
                    cell.outcome = Outcome::Failed(why);
                    break;
                }
                Check::Stopped => return Ok(None),
            }
            progress.done(1);
        }
        drop(server);
        if cell.failed() {
            // Its other checks and timed runs will not happen.
            progress.done(u64::from(
                sizes.checks - 1 - lines.len() as u32 + r.warmup + r.runs,
            ));
            cells.push(cell);
            continue;
        }
        progress.doing(format!(
            "timing {}: {} warm-up and {} timed runs",
            paradigm.name, r.warmup, r.runs
        ));
        let server = if io {
            Some(ApiServer::start(tools, dir)?)
        } else {
            None
        };
        let json = results::raw_json(dir, scenario.name, x, paradigm.name);
        match time(
            tools,
            &with_server(&cell.command, server.as_ref()),
            paradigm.name,
            r,
            &json,
        )? {
            Timed::Ok => {
                cell.outcome = Outcome::Ok {
                    lines,
                    timing: None,
                }
            }
            Timed::Failed(why) => {
                progress.warn(format!("{} FAILED while timed: {why}", paradigm.name));
                cell.outcome = Outcome::Failed(format!("while timed: {why}"));
            }
            Timed::Stopped => return Ok(None),
        }
        progress.done(u64::from(r.warmup + r.runs));
        cells.push(cell);
    }
    Ok(Some(cells))
}

/// The command with `--server ADDR` added for an io program.
fn with_server(command: &[String], server: Option<&ApiServer>) -> Vec<String> {
    let mut command = command.to_vec();
    if let Some(server) = server {
        command.extend(["--server".into(), server.addr.clone()]);
    }
    command
}

enum Timed {
    Ok,
    Failed(String),
    Stopped,
}

/// hyperfine `-N` over one verified program, named `-n <paradigm>`, into `json`.
fn time(
    tools: &Tools,
    command: &[String],
    name: &str,
    r: Runs,
    json: &Path,
) -> Result<Timed, String> {
    let err_path = json.with_extension("err");
    let mut hyperfine = Command::new(&tools.hyperfine);
    hyperfine
        .args(["-N", "--style", "none"])
        .args(["-w", &r.warmup.to_string(), "-r", &r.runs.to_string()])
        .arg("--export-json")
        .arg(json)
        .args(["-n", name])
        .arg(quote(command))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&err_path).map_err(|e| e.to_string())?);
    let mut group = Group::spawn(&mut hyperfine).map_err(|e| format!("hyperfine: {e}"))?;
    let ended = group.wait(None).map_err(|e| e.to_string())?;
    let ended = if procs::stopping() {
        Ended::Stopped
    } else {
        ended
    };
    let why = last_line(&err_path);
    let _ = fs::remove_file(&err_path); // scratch: its last line is kept in the cell
    Ok(match ended {
        Ended::Exited(status) if status.success() => Timed::Ok,
        Ended::Exited(status) => {
            Timed::Failed(why.unwrap_or_else(|| format!("hyperfine: {status}")))
        }
        Ended::TimedOut | Ended::Stopped => Timed::Stopped,
    })
}

enum Check {
    Ok(ResultLine),
    Failed(String),
    Stopped,
}

/// Runs a program once and reads its result line: ok only if it exited 0 and
/// found its own checksum right.
fn check(command: &[String], dir: &Path) -> Result<Check, String> {
    let (out, err) = (dir.join("raw/check.out"), dir.join("raw/check.err"));
    let create = |p: &Path| File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut program = Command::new(&command[0]);
    program
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(create(&out)?)
        .stderr(create(&err)?);
    let ended = match Group::spawn(&mut program) {
        Ok(mut group) => group.wait(Some(CHECK_LIMIT)).map_err(|e| e.to_string())?,
        Err(_) if procs::stopping() => return Ok(Check::Stopped),
        Err(e) => return Ok(Check::Failed(format!("cannot start: {e}"))),
    };
    // A program killed because the benchmark is stopping did not fail.
    let ended = if procs::stopping() {
        Ended::Stopped
    } else {
        ended
    };
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let why = last_line(&err);
    let _ = (fs::remove_file(&out), fs::remove_file(&err)); // scratch files
    let status = match ended {
        Ended::Stopped => return Ok(Check::Stopped),
        Ended::TimedOut => {
            return Ok(Check::Failed(format!(
                "no result within {} s",
                CHECK_LIMIT.as_secs()
            )));
        }
        Ended::Exited(status) => status,
    };
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Ok(match ResultLine::parse(line) {
        Ok(line) if status.success() && line.ok() => Check::Ok(line),
        Ok(line) if !line.ok() => Check::Failed(format!("wrong checksum: {line}")),
        Ok(_) | Err(_) if !status.success() => {
            Check::Failed(why.unwrap_or_else(|| format!("{status}, no error message")))
        }
        Ok(_) | Err(_) => Check::Failed(format!(
            "no result line in its output: {:.200}",
            stdout.trim()
        )),
    })
}

/// The api-server one io point uses: started on a free port, killed when dropped.
struct ApiServer {
    addr: String,
    _group: Group,
}

impl ApiServer {
    fn start(tools: &Tools, dir: &Path) -> Result<Self, String> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("raw/api-server.err"))
            .map_err(|e| e.to_string())?;
        let cores = workload::sys::available_cores().to_string();
        let mut command = Command::new(tools.bin.join("api-server"));
        command
            .args(["--listen", "127.0.0.1:0", "--workers", &cores])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut group = Group::spawn(&mut command).map_err(|e| format!("api-server: {e}"))?;
        let stdout = group.stdout().ok_or("api-server: no stdout")?;
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The receiver is gone once the address is read: nothing to tell.
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(10)).map_err(
            |_| "api-server printed no listening= line within 10 s (see raw/api-server.err)",
        )?;
        let addr = line
            .strip_prefix("listening=")
            .ok_or_else(|| format!("api-server: unexpected first line {line:?}"))?;
        Ok(Self {
            addr: addr.to_string(),
            _group: group,
        })
    }
}

/// The arguments as one string that a POSIX shell (and hyperfine `-N`, which
/// splits the same way) reads back exactly: paths with spaces survive.
pub fn quote(command: &[String]) -> String {
    let plain = |a: &String| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./,=:@+%".contains(c))
    };
    command
        .iter()
        .map(|a| {
            if plain(a) {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn last_line(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(line.trim().replace('\t', " "))
}

/// Builds every program in release mode (a no-op when up to date); `false` if
/// the benchmark was stopped meanwhile.
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
    let mut group = Group::spawn(&mut cargo).map_err(|e| format!("cargo: {e}"))?;
    match group.wait(None).map_err(|e| e.to_string())? {
        _ if procs::stopping() => Ok(false),
        Ended::Exited(status) if status.success() => Ok(true),
        Ended::Exited(status) => Err(format!("cargo build --release failed: {status}")),
        Ended::TimedOut | Ended::Stopped => Ok(false),
    }
}

/// `--out DIR` if given (new or empty), else `results/<date>-<host>[-quick]`
/// with `-2`, `-3`, ... until the name is new: results are never overwritten.
fn results_folder(options: &Options, root: &Path) -> Result<PathBuf, String> {
    let dir = match &options.out {
        Some(out) => {
            if fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
                return Err(format!(
                    "{} exists and is not empty: results are never overwritten",
                    out.display()
                ));
            }
            out.clone()
        }
        None => {
            let date = &machine::now()[..10];
            let quick = if options.quick { "-quick" } else { "" };
            let base = root.join(format!("results/{date}-{}{quick}", machine::host()));
            let mut dir = base.clone();
            for n in 2.. {
                if !dir.exists() {
                    break;
                }
                dir = PathBuf::from(format!("{}-{n}", base.display()));
            }
            dir
        }
    };
    fs::create_dir_all(dir.join("raw")).map_err(|e| format!("{}: {e}", dir.display()))?;
    dir.canonicalize().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_spaces_and_quotes() {
        let command = vec![
            "/a dir/it's".to_string(),
            "--x".into(),
            "".into(),
            "1".into(),
        ];
        assert_eq!(quote(&command), r"'/a dir/it'\''s' --x '' 1");
    }
}
