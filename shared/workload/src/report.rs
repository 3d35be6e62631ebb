//! The one-line result every program prints, its self-check, and the error type
//! that makes `main` print one clear line and exit non-zero.

use std::fmt;

use crate::{Workload, sys};

/// What a run found out; [`Report::print`] turns it into the result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `sequential`, `threads`, ...: the second field of the result line.
    pub paradigm: &'static str,
    /// The OS threads or processes the paradigm really used.
    pub workers: usize,
    /// What the run computed.
    pub checksum: u64,
    /// For process trees: the sum of each child's own Pss (see [`sys::pss_kib`]).
    pub children_pss_kib: u64,
}

impl Report {
    pub fn new(paradigm: &'static str, workers: usize, checksum: u64) -> Self {
        Self {
            paradigm,
            workers,
            checksum,
            children_pss_kib: 0,
        }
    }

    /// The result line, given the program's peak memory.
    pub fn line<W: Workload>(&self, args: &W, peak_rss_kib: u64) -> String {
        let mut line = format!("workload={} paradigm={}", W::NAME, self.paradigm);
        for (key, value) in args.params() {
            line += &format!(" {key}={value}");
        }
        let ok = self.checksum == args.expected_checksum();
        line + &format!(
            " workers={} checksum={} ok={ok} peak_rss_kib={peak_rss_kib}",
            self.workers, self.checksum
        )
    }

    /// Prints the result line on stdout; a wrong checksum is an error after it.
    pub fn print<W: Workload>(&self, args: &W) -> Result<(), Error> {
        let peak = sys::peak_rss_kib() + self.children_pss_kib;
        println!("{}", self.line(args, peak));
        let expected = args.expected_checksum();
        if self.checksum != expected {
            return Err(Error::msg(format!(
                "checksum {} is wrong: expected {expected}",
                self.checksum
            )));
        }
        Ok(())
    }
}

/// An error with one line of text. Its `Debug` is that line, so `main` returning
/// `Err` prints `Error: <line>` and exits with status 1.
pub struct Error(String);

impl Error {
    pub fn msg(message: impl fmt::Display) -> Self {
        Self(message.to_string())
    }

    /// Puts `what` in front: `request 17: connection reset by peer`.
    pub fn context(self, what: impl fmt::Display) -> Self {
        Self(format!("{what}: {}", self.0))
    }
}

impl<E: std::error::Error> From<E> for Error {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CpuArgs, IoArgs};

    #[test]
    fn line_matches_the_design_example() {
        let args = IoArgs::try_parse_for("t", ["t"]).unwrap();
        let report = Report::new("tokio", 2, 14_874_151_481_412_741_043);
        assert_eq!(
            report.line(&args, 9_120),
            "workload=io paradigm=tokio requests=1000 concurrency=100 delay_ms=50 \
             bytes=1024 workers=2 checksum=14874151481412741043 ok=true peak_rss_kib=9120"
        );
    }

    #[test]
    fn wrong_checksum_is_reported_and_fails() {
        let args = CpuArgs::try_parse_for("t", ["t", "--limit", "100"]).unwrap();
        let report = Report::new("sequential", 1, 24);
        assert!(report.line(&args, 1).contains(" checksum=24 ok=false "));
        let err = report.print(&args).unwrap_err();
        assert_eq!(err.to_string(), "checksum 24 is wrong: expected 25");
        assert!(Report::new("sequential", 1, 25).print(&args).is_ok());
    }

    #[test]
    fn errors_print_one_line_in_debug() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::from(io).context("request 3");
        assert_eq!(format!("{err:?}"), "request 3: refused");
    }
}
