//! The one-line result every program prints (written by [`Report`], read back by
//! [`ResultLine`]: this module is the only place that knows its format), its
//! self-check, and the error type that makes `main` print one clear line and exit
//! non-zero.

use std::fmt;

use crate::{Workload, io::Tally, latency::Percentiles, sys};

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
    /// The io workload's request latencies; `None` for the other workloads.
    pub latency: Option<Percentiles>,
}

impl Report {
    pub fn new(paradigm: &'static str, workers: usize, checksum: u64) -> Self {
        Self {
            paradigm,
            workers,
            checksum,
            children_pss_kib: 0,
            latency: None,
        }
    }

    /// An io run's report: the merged tally's checksum and latency percentiles.
    pub fn io(paradigm: &'static str, workers: usize, tally: &Tally) -> Self {
        Self {
            latency: Some(tally.percentiles()),
            ..Self::new(paradigm, workers, tally.checksum)
        }
    }

    /// The result line, given the program's peak memory.
    pub fn line<W: Workload>(&self, args: &W, peak_rss_kib: u64) -> String {
        let mut line = format!("workload={} paradigm={}", W::NAME, self.paradigm);
        for (key, value) in args.params() {
            line += &format!(" {key}={value}");
        }
        let ok = self.checksum == args.expected_checksum();
        line += &format!(
            " workers={} checksum={} ok={ok}",
            self.workers, self.checksum
        );
        for (key, us) in self.latency.iter().flat_map(Percentiles::fields) {
            line += &format!(" {key}={us}");
        }
        line + &format!(" peak_rss_kib={peak_rss_kib}")
    }

    /// Prints the result line on stdout; a wrong checksum is an error after it.
    /// A debug build says on stderr that its timings are not representative.
    pub fn print<W: Workload>(&self, args: &W) -> Result<(), Error> {
        let peak = sys::peak_rss_kib() + self.children_pss_kib;
        println!("{}", self.line(args, peak));
        say_if_debug();
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

/// On a debug build (`cargo run` without `--release`), one line on stderr: its
/// timings are not representative (fast I/O runs about 4x slower).
pub fn say_if_debug() {
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build: its timings are not representative (build with --release)");
    }
}

/// A result line read back: `key=value` pairs in the order the program wrote them.
/// The benchmark reads every program's output through this, never with a grep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    fields: Vec<(String, String)>,
}

impl ResultLine {
    /// Reads one line as [`Report::line`] writes it: single spaces between
    /// `key=value` pairs, `workload`, `paradigm`, `checksum` and `ok` present; or
    /// a load generator's line (`workload=load`), which names a `server` instead
    /// of a paradigm and has no checksum.
    pub fn parse(line: &str) -> Result<Self, Error> {
        let line = line.trim_end_matches(['\r', '\n']);
        let mut fields = Vec::new();
        for pair in line.split(' ') {
            let Some((key, value)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(Error::msg(format!(
                    "not a result line: {pair:?} is no key=value in {line:?}"
                )));
            };
            fields.push((key.to_string(), value.to_string()));
        }
        let parsed = Self { fields };
        let required: &[&str] = match parsed.get("workload") {
            Some("load") => &["server", "ok"],
            _ => &["workload", "paradigm", "checksum", "ok"],
        };
        for &key in required {
            if parsed.get(key).is_none() {
                return Err(Error::msg(format!(
                    "not a result line: no {key}= in {line:?}"
                )));
            }
        }
        Ok(parsed)
    }

    /// The value of `key`, as written.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key` as a number, if it is one.
    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key)?.parse().ok()
    }

    /// Whether the program found its own checksum right (`ok=true`).
    pub fn ok(&self) -> bool {
        self.get("ok") == Some("true")
    }

    /// Every pair, in the program's order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl fmt::Display for ResultLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (key, value)) in self.fields.iter().enumerate() {
            write!(f, "{}{key}={value}", if i == 0 { "" } else { " " })?;
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
        let report = Report {
            latency: Some(Percentiles {
                count: 1_000,
                p50_us: 50_412,
                p99_us: 51_873,
                max_us: 52_210,
            }),
            ..Report::new("tokio", 2, 14_874_151_481_412_741_043)
        };
        assert_eq!(
            report.line(&args, 9_120),
            "workload=io paradigm=tokio requests=1000 concurrency=100 delay_ms=50 \
             bytes=1024 work=0 workers=2 checksum=14874151481412741043 ok=true \
             p50_us=50412 p99_us=51873 max_us=52210 peak_rss_kib=9120"
        );
        let offloaded = IoArgs::try_parse_for("t", ["t", "--work", "9", "--offload"]).unwrap();
        let line = report.line(&offloaded, 1);
        assert!(line.contains(" work=9 offload=true workers=2 "), "{line}");
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
    fn a_written_line_reads_back_the_same() {
        let args = IoArgs::try_parse_for("t", ["t"]).unwrap();
        let written = Report::new("tokio", 2, 14_874_151_481_412_741_043).line(&args, 9_120);
        let read = ResultLine::parse(&written).unwrap();
        assert_eq!(read.to_string(), written);
        assert_eq!(read.get("paradigm"), Some("tokio"));
        assert_eq!(read.number("checksum"), Some(14_874_151_481_412_741_043));
        assert_eq!(read.number("peak_rss_kib"), Some(9_120));
        assert!(read.ok());
        assert_eq!(read.fields().count(), 11);
    }

    #[test]
    fn what_is_not_a_result_line_is_refused() {
        for bad in [
            "",
            "hello world",
            "workload=cpu paradigm=x",
            "workload=cpu  ok=true",
            "=1",
        ] {
            assert!(ResultLine::parse(bad).is_err(), "{bad:?}");
        }
        let wrong = "workload=cpu paradigm=x checksum=1 ok=false";
        assert!(!ResultLine::parse(wrong).unwrap().ok());
    }

    #[test]
    fn a_load_line_needs_a_server_not_a_checksum() {
        let load = "workload=load server=127.0.0.1:8080 rate=1000 answered=10 ok=true";
        let read = ResultLine::parse(load).unwrap();
        assert_eq!(read.get("server"), Some("127.0.0.1:8080"));
        assert_eq!(read.number("answered"), Some(10));
        assert!(read.ok());
        for bad in [
            "workload=load rate=1000 ok=true",
            "workload=load server=127.0.0.1:8080 rate=1000",
        ] {
            assert!(ResultLine::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn errors_print_one_line_in_debug() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::from(io).context("request 3");
        assert_eq!(format!("{err:?}"), "request 3: refused");
    }
}
