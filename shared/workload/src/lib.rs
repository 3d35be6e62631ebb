//! What every example shares and what is not the paradigm: the workloads of
//! `DESIGN.md` as pure functions, their command-line flags, the result line, the
//! memory probe, the HTTP bytes and the latency percentiles.
//!
//! This crate never spawns, joins, awaits, locks, sends on a channel or builds a
//! runtime, and no concurrency crate is a dependency of it: whatever an example does
//! concurrently is in the example, where a reader can see it.
//!
//! # Layout
//!
//! - [`cpu`]: job ranges, trial-division prime counting, the expected pi(N).
//! - [`io`]: splitmix64 bodies, FNV-1a 64, the work per answer, a connection's
//!   [`io::Tally`], the expected io checksum.
//! - [`latency`]: p50, p99 and max of the requests' latencies (hdrhistogram).
//! - [`spawn`]: the primer's `add_two` and the expected spawn checksum.
//! - [`ring`]: the hop that passes a token on, and the expected ring checksum.
//! - [`args`]: the flags of each workload (clap), with `--help` and clear errors.
//! - [`http`]: sans-I/O HTTP/1.1 on `httparse`: write a request, read a response;
//!   read a request (for the serve programs).
//! - [`serve`]: the server side: what to answer (the api-server's rules), a
//!   listening socket made alike, the dropped-requests line, room for threads.
//! - [`report`]: the one-line result (written and read back), the self-check and
//!   the [`Error`] type.
//! - [`cores`]: a CPU for each worker thread of the thread-per-core paradigms, and
//!   whether io_uring is there (compio's).
//! - [`sys`]: peak memory (VmHWM, children's Pss), the open-file limit, and
//!   whether more threads or processes fit the OS's limits, checked before they start.

pub mod args;
pub mod cores;
pub mod cpu;
pub mod http;
pub mod io;
pub mod latency;
pub mod report;
pub mod ring;
pub mod serve;
pub mod spawn;
pub mod sys;

pub use args::{CpuArgs, IoArgs, RingArgs, ServeArgs, SpawnArgs, Workload};
pub use report::{Error, Report, ResultLine};
