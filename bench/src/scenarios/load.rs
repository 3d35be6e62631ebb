//! The open-loop scenarios: `loadgen` (shared/loadgen) offers every server
//! requests on a fixed schedule and charges a stall to every request it delays,
//! so that the questions a server is judged by can be answered: how much load it
//! holds before its tail latency breaks (serve-load), what happens past that
//! (serve-overload), and what one heavy request does to the cheap ones beside it
//! (serve-mixed). Nothing here is timed by hyperfine: a step's figures are
//! `loadgen`'s result line and what is read of the server from outside.

pub use super::kinds::{Load, LoadKind, LoadSizes};
use super::{Limits, Measure, Scenario, Sizes, Workload, kinds::repeats, paradigms::Paradigm};

/// The latency target a server's capacity is measured at: p99 at most 10 ms.
pub const TARGET_P99_US: u64 = 10_000;
/// A rate is held when no request failed and p99 is at most this.
pub const MOST_P99_US: u64 = 1_000_000;
/// The connections `loadgen` may open to one server (it opens them as it needs).
pub const CONNECTIONS_MAX: u64 = 256;
/// A request with no complete answer within this many ms of its start failed.
pub const TIMEOUT_MS: u64 = 2_000;
/// `loadgen` fell behind its own schedule by more than this, not waiting for
/// the server: the rate is its own limit (client and server share the cores).
/// Its lateness is in every latency it measures, so past the latency target
/// itself the run cannot say whether the server met it.
pub const GENERATOR_SLACK_US: u64 = TARGET_P99_US;
/// serve-overload's rates, against the server's capacity.
pub const OVERLOAD: f64 = 1.5;
pub const RECOVER: f64 = 0.5;
/// serve-mixed: one request in this many is heavy ...
pub const HEAVY_EVERY: u64 = 100;
/// ... counting the primes among this many numbers (some milliseconds of CPU).
pub const HEAVY_WORK: u64 = 12_000;

/// No hyperfine sizes: a load scenario's runs are its [`Load`]'s.
const NO_SIZES: Sizes = Sizes {
    points: &[0],
    flags: |_| Vec::new(),
    repeats: &[(0, repeats(0, 0))],
    checks: 0,
};

const fn scenario(
    name: &'static str,
    title: &'static str,
    shows: &'static str,
    load: Load,
) -> Scenario {
    Scenario {
        name,
        title,
        workload: Workload::Serve,
        shows,
        axis: None,
        measure: Measure::Time,
        kernel_memory: false,
        workers: None,
        offload: false,
        latency: false,
        wrk: None,
        sized_pools: true,
        pinned: false,
        raises: &[],
        load: Some(load),
        full: NO_SIZES,
        quick: NO_SIZES,
        skip: load_skipped,
    }
}

/// `serve-load`.
pub const LOAD: Scenario = scenario(
    "serve-load",
    "serve under offered load",
    "Every server at offered rates on a log scale, each request on a fixed \
     schedule whatever happened to the others (open loop: `loadgen`), its \
     latency counted from when it should have started to its body's last byte, \
     every body verified, until the server no longer holds the rate: any request \
     failed (wrong, lost, refused, or unanswered within 2 s) or p99 over 1 s; \
     a run in which loadgen ran out of CPU, or whose tail is mostly loadgen's own \
     lateness (over 10 ms behind its schedule), is loadgen's limit here, not the \
     server's; then the step where the capacity lies is narrowed. A server's \
     capacity is the highest rate it held with p99 at most 10 ms. Connections \
     are opened as the schedule needs them, up to 256, so the fixed pools run \
     at the cores' count and sized to 256. oha, an open-loop generator that is \
     not ours, measures each server at two rates beside it. Client and server \
     share the cores.",
    Load {
        kind: LoadKind::Climb,
        full: LoadSizes {
            rates: &[
                1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000,
            ],
            step_ms: 3_000,
            then_ms: 0,
            narrow: 2,
            oha_ms: 3_000,
        },
        quick: LoadSizes {
            rates: &[500, 5_000, 50_000],
            step_ms: 300,
            then_ms: 0,
            narrow: 0,
            oha_ms: 500,
        },
    },
);

/// `serve-overload`.
pub const OVERLOADED: Scenario = scenario(
    "serve-overload",
    "serve past its capacity",
    "Each server offered 1.5 times its capacity (serve-load's, in the same run), \
     then half of it: what it does with more than it can take (requests time out, \
     or wait in a queue that grows), how much its memory grows meanwhile, and how \
     long its p99 takes to come back under 10 ms once the load falls. Its p99 is \
     shown window by window.",
    Load {
        kind: LoadKind::Overload,
        full: LoadSizes {
            rates: &[],
            step_ms: 10_000,
            then_ms: 10_000,
            narrow: 0,
            oha_ms: 0,
        },
        quick: LoadSizes {
            rates: &[],
            step_ms: 500,
            then_ms: 500,
            narrow: 0,
            oha_ms: 0,
        },
    },
);

/// `serve-mixed`.
pub const MIXED: Scenario = scenario(
    "serve-mixed",
    "serve with a CPU-heavy endpoint",
    "One request in 100 asks the server to count primes first (`work=N`, some \
     milliseconds of CPU), the others nothing, at a rate every server holds (at \
     most half its capacity): the p99 of the cheap requests, with the heavy work \
     counted inline on the thread or task that serves its connection and, where \
     the server takes `--offload`, on its pool for blocking work. On an event \
     loop, a heavy request holds every cheap one queued behind it on its thread.",
    Load {
        kind: LoadKind::Mixed,
        full: LoadSizes {
            rates: &[2_000],
            step_ms: 5_000,
            then_ms: 0,
            narrow: 0,
            oha_ms: 0,
        },
        quick: LoadSizes {
            rates: &[500],
            step_ms: 500,
            then_ms: 0,
            narrow: 0,
            oha_ms: 0,
        },
    },
);

/// Who sits out a load scenario: nobody by rule; a server that holds no rate,
/// or only the generator's, sits out serve-overload (measured, not ruled here).
pub fn load_skipped(_: u64, _: &Paradigm, _: &Limits) -> Option<String> {
    None
}
