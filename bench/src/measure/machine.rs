//! The machine description a run records in `meta.env`: what the numbers were
//! measured on, with which tools and limits, at which commit, by which command.

use std::{fs, path::Path, process::Command, time::SystemTime};

use workload::sys;

use crate::{measure::tools::Tools, scenarios::Limits};

/// The lines of `meta.env`, in order, for a run started now.
pub fn describe(tools: &Tools, mode: &str, only: &str, command: &str) -> Vec<(String, String)> {
    let root = &tools.root;
    let output = |program: &Path, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                let text = if o.stdout.is_empty() {
                    o.stderr
                } else {
                    o.stdout
                };
                String::from_utf8_lossy(&text).trim().to_string()
            })
            .unwrap_or_else(|| "unknown".into())
    };
    let read = |path: &str| {
        fs::read_to_string(path)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            Some(
                l.strip_prefix("model name")?
                    .split_once(':')?
                    .1
                    .trim()
                    .to_string(),
            )
        })
        .unwrap_or_else(|| "unknown".into());
    let memory = match limits().memory_bytes {
        0 => "unknown".into(),
        bytes => format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64),
    };
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| {
            Some(
                l.strip_prefix("PRETTY_NAME=")?
                    .trim_matches('"')
                    .to_string(),
            )
        })
        .unwrap_or_else(|| "unknown".into());
    let dirty = !output(
        Path::new("git"),
        &["status", "--porcelain", "--untracked-files=no"],
    )
    .is_empty();
    let commit = output(Path::new("git"), &["rev-parse", "--short", "HEAD"])
        + if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        };
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((0, 0));
    let lock = read(&root.join("Cargo.lock").to_string_lossy());
    let crates = [
        "tokio",
        "async-std",
        "smol",
        "rayon",
        "crossbeam",
        "compio",
        "hyper",
    ]
    .map(|c| format!("{c} {}", lock_version(&lock, c)))
    .join(", ");
    let python = tools.python.display().to_string();
    [
        ("date", now()),
        ("host", host()),
        ("mode", mode.into()),
        ("only", only.into()),
        ("cpu", cpu),
        ("cores", workload::sys::available_cores().to_string()),
        (
            "cpu_topology",
            super::cpus::topology(workload::sys::available_cores()),
        ),
        ("memory", memory),
        (
            "kernel",
            format!(
                "{} {}",
                read("/proc/sys/kernel/ostype"),
                read("/proc/sys/kernel/osrelease")
            ),
        ),
        ("os", os),
        ("open_files", format!("soft {soft}, hard {hard}")),
        ("max_map_count", read("/proc/sys/vm/max_map_count")),
        ("threads_max", read("/proc/sys/kernel/threads-max")),
        ("pid_max", read("/proc/sys/kernel/pid_max")),
        ("somaxconn", read("/proc/sys/net/core/somaxconn")),
        (
            "tcp_max_syn_backlog",
            read("/proc/sys/net/ipv4/tcp_max_syn_backlog"),
        ),
        (
            "port_range",
            read("/proc/sys/net/ipv4/ip_local_port_range").replace('\t', " "),
        ),
        ("rustc", output(Path::new("rustc"), &["--version"])),
        ("hyperfine", output(&tools.hyperfine, &["--version"])),
        (
            "wrk",
            match &tools.wrk {
                // wrk prints its version first, then its usage, and exits 1.
                Ok(wrk) => Command::new(wrk)
                    .arg("--version")
                    .output()
                    .ok()
                    .and_then(|o| {
                        let text = String::from_utf8_lossy(&o.stdout).into_owned();
                        Some(text.lines().next()?.trim().to_string())
                    })
                    .unwrap_or_else(|| format!("{} did not say its version", wrk.display())),
                Err(why) => format!("not used: {why}"),
            },
        ),
        (
            "oha",
            match &tools.oha {
                Ok(oha) => output(oha, &["--version"]),
                Err(why) => format!("not used: {why}"),
            },
        ),
        (
            "python",
            format!("{} ({python})", output(&tools.python, &["--version"])),
        ),
        ("commit", commit),
        ("command", command.into()),
        ("crates", crates),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec()
}

/// This machine's short host name.
pub fn host() -> String {
    let name = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name = name.trim().split('.').next().unwrap_or("").to_string();
    if name.is_empty() { "host".into() } else { name }
}

/// Now, as `YYYY-MM-DD HH:MM:SS UTC`: its text order is its time order.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The version of crate `name` in Cargo.lock's text.
fn lock_version(lock: &str, name: &str) -> String {
    let header = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == header {
            let version = lines.next().unwrap_or("");
            return version
                .trim_start_matches("version = ")
                .trim_matches('"')
                .to_string();
        }
    }
    "?".into()
}

/// This machine's [`Limits`], read now.
pub fn limits() -> Limits {
    let read = |path: &str, default: u64| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(default)
    };
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib = meminfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("MemTotal:")?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0u64);
    Limits {
        cores: sys::available_cores(),
        max_map_count: read("/proc/sys/vm/max_map_count", 65_530),
        pid_max: read("/proc/sys/kernel/pid_max", 32_768),
        threads_max: read("/proc/sys/kernel/threads-max", u64::MAX),
        memory_bytes: memory_kib * 1024,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_gregorian() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_517), (2026, 3, 5));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(now().ends_with(" UTC") && now().len() == 23);
    }

    #[test]
    fn crate_versions_come_from_the_lock_file() {
        let lock = "[[package]]\nname = \"tokio\"\nversion = \"1.54.1\"\n\n[[package]]\nname = \"compio-buf\"\nversion = \"0.8.3\"\n\n[[package]]\nname = \"compio\"\nversion = \"0.19.2\"\n";
        assert_eq!(lock_version(lock, "tokio"), "1.54.1");
        // compio itself, not the first of its crates.
        assert_eq!(lock_version(lock, "compio"), "0.19.2");
        assert_eq!(lock_version(lock, "smol"), "?");
    }
}
