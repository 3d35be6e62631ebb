//! Who is fastest at a point, in a language: the fastest and every paradigm
//! that ties with it (their timed runs' ranges overlap, [`crate::results::noise::tie`]).

use crate::{
    results::noise::tie,
    results::{Cell, Record},
    scenarios,
    scenarios::paradigms::{self, Language, Paradigm},
};

/// The fastest of a language at a point and every paradigm of it whose timed
/// runs' range overlaps the fastest's, fastest first: more than one is a tie,
/// and no sentence names one of them the fastest.
pub fn leaders<'a>(
    record: &'a Record,
    scenario: &str,
    x: Option<u64>,
    language: Language,
) -> Vec<&'a Cell> {
    leaders_of(record, scenario, x, |p| p.language == language)
}

/// [`leaders`] among the paradigms that do the work concurrently.
pub fn leaders_concurrent<'a>(
    record: &'a Record,
    scenario: &str,
    x: Option<u64>,
    language: Language,
) -> Vec<&'a Cell> {
    let baseline = scenarios::named(scenario).is_some_and(|s| s.workload.sequential_is_baseline());
    leaders_of(record, scenario, x, |p| {
        p.language == language && !(baseline && p.name == language.baseline())
    })
}

fn leaders_of<'a>(
    record: &'a Record,
    scenario: &str,
    x: Option<u64>,
    keep: impl Fn(&Paradigm) -> bool,
) -> Vec<&'a Cell> {
    let Some(best) = fastest_of(record, scenario, x, &keep) else {
        return Vec::new();
    };
    let fast = best.timing().expect("the fastest was timed");
    let mut tied: Vec<&Cell> = paradigms::ALL
        .iter()
        .filter(|p| keep(p) && p.name != best.paradigm)
        .filter_map(|p| record.cell(scenario, x, p.name))
        .filter(|c| c.timing().is_some_and(|t| tie(t, fast)))
        .collect();
    tied.sort_by(|a, b| {
        a.median()
            .unwrap_or(0.0)
            .total_cmp(&b.median().unwrap_or(0.0))
    });
    tied.insert(0, best);
    tied
}

/// The fastest timed cell at a point among the paradigms `keep` accepts.
fn fastest_of<'a>(
    record: &'a Record,
    scenario: &str,
    x: Option<u64>,
    keep: &impl Fn(&Paradigm) -> bool,
) -> Option<&'a Cell> {
    paradigms::ALL
        .iter()
        .filter(|p| keep(p))
        .filter_map(|p| record.cell(scenario, x, p.name))
        .filter_map(|c| Some((c, c.median()?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// The second fastest of `choice`'s language at a point.
pub fn runner_up<'a>(
    record: &'a Record,
    scenario: &str,
    x: Option<u64>,
    choice: &str,
) -> Option<&'a Cell> {
    let language = paradigms::named(choice)?.language;
    fastest_of(record, scenario, x, &|p: &Paradigm| {
        p.language == language && p.name != choice
    })
}
