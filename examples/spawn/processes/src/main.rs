//! # spawn, processes: one child process per unit
//!
//! Each unit is a copy of this program started with `std::process::Command`, as
//! Python's `multiprocessing` does with the spawn start method: it sleeps with
//! `thread::sleep`, then prints `i + 2` and its own Pss on a stdout pipe, which the
//! parent reads after starting every unit. A process costs an `exec`, a fresh address
//! space and its own private pages, and the OS caps how many live at once. A unit dies
//! with the parent, SIGKILL included, through `PR_SET_PDEATHSIG` from the `nix` crate
//! (std has no call for it).
//!
//! Compare with: `examples/spawn/threads`, `examples/python/spawn_multiprocessing.py`.
//!
//! ```text
//! cargo run --release -p processes-spawn -- --units 500 --sleep-ms 1000
//! ```

use std::{
    env,
    io::Read,
    os::unix::process::parent_id,
    process::{self, Child, Command, Stdio},
    thread,
    time::Duration,
};

use nix::sys::{prctl, signal::Signal};
use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "processes-spawn";
const PARADIGM: &str = "processes";
/// Set in a child's environment to its unit number: "you are unit i".
const UNIT_ENV: &str = "PROCESSES_SPAWN_UNIT";
/// Set in a child's environment to the parent's pid.
const PARENT_ENV: &str = "PROCESSES_SPAWN_PARENT";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    if let Some(i) = env::var_os(UNIT_ENV) {
        die_with_parent()?;
        return unit(i.to_str().unwrap_or("").parse()?, args.sleep_ms);
    }
    // Each live unit holds a pipe open in the parent.
    sys::raise_open_file_limit()?;
    run(&args)?.print(&args)
}

/// Starts every unit as a child process, then reaps them all and sums their answers.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    // The caps it can read (`pid_max`, the process limit) are checked before any unit
    // starts; past another (open files for the pipes) a start fails, the error names
    // the unit, and `units` kills those already started and reaps all.
    sys::processes_fit(args.units, "unit processes")?;
    let exe = env::current_exe()?;
    let mut units = Reaper(Vec::new());
    for i in 0..args.units {
        let unit = Command::new(&exe)
            .args(["--sleep-ms", &args.sleep_ms.to_string()])
            .env(UNIT_ENV, i.to_string())
            .env(PARENT_ENV, process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start unit {i}")))?;
        units.0.push(unit);
    }
    let (mut total, mut children_pss_kib) = (0, 0);
    for (i, unit) in units.0.iter_mut().enumerate() {
        let pid = unit.id();
        let (result, pss_kib) =
            collect(unit).map_err(|e| e.context(format!("unit {i} (pid {pid})")))?;
        total += result;
        children_pss_kib += pss_kib;
    }
    Ok(Report {
        children_pss_kib,
        ..Report::new(PARADIGM, args.units as usize, total)
    })
}

/// Reads a unit's answer, `result pss_kib`, and reaps it.
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
    let (result, pss_kib) = answer
        .trim()
        .split_once(' ')
        .ok_or_else(|| Error::msg(format!("bad answer {answer:?}")))?;
    Ok((result.parse()?, pss_kib.parse()?))
}

/// One unit, in the child: sleep with this paradigm's sleep (the process's), then
/// answer `add_two(i)` and its Pss, read while the other units are still alive.
fn unit(i: u64, sleep_ms: u64) -> Result<(), Error> {
    if sleep_ms > 0 {
        thread::sleep(Duration::from_millis(sleep_ms));
    }
    println!("{} {}", spawn::add_two(i), sys::own_pss_kib()?);
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
/// still running and waits for all of them, so no unit outlives the parent and
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
// integration tests can name (CARGO_BIN_EXE_processes-spawn).
