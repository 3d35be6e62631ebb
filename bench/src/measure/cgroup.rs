//! Memory with the kernel's share: a program run inside a memory cgroup of its
//! own, whose peak counts what RSS does not (kernel stacks, page tables, socket
//! buffers). cgroup v1 (`memory.max_usage_in_bytes`, and the kernel's part in
//! `memory.kmem.max_usage_in_bytes`) or v2 (`memory.peak`), made below the
//! cgroup the benchmark runs in, which needs root or a delegated cgroup.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

use crate::results::Peak;

/// How this machine can measure memory with the kernel's share.
#[derive(Debug, Clone)]
pub enum Memcg {
    V1(PathBuf),
    V2(PathBuf),
    /// Cannot, and why.
    Unavailable(String),
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Memcg {
    /// The benchmark's own memory cgroup, if a child cgroup can be made in it.
    pub fn detect() -> Self {
        let own = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let found = own.lines().find_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            let path = path.trim_start_matches('/');
            if controllers.split(',').any(|c| c == "memory") {
                Some(Memcg::V1(Path::new("/sys/fs/cgroup/memory").join(path)))
            } else {
                None
            }
        });
        let memcg = found.or_else(|| {
            let path = own.lines().find_map(|l| l.strip_prefix("0::"))?;
            let dir = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
            dir.join("memory.peak").exists().then_some(Memcg::V2(dir))
        });
        let Some(memcg) = memcg else {
            return Memcg::Unavailable(
                "no cgroup memory controller (v1) or memory.peak (v2) for this process".into(),
            );
        };
        match memcg.create() {
            Ok(probe) => {
                drop(probe);
                memcg
            }
            Err(e) => Memcg::Unavailable(e),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Memcg::V1(dir) => format!("cgroup v1 memory below {}", dir.display()),
            Memcg::V2(dir) => format!("cgroup v2 memory.peak below {}", dir.display()),
            Memcg::Unavailable(why) => format!("not measured: {why}"),
        }
    }

    /// A new, empty cgroup for one run; removed when dropped.
    pub fn create(&self) -> Result<Cgroup, String> {
        let (base, v2) = match self {
            Memcg::V1(dir) => (dir, false),
            Memcg::V2(dir) => (dir, true),
            Memcg::Unavailable(why) => return Err(why.clone()),
        };
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = base.join(format!("bench-{}-{n}", std::process::id()));
        fs::create_dir(&dir)
            .map_err(|e| format!("cannot make a cgroup in {}: {e}", base.display()))?;
        Ok(Cgroup { dir, v2 })
    }
}

/// One cgroup, for one run of one program.
pub struct Cgroup {
    dir: PathBuf,
    v2: bool,
}

impl Cgroup {
    /// `command`, run so that it joins this cgroup before it starts: a shell
    /// writes its own pid into `cgroup.procs`, then becomes the program.
    pub fn command(&self, command: &[String]) -> Vec<String> {
        let procs = self.dir.join("cgroup.procs");
        let script = r#"echo $$ > "$0" && exec "$@""#;
        let mut wrapped = vec!["sh".to_string(), "-c".into(), script.into()];
        wrapped.push(procs.to_string_lossy().into());
        wrapped.extend(command.iter().cloned());
        wrapped
    }

    /// What is charged to this cgroup now, in bytes.
    pub fn usage(&self) -> Result<u64, String> {
        let name = if self.v2 {
            "memory.current"
        } else {
            "memory.usage_in_bytes"
        };
        let path = self.dir.join(name);
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        text.trim()
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Makes the peak what is charged now (cgroup v1: `memory.max_usage_in_bytes`
    /// takes a write), so that a peak read later is a run's, not its start-up's.
    /// cgroup v2's `memory.peak` resets only for the file that wrote it: there the
    /// peak keeps start-up's, which a server's idle figure is taken after.
    pub fn reset_peak(&self) {
        if !self.v2 {
            // Where it cannot, the peak keeps start-up's, as on v2.
            let _ = fs::write(self.dir.join("memory.max_usage_in_bytes"), "0");
        }
    }

    /// The peak of everything the run charged to this cgroup.
    pub fn peak(&self) -> Result<Peak, String> {
        let read = |name: &str| -> Result<u64, String> {
            let path = self.dir.join(name);
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            text.trim()
                .parse()
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        if self.v2 {
            return Ok(Peak {
                total: read("memory.peak")?,
                kernel: None,
            });
        }
        Ok(Peak {
            total: read("memory.max_usage_in_bytes")?,
            kernel: read("memory.kmem.max_usage_in_bytes").ok(),
        })
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Its processes have all exited; an error leaves an empty cgroup behind,
        // which costs nothing and goes with the machine.
        let _ = fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Starts `threads` Python threads that sleep, in a cgroup of its own, and
    /// returns (its VmHWM in bytes, the cgroup's peak).
    fn threads_in_a_cgroup(memcg: &Memcg, python: &str, threads: u32) -> (u64, Peak) {
        let script = "import sys, threading, time\n\
            ts = [threading.Thread(target=time.sleep, args=(0.3,)) for _ in range(int(sys.argv[1]))]\n\
            [t.start() for t in ts]\n[t.join() for t in ts]\n\
            print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))";
        let cgroup = memcg.create().unwrap();
        let command = [python, "-c", script, &threads.to_string()].map(String::from);
        let command = cgroup.command(&command);
        let out = Command::new(&command[0])
            .args(&command[1..])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        (kib * 1024, cgroup.peak().unwrap())
    }

    #[test]
    fn a_thread_costs_more_with_the_kernels_share_than_without() {
        let memcg = Memcg::detect();
        if let Memcg::Unavailable(why) = &memcg {
            eprintln!("skipped: no memory cgroup can be made here: {why}");
            return;
        }
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        if Command::new(&python).arg("--version").output().is_err() {
            eprintln!("skipped: no {python} to start threads with");
            return;
        }
        let n = 300;
        let (rss_0, cgroup_0) = threads_in_a_cgroup(&memcg, &python, 0);
        let (rss_n, cgroup_n) = threads_in_a_cgroup(&memcg, &python, n);
        let user_space = rss_n.saturating_sub(rss_0) / u64::from(n);
        let with_kernel = cgroup_n.total.saturating_sub(cgroup_0.total) / u64::from(n);
        // Each thread has at least a 16 KiB kernel stack that no RSS shows.
        assert!(
            with_kernel > user_space + 8 * 1024,
            "per thread: {user_space} B in user space, {with_kernel} B with the kernel"
        );
        if let (Some(k_0), Some(k_n)) = (cgroup_0.kernel, cgroup_n.kernel) {
            assert!(
                k_n.saturating_sub(k_0) / u64::from(n) >= 8 * 1024,
                "kernel {k_0} -> {k_n}"
            );
        }
    }
}
