//! One point of one scenario, paradigm by paradigm, in four steps: check (in a
//! memory cgroup where the kernel's share is wanted), count (perf stat and
//! rusage, in [`super::count`]), then time every verified program in
//! interleaved rounds ([`super::rounds`]), and for serve ask wrk. The counting
//! and cgroup passes are runs of their own, so they add nothing to the timed ones.
//!
//! A serve scenario turns this around: the cell's program is the one client
//! (`scenarios::CLIENT`) and what differs is the server it meets, which is what
//! runs in the memory cgroup, is watched for memory and threads, is counted, and
//! is measured by wrk too (see [`super::server`] and [`super::watch`]).
//!
//! An io program meets a fresh api-server for each of these runs, timed runs
//! included: on loopback, the ports a run leaves in TIME_WAIT towards one server
//! port make the next run's `connect()` search past them while they are under a
//! second old (`net.ipv4.tcp_tw_reuse_delay`): measured at 10,000 connections,
//! half of the second run's samples were in `__inet_hash_connect` and it took
//! 1.2-1.4 s instead of 0.7-0.8, with no TCP counter moving. Towards a new port
//! they cost nothing.

use std::path::Path;

use super::{
    Point, Probes,
    check::check,
    count::count,
    rounds::{self, Contender, Timed},
    server::cross_check,
    setup::Setup,
};
use crate::{
    measure::procs,
    measure::program::Attempt,
    measure::progress::Progress,
    measure::tools::Tools,
    results::{Cell, Outcome},
    scenarios::paradigms,
    scenarios::{Limits, Sizes},
};

/// Every paradigm at the point; `None` when the benchmark is stopping.
pub fn measure(
    at: &Point<'_>,
    limits: &Limits,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let setup = Setup::new(at, limits);
    let scenario = at.scenario;
    let mut cells = Vec::new();
    // The verified ones, with where their cell is, for the timed rounds.
    let mut contenders = Vec::new();
    for paradigm in &paradigms::runners(scenario.workload, scenario.sized_pools) {
        if procs::stopping() {
            return Ok(None);
        }
        let (mut cell, opponent) = setup.cell(paradigm, tools);
        let skip = (scenario.skip)(at.x.unwrap_or(0), paradigm, limits);
        if let Some(why) = skip.or_else(|| probes.uring.skip(paradigm)) {
            cell.outcome = Outcome::Skipped(why);
            cells.push(cell);
            continue;
        }
        let expect = setup.expected(paradigm);
        let Some(mut checks) = check(
            &setup, &mut cell, &opponent, &expect, probes, tools, dir, progress,
        )?
        else {
            return Ok(None);
        };
        if checks.failed.is_none() {
            progress.doing(format!("counting {}", paradigm.name));
            match count(
                &cell.command,
                &expect,
                &opponent,
                paradigm.name,
                tools,
                probes,
                dir,
            )? {
                Attempt::Ok(counted) => cell.counters = Some(counted),
                Attempt::Failed(why) => checks.failed = Some(format!("while counted: {why}")),
                Attempt::Stopped => return Ok(None),
            }
            progress.done(1);
        }
        if let Some(why) = checks.failed {
            fail(&mut cell, why, &checks.lines, setup.sizes, progress);
        } else {
            contenders.push((
                cells.len(),
                setup.contender(&mut cell, checks, opponent, dir),
            ));
        }
        cells.push(cell);
    }
    time(&setup, cells, contenders, tools, dir, progress)
}

/// Every verified program of the point, timed in interleaved rounds; then, where
/// the scenario asks, wrk's measure of each server. `None` when stopping.
fn time(
    setup: &Setup<'_>,
    mut cells: Vec<Cell>,
    contenders: Vec<(usize, Contender)>,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let repeats = setup.sizes.repeats_at(setup.at.x.unwrap_or(0));
    let (at_cells, timed): (Vec<usize>, Vec<Contender>) = contenders.into_iter().unzip();
    let Some(results) = rounds::time(&timed, repeats, tools, dir, progress)? else {
        return Ok(None);
    };
    for ((i, contender), result) in at_cells.into_iter().zip(&timed).zip(results) {
        let cell = &mut cells[i];
        match result {
            Timed::Ok(around) => {
                cell.around = Some(around);
                if let Some(why) = cell.noisy() {
                    progress.warn(format!("{} {why}", cell.paradigm));
                }
            }
            Timed::Failed(why) => {
                let lines = cell.lines().to_vec();
                fail(cell, why, &lines, setup.sizes, progress);
                continue;
            }
        }
        if let Some(seconds) = setup.at.scenario.wrk_seconds(setup.at.quick) {
            progress.doing(format!("wrk against {}", cell.paradigm));
            let connections = setup
                .connections
                .expect("a serve scenario sets --concurrency");
            let opponent = &contender.opponent;
            match cross_check(opponent, connections, seconds, &cell.paradigm, tools, dir)? {
                Attempt::Ok(wrk) => cell.wrk = Some(wrk),
                Attempt::Failed(why) => cell.wrk = Some(Err(why)),
                Attempt::Stopped => return Ok(None),
            }
        }
    }
    Ok(Some(cells))
}

/// A cell that FAILED: its reason, said as it happens, and its remaining runs
/// counted as done on the bar.
fn fail(
    cell: &mut Cell,
    why: String,
    lines: &[workload::ResultLine],
    sizes: &Sizes,
    progress: &Progress,
) {
    progress.warn(format!("{} FAILED: {why}", cell.paradigm));
    let r = sizes.repeats_at(cell.x.unwrap_or(0));
    let total = u64::from(sizes.checks + 1 + r.warmup + r.timed);
    let done = lines.len() as u64 + u64::from(cell.counters.is_some());
    progress.done(total.saturating_sub(done));
    // A FAILED cell has no figure at all: no counters, no memory.
    cell.counters = None;
    cell.peaks.clear();
    cell.outcome = Outcome::Failed(why);
}
