//! The heatmap: a row per paradigm, a column per point ([`super::columns`]),
//! grouped under their scenario; each cell coloured by how many times worse
//! than the best of its column it is, on a log scale, and marked when it is
//! the best, ties with it, is noisy, FAILED or skipped; an entry that is not
//! ranked ([`Entry::ranked`]) is grey and shows its figure. A click on a cell
//! (or Enter or Space on it: each is a button to the keyboard) opens its
//! details (`page.js`); its `data-cell` names it.

use maud::{Markup, html};

use super::{
    Cells,
    columns::{Column, Entry},
};
use crate::{
    render::{charts::colour, load::rate},
    scenarios::{Scenario, load::LoadKind, paradigms},
};

/// The colours of 1x, 2x, 5x, 10x, 30x and 100x: green to dark red
/// (ColorBrewer's RdYlGn, colour-blind safer at its ends than in its middle).
const STOPS: [(f64, [u8; 3]); 6] = [
    (0.0, [0x1a, 0x98, 0x50]),
    (0.15, [0xa6, 0xd9, 0x6a]),
    (0.35, [0xfe, 0xe0, 0x8b]),
    (0.5, [0xfd, 0xae, 0x61]),
    (0.74, [0xf4, 0x6d, 0x43]),
    (1.0, [0xa5, 0x00, 0x26]),
];

/// The background of a ratio to the best: `log10(ratio) / 2`, so that 10x is
/// half-way and 100x or worse the darkest.
pub fn shade(ratio: f64) -> [u8; 3] {
    let t = (ratio.max(1.0).log10() / 2.0).clamp(0.0, 1.0);
    let i = STOPS.iter().rposition(|(at, _)| *at <= t).unwrap_or(0);
    let (a, ca) = STOPS[i];
    let Some(&(b, cb)) = STOPS.get(i + 1) else {
        return ca;
    };
    let f = (t - a) / (b - a);
    let mix =
        |k: usize| (f64::from(ca[k]) + (f64::from(cb[k]) - f64::from(ca[k])) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// `#1a9850`.
fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// `1.00×`, `2.4×`, `37×`: three digits at most, for a narrow cell.
pub fn times(ratio: f64) -> String {
    match ratio {
        r if r < 9.995 => format!("{r:.2}×"),
        r if r < 99.95 => format!("{r:.1}×"),
        r => format!("{r:.0}×"),
    }
}

/// The heatmap: the legend, then a table per workload, side by side where
/// they fit, each with the rows that have a cell in it.
pub fn table(cells: &Cells, scenarios: &[&'static Scenario], columns: &[Column<'_>]) -> Markup {
    let mut blocks: Vec<Vec<&'static Scenario>> = Vec::new();
    for &s in scenarios {
        match blocks.last_mut() {
            Some(block) if block[0].workload == s.workload => block.push(s),
            _ => blocks.push(vec![s]),
        }
    }
    html! {
        (legend())
        div.blocks {
            @for block in &blocks {
                @let mine: Vec<&Column<'_>> = columns.iter().filter(|c| block.iter().any(|s| s.name == c.scenario.name)).collect();
                (one(cells, block, &mine))
            }
        }
    }
}

/// One workload's table: its scenarios' columns, grouped under their names.
fn one(cells: &Cells, scenarios: &[&'static Scenario], columns: &[&Column<'_>]) -> Markup {
    let groups: Vec<(&Scenario, usize)> = scenarios
        .iter()
        .map(|s| {
            (
                *s,
                columns.iter().filter(|c| c.scenario.name == s.name).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let rows = paradigms::ROWS.iter().filter(|p| {
        columns
            .iter()
            .any(|c| c.entries.iter().any(|e| e.paradigm.name == p.name))
    });
    let workload = scenarios.first().map_or("", |s| s.workload.name());
    html! {
        div.scroll {
            table.heatmap {
                thead {
                    tr {
                        th.corner rowspan="2" scope="col" { (workload) }
                        @for (s, n) in &groups {
                            th.group colspan=(n) scope="colgroup" title=(s.title) { a href={ "#s-" (s.name) } { (s.name) } }
                        }
                    }
                    tr {
                        @for c in columns {
                            th.point scope="col" title=(c.figure) { (c.label) }
                        }
                    }
                }
                tbody {
                    @for p in rows {
                        @let c = colour(p.family);
                        tr {
                            th.row scope="row" {
                                span.swatch style={ "background:" (hex([c.0, c.1, c.2])) } {}
                                (p.name)
                            }
                            @for c in columns {
                                @match c.entries.iter().find(|e| e.paradigm.name == p.name) {
                                    Some(e) => (cell(cells, c, e)),
                                    None => td.empty {},
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One entry: its ratio (or the figure, when the reader switches), its marks,
/// and serve-load's runs as small squares beside it.
fn cell(cells: &Cells, column: &Column<'_>, e: &Entry<'_>) -> Markup {
    let cell = e.cell;
    let failed = cell.failed();
    let skipped = matches!(cell.outcome, crate::results::Outcome::Skipped(_));
    let mut class = vec!["c"];
    class.extend(e.best.then_some("best"));
    class.extend(e.tied.then_some("tie"));
    class.extend(cell.noisy().is_some().then_some("noisy"));
    class.extend(failed.then_some("failed"));
    class.extend(skipped.then_some("skipped"));
    class.extend(e.ratio.is_none().then_some("nofig"));
    // Not ranked: grey, its figure said; a ratio to the best would read as a rank.
    class.extend((e.ratio.is_some() && !e.ranked).then_some("unranked"));
    let style = e.ratio.filter(|_| e.ranked).map(|r| {
        let [r, g, b] = shade(r);
        let ink = if r < 0x90 || g < 0x50 {
            ";color:#fff"
        } else {
            ""
        };
        // The colour alone: `background` would reset `.noisy`'s hatching.
        format!("background-color:{}{ink}", hex([r, g, b]))
    });
    let mark = match (e.best, e.tied) {
        (true, _) => " (the best)",
        (_, true) => " (tied with the best)",
        _ => "",
    };
    let mut title = format!(
        "{} — {}{}: {}{mark}",
        e.paradigm.name,
        column.scenario.name,
        if column.label.is_empty() {
            String::new()
        } else {
            format!(" {}", column.label)
        },
        e.text
    );
    match e.ratio {
        Some(r) if e.ranked => title += &format!(", {} the best", times(r)),
        Some(r) => title += &format!(" ({} the best of the ranked)", times(r)),
        None => {}
    }
    for m in e.marks.iter().chain(cell.why_not().iter()) {
        title += &format!("\n{m}");
    }
    let ratio = e.ratio.filter(|_| e.ranked).map_or(e.text.clone(), times);
    // serve-mixed's inline and offloaded runs share a key: `#cell=KEY|offloaded` finds the twin.
    let mixed = column
        .scenario
        .load
        .is_some_and(|l| l.kind == LoadKind::Mixed);
    let heavy = mixed.then_some(column.label.as_str());
    html! {
        td class=(class.join(" ")) style=[style] data-cell=(cells.key(cell)) data-heavy=[heavy] data-i=(cells.index(cell)) title=(title) tabindex="0" role="button" {
            span.r { @if e.tied { "=" } (ratio) }
            span.f { (e.text) }
            @if cell.noisy().is_some() { span.m { "~" } }
            @if e.failed_requests { span.warn { "!" } }
            @if !e.more.is_empty() {
                span.runs {
                    @for run in &e.more {
                        (mark_run(cells, run))
                    }
                }
            }
        }
    }
}

/// A serve-load run as a square: held within the target, held over it, not
/// held, or loadgen's limit; its rate and verdict in its title.
fn mark_run(cells: &Cells, run: &crate::results::Cell) -> Markup {
    use crate::results::Verdict;
    let (class, said) = match (run.load_verdict(), &run.outcome) {
        (Some(_), _) if run.within_target() => {
            ("run in", "held, p99 within the target".to_string())
        }
        (Some(Verdict::Held), _) => ("run over", "held, p99 over the target".to_string()),
        (Some(Verdict::NotHeld(why)), _) => ("run out", format!("not held: {why}")),
        (Some(Verdict::Generator(why)), _) => ("run gen", format!("loadgen's limit: {why}")),
        (None, _) => ("run out", run.why_not().unwrap_or_default()),
    };
    let at = run.x.map_or(String::new(), |x| format!("{}: ", rate(x)));
    html! {
        span class=(class) data-cell=(cells.key(run)) data-i=(cells.index(run)) title={ (at) (said) } tabindex="0" role="button" {}
    }
}

/// What the colours and marks mean.
fn legend() -> Markup {
    let steps = [1.0, 1.5, 2.0, 5.0, 10.0, 30.0, 100.0];
    html! {
        div.legend {
            span { "times the best of its column:" }
            @for s in steps {
                span.key style={ "background:" (hex(shade(s))) @if s >= 30.0 { ";color:#fff" } } { (times(s)) }
            }
            span.key.best-key { "1.00×" } " the best; "
            span.key.tie-key { "=1.05×" } " ties with it; "
            span.key.unranked-key { "4.2 ms" } " not ranked: its figure; "
            span.key.noisy-key { "~" } " noisy: rerun; "
            span.key.warn-key { "!" } " requests failed; "
            span.key.failed-key { "FAILED" } " / "
            span.key.skipped-key { "skipped" } " with the reason in its title and details. "
            label { input #show-figures type="checkbox"; " show figures instead of ratios" }
        }
    }
}
