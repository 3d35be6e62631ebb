//! The flags (clap): the contract's, and the project's additions (`--then-rate`,
//! `--then-ms`, `--window-ms`, `--target-p99-us`, `--threads`). A bad value, or a
//! combination that cannot run, is clap's error: usage on stderr, exit status 2.

use std::net::{SocketAddr, ToSocketAddrs};

use clap::{CommandFactory, Parser, error::ErrorKind, value_parser};
use workload::{
    args::MAX_WORKERS,
    io::{MAX_BYTES, MAX_DELAY_MS, MAX_TIMEOUT_MS},
    serve::DEFAULT_BYTES,
};

use crate::schedule::Schedule;

/// The most requests per second: 10^8, a hundred times what two cores can send.
const MAX_RATE: u64 = 100_000_000;
/// The longest phase: an hour.
const MAX_DURATION_MS: u64 = 3_600_000;
/// The most requests in a run: the schedule's nanoseconds (k * 10^9 / R) fit a u64.
pub const MAX_REQUESTS: u64 = 1_000_000_000;
/// The most windows: each holds a histogram (about 17 KiB with 5 s latencies).
const MAX_WINDOWS: u64 = 2_000;
/// The most connections: each is a socket and a task with 16 KiB of buffer.
const MAX_CONNECTIONS: u64 = 100_000;
/// The most `work` per heavy request: the servers' own ceiling.
const MAX_WORK: u64 = workload::serve::MAX_WORK;
/// A heavy request's range ends by this, as every server requires (a range past
/// it gets 400); the sieve that checks `X-Primes` needs its primes below 10^5.
pub const MAX_PRIME_RANGE: u64 = workload::serve::MAX_WORK_END;

/// Offer --rate requests per second to --server for --duration-ms, on a fixed
/// schedule however the server answers (open loop); verify every answer; print
/// latency percentiles measured from each request's intended start.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
#[command(name = "loadgen")]
pub struct Args {
    /// The server under test; its name is sent as the `Host` header.
    #[arg(long, value_name = "HOST:PORT", value_parser = Server::parse)]
    pub server: Server,
    /// Requests per second offered (1 to 100,000,000).
    #[arg(long, value_name = "R", value_parser = value_parser!(u64).range(1..=MAX_RATE))]
    pub rate: u64,
    /// How long the schedule offers --rate: R * D / 1000 requests.
    #[arg(long = "duration-ms", value_name = "D",
          value_parser = value_parser!(u64).range(1..=MAX_DURATION_MS))]
    pub duration_ms: u64,
    /// The most connections open at once; more are opened only while every open
    /// one is busy and a request is due, at most 4 connects at a time.
    #[arg(long = "connections-max", value_name = "C", default_value_t = 1_000,
          value_parser = value_parser!(u64).range(1..=MAX_CONNECTIONS))]
    pub connections_max: u64,
    /// The server waits this long before it answers each request.
    #[arg(long = "delay-ms", value_name = "MS", default_value_t = 0,
          value_parser = value_parser!(u64).range(..=MAX_DELAY_MS))]
    pub delay_ms: u64,
    /// Body bytes per answer.
    #[arg(long, value_name = "B", default_value_t = DEFAULT_BYTES,
          value_parser = value_parser!(u64).range(..=MAX_BYTES))]
    pub bytes: u64,
    /// Every K-th request (id % K == 0) asks the server for --work: a heavy one.
    #[arg(long = "heavy-every", value_name = "K", requires = "work",
          value_parser = value_parser!(u64).range(1..))]
    pub heavy_every: Option<u64>,
    /// A heavy request's server counts the primes in [id*N, id*N + N).
    #[arg(long, value_name = "N", requires = "heavy_every",
          value_parser = value_parser!(u64).range(1..=MAX_WORK))]
    pub work: Option<u64>,
    /// A request with no complete answer within T ms of its intended start fails.
    #[arg(long = "timeout-ms", value_name = "T", default_value_t = 5_000,
          value_parser = value_parser!(u64).range(1..=MAX_TIMEOUT_MS))]
    pub timeout_ms: u64,
    /// A second phase right after the first, at R2 requests per second (overload,
    /// then recovery): the schedule goes on.
    #[arg(long = "then-rate", value_name = "R2", requires = "then_ms",
          value_parser = value_parser!(u64).range(1..=MAX_RATE))]
    pub then_rate: Option<u64>,
    /// How long the second phase lasts.
    #[arg(long = "then-ms", value_name = "D2", requires = "then_rate",
          value_parser = value_parser!(u64).range(1..=MAX_DURATION_MS))]
    pub then_ms: Option<u64>,
    /// The p99 of each window of W ms, by intended start, is printed.
    #[arg(long = "window-ms", value_name = "W", default_value_t = 250,
          value_parser = value_parser!(u64).range(1..=MAX_DURATION_MS))]
    pub window_ms: u64,
    /// After the phase change, the server has recovered once every window's p99
    /// is at most P µs (and no request of it failed).
    #[arg(long = "target-p99-us", value_name = "P", default_value_t = 10_000)]
    pub target_p99_us: u64,
    /// Runtime threads: 1 is tokio's current-thread runtime, which sent as high a
    /// rate as 2 on two cores shared with the server, with less CPU (see the
    /// crate's header).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = value_parser!(u64).range(1..=MAX_WORKERS as u64))]
    pub threads: u64,
}

/// The server as given (for the `Host` header and the result line) and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub addr: SocketAddr,
}

impl Server {
    fn parse(name: &str) -> Result<Self, String> {
        let mut addrs = name.to_socket_addrs().map_err(|e| e.to_string())?;
        let addr = addrs.next().ok_or("resolves to no address")?;
        let name = name.to_string();
        Ok(Self { name, addr })
    }
}

impl Args {
    /// Parses `std::env::args`; a bad flag prints clap's error and exits with 2.
    pub fn parse_or_exit() -> Self {
        Self::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the first is the program path), then what the flags cannot
    /// say one at a time.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let parsed = Self::try_parse_from(args)?;
        parsed
            .validate()
            .map_err(|why| Self::command().error(ErrorKind::ValueValidation, why))?;
        Ok(parsed)
    }

    fn validate(&self) -> Result<(), String> {
        let phases = [
            (
                "--rate",
                "--duration-ms",
                Some((self.rate, self.duration_ms)),
            ),
            ("--then-rate", "--then-ms", self.then_rate.zip(self.then_ms)),
        ];
        let mut total = 0;
        for (rate, ms, phase) in phases {
            let Some((r, d)) = phase else { continue };
            if r * d / 1_000 == 0 {
                return Err(format!("{rate} {r} for {ms} {d} is no request at all"));
            }
            total += r * d / 1_000;
        }
        if total > MAX_REQUESTS {
            return Err(format!("{total} requests in all: at most {MAX_REQUESTS}"));
        }
        let ms = self.duration_ms + self.then_ms.unwrap_or(0);
        if ms.div_ceil(self.window_ms) > MAX_WINDOWS {
            return Err(format!(
                "--window-ms {} cuts {ms} ms into more than {MAX_WINDOWS} windows",
                self.window_ms
            ));
        }
        let end = Schedule::new(self).heavy_end().unwrap_or(0);
        if end > MAX_PRIME_RANGE {
            return Err(format!(
                "--work x the last heavy id reaches {end}: at most {MAX_PRIME_RANGE}"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> Result<Args, clap::Error> {
        let base = ["loadgen", "--server", "127.0.0.1:1"];
        Args::try_parse_args(base.into_iter().chain(args.split(' ')))
    }

    #[test]
    fn defaults() {
        let args = parse("--rate 1000 --duration-ms 10").unwrap();
        assert_eq!(
            (args.connections_max, args.delay_ms, args.bytes),
            (1_000, 0, 1_024)
        );
        assert_eq!(
            (args.timeout_ms, args.window_ms, args.target_p99_us),
            (5_000, 250, 10_000)
        );
        assert_eq!(
            (args.heavy_every, args.then_rate, args.threads),
            (None, None, 1)
        );
        assert_eq!(args.server.addr.to_string(), "127.0.0.1:1");
    }

    #[test]
    fn bad_flags_are_clap_errors() {
        for bad in [
            "--rate 0 --duration-ms 10",
            "--rate 1000 --duration-ms 0",
            "--rate 1000 --duration-ms 10 --heavy-every 3",
            "--rate 1000 --duration-ms 10 --work 3",
            "--rate 1000 --duration-ms 10 --then-rate 3",
            "--rate 1000 --duration-ms 10 --then-ms 3",
            "--rate 1000 --duration-ms 10 --then-rate 1 --then-ms 10",
            "--rate 1 --duration-ms 999",
            "--rate 1000 --duration-ms 10 --window-ms 0",
            "--rate 1000 --duration-ms 2001 --window-ms 1",
            "--rate 1000000 --duration-ms 10000 --heavy-every 1 --work 10000000",
            "--rate 1000000 --duration-ms 3600000",
            "--rate 1000 --duration-ms 10 --threads 0",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert_ne!(err.kind(), ErrorKind::ArgumentConflict, "{bad}: {err}");
        }
        let ok = "--rate 1000 --duration-ms 10000 --heavy-every 10 --work 100000";
        assert!(parse(ok).is_ok());
        let nowhere = [
            "loadgen",
            "--server",
            "no port",
            "--rate",
            "1",
            "--duration-ms",
            "1",
        ];
        assert_eq!(Args::try_parse_args(nowhere).unwrap_err().exit_code(), 2);
    }
}
