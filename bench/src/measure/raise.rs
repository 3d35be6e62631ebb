//! `bench run --raise-limits` (root only): the kernel limits that stop threads
//! (`vm.max_map_count`, `kernel.pid_max`) raised for the run, so that threads go
//! as far as the machine's memory allows, and those that cap a server's queue of
//! connections (`net.core.somaxconn`, `net.ipv4.tcp_max_syn_backlog`) raised to
//! the backlog every server asks for, so that 10,000 connections at once wait in
//! the queue rather than for a retransmitted SYN; all put back afterwards, also
//! when the run is stopped.

use std::{fs, sync::Mutex};

use crate::{
    measure::machine,
    scenarios::{self, Limits, Raise, limits::MAPS_PER_THREAD},
};

/// The values to put back: (path under /proc/sys, original text).
static SAVED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Raises what the scenarios ask for ([`Raise`]): for threads, what stops the
/// largest thread point that fits in memory; returns the `meta.env` line that
/// says what was raised.
pub fn raise(quick: bool) -> Result<Vec<(String, String)>, String> {
    let limits = machine::limits();
    let asking = |raise| {
        scenarios::ALL
            .iter()
            .filter(move |s| s.raises.contains(&raise))
    };
    let mut points: Vec<u64> = asking(Raise::Threads)
        .flat_map(|s| s.sizes(quick).points.iter().copied())
        .collect();
    points.sort_unstable();
    let roomy = Limits {
        max_map_count: u64::MAX,
        pid_max: u64::MAX,
        ..limits
    };
    let mut wanted = Vec::new();
    if let Some(&k) = points
        .iter()
        .rev()
        .find(|&&k| roomy.threads_refused(k).is_none())
    {
        // Room for k threads beside what the machine already runs.
        wanted.push(("vm/max_map_count", MAPS_PER_THREAD * k + 65_530));
        wanted.push(("kernel/pid_max", (k + 32_768).min(4_194_304)));
    }
    // The kernel caps every listen backlog at somaxconn (4,096 by default)
    // without a word; past the queue, a connection's handshake is dropped and
    // the client waits a second to resend its SYN.
    if asking(Raise::Backlog).next().is_some() {
        let backlog = workload::serve::BACKLOG as u64;
        wanted.push(("net/core/somaxconn", backlog));
        wanted.push(("net/ipv4/tcp_max_syn_backlog", backlog));
    }
    let mut said = Vec::new();
    for (name, value) in wanted {
        let path = format!("/proc/sys/{name}");
        let old = fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        let old = old.trim().to_string();
        if old.parse::<u64>().is_ok_and(|o| o >= value) {
            continue;
        }
        fs::write(&path, value.to_string())
            .map_err(|e| format!("--raise-limits needs root: cannot write {path}: {e}"))?;
        lock().push((path, old.clone()));
        said.push(format!("{} {old} -> {value}", name.replace('/', ".")));
    }
    if said.is_empty() {
        return Ok(Vec::new());
    }
    let line = said.join(", ") + " (restored after the run)";
    Ok(vec![("raised_limits".into(), line)])
}

/// Puts back every value [`raise`] changed; safe to call more than once.
pub fn restore() {
    for (path, old) in lock().drain(..).rev() {
        if let Err(e) = fs::write(&path, &old) {
            eprintln!("bench: could not put {path} back to {old}: {e}");
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(String, String)>> {
    // A panic while holding it cannot leave the list torn (push, drain).
    SAVED.lock().unwrap_or_else(|e| e.into_inner())
}
