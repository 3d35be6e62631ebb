//! # ring, processes: one process per unit, linked by pipes
//!
//! Unit 0 is this program; units 1..K are copies of it started with
//! `std::process::Command`, chained by pipes, each unit's stdout into the next one's
//! stdin, unit K-1's back to unit 0. The token travels as 8 little-endian bytes, so a
//! hop costs two system calls and a wake-up of the process that waits for it: the
//! idiomatic way for processes to talk, as Python's `multiprocessing` pipes are.
//!
//! Compare with: `examples/ring/threads`, `examples/python/ring_multiprocessing.py`.
//!
//! ```text
//! cargo run --release -p processes-ring -- --units 100 --laps 1000
//! ```

use std::{
    env,
    io::{self, ErrorKind, Read, Write},
    process::{self, Child, ChildStdin, ChildStdout, Command, Stdio},
};

use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "processes-ring";
const PARADIGM: &str = "processes";
/// Set in a child's environment to its unit number: "you are unit u".
const UNIT_ENV: &str = "PROCESSES_RING_UNIT";
/// A unit's exit status when a neighbour's pipe closed under it: it is not the cause.
const NEIGHBOUR_GONE: i32 = 3;

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    if let Some(u) = env::var_os(UNIT_ENV) {
        let u = u.to_str().unwrap_or("").parse()?;
        // If a unit dies, its neighbours see a pipe break and the parent names it; if
        // the parent dies (SIGKILL too), unit 1 sees its pipe close, and so on around.
        return unit(u, args.laps).or_else(|e| match e.kind() {
            ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => process::exit(NEIGHBOUR_GONE),
            _ => Err(Error::from(e).context(format!("unit {u}"))),
        });
    }
    run(&args)?.print(&args)
}

/// Starts units 1..K as child processes chained by pipes, plays unit 0, and reaps.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::processes_fit(args.units - 1, "unit processes")?;
    let exe = env::current_exe()?;
    let mut units = Reaper(Vec::new());
    let (mut to_first, mut from_left) = (None, None);
    for u in 1..args.units {
        // Unit 1 reads from the parent; each later unit from its left neighbour.
        let stdin = from_left.take().map_or_else(Stdio::piped, Stdio::from);
        let mut unit = Command::new(&exe)
            .args(["--units", &args.units.to_string()])
            .args(["--laps", &args.laps.to_string()])
            .env(UNIT_ENV, u.to_string())
            .stdin(stdin)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start unit {u}")))?;
        to_first = to_first.or(unit.stdin.take());
        from_left = unit.stdout.take();
        units.0.push(unit);
    }
    let (to_first, from_last) = (to_first.expect("piped"), from_left.expect("piped"));
    // Unit 0's pipes close when `pass` returns: on a failure, every unit then ends.
    let ring = pass(to_first, from_last, &units.0, args);
    let (token, children_pss_kib) = reap(&mut units, ring)?;
    Ok(Report {
        children_pss_kib,
        ..Report::new(PARADIGM, args.units as usize, token)
    })
}

/// Unit 0: each lap, write the token to unit 1 (0 at first), read it back from unit
/// K-1 and hop; before the last lap, while every unit is alive, sum their Pss.
fn pass(
    mut to_right: ChildStdin,
    mut from_left: ChildStdout,
    units: &[Child],
    args: &RingArgs,
) -> Result<(u64, u64), Error> {
    let (mut t, mut pss_kib) = (0, 0);
    for lap in 1..=args.laps {
        if lap == args.laps {
            for unit in units {
                pss_kib += sys::pss_kib(unit.id())?;
            }
        }
        write_token(&mut to_right, t)
            .map_err(|e| Error::from(e).context("unit 0: write to unit 1"))?;
        let received = read_token(&mut from_left).map_err(|e| {
            Error::from(e).context(format!("unit 0: read from unit {}", args.units - 1))
        })?;
        t = ring::hop(received, 0);
    }
    Ok((t, pss_kib))
}

/// Waits for every unit in ring order. The first that failed for a reason of its
/// own is named; if none did, `ring`, unit 0's own outcome, stands.
fn reap<T>(units: &mut Reaper, ring: Result<T, Error>) -> Result<T, Error> {
    for (u, unit) in (1..).zip(&mut units.0) {
        let (status, pid) = (unit.wait()?, unit.id());
        if !status.success() && status.code() != Some(NEIGHBOUR_GONE) {
            return Err(Error::msg(format!("unit {u} (pid {pid}) failed: {status}")));
        }
    }
    ring
}

/// Unit u, in the child: M times, read the token from stdin, hop, write it to stdout.
fn unit(u: u64, laps: u64) -> io::Result<()> {
    let (mut from_left, mut to_right) = (io::stdin().lock(), io::stdout().lock());
    for _ in 0..laps {
        let t = read_token(&mut from_left)?;
        write_token(&mut to_right, ring::hop(t, u))?;
    }
    Ok(())
}

/// Reads one token: 8 little-endian bytes.
fn read_token(from: &mut impl Read) -> io::Result<u64> {
    let mut bytes = [0; 8];
    from.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

/// Writes one token and flushes it: stdout holds bytes back until a newline.
fn write_token(to: &mut impl Write, t: u64) -> io::Result<()> {
    to.write_all(&t.to_le_bytes())?;
    to.flush()
}

/// Owns the children: when dropped, on success or on any error, it kills those
/// still running and reaps all, so no unit outlives the parent or is a zombie.
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
// integration tests can name (CARGO_BIN_EXE_processes-ring).
