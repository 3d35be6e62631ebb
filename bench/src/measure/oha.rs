//! oha, serve-load's second opinion: an open-loop generator that is not ours
//! (`-q` rate, `--latency-correction`: latency from each request's intended
//! start, as `loadgen`'s), its command and its JSON report read. It requests
//! one URL over and over with a fixed set of connections (as many as `loadgen`
//! opened at that rate) and checks statuses, not bodies: a second opinion on
//! latency, not a verified run.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::results::Oha;

/// oha's command against `addr` at `rate` for `ms` over `connections`: JSON
/// on stdout, no TUI, requests still in flight at the end waited for.
pub fn oha_command(oha: &Path, addr: &str, rate: u64, ms: u64, connections: u64) -> Command {
    let mut command = Command::new(oha);
    command.args([
        "--no-tui",
        "--output-format",
        "json",
        "--latency-correction",
        "--wait-ongoing-requests-after-deadline",
        "-q",
        &rate.to_string(),
        "-z",
        &format!("{ms}ms"),
        "-c",
        &connections.to_string(),
        "-t",
        "10s",
        &format!("http://{addr}/work?id=1&delay_ms=0&bytes=1024"),
    ]);
    command
}

/// Reads oha's JSON report: its rate, the answers by status, its errors, and
/// the p50 and p99 latency (seconds in the report, µs here).
pub fn parse_oha(text: &str, rate: u64) -> Result<Oha, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("oha's report: {e}"))?;
    let summary = &v["summary"];
    let seconds = summary["total"].as_f64().ok_or("oha's report: no total")?;
    let statuses = v["statusCodeDistribution"].as_object();
    let count = |f: &dyn Fn(&str) -> bool| -> u64 {
        statuses
            .into_iter()
            .flatten()
            .filter(|(status, _)| f(status))
            .filter_map(|(_, n)| n.as_u64())
            .sum()
    };
    let ok = count(&|s| s == "200");
    let errors = count(&|s| s != "200")
        + v["errorDistribution"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, n)| n.as_u64())
            .sum::<u64>();
    let us = |key: &str| {
        let s = v["latencyPercentiles"][key].as_f64();
        s.map(|s| (s * 1e6).round() as u64)
            .ok_or(format!("oha's report: no {key}"))
    };
    Ok(Oha {
        rate,
        seconds,
        requests: ok + count(&|s| s != "200"),
        errors,
        p50_us: us("p50")?,
        p99_us: us("p99")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_report() {
        let text = r#"{"summary":{"successRate":1.0,"total":1.001117088,"requestsPerSec":1995.77},
            "latencyPercentiles":{"p50":0.000153258,"p99":0.013857849},
            "statusCodeDistribution":{"200":1998,"503":2},"errorDistribution":{"connection closed":1}}"#;
        let oha = parse_oha(text, 2_000).unwrap();
        assert_eq!((oha.requests, oha.errors), (2_000, 3));
        assert_eq!((oha.p50_us, oha.p99_us), (153, 13_858));
        assert!(parse_oha("{}", 1).unwrap_err().contains("no total"));
        assert!(parse_oha("not json", 1).is_err());
    }
}
