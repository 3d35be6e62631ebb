//! # loadgen: open-loop load against a server
//!
//! Offers a server a fixed rate of `GET /work` requests, checks every answer, and
//! says what latency the requests saw. The schedule is fixed before the first
//! request: request k is due k/R seconds after the start, whatever became of the
//! ones before (an *open loop*). A closed-loop client (the io examples, wrk) sends
//! a connection's next request only after its last answer, so when the server
//! stalls it stops sending: the requests that would have come during the stall
//! are never made and never measured, and the percentiles look best exactly when
//! the server is worst. Gil Tene named this *coordinated omission*. wrk2 avoids it
//! by measuring each request from when it should have been sent, as HdrHistogram's
//! `recordValueWithExpectedInterval` corrects a closed loop's samples after the
//! fact; loadgen does the same at the source. Its latency runs from the intended
//! start to the last byte of the body, and `uncorrected_p99_us` (from the write)
//! shows what a closed-loop view would have reported.
//!
//! A generator on the same two cores as its server can be the bottleneck itself.
//! A rate it cannot send is reported as its own limit (`behind_us`, and a line on
//! stderr), never as the server's. It runs on one current-thread tokio runtime by
//! default: on a 2-vCPU VM shared with the server, two runtime threads sent no
//! higher rate cleanly (both held 30,000 requests/s in two runs of three, against
//! the api-server) and took 10-30% more CPU from the server's share.
//!
//! # Layout
//!
//! - `args.rs`: the flags, their ceilings and the combinations refused (exit 2).
//! - `schedule.rs`: when request k is due, its phase, whether it is heavy.
//! - `pacer.rs`: releases due requests, opens connections, measures `behind_us`.
//! - `ticks.rs`: the pacer's clock, a thread (tokio's timer ticks in whole ms).
//! - `pool.rs`: what the pacer and the connections share.
//! - `connection.rs`: a connection's task: send, read, check, record.
//! - `check.rs` and `primes.rs`: the answer's status, body and `X-Primes`.
//! - `stats.rs`: the histograms, per window too, and the errors by kind.
//! - `report.rs`: the result line, the windows' p99s, the recovery time.
//!
//! ```text
//! cargo run --release -p loadgen -- --server 127.0.0.1:8080 --rate 20000 --duration-ms 3000
//! ```

use std::{
    sync::{Arc, atomic::Ordering::Relaxed},
    time::Duration,
};

use nix::sys::resource::{UsageWho, getrusage};
use tokio::net::TcpStream;
use workload::{Error, report::say_if_debug, sys};

mod args;
mod check;
mod connection;
mod pacer;
mod pool;
mod primes;
mod report;
mod schedule;
mod stats;
mod ticks;

use args::Args;
use pool::Pool;
use stats::Kind;

/// `behind_us` above this is said on stderr: the run measured the generator.
/// Below it is the scheduler's noise: on two vCPUs shared with a busy server, a
/// woken thread may wait out another's slice (about 4 ms were seen at any rate).
const FELL_BEHIND: Duration = Duration::from_millis(10);

fn main() -> Result<(), Error> {
    let args = Args::parse_or_exit();
    sys::raise_open_file_limit()?;
    let runtime = runtime(args.threads)?;
    let (pool, unreachable) = runtime.block_on(run(&args))?;
    // Cancels the connections still running past the end: nothing records after.
    drop(runtime);
    let counts = report::Counts {
        sent: pool.sent.load(Relaxed),
        connections: pool.opened.load(Relaxed),
        behind: pool.behind(),
        cpu_ms: cpu_ms()?,
    };
    let mut stats = pool.stats();
    let total = pool.schedule.total();
    let kind = if unreachable.is_some() {
        Kind::Refused
    } else {
        Kind::Timeout
    };
    stats.fail_the_rest(total, kind);
    println!("{}", report::line(&args, &stats, counts));
    say_if_debug();
    if counts.behind > FELL_BEHIND {
        eprintln!(
            "loadgen: the generator fell behind its own schedule by {} ms at worst: its \
             loop ran late, short of CPU (see cpu_ms) or busy opening connections to a \
             server that fell behind; at {} requests/s the run may measure loadgen, not \
             the server",
            counts.behind.as_millis(),
            args.rate.max(args.then_rate.unwrap_or(0))
        );
    }
    if let Some(why) = unreachable {
        return Err(Error::msg(format!(
            "cannot connect to {}: {why}",
            args.server.name
        )));
    }
    match stats.errors() {
        0 => Ok(()),
        errors => {
            let kinds: Vec<String> = stats.by_kind().map(|(k, n)| format!("{k}={n}")).collect();
            let kinds = kinds.join(" ");
            Err(Error::msg(format!(
                "{errors} of {total} requests failed: {kinds}"
            )))
        }
    }
}

/// `--threads 1`: tokio's current-thread runtime, everything on this thread (and
/// the clock on its own); more: a multi-thread runtime of that many workers.
fn runtime(threads: u64) -> Result<tokio::runtime::Runtime, Error> {
    sys::threads_fit(threads + 1, "threads (the runtime's and the clock)")?;
    let mut builder = match threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(n as usize);
            builder
        }
    };
    Ok(builder.enable_all().build()?)
}

/// Opens the first connection before the clock starts (an address nobody listens
/// on fails here, at once), then runs the schedule. Returns the pool, and why no
/// connection could be opened, if none could.
async fn run(args: &Args) -> Result<(Arc<Pool>, Option<String>), Error> {
    let timeout = Duration::from_millis(args.timeout_ms);
    let first = match tokio::time::timeout(timeout, TcpStream::connect(args.server.addr)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no connection within {} ms", args.timeout_ms)),
    };
    let pool = Arc::new(Pool::new(args));
    match first {
        Ok(first) => {
            let _ = first.set_nodelay(true); // best effort: only latency depends on it
            pool.opened.fetch_add(1, Relaxed);
            // A task, not this future: with several threads it runs on a worker.
            let drive = tokio::spawn(pacer::drive(pool.clone(), first));
            drive
                .await
                .map_err(|e| Error::msg(format!("the pacer: {e}")))??;
            Ok((pool, None))
        }
        Err(why) => Ok((pool, Some(why))),
    }
}

/// This process's CPU time so far, user and system, in milliseconds.
fn cpu_ms() -> Result<u64, Error> {
    let usage = getrusage(UsageWho::RUSAGE_SELF)?;
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000 + t.tv_usec() as u64 / 1_000;
    Ok(ms(usage.user_time()) + ms(usage.system_time()))
}
