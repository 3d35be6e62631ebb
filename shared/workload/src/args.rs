//! The flags of the four workloads, shared by every paradigm so that every program
//! of a workload takes the same flags with the same defaults and the same errors.
//! The io workload's, the most, are in [`io`].

mod io;
mod serve;

use clap::Parser;

pub use io::IoArgs;
pub use serve::ServeArgs;

use crate::{cpu, ring, spawn, sys};

/// What every workload's flags can say about themselves.
pub trait Workload: Parser {
    /// `cpu`, `io` or `spawn`: the first field of the result line.
    const NAME: &'static str;

    /// The parameters, in result-line order.
    fn params(&self) -> Vec<(&'static str, String)>;

    /// The checksum a correct run must reach.
    fn expected_checksum(&self) -> u64;

    /// What the flags cannot say one at a time: a combination that cannot finish.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    /// Parses `std::env::args`, with `program` as the name in `--help` and errors.
    /// On a bad flag this prints clap's error and exits with status 2.
    fn parse_for(program: &'static str) -> Self {
        Self::try_parse_for(program, std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the first is the program path), for tests and for `parse_for`.
    fn try_parse_for<I, T>(program: &'static str, args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let parsed: Self = parse_as(program, args)?;
        parsed.validate().map_err(|why| {
            Self::command()
                .name(program)
                .bin_name(program)
                .error(clap::error::ErrorKind::ValueValidation, why)
        })?;
        Ok(parsed)
    }

    /// Refuses flags that parsed but that `program` cannot run, as clap refuses a
    /// bad value: `why` and the usage on stderr, and exit status 2.
    fn refuse(program: &'static str, why: impl std::fmt::Display) -> ! {
        Self::command()
            .name(program)
            .bin_name(program)
            .error(clap::error::ErrorKind::ValueValidation, why)
            .exit()
    }
}

/// Parses `args` (the first is the program path) into `P`, with `program` as the
/// name in `--help` and errors: every program's flags, a workload's or a server's.
pub(crate) fn parse_as<P: Parser, I, T>(program: &'static str, args: I) -> Result<P, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    parse_with(P::command(), program, args)
}

/// As [`parse_as`], with `command` as made (or changed) by the caller.
pub(crate) fn parse_with<P: Parser, I, T>(
    command: clap::Command,
    program: &'static str,
    args: I,
) -> Result<P, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    // `--limit -5` is a bad value of --limit, not an unknown flag `-5`.
    let mut command = command
        .name(program)
        .bin_name(program)
        .allow_negative_numbers(true);
    let matches = command.try_get_matches_from_mut(args)?;
    P::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

/// `--workers` above this is refused where the workers are threads, processes or a
/// runtime's threads (cpu, spawn, ring): they gain nothing past the cores, and on a
/// 2-core machine a rayon pool of 2,000 threads takes 26 s to run 20,000 empty
/// jobs, of 4,000 three minutes (of 1,024, half a second). The api-server's cap too.
pub const MAX_WORKERS: usize = 1_024;

/// Count the primes below --limit by trial division, split into --jobs ranges.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
pub struct CpuArgs {
    /// Count the primes in [0, N) (at most 10,000,000,000: trial division to 10^8
    /// takes half a minute on one core, to 10^10 hours).
    #[arg(long, value_name = "N", default_value_t = 2_000_000,
          value_parser = |s: &str| count::<u64>(s, 0, cpu::MAX_LIMIT))]
    pub limit: u64,
    /// Split [0, N) into J ranges of width ceil(N / J): the unit of work (at most
    /// 10,000,000: the async programs hold a task per job, gigabytes at that many).
    #[arg(long, value_name = "J", default_value_t = 1_000,
          value_parser = |s: &str| count::<u64>(s, 1, cpu::MAX_JOBS))]
    pub jobs: u64,
    /// Worker threads, processes or runtime threads to use (at most 1,024: CPU
    /// work gains nothing past the cores).
    #[arg(long, value_name = "W", default_value_t = default_workers(),
          value_parser = |s: &str| count::<usize>(s, 1, MAX_WORKERS as u64))]
    pub workers: usize,
}

impl Workload for CpuArgs {
    const NAME: &'static str = "cpu";

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("limit", self.limit.to_string()),
            ("jobs", self.jobs.to_string()),
        ]
    }

    fn expected_checksum(&self) -> u64 {
        cpu::expected_prime_count(self.limit)
    }
}

/// Start --units units of the paradigm; unit i sleeps --sleep-ms, then returns i + 2.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
pub struct SpawnArgs {
    /// Units (processes, threads, tasks, jobs) to start (at most 10,000,000: the
    /// async programs hold every task at once, gigabytes at that many). Threads
    /// and processes stop at the OS's limits, which the program names.
    #[arg(long, value_name = "K", default_value_t = 1_000,
          value_parser = |s: &str| count::<u64>(s, 0, spawn::MAX_UNITS))]
    pub units: u64,
    /// Each unit sleeps D ms with the paradigm's own sleep: 0 measures start-up,
    /// 1000 keeps every unit alive at once to measure memory (at most 60,000).
    #[arg(long = "sleep-ms", value_name = "D", default_value_t = 0,
          value_parser = |s: &str| count::<u64>(s, 0, spawn::MAX_SLEEP_MS))]
    pub sleep_ms: u64,
    /// Worker threads of the pool or runtime, where the paradigm has one (at most
    /// 1,024: past the cores they only take turns).
    #[arg(long, value_name = "W", default_value_t = default_workers(),
          value_parser = |s: &str| count::<usize>(s, 1, MAX_WORKERS as u64))]
    pub workers: usize,
}

impl Workload for SpawnArgs {
    const NAME: &'static str = "spawn";

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("units", self.units.to_string()),
            ("sleep_ms", self.sleep_ms.to_string()),
        ]
    }

    fn expected_checksum(&self) -> u64 {
        spawn::expected_checksum(self.units)
    }
}

/// Pass a token --laps times around a ring of --units units, each talking only
/// to its neighbours.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
pub struct RingArgs {
    /// Units in the ring (processes, threads, tasks, jobs): unit u receives only
    /// from u - 1 and sends only to u + 1 (mod K). At most 1,000,000: a million
    /// tasks and channels take over a GiB.
    #[arg(long, value_name = "K", default_value_t = 100,
          value_parser = at_least_two)]
    pub units: u64,
    /// Times the token goes around: K * M hops in all, at most 10,000,000,000 (a
    /// hop between processes costs microseconds: that many take half a day).
    #[arg(long, value_name = "M", default_value_t = 1_000,
          value_parser = at_least_one::<u64>)]
    pub laps: u64,
    /// Worker threads of the pool or runtime, where the paradigm has one (at most
    /// 1,024: past the cores they only take turns).
    #[arg(long, value_name = "W", default_value_t = default_workers(),
          value_parser = |s: &str| count::<usize>(s, 1, MAX_WORKERS as u64))]
    pub workers: usize,
}

impl Workload for RingArgs {
    const NAME: &'static str = "ring";

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("units", self.units.to_string()),
            ("laps", self.laps.to_string()),
        ]
    }

    fn expected_checksum(&self) -> u64 {
        ring::expected_checksum(self.units, self.laps)
    }

    fn validate(&self) -> Result<(), String> {
        match self.units.checked_mul(self.laps) {
            Some(hops) if hops <= ring::MAX_HOPS => Ok(()),
            _ => Err(format!(
                "--units {} x --laps {} is above {} hops: a hop between processes costs \
                 microseconds, so the ring would not go round in a day",
                self.units,
                self.laps,
                ring::MAX_HOPS
            )),
        }
    }
}

/// A ring needs two units at least: one alone has no neighbour to talk to.
fn at_least_two(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n < 2 => Err("must be at least 2: a ring needs a neighbour".into()),
        _ => count(s, 2, ring::MAX_UNITS),
    }
}

/// One worker per core, up to [`MAX_WORKERS`].
fn default_workers() -> usize {
    sys::available_cores().min(MAX_WORKERS)
}

/// A count from `min` to `max`, with a plain message when it is not.
fn count<T: TryFrom<u64>>(s: &str, min: u64, max: u64) -> Result<T, String> {
    match s.parse::<u64>() {
        Ok(n) if n < min => Err(format!("must be at least {min}")),
        Ok(n) if n > max => Err(format!("must be at most {max}")),
        Ok(n) => T::try_from(n).map_err(|_| format!("must be at most {max}")),
        Err(e) => Err(e.to_string()),
    }
}

/// A count that must be 1 or more, with a plain message when it is not.
fn at_least_one<T: std::str::FromStr<Err = std::num::ParseIntError> + From<u8> + PartialOrd>(
    s: &str,
) -> Result<T, String> {
    match s.parse::<T>() {
        Ok(n) if n < T::from(1) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let cpu = CpuArgs::try_parse_for("t", ["t"]).unwrap();
        assert_eq!((cpu.limit, cpu.jobs), (2_000_000, 1_000));
        assert_eq!(cpu.workers, sys::available_cores());
        let spawn = SpawnArgs::try_parse_for("t", ["t"]).unwrap();
        assert_eq!((spawn.units, spawn.sleep_ms), (1_000, 0));
        let ring = RingArgs::try_parse_for("t", ["t"]).unwrap();
        assert_eq!((ring.units, ring.laps), (100, 1_000));
        let err = RingArgs::try_parse_for("t", ["t", "--units", "1"]).unwrap_err();
        assert!(err.to_string().contains("at least 2"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_the_flag_named() {
        for (args, flag) in [
            (&["t", "--jobs", "0"][..], "--jobs"),
            (&["t", "--workers", "0"], "--workers"),
            (&["t", "--limit", "ten"], "--limit"),
            (&["t", "--limit=-5"], "--limit"),
            (&["t", "--limit", "-5"], "--limit"),
            (&["t", "--bogus"], "--bogus"),
        ] {
            let err = CpuArgs::try_parse_for("threads-cpu", args)
                .unwrap_err()
                .to_string();
            assert!(err.contains(flag), "{args:?}: {err}");
        }
    }

    #[test]
    fn values_that_cannot_finish_are_refused_with_the_flag_and_the_ceiling() {
        let refused = |result: Result<(), clap::Error>, args: &[&str], why: &str| {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
            let err = err.to_string();
            assert!(
                err.contains(args[0]) && err.contains(why),
                "{args:?}: {err}"
            );
        };
        fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
            [&["t"], args].concat()
        }
        for (args, why) in [
            (&["--limit", "10000000001"][..], "at most 10000000000"),
            (&["--jobs", "10000001"], "at most 10000000"),
            (&["--workers", "1025"], "at most 1024"),
        ] {
            refused(CpuArgs::try_parse_for("t", with(args)).map(drop), args, why);
        }
        for (args, why) in [
            (&["--units", "10000001"][..], "at most 10000000"),
            (&["--sleep-ms", "60001"], "at most 60000"),
            (&["--workers", "100000"], "at most 1024"),
        ] {
            refused(
                SpawnArgs::try_parse_for("t", with(args)).map(drop),
                args,
                why,
            );
        }
        for (args, why) in [
            (&["--units", "1000001"][..], "at most 1000000"),
            (&["--workers", "1025"], "at most 1024"),
            (
                &["--units", "100", "--laps", "100000001"],
                "x --laps 100000001 is above",
            ),
            (&["--laps", "18446744073709551615"], "10000000000 hops"),
        ] {
            refused(
                RingArgs::try_parse_for("t", with(args)).map(drop),
                args,
                why,
            );
        }
        let largest = [
            "--limit",
            "10000000000",
            "--jobs",
            "10000000",
            "--workers",
            "1024",
        ];
        assert!(CpuArgs::try_parse_for("t", with(&largest)).is_ok());
        let largest = [
            "--units",
            "10000000",
            "--sleep-ms",
            "60000",
            "--workers",
            "1024",
        ];
        assert!(SpawnArgs::try_parse_for("t", with(&largest)).is_ok());
        // processes-ring's unit-killing test runs 4 units for a billion laps.
        let largest = ["--units", "4", "--laps", "1000000000", "--workers", "1024"];
        assert!(RingArgs::try_parse_for("t", with(&largest)).is_ok());
    }

    #[test]
    fn help_names_the_program() {
        let err = CpuArgs::try_parse_for("rayon-cpu", ["x", "--help"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(err.to_string().contains("Usage: rayon-cpu"), "{err}");
    }
}
