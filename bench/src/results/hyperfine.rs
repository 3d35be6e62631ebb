//! hyperfine's own exports in `raw/`: where each cell's is, and the timings read
//! from it (joined to cells by the `-n <paradigm>` name).

use std::{
    fs,
    path::{Path, PathBuf},
};

use serde_json::Value;

use super::Timing;

/// Where one cell's hyperfine export is: `raw/io-slow-1000.tokio.json`,
/// `raw/cpu.threads.json`.
pub fn raw_json(dir: &Path, scenario: &str, x: Option<u64>, paradigm: &str) -> PathBuf {
    dir.join("raw").join(match x {
        Some(x) => format!("{scenario}-{x}.{paradigm}.json"),
        None => format!("{scenario}.{paradigm}.json"),
    })
}

/// hyperfine's export: each result's name (`-n`) and its timing; none if the
/// point was never timed.
pub(crate) fn load_hyperfine(path: &Path) -> Result<Vec<(String, Timing)>, String> {
    let Ok(text) = fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut timings = Vec::new();
    for result in json["results"].as_array().into_iter().flatten() {
        let number = |key: &str| {
            result[key]
                .as_f64()
                .ok_or_else(|| format!("{}: no {key}", path.display()))
        };
        let timing = Timing {
            mean: number("mean")?,
            stddev: result["stddev"].as_f64(),
            median: number("median")?,
            min: number("min")?,
            max: number("max")?,
            user: number("user")?,
            system: number("system")?,
            runs: result["times"].as_array().map_or(0, Vec::len),
            times: result["times"].as_array().map_or(Vec::new(), |t| {
                t.iter().filter_map(|t| t.as_f64()).collect()
            }),
        };
        timings.push((result["command"].as_str().unwrap_or("").to_string(), timing));
    }
    Ok(timings)
}
