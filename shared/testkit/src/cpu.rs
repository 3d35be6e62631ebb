//! What every cpu example must compute: pi(10^6) = 78,498 (DESIGN.md) whatever the
//! split, from one job to more jobs than numbers, on one worker or on more workers
//! than jobs; and what its result line must say about the workers it used.

use workload::{CpuArgs, Error, Report, Workload};

use crate::cli;

/// Every check counts the primes below this...
const LIMIT: u64 = 1_000_000;
/// ...and must find pi(10^6) of them (DESIGN.md).
const PI: u64 = 78_498;

/// `(jobs, workers)`: one job; more jobs than numbers, so most are empty; the usual
/// split on 1, 3 and 8 workers; more workers than jobs.
pub const SPLITS: [(u64, usize); 6] = [
    (1, 2),
    (1_000_003, 3),
    (1_000, 1),
    (1_000, 3),
    (1_000, 8),
    (5, 8),
];

/// How many workers a paradigm uses: what its result line's `workers` must say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workers {
    /// The main thread alone (sequential).
    One,
    /// `--workers`, however many jobs there are: a pool or runtime of that size.
    Asked,
    /// `--workers`, but never more than the jobs: workers are started for jobs.
    AtMostJobs,
    /// A global pool that is sized once per process (async-std's executor): every
    /// split runs on this many workers. Its binary, a new process per run, is `Asked`.
    Global(usize),
}

impl Workers {
    /// The `workers` a correct run of `args` reports.
    fn used(self, args: &CpuArgs) -> usize {
        match self {
            Self::One => 1,
            Self::Asked | Self::Global(_) => args.workers,
            Self::AtMostJobs => args.workers.min(args.jobs as usize),
        }
    }

    /// [`SPLITS`], or for a global pool each of their job counts on its workers.
    fn cases(self) -> Vec<CpuArgs> {
        let mut splits = SPLITS.to_vec();
        if let Self::Global(workers) = self {
            splits.dedup_by_key(|(jobs, _)| *jobs);
            splits.iter_mut().for_each(|(_, w)| *w = workers);
        }
        splits
            .into_iter()
            .map(|(jobs, workers)| CpuArgs {
                limit: LIMIT,
                jobs,
                workers,
            })
            .collect()
    }
}

/// Runs an example's `run` at every split and asserts pi(10^6), the workload's
/// expected checksum, and the workers that `workers` says the paradigm uses.
pub fn check_run(workers: Workers, run: impl Fn(&CpuArgs) -> Result<Report, Error>) {
    for args in workers.cases() {
        let report = run(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(report.checksum, PI, "{args:?}");
        assert_eq!(report.checksum, args.expected_checksum(), "{args:?}");
        assert_eq!(report.workers, workers.used(&args), "{args:?}: workers");
    }
}

/// Runs a cpu binary as a user does: its flags ([`cli::check_flags`]), then every
/// split, each to one verified result line, `workload=cpu paradigm=<paradigm>
/// limit=1000000 jobs=J workers=<used> checksum=78498 ok=true peak_rss_kib=...`.
pub fn check_binary(program: &[&str], paradigm: &str, workers: Workers) {
    cli::check_flags(program);
    for args in workers.cases() {
        let (jobs, asked) = (args.jobs.to_string(), args.workers.to_string());
        let start = format!(
            "workload=cpu paradigm={paradigm} limit={LIMIT} jobs={jobs} workers={} checksum={PI} ok=true peak_rss_kib=",
            workers.used(&args)
        );
        let limit = LIMIT.to_string();
        let flags = ["--limit", &limit, "--jobs", &jobs, "--workers", &asked];
        cli::assert_verified(program, &flags, &start);
    }
}
