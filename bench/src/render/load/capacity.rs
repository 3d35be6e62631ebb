//! A server's capacity in serve-load: the highest rate it held with p99 within
//! the latency target (not its last rate held, whose p99 may be over it), what
//! stopped it above, and who holds the most in a language: capacities less than
//! one narrowed step of the climb apart are a tie.

use super::{generator, held, ladder_of, rate, runs, us, why};
use crate::{
    results::{Cell, Record},
    scenarios::{
        load::{LOAD, LoadSizes, TARGET_P99_US},
        paradigms::{self, Language, Paradigm},
    },
};

/// Capacities closer than this are never said to differ, however fine the step.
const TIE_AT_LEAST: f64 = 1.3;

/// One server's capacity at the latency target, read from its runs.
#[derive(Debug, Clone)]
pub struct Capacity<'a> {
    pub paradigm: &'static Paradigm,
    /// Its run at the highest rate held within the target; `None`: no rate was.
    pub at: Option<&'a Cell>,
    /// Its lowest run above that not held within the target: where the climb
    /// found the knee (`None`: every rate offered was held within it).
    pub above: Option<&'a Cell>,
    /// Its first run (by rate) that was not held, or that FAILED.
    pub first_not_held: Option<&'a Cell>,
    /// Why it has no capacity: its lowest run's reason.
    pub none: Option<String>,
}

/// A server's capacity from its serve-load runs; `None` where it has none there.
pub fn capacity<'a>(record: &'a Record, paradigm: &'static Paradigm) -> Option<Capacity<'a>> {
    let mut cells = runs(record, LOAD.name, paradigm.name);
    if cells.is_empty() {
        return None;
    }
    cells.sort_by_key(|c| c.x);
    let at = cells
        .iter()
        .copied()
        .filter(|c| c.within_target())
        .max_by_key(|c| c.x);
    let x = at.and_then(|c| c.x);
    let above = cells
        .iter()
        .copied()
        .find(|c| c.x.is_some() && c.x > x && !c.within_target());
    let first_not_held = cells.iter().copied().find(|c| held(c).is_none());
    let none = match (at, cells.first()) {
        (Some(_), _) | (None, None) => None,
        (None, Some(lowest)) if held(lowest).is_some() => Some(format!(
            "p99 {} at {}, over the {} ms target",
            us(lowest, "p99_us"),
            rate(lowest.x.unwrap_or(0)),
            TARGET_P99_US / 1_000
        )),
        (None, Some(lowest)) => Some(why(lowest)),
    };
    Some(Capacity {
        paradigm,
        at,
        above,
        first_not_held,
        none,
    })
}

impl Capacity<'_> {
    /// The highest rate held within the target.
    pub fn rate(&self) -> Option<u64> {
        self.at.and_then(|c| c.x)
    }

    /// Its capacity is at least its rate: nothing above it was offered, or
    /// `loadgen` could not send the next rate itself.
    pub fn at_least(&self) -> bool {
        self.at.is_some() && self.above.is_none_or(generator)
    }

    /// `14,000/s`, `>= 200,000/s (loadgen's limit)`, or `none: why`.
    pub fn text(&self) -> String {
        match (self.rate(), self.above) {
            (None, _) => format!("none: {}", self.none.as_deref().unwrap_or("no run")),
            (Some(r), _) if !self.at_least() => rate(r),
            (Some(r), Some(above)) => format!(
                ">= {} (loadgen's limit: it could not send {} itself)",
                rate(r),
                rate(above.x.unwrap_or(0))
            ),
            (Some(r), None) => format!(">= {} (the highest rate offered)", rate(r)),
        }
    }

    /// [`Self::text`] without the rate loadgen could not send: `>= 200,000/s`,
    /// for a sentence that says once what `>=` means.
    pub fn short(&self) -> String {
        match (self.rate(), self.above) {
            (Some(r), Some(_)) if self.at_least() => format!(">= {}", rate(r)),
            _ => self.text(),
        }
    }

    /// `100,000/s: not held: why`, the first rate not held; or `–` when every one was.
    pub fn first_not_held_text(&self) -> String {
        match self.first_not_held {
            Some(c) if c.x.is_some() => format!("{}: {}", rate(c.x.unwrap_or(0)), why(c)),
            Some(c) => why(c),
            None => "– (held every rate offered)".into(),
        }
    }
}

/// The climb's step once narrowed: its ladder's widest step, halved `narrow`
/// times in log scale (2.5x halved twice: 1.26x). A capacity lies between its
/// rate and one step above it.
pub fn step(sizes: &LoadSizes) -> f64 {
    let widest = sizes
        .rates
        .windows(2)
        .map(|w| w[1] as f64 / w[0] as f64)
        .fold(1.0, f64::max);
    widest.powf(0.5f64.powi(sizes.narrow as i32))
}

/// Capacities less than this far apart are a tie: one narrowed step of the
/// climb, or 1.3x where the step is finer.
pub fn tie_ratio(record: &Record) -> f64 {
    step(ladder_of(record)).max(TIE_AT_LEAST)
}

/// The sentence that says how capacities are compared.
pub fn tie_sentence(record: &Record) -> String {
    let sizes = ladder_of(record);
    format!(
        "A capacity is found to within one narrowed step of the climb ({:.2}x: the ladder's widest step, narrowed {} times), so capacities less than {:.1}x apart are a tie and said as one.",
        step(sizes),
        sizes.narrow,
        tie_ratio(record)
    )
}

/// The language's most capacity and every server that ties with it, most
/// first; the reference and the sized pools are never a language's most.
pub fn leaders<'a>(record: &'a Record, language: Language) -> Vec<Capacity<'a>> {
    let mut all: Vec<Capacity<'a>> = paradigms::ALL
        .iter()
        .filter(|p| p.language == language)
        .filter_map(|p| capacity(record, p))
        .filter(|c| c.rate().is_some())
        .collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.rate()));
    let Some(most) = all.first().and_then(Capacity::rate) else {
        return Vec::new();
    };
    let tie = tie_ratio(record);
    all.retain(|c| (most as f64) / (c.rate().unwrap_or(1) as f64) < tie);
    all
}

/// The row's name: bold where it holds its language's most, `tied` where others tie.
pub fn row_name(record: &Record, paradigm: &Paradigm) -> String {
    let leaders = leaders(record, paradigm.language);
    let leads = leaders.iter().any(|c| c.paradigm.name == paradigm.name);
    let language = if paradigm.is_python() {
        " in Python"
    } else {
        ""
    };
    match (paradigm.is_reference(), leads, leaders.len()) {
        (true, _, _) => format!("{} (reference: hyper)", paradigm.name),
        (_, true, 1) => format!("**{}** (most{language})", paradigm.name),
        (_, true, _) => format!("**{}** (tied most{language})", paradigm.name),
        _ => paradigm.name.to_string(),
    }
}
