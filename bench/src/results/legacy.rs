//! The folders the earlier shell benchmark wrote, read for `bench compare`.

use std::path::Path;

use workload::ResultLine;

use super::{Cell, Outcome, load_hyperfine};

/// The earlier shell benchmark's `cells.tsv`: its `detail` held a few fields of
/// the result line, and its timings are joined by command string (as it did).
pub fn cells(dir: &Path, tsv: &str) -> Result<Vec<Cell>, String> {
    let mut cells = Vec::new();
    for line in tsv.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [scenario, x, paradigm, status, detail, command] = fields[..] else {
            return Err(format!("cells.tsv: bad line {line:?}"));
        };
        let x = x.parse().ok();
        let outcome = match status {
            "ok" => {
                let workload = scenario.split('-').next().unwrap_or(scenario);
                let line = format!("workload={workload} paradigm={paradigm} {detail} ok=true");
                let json = dir.join("raw").join(format!(
                    "{scenario}-{}.json",
                    x.map_or("-".into(), |x: u64| x.to_string())
                ));
                let timing = load_hyperfine(&json)?
                    .into_iter()
                    .find(|(c, _)| c == command)
                    .map(|t| t.1);
                Outcome::Ok {
                    lines: vec![ResultLine::parse(&line).map_err(|e| e.to_string())?],
                    timing,
                }
            }
            "FAILED" => Outcome::Failed(detail.into()),
            _ => Outcome::Skipped(detail.into()),
        };
        let command = command.split(' ').map(str::to_string).collect();
        cells.push(Cell::new(scenario, x, paradigm, command, outcome));
    }
    Ok(cells)
}
