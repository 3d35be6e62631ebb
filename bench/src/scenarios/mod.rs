//! The scenario table: the only place a scenario exists. Its name, title, the
//! lesson it shows, its points and flags (full and quick), its run counts and why
//! a paradigm skips a point. Every description in a report is made from here, so
//! a quick report states its own sizes. Its entries are in a file per workload,
//! and the sweeps across cores, of two workloads, in `cores.rs`; where a
//! point's programs run, on which CPUs, in `placement.rs`.

pub mod limits;
pub mod load;
pub mod paradigms;
pub mod primer;

pub use limits::Limits;

mod cores;
mod cpu;
mod io;
mod kinds;
mod placement;
mod ring;
mod rules;
mod serve;
mod spawn;
mod workload;

pub use kinds::{
    Axis, CLIENT, CLIENT_PARADIGM, Measure, Raise, Repeats, Scenario, Sizes, WrkSeconds, repeats,
};
pub use placement::{cpu_list, placement, read_cpu_list};
pub use workload::{Meets, Workload};

/// Every scenario, in report order.
pub const ALL: [Scenario; 18] = [
    cpu::CPU,
    cpu::GRANULARITY,
    cores::CPU,
    io::FAST,
    io::SLOW,
    io::WORK,
    io::WORK_OFFLOAD,
    serve::FAST,
    serve::SLOW,
    cores::SERVE,
    load::LOAD,
    load::OVERLOADED,
    load::MIXED,
    spawn::COST,
    spawn::MEMORY,
    ring::HOP,
    ring::HOP_1,
    ring::SIZE,
];

/// The scenario of that name.
pub fn named(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}

/// Every scenario's name, for `--help` and errors.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|s| s.name).collect()
}

#[cfg(test)]
mod tests;
