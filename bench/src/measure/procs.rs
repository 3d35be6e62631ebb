//! Child processes that die whole. Every program the benchmark starts (hyperfine,
//! a program being checked, an api-server) leads a process group of its own, and
//! SIGINT or SIGTERM to the benchmark kills every such group at once, so nothing
//! it started runs on or writes into the results folder after it.

use std::{
    io,
    os::unix::process::CommandExt,
    process::{Child, Command, ExitStatus},
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use nix::{
    sys::{
        signal::{Signal, killpg},
        wait::{Id, WaitPidFlag, WaitStatus, waitid},
    },
    unistd::Pid,
};

/// Set once SIGINT or SIGTERM arrives.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// The process groups alive now, by their leader's pid.
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Kills every group on SIGINT, SIGTERM or SIGHUP; a second signal exits at once.
pub fn stop_on_signals() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        if STOPPING.swap(true, Ordering::SeqCst) {
            eprintln!("bench: stopped");
            crate::measure::raise::restore();
            std::process::exit(130);
        }
        eprintln!("\nbench: stopping: killing what it started");
        for &group in lock().iter() {
            // An error here means the group is gone already: nothing left to kill.
            let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        }
    })
}

pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

fn lock() -> std::sync::MutexGuard<'static, Vec<i32>> {
    // A panic while holding this lock cannot leave the list torn (push/retain).
    GROUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a process group's leader ended.
#[derive(Debug)]
pub enum Ended {
    Exited(ExitStatus),
    /// Still running after the limit: killed.
    TimedOut,
    /// The benchmark is stopping: killed.
    Stopped,
}

/// A child leading its own process group; dropping it kills the group.
pub struct Group {
    child: Child,
    reaped: Option<ExitStatus>,
}

impl Group {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> io::Result<Self> {
        if stopping() {
            return Err(io::Error::other("the benchmark is stopping"));
        }
        let child = command.process_group(0).spawn()?;
        lock().push(child.id() as i32);
        // The signal may have come between the check and the push.
        if stopping() {
            let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        }
        Ok(Self {
            child,
            reaped: None,
        })
    }

    /// The leader's piped stdout, once.
    pub fn stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    /// The leader's pid, which is the group's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` to one process of the group (its leader, or one the leader
    /// started); an error means it has exited already.
    pub fn signal(&self, pid: u32, signal: Signal) {
        let _ = nix::sys::signal::kill(Pid::from_raw(pid as i32), signal); // see above
    }

    /// Waits for the leader to exit, at most `limit`; past it, or when the
    /// benchmark is stopping, kills the whole group. Whatever the leader left
    /// running in its group is killed too.
    pub fn wait(&mut self, limit: Option<Duration>) -> io::Result<Ended> {
        let start = Instant::now();
        loop {
            if self.leader_exited()? {
                return Ok(Ended::Exited(self.finish()));
            }
            if stopping() {
                self.finish();
                return Ok(Ended::Stopped);
            }
            if limit.is_some_and(|limit| start.elapsed() > limit) {
                self.finish();
                return Ok(Ended::TimedOut);
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether the leader has exited, without reaping it: while it is an
    /// unreaped zombie, its process group id cannot be given to anyone else.
    fn leader_exited(&self) -> io::Result<bool> {
        if self.reaped.is_some() {
            return Ok(true);
        }
        let pid = Pid::from_raw(self.child.id() as i32);
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        match waitid(Id::Pid(pid), flags) {
            Ok(WaitStatus::StillAlive) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => Err(io::Error::from(e)),
        }
    }

    /// Kills the group (what is left of it), forgets it, then reaps the leader:
    /// in that order, so no signal can reach a group id that was given away.
    fn finish(&mut self) -> ExitStatus {
        if let Some(status) = self.reaped {
            return status;
        }
        let group = self.child.id() as i32;
        // ESRCH means every process of the group has exited already.
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        lock().retain(|&g| g != group);
        let status = self
            .child
            .wait()
            .expect("our own child, reaped nowhere else");
        self.reaped = Some(status);
        status
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_past_its_limit_dies_whole() {
        // The shell's child sleeps on after the shell would have exited: the
        // whole group must go, not only its leader.
        let mut group =
            Group::spawn(Command::new("sh").args(["-c", "sleep 30 & sleep 30; wait"])).unwrap();
        let leader = group.id();
        let ended = group.wait(Some(Duration::from_millis(200))).unwrap();
        assert!(matches!(ended, Ended::TimedOut), "{ended:?}");
        thread::sleep(Duration::from_millis(50));
        let alive = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .filter(|stat| {
                // Field 5 of /proc/PID/stat (after the ")" of the name) is the group.
                let after = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
                let fields: Vec<&str> = after.split(' ').collect();
                fields.get(2) == Some(&leader.to_string().as_str()) && fields[0] != "Z"
            })
            .count();
        assert_eq!(alive, 0, "processes of group {leader} outlived it");
    }

    #[test]
    fn an_exit_is_reported() {
        let mut group = Group::spawn(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        let Ended::Exited(status) = group.wait(None).unwrap() else {
            panic!("no exit")
        };
        assert_eq!(status.code(), Some(3));
    }
}
