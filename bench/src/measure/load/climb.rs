//! serve-load for one server: up the ladder of rates until one is not held,
//! then the step where its capacity at the latency target lies narrowed; oha
//! at two rates beside it.

use std::path::Path;

use super::{Capacity, one, run};
use crate::{
    measure::program::Attempt,
    measure::progress::Progress,
    measure::tools::Tools,
    results::{Cell, Verdict, stats::two_digits},
    scenarios::{load::LoadSizes, paradigms::Paradigm},
};
use run::Ask;

/// serve-load for one server: up the ladder until a rate is not held, then the
/// step between the last held and the first not held narrowed `narrow` times
/// (at the geometric mean, two significant digits); oha at the ladder's first
/// rate and at the capacity. Its runs and its capacity at the target.
pub(super) fn climb(
    server: &[String],
    paradigm: &Paradigm,
    sizes: &LoadSizes,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<(Vec<Cell>, Capacity)>, String> {
    let mut cells: Vec<Cell> = Vec::new();
    // The verdict of a run at `rate` (None: it could not run), or None when
    // stopping. A run where loadgen fell behind is run once more: on a shared
    // machine one stall of another program's can do that at any rate.
    let run_at = |rate: u64, cells: &mut Vec<Cell>| -> Result<Option<Option<Verdict>>, String> {
        let ask = Ask {
            rate,
            ms: sizes.step_ms,
            ..Ask::default()
        };
        for attempt in 0..2 {
            let Some(cell) = one(server, paradigm, &ask, tools, dir, progress)? else {
                return Ok(None);
            };
            let verdict = cell.load.as_ref().map(|r| r.verdict.clone());
            if attempt == 0 && matches!(verdict, Some(Verdict::Generator(_))) {
                continue;
            }
            cells.push(cell);
            return Ok(Some(verdict));
        }
        unreachable!("the second attempt returns")
    };
    for &rate in sizes.rates {
        match run_at(rate, &mut cells)? {
            None => return Ok(None),
            Some(Some(Verdict::Held)) => {}
            Some(_) => break,
        }
    }
    // Narrowed where the capacity is: between the highest rate held within the
    // target and the lowest above it that was not.
    let bounds = |cells: &[Cell]| {
        let low = cells
            .iter()
            .filter(|c| c.within_target())
            .filter_map(|c| c.x)
            .max();
        let above = |c: &&Cell| c.x > low && !c.within_target();
        let high = cells.iter().filter(above).min_by_key(|c| c.x);
        (
            low,
            high.and_then(|c| Some((c.x?, c.load.as_ref()?.verdict.clone()))),
        )
    };
    for _ in 0..sizes.narrow {
        let (Some(low), Some((high, _))) = bounds(&cells) else {
            break;
        };
        let mid = two_digits(((low as f64) * (high as f64)).sqrt());
        if mid <= low || mid >= high {
            break;
        }
        if run_at(mid, &mut cells)?.is_none() {
            return Ok(None);
        }
    }
    let (capacity, above) = bounds(&cells);
    // The first rate above the capacity was loadgen's limit, not the server's.
    let generator = matches!(above, Some((_, Verdict::Generator(_))));
    let mut oha_rates: Vec<u64> = [sizes.rates.first().copied(), capacity]
        .into_iter()
        .flatten()
        .collect();
    oha_rates.dedup();
    if sizes.oha_ms > 0 {
        for rate in oha_rates {
            let ask = Ask {
                rate,
                ms: sizes.step_ms.min(sizes.oha_ms),
                oha_ms: sizes.oha_ms,
                ..Ask::default()
            };
            progress.doing(format!(
                "oha against {} at {rate} requests/s",
                paradigm.name
            ));
            if let Attempt::Ok((.., oha_run)) = run::run(server, &ask, paradigm.name, tools, dir)?
                && let Some(cell) = cells
                    .iter_mut()
                    .find(|c| c.x == Some(rate) && c.load.is_some())
                && let Some(run) = &mut cell.load
            {
                run.oha = oha_run.oha;
            }
        }
    }
    Ok(Some((
        cells,
        Capacity {
            rate: capacity,
            generator,
        },
    )))
}
