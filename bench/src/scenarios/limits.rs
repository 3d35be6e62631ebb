//! The machine's limits that decide how far a paradigm can go: cores, and what
//! stops OS threads from starting, as `measure::machine::limits` reads them when
//! a run starts (after `--raise-limits`). Skip rules read them, so a skipped
//! cell says which limit, with its value.

/// Memory maps a live Rust thread holds. Measured: 100,000 threads blocked at
/// once (threads-ring) abort in std ("failed to set up alternative stack guard
/// page") with vm.max_map_count at 265,530 and start with 400,000.
pub const MAPS_PER_THREAD: u64 = 4;

/// What a skip rule may look at besides the point and the paradigm: this
/// machine's cores and limits, read when the run starts (after `--raise-limits`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub cores: usize,
    /// `vm.max_map_count`: a Rust thread maps four areas: its stack and guard
    /// page, and std's alternate signal stack and its guard page.
    pub max_map_count: u64,
    /// `kernel.pid_max`: every thread takes an id below it.
    pub pid_max: u64,
    /// `kernel.threads-max`.
    pub threads_max: u64,
    pub memory_bytes: u64,
}

impl Limits {
    /// What stops `k` OS threads from starting here, with the values read from
    /// the machine, or `None` if nothing should.
    pub fn threads_refused(&self, k: u64) -> Option<String> {
        // x86-64 Linux gives each thread a 16 KiB kernel stack, outside any RSS.
        let stacks = k * 16 * 1024;
        if MAPS_PER_THREAD * k > self.max_map_count {
            Some(format!(
                "{k} threads need about {} memory maps; vm.max_map_count is {}",
                MAPS_PER_THREAD * k,
                self.max_map_count
            ))
        } else if k + 1_000 > self.pid_max {
            Some(format!(
                "{k} threads need {k} ids; kernel.pid_max is {}",
                self.pid_max
            ))
        } else if k > self.threads_max {
            Some(format!(
                "{k} threads; kernel.threads-max is {}",
                self.threads_max
            ))
        } else if 2 * stacks > self.memory_bytes {
            Some(format!(
                "{k} threads need {:.1} GiB of kernel stacks alone (16 KiB each), over half of this machine's {:.1} GiB",
                stacks as f64 / (1u64 << 30) as f64,
                self.memory_bytes as f64 / (1u64 << 30) as f64
            ))
        } else {
            None
        }
    }
}

/// The developer machine's defaults, for tests of the rules.
#[cfg(test)]
pub const DEVELOPER_MACHINE: Limits = Limits {
    cores: 2,
    max_map_count: 65_530,
    pid_max: 32_768,
    threads_max: 192_729,
    memory_bytes: 24 << 30,
};

#[cfg(test)]
mod tests {
    use super::*;

    const MACHINE: Limits = DEVELOPER_MACHINE;

    #[test]
    fn threads_stop_at_the_first_limit_said_with_its_value() {
        let why = MACHINE.threads_refused(100_000).unwrap();
        assert_eq!(
            why,
            "100000 threads need about 400000 memory maps; vm.max_map_count is 65530"
        );
        let raised = Limits {
            max_map_count: 4_100_000,
            ..MACHINE
        };
        let why = raised.threads_refused(100_000).unwrap();
        assert_eq!(
            why,
            "100000 threads need 100000 ids; kernel.pid_max is 32768"
        );
        let raised = Limits {
            pid_max: 1_100_000,
            threads_max: 1_000_000,
            ..raised
        };
        assert_eq!(raised.threads_refused(100_000), None);
        let why = raised.threads_refused(1_000_000).unwrap();
        assert!(why.contains("15.3 GiB of kernel stacks alone"), "{why}");
        assert_eq!(MACHINE.threads_refused(10_000), None);
    }
}
