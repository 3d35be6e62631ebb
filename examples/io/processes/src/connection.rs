//! One connection's process in processes-io, both ends of its pipe: the child,
//! which fetches its share of the ids with blocking reads and answers on stdout,
//! and the parent's reading of that answer; beside `main.rs`, the parent, as
//! `examples/serve/processes` keeps its worker.

use std::{env, io::Read, os::unix::process::parent_id, process::Child};

use nix::sys::{prctl, signal::Signal};
use workload::{Error, IoArgs, io, io::Tally, sys};

use super::{PARENT_ENV, client::Client};

/// The child side: fetch ids c, c + C, ... over one connection, working after
/// each, then answer `subtotal pss_kib` (its Pss read while it is still alive)
/// and its latencies in microseconds on a second line.
pub fn connection(c: u64, args: &IoArgs) -> Result<(), Error> {
    let host = args
        .server
        .as_deref()
        .ok_or_else(|| Error::msg("a connection process needs --server"))?;
    let mut client = Client::new(host, args.patience(), args.bytes);
    let mut tally = Tally::default();
    for id in (c..args.requests).step_by(args.concurrency as usize) {
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        tally.work(io::work(id, args.work)); // in this process, between requests
    }
    let latencies: Vec<String> = tally.latencies_us.iter().map(u64::to_string).collect();
    println!(
        "{} {}\n{}",
        tally.checksum,
        sys::own_pss_kib()?,
        latencies.join(" ")
    );
    Ok(())
}

/// In a child, first thing: have the kernel send SIGKILL when the parent ends, then
/// check that the parent has not ended already (the child would have a new one).
pub fn die_with_parent() -> Result<(), Error> {
    prctl::set_pdeathsig(Signal::SIGKILL)?;
    match env::var(PARENT_ENV) {
        Ok(parent) if parent == parent_id().to_string() => Ok(()),
        _ => Err(Error::msg("the parent process has ended")),
    }
}

/// Reads a child's answer, `subtotal pss_kib` and its latencies, and reaps it. A
/// child that failed printed one `Error: ...` line: that line, which names the
/// request, is the error.
pub fn collect(child: &mut Child) -> Result<(Tally, u64), Error> {
    let (mut answer, mut error) = (String::new(), String::new());
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut answer)?;
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut error)?;
    let status = child.wait()?;
    if !status.success() {
        let why = error
            .lines()
            .last()
            .map(|line| line.trim_start_matches("Error: ").to_string());
        return Err(Error::msg(
            why.filter(|why| !why.is_empty())
                .unwrap_or(format!("failed: {status}")),
        ));
    }
    let bad = || Error::msg(format!("bad answer {answer:?}"));
    let (head, latencies) = answer.split_once('\n').ok_or_else(bad)?;
    let (subtotal, pss_kib) = head.split_once(' ').ok_or_else(bad)?;
    let latencies_us = latencies
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let tally = Tally {
        checksum: subtotal.parse()?,
        latencies_us,
    };
    Ok((tally, pss_kib.parse()?))
}
