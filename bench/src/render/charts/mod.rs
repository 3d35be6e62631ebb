//! One SVG per scenario: horizontal bars for a single point ([`bars`]), a line
//! per paradigm for a scan ([`lines`]), and for a sweep across cores a second,
//! of its scaling ([`scaling`]); bars and lines on log axes fitted to the data with
//! ticks at 1-2-5 or powers of ten in the axis's unit ([`axis`]), min–max whiskers
//! from hyperfine's runs, one hue per paradigm family (Rust solid, Python dashed
//! and hollow), a marker shape per family, and the legend outside the plot so
//! that it hides no data.

mod axis;
mod bars;
mod lines;
pub mod scaling;

use std::path::Path;

use plotters::{coord::Shift, prelude::*};

use crate::{
    render::figures,
    results::stats::PerUnit,
    results::{Cell, Record},
    scenarios::paradigms::Paradigm,
    scenarios::{Measure, Scenario},
};

pub use axis::{LogAxis, Ticked, ticked};

pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A chart's plot: x and y on axes with the ticks a reader expects.
pub type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

/// Okabe–Ito's colour-blind-safe hues and four more, one per Rust paradigm;
/// Python's twins take their Rust counterpart's.
pub fn colour(family: &str) -> RGBColor {
    match family {
        "sequential" => RGBColor(0x44, 0x44, 0x44),
        "processes" => RGBColor(0xD5, 0x5E, 0x00),
        "threads" => RGBColor(0x00, 0x72, 0xB2),
        "crossbeam" => RGBColor(0x56, 0xB4, 0xE9),
        "rayon" => RGBColor(0xCC, 0x79, 0xA7),
        "tokio" => RGBColor(0xE6, 0x9F, 0x00),
        "async-std" => RGBColor(0x8C, 0x56, 0x2D),
        // Thread-per-core: tokio-per-core a dark gold beside tokio's orange; compio crimson.
        "tokio-per-core" => RGBColor(0x99, 0x80, 0x00),
        "compio" => RGBColor(0xB2, 0x18, 0x2B),
        // The reference server (hyper on tokio), not a paradigm.
        "api-server" => RGBColor(0x6A, 0x3D, 0x9A),
        _ => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// A value with its spread: (min, median or value, max).
type Point = (f64, f64, f64);

/// What one cell puts on the chart, if anything.
fn value(record: &Record, scenario: &Scenario, cell: &Cell) -> Option<Point> {
    match scenario.measure {
        Measure::Time => cell.timing().map(|t| (t.min, t.median, t.max)),
        Measure::TimePerWork => {
            let (n, _) = figures::units_of_work(cell)?;
            cell.timing().map(|t| (t.min / n, t.median / n, t.max / n))
        }
        Measure::MemoryPerUnit => match figures::per_unit(record, cell)? {
            PerUnit::Bytes(b) => Some((b, b, b)),
            PerUnit::Noise(_) => None,
        },
        Measure::Latency => figures::p99(cell).map(|s| (s, s, s)),
        Measure::ServerMemory => {
            figures::server_memory(cell, crate::results::stats::Memory::UserSpace)
                .map(|b| (b, b, b))
        }
    }
}

pub fn draw(record: &Record, scenario: &Scenario, path: &Path) -> Result<(), String> {
    let drawn = match scenario.axis {
        None => bars::draw(record, scenario, path),
        Some(_) => lines::draw(record, scenario, path),
    };
    drawn.map_err(|e| format!("{}: {e}", path.display()))
}

/// The chart's title: the scenario's, and which figure when it has two.
fn caption(scenario: &Scenario) -> String {
    match scenario.measure {
        Measure::Latency => format!("{}, p99 latency", scenario.title),
        Measure::ServerMemory => format!("{}, the server's memory per connection", scenario.title),
        _ => scenario.title.to_string(),
    }
}

fn unit_title(scenario: &Scenario) -> &'static str {
    match scenario.measure {
        Measure::Time => "wall time (median; whiskers: min–max)",
        Measure::TimePerWork => "wall time per unit of work (median; whiskers: min–max)",
        Measure::MemoryPerUnit => "memory per live unit",
        Measure::Latency => "p99 request latency (the verified run's)",
        Measure::ServerMemory => "server memory per connection: (VmHWM - idle VmRSS) / connections",
    }
}

/// The outline of a paradigm's marker, closed, around (0, 0) in pixels: a shape
/// per family, so that colours alike differ in shape too (tokio's diamond against
/// processes' triangle; tokio-per-core's cross, compio's triangle pointing right);
/// a Python twin has its Rust counterpart's, hollow.
fn outline(p: &Paradigm) -> Vec<(i32, i32)> {
    let points: Vec<(i32, i32)> = match p.family {
        "processes" => vec![(0, -6), (5, 4), (-5, 4)],
        "threads" | "smol" => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        "crossbeam" | "async-std" => vec![(0, 6), (5, -4), (-5, -4)],
        "tokio" => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
        "tokio-per-core" => vec![
            (-2, -6),
            (2, -6),
            (2, -2),
            (6, -2),
            (6, 2),
            (2, 2),
            (2, 6),
            (-2, 6),
            (-2, 2),
            (-6, 2),
            (-6, -2),
            (-2, -2),
        ],
        "compio" => vec![(6, 0), (-4, 5), (-4, -5)],
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

/// A paradigm's line through `xy`: solid for Rust, dashed for Python.
pub fn draw_line(chart: &mut Plot<'_, '_>, p: &Paradigm, xy: &[(f64, f64)]) -> DrawResult {
    let style = colour(p.family).stroke_width(2);
    if p.is_python() {
        chart.draw_series(DashedLineSeries::new(xy.to_vec(), 7, 5, style))?;
    } else {
        chart.draw_series(LineSeries::new(xy.to_vec(), style))?;
    }
    Ok(())
}

/// A paradigm's markers at `xy`: its family's shape, filled for Rust, hollow for Python.
pub fn markers(chart: &mut Plot<'_, '_>, p: &Paradigm, xy: &[(f64, f64)]) -> DrawResult {
    let c = colour(p.family);
    let style = c.stroke_width(2);
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
    Ok(())
}

/// The legend in a column of its own, so that it can never cover a line: a
/// row per paradigm, its line and marker as drawn.
pub fn legend(area: &DrawingArea<SVGBackend<'_>, Shift>, names: &[&Paradigm]) -> DrawResult {
    area.fill(&WHITE)?;
    for (j, p) in names.iter().enumerate() {
        let y = 60 + 26 * j as i32;
        let c = colour(p.family);
        let style = c.stroke_width(2);
        if p.is_python() {
            area.draw(&PathElement::new([(10, y), (18, y)], style))?;
            area.draw(&PathElement::new([(26, y), (34, y)], style))?;
        } else {
            area.draw(&PathElement::new([(10, y), (34, y)], style))?;
        }
        let outline: Vec<(i32, i32)> = outline(p)
            .iter()
            .map(|&(dx, dy)| (dx + 22, dy + y))
            .collect();
        if p.is_python() {
            area.draw(&Polygon::new(outline.clone(), WHITE.filled()))?;
            area.draw(&PathElement::new(outline, style))?;
        } else {
            area.draw(&Polygon::new(outline, c.filled()))?;
        }
        area.draw(&Text::new(
            p.name.to_string(),
            (42, y - 8),
            ("sans-serif", 14),
        ))?;
    }
    Ok(())
}
