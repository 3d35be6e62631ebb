//! Where a run is: point k of n, the program at work, elapsed and time left. A
//! bar on a terminal; plain lines in a log (CI); only failures with `--quiet`.

use std::{io::IsTerminal, time::Duration};

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    /// Counts program runs (checks, warm-ups and timed runs) done of all planned.
    bar: ProgressBar,
    drawn: bool,
    quiet: bool,
    points: usize,
    point: usize,
    label: String,
}

impl Progress {
    pub fn new(runs: u64, points: usize, quiet: bool) -> Self {
        let drawn = !quiet && std::io::stderr().is_terminal();
        let target = if drawn {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(runs), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:24}] {elapsed_precise} elapsed\n  {wide_msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        if drawn {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Self {
            bar,
            drawn,
            quiet,
            points,
            point: 0,
            label: String::new(),
        }
    }

    /// The next point begins.
    pub fn point(&mut self, label: String) {
        self.point += 1;
        self.bar
            .set_prefix(format!("point {} of {}: {label}", self.point, self.points));
        self.label = label;
        if !self.drawn && !self.quiet {
            let left = self
                .left()
                .map_or(String::new(), |l| format!(", ~{} left", HumanDuration(l)));
            eprintln!(
                "[bench] point {} of {}: {} ({} elapsed{left})",
                self.point,
                self.points,
                self.label,
                HumanDuration(self.bar.elapsed())
            );
        }
    }

    /// What the run is doing now: `checking tokio`, `timing 10 programs`.
    pub fn doing(&self, what: String) {
        if self.drawn {
            let left = self
                .left()
                .map_or(String::new(), |l| format!(", ~{} left", HumanDuration(l)));
            self.bar.set_message(format!("{what}{left}"));
        }
    }

    /// Time left at the average pace so far: steadier than a recent rate, since
    /// a run's programs differ a hundredfold in how long one run takes.
    fn left(&self) -> Option<Duration> {
        let (done, all) = (self.bar.position(), self.bar.length()?);
        (done > 0).then(|| {
            self.bar
                .elapsed()
                .mul_f64((all - done.min(all)) as f64 / done as f64)
        })
    }

    /// `n` more program runs are done.
    pub fn done(&self, n: u64) {
        self.bar.inc(n);
    }

    /// A line that must be seen even with `--quiet`: a failure.
    pub fn warn(&self, line: String) {
        self.bar
            .suspend(|| eprintln!("[bench] {}: {line}", self.label));
    }

    /// A line for the log, not for `--quiet`.
    pub fn say(&self, line: String) {
        if !self.quiet {
            self.bar.suspend(|| eprintln!("[bench] {line}"));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
