//! One program, run the three ways the benchmark runs one: checked (its result
//! line read and verified), timed (hyperfine `-N -n <paradigm>`), or serving (the
//! server an io or serve program meets). Each leads a process group of its own, so
//! that it dies whole (see [`crate::measure::procs`]).

use std::{
    fs::{self, File, OpenOptions},
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use workload::ResultLine;

pub use crate::results::quote;
use crate::{
    measure::procs::{self, Ended, Group},
    measure::tools::Tools,
    scenarios::Repeats,
};

/// How running a program went.
pub enum Attempt<T> {
    Ok(T),
    Failed(String),
    /// The benchmark is stopping: not the program's fault.
    Stopped,
}

/// Runs a program once, at most `limit`, and reads its result line: ok only if
/// it exited 0, found its own checksum right and says it ran what was asked
/// (`expect`: the `key=value` pairs its line must hold).
pub fn check(
    command: &[String],
    expect: &[(String, String)],
    limit: Duration,
    dir: &Path,
) -> Result<Attempt<ResultLine>, String> {
    let (out, err) = (dir.join("raw/check.out"), dir.join("raw/check.err"));
    let create = |p: &Path| File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut program = Command::new(&command[0]);
    program
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(create(&out)?)
        .stderr(create(&err)?);
    let ended = match Group::spawn(&mut program) {
        Ok(mut group) => group.wait(Some(limit)).map_err(|e| e.to_string())?,
        Err(_) if procs::stopping() => return Ok(Attempt::Stopped),
        Err(e) => return Ok(Attempt::Failed(format!("cannot start: {e}"))),
    };
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let why = last_line(&err);
    let _ = (fs::remove_file(&out), fs::remove_file(&err)); // scratch files
    let status = match ended {
        // A program killed because the benchmark is stopping did not fail.
        _ if procs::stopping() => return Ok(Attempt::Stopped),
        Ended::Stopped => return Ok(Attempt::Stopped),
        Ended::TimedOut => {
            let secs = limit.as_secs();
            return Ok(Attempt::Failed(format!("no result within {secs} s")));
        }
        Ended::Exited(status) => status,
    };
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let line = match ResultLine::parse(last) {
        Ok(line) => line,
        Err(_) if !status.success() => {
            return Ok(Attempt::Failed(
                why.unwrap_or_else(|| format!("{status}, no error message")),
            ));
        }
        Err(_) => {
            let out = stdout.trim();
            return Ok(Attempt::Failed(format!(
                "no result line in its output: {out:.200}"
            )));
        }
    };
    if !line.ok() {
        return Ok(Attempt::Failed(format!("wrong checksum: {line}")));
    }
    if !status.success() {
        return Ok(Attempt::Failed(why.unwrap_or_else(|| status.to_string())));
    }
    if let Err(why) = says_what_was_asked(&line, expect) {
        return Ok(Attempt::Failed(why));
    }
    Ok(Attempt::Ok(line))
}

/// hyperfine `-N` over one verified program, named `-n <paradigm>`, into `json`;
/// past `limit` (a run hung), the program FAILED.
pub fn time(
    tools: &Tools,
    command: &[String],
    name: &str,
    r: Repeats,
    limit: Duration,
    json: &Path,
) -> Result<Attempt<()>, String> {
    let err_path = json.with_extension("err");
    let mut hyperfine = Command::new(&tools.hyperfine);
    hyperfine
        .args(["-N", "--style", "none"])
        .args(["-w", &r.warmup.to_string(), "-r", &r.timed.to_string()])
        .arg("--export-json")
        .arg(json)
        .args(["-n", name])
        .arg(quote(command))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&err_path).map_err(|e| e.to_string())?);
    let ended = match Group::spawn(&mut hyperfine) {
        Ok(mut group) => group.wait(Some(limit)).map_err(|e| e.to_string())?,
        Err(_) if procs::stopping() => return Ok(Attempt::Stopped),
        Err(e) => return Ok(Attempt::Failed(format!("hyperfine cannot start: {e}"))),
    };
    let why = last_line(&err_path);
    let _ = fs::remove_file(&err_path); // scratch: its last line is kept in the cell
    Ok(match ended {
        _ if procs::stopping() => Attempt::Stopped,
        Ended::Stopped => Attempt::Stopped,
        Ended::Exited(status) if status.success() => Attempt::Ok(()),
        Ended::Exited(status) => {
            Attempt::Failed(why.unwrap_or_else(|| format!("hyperfine: {status}")))
        }
        Ended::TimedOut => {
            Attempt::Failed(format!("its timed runs took over {} s", limit.as_secs()))
        }
    })
}

/// A server on a free port of 127.0.0.1 (the api-server an io program meets, or
/// a serve scenario's own), killed with its whole group when dropped.
pub struct Server {
    pub addr: String,
    group: Group,
}

impl Server {
    /// The api-server, on the machine's cores.
    pub fn api_server(tools: &Tools, dir: &Path) -> Result<Attempt<Self>, String> {
        let cores = workload::sys::available_cores().to_string();
        let command = [
            tools.bin.join("api-server").to_string_lossy().into(),
            "--workers".into(),
            cores,
        ];
        Self::start(&command, "api-server", dir)
    }

    /// Starts `command --listen 127.0.0.1:0` and waits up to 20 s for its
    /// `listening=HOST:PORT` line; its stderr goes to `raw/<log>.err`.
    pub fn start(command: &[String], log: &str, dir: &Path) -> Result<Attempt<Self>, String> {
        let log_path = dir.join(format!("raw/{log}.err"));
        let log_file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut server = Command::new(&command[0]);
        server
            .args(&command[1..])
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        let mut group = match Group::spawn(&mut server) {
            Ok(group) => group,
            Err(_) if procs::stopping() => return Ok(Attempt::Stopped),
            Err(e) => return Ok(Attempt::Failed(format!("{log} cannot start: {e}"))),
        };
        let stdout = group.stdout().ok_or("a server without stdout")?;
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The receiver is gone once the address is read: nothing to tell.
                let _ = tx.send(line);
            }
        });
        // Python's servers import for a while on a busy machine.
        let first = rx.recv_timeout(Duration::from_secs(20));
        if procs::stopping() {
            return Ok(Attempt::Stopped);
        }
        let addr = match first.as_deref().map(|l| l.strip_prefix("listening=")) {
            Ok(Some(addr)) => addr.to_string(),
            Ok(None) => {
                return Ok(Attempt::Failed(format!(
                    "{log} said {first:?}, not listening="
                )));
            }
            Err(_) => {
                let why =
                    format!("{log} printed no listening= line within 20 s (see raw/{log}.err)");
                return Ok(Attempt::Failed(why));
            }
        };
        Ok(Attempt::Ok(Self { addr, group }))
    }

    /// The server's process group.
    pub fn group(&self) -> u32 {
        self.group.id()
    }

    /// Stops the server as a user does, with SIGINT to `pid` (the server itself,
    /// or the leader when nothing wraps it), and waits at most `limit` for the
    /// group's leader to exit; past it the group is killed.
    pub fn interrupt(mut self, pid: u32, limit: Duration) -> Result<Ended, String> {
        self.group.signal(pid, nix::sys::signal::Signal::SIGINT);
        self.group.wait(Some(limit)).map_err(|e| e.to_string())
    }
}

fn last_line(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(line.trim().replace('\t', " "))
}

/// Whether `line` holds every `key=value` pair of `expect` (it ran what was asked);
/// "at most C connections": a client may say it used fewer (sequential uses one).
fn says_what_was_asked(line: &ResultLine, expect: &[(String, String)]) -> Result<(), String> {
    for (key, value) in expect {
        let fewer = |got: &str| {
            key == "concurrency"
                && matches!((got.parse::<u64>(), value.parse::<u64>()), (Ok(g), Ok(v)) if g <= v)
        };
        if line.get(key) != Some(value) && !line.get(key).is_some_and(fewer) {
            let got = line.get(key).unwrap_or("nothing");
            return Err(format!(
                "asked for {key}={value}, its line says {got}: {line}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_must_say_what_was_asked_or_fewer_connections() {
        let says = |text: &str, key: &str, value: &str| {
            let line =
                ResultLine::parse(&format!("workload=io paradigm=p {text} checksum=1 ok=true"));
            says_what_was_asked(&line.unwrap(), &[(key.into(), value.into())])
        };
        assert!(says("requests=200 concurrency=1", "concurrency", "4").is_ok());
        let err = says("requests=200 concurrency=1", "requests", "100").unwrap_err();
        assert!(
            err.starts_with("asked for requests=100, its line says 200"),
            "{err}"
        );
        assert!(says("concurrency=8", "concurrency", "4").is_err());
        let missing = says("concurrency=8", "bytes", "1").unwrap_err();
        assert!(missing.contains("its line says nothing"), "{missing}");
    }

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
