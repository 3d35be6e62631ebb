//! A scan: a line per paradigm across the points, on a log axis, the legend
//! in a column of its own.

use std::path::Path;

use plotters::prelude::*;

use super::{
    DrawResult, Point,
    axis::{LogAxis, ticked},
    colour, draw_line, legend, markers, unit_title, value,
};
use crate::{
    results::Record,
    scenarios::Scenario,
    scenarios::paradigms::{self, Paradigm},
};

pub fn draw(record: &Record, scenario: &Scenario, path: &Path) -> DrawResult {
    let memory = scenario.measure.is_memory();
    let points: Vec<u64> = record
        .points(scenario.name)
        .into_iter()
        .flatten()
        .filter(|&x| !(memory && x == 0))
        .collect();
    let series: Vec<(&Paradigm, Vec<(usize, Point)>)> = paradigms::ROWS
        .iter()
        .map(|p| {
            let line = points
                .iter()
                .enumerate()
                .filter_map(|(i, &x)| {
                    Some((
                        i,
                        value(
                            record,
                            scenario,
                            record.cell(scenario.name, Some(x), p.name)?,
                        )?,
                    ))
                })
                .collect();
            (p, line)
        })
        .filter(|(_, line): &(_, Vec<_>)| !line.is_empty())
        .collect();
    let all = series.iter().flat_map(|s| s.1.iter().map(|v| v.1));
    let (min, max) = all.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v.0), hi.max(v.2)));
    let axis = LogAxis::fit(min, max, memory);
    let root = SVGBackend::new(path, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    // The legend gets its own column to the right: it can never cover a line.
    let (plot, legend_area) = root.split_horizontally(760);
    let unit = scenario.axis.map_or("", |a| a.unit);
    let flag = scenario.axis.map_or("", |a| a.flag);
    let last = points.len().saturating_sub(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{}: lower is better", super::caption(scenario)),
            ("sans-serif", 20),
        )
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(
            ticked(
                -0.3..last + 0.3,
                (0..points.len()).map(|i| i as f64).collect(),
            ),
            ticked(axis.lo..axis.hi, axis.ticks.clone()),
        )?;
    chart
        .configure_mesh()
        .x_desc(format!("{unit} ({flag}), one step per point"))
        .y_desc(format!("{}, log scale", unit_title(scenario)))
        .x_label_formatter(&|i| {
            points
                .get(i.round() as usize)
                .map_or(String::new(), |x| x.to_string())
        })
        .y_label_formatter(&|t| axis.label(*t))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    let k = series.len().max(1) as f64;
    for (j, (p, line)) in series.iter().enumerate() {
        // Each series is nudged sideways a little, so equal values stay visible.
        let dx = (j as f64 - (k - 1.0) / 2.0) * 0.018;
        let xy: Vec<(f64, f64)> = line
            .iter()
            .map(|(i, v)| (*i as f64 + dx, v.1.log10()))
            .collect();
        draw_line(&mut chart, p, &xy)?;
        for (i, v) in line {
            let x = *i as f64 + dx;
            chart.draw_series([PathElement::new(
                [(x, v.0.log10()), (x, v.2.log10())],
                colour(p.family).stroke_width(1),
            )])?;
        }
        markers(&mut chart, p, &xy)?;
    }
    let names: Vec<&Paradigm> = series.iter().map(|(p, _)| *p).collect();
    legend(&legend_area, &names)?;
    root.present()?;
    Ok(())
}
