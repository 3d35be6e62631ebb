//! The counting pass: one more verified run, untimed, that says why a time is
//! what it is: the program inside `perf stat` (where it counts here) and the
//! rusage of all it started; for serve, the server is what is counted.

use std::{fs, path::Path, time::Duration};

use super::{
    CHECK_LIMIT, Probes,
    server::{Opponent, serve, with_server},
};
use crate::{
    measure::counters::{self, Counting},
    measure::host::Stat,
    measure::procs::{self, Ended},
    measure::program::{self, Attempt},
    measure::tools::Tools,
    measure::watch,
    results::Counters,
};

/// A server given SIGINT with nothing in flight that has not exited by then
/// does not stop as it should: FAILED.
const STOP_LIMIT: Duration = Duration::from_secs(30);

/// The counting pass of a cell's verified `command`: the server's, where the
/// cell is a serve cell's ([`count_server`]), else the program's own.
pub(super) fn count(
    command: &[String],
    expect: &[(String, String)],
    opponent: &Opponent,
    name: &str,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Attempt<Counters>, String> {
    match opponent {
        Opponent::Own(..) => count_server(command, expect, opponent, name, tools, probes, dir),
        _ => count_program(command, expect, opponent, tools, probes, dir),
    }
}

/// The counting pass: one more verified run, untimed, inside `perf stat` where
/// it counts here, with the rusage of all it started.
fn count_program(
    command: &[String],
    expect: &[(String, String)],
    opponent: &Opponent,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Attempt<Counters>, String> {
    let server = match serve(opponent, &|c| c.to_vec(), "api-server", tools, dir)? {
        Attempt::Ok(server) => server,
        Attempt::Failed(why) => return Ok(Attempt::Failed(why)),
        Attempt::Stopped => return Ok(Attempt::Stopped),
    };
    let csv = dir.join("raw/count.csv");
    let command = probes
        .counting
        .command(&with_server(command, server.as_ref()), &csv);
    let before = counters::children_so_far();
    let stat = Stat::now();
    let attempt = program::check(&command, expect, CHECK_LIMIT, dir)?;
    // Read before the api-server is reaped, so that its share is not counted.
    let after = counters::children_so_far();
    let switches = stat.zip(Stat::now()).map(|(b, a)| a.since(b).switches);
    drop(server);
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let _ = fs::remove_file(&csv); // scratch: the counts go into the cell
    Ok(match counted(attempt, &text, before, after, probes)? {
        Attempt::Ok(c) => Attempt::Ok(Counters {
            machine_switches: switches,
            ..c
        }),
        other => other,
    })
}

/// The counters of a counted run that passed its check, with perf's where perf counted.
fn counted(
    attempt: Attempt<workload::ResultLine>,
    perf_csv: &str,
    before: Counters,
    after: Counters,
    probes: &Probes,
) -> Result<Attempt<Counters>, String> {
    if let Attempt::Ok(_) = attempt {
        let perf = match &probes.counting {
            Counting::Perf(..) => match counters::parse_perf(perf_csv) {
                Ok(counts) => Some(counts),
                Err(why) => return Ok(Attempt::Failed(why)),
            },
            Counting::Rusage(_) => None,
        };
        return Ok(Attempt::Ok(Counters::between(before, after, perf)));
    }
    Ok(match attempt {
        Attempt::Failed(why) => Attempt::Failed(why),
        _ => Attempt::Stopped,
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
    opponent: &Opponent,
    name: &str,
    tools: &Tools,
    probes: &Probes,
    dir: &Path,
) -> Result<Attempt<Counters>, String> {
    let csv = dir.join("raw/count.csv");
    let under_perf = |c: &[String]| probes.counting.command(c, &csv);
    let server = match serve(opponent, &under_perf, name, tools, dir)? {
        Attempt::Ok(Some(server)) => server,
        Attempt::Ok(None) => return Err("a serve cell meets its own server".into()),
        Attempt::Failed(why) => return Ok(Attempt::Failed(why)),
        Attempt::Stopped => return Ok(Attempt::Stopped),
    };
    // The server's CPU time is what it spent while the client ran: its start
    // and its stop are left out (an interpreter's imports would weigh on the
    // per-request figure). perf, its group's leader where it counts, adds its own.
    let idle_cpu = watch::cpu_us(server.group());
    let attempt = program::check(
        &with_server(command, Some(&server)),
        expect,
        CHECK_LIMIT,
        dir,
    )?;
    let busy_cpu = watch::cpu_us(server.group()).saturating_sub(idle_cpu);
    let before = counters::children_so_far();
    // perf passes the signal on badly (it stops counting): the server gets it.
    let leader = server.group();
    let target = match probes.counting {
        Counting::Perf(..) => first_child(leader).unwrap_or(leader),
        Counting::Rusage(_) => leader,
    };
    let ended = server.interrupt(target, STOP_LIMIT)?;
    let after = counters::children_so_far();
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let _ = fs::remove_file(&csv); // scratch: the counts go into the cell
    match ended {
        Ended::Exited(status) if status.success() => {}
        _ if procs::stopping() => return Ok(Attempt::Stopped),
        Ended::Exited(status) => {
            return Ok(Attempt::Failed(format!(
                "the server exited {status} on SIGINT"
            )));
        }
        Ended::TimedOut | Ended::Stopped => {
            let secs = STOP_LIMIT.as_secs();
            return Ok(Attempt::Failed(format!(
                "the server did not exit within {secs} s of SIGINT"
            )));
        }
    }
    Ok(match counted(attempt, &text, before, after, probes)? {
        Attempt::Ok(counters) => Attempt::Ok(Counters {
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
