//! Whether io_uring starts here, asked once before a run that has compio
//! programs in it: `compio-cpu` at the smallest size. Where the kernel refuses
//! io_uring (an old kernel, `kernel.io_uring_disabled`, a container's seccomp
//! filter), a compio program says so in one line and exits 1; then every compio
//! cell of the run is skipped with that line, rather than FAILED one by one,
//! and the machine description says what the kernel allows and what the probe saw.

use std::{
    env, fs,
    fs::File,
    process::{self, Command, Stdio},
    time::Duration,
};

use crate::{
    measure::procs::{Ended, Group},
    measure::tools::Tools,
    scenarios::{
        Workload,
        paradigms::{self, Paradigm},
    },
};

/// The paradigm that needs io_uring.
pub const NEEDS_IT: &str = "compio";
/// The probe: the cpu program at the smallest size, its ring made and never used.
const PROBE: [&str; 6] = ["--limit", "10", "--jobs", "1", "--workers", "1"];
/// What a compio program's error line says where the kernel refuses io_uring
/// (`workload::cores::io_uring_refusal`).
const UNAVAILABLE: &str = "io_uring is unavailable";
/// A probe that has not answered by then has hung.
const LIMIT: Duration = Duration::from_secs(30);

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uring {
    /// The run has no compio program: not asked.
    NotAsked,
    /// compio-cpu started its ring and exited 0.
    Starts,
    /// The kernel refused io_uring: the program's line, without `Error: `.
    Unavailable(String),
    /// The probe failed for another reason: the cells run, and say why themselves.
    Failed(String),
}

impl Uring {
    /// Runs the probe.
    pub fn probe(tools: &Tools) -> Self {
        let compio = paradigms::named(NEEDS_IT).expect("compio is a paradigm");
        let program = tools.program(compio, Workload::Cpu);
        let err = env::temp_dir().join(format!("bench-uring-probe-{}", process::id()));
        let ended = File::create(&err).and_then(|file| {
            let mut command = Command::new(&program[0]);
            command
                .args(&program[1..])
                .args(PROBE)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(file);
            Group::spawn(&mut command)?.wait(Some(LIMIT))
        });
        let stderr = fs::read_to_string(&err).unwrap_or_default();
        let _ = fs::remove_file(&err); // scratch: what it said is kept here
        let name = program[0].display();
        match ended {
            Ok(Ended::Exited(status)) => Self::from_output(status.success(), &stderr),
            Ok(Ended::TimedOut) => Uring::Failed(format!(
                "{name} did not finish within {} s",
                LIMIT.as_secs()
            )),
            Ok(Ended::Stopped) => Uring::Failed("the benchmark was stopping".into()),
            Err(e) => Uring::Failed(format!("{name} cannot start: {e}")),
        }
    }

    /// What the probe's exit and its stderr say.
    pub fn from_output(success: bool, stderr: &str) -> Self {
        if success {
            return Uring::Starts;
        }
        let mut lines = stderr.lines().map(str::trim).filter(|l| !l.is_empty());
        match lines.clone().find(|l| l.contains(UNAVAILABLE)) {
            Some(line) => Uring::Unavailable(line.trim_start_matches("Error: ").to_string()),
            None => Uring::Failed(format!(
                "compio-cpu failed: {}",
                lines.next_back().unwrap_or("no error message")
            )),
        }
    }

    /// Why `paradigm` sits out every point of this run, or `None`.
    pub fn skip(&self, paradigm: &Paradigm) -> Option<String> {
        match self {
            Uring::Unavailable(line) if paradigm.family == NEEDS_IT => Some(line.clone()),
            _ => None,
        }
    }

    /// meta.env's `io_uring`: what the kernel allows (`state`, from
    /// `workload::cores::io_uring_state`) and what the probe saw.
    pub fn describe(&self, state: &str) -> String {
        let probe = match self {
            Uring::NotAsked => "not probed: no compio program in this run".to_string(),
            Uring::Starts => "a ring starts (compio-cpu)".to_string(),
            Uring::Unavailable(line) => format!("compio's cells skipped: {line}"),
            Uring::Failed(why) => format!("the probe failed, so compio's cells ran: {why}"),
        };
        format!("{state}; {probe}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// compio-cpu's own line where kernel.io_uring_disabled is 2.
    const REFUSED: &str = "Error: io_uring is unavailable here (Operation not permitted (os error 1); kernel.io_uring_disabled = 2 (off for every process)): compio needs it, and has no epoll fallback in this project, so that its numbers are io_uring's\n";

    #[test]
    fn a_refused_ring_skips_compio_with_its_line() {
        let found = Uring::from_output(false, &format!("a warning\n{REFUSED}"));
        let Uring::Unavailable(line) = &found else {
            panic!("{found:?}");
        };
        assert!(line.starts_with("io_uring is unavailable here (Operation not permitted"));
        let compio = paradigms::named("compio").unwrap();
        assert_eq!(found.skip(compio).as_deref(), Some(line.as_str()));
        assert_eq!(
            found.skip(paradigms::named("tokio-per-core").unwrap()),
            None
        );
        let said = found.describe("kernel.io_uring_disabled = 2 (off for every process)");
        assert!(
            said.starts_with("kernel.io_uring_disabled = 2 (off for every process); compio's cells skipped: io_uring is unavailable here"),
            "{said}"
        );
    }

    #[test]
    fn a_ring_that_starts_or_another_failure_skips_nothing() {
        let compio = paradigms::named("compio").unwrap();
        assert_eq!(Uring::from_output(true, ""), Uring::Starts);
        assert_eq!(Uring::Starts.skip(compio), None);
        let state = "kernel.io_uring_disabled = 0 (on for every process)";
        assert_eq!(
            Uring::Starts.describe(state),
            "kernel.io_uring_disabled = 0 (on for every process); a ring starts (compio-cpu)"
        );
        let other = Uring::from_output(false, "Error: cannot pin to CPU 3\n\n");
        assert_eq!(
            other,
            Uring::Failed("compio-cpu failed: Error: cannot pin to CPU 3".into())
        );
        assert_eq!(other.skip(compio), None);
        assert!(Uring::NotAsked.describe(state).contains("not probed"));
    }
}
