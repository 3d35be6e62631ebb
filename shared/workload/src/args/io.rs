//! The io workload's flags: requests, connections, the server's delay and bytes,
//! the work per answer and where it runs, the timeout, and which server.

use clap::Parser;

use super::{MAX_WORKERS, Workload, at_least_one, count, default_workers};
use crate::io;

/// Fetch --requests bodies from the api-server over at most --concurrency
/// keep-alive HTTP/1.1 connections, and check them with FNV-1a 64; with --work,
/// count primes after each answer. Prints each request's latency percentiles.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
pub struct IoArgs {
    /// Requests to make, with ids 0..R, each exactly once (at most 1,000,000,000:
    /// more would take days).
    #[arg(long, value_name = "R", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(..=io::MAX_REQUESTS))]
    pub requests: u64,
    /// At most C connections open at any time.
    #[arg(long, value_name = "C", default_value_t = 100,
          value_parser = at_least_one::<u64>)]
    pub concurrency: u64,
    /// The server waits D ms before it answers each request.
    #[arg(long = "delay-ms", value_name = "D", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(..=io::MAX_DELAY_MS))]
    pub delay_ms: u64,
    /// Body bytes per response.
    #[arg(long, value_name = "B", default_value_t = 1_024,
          value_parser = clap::value_parser!(u64).range(..=io::MAX_BYTES))]
    pub bytes: u64,
    /// After reading answer i, count the primes in [i*N, i*N + N) (CPU work per
    /// request; at most 1,000,000, and R x N at most 10,000,000,000).
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=io::MAX_WORK))]
    pub work: u64,
    /// Async clients only: count --work's primes on the runtime's blocking pool,
    /// not on the executor thread that runs the connection's task.
    #[arg(long)]
    pub offload: bool,
    /// A request with no complete answer within D + T ms fails the run (connecting
    /// counts too).
    #[arg(long = "timeout-ms", value_name = "T", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=io::MAX_TIMEOUT_MS))]
    pub timeout_ms: u64,
    /// A running api-server; without it, one is started in-process on 127.0.0.1:0.
    #[arg(long, value_name = "HOST:PORT")]
    pub server: Option<String>,
    /// Worker threads, processes or runtime threads to use, where the paradigm has a
    /// pool (at most 1,024: waiting on sockets gains nothing from more).
    #[arg(long, value_name = "W", default_value_t = default_workers(),
          value_parser = |s: &str| count::<usize>(s, 1, MAX_WORKERS as u64))]
    pub workers: usize,
}

impl IoArgs {
    /// How long a request may take, connecting included: D + T.
    pub fn patience(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.delay_ms + self.timeout_ms)
    }

    /// For the blocking clients: each computes on its connection's own thread
    /// or process already, so `--offload` has nothing to move and is refused
    /// (exit status 2) rather than ignored.
    pub fn refuse_offload(self, program: &'static str) -> Self {
        if self.offload {
            Self::refuse(
                program,
                format!(
                    "--offload is for the async clients: {program} counts --work's \
                     primes on the thread or process that read the answer already"
                ),
            );
        }
        self
    }
}

impl Workload for IoArgs {
    const NAME: &'static str = "io";

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("requests", self.requests.to_string()),
            ("concurrency", self.concurrency.to_string()),
            ("delay_ms", self.delay_ms.to_string()),
            ("bytes", self.bytes.to_string()),
            ("work", self.work.to_string()),
        ];
        if self.offload {
            params.push(("offload", "true".into()));
        }
        params
    }

    fn expected_checksum(&self) -> u64 {
        io::expected_checksum(self.requests, self.bytes as usize, self.work)
    }

    fn validate(&self) -> Result<(), String> {
        match self.requests.checked_mul(self.work) {
            Some(total) if total <= io::MAX_WORK_TOTAL => Ok(()),
            _ => Err(format!(
                "--requests {} x --work {} is above {}: the primes below it take too long to count",
                self.requests,
                self.work,
                io::MAX_WORK_TOTAL
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let io = IoArgs::try_parse_for("t", ["t"]).unwrap();
        assert_eq!(
            (io.requests, io.concurrency, io.delay_ms, io.bytes),
            (1_000, 100, 50, 1_024)
        );
        assert_eq!(
            (io.work, io.offload, io.server.as_deref()),
            (0, false, None)
        );
        assert_eq!(io.timeout_ms, 10_000);
        assert_eq!(io.patience(), std::time::Duration::from_millis(10_050));
    }

    #[test]
    fn bad_values_are_refused_with_the_flag_named() {
        let err = IoArgs::try_parse_for("t", ["t", "--delay-ms", "60001"]).unwrap_err();
        assert!(err.to_string().contains("--delay-ms"), "{err}");
        let err = IoArgs::try_parse_for("t", ["t", "--bytes", "16777217"]).unwrap_err();
        assert!(err.to_string().contains("--bytes"), "{err}");
        let err = IoArgs::try_parse_for("t", ["t", "--work", "1000001"]).unwrap_err();
        assert!(err.to_string().contains("--work"), "{err}");
        for (args, flag) in [
            (
                &["t", "--requests", "18446744073709551615"][..],
                "--requests",
            ),
            (&["t", "--requests", "1000000001"], "--requests"),
            (&["t", "--timeout-ms", "0"], "--timeout-ms"),
            (&["t", "--timeout-ms", "3600001"], "--timeout-ms"),
        ] {
            let err = IoArgs::try_parse_for("t", args).unwrap_err();
            assert!(err.to_string().contains(flag), "{args:?}: {err}");
        }
    }

    #[test]
    fn flags_that_cannot_finish_together_are_refused() {
        let too_much = ["t", "--requests", "100000", "--work", "1000000"];
        let err = IoArgs::try_parse_for("t", too_much).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(
            err.to_string()
                .contains("--requests 100000 x --work 1000000"),
            "{err}"
        );
        let overflow = ["t", "--requests", "18446744073709551615", "--work", "2"];
        assert!(IoArgs::try_parse_for("t", overflow).is_err());
        assert!(
            IoArgs::try_parse_for("t", ["t", "--requests", "10000", "--work", "1000000"]).is_ok()
        );
    }
}
