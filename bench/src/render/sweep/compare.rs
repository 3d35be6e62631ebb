//! A sweep in `bench compare`: a row per paradigm and run, a column per point
//! of any run, so that a small machine's sweep stands beside a large one's.

use std::fmt::Write as _;

use super::{
    CLIENT_BOUND, base, cell_text, client_bound, cores, points, scaling, short_why, swept,
};
use crate::{
    render::servers::per_second,
    results::noise::tie,
    results::stats::{ratio, secs},
    results::{Cell, Record},
    scenarios::paradigms,
    scenarios::{Scenario, Workload},
};

/// `bench compare`'s table of a sweep: a row per paradigm and run, a column per
/// point of any run (a small machine's beside a large one's; blank where a run
/// has no such point): cpu: the first point's time, then speed-ups; serve:
/// requests/s per core.
pub fn compare(records: &[Record], scenario: &Scenario) -> String {
    let mut xs: Vec<u64> = records.iter().flat_map(|r| points(r, scenario)).collect();
    xs.sort_unstable();
    xs.dedup();
    let serving = scenario.workload == Workload::Serve;
    let mut md = String::from("| paradigm | run |");
    for &x in &xs {
        let _ = write!(md, " {} |", cores(x));
    }
    let _ = writeln!(md, "\n|---|---|{}", "---:|".repeat(xs.len()));
    for p in &paradigms::ROWS {
        for (i, record) in records.iter().enumerate() {
            if !swept(record, scenario).contains(&p) {
                continue;
            }
            let _ = write!(
                md,
                "| {} | {} ({} logical CPUs) |",
                p.name,
                i + 1,
                record.meta("cores")
            );
            for &x in &xs {
                let cell = record.cell(scenario.name, Some(x), p.name);
                md += &cell_text(&cell.map_or(String::new(), |c| brief(record, c, serving)));
            }
            md += "\n";
        }
    }
    md + match serving {
        true => {
            "\nRequests per second per core (the client's, from its median time); \"tie\": its timed runs' ranges overlap the run's first point's (the same rate per core); \"client-bound possible\": the client shared the server's CPUs or had fewer of its own, so a lower rate there may be the client's; blank: the run has no such point.\n\n"
        }
        false => {
            "\nAt the first point its time; after it the speed-up against it, a ratio of mean times ± hyperfine's uncertainty; \"tie\": its timed runs' ranges overlap the first point's (no measurable gain); blank: the run has no such point.\n\n"
        }
    }
}

/// One cell of `bench compare`'s sweep table: cpu: the first point's time,
/// then the speed-up against it; serve: requests/s per core; past the first
/// point, a tie with it said as one.
fn brief(record: &Record, cell: &Cell, serving: bool) -> String {
    let Some(t) = cell.timing() else {
        return short_why(cell);
    };
    let first = base(record, cell);
    let at_first = first.is_some_and(|b| b.x == cell.x);
    let one = first.filter(|_| !at_first).and_then(Cell::timing);
    let mut text = match (serving, at_first, one) {
        (true, ..) => scaling(record, cell).map_or("–".into(), |v| per_second(v.1)),
        (false, true, _) => secs(t.median),
        (false, false, Some(one)) => ratio(one, t).to_string(),
        (false, false, None) => format!("{} (no 1-core time)", secs(t.median)),
    };
    if one.is_some_and(|one| tie(one, t)) {
        text += " (tie)";
    }
    if cell.noisy().is_some() {
        text += " (noisy)";
    }
    if client_bound(cell) {
        let _ = write!(text, " ({CLIENT_BOUND})");
    }
    text
}
