//! A sweep across cores: a line per paradigm over the cores (a log2 axis, one
//! tick per point), of its speed-up against one core with the ideal y = x
//! (cpu, log2 too), or of its requests per second per core from zero (serve,
//! where the ideal is flat as far as the client keeps up: a point where it may
//! not is starred). Each value is the one its table gives
//! ([`crate::render::sweep::scaling`]): a ratio of mean times ± hyperfine's
//! uncertainty, or a rate from the median time between the slowest and the
//! fastest run's.

use std::path::Path;

use plotters::prelude::*;

use super::{DrawResult, axis::ticked, colour, outline};
use crate::{
    render::sweep::{client_bound_at, scaling},
    results::Record,
    scenarios::paradigms::{self, Paradigm},
    scenarios::{Scenario, Workload},
};

type Line = Vec<(f64, (f64, f64, f64))>;

pub fn draw(record: &Record, scenario: &Scenario, path: &Path) -> Result<(), String> {
    plot(record, scenario, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn plot(record: &Record, scenario: &Scenario, path: &Path) -> DrawResult {
    let serving = scenario.workload == Workload::Serve;
    let xs: Vec<u64> = record.points(scenario.name).into_iter().flatten().collect();
    // cpu: both axes log2, where the ideal y = x is the diagonal; serve: rates.
    let y_of = |v: f64| if serving { v } else { v.log2() };
    let series: Vec<(&Paradigm, Line)> = paradigms::ROWS
        .iter()
        .map(|p| {
            let line = xs.iter().filter_map(|&x| {
                let v = scaling(record, record.cell(scenario.name, Some(x), p.name)?)?;
                Some(((x as f64).log2(), (y_of(v.0), y_of(v.1), y_of(v.2))))
            });
            (p, line.collect())
        })
        .filter(|(_, line): &(_, Line)| !line.is_empty())
        .collect();
    // serve: the points whose client may have set the rate, starred.
    let bound: Vec<u64> = xs
        .iter()
        .copied()
        .filter(|&x| serving && client_bound_at(record, scenario, x))
        .collect();
    let top_x = xs.last().map_or(0.0, |&x| (x as f64).log2());
    let values = series.iter().flat_map(|s| s.1.iter().map(|v| v.1));
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| {
        (lo.min(v.0), hi.max(v.2))
    });
    let (y_range, y_ticks) = match serving {
        true => {
            let hi = if hi > 0.0 { hi * 1.15 } else { 1.0 };
            (0.0..hi, linear_ticks(hi))
        }
        false => {
            // A dip within the margin below 1× (a whisker) needs no tick of its own.
            let (lo, hi) = ((lo.min(0.0) + 0.15).floor(), hi.max(top_x).ceil().max(1.0));
            (
                (lo - 0.2)..(hi + 0.2),
                (lo as i32..=hi as i32).map(f64::from).collect(),
            )
        }
    };
    let root = SVGBackend::new(path, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, legend) = root.split_horizontally(760);
    let caption = match (serving, bound.is_empty()) {
        (true, true) => "requests/s per core: flat is ideal",
        (true, false) => "requests/s per core: flat is ideal (*: client-bound possible)",
        (false, _) => "speed-up against one core: higher is better",
    };
    let x_ticks: Vec<f64> = xs.iter().map(|&x| (x as f64).log2()).collect();
    let mut chart = ChartBuilder::on(&plot)
        .caption(format!("{}, {caption}", scenario.title), ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(ticked(-0.4..top_x + 0.4, x_ticks), ticked(y_range, y_ticks))?;
    let y_desc = match serving {
        true => "requests/s per core (from the median time; whiskers: min–max)",
        false => "speed-up over 1 core (mean times, ± uncertainty), log scale",
    };
    chart
        .configure_mesh()
        .x_desc("cores (--workers, pinned to as many CPUs), log scale")
        .y_desc(y_desc)
        .x_label_formatter(&|t| {
            let x = 2f64.powf(*t).round() as u64;
            let star = if bound.contains(&x) { "*" } else { "" };
            format!("{x}{star}")
        })
        .y_label_formatter(&|t| match serving {
            true => rate_label(*t),
            false => format!("{}×", 2f64.powi(t.round() as i32)),
        })
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    if !serving {
        let ideal = RGBColor(0x99, 0x99, 0x99).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (top_x, top_x)],
            6,
            4,
            ideal,
        ))?;
    }
    for (p, line) in &series {
        let c = colour(p.family);
        let xy: Vec<(f64, f64)> = line.iter().map(|(x, v)| (*x, v.1)).collect();
        chart.draw_series(LineSeries::new(xy.clone(), c.stroke_width(2)))?;
        for (x, v) in line {
            let whisker = PathElement::new([(*x, v.0), (*x, v.2)], c.stroke_width(1));
            chart.draw_series([whisker])?;
        }
        let shape = outline(p);
        let markers = xy
            .iter()
            .map(|&at| EmptyElement::at(at) + Polygon::new(shape.clone(), c.filled()));
        chart.draw_series(markers)?;
    }
    legend.fill(&WHITE)?;
    let mut y = 60;
    if !serving {
        let ideal = RGBColor(0x99, 0x99, 0x99).stroke_width(1);
        legend.draw(&PathElement::new([(10, y), (18, y)], ideal))?;
        legend.draw(&PathElement::new([(26, y), (34, y)], ideal))?;
        legend.draw(&Text::new(
            "ideal: = cores",
            (42, y - 8),
            ("sans-serif", 14),
        ))?;
        y += 26;
    }
    for (p, _) in &series {
        let c = colour(p.family);
        legend.draw(&PathElement::new([(10, y), (34, y)], c.stroke_width(2)))?;
        let shape: Vec<(i32, i32)> = outline(p)
            .iter()
            .map(|&(dx, dy)| (dx + 22, dy + y))
            .collect();
        legend.draw(&Polygon::new(shape, c.filled()))?;
        legend.draw(&Text::new(
            p.name.to_string(),
            (42, y - 8),
            ("sans-serif", 14),
        ))?;
        y += 26;
    }
    if !bound.is_empty() {
        let note = [
            "* client-bound possible:",
            "the client shared the",
            "server's CPUs, or had",
            "fewer of its own",
        ];
        for line in note {
            legend.draw(&Text::new(line, (10, y), ("sans-serif", 13)))?;
            y += 18;
        }
    }
    root.present()?;
    Ok(())
}

/// Ticks from zero to `hi` at 1, 2 or 5 times a power of ten, four to ten of them.
fn linear_ticks(hi: f64) -> Vec<f64> {
    let magnitude = 10f64.powi((hi / 4.0).log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| hi / s <= 10.0)
        .unwrap_or(magnitude * 10.0);
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|&t| t <= hi)
        .collect()
}

fn rate_label(r: f64) -> String {
    match r {
        r if r >= 1_000.0 => format!("{}k/s", r / 1_000.0),
        r => format!("{r}/s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_ticks_are_round_and_start_at_zero() {
        assert_eq!(linear_ticks(46_000.0), [0.0, 10e3, 20e3, 30e3, 40e3]);
        assert_eq!(linear_ticks(9_000.0)[..3], [0.0, 1e3, 2e3]);
        assert_eq!(rate_label(20_000.0), "20k/s");
        assert_eq!(rate_label(2_500.0), "2.5k/s");
    }

    /// `bench report` on a sweep: its section in report.md and the README's, and
    /// the scaling charts, the ideal drawn for cpu.
    #[test]
    fn a_sweep_reports_with_its_scaling_charts() {
        let dir = std::env::temp_dir().join(format!("bench-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut run = crate::render::sweep::fixtures::small();
        run.dir = dir.clone();
        crate::render::write(&run).unwrap();
        let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
        let chart = |name: &str| std::fs::read_to_string(dir.join("charts").join(name)).unwrap();
        let (cpu, serve) = (
            chart("cpu-cores-scaling.svg"),
            chart("serve-cores-scaling.svg"),
        );
        let readme = crate::render::readme::summary(&run, "results/x");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(report.contains("## cpu across cores\n"), "{report}");
        assert!(
            report.contains("| tokio | 1.40 s | 700.0 ms, 2.00 ± 0.03× |"),
            "{report}"
        );
        assert!(
            report.contains("](charts/serve-cores-scaling.svg)"),
            "{report}"
        );
        assert!(
            cpu.contains("ideal: = cores") && cpu.contains("tokio"),
            "{cpu}"
        );
        assert!(
            serve.contains("requests/s per core") && !serve.contains("ideal: = cores"),
            "{serve}"
        );
        // At 2 of 2 cores the client shared the server's CPUs: starred, and said.
        assert!(
            serve.contains("\n2*\n</text>") && serve.contains("client-bound possible:"),
            "{serve}"
        );
        assert!(!cpu.contains("client-bound"), "{cpu}");
        assert!(
            readme.contains("](results/x/charts/cpu-cores-scaling.svg)"),
            "{readme}"
        );
    }
}
