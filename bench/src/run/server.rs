//! The server a cell's program meets in each of its runs, started afresh for
//! each: none, the api-server (io), or the cell's own (serve), with what is read
//! from a serve cell's server from outside: its memory and threads while the
//! client runs, and wrk's measure of its throughput.

use std::{fs, path::Path, time::Duration};

use crate::{
    cgroup::Cgroup,
    paradigms::Tools,
    procs::{self, Ended, Group},
    program::{Ran, Server},
    serving::{self, Sampler, ServerMemory, Wrk},
};

/// Which server a cell's program meets in each of its runs, started afresh for each.
pub(super) enum Meets {
    /// cpu, spawn, ring: none.
    Nobody,
    /// io: the api-server.
    ApiServer,
    /// serve: the cell's own server (its command, without `--listen`), which the
    /// memory cgroup, the memory watch and the counting pass are about.
    Own(Vec<String>),
}

/// A fresh server for a program that meets one (its command passed through
/// `wrap`, for a cgroup or perf, where it is the cell's own), nothing for the others.
pub(super) fn serve(
    meets: &Meets,
    wrap: &dyn Fn(&[String]) -> Vec<String>,
    name: &str,
    tools: &Tools,
    dir: &Path,
) -> Result<Ran<Option<Server>>, String> {
    let started = match meets {
        Meets::Nobody => return Ok(Ran::Ok(None)),
        Meets::ApiServer => Server::api_server(tools, dir)?,
        Meets::Own(command) => Server::start(&wrap(command), &format!("serve.{name}"), dir)?,
    };
    Ok(match started {
        Ran::Ok(server) => Ran::Ok(Some(server)),
        Ran::Failed(why) => Ran::Failed(why),
        Ran::Stopped => Ran::Stopped,
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
    meets: &Meets,
    connections: u64,
    quick: bool,
    name: &str,
    tools: &Tools,
    dir: &Path,
) -> Result<Ran<Result<Wrk, String>>, String> {
    let wrk = match &tools.wrk {
        Ok(wrk) => wrk,
        Err(why) => return Ok(Ran::Ok(Err(why.clone()))),
    };
    let server = match serve(meets, &|c| c.to_vec(), name, tools, dir)? {
        Ran::Ok(Some(server)) => server,
        Ran::Ok(None) => return Err("wrk needs a server".into()),
        Ran::Failed(why) => return Ok(Ran::Failed(why)),
        Ran::Stopped => return Ok(Ran::Stopped),
    };
    let seconds = if quick { 1 } else { 3 };
    let out_path = dir.join("raw/wrk.out");
    let out = fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let mut command = serving::wrk_command(wrk, &server.addr, connections, seconds);
    command.stdout(out).stderr(std::process::Stdio::null());
    let mut group = match Group::spawn(&mut command) {
        Ok(group) => group,
        Err(_) if procs::stopping() => return Ok(Ran::Stopped),
        Err(e) => return Ok(Ran::Ok(Err(format!("wrk cannot start: {e}")))),
    };
    let ended = group
        .wait(Some(Duration::from_secs(seconds + 30)))
        .map_err(|e| e.to_string())?;
    let text = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path); // scratch: the numbers go into the cell
    Ok(match ended {
        _ if procs::stopping() => Ran::Stopped,
        Ended::Exited(status) if status.success() => {
            Ran::Ok(serving::parse_wrk(&text, connections, seconds))
        }
        Ended::Exited(status) => Ran::Ok(Err(format!("wrk: {status}: {:.200}", text.trim()))),
        Ended::TimedOut | Ended::Stopped => Ran::Ok(Err("wrk did not finish".into())),
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
        serving::reset_peaks(group);
        if let Some(cgroup) = cgroup {
            cgroup.reset_peak();
        }
        Watch {
            idle_kib: serving::snapshot(group).0,
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
