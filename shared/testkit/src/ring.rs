//! What every ring example must compute: the token after K*M hops (DESIGN.md's
//! values for K = 2 and 3, M = 1, and larger rings and laps), and what its
//! result line must say about the workers it used.

use workload::{Error, Report, RingArgs, Workload};

use crate::cli;

/// `(units, laps, expected token)`: the design's two values, then rings whose
/// tokens the workload crate computes (checked against the loop in its tests).
const KNOWN: [(u64, u64, u64); 2] = [(2, 1, 956_575_116_354_345), (3, 1, 622_252_113_147_344_985)];
const LARGER: [(u64, u64); 3] = [(2, 1_000), (100, 50), (200, 3)];

/// What a unit of the ring is in a paradigm: it decides what the result line's
/// `workers` must say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// One loop on the main thread (sequential): `workers=1`.
    Inline,
    /// Each unit its own OS thread or process: `workers=K`.
    OwnThreadOrProcess,
    /// Tasks on a runtime of `--workers` threads: `workers=W`. The cases use
    /// W = 2 throughout, so a runtime sized once per process (async-std's) is
    /// right in each.
    Tasks,
    /// Jobs on a pool of `--workers` threads, one per unit, so W >= K: the
    /// cases use W = K. `workers=W`.
    PoolJobs,
}

impl Units {
    fn workers(self, args: &RingArgs) -> usize {
        match self {
            Self::Inline => 1,
            Self::OwnThreadOrProcess => args.units as usize,
            Self::Tasks | Self::PoolJobs => args.workers,
        }
    }

    fn args(self, units: u64, laps: u64) -> RingArgs {
        let workers = match self {
            Self::PoolJobs => units as usize,
            _ => 2,
        };
        RingArgs {
            units,
            laps,
            workers,
        }
    }
}

/// Runs an example's `run` on the design's rings and larger ones, and asserts
/// the token, the workload's expected checksum and the workers it reports.
pub fn check_run(units: Units, run: impl Fn(&RingArgs) -> Result<Report, Error>) {
    let known = KNOWN.map(|(k, m, token)| (units.args(k, m), Some(token)));
    let larger = LARGER.map(|(k, m)| (units.args(k, m), None));
    for (args, token) in known.into_iter().chain(larger) {
        let report = run(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        if let Some(token) = token {
            assert_eq!(report.checksum, token, "{args:?}: DESIGN.md's value");
        }
        assert_eq!(report.checksum, args.expected_checksum(), "{args:?}");
        assert_eq!(report.workers, units.workers(&args), "{args:?}: workers");
    }
}

/// Runs a ring binary as a user does: its flags ([`cli::check_flags`]), then
/// the design's two rings and one larger, each to one verified result line,
/// `workload=ring paradigm=<paradigm> units=K laps=M workers=<used>
/// checksum=<token> ok=true peak_rss_kib=...`.
pub fn check_binary(program: &[&str], paradigm: &str, units: Units) {
    cli::check_flags(program);
    for (k, m) in [(2, 1), (3, 1), (100, 50)] {
        let args = units.args(k, m);
        let start = format!(
            "workload=ring paradigm={paradigm} units={k} laps={m} workers={} checksum={} ok=true peak_rss_kib=",
            units.workers(&args),
            args.expected_checksum()
        );
        let (k, m, w) = (k.to_string(), m.to_string(), args.workers.to_string());
        cli::assert_verified(
            program,
            &["--units", &k, "--laps", &m, "--workers", &w],
            &start,
        );
    }
}
