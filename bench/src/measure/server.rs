//! The server a cell's program meets in each of its runs, started afresh for
//! each: none, the api-server (io), or the cell's own (serve), with what is read
//! from a serve cell's server from outside: its memory and threads while the
//! client runs, and wrk's measure of its throughput.

use std::{fs, path::Path, time::Duration};

use crate::{
    measure::cgroup::Cgroup,
    measure::procs::{self, Ended, Group},
    measure::program::{Attempt, Server},
    measure::tools::Tools,
    measure::watch::{self, Sampler},
    measure::wrk,
    results::{ServerMemory, Wrk},
    scenarios::{Meets, Workload, paradigms::Paradigm},
};

/// The server a cell's program meets in each of its runs, started afresh for
/// each: what its workload [`Meets`], made concrete.
pub(super) enum Opponent {
    /// cpu, spawn, ring: none.
    Nobody,
    /// io: the api-server.
    ApiServer,
    /// serve: the cell's own server (its command, without `--listen`), which the
    /// memory cgroup, the memory watch and the counting pass are about, and what
    /// limits it beside its paradigm (a pool's note; empty for the others).
    Own(Vec<String>, String),
}

impl Opponent {
    /// Whom a program of `workload` meets: for serve, the paradigm's server with
    /// `workers` (a sized pool: at least a worker per connection, never fewer
    /// than the cores).
    pub(super) fn of(
        workload: Workload,
        paradigm: &Paradigm,
        workers: usize,
        connections: Option<u64>,
        tools: &Tools,
    ) -> Self {
        match workload.meets() {
            Meets::ApiServer => Opponent::ApiServer,
            Meets::Own => {
                let mut server: Vec<String> = tools
                    .program(paradigm, workload)
                    .iter()
                    .map(|p| p.to_string_lossy().into())
                    .collect();
                let pool = match (paradigm.sized, connections) {
                    (true, Some(c)) => workers.max(c as usize),
                    _ => workers,
                };
                server.extend(["--workers".into(), pool.to_string()]);
                let note = pool_note(paradigm, pool, connections);
                Opponent::Own(server, note)
            }
            Meets::Nobody => Opponent::Nobody,
        }
    }
}

/// What a fixed pool's server cell says of its pool against the connections.
fn pool_note(paradigm: &Paradigm, pool: usize, connections: Option<u64>) -> String {
    let (Some(c), true) = (connections, paradigm.is_fixed_pool()) else {
        return String::new();
    };
    match pool as u64 {
        w if w < c => format!(
            "a pool of {w} workers for {c} connections: {} wait for a free worker for the whole run",
            c - w
        ),
        w if w == c => format!("a pool of {w} workers, one per connection"),
        w => format!(
            "a pool of {w} workers for {c} connections: a worker for each, and some to spare"
        ),
    }
}

/// A fresh server for a program that meets one (its command passed through
/// `wrap`, for a cgroup or perf, where it is the cell's own), nothing for the others.
pub(super) fn serve(
    opponent: &Opponent,
    wrap: &dyn Fn(&[String]) -> Vec<String>,
    name: &str,
    tools: &Tools,
    dir: &Path,
) -> Result<Attempt<Option<Server>>, String> {
    let started = match opponent {
        Opponent::Nobody => return Ok(Attempt::Ok(None)),
        Opponent::ApiServer => Server::api_server(tools, dir)?,
        Opponent::Own(command, _) => Server::start(&wrap(command), &format!("serve.{name}"), dir)?,
    };
    Ok(match started {
        Attempt::Ok(server) => Attempt::Ok(Some(server)),
        Attempt::Failed(why) => Attempt::Failed(why),
        Attempt::Stopped => Attempt::Stopped,
    })
}

/// The command with `--server ADDR` added for a program that meets a server.
pub(super) fn with_server(command: &[String], server: Option<&Server>) -> Vec<String> {
    let mut command = command.to_vec();
    if let Some(server) = server {
        command.extend(["--server".into(), server.addr.clone()]);
    }
    command
}

/// wrk against a fresh server of the cell: the throughput a client that is not
/// ours gets from it, with as many connections as the scenario's client.
pub(super) fn cross_check(
    opponent: &Opponent,
    connections: u64,
    seconds: u64,
    name: &str,
    tools: &Tools,
    dir: &Path,
) -> Result<Attempt<Result<Wrk, String>>, String> {
    let wrk = match &tools.wrk {
        Ok(wrk) => wrk,
        Err(why) => return Ok(Attempt::Ok(Err(why.clone()))),
    };
    let server = match serve(opponent, &|c| c.to_vec(), name, tools, dir)? {
        Attempt::Ok(Some(server)) => server,
        Attempt::Ok(None) => return Err("wrk needs a server".into()),
        Attempt::Failed(why) => return Ok(Attempt::Failed(why)),
        Attempt::Stopped => return Ok(Attempt::Stopped),
    };
    let out_path = dir.join("raw/wrk.out");
    let out = fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let mut command = wrk::wrk_command(wrk, &server.addr, connections, seconds);
    command.stdout(out).stderr(std::process::Stdio::null());
    let mut group = match Group::spawn(&mut command) {
        Ok(group) => group,
        Err(_) if procs::stopping() => return Ok(Attempt::Stopped),
        Err(e) => return Ok(Attempt::Ok(Err(format!("wrk cannot start: {e}")))),
    };
    let ended = group
        .wait(Some(Duration::from_secs(seconds + 30)))
        .map_err(|e| e.to_string())?;
    let text = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path); // scratch: the numbers go into the cell
    Ok(match ended {
        _ if procs::stopping() => Attempt::Stopped,
        Ended::Exited(status) if status.success() => {
            Attempt::Ok(wrk::parse_wrk(&text, connections, seconds))
        }
        Ended::Exited(status) => Attempt::Ok(Err(format!("wrk: {status}: {:.200}", text.trim()))),
        Ended::TimedOut | Ended::Stopped => Attempt::Ok(Err("wrk did not finish".into())),
    })
}

/// A serve cell's server, watched during a verified run: idle memory when it
/// starts, its threads meanwhile, its peak after.
pub(super) struct Watch {
    idle_kib: u64,
    cgroup_idle: Option<u64>,
    sampler: Sampler,
}

impl Watch {
    pub(super) fn start(server: &Server, cgroup: &Option<Cgroup>) -> Self {
        let group = server.group();
        // Start-up's peaks (Python's imports, a runtime's first allocations) are
        // not the connections'.
        watch::reset_peaks(group);
        if let Some(cgroup) = cgroup {
            cgroup.reset_peak();
        }
        Watch {
            idle_kib: watch::snapshot(group).0,
            cgroup_idle: cgroup.as_ref().and_then(|c| c.usage().ok()),
            sampler: Sampler::start(group),
        }
    }

    pub(super) fn finish(self) -> ServerMemory {
        let (threads, (_, peak_kib, _, processes)) = self.sampler.finish();
        ServerMemory {
            idle_kib: self.idle_kib,
            peak_kib,
            threads,
            processes,
            cgroup_idle: self.cgroup_idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed pool's note says whether connections wait, on any machine.
    #[test]
    fn a_pool_says_whether_connections_wait() {
        let crossbeam = crate::scenarios::paradigms::named("crossbeam").unwrap();
        let note = pool_note(crossbeam, 2, Some(4));
        assert_eq!(
            note,
            "a pool of 2 workers for 4 connections: 2 wait for a free worker for the whole run"
        );
        assert_eq!(
            pool_note(crossbeam, 4, Some(4)),
            "a pool of 4 workers, one per connection"
        );
        assert!(pool_note(crossbeam, 16, Some(4)).contains("a worker for each"));
        assert_eq!(
            pool_note(
                crate::scenarios::paradigms::named("tokio").unwrap(),
                2,
                Some(4)
            ),
            ""
        );
    }
}
