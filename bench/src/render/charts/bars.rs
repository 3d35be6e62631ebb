//! A single-point scenario: a horizontal bar per paradigm, on a log axis.

use std::path::Path;

use plotters::prelude::*;

use super::{
    DrawResult, Point,
    axis::{LogAxis, ticked},
    colour, unit_title, value,
};
use crate::{
    results::{Cell, Record},
    scenarios::Scenario,
    scenarios::paradigms::{self, Paradigm},
};

/// A bar's name: the paradigm, what limits its pool (a fixed pool's server
/// smaller than the connections waits for a free worker), and a noisy time.
fn label(p: &Paradigm, cell: &Cell) -> String {
    let mut label = p.name.to_string();
    if cell.note.contains("wait for a free worker") {
        label += " (pool < conns)";
    } else if !cell.note.is_empty() {
        label += " (pool ≥ conns)";
    }
    if cell.noisy().is_some() {
        label += " (noisy)";
    }
    label
}

pub fn draw(record: &Record, scenario: &Scenario, path: &Path) -> DrawResult {
    let rows: Vec<(&Paradigm, Point, String)> = paradigms::ROWS
        .iter()
        .filter_map(|p| {
            let cell = record.cell(scenario.name, None, p.name)?;
            Some((p, value(record, scenario, cell)?, label(p, cell)))
        })
        .collect();
    let n = rows.len().max(1);
    let root = SVGBackend::new(path, (860, 120 + 34 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let min = rows.iter().map(|r| r.1.0).fold(f64::MAX, f64::min);
    let max = rows.iter().map(|r| r.1.2).fold(0.0, f64::max);
    let axis = LogAxis::fit(min, max, scenario.measure.is_memory());
    let names: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{}: lower is better", super::caption(scenario)),
            ("sans-serif", 20),
        )
        .margin(14)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(230)
        .build_cartesian_2d(
            ticked(axis.lo..axis.hi, axis.ticks.clone()),
            ticked(-0.5..n as f64 - 0.5, (0..n).map(|i| i as f64).collect()),
        )?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(format!("{}, log scale", unit_title(scenario)))
        .x_label_formatter(&|t| axis.label(*t))
        .y_label_formatter(&|y| {
            let i = n as i64 - 1 - y.round() as i64;
            usize::try_from(i)
                .ok()
                .and_then(|i| names.get(i))
                .map_or(String::new(), |s| s.to_string())
        })
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    for (i, (p, (lo, mid, hi), _)) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let c = colour(p.family);
        let (lo, mid, hi) = (lo.log10(), mid.log10(), hi.log10());
        let fill = if p.is_python() {
            c.mix(0.25).filled()
        } else {
            c.mix(0.85).filled()
        };
        chart.draw_series([Rectangle::new([(axis.lo, y - 0.32), (mid, y + 0.32)], fill)])?;
        if p.is_python() {
            chart.draw_series([Rectangle::new(
                [(axis.lo, y - 0.32), (mid, y + 0.32)],
                c.stroke_width(2),
            )])?;
        }
        let whisker = BLACK.stroke_width(1);
        chart.draw_series([
            PathElement::new([(lo, y), (hi, y)], whisker),
            PathElement::new([(lo, y - 0.15), (lo, y + 0.15)], whisker),
            PathElement::new([(hi, y - 0.15), (hi, y + 0.15)], whisker),
        ])?;
    }
    root.present()?;
    Ok(())
}
