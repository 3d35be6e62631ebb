//! The parent's pool of worker processes: starting them, passing their lines to
//! the main thread, stopping them, and reaping every one however the parent ends.

use std::{
    env,
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{self, Child, ChildStdout, Command, Stdio},
    sync::mpsc::Sender,
    thread,
};

use nix::{
    sys::signal::{self, Signal},
    unistd::Pid,
};
use workload::{Error, ServeArgs};

use crate::{PARENT_ENV, WORKER_ENV};

/// What reaches the parent's main thread: a worker's line, its end, a signal.
pub enum Event {
    Said(usize, String),
    Ended(usize),
    Stop,
}

/// Starts `--workers` workers on `addr` with `args`' grace and timeouts, each one's
/// lines relayed to `events`. From the main thread, which lives as long as the
/// process: the kernel sends PR_SET_PDEATHSIG when the thread that started a child
/// ends.
pub fn start(args: &ServeArgs, addr: SocketAddr, events: &Sender<Event>) -> Result<Reaper, Error> {
    let mut workers = Reaper(Vec::new());
    for w in 0..args.workers {
        let mut child = Command::new(env::current_exe()?)
            .args(["--listen", &addr.to_string()])
            .args(["--grace-ms", &args.grace_ms.to_string()])
            .args(["--head-timeout-ms", &args.head_timeout_ms.to_string()])
            .args(["--idle-timeout-ms", &args.idle_timeout_ms.to_string()])
            .args(["--write-timeout-ms", &args.write_timeout_ms.to_string()])
            .env(WORKER_ENV, w.to_string())
            .env(PARENT_ENV, process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start worker process {w}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let events = events.clone();
        thread::spawn(move || relay(w, stdout, &events));
        workers.0.push(child);
    }
    Ok(workers)
}

/// Passes worker `w`'s lines to the main thread, then its end (the pipe closes
/// when the worker exits).
fn relay(w: usize, stdout: ChildStdout, events: &Sender<Event>) {
    // A read error ends the pipe as EOF does; a send error means the parent is
    // exiting and needs no more events.
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let _ = events.send(Event::Said(w, line));
    }
    let _ = events.send(Event::Ended(w));
}

/// Owns the workers: when dropped, on success or on any error, it kills those
/// still running and waits for all of them, so no worker outlives the parent and
/// none is left a zombie.
pub struct Reaper(pub Vec<Child>);

impl Reaper {
    /// Sends SIGTERM to every worker still running: each drains and exits.
    pub fn terminate(&mut self) {
        for child in &mut self.0 {
            // A worker reaped already is not signalled: its pid may be another's.
            if let Ok(None) = child.try_wait() {
                // Not reaped, so the pid is still the worker's: this cannot fail.
                let _ = signal::kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            }
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        for child in &mut self.0 {
            // Errors mean the child is gone already, which is what we want.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
