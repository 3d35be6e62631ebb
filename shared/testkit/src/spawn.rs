//! What every spawn example must compute: the sum of `add_two(i)` over K units,
//! K(K+3)/2 (DESIGN.md), for no unit, one, hundreds and a thousand, and for units
//! that sleep, so that many are alive at once; and what its result line must say
//! about the workers it used.

use workload::{Error, Report, SpawnArgs, Workload};

use crate::cli;

/// `(units, sleep_ms)` of the units that return at once, each run on 2 workers.
const AWAKE: [(u64, u64); 4] = [(0, 0), (1, 0), (300, 0), (1_000, 0)];

/// What a unit is in a paradigm: it decides what the result line's `workers` must
/// say, and how many units can sleep 20 ms in a test without making it slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Called one after another on the main thread (sequential): `workers=1`.
    /// Sleeping units take turns, so 5 of them sleep, not 300.
    Inline,
    /// Each unit its own OS thread or process: `workers=K`.
    OwnThreadOrProcess,
    /// Tasks on a runtime of `--workers` threads; a sleeping task holds no thread.
    /// `workers=W`, and W is 2 in every case, so a runtime that is sized once per
    /// process (async-std's) is right in each.
    Tasks,
    /// Jobs on a pool of `--workers` threads; a sleeping job holds its thread, so
    /// the 300 sleeping jobs get 8. `workers=W`.
    PoolJobs,
}

impl Units {
    /// The `workers` a correct run of `args` reports.
    fn workers(self, args: &SpawnArgs) -> usize {
        match self {
            Self::Inline => 1,
            Self::OwnThreadOrProcess => args.units as usize,
            Self::Tasks | Self::PoolJobs => args.workers,
        }
    }

    /// `(units, sleep_ms, workers)` of the sleeping case.
    fn sleeping(self) -> (u64, u64, usize) {
        match self {
            Self::Inline => (5, 20, 2),
            Self::OwnThreadOrProcess | Self::Tasks => (300, 20, 2),
            Self::PoolJobs => (300, 20, 8),
        }
    }

    /// The sleeping case first, then `AWAKE`; a binary gets the first `n`.
    fn cases(self, n: usize) -> Vec<SpawnArgs> {
        let awake = AWAKE.map(|(units, sleep_ms)| (units, sleep_ms, 2));
        [self.sleeping()]
            .into_iter()
            .chain(awake)
            .take(n)
            .map(|(units, sleep_ms, workers)| SpawnArgs {
                units,
                sleep_ms,
                workers,
            })
            .collect()
    }
}

/// K(K+3)/2, the sum of `add_two(i) = i + 2` for i in 0..K, from DESIGN.md.
fn sum_add_two(units: u64) -> u64 {
    units * (units + 3) / 2
}

/// Runs an example's `run` with no unit, one, hundreds and a thousand, and with
/// sleeping units, and asserts K(K+3)/2, the workload's expected checksum, and the
/// workers that `units` says the paradigm uses.
pub fn check_run(units: Units, run: impl Fn(&SpawnArgs) -> Result<Report, Error>) {
    for args in units.cases(1 + AWAKE.len()) {
        let report = run(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(report.checksum, sum_add_two(args.units), "{args:?}");
        assert_eq!(report.checksum, args.expected_checksum(), "{args:?}");
        assert_eq!(report.workers, units.workers(&args), "{args:?}: workers");
    }
}

/// Runs a spawn binary as a user does: its flags ([`cli::check_flags`]), then the
/// sleeping units, no unit and one, each to one verified result line,
/// `workload=spawn paradigm=<paradigm> units=K sleep_ms=D workers=<used>
/// checksum=<K(K+3)/2> ok=true peak_rss_kib=...`.
pub fn check_binary(program: &[&str], paradigm: &str, units: Units) {
    cli::check_flags(program);
    for args in units.cases(3) {
        let (k, sleep_ms, asked) = (
            args.units.to_string(),
            args.sleep_ms.to_string(),
            args.workers.to_string(),
        );
        let start = format!(
            "workload=spawn paradigm={paradigm} units={k} sleep_ms={sleep_ms} workers={} checksum={} ok=true peak_rss_kib=",
            units.workers(&args),
            sum_add_two(args.units)
        );
        let flags = ["--units", &k, "--sleep-ms", &sleep_ms, "--workers", &asked];
        cli::assert_verified(program, &flags, &start);
    }
}
