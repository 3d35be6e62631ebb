//! wrk, the serve scenarios' second opinion on a server's throughput: its
//! command and its report read (the measure a cell stores is
//! [`crate::results::Wrk`]).

use std::{path::Path, process::Command};

use crate::results::Wrk;

/// wrk's command against `addr`: one thread, `connections` keep-alive
/// connections, `seconds` long, the io workload's first request over and over.
pub fn wrk_command(wrk: &Path, addr: &str, connections: u64, seconds: u64) -> Command {
    let mut command = Command::new(wrk);
    command.args([
        "-t1",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--timeout",
        "10s",
        &format!("http://{addr}/work?id=1&delay_ms=0&bytes=1024"),
    ]);
    command
}

/// Reads wrk's report: `Requests/sec:`, `N requests in`, and the lines that
/// count non-2xx answers and socket errors.
pub fn parse_wrk(text: &str, connections: u64, seconds: u64) -> Result<Wrk, String> {
    let after = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key).map(str::trim))
    };
    let rate = after("Requests/sec:")
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output: {:.200}", text.trim()))?;
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in ")?.0.trim().parse().ok())
        .ok_or("no request count in wrk's output")?;
    let non_2xx: u64 = after("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // `Socket errors: connect 0, read 1, write 0, timeout 0`
    let socket: u64 = after("Socket errors:").map_or(0, |v| {
        v.split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    });
    Ok(Wrk {
        requests_per_sec: rate,
        requests,
        errors: non_2xx + socket,
        connections,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wrk 4.1.0 against tokio-serve on the developer machine.
    const CAPTURED: &str =
        "Running 3s test @ http://127.0.0.1:40000/work?id=1&delay_ms=0&bytes=1024
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    95.12us   40.31us   2.10ms   90.00%
    Req/Sec    40.12k     1.02k   42.00k    70.00%
  119812 requests in 3.00s, 134.22MB read
Requests/sec:  39937.12
Transfer/sec:     44.74MB
";

    #[test]
    fn wrks_report_is_read() {
        let w = parse_wrk(CAPTURED, 4, 3).unwrap();
        assert_eq!((w.requests, w.errors), (119_812, 0));
        assert!((w.requests_per_sec - 39_937.12).abs() < 1e-6);
        let broken = CAPTURED.replace(
            "Requests/sec",
            "  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 5\nRequests/sec",
        );
        assert_eq!(parse_wrk(&broken, 4, 3).unwrap().errors, 8);
        assert!(parse_wrk("unable to connect", 4, 3).is_err());
        let back = Wrk::from_json(&Wrk::to_json(&Ok(w.clone()))).unwrap();
        assert_eq!(back, Ok(w));
        let failed = Err("wrk: not found".to_string());
        assert_eq!(Wrk::from_json(&Wrk::to_json(&failed)), Some(failed));
    }
}
