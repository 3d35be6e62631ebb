//! Test support, and only that: the checkers every example's tests call, so that
//! siblings are held to the same assertions, and the fake servers their fault tests
//! need. Every package lists it under `[dev-dependencies]`; no program links it.
//!
//! A checker takes an example's own `run` (or its binary's command line) and one
//! word on how the paradigm uses workers; the loop that is the lesson stays in the
//! example, and the cases and the expected values live here, once.
//!
//! # Layout
//!
//! - [`cpu`]: `check_run` and `check_binary` for the cpu examples: pi(10^6) at
//!   every split into jobs and workers.
//! - [`spawn`]: the same for the spawn examples: K(K+3)/2 at several K, with units
//!   that return at once and units that sleep.
//! - [`ring`]: the same for the ring examples: DESIGN.md's tokens for K = 2 and
//!   3, and larger rings.
//! - [`io`]: the same for the io examples, against the embedded api-server, the
//!   [`fake`] servers and nobody; `check_faults`, `check_hostile` and
//!   `check_open_file_limit` for binaries.
//! - [`serve`]: `check_server` for the serve programs: the api-server's answers,
//!   a burst of connections, SIGTERM with a request in flight, the open-file limit,
//!   no process left behind.
//! - [`fake`]: odd but valid, broken, and hostile HTTP servers on 127.0.0.1:0.
//! - [`client`]: a blocking keep-alive client, with which [`serve`] meets the
//!   servers.
//! - [`cli`]: a program as a user runs it: a verified result line, `--help` and bad
//!   flags, a clean one-line failure. Used by the checkers and by tests of their own.
//! - [`limits`]: a program at the OS's limits on threads and processes (a small
//!   RLIMIT_NPROC, `vm.max_map_count`): refused before anything starts, named.
//! - [`uring`]: whether io_uring starts here; the compio tests skip, saying why,
//!   where it does not.
//! - [`tree`]: a program that starts processes, killed with SIGKILL: none of its
//!   children outlive it by more than a second.

pub mod cli;
pub mod client;
pub mod cpu;
pub mod fake;
pub mod io;
pub mod limits;
pub mod ring;
pub mod serve;
pub mod spawn;
pub mod tree;
pub mod uring;
