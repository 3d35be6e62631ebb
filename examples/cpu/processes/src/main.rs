//! # cpu, processes: the program re-runs itself as worker processes
//!
//! Like Python's `multiprocessing` with the spawn start method: the parent starts
//! `--workers` copies of its own binary, deals each one its share of job ranges over a
//! stdin pipe, and reads back one line, `count pss_kib`, over a stdout pipe. In Rust,
//! threads do the same work with less start-up and memory; processes buy isolation (a
//! crash kills one worker) that pure computation seldom needs. A worker dies with the
//! parent, SIGKILL included, through `PR_SET_PDEATHSIG` from the `nix` crate (std has
//! no call for it).
//!
//! Compare with: `examples/cpu/threads`, `examples/python/cpu_multiprocessing.py`.
//!
//! ```text
//! cargo run --release -p processes-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::{
    env,
    io::{self, Read, Write},
    os::unix::process::parent_id,
    process::{self, Child, Command, Stdio},
};

use nix::sys::{prctl, signal::Signal};
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "processes-cpu";
const PARADIGM: &str = "processes";
/// Set in a child's environment: "you are a worker, read ranges from stdin".
const WORKER_ENV: &str = "PROCESSES_CPU_WORKER";
/// Set in a child's environment to the parent's pid.
const PARENT_ENV: &str = "PROCESSES_CPU_PARENT";

fn main() -> Result<(), Error> {
    if env::var_os(WORKER_ENV).is_some() {
        die_with_parent()?;
        return worker();
    }
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts the worker processes, deals them the jobs, and sums their answers.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    let exe = env::current_exe()?;
    let workers = args.workers.min(args.jobs as usize);
    sys::processes_fit(workers as u64, "worker processes")?;
    let mut children = Reaper(Vec::new());
    for w in 0..workers {
        let mut child = Command::new(&exe)
            .env(WORKER_ENV, w.to_string())
            .env(PARENT_ENV, process::id().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start worker process {w}")))?;
        // Dealt like cards (worker w gets jobs w, w + W, ...): neighbouring ranges cost
        // about the same, so each worker gets a fair mix without a queue.
        let mut deal = String::new();
        for k in (w as u64..args.jobs).step_by(workers) {
            let range = cpu::job_range(args.limit, args.jobs, k);
            deal += &format!("{} {}\n", range.start, range.end);
        }
        let mut stdin = child.stdin.take().expect("stdin is piped");
        children.0.push(child);
        // Dropping `stdin` after writing closes the pipe: the worker's end of input.
        stdin
            .write_all(deal.as_bytes())
            .map_err(|e| Error::from(e).context(format!("deal jobs to worker process {w}")))?;
    }
    let (mut total, mut children_pss_kib) = (0, 0);
    for (w, child) in children.0.iter_mut().enumerate() {
        let pid = child.id();
        let (count, pss_kib) =
            collect(child).map_err(|e| e.context(format!("worker process {w} (pid {pid})")))?;
        total += count;
        children_pss_kib += pss_kib;
    }
    Ok(Report {
        children_pss_kib,
        ..Report::new(PARADIGM, workers, total)
    })
}

/// Reads a worker's answer, `count pss_kib`, and reaps it.
fn collect(child: &mut Child) -> Result<(u64, u64), Error> {
    let mut answer = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut answer)?;
    let status = child.wait()?;
    if !status.success() {
        return Err(Error::msg(format!("failed: {status}")));
    }
    let (count, pss_kib) = answer
        .trim()
        .split_once(' ')
        .ok_or_else(|| Error::msg(format!("bad answer {answer:?}")))?;
    Ok((count.parse()?, pss_kib.parse()?))
}

/// The worker side: read every `start end` line on stdin, count their primes, then
/// answer `count pss_kib`, its Pss read while it is still alive.
fn worker() -> Result<(), Error> {
    // Read the whole deal before counting: a worker that counted as it read would
    // keep the parent blocked on this pipe, and the next worker waiting to start.
    let mut deal = String::new();
    io::stdin().read_to_string(&mut deal)?;
    let mut total = 0;
    for line in deal.lines() {
        let (start, end) = line
            .split_once(' ')
            .ok_or_else(|| Error::msg(format!("bad range {line:?}")))?;
        total += cpu::count_primes(start.parse()?..end.parse()?);
    }
    println!("{total} {}", sys::own_pss_kib()?);
    Ok(())
}

/// In a child, first thing: have the kernel send SIGKILL when the parent ends, then
/// check that the parent has not ended already (the child would have a new one).
fn die_with_parent() -> Result<(), Error> {
    prctl::set_pdeathsig(Signal::SIGKILL)?;
    match env::var(PARENT_ENV) {
        Ok(parent) if parent == parent_id().to_string() => Ok(()),
        _ => Err(Error::msg("the parent process has ended")),
    }
}

/// Owns the children: when dropped, on success or on any error, it kills those
/// still running and waits for all of them, so no worker outlives the parent and
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
// integration tests can name (CARGO_BIN_EXE_processes-cpu).
