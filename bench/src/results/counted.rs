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
    /// `io_uring_enter` calls, of the syscalls: a completion runtime's one way
    /// into the kernel, which may submit and reap many operations at once.
    /// `None`: not measured (older runs, a kernel without the tracepoint).
    pub uring_enters: Option<u64>,
    /// Wake-ups of a task on another CPU that set that CPU going: an interrupt
    /// sent to it, or a polling idle CPU woken without one (see
    /// `measure::counters::Extra`). `None`: not measured.
    pub cross_wakeups: Option<u64>,
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
            syscalls: perf.map(|p| p.syscalls),
            migrations: perf.map(|p| p.migrations),
            sched_yields: perf.and_then(|p| p.sched_yields),
            uring_enters: perf.and_then(|p| p.uring_enters),
            cross_wakeups: perf.and_then(|p| p.cross_wakeups),
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
            "io_uring_enters": self.uring_enters,
            "cross_cpu_wakeups": self.cross_wakeups,
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
            // Missing in runs made before they were counted: not measured.
            uring_enters: v["io_uring_enters"].as_u64(),
            cross_wakeups: v["cross_cpu_wakeups"].as_u64(),
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

/// What perf counted of one run: syscalls and migrations always, the rest where
/// this kernel has their tracepoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PerfCounts {
    pub syscalls: u64,
    pub migrations: u64,
    pub sched_yields: Option<u64>,
    pub uring_enters: Option<u64>,
    pub cross_wakeups: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of a run made before io_uring_enter and wake-ups were counted
    /// reads back with them not measured, and a new one keeps them.
    #[test]
    fn counters_read_back_from_old_and_new_lines() {
        let old = json!({"syscalls": 10, "migrations": 1, "sched_yields": null,
            "voluntary_switches": 2, "involuntary_switches": 0, "page_faults": 30});
        let read = Counters::from_json(&old).unwrap();
        assert_eq!((read.uring_enters, read.cross_wakeups), (None, None));
        let perf = PerfCounts {
            syscalls: 100,
            migrations: 2,
            sched_yields: Some(0),
            uring_enters: Some(40),
            cross_wakeups: Some(7),
        };
        let new = Counters::between(Counters::default(), Counters::default(), Some(perf));
        assert_eq!(Counters::from_json(&new.to_json()), Some(new));
        assert_eq!((new.uring_enters, new.cross_wakeups), (Some(40), Some(7)));
    }
}
