//! The serve programs' flags: where to listen, how many workers, how long a
//! server waits for a slow or silent client, and how long a shutdown waits for
//! requests in flight.

use std::net::SocketAddr;

use clap::Parser;

use super::{MAX_WORKERS, count, default_workers};
use crate::{http::Timeouts, serve};

/// The longest timeout a flag takes: an hour.
const MAX_TIMEOUT_MS: u64 = 3_600_000;

fn timeout_ms(s: &str) -> Result<u64, String> {
    count(s, 1, MAX_TIMEOUT_MS)
}

/// Serve the api-server's HTTP API (GET /work?id=I&delay_ms=D&bytes=B&work=N) until
/// SIGINT or SIGTERM; print `listening=HOST:PORT` first. A second signal stops at
/// once.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Worker threads, processes or runtime threads, where the paradigm has a pool
    /// or a runtime (at most 1,024).
    #[arg(long, value_name = "W", default_value_t = default_workers(),
          value_parser = |s: &str| count::<usize>(s, 1, MAX_WORKERS as u64))]
    pub workers: usize,
    /// After SIGINT or SIGTERM, how long requests in flight may take to finish:
    /// the longest delay a request may ask for, and 5 s more.
    #[arg(long = "grace-ms", value_name = "G",
          default_value_t = serve::GRACE.as_millis() as u64)]
    pub grace_ms: u64,
    /// A request head must be complete within H ms of its first byte (a new
    /// connection's first one, of the accept), or the connection is closed.
    #[arg(long = "head-timeout-ms", value_name = "H",
          default_value_t = Timeouts::DEFAULT.head.as_millis() as u64, value_parser = timeout_ms)]
    pub head_timeout_ms: u64,
    /// A keep-alive connection with no next request for I ms is closed.
    #[arg(long = "idle-timeout-ms", value_name = "I",
          default_value_t = Timeouts::DEFAULT.idle.as_millis() as u64, value_parser = timeout_ms)]
    pub idle_timeout_ms: u64,
    /// A client that takes no byte of its answer for W ms is dropped.
    #[arg(long = "write-timeout-ms", value_name = "W",
          default_value_t = Timeouts::DEFAULT.write.as_millis() as u64, value_parser = timeout_ms)]
    pub write_timeout_ms: u64,
    /// Count a heavy request's primes (work=N) on the paradigm's pool for blocking
    /// work, not on the thread or task that serves its connection.
    #[arg(long)]
    pub offload: bool,
}

impl ServeArgs {
    /// Parses `std::env::args`, with `program` as the name in `--help` and errors.
    /// On a bad flag this prints clap's error and exits with status 2.
    pub fn parse_for(program: &'static str) -> Self {
        Self::try_parse_for(program, std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// As [`ServeArgs::parse_for`], for a server with no pool or runtime to size:
    /// `--workers` is taken (the benchmark passes it to every server) but not shown.
    pub fn parse_without_workers(program: &'static str) -> Self {
        let command =
            <Self as clap::CommandFactory>::command().mut_arg("workers", |arg| arg.hide(true));
        super::parse_with(command, program, std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// For a server with no pool for blocking work, whose connections each have a
    /// thread (or a process) of their own, or share one: `--offload` is refused
    /// (exit status 2, saying `why`) rather than ignored.
    pub fn refuse_offload(self, program: &'static str, why: &str) -> Self {
        if self.offload {
            <Self as clap::CommandFactory>::command()
                .name(program)
                .bin_name(program)
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("--offload: {program} {why}"),
                )
                .exit()
        }
        self
    }

    /// Parses `args` (the first is the program path).
    pub fn try_parse_for<I, T>(program: &'static str, args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        super::parse_as(program, args)
    }

    /// How long a shutdown waits for requests in flight.
    pub fn grace(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.grace_ms)
    }

    /// How long the server waits for a slow or silent client.
    pub fn timeouts(&self) -> Timeouts {
        let ms = std::time::Duration::from_millis;
        Timeouts {
            head: ms(self.head_timeout_ms),
            idle: ms(self.idle_timeout_ms),
            write: ms(self.write_timeout_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bad_values() {
        let args = ServeArgs::try_parse_for("t", ["t"]).unwrap();
        assert_eq!(args.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(args.grace(), serve::GRACE);
        let t = args.timeouts();
        assert_eq!(
            (t.head.as_secs(), t.idle.as_secs(), t.write.as_secs()),
            (10, 30, 10)
        );
        assert!(!args.offload);
        assert!(
            ServeArgs::try_parse_for("t", ["t", "--offload"])
                .unwrap()
                .offload
        );
        for bad in [
            &["t", "--workers", "0"][..],
            &["t", "--workers", "1025"],
            &["t", "--listen", "x"],
            &["t", "--head-timeout-ms", "0"],
            &["t", "--idle-timeout-ms", "3600001"],
            &["t", "--write-timeout-ms", "x"],
        ] {
            let err = ServeArgs::try_parse_for("t", bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
            assert!(err.to_string().contains(bad[1]), "{err}");
        }
    }
}
