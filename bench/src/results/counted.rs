//! What the counting pass and the memory cgroups found of one program, as a
//! cell stores them: [`Counters`] and [`Peak`].

use serde_json::{Value, json};

/// What one program did in one run, for the whole process tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// `None`: not measured (no perf), never a zero.
    pub syscalls: Option<u64>,
    pub migrations: Option<u64>,
    /// `sched_yield` calls, of the syscalls; `None`: not measured.
    pub sched_yields: Option<u64>,
    /// Gave up the CPU to wait: blocked on I/O, a lock, a sleep.
    pub voluntary: u64,
    /// Preempted: its time slice ran out with work left.
    pub involuntary: u64,
    pub page_faults: u64,
    /// User and system CPU time of the tree, in µs (rusage; older runs lack it).
    pub cpu_us: Option<u64>,
    /// The whole machine's context switches during the run (`/proc/stat`'s
    /// `ctxt`), as the timed runs' are read; `None` where not read.
    pub machine_switches: Option<u64>,
}

impl Counters {
    /// `after - before` of two readings of the children's rusage
    /// (`measure::counters::children_so_far`), with perf's counts if any.
    pub fn between(before: Counters, after: Counters, perf: Option<PerfCounts>) -> Self {
        Counters {
            syscalls: perf.map(|p| p.0),
            migrations: perf.map(|p| p.1),
            sched_yields: perf.and_then(|p| p.2),
            voluntary: after.voluntary.saturating_sub(before.voluntary),
            involuntary: after.involuntary.saturating_sub(before.involuntary),
            page_faults: after.page_faults.saturating_sub(before.page_faults),
            machine_switches: None,
            cpu_us: Some(
                after
                    .cpu_us
                    .unwrap_or(0)
                    .saturating_sub(before.cpu_us.unwrap_or(0)),
            ),
        }
    }

    pub fn to_json(self) -> Value {
        json!({
            "syscalls": self.syscalls,
            "migrations": self.migrations,
            "sched_yields": self.sched_yields,
            "voluntary_switches": self.voluntary,
            "involuntary_switches": self.involuntary,
            "page_faults": self.page_faults,
            "cpu_us": self.cpu_us,
            "machine_switches": self.machine_switches,
        })
    }

    pub fn from_json(v: &Value) -> Option<Self> {
        Some(Counters {
            syscalls: v["syscalls"].as_u64(),
            migrations: v["migrations"].as_u64(),
            sched_yields: v["sched_yields"].as_u64(),
            voluntary: v["voluntary_switches"].as_u64()?,
            involuntary: v["involuntary_switches"].as_u64()?,
            page_faults: v["page_faults"].as_u64()?,
            cpu_us: v["cpu_us"].as_u64(),
            machine_switches: v["machine_switches"].as_u64(),
        })
    }
}

/// Peak memory of one run inside a cgroup, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    pub total: u64,
    /// The kernel's part (v1 only).
    pub kernel: Option<u64>,
}

/// (syscalls, migrations, sched_yield calls where counted) from perf.
pub type PerfCounts = (u64, u64, Option<u64>);
