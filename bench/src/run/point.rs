//! One point of one scenario, paradigm by paradigm: check (in a memory cgroup
//! where the kernel's share is wanted), count (perf stat and rusage), then time
//! with hyperfine. The counting and cgroup passes are runs of their own, so they
//! add nothing to the timed ones.
//!
//! A serve scenario turns this around: the cell's program is the one client
//! (`scenarios::CLIENT`) and what differs is the server it meets, which is what
//! runs in the memory cgroup, is watched for memory and threads, is counted, and
//! is measured by wrk too (see [`crate::serving`]).
//!
//! An io program meets a fresh api-server for each of these runs: on loopback,
//! ports left in TIME_WAIT towards one server port slow the next 10,000
//! connections to it by half (measured: 0.68 s to a fresh port, 1.23 s to a used
//! one), while towards a new port they cost nothing. The runs of one timing share
//! a server: at 1,000 connections eight runs in a row to one port took the same
//! time (0.25-0.27 s).

use std::{
    fs,
    path::Path,
    time::{Duration, Instant},
};

use super::Probes;
use crate::{
    cgroup::{Cgroup, Peak},
    counters::{self, Counters, Counting},
    paradigms::{self, Tools},
    procs::{self, Ended, Group},
    program::{self, Ran, Server},
    progress::Progress,
    results::{Cell, Outcome, raw_json},
    scenarios::{CLIENT, CLIENT_PARADIGM, Limits, Scenario},
    serving::{self, Sampler, ServerMemory, Wrk},
};

/// A check that has not answered by then has hung: FAILED.
const CHECK_LIMIT: Duration = Duration::from_secs(600);
/// A server given SIGINT with nothing in flight that has not exited by then
/// does not stop as it should: FAILED.
const STOP_LIMIT: Duration = Duration::from_secs(30);

/// Which server a cell's program meets in each of its runs, started afresh for each.
enum Meets {
    /// cpu, spawn, ring: none.
    Nobody,
    /// io: the api-server.
    ApiServer,
    /// serve: the cell's own server (its command, without `--listen`), which the
    /// memory cgroup, the memory watch and the counting pass are about.
    Own(Vec<String>),
}

/// Where a run is: a scenario's point, at full or quick size.
pub struct Point<'a> {
    pub scenario: &'a Scenario,
    pub x: Option<u64>,
    pub quick: bool,
}

/// Every paradigm at the point; `None` when the benchmark is stopping.
pub fn run(
    at: &Point<'_>,
    limits: &Limits,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Cell>>, String> {
    let Point { scenario, x, quick } = *at;
    let sizes = scenario.sizes(quick);
    let at = x.unwrap_or(0);
    let r = sizes.runs_at(at);
    let asked = (sizes.flags)(at);
    let mut flags: Vec<String> = asked
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect();
    let workers = scenario.workers.unwrap_or(limits.cores);
    flags.extend(["--workers".into(), workers.to_string()]);
    if scenario.offload {
        flags.push("--offload".into());
    }
    let serving = scenario.workload == "serve";
    let mut cells = Vec::new();
    for paradigm in paradigms::runners(scenario.workload) {
        if procs::stopping() {
            return Ok(None);
        }
        // serve: every cell runs the one client; its server is the paradigm's.
        let program = match serving {
            true => vec![tools.bin.join(CLIENT)],
            false => paradigm.program(scenario.workload, tools),
        };
        let mut command: Vec<String> = program.iter().map(|p| p.to_string_lossy().into()).collect();
        command.extend(flags.iter().cloned());
        let skipped = Outcome::Skipped(String::new());
        let mut cell = Cell::new(scenario.name, x, paradigm.name, command, skipped);
        let meets = match scenario.workload {
            "io" => Meets::ApiServer,
            "serve" => {
                let mut server: Vec<String> = paradigm
                    .program("serve", tools)
                    .iter()
                    .map(|p| p.to_string_lossy().into())
                    .collect();
                server.extend(["--workers".into(), workers.to_string()]);
                cell.server = server.clone();
                Meets::Own(server)
            }
            _ => Meets::Nobody,
        };
        if let Some(why) = (scenario.skip)(at, paradigm, limits) {
            cell.outcome = Outcome::Skipped(why);
            cells.push(cell);
            continue;
        }
        // Its result line must say it ran this workload, paradigm and sizes (for
        // serve, the client's: io and tokio).
        let (workload, client) = match serving {
            true => ("io", CLIENT_PARADIGM),
            false => (scenario.workload, paradigm.name),
        };
        let mut expect = vec![
            ("workload".to_string(), workload.to_string()),
            ("paradigm".to_string(), client.to_string()),
        ];
        expect.extend(
            asked
                .iter()
                .map(|(f, v)| (f[2..].replace('-', "_"), v.to_string())),
        );
        if scenario.offload {
            expect.push(("offload".into(), "true".into()));
        }

        let mut lines = Vec::new();
        let mut peaks: Vec<Option<Peak>> = Vec::new();
        let mut slowest = Duration::ZERO;
        let mut failed = None;
        for i in 0..sizes.checks {
            let of = sizes.checks;
            progress.doing(format!("checking {} ({} of {of})", paradigm.name, i + 1));
            // Where the kernel's share is wanted, each check runs in a cgroup:
            // the program's, or for serve the server's. (Declared before the
            // server, so that the server is killed before the cgroup goes.)
            let cgroup = scenario
                .kernel_memory
                .then(|| probes.memcg.create().ok())
                .flatten();
            let in_cgroup = |c: &[String]| match (&cgroup, serving) {
                (Some(cgroup), true) => cgroup.command(c),
                _ => c.to_vec(),
            };
            let server = match serve(&meets, &in_cgroup, paradigm.name, tools, dir)? {
                Ran::Ok(server) => server,
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            };
            let mut command = with_server(&cell.command, server.as_ref());
            if let (Some(cgroup), false) = (&cgroup, serving) {
                command = cgroup.command(&command);
            }
            let watch = server
                .as_ref()
                .filter(|_| serving)
                .map(|s| Watch::start(s, &cgroup));
            let start = Instant::now();
            match program::check(&command, &expect, CHECK_LIMIT, dir)? {
                Ran::Ok(line) => lines.push(line),
                Ran::Failed(why) => {
                    failed = Some(why);
                    break;
                }
                Ran::Stopped => return Ok(None),
            }
            if let Some(watch) = watch {
                cell.server_memory.push(watch.finish());
            }
            slowest = slowest.max(start.elapsed());
            peaks.push(cgroup.as_ref().and_then(|c| c.peak().ok()));
            drop(server);
            progress.done(1);
        }
        if failed.is_none() {
            progress.doing(format!("counting {}", paradigm.name));
            let counted = match serving {
                true => count_server(
                    &cell.command,
                    &expect,
                    &meets,
                    paradigm.name,
                    tools,
                    probes,
                    dir,
                )?,
                false => count(&cell.command, &expect, &meets, tools, probes, dir)?,
            };
            match counted {
                Ran::Ok(counted) => cell.counters = Some(counted),
                Ran::Failed(why) => failed = Some(format!("while counted: {why}")),
                Ran::Stopped => return Ok(None),
            }
            progress.done(1);
        }
        if failed.is_none() {
            let (w, n) = (r.warmup, r.runs);
            progress.doing(format!(
                "timing {}: {w} warm-up and {n} timed runs",
                paradigm.name
            ));
            // Generous: a run that takes three times its check, or ten minutes.
            let limit = CHECK_LIMIT.max(slowest * 3 * (w + n));
            let json = raw_json(dir, scenario.name, x, paradigm.name);
            let timed = match serve(&meets, &|c| c.to_vec(), paradigm.name, tools, dir)? {
                Ran::Ok(server) => {
                    let command = with_server(&cell.command, server.as_ref());
                    program::time(tools, &command, paradigm.name, r, limit, &json)?
                }
                Ran::Failed(why) => Ran::Failed(why),
                Ran::Stopped => Ran::Stopped,
            };
            match timed {
                Ran::Ok(()) => {}
                Ran::Failed(why) => failed = Some(format!("while timed: {why}")),
                Ran::Stopped => return Ok(None),
            }
        }
        if failed.is_none() && scenario.wrk {
            progress.doing(format!("wrk against {}", paradigm.name));
            let connections = asked
                .iter()
                .find(|(f, _)| *f == "--concurrency")
                .map_or(4, |f| f.1);
            match cross_check(&meets, connections, quick, paradigm.name, tools, dir)? {
                Ran::Ok(wrk) => cell.wrk = Some(wrk),
                Ran::Failed(why) => cell.wrk = Some(Err(why)),
                Ran::Stopped => return Ok(None),
            }
        }
        cell.outcome = match failed {
            Some(why) => {
                progress.warn(format!("{} FAILED: {why}", paradigm.name));
                // What it did not get to is done, as far as the bar goes.
                let total = u64::from(sizes.checks + 1 + r.warmup + r.runs);
                let done = lines.len() as u64 + u64::from(cell.counters.is_some());
                progress.done(total - done);
                cell.counters = None;
                Outcome::Failed(why)
            }
            None => {
                progress.done(u64::from(r.warmup + r.runs));
                // All or nothing: a peak from every check, or none.
                cell.peaks = peaks.into_iter().collect::<Option<_>>().unwrap_or_default();
                Outcome::Ok {
                    lines,
                    timing: None,
                }
            }
        };
        cells.push(cell);
    }
    Ok(Some(cells))
}

/// The counting pass: one more verified run, untimed, inside `perf stat` where
/// it counts here, with the rusage of all it started.
fn count(
    command: &[String],
    expect: &[(String, String)],
    meets: &Meets,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Ran<Counters>, String> {
    let server = match serve(meets, &|c| c.to_vec(), "api-server", tools, dir)? {
        Ran::Ok(server) => server,
        Ran::Failed(why) => return Ok(Ran::Failed(why)),
        Ran::Stopped => return Ok(Ran::Stopped),
    };
    let csv = dir.join("raw/count.csv");
    let command = probes
        .counting
        .command(&with_server(command, server.as_ref()), &csv);
    let before = counters::children_so_far();
    let ran = program::check(&command, expect, CHECK_LIMIT, dir)?;
    // Read before the api-server is reaped, so that its share is not counted.
    let after = counters::children_so_far();
    drop(server);
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let _ = fs::remove_file(&csv); // scratch: the counts go into the cell
    counted(ran, &text, before, after, probes)
}

/// The counters of a counted run that passed its check, with perf's where perf counted.
fn counted(
    ran: Ran<workload::ResultLine>,
    perf_csv: &str,
    before: Counters,
    after: Counters,
    probes: &Probes,
) -> Result<Ran<Counters>, String> {
    if let Ran::Ok(_) = ran {
        let perf = match &probes.counting {
            Counting::Perf(_) => match counters::parse_perf(perf_csv) {
                Ok(counts) => Some(counts),
                Err(why) => return Ok(Ran::Failed(why)),
            },
            Counting::Rusage(_) => None,
        };
        return Ok(Ran::Ok(Counters::between(before, after, perf)));
    }
    Ok(match ran {
        Ran::Failed(why) => Ran::Failed(why),
        _ => Ran::Stopped,
    })
}

/// serve's counting pass: the server runs inside `perf stat` (where it counts)
/// while the client makes its verified run; then the server is stopped with
/// SIGINT, as a user stops it, and what it did is the rusage of its tree from
/// then to its exit (the client was reaped before). A server that does not exit
/// 0 on SIGINT with nothing in flight fails.
fn count_server(
    command: &[String],
    expect: &[(String, String)],
    meets: &Meets,
    name: &str,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Ran<Counters>, String> {
    let csv = dir.join("raw/count.csv");
    let under_perf = |c: &[String]| probes.counting.command(c, &csv);
    let server = match serve(meets, &under_perf, name, tools, dir)? {
        Ran::Ok(Some(server)) => server,
        Ran::Ok(None) => return Err("a serve cell meets its own server".into()),
        Ran::Failed(why) => return Ok(Ran::Failed(why)),
        Ran::Stopped => return Ok(Ran::Stopped),
    };
    // The server's CPU time is what it spent while the client ran: its start
    // and its stop are left out (an interpreter's imports would weigh on the
    // per-request figure). perf, its group's leader where it counts, adds its own.
    let idle_cpu = serving::cpu_us(server.group());
    let ran = program::check(
        &with_server(command, Some(&server)),
        expect,
        CHECK_LIMIT,
        dir,
    )?;
    let busy_cpu = serving::cpu_us(server.group()).saturating_sub(idle_cpu);
    let before = counters::children_so_far();
    // perf passes the signal on badly (it stops counting): the server gets it.
    let leader = server.group();
    let target = match probes.counting {
        Counting::Perf(_) => first_child(leader).unwrap_or(leader),
        Counting::Rusage(_) => leader,
    };
    let ended = server.interrupt(target, STOP_LIMIT)?;
    let after = counters::children_so_far();
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let _ = fs::remove_file(&csv); // scratch: the counts go into the cell
    match ended {
        Ended::Exited(status) if status.success() => {}
        _ if procs::stopping() => return Ok(Ran::Stopped),
        Ended::Exited(status) => {
            return Ok(Ran::Failed(format!("the server exited {status} on SIGINT")));
        }
        Ended::TimedOut | Ended::Stopped => {
            let secs = STOP_LIMIT.as_secs();
            return Ok(Ran::Failed(format!(
                "the server did not exit within {secs} s of SIGINT"
            )));
        }
    }
    Ok(match counted(ran, &text, before, after, probes)? {
        Ran::Ok(counters) => Ran::Ok(Counters {
            cpu_us: Some(busy_cpu),
            ..counters
        }),
        other => other,
    })
}

/// The first child of `pid` (perf's program), from /proc.
fn first_child(pid: u32) -> Option<u32> {
    let children = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    children.split_whitespace().next()?.parse().ok()
}

/// wrk against a fresh server of the cell: the throughput a client that is not
/// ours gets from it, with as many connections as the scenario's client.
fn cross_check(
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
struct Watch {
    group: u32,
    idle_kib: u64,
    cgroup_idle: Option<u64>,
    sampler: Sampler,
}

impl Watch {
    fn start(server: &Server, cgroup: &Option<Cgroup>) -> Self {
        let group = server.group();
        // Start-up's peaks (Python's imports, a runtime's first allocations) are
        // not the connections'.
        serving::reset_peaks(group);
        if let Some(cgroup) = cgroup {
            cgroup.reset_peak();
        }
        Watch {
            group,
            idle_kib: serving::snapshot(group).0,
            cgroup_idle: cgroup.as_ref().and_then(|c| c.usage().ok()),
            sampler: Sampler::start(group),
        }
    }

    fn finish(self) -> ServerMemory {
        let threads = self.sampler.finish();
        let (_, peak_kib, _, processes) = serving::snapshot(self.group);
        ServerMemory {
            idle_kib: self.idle_kib,
            peak_kib,
            threads,
            processes,
            cgroup_idle: self.cgroup_idle,
        }
    }
}

/// A fresh server for a program that meets one (its command passed through
/// `wrap`, for a cgroup or perf, where it is the cell's own), nothing for the others.
fn serve(
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
fn with_server(command: &[String], server: Option<&Server>) -> Vec<String> {
    let mut command = command.to_vec();
    if let Some(server) = server {
        command.extend(["--server".into(), server.addr.clone()]);
    }
    command
}
