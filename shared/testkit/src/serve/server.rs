//! A serve program as the checks run it: started, signalled, and its session
//! scanned for survivors.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, ChildStderr, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

use crate::cli;

/// A serve program, started with `--listen 127.0.0.1:0` in a session of its own.
pub struct Server {
    child: Option<Child>,
    pub addr: String,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Server {
    /// Starts `program` with `args` through `prefix` (e.g. prlimit), and waits up to
    /// 20 s for its `listening=HOST:PORT` line.
    pub fn start(prefix: &[&str], program: &[&str], args: &[&str]) -> Self {
        let mut command = Command::new("setsid");
        command.args(prefix).args(program).args(args);
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program:?}: {e}"));
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr = thread::spawn(move || read_all(stderr));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            // Err: the test gave up waiting; nothing to tell.
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let Some(addr) = line.trim().strip_prefix("listening=") else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!("{program:?}: first line {line:?}, not listening=HOST:PORT: {stderr}");
        };
        Self {
            addr: addr.to_string(),
            child: Some(child),
            stderr: Some(stderr),
        }
    }

    /// The server's pid, which is also its session's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends `signal` and waits up to `within` for the server to exit; returns
    /// its exit status and what it said on stderr.
    pub fn stop(self, signal: &str, within: Duration) -> (ExitStatus, String) {
        self.signal(signal);
        self.wait(within)
    }

    /// Sends `signal` to the server, which goes on until it exits.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal}");
    }

    /// Waits up to `within` for the server to exit (after a [`Server::signal`]);
    /// returns its exit status and what it said on stderr.
    pub fn wait(mut self, within: Duration) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let session = child.id();
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the server") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not exit within {within:?} of its signal");
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.take().expect("once").join().unwrap_or_default();
        // No process of its session may outlive it by more than a second.
        let deadline = Instant::now() + crate::tree::GRACE;
        while !cli::live_in_session(session).is_empty() {
            assert!(
                Instant::now() < deadline,
                "processes outlived the server: {:?}",
                cli::live_in_session(session)
            );
            thread::sleep(Duration::from_millis(20));
        }
        (status, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A failed check: kill its whole session, so nothing is left running.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn read_all(mut stderr: ChildStderr) -> String {
    let mut text = String::new();
    // Invalid UTF-8 or a read error ends what we keep; enough for a message.
    let _ = stderr.read_to_string(&mut text);
    text
}
