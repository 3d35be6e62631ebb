//! The pacer: puts each request into the queue once it is due, opens connections
//! while due requests outnumber the free ones, and notes how far the generator fell
//! behind its own schedule (`behind_us`).
//!
//! Whoever runs releases: a connection after each answer, and the pacer when the
//! clock (`ticks.rs`) wakes it. Under load the runtime is awake anyway and the
//! requests go out as they fall due, with no wake of their own; an idle runtime is
//! woken for them. Each wake costs a context switch (tens of µs on a small VM),
//! so this keeps a smooth schedule from costing a wake per request.
//!
//! Nothing here waits for a connection: a due request goes into the queue whether
//! or not one is free, and waits there, its latency counting, while all C are
//! busy. So what is noted as lateness is the generator's own: requests released
//! late (its loop had no CPU), and the clock's wakes handled late (its loop was
//! busy: while requests wait in the queue, the clock wakes the pacer every
//! millisecond to see). A server that is merely slow leaves both small, however
//! long the queue grows, but for one thing: when due requests outnumber the free
//! connections, the connects it starts run on this same loop. Hundreds at once
//! delayed it by ten milliseconds and more, and fed on themselves (the later the
//! loop, the more fell due, the more it opened), so at most
//! [`CONNECTING_MAX`](crate::pool::CONNECTING_MAX) are in flight: the connections
//! already open take a burst while a few more open. `cpu_ms` tells its own
//! lateness from a slow server's (the benchmark calls a run loadgen's limit only
//! when its CPU, or the machine's, was spent).

use std::{
    io,
    sync::{Arc, atomic::Ordering::Relaxed},
    time::Instant,
};

use tokio::net::TcpStream;

use crate::{
    connection::{self, Opening},
    pool::Pool,
    ticks::Ticks,
};

/// Runs the schedule with `first` as the pool's first connection, until every
/// request is answered or has failed, or T after the schedule's end.
pub async fn drive(pool: Arc<Pool>, first: TcpStream) -> io::Result<()> {
    // Every request's deadline is at most T after the schedule's end.
    let end = pool.start + pool.schedule.end() + pool.timeout;
    let mut ticks = Ticks::start(pool.clone())?;
    pool.take_place(); // the first of at least one
    open(&pool, Opening::Open(first));
    release(&pool);
    // The clock stops once nothing is left to send, or at the end.
    while let Some(at) = ticks.next().await? {
        pool.fell_behind(Instant::now().saturating_duration_since(pool.start + at));
        release(&pool);
        top_up(&pool);
    }
    let all_closed = async {
        while pool.open.load(Relaxed) > 0 {
            pool.all_closed.notified().await;
        }
    };
    // Past `end` nothing left can succeed: the caller drops the runtime, which
    // cancels the connections still running; their requests count as timeouts.
    let _ = tokio::time::timeout_at(end.into(), all_closed).await;
    Ok(())
}

/// Puts every request due by now into the queue, and opens connections for them
/// if need be. The lateness of the first is the generator's.
pub fn release(pool: &Arc<Pool>) {
    let (now, total) = (Instant::now(), pool.schedule.total());
    let mut first = None;
    loop {
        let k = pool.next.load(Relaxed);
        if k >= total || pool.start + pool.schedule.due(k) > now {
            break;
        }
        // With several runtime threads, two may try to release the same id.
        if pool
            .next
            .compare_exchange(k, k + 1, Relaxed, Relaxed)
            .is_err()
        {
            continue;
        }
        first.get_or_insert(k);
        // Err only when closed, and only the last id's sender closes it.
        let _ = pool.due.try_send(k);
        if pool.released.fetch_add(1, Relaxed) + 1 == total {
            pool.due.close(); // a connection ends when it finds it closed and empty
        }
    }
    if let Some(k) = first {
        pool.fell_behind(now - (pool.start + pool.schedule.due(k)));
        top_up(pool);
    }
}

/// Opens a connection for each due request that no free connection will take,
/// up to `--connections-max`, each with a connect permit (see `CONNECTING_MAX`).
fn top_up(pool: &Arc<Pool>) {
    for _ in 0..pool.uncovered() {
        let Ok(permit) = pool.connects.clone().try_acquire_owned() else {
            return; // the next release or tick opens more
        };
        if !pool.take_place() {
            return;
        }
        open(pool, Opening::Connect(permit));
    }
}

/// Starts one more connection's task in a place taken for it, free until it
/// takes a request.
fn open(pool: &Arc<Pool>, opening: Opening) {
    pool.free.fetch_add(1, Relaxed);
    tokio::spawn(connection::serve(pool.clone(), opening));
}
