//! What a scenario is made of: its measure, axis, sizes and run counts.

use super::Workload;
use crate::{scenarios::limits::Limits, scenarios::paradigms::Paradigm};

/// What a scenario's figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Wall time of the whole program (hyperfine's).
    Time,
    /// Peak memory per live unit: (peak at K - peak at 0) / K.
    MemoryPerUnit,
    /// Wall time per unit of work (per hop): hyperfine's times divided by it.
    TimePerWork,
    /// The io clients' p99 request latency, from the verified run's result line:
    /// the second figure of a scenario with `latency`.
    Latency,
    /// serve: the server's memory per connection, read from outside: the second
    /// figure of a serve scenario with `kernel_memory`.
    ServerMemory,
}

impl Measure {
    /// A figure in bytes, not seconds.
    pub fn is_memory(self) -> bool {
        matches!(self, Measure::MemoryPerUnit | Measure::ServerMemory)
    }
}

/// A scan's x axis: the flag that changes and what it counts.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    pub flag: &'static str,
    /// Plural, for axis titles and headers: `connections`.
    pub unit: &'static str,
    /// Singular, for "memory per connection".
    pub one: &'static str,
}

/// hyperfine's warm-up and timed runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeats {
    pub warmup: u32,
    pub timed: u32,
}

pub const fn repeats(warmup: u32, timed: u32) -> Repeats {
    Repeats { warmup, timed }
}

/// One mode's sizes: the points, the flags at a point, the runs at a point.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// The x values of a scan; `[0]` for a single point (no axis).
    pub points: &'static [u64],
    /// The program's flags at x, without `--workers` and `--server`.
    pub flags: fn(u64) -> Vec<(&'static str, u64)>,
    /// Runs from each x upwards: the last entry whose x <= the point applies.
    pub repeats: &'static [(u64, Repeats)],
    /// Verified runs before timing; memory comes from these, so a memory
    /// scenario takes several to know its noise.
    pub checks: u32,
}

impl Sizes {
    /// The connections its programs hold at x (`--concurrency`), where they hold any.
    pub fn connections_at(&self, x: u64) -> Option<u64> {
        let flags = (self.flags)(x);
        flags
            .iter()
            .find(|(f, _)| *f == "--concurrency")
            .map(|f| f.1)
    }

    pub fn repeats_at(&self, x: u64) -> Repeats {
        self.repeats
            .iter()
            .rev()
            .find(|(from, _)| *from <= x)
            .map_or(repeats(0, 1), |(_, r)| *r)
    }
}

/// The one client of the serve scenarios: the io client that was fastest in
/// io-fast and io-slow, so that a server, not the client, sets the pace.
pub const CLIENT: &str = "tokio-io";
/// The paradigm name its result line carries.
pub const CLIENT_PARADIGM: &str = "tokio";

/// A kernel limit a scenario needs raised to go as far as the machine allows
/// (`bench run --raise-limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raise {
    /// Its points are thread counts: `vm.max_map_count` and `kernel.pid_max`.
    Threads,
    /// Its points are connections opened at once: `net.core.somaxconn` and
    /// `net.ipv4.tcp_max_syn_backlog`, up to the servers' backlog.
    Backlog,
}

/// How long wrk measures each server, at full size and in a quick run.
#[derive(Debug, Clone, Copy)]
pub struct WrkSeconds {
    pub full: u64,
    pub quick: u64,
}

#[derive(Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    pub title: &'static str,
    /// Which program each paradigm runs.
    pub workload: Workload,
    /// The lesson, in words that hold at any size; the sizes are printed beside it.
    pub shows: &'static str,
    pub axis: Option<Axis>,
    pub measure: Measure,
    /// Checks run inside a memory cgroup: memory with the kernel's share.
    pub kernel_memory: bool,
    /// `--workers` for every program; `None`: the machine's cores.
    pub workers: Option<usize>,
    /// `--offload` for every program (io: the async clients' blocking pool).
    pub offload: bool,
    /// A second chart and table of p99 request latency (io).
    pub latency: bool,
    /// serve: every server is also measured by wrk, this long, a second
    /// opinion on its throughput from a client that is not ours.
    pub wrk: Option<WrkSeconds>,
    /// serve: the fixed pools' servers also run with a worker per connection
    /// ([`crate::scenarios::paradigms::SIZED`]), beside their rows at the cores' count.
    pub sized_pools: bool,
    /// Every program runs pinned to the first CPUs, as many as its workers
    /// (`taskset -c 0` for one: threads and processes too hand off without a
    /// wake-up across CPUs); a serve sweep's client, to those after them
    /// ([`super::placement`]).
    pub pinned: bool,
    /// The kernel limits `--raise-limits` raises for it.
    pub raises: &'static [Raise],
    /// An open-loop scenario (serve-load, serve-overload, serve-mixed): `loadgen`
    /// offers each server a schedule of requests, and neither hyperfine nor the
    /// sizes below time anything; `None` for every other scenario.
    pub load: Option<Load>,
    pub full: Sizes,
    pub quick: Sizes,
    /// Why a paradigm is not run at x, or `None`.
    pub skip: fn(u64, &Paradigm, &Limits) -> Option<String>,
}

impl Scenario {
    pub fn sizes(&self, quick: bool) -> &Sizes {
        if quick { &self.quick } else { &self.full }
    }

    /// The points of the scan on this machine; `None` for the one point of a
    /// single-point scenario. A sweep across cores stops at the machine's cores
    /// and ends on them (or on its largest point, `--workers`' limit): no
    /// point asks for CPUs the machine does not have.
    pub fn points(&self, quick: bool, machine: &Limits) -> Vec<Option<u64>> {
        let points = self.sizes(quick).points.iter().copied();
        match self.axis {
            Some(_) if self.sweeps_cores() => {
                let largest = points.clone().max().unwrap_or(0);
                let top = (machine.cores as u64).min(largest);
                let mut here: Vec<u64> = points.filter(|&x| x <= top).collect();
                if here.last().is_some_and(|&x| x < top) {
                    here.push(top);
                }
                here.into_iter().map(Some).collect()
            }
            Some(_) => points.map(Some).collect(),
            None => vec![None],
        }
    }

    /// Its x is the worker count, each point on that many CPUs: cpu-cores, serve-cores.
    pub fn sweeps_cores(&self) -> bool {
        self.axis.is_some_and(|a| a.flag == "--workers")
    }

    /// How long wrk measures each server, or `None` for no wrk.
    pub fn wrk_seconds(&self, quick: bool) -> Option<u64> {
        self.wrk.map(|w| if quick { w.quick } else { w.full })
    }

    /// The same scenario with another figure: its p99 latency chart and table.
    pub fn with_measure(&self, measure: Measure) -> Scenario {
        Scenario { measure, ..*self }
    }

    /// The point's label: `at 1000 connections`, or nothing for a single point.
    pub fn at(&self, x: Option<u64>) -> String {
        match (self.axis, x) {
            (Some(axis), Some(x)) => format!(" at {x} {}", axis.unit),
            _ => String::new(),
        }
    }
}

/// What a load scenario does with each server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    /// Climbs the rates, on a log scale, until the server no longer holds one,
    /// then narrows the step between the last held and the first not held.
    Climb,
    /// 1.5x the server's capacity (from serve-load, in the same run), then half of it.
    Overload,
    /// One request in `HEAVY_EVERY` carries `HEAVY_WORK`, the others none,
    /// counted inline and, where the server takes `--offload`, on its pool.
    Mixed,
}

/// One mode's sizes of a load scenario.
#[derive(Debug, Clone, Copy)]
pub struct LoadSizes {
    /// Climb: the ladder of offered rates; Mixed: its one rate (at most half a
    /// server's capacity); Overload: unused.
    pub rates: &'static [u64],
    /// How long each run offers its (first) rate, ms.
    pub step_ms: u64,
    /// Overload: how long the half rate follows, ms.
    pub then_ms: u64,
    /// Climb: how many times the step between held and not held is halved (in log scale).
    pub narrow: u32,
    /// How long oha offers its rate, ms, at two rates per server (Climb); 0: no oha.
    pub oha_ms: u64,
}

/// A load scenario's kind and sizes.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub kind: LoadKind,
    pub full: LoadSizes,
    pub quick: LoadSizes,
}

impl Load {
    pub fn sizes(&self, quick: bool) -> &LoadSizes {
        if quick { &self.quick } else { &self.full }
    }

    /// About how many runs each server takes, for the progress bar.
    pub fn runs_per_server(&self, quick: bool) -> u64 {
        let sizes = self.sizes(quick);
        match self.kind {
            LoadKind::Climb => sizes.rates.len() as u64 / 2 + u64::from(sizes.narrow) + 2,
            LoadKind::Overload => 1,
            LoadKind::Mixed => 2,
        }
    }
}
