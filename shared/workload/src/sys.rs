//! What the programs ask of the OS: cores, peak memory, the open-file limit.
//! Linux reads `/proc`; elsewhere the memory probes answer 0.

use std::{fs, io};

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
}
