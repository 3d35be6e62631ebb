//! Made-up sweeps for the tests of the sweep's tables, its charts and the
//! report: a 2-core machine's run and a 4-core machine's, their commands
//! pinned as `bench run` pins them.

use workload::ResultLine;

use crate::{
    results::testing::record,
    results::{Cell, Outcome, Record, Timing},
};

/// Five timed runs around `median`, `spread` apart.
fn runs(median: f64, spread: f64) -> Timing {
    let times = vec![
        median - 2.0 * spread,
        median - spread,
        median,
        median + spread,
        median + 2.0 * spread,
    ];
    Timing {
        mean: median,
        stddev: Some(spread),
        median,
        min: times[0],
        max: times[4],
        user: 0.0,
        system: 0.0,
        runs: times.len(),
        times,
    }
}

/// `taskset -c a-b`, or `-c a` for one CPU.
fn taskset(first: u64, last: u64) -> Vec<String> {
    let cpus = match first == last {
        true => first.to_string(),
        false => format!("{first}-{last}"),
    };
    ["taskset".into(), "-c".into(), cpus].to_vec()
}

/// A cpu-cores cell at `x` cores, pinned to the first `x` CPUs.
fn cpu(paradigm: &str, x: u64, median: f64, spread: f64) -> Cell {
    let line = format!("workload=cpu paradigm={paradigm} jobs=1000 workers={x} checksum=1 ok=true");
    let mut command = taskset(0, x - 1);
    command.extend([
        format!("/bin/{paradigm}-cpu"),
        "--workers".into(),
        x.to_string(),
    ]);
    let lines = vec![ResultLine::parse(&line).unwrap()];
    let outcome = Outcome::Ok {
        lines,
        timing: Some(runs(median, spread)),
    };
    Cell::new("cpu-cores", Some(x), paradigm, command, outcome)
}

/// A serve-cores cell at `x` of `cores`: the server on the first `x` CPUs, the
/// client on the rest, or unpinned where none remain.
fn serve(paradigm: &str, x: u64, cores: u64, median: f64) -> Cell {
    let requests = 20_000 * x;
    let line = format!(
        "workload=io paradigm=tokio requests={requests} concurrency={} checksum=1 ok=true",
        4 * x
    );
    let mut command = match x < cores {
        true => taskset(x, cores - 1),
        false => Vec::new(),
    };
    let client_workers = if x < cores { cores - x } else { cores };
    command.extend([
        "/bin/tokio-io".into(),
        "--workers".into(),
        client_workers.to_string(),
    ]);
    let lines = vec![ResultLine::parse(&line).unwrap()];
    let outcome = Outcome::Ok {
        lines,
        timing: Some(runs(median, 0.002)),
    };
    let mut cell = Cell::new("serve-cores", Some(x), paradigm, command, outcome);
    cell.server = taskset(0, x - 1);
    cell.server.extend([
        format!("/bin/{paradigm}-serve"),
        "--workers".into(),
        x.to_string(),
    ]);
    cell
}

fn skipped(scenario: &str, x: u64, paradigm: &str, why: &str) -> Cell {
    Cell::new(
        scenario,
        Some(x),
        paradigm,
        Vec::new(),
        Outcome::Skipped(why.into()),
    )
}

fn machine(cores: u64, cells: Vec<Cell>) -> Record {
    let mut run = record(cells);
    run.meta = vec![("cores".into(), cores.to_string())];
    run
}

/// The 2-core VM: tokio halves its time, threads gains nothing (a tie), and
/// at 2 cores the serve client shares the server's CPUs.
pub fn small() -> Record {
    machine(
        2,
        vec![
            cpu("threads", 1, 1.40, 0.01),
            cpu("tokio", 1, 1.40, 0.01),
            skipped(
                "cpu-cores",
                1,
                "sequential",
                "one thread whatever `--workers` says",
            ),
            cpu("threads", 2, 1.39, 0.01),
            cpu("tokio", 2, 0.70, 0.01),
            skipped(
                "cpu-cores",
                2,
                "sequential",
                "one thread whatever `--workers` says",
            ),
            serve("tokio", 1, 2, 0.40),
            serve("tokio", 2, 2, 0.50),
        ],
    )
}

pub fn large() -> Record {
    let mut cells = Vec::new();
    for (x, t) in [(1, 1.0), (2, 0.5), (4, 0.26)] {
        cells.push(cpu("tokio", x, t, 0.005));
        cells.push(serve("tokio", x, 4, 0.4));
    }
    machine(4, cells)
}

/// A 6-core machine's serve sweep: at 4 cores the client has 2 CPUs of its own.
pub fn six() -> Record {
    let cells = [1, 2, 4, 6].map(|x| serve("tokio", x, 6, 0.4));
    machine(6, cells.to_vec())
}
