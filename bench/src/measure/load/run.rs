//! One run of `loadgen` against a fresh server: the server started (with
//! `--offload` where asked), its peaks reset once it listens, its CPU time read
//! before and after, `loadgen` run to its end, oha after it where asked, and
//! the server stopped as a user stops it.

use std::{
    fs,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use workload::ResultLine;

use crate::{
    measure::oha,
    measure::procs::{self, Ended, Group},
    measure::program::{Attempt, Server},
    measure::server::Watch,
    measure::tools::Tools,
    measure::watch,
    results::{LoadRun, Oha, judge},
    scenarios::load::{CONNECTIONS_MAX, TIMEOUT_MS},
};

/// What one run asks of `loadgen`: the rate and its phases, and heavy requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask {
    pub rate: u64,
    pub ms: u64,
    /// A second phase: its rate and length (serve-overload's recovery).
    pub then: Option<(u64, u64)>,
    /// One request in `.0` counts the primes among `.1` numbers.
    pub heavy: Option<(u64, u64)>,
    pub offload: bool,
    /// oha at the same rate for this long after `loadgen`, where it is installed.
    pub oha_ms: u64,
}

impl Ask {
    /// `loadgen`'s flags.
    pub fn flags(&self, addr: &str) -> Vec<String> {
        let mut flags = vec![
            "--server".to_string(),
            addr.to_string(),
            "--rate".into(),
            self.rate.to_string(),
            "--duration-ms".into(),
            self.ms.to_string(),
            "--connections-max".into(),
            CONNECTIONS_MAX.to_string(),
            "--timeout-ms".into(),
            TIMEOUT_MS.to_string(),
        ];
        if let Some((rate, ms)) = self.then {
            flags.extend(["--then-rate".into(), rate.to_string()]);
            flags.extend(["--then-ms".into(), ms.to_string()]);
        }
        if let Some((every, work)) = self.heavy {
            flags.extend(["--heavy-every".into(), every.to_string()]);
            flags.extend(["--work".into(), work.to_string()]);
        }
        flags
    }
}

/// The server's command, the `loadgen` command run (with a placeholder for the
/// server's port), and the run: its result line and what was read around it.
pub type Ran = (Vec<String>, Vec<String>, ResultLine, LoadRun);

/// Runs `ask` against a fresh server made by `server` (its command without
/// `--listen`); `Failed` when the server or `loadgen` could not run at all.
pub fn run(
    server: &[String],
    ask: &Ask,
    name: &str,
    tools: &Tools,
    dir: &Path,
) -> Result<Attempt<Ran>, String> {
    let mut server = server.to_vec();
    if ask.offload {
        server.push("--offload".into());
    }
    let started = match Server::start(&server, &format!("load.{name}"), dir)? {
        Attempt::Ok(started) => started,
        Attempt::Failed(why) => return Ok(Attempt::Failed(refusal(&why, name, dir))),
        Attempt::Stopped => return Ok(Attempt::Stopped),
    };
    let group = started.group();
    let loadgen = tools.bin.join("loadgen").to_string_lossy().into_owned();
    let mut command = vec![loadgen];
    command.extend(ask.flags(&started.addr));
    let out_path = dir.join("raw/loadgen.out");
    let err_path = dir.join(format!("raw/loadgen.{name}.err"));
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let out = fs::File::create(&out_path).map_err(|e| io(&out_path, e))?;
    let err = fs::File::create(&err_path).map_err(|e| io(&err_path, e))?;
    let watched = Watch::start(&started, &None); // peaks reset, idle memory read
    let cpu_before = watch::cpu_us(group);
    let start = Instant::now();
    let phases = ask.ms + ask.then.map_or(0, |(_, ms)| ms);
    let limit = Duration::from_millis(phases + TIMEOUT_MS) + Duration::from_secs(30);
    let mut loadgen = Command::new(&command[0]);
    loadgen.args(&command[1..]).stdout(out).stderr(err);
    let ended = waited(&mut loadgen, limit);
    let wall_us = start.elapsed().as_micros() as u64;
    let server_cpu_us = watch::cpu_us(group).saturating_sub(cpu_before);
    let memory = watched.finish();
    let ended = match ended {
        Ok(ended) => ended,
        Err(_) if procs::stopping() => return Ok(Attempt::Stopped),
        Err(e) => return Ok(Attempt::Failed(format!("loadgen: {e}"))),
    };
    let text = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path); // scratch: the line goes into the cell
    match ended {
        _ if procs::stopping() => return Ok(Attempt::Stopped),
        Ended::TimedOut => return Ok(Attempt::Failed("loadgen did not finish".into())),
        Ended::Stopped => return Ok(Attempt::Stopped),
        // Exit 1 with ok=false is a run whose requests failed: a verdict, below.
        Ended::Exited(_) => {}
    }
    let line = match text.lines().next().map(ResultLine::parse) {
        Some(Ok(line)) => line,
        _ => {
            let said = fs::read_to_string(&err_path).unwrap_or_default();
            let last = said.lines().last().unwrap_or("").to_string();
            return Ok(Attempt::Failed(format!(
                "loadgen printed no result line: {last:.200}"
            )));
        }
    };
    // oha with as many connections as loadgen opened at this rate: the same
    // share of the load per connection (64 held from the start would wait on a
    // server that serves one connection, or a pool's worth, at a time).
    let connections = line.number("connections").unwrap_or(1).max(1);
    let oha = match ask.oha_ms {
        0 => None,
        ms => Some(ask_oha(
            &started.addr,
            ask.rate,
            ms,
            connections,
            tools,
            dir,
        )),
    };
    let pid = started.group();
    let _ = started.interrupt(pid, Duration::from_secs(15));
    let run = LoadRun {
        rate: ask.rate,
        offload: ask.offload,
        server_cpu_us,
        wall_us,
        memory,
        verdict: judge(&line, wall_us),
        oha,
    };
    command[2] = "HOST:PORT".into(); // a fresh port each run: the command as a reader reruns it
    Ok(Attempt::Ok((server, command, line, run)))
}

/// Runs `command` in a process group of its own (killed with bench, or past
/// `limit`) to its end.
fn waited(command: &mut Command, limit: Duration) -> std::io::Result<Ended> {
    Group::spawn(command)?.wait(Some(limit))
}

/// oha against the running server: its measure, or why there is none. Its
/// report goes to a scratch file in raw/, as loadgen's line does.
fn ask_oha(
    addr: &str,
    rate: u64,
    ms: u64,
    connections: u64,
    tools: &Tools,
    dir: &Path,
) -> Result<Oha, String> {
    let path = tools.oha.as_ref().map_err(Clone::clone)?;
    let mut command = oha::oha_command(path, addr, rate, ms, connections);
    let out_path = dir.join("raw/oha.out");
    let out = fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    command.stdout(out).stderr(std::process::Stdio::null());
    // Its requests' timeout (10 s) past its duration, and some to spare.
    let limit = Duration::from_millis(ms) + Duration::from_secs(20);
    let ended = waited(&mut command, limit).map_err(|e| format!("oha cannot start: {e}"));
    let text = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    match ended? {
        Ended::Exited(status) if status.success() => oha::parse_oha(&text, rate),
        Ended::Exited(status) => Err(format!("oha: {status}: {:.200}", text.trim())),
        Ended::TimedOut => Err("oha did not finish".into()),
        Ended::Stopped => Err("stopped".into()),
    }
}

/// Why a server did not start; where it refused `--offload`, its own words.
fn refusal(why: &str, name: &str, dir: &Path) -> String {
    let log = fs::read_to_string(dir.join(format!("raw/load.{name}.err"))).unwrap_or_default();
    // clap's `error: --offload: <program> <why>`, argparse's `<program>: error: ...`.
    let said = log
        .lines()
        .rev()
        .find_map(|l| Some(l.split_once("--offload: ")?.1));
    match said {
        Some(reason) => format!("refuses --offload: {}", reason.trim()),
        None => why.to_string(),
    }
}
