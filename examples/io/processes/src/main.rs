//! # io, processes: one child process per connection
//!
//! Like Python's `multiprocessing` with the spawn start method: the parent re-runs its
//! own binary once per connection (`connection.rs`), and child c fetches ids c, c + C,
//! c + 2C, ... over one keep-alive connection (`client.rs`) and answers its subtotal
//! and latencies on a stdout pipe. Waiting on the network needs no process of its own,
//! so this pays a process's start-up and memory for nothing a thread could not do.
//! Children die with the parent, SIGKILL included, through `PR_SET_PDEATHSIG` (the
//! `nix` crate: std has no call for it). Without `--server` an embedded api-server
//! (tokio + hyper, on a thread of its own) answers; it is not part of this paradigm and
//! not counted: the benchmark passes `--server` to a separate one.
//!
//! Compare with: `examples/io/threads`, `examples/python/io_multiprocessing.py`.
//!
//! ```text
//! cargo run --release -p processes-io -- --requests 1000 --concurrency 100 --delay-ms 50
//! ```

use std::{
    env,
    process::{self, Child, Command, Stdio},
};

use api_server::Target;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;
mod connection;

use connection::{collect, connection, die_with_parent};

const PROGRAM: &str = "processes-io";
const PARADIGM: &str = "processes";
/// The practical ceiling (the reason is at its definition in `workload`).
const MAX_PROCESSES: u64 = io::MAX_PROCESSES;
/// Set in a child's environment to its connection number: "you are connection c".
const CONNECTION_ENV: &str = "PROCESSES_IO_CONNECTION";
/// Set in a child's environment to the parent's pid.
const PARENT_ENV: &str = "PROCESSES_IO_PARENT";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM).refuse_offload(PROGRAM);
    // A flag error past the ceiling, rather than thousands of processes.
    if args.concurrency.min(args.requests) > MAX_PROCESSES {
        IoArgs::refuse(
            PROGRAM,
            format!(
                "--concurrency {} is above processes-io's ceiling of {MAX_PROCESSES} processes \
                 (one per connection); use threads-io or an async client for more",
                args.concurrency
            ),
        );
    }
    if let Some(c) = env::var_os(CONNECTION_ENV) {
        die_with_parent()?;
        return connection(c.to_str().unwrap_or("").parse()?, &args);
    }
    // Each child holds two pipes open here, and each connection a socket.
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Starts a process per connection, each with its share of the ids, and merges their answers.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    let connections = args.concurrency.min(args.requests);
    let exe = env::current_exe()?;
    let mut children = Reaper(Vec::new());
    for c in 0..connections {
        let child = Command::new(&exe)
            .args(["--requests", &args.requests.to_string()])
            .args(["--concurrency", &connections.to_string()])
            .args(["--delay-ms", &args.delay_ms.to_string()])
            .args(["--bytes", &args.bytes.to_string()])
            .args(["--work", &args.work.to_string(), "--server", host])
            // D + T: a late answer is the child's own error line, which `collect` reads.
            .args(["--timeout-ms", &args.timeout_ms.to_string()])
            .env(CONNECTION_ENV, c.to_string())
            .env(PARENT_ENV, process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start connection process {c}")))?;
        children.0.push(child);
    }
    let (mut total, mut children_pss_kib) = (Tally::default(), 0);
    for (c, child) in children.0.iter_mut().enumerate() {
        let pid = child.id();
        let (tally, pss_kib) =
            collect(child).map_err(|e| e.context(format!("connection process {c} (pid {pid})")))?;
        total = total.merge(tally);
        children_pss_kib += pss_kib;
    }
    Ok(Report {
        children_pss_kib,
        ..Report::io(PARADIGM, connections as usize, &total)
    })
}

/// Owns the children: when dropped, on success or on any error, it kills those
/// still running and waits for all of them, so no child outlives the parent and
/// none is left a zombie.
struct Reaper(Vec<Child>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for child in &mut self.0 {
            // Errors mean the child is gone already, which is what we want.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// The tests are in tests/cli.rs: this program runs its own binary, which only
// integration tests can name (CARGO_BIN_EXE_processes-io).
