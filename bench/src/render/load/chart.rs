//! The load scenarios' charts, a line per server as every scan's: serve-load's
//! p99 (and p50) against the offered rate, both log scales, held runs only;
//! serve-overload's p99 window by window over the run, a vertical line where
//! the rate falls. Colours, dashes and markers are the other charts' ([`crate::render::charts`]).

use std::path::Path;

use plotters::prelude::*;

use super::{held, overload, runs};
use crate::{
    render::charts::{DrawResult, LogAxis, draw_line, legend, markers, ticked},
    results::Record,
    scenarios::{
        load::{LOAD, OVERLOADED, TARGET_P99_US},
        paradigms::{self, Paradigm},
    },
};

/// A line per server: its points, (x, y) in the axes' units.
type Series = Vec<(&'static Paradigm, Vec<(f64, f64)>)>;

/// What the x axis counts.
#[derive(Clone, Copy)]
enum X {
    /// Offered requests per second, log scale.
    Rate,
    /// Seconds from the run's start, linear.
    Seconds,
}

/// One chart: its file's name, its title, its lines, where the rate falls
/// (serve-overload) and whether the latency target is drawn (a p99's chart).
struct Chart {
    name: String,
    title: String,
    x: X,
    series: Series,
    fall: Option<f64>,
    target: bool,
}

/// serve-load's two charts and serve-overload's, where the record has them.
pub fn draw_all(record: &Record, dir: &Path) -> Result<(), String> {
    let mut charts = Vec::new();
    if record.has(LOAD.name) {
        for (key, suffix, what) in [("p99_us", "", "p99"), ("p50_us", "-p50", "p50")] {
            let series = per_server(record, LOAD.name, |cells| {
                let mut held: Vec<(f64, f64)> = cells
                    .iter()
                    .filter(|c| held(c).is_some())
                    .filter_map(|c| Some((c.x? as f64, c.field(key)? as f64 / 1e6)))
                    .collect();
                held.sort_by(|a, b| a.0.total_cmp(&b.0));
                held
            });
            let title = format!(
                "{}: {what} against the offered rate (held runs)",
                LOAD.title
            );
            charts.push(Chart {
                name: format!("serve-load{suffix}"),
                title,
                x: X::Rate,
                series,
                fall: None,
                target: what == "p99",
            });
        }
    }
    if record.has(OVERLOADED.name) {
        let mut fall = None;
        let series = per_server(record, OVERLOADED.name, |cells| {
            let cell = cells.iter().find(|c| c.load.is_some());
            fall = fall.or_else(|| cell.and_then(|c| overload::fall(c)));
            cell.map_or(Vec::new(), |c| overload::windows(c))
        });
        let title = format!(
            "{}: p99 per {} ms window",
            OVERLOADED.title,
            overload::WINDOW_MS
        );
        charts.push(Chart {
            name: OVERLOADED.name.into(),
            title,
            x: X::Seconds,
            series,
            fall,
            target: true,
        });
    }
    for chart in charts {
        let path = dir.join(format!("{}.svg", chart.name));
        draw(&path, &chart).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// A series per server with points, in the order of every legend.
fn per_server(
    record: &Record,
    scenario: &str,
    mut points: impl FnMut(&[&crate::results::Cell]) -> Vec<(f64, f64)>,
) -> Series {
    paradigms::ROWS
        .iter()
        .map(|p| (p, points(&runs(record, scenario, p.name))))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// The x axis: its range, its ticks and their labels.
fn x_axis(x: X, series: &Series, fall: Option<f64>) -> (f64, f64, Vec<f64>, Vec<String>) {
    let xs = series.iter().flat_map(|s| s.1.iter().map(|p| p.0));
    let (min, max) = xs.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    match x {
        X::Rate => {
            let axis = LogAxis::fit_counts(min, max);
            let labels = axis.ticks.iter().map(|&t| axis.label(t)).collect();
            (axis.lo, axis.hi, axis.ticks.clone(), labels)
        }
        X::Seconds => {
            let end = max.max(fall.unwrap_or(0.0)).max(1.0);
            let step = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
                .into_iter()
                .find(|s| end / s <= 10.0)
                .unwrap_or(100.0);
            let n = (end / step).floor() as usize;
            let ticks: Vec<f64> = (0..=n).map(|i| i as f64 * step).collect();
            let labels = ticks.iter().map(|t| format!("{t} s")).collect();
            (0.0, end * 1.03, ticks, labels)
        }
    }
}

fn draw(path: &Path, chart: &Chart) -> DrawResult {
    let Chart {
        title,
        x,
        series,
        fall,
        target,
        ..
    } = chart;
    let (x, fall, target_s) = (*x, *fall, TARGET_P99_US as f64 / 1e6);
    let (x_lo, x_hi, x_ticks, x_labels) = x_axis(x, series, fall);
    // On a log x axis, a point sits at its log.
    let at_x = |v: f64| match x {
        X::Rate => v.log10(),
        X::Seconds => v,
    };
    let ys = series.iter().flat_map(|s| s.1.iter().map(|p| p.1));
    // The target is drawn where it is asked, within the axis.
    let ys = ys.chain(target.then_some(target_s));
    let (min, max) = ys.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = LogAxis::fit(min, max, false);
    let root = SVGBackend::new(path, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, legend_area) = root.split_horizontally(760);
    let mut chart = ChartBuilder::on(&plot)
        .caption(format!("{title}: lower is better"), ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(
            ticked(x_lo..x_hi, x_ticks.clone()),
            ticked(y.lo..y.hi, y.ticks.clone()),
        )?;
    let x_desc = match x {
        X::Rate => "offered rate, requests/s, log scale",
        X::Seconds => "seconds from the start (each point: a window's p99)",
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("latency from the intended start, log scale")
        .x_label_formatter(&|t| {
            let i = x_ticks.iter().position(|v| (v - t).abs() < 1e-9);
            i.map_or(String::new(), |i| x_labels[i].clone())
        })
        .y_label_formatter(&|t| y.label(*t))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    let grey = RGBColor(0x88, 0x88, 0x88);
    if *target {
        let at = target_s.log10();
        chart.draw_series(DashedLineSeries::new(
            [(x_lo, at), (x_hi, at)],
            6,
            4,
            grey.stroke_width(1),
        ))?;
        // Its label just above the line, at the left.
        let above = at + (y.hi - y.lo) * 0.045;
        chart.draw_series([Text::new(
            format!("the target: p99 {} ms", TARGET_P99_US / 1_000),
            (x_lo + (x_hi - x_lo) * 0.01, above),
            ("sans-serif", 13).into_font().color(&grey),
        )])?;
    }
    if let Some(fall) = fall {
        chart.draw_series(DashedLineSeries::new(
            [(fall, y.lo), (fall, y.hi)],
            6,
            4,
            grey.stroke_width(1),
        ))?;
        chart.draw_series([Text::new(
            "the rate falls",
            (fall, y.hi),
            ("sans-serif", 13).into_font().color(&grey),
        )])?;
    }
    for (p, line) in series {
        let xy: Vec<(f64, f64)> = line.iter().map(|&(a, b)| (at_x(a), b.log10())).collect();
        draw_line(&mut chart, p, &xy)?;
        // A marker on every window would hide the lines: one a second tells them apart.
        let marked: Vec<(f64, f64)> = match x {
            X::Rate => xy,
            X::Seconds => {
                let per_second = (1_000 / overload::WINDOW_MS).max(1) as usize;
                xy.into_iter().step_by(per_second).collect()
            }
        };
        markers(&mut chart, p, &marked)?;
    }
    let names: Vec<&Paradigm> = series.iter().map(|(p, _)| *p).collect();
    legend(&legend_area, &names)?;
    root.present()?;
    Ok(())
}
