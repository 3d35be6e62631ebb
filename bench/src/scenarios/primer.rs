//! The primer's table as the scenario table holds it: for each kind of work, the
//! scenario that measures it, the primer's answer in Python and that answer's
//! twin in Rust (for a server under offered load, the answer the primer gives
//! for many connections); and the scenarios its claims about processes and threads, the
//! offloading comparison and the thread-per-core one are read from.

use super::{Scenario, cpu, io, load, ring, serve, spawn};

/// One row of the primer's table.
#[derive(Clone, Copy)]
pub struct Row {
    /// The kind of work, in the primer's words.
    pub kind: &'static str,
    pub scenario: &'static Scenario,
    /// The primer's answer: a Python paradigm.
    pub choice: &'static str,
    /// That answer's twin in Rust.
    pub twin: &'static str,
}

const fn row(
    kind: &'static str,
    scenario: &'static Scenario,
    choice: &'static str,
    twin: &'static str,
) -> Row {
    Row {
        kind,
        scenario,
        choice,
        twin,
    }
}

/// The primer's rows, in its order.
pub const ROWS: [Row; 9] = [
    row(
        "CPU bound",
        &cpu::CPU,
        "python-multiprocessing",
        "processes",
    ),
    row(
        "fast I/O, few connections",
        &io::FAST,
        "python-threading",
        "threads",
    ),
    row(
        "exchanging data between units (a hand-off)",
        &ring::HOP,
        "python-threading",
        "threads",
    ),
    row(
        "slow I/O, many connections",
        &io::SLOW,
        "python-asyncio",
        "tokio",
    ),
    row(
        "slow I/O with CPU work per response",
        &io::WORK,
        "python-asyncio",
        "tokio",
    ),
    row(
        "a server: fast I/O, few connections",
        &serve::FAST,
        "python-threading",
        "threads",
    ),
    row(
        "a server: slow I/O, many connections",
        &serve::SLOW,
        "python-asyncio",
        "tokio",
    ),
    row(
        "a server: the most load at a 10 ms p99",
        &load::LOAD,
        "python-asyncio",
        "tokio",
    ),
    row(
        "a server: a CPU-heavy endpoint beside cheap ones",
        &load::MIXED,
        "python-asyncio",
        "tokio",
    ),
];

/// "Processes are slower to start than threads": time per unit to start and join.
pub const STARTING: &Scenario = &spawn::COST;
/// "Processes exchange data through pipes, threads share memory": time per hop.
pub const HANDING_OFF: &Scenario = &ring::HOP;
/// "Each process costs its own memory": memory per live unit.
pub const LIVING: &Scenario = &spawn::MEMORY;

/// The paradigms the primer's claims set against each other, in Python and in
/// Rust: a process, a thread, and (where a claim has one) a task.
#[derive(Clone, Copy)]
pub struct Claimed {
    pub process: &'static str,
    pub thread: &'static str,
    pub task: &'static str,
}

/// The primer's own: multiprocessing, threading, asyncio.
pub const IN_PYTHON: Claimed = Claimed {
    process: "python-multiprocessing",
    thread: "python-threading",
    task: "python-asyncio",
};
/// Their twins in Rust.
pub const IN_RUST: Claimed = Claimed {
    process: "processes",
    thread: "threads",
    task: "tokio",
};

/// CPU work inside I/O, done inline and offloaded: the pair the report sets
/// side by side, client by client.
pub const OFFLOADING: [&Scenario; 2] = [&io::WORK, &io::WORK_OFFLOAD];

/// The thread-per-core comparison: tokio's work-stealing pool, then a tokio
/// runtime per pinned core (the scheduling changed), then compio's (the I/O
/// interface changed too), each against the one before it.
pub const PER_CORE: [&str; 3] = ["tokio", "tokio-per-core", "compio"];
/// Where the comparison looks: serving with nothing to wait for, a client's
/// fast I/O, and a hand-off, with the same hand-off on one CPU beside it.
pub const SERVING: &Scenario = &serve::FAST;
pub const FETCHING: &Scenario = &io::FAST;
pub const HANDING_OVER: [&Scenario; 2] = [&ring::HOP, &ring::HOP_1];
