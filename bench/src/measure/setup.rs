//! What every cell of a point shares (its programs' flags, whom they serve),
//! and what a paradigm's cell starts as: its command, the result line it must
//! print, and, once verified, its place in the timed rounds.

use std::{path::Path, time::Duration};

use super::{CHECK_LIMIT, Point, rounds::Contender, server::Opponent};
use crate::{
    measure::tools::Tools,
    results::{Cell, Outcome, Peak, raw_json},
    scenarios::paradigms::Paradigm,
    scenarios::{CLIENT, CLIENT_PARADIGM, Limits, Sizes, Workload, placement},
};

/// What every cell of a point shares: its programs' flags and whom they serve.
pub(super) struct Setup<'a> {
    pub at: &'a Point<'a>,
    pub sizes: &'a Sizes,
    /// The scenario's own flags at the point, as the result line must echo them.
    asked: Vec<(&'static str, u64)>,
    /// Every flag of its programs: the asked ones, `--workers`, `--offload`.
    flags: Vec<String>,
    /// The server's `--workers` (serve).
    workers: usize,
    /// `taskset -c LIST` before the cell's program and before its server,
    /// where the scenario pins them ([`super::cpus`]); empty where not.
    pins: [Vec<String>; 2],
    /// serve: the cells' program is the one client, and each meets its own server.
    pub serving: bool,
    /// serve: the client's connections, which a fixed pool may be smaller than.
    pub connections: Option<u64>,
}

/// The checks of one cell: their result lines, memory peaks and longest run.
#[derive(Default)]
pub(super) struct Checks {
    pub lines: Vec<workload::ResultLine>,
    pub peaks: Vec<Option<Peak>>,
    pub slowest: Duration,
    /// Why a check failed; the checks before it are kept, for the progress bar.
    pub failed: Option<String>,
}

impl<'a> Setup<'a> {
    pub(super) fn new(at: &'a Point<'a>, limits: &Limits) -> Self {
        let scenario = at.scenario;
        let sizes = scenario.sizes(at.quick);
        let asked = (sizes.flags)(at.x.unwrap_or(0));
        let mut flags: Vec<String> = asked
            .iter()
            .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
            .collect();
        let placed = placement(scenario, at.x, limits);
        flags.extend(["--workers".into(), placed.program.workers.to_string()]);
        let cpus = super::cpus::allowed(limits.cores);
        let pins =
            [&placed.program, &placed.server].map(|p| super::cpus::taskset(p.cpus.as_ref(), &cpus));
        if scenario.offload {
            flags.push("--offload".into());
        }
        let connections = sizes.connections_at(at.x.unwrap_or(0));
        Setup {
            at,
            sizes,
            asked,
            flags,
            workers: placed.server.workers,
            pins,
            serving: scenario.workload == Workload::Serve,
            connections,
        }
    }

    /// A paradigm's cell, not yet run, and whom its program meets.
    pub(super) fn cell(&self, paradigm: &Paradigm, tools: &Tools) -> (Cell, Opponent) {
        let scenario = self.at.scenario;
        // serve: every cell runs the one client; its server is the paradigm's.
        let program = match self.serving {
            true => vec![tools.bin.join(CLIENT)],
            false => tools.program(paradigm, scenario.workload),
        };
        let mut command = self.pins[0].clone();
        command.extend(program.iter().map(|p| p.to_string_lossy().into()));
        command.extend(self.flags.iter().cloned());
        let skipped = Outcome::Skipped(String::new());
        let mut cell = Cell::new(scenario.name, self.at.x, paradigm.name, command, skipped);
        let mut opponent = Opponent::of(
            scenario.workload,
            paradigm,
            self.workers,
            self.connections,
            tools,
        );
        if let Opponent::Own(server, note) = &mut opponent {
            server.splice(0..0, self.pins[1].iter().cloned());
            (cell.server, cell.note) = (server.clone(), note.clone());
        }
        (cell, opponent)
    }

    /// What its result line must say: the workload, paradigm and sizes it ran
    /// (for serve, the client's: io and tokio).
    pub(super) fn expected(&self, paradigm: &Paradigm) -> Vec<(String, String)> {
        let (workload, client) = match self.serving {
            true => (Workload::Io, CLIENT_PARADIGM),
            false => (self.at.scenario.workload, paradigm.name),
        };
        let mut expect = vec![
            ("workload".to_string(), workload.name().to_string()),
            ("paradigm".to_string(), client.to_string()),
        ];
        let asked = self.asked.iter();
        expect.extend(asked.map(|(f, v)| (f[2..].replace('-', "_"), v.to_string())));
        if self.at.scenario.offload {
            expect.push(("offload".into(), "true".into()));
        }
        expect
    }

    /// A verified cell's program, waiting for its timed runs; the cell takes its
    /// checks' result lines and peaks.
    pub(super) fn contender(
        &self,
        cell: &mut Cell,
        checks: Checks,
        opponent: Opponent,
        dir: &Path,
    ) -> Contender {
        // All or nothing: a peak from every check, or none.
        cell.peaks = checks
            .peaks
            .into_iter()
            .collect::<Option<_>>()
            .unwrap_or_default();
        cell.outcome = Outcome::Ok {
            lines: checks.lines,
            timing: None,
        };
        // Generous: a run that takes three times its check, or ten minutes.
        let warmup = self.sizes.repeats_at(self.at.x.unwrap_or(0)).warmup;
        let limit = CHECK_LIMIT.max(checks.slowest * 3 * (warmup + 1));
        // The machine's switches during the counting run, as the timed runs'
        // are read; the program's own where they were not. (A serve cell's
        // counters are its server's: nothing to compare.)
        let counted = match (self.serving, cell.counters) {
            (false, Some(c)) => c.cpu_us.map(|us| {
                let switches = c.machine_switches.unwrap_or(c.voluntary + c.involuntary);
                (us as f64 / 1e6, switches)
            }),
            _ => None,
        };
        Contender {
            name: cell.paradigm.clone(),
            command: cell.command.clone(),
            opponent,
            limit,
            counted,
            json: raw_json(dir, &cell.scenario, cell.x, &cell.paradigm),
        }
    }
}
