//! One SVG per scenario: horizontal bars for a single point, a line per
//! paradigm for a scan. Log axes fitted to the data with ticks at 1-2-5 or powers
//! of ten in the axis's unit, min–max whiskers from hyperfine's runs, one hue
//! per paradigm family (Rust solid, Python dashed and hollow), a marker shape
//! per paradigm, and the legend outside the plot so that it hides no data.

use std::{ops::Range, path::Path};

use plotters::{
    coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged},
    prelude::*,
};

use crate::{
    paradigms::{self, Paradigm},
    results::{Cell, Run},
    scenarios::{Measure, Scenario},
    stats::PerUnit,
    tables,
};

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Okabe–Ito's colour-blind-safe hues and two more, one per Rust paradigm;
/// Python's twins take their Rust counterpart's.
fn colour(family: &str) -> RGBColor {
    match family {
        "sequential" => RGBColor(0x44, 0x44, 0x44),
        "processes" => RGBColor(0xD5, 0x5E, 0x00),
        "threads" => RGBColor(0x00, 0x72, 0xB2),
        "crossbeam" => RGBColor(0x56, 0xB4, 0xE9),
        "rayon" => RGBColor(0xCC, 0x79, 0xA7),
        "tokio" => RGBColor(0xE6, 0x9F, 0x00),
        "async-std" => RGBColor(0x8C, 0x56, 0x2D),
        _ => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// A value with its spread: (min, median or value, max).
type Point = (f64, f64, f64);

/// What one cell puts on the chart, if anything.
fn value(run: &Run, scenario: &Scenario, cell: &Cell) -> Option<Point> {
    match scenario.measure {
        Measure::Time => cell.timing().map(|t| (t.min, t.median, t.max)),
        Measure::MemoryPerUnit => match tables::per_unit(run, cell)? {
            PerUnit::Bytes(b) => Some((b, b, b)),
            PerUnit::Noise(_) => None,
        },
    }
}

pub fn draw(run: &Run, scenario: &Scenario, path: &Path) -> Result<(), String> {
    let drawn = match scenario.axis {
        None => bars(run, scenario, path),
        Some(_) => lines(run, scenario, path),
    };
    drawn.map_err(|e| format!("{}: {e}", path.display()))
}

/// A linear f64 axis whose labels and grid lines are exactly `ticks`.
#[derive(Clone)]
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

fn ticked(range: Range<f64>, ticks: Vec<f64>) -> Ticked {
    Ticked { range, ticks }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Bold lines only: a light mesh between the ticks would be clutter.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// A log axis over `[lo, hi]` (in log10), ticks where a reader expects them.
struct LogAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    memory: bool,
}

impl LogAxis {
    fn fit(min: f64, max: f64, memory: bool) -> Self {
        let (min, max) = if min > 0.0 && max >= min {
            (min, max)
        } else {
            (1e-3, 1.0)
        };
        let pad = ((max.log10() - min.log10()) * 0.06).max(0.08);
        let (lo, hi) = (min.log10() - pad, max.log10() + pad);
        let inside = |steps: &[f64]| -> Vec<f64> {
            let all = tick_values(memory, steps);
            all.into_iter().filter(|&t| t >= lo && t <= hi).collect()
        };
        let mut ticks = inside(&[1.0]);
        if ticks.len() < 3 {
            ticks = inside(&[1.0, 2.0, 5.0]);
        }
        if ticks.len() < 2 {
            // Too narrow: grow to the 1-2-5 ticks just below and above the data,
            // so that there are always two labels to read by.
            let all = tick_values(memory, &[1.0, 2.0, 5.0]);
            let below = all.iter().copied().rfind(|&t| t <= lo).unwrap_or(lo);
            let above = all.iter().copied().find(|&t| t >= hi).unwrap_or(hi);
            let (lo, hi) = (below - 0.02, above + 0.02);
            let ticks = all.into_iter().filter(|&t| t >= lo && t <= hi).collect();
            return Self {
                lo,
                hi,
                ticks,
                memory,
            };
        }
        Self {
            lo,
            hi,
            ticks,
            memory,
        }
    }

    fn label(&self, t: f64) -> String {
        let v = 10f64.powf(t);
        let (units, names): (&[f64], &[&str]) = if self.memory {
            (
                &[1.0, 1024.0, 1048576.0, 1073741824.0],
                &["B", "KiB", "MiB", "GiB"],
            )
        } else {
            (&[1e-6, 1e-3, 1.0], &["µs", "ms", "s"])
        };
        let i = units.iter().rposition(|&u| v >= u * 0.999).unwrap_or(0);
        format!("{} {}", format_number(v / units[i]), names[i])
    }
}

/// Every tick an axis may have, as log10 values in order: `steps` times 1, 10
/// and 100 of each unit (seconds: µs, ms, s; bytes: B, KiB, MiB, GiB).
fn tick_values(memory: bool, steps: &[f64]) -> Vec<f64> {
    let units: &[f64] = if memory {
        &[1.0, 1024.0, 1024.0 * 1024.0, 1024.0 * 1024.0 * 1024.0]
    } else {
        &[1e-6, 1e-3, 1.0]
    };
    let mut ticks: Vec<f64> = units
        .iter()
        .flat_map(|&u| [1.0, 10.0, 100.0].map(move |d| d * u))
        .flat_map(|du| steps.iter().map(move |m| (m * du).log10()))
        .collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    ticks
}

fn format_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{:.0}", v.round())
    } else {
        format!("{v:.1}")
    }
}

fn unit_title(scenario: &Scenario) -> &'static str {
    match scenario.measure {
        Measure::Time => "wall time (median; whiskers: min–max)",
        Measure::MemoryPerUnit => "memory per live unit",
    }
}

fn bars(run: &Run, scenario: &Scenario, path: &Path) -> DrawResult {
    let rows: Vec<(&Paradigm, Point)> = paradigms::ALL
        .iter()
        .filter_map(|p| {
            Some((
                p,
                value(run, scenario, run.cell(scenario.name, None, p.name)?)?,
            ))
        })
        .collect();
    let n = rows.len().max(1);
    let root = SVGBackend::new(path, (860, 120 + 34 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let min = rows.iter().map(|r| r.1.0).fold(f64::MAX, f64::min);
    let max = rows.iter().map(|r| r.1.2).fold(0.0, f64::max);
    let axis = LogAxis::fit(min, max, scenario.measure == Measure::MemoryPerUnit);
    let names: Vec<&str> = rows.iter().map(|r| r.0.name).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{}: lower is better", scenario.title),
            ("sans-serif", 20),
        )
        .margin(14)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(170)
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
    for (i, (p, (lo, mid, hi))) in rows.iter().enumerate() {
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

fn lines(run: &Run, scenario: &Scenario, path: &Path) -> DrawResult {
    let memory = scenario.measure == Measure::MemoryPerUnit;
    let points: Vec<u64> = run
        .points(scenario.name)
        .into_iter()
        .flatten()
        .filter(|&x| !(memory && x == 0))
        .collect();
    let series: Vec<(&Paradigm, Vec<(usize, Point)>)> = paradigms::ALL
        .iter()
        .map(|p| {
            let line = points
                .iter()
                .enumerate()
                .filter_map(|(i, &x)| {
                    Some((
                        i,
                        value(run, scenario, run.cell(scenario.name, Some(x), p.name)?)?,
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
    let (plot, legend) = root.split_horizontally(760);
    let unit = scenario.axis.map_or("", |a| a.unit);
    let flag = scenario.axis.map_or("", |a| a.flag);
    let last = points.len().saturating_sub(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{}: lower is better", scenario.title),
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
        let c = colour(p.family);
        let style = c.stroke_width(2);
        let xy: Vec<(f64, f64)> = line
            .iter()
            .map(|(i, v)| (*i as f64 + dx, v.1.log10()))
            .collect();
        if p.is_python() {
            chart.draw_series(DashedLineSeries::new(xy.clone(), 7, 5, style))?;
        } else {
            chart.draw_series(LineSeries::new(xy.clone(), style))?;
        }
        for (i, v) in line {
            let x = *i as f64 + dx;
            chart.draw_series([PathElement::new(
                [(x, v.0.log10()), (x, v.2.log10())],
                c.stroke_width(1),
            )])?;
        }
        let outline = outline(p);
        if p.is_python() {
            chart.draw_series(xy.iter().map(|&at| {
                EmptyElement::at(at)
                    + Polygon::new(outline.clone(), WHITE.filled())
                    + PathElement::new(outline.clone(), style)
            }))?;
        } else {
            chart.draw_series(
                xy.iter()
                    .map(|&at| EmptyElement::at(at) + Polygon::new(outline.clone(), c.filled())),
            )?;
        }
    }
    legend.fill(&WHITE)?;
    for (j, (p, _)) in series.iter().enumerate() {
        let y = 60 + 26 * j as i32;
        let c = colour(p.family);
        let style = c.stroke_width(2);
        if p.is_python() {
            legend.draw(&PathElement::new([(10, y), (18, y)], style))?;
            legend.draw(&PathElement::new([(26, y), (34, y)], style))?;
        } else {
            legend.draw(&PathElement::new([(10, y), (34, y)], style))?;
        }
        let outline: Vec<(i32, i32)> = outline(p)
            .iter()
            .map(|&(dx, dy)| (dx + 22, dy + y))
            .collect();
        if p.is_python() {
            legend.draw(&Polygon::new(outline.clone(), WHITE.filled()))?;
            legend.draw(&PathElement::new(outline, style))?;
        } else {
            legend.draw(&Polygon::new(outline, c.filled()))?;
        }
        legend.draw(&Text::new(
            p.name.to_string(),
            (42, y - 8),
            ("sans-serif", 14),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// The outline of a paradigm's marker, closed, around (0, 0) in pixels: a shape
/// per family, so that colours alike differ in shape too (tokio's diamond against
/// processes' triangle); a Python twin has its Rust counterpart's, hollow.
fn outline(p: &Paradigm) -> Vec<(i32, i32)> {
    let points: Vec<(i32, i32)> = match p.family {
        "processes" => vec![(0, -6), (5, 4), (-5, 4)],
        "threads" | "smol" => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        "crossbeam" | "async-std" => vec![(0, 6), (5, -4), (-5, -4)],
        "tokio" => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
        // sequential and rayon: a circle, as a 12-sided polygon.
        _ => (0..12)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::PI / 6.0;
                (
                    (5.0 * a.cos()).round() as i32,
                    (5.0 * a.sin()).round() as i32,
                )
            })
            .collect(),
    };
    let mut closed = points.clone();
    closed.push(points[0]);
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(axis: &LogAxis) -> Vec<String> {
        axis.ticks.iter().map(|&t| axis.label(t)).collect()
    }

    #[test]
    fn ticks_are_round_numbers_in_the_axis_unit() {
        // Four decades of time: powers of ten only.
        let wide = LogAxis::fit(0.002, 5.0, false);
        assert_eq!(labels(&wide), ["10 ms", "100 ms", "1 s"]);
        // Bytes: powers of ten of KiB and MiB, never "9536.7 MiB".
        let memory = LogAxis::fit(400.0, 2.5 * 1024.0 * 1024.0, true);
        assert_eq!(labels(&memory), ["1 KiB", "10 KiB", "100 KiB", "1 MiB"]);
        // A narrow range still gets two 1-2-5 labels around the data.
        let narrow = LogAxis::fit(0.0125, 0.015, false);
        assert_eq!(labels(&narrow), ["10 ms", "20 ms"]);
        assert!(narrow.lo <= 0.0125f64.log10() && narrow.hi >= 0.015f64.log10());
    }
}
