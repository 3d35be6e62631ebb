//! What the programs ask of the OS: cores, peak memory, the open-file limit, and
//! whether more threads or processes fit under the OS's limits. Linux reads
//! `/proc`; elsewhere the memory probes answer 0 and every limit leaves room.

use std::{env, fs, io};

use crate::Error;

/// Memory maps a live Rust thread holds: its stack and guard page, and std's
/// alternate signal stack and its guard page (measured in bench/src/scenarios/limits.rs).
pub const MAPS_PER_THREAD: u64 = 4;
/// Maps kept free, per core, for what a process maps besides thread stacks while
/// its threads start: glibc's malloc arenas (up to 8 per core, two maps each).
const MAPS_PER_CORE: u64 = 16;
/// The address space a thread needs besides its stack: std's signal stack and the
/// guard pages.
const THREAD_EXTRA_BYTES: u64 = 64 << 10;
/// A Rust thread's stack unless `RUST_MIN_STACK` says otherwise (tokio and rayon
/// threads too).
const DEFAULT_STACK_BYTES: u64 = 2 << 20;
/// Capabilities that exempt a process from RLIMIT_NPROC: CAP_SYS_ADMIN, CAP_SYS_RESOURCE.
const NPROC_EXEMPT_CAPS: u64 = (1 << 21) | (1 << 24);

/// The cores this process may run on: the default worker count.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// This process's peak resident set size (VmHWM), in KiB; 0 where unknown.
pub fn peak_rss_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| kib_field(&status, "VmHWM:"))
        .unwrap_or(0)
}

/// The proportional set size of a live process `pid`, in KiB: its private pages
/// plus its share of pages it shares with others. Summing the Pss of the children of
/// a process tree counts pages shared by every copy of the binary once, not K times.
pub fn pss_kib(pid: u32) -> io::Result<u64> {
    let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    kib_field(&rollup, "Pss:").ok_or_else(|| io::Error::other("no Pss line in smaps_rollup"))
}

/// This process's own Pss, in KiB: what a child reports to its parent.
pub fn own_pss_kib() -> io::Result<u64> {
    pss_kib(std::process::id())
}

/// Raises this process's soft open-file limit to its hard limit, and returns it.
pub fn raise_open_file_limit() -> io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Refuses, before any starts, `n` more threads of this process that the OS's
/// limits leave no room for: `start {n} {what}: <the limit, with its numbers>`.
/// It must come first: std aborts the whole process, where it could return an
/// error, when a thread it has started cannot map its signal stack, which is what
/// happens at `vm.max_map_count`. It also checks the address space (RLIMIT_AS) for
/// their stacks and the limits on tasks ([`processes_fit`]).
pub fn threads_fit(n: u64, what: &str) -> Result<(), Error> {
    no_room_for_threads(n).map_or(Ok(()), |why| {
        Err(Error::msg(format!("start {n} {what}: {why}")))
    })
}

/// Why the OS's limits leave no room for `n` more threads of this process (the
/// limit, with its numbers), or `None`: [`threads_fit`]'s reason.
pub(crate) fn no_room_for_threads(n: u64) -> Option<String> {
    Room::here(n, true).refusal(n, true)
}

/// Refuses, before any starts, `n` more child processes that the OS's limits on
/// tasks leave no room for (kernel.threads-max, kernel.pid_max, RLIMIT_NPROC):
/// `start {n} {what}: <the limit, with its numbers>`. A fork past them fails with
/// EAGAIN, which would not say which limit it was.
pub fn processes_fit(n: u64, what: &str) -> Result<(), Error> {
    Room::here(n, false)
        .refusal(n, false)
        .map_or(Ok(()), |why| {
            Err(Error::msg(format!("start {n} {what}: {why}")))
        })
}

/// This process's standing against each limit on new threads and processes, as
/// `(in use, limit)`; `None` where the limit is unknown, unlimited, does not apply,
/// or is too far off to need counting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Room {
    cores: u64,
    /// This process's memory maps, and `vm.max_map_count`.
    maps: Option<(u64, u64)>,
    /// This process's address space (VmSize), and RLIMIT_AS, in bytes.
    address_space: Option<(u64, u64)>,
    /// The stack a new thread maps, in bytes.
    stack_bytes: u64,
    /// Threads on the system (/proc/loadavg), and `kernel.threads-max`.
    threads: Option<(u64, u64)>,
    /// Tasks in this pid namespace, each holding an id, and `kernel.pid_max`.
    ids: Option<(u64, u64)>,
    /// The real user, its tasks, and RLIMIT_NPROC (from which root is exempt).
    user: Option<(u32, u64, u64)>,
}

impl Room {
    /// Reads what [`Room::refusal`] needs to judge `n` more threads (`threads`) or
    /// processes, and no more: a few small files and system calls, so that a
    /// run's counters stay the paradigm's. Counting tasks means reading every
    /// process's status, so it is done only where the system's thread count says
    /// a limit on tasks could be near.
    fn here(n: u64, threads: bool) -> Self {
        let soft = |resource| rlimit::getrlimit(resource).ok().map(|(soft, _)| soft);
        let limited = |limit: Option<u64>| limit.filter(|&l| l != rlimit::INFINITY);
        // Address space is a thread's concern: a child process gets its own.
        let as_limit = limited(soft(rlimit::Resource::AS)).filter(|_| threads);
        let nproc = limited(soft(rlimit::Resource::NPROC));
        let status = match as_limit.or(nproc) {
            Some(_) => fs::read_to_string("/proc/self/status").unwrap_or_default(),
            None => String::new(),
        };
        let uid = field(&status, "Uid:").and_then(|s| s.split_whitespace().next()?.parse().ok());
        let caps = field(&status, "CapEff:").and_then(|s| u64::from_str_radix(s.trim(), 16).ok());
        let exempt = uid == Some(0) || caps.is_some_and(|c| c & NPROC_EXEMPT_CAPS != 0);
        let nproc = nproc.filter(|_| !exempt);
        let loadavg = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let running: Option<u64> = loadavg
            .split_whitespace()
            .nth(3)
            .and_then(|s| s.split_once('/')?.1.parse().ok());
        // Every task on the system, in any namespace or of any user, counts in
        // /proc/loadavg: a bound on both counts below.
        let near = |limit: &u64| running.is_none_or(|r| r.saturating_add(n) >= *limit);
        let pid_max = number("/proc/sys/kernel/pid_max").filter(near);
        let (tasks, user_tasks) = match pid_max.is_some() || nproc.is_some_and(|l| near(&l)) {
            true => count_tasks(uid),
            false => (None, None),
        };
        Self {
            cores: if threads { available_cores() as u64 } else { 0 },
            maps: match threads {
                true => fs::read_to_string("/proc/self/maps")
                    .ok()
                    .map(|maps| maps.lines().count() as u64)
                    .zip(number("/proc/sys/vm/max_map_count")),
                false => None,
            },
            address_space: kib_field(&status, "VmSize:")
                .map(|kib| kib << 10)
                .zip(as_limit),
            stack_bytes: env::var("RUST_MIN_STACK")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(DEFAULT_STACK_BYTES),
            threads: running.zip(number("/proc/sys/kernel/threads-max")),
            ids: tasks.zip(pid_max),
            user: match (uid, user_tasks, nproc) {
                (Some(uid), Some(tasks), Some(limit)) => Some((uid, tasks, limit)),
                _ => None,
            },
        }
    }

    /// Why `n` more threads (`threads`) or processes do not fit, or `None`.
    fn refusal(&self, n: u64, threads: bool) -> Option<String> {
        if let Some((held, max)) = self.maps.filter(|_| threads) {
            let need = n.saturating_mul(MAPS_PER_THREAD) + MAPS_PER_CORE * self.cores;
            if held.saturating_add(need) > max {
                return Some(format!(
                    "they need about {need} memory maps and this process holds {held}; \
                     vm.max_map_count is {max}"
                ));
            }
        }
        if let Some((used, limit)) = self.address_space.filter(|_| threads) {
            let need = n.saturating_mul(self.stack_bytes + THREAD_EXTRA_BYTES);
            if used.saturating_add(need) > limit {
                return Some(format!(
                    "their stacks need about {} MiB of address space and this process has \
                     {} MiB; RLIMIT_AS is {} MiB",
                    need >> 20,
                    used >> 20,
                    limit >> 20
                ));
            }
        }
        if let Some((running, max)) = self.threads.filter(|&(r, max)| r.saturating_add(n) > max) {
            return Some(format!(
                "the system runs {running} threads; kernel.threads-max is {max}"
            ));
        }
        if let Some((tasks, max)) = self.ids.filter(|&(t, max)| t.saturating_add(n) >= max) {
            return Some(format!(
                "the system's threads and processes hold {tasks} ids; kernel.pid_max is {max}"
            ));
        }
        if let Some((uid, tasks, max)) = self.user.filter(|&(_, t, max)| t.saturating_add(n) > max)
        {
            return Some(format!(
                "{tasks} of user {uid}'s threads and processes run already; RLIMIT_NPROC is {max}"
            ));
        }
        None
    }
}

/// Tasks (threads, each process's included) in this pid namespace, and those whose
/// real user is `uid`, from each process's /proc status.
fn count_tasks(uid: Option<u32>) -> (Option<u64>, Option<u64>) {
    let Ok(entries) = fs::read_dir("/proc") else {
        return (None, None);
    };
    let (mut all, mut user) = (0, 0);
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        // A process that ended since the listing has no status: it holds nothing.
        let Ok(status) = fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let threads = field(&status, "Threads:").and_then(|s| s.trim().parse().ok());
        let owner = field(&status, "Uid:").and_then(|s| s.split_whitespace().next()?.parse().ok());
        all += threads.unwrap_or(1);
        if owner.is_some() && owner == uid {
            user += threads.unwrap_or(1);
        }
    }
    (Some(all), uid.map(|_| user))
}

/// A number alone in a file, as the kernel's /proc/sys files hold them.
fn number(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The rest of the line that starts with `key`.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| line.strip_prefix(key))
}

fn kib_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_fields() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    4242 kB\n";
        assert_eq!(kib_field(status, "VmHWM:"), Some(4_242));
        assert_eq!(kib_field(status, "Pss:"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn probes_see_this_process() {
        let big = vec![1u8; 64 << 20];
        assert!(peak_rss_kib() >= 64 << 10, "peak {} KiB", peak_rss_kib());
        assert!(own_pss_kib().unwrap() > 0);
        drop(big);
        assert!(raise_open_file_limit().unwrap() >= 1_024);
    }

    /// A 2-core machine with the kernel's defaults and no RLIMIT_AS.
    const ROOM: Room = Room {
        cores: 2,
        maps: Some((40, 65_530)),
        address_space: None,
        stack_bytes: 2 << 20,
        threads: Some((300, 192_729)),
        ids: Some((300, 32_768)),
        user: None,
    };

    #[test]
    fn each_limit_is_named_with_its_numbers() {
        assert_eq!(ROOM.refusal(16_000, true), None);
        assert_eq!(
            ROOM.refusal(20_000, true).unwrap(),
            "they need about 80032 memory maps and this process holds 40; \
             vm.max_map_count is 65530"
        );
        // Map counts are a thread's: processes each have their own.
        assert_eq!(
            ROOM.refusal(32_468, false).unwrap(),
            "the system's threads and processes hold 300 ids; kernel.pid_max is 32768"
        );
        assert_eq!(ROOM.refusal(32_467, false), None);
        let raised = Room {
            maps: Some((40, u64::MAX)),
            ids: Some((300, 4_194_304)),
            ..ROOM
        };
        assert_eq!(
            raised.refusal(200_000, true).unwrap(),
            "the system runs 300 threads; kernel.threads-max is 192729"
        );
        let small = Room {
            address_space: Some((20 << 20, 256 << 20)),
            user: Some((65_534, 3, 50)),
            ..ROOM
        };
        assert_eq!(
            small.refusal(1_000, true).unwrap(),
            "their stacks need about 2062 MiB of address space and this process has \
             20 MiB; RLIMIT_AS is 256 MiB"
        );
        assert_eq!(small.refusal(47, false), None);
        assert_eq!(
            small.refusal(48, false).unwrap(),
            "3 of user 65534's threads and processes run already; RLIMIT_NPROC is 50"
        );
        assert!(
            ROOM.refusal(u64::MAX, false)
                .unwrap()
                .contains("threads-max")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_room_for_a_few_threads_and_not_for_a_billion() {
        let here = Room::here(10, true);
        assert!(here.maps.is_some_and(|(held, _)| held > 10), "{here:?}");
        assert!(
            here.threads.is_some_and(|(running, _)| running >= 1),
            "{here:?}"
        );
        // Near pid_max, the tasks are counted.
        let near = Room::here(u64::MAX, false);
        assert!(near.ids.is_some_and(|(tasks, _)| tasks >= 1), "{near:?}");
        assert_eq!(near.maps, None, "maps are a thread's");
        assert!(threads_fit(10, "test threads").is_ok());
        assert!(processes_fit(10, "test processes").is_ok());
        let why = threads_fit(1 << 40, "test threads")
            .unwrap_err()
            .to_string();
        assert!(
            why.starts_with("start 1099511627776 test threads: they need about "),
            "{why}"
        );
    }
}
