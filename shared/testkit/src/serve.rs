//! What every serve program must do, as the api-server does: print its address,
//! answer the io workload's requests with the right bodies over keep-alive
//! connections (many at once, where the paradigm can), refuse bad queries, other
//! paths and methods, garbage and half requests with the api-server's answers and
//! keep serving, take a burst of 2,000 connections, let a request in flight finish
//! on SIGTERM while an idle connection closes (and count one it had to drop on
//! SIGINT), keep serving at its open-file limit, and leave no process behind.
//! [`check_server`] runs all of it on a binary.

//!
//! # Layout
//!
//! - [`Server`]: a serve program started on 127.0.0.1:0 in a session of its own,
//!   and stopped with a signal, its stderr kept and its session scanned.
//! - `answers`: what it answers: bodies and checksums, a burst of connections.
//! - `refusals`: what it refuses, and the odd requests it must still take.
//! - `stopping`: how it starts and stops: an address in use, a request in flight
//!   at SIGTERM and SIGINT, the open-file limit.
//! - `rules`: HTTP as RFC 9110 and 9112 say, where the api-server (hyper) does.
//! - `hostile`: every hostile client at once ([`check_hostile`]); a flood, and
//!   clients that never read.
//! - `slow`: slow and silent heads, idle keep-alive connections.
//! - `stopping` also holds clients that vanish mid-request, a second signal, and
//!   a second copy on the same port.
//! - `work`: heavy requests (`work=N`, `X-Primes`), and `--offload` taken or refused.

mod answers;
mod hostile;
mod refusals;
mod rules;
mod server;
mod slow;
mod stopping;
mod work;

use std::time::Duration;

pub use answers::{check_bodies, check_burst, read_response, send};
pub use hostile::{FAIR, check_flood, check_hostile, check_non_reading};
pub use refusals::check_refusals;
pub use rules::check_http_rules;
pub use server::Server;
pub use slow::check_slow_clients;
pub use stopping::{
    check_address_in_use, check_in_flight, check_in_flight_on, check_open_file_limit,
    check_second_copy, check_second_signal, check_vanishing,
};
pub use work::check_work;

use crate::cli;

/// How many connections a server answers at once, which decides what the checks
/// may ask of it: a client that holds more keep-alive connections open than the
/// server serves at once waits for the server to come round to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// One connection at a time (an iterative server).
    OneAtATime,
    /// At most this many at once (a fixed pool); the checks start it with
    /// `--workers` set to it.
    Pool(usize),
    /// Every connection at once (a thread, task or process per connection).
    Every,
}

impl Serves {
    pub(crate) fn workers(self) -> usize {
        match self {
            Serves::Pool(n) => n,
            _ => 2,
        }
    }
}

/// Every check of this module on `program` (its command line before the flags),
/// whose connections are served as `serves` says.
pub fn check_server(program: &[&str], serves: Serves) {
    check_server_within(program, serves, FAIR);
}

/// [`check_server`] for a paradigm that keeps a normal request's latency under a
/// flood or many slow clients only within `fair` (the Python servers, under the GIL).
pub fn check_server_within(program: &[&str], serves: Serves, fair: Duration) {
    cli::check_flags(program);
    check_address_in_use(program);
    let workers = serves.workers().to_string();
    let server = Server::start(&[], program, &["--workers", &workers]);
    check_bodies(&server.addr, serves);
    check_refusals(&server.addr);
    check_http_rules(&server.addr, server.pid());
    check_burst(&server.addr, serves);
    let (status, stderr) = server.stop("INT", Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "exit 0 on SIGINT: {stderr}");
    check_in_flight(program, serves);
    check_work(program, &workers);
    check_open_file_limit(program, &workers);
    check_hostile(program, serves, fair);
}
