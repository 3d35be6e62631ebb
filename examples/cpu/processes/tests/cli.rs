//! processes-cpu as a user runs it: a fresh parent process that starts its workers
//! (see also `testkit::cpu::check_binary`); past RLIMIT_NPROC; and killed: its
//! workers die with it.

use std::{
    fs,
    process::Command,
    thread,
    time::{Duration, Instant},
};

#[test]
fn as_a_user_runs_it() {
    // A worker per job at most: the parent never starts an idle one.
    testkit::cpu::check_binary(
        &[env!("CARGO_BIN_EXE_processes-cpu")],
        "processes",
        testkit::cpu::Workers::AtMostJobs,
    );
}

#[test]
fn a_killed_worker_fails_the_run_and_every_child_is_reaped() {
    // Output to files, not pipes: a surviving worker would hold a pipe open, and
    // reading it to the end would wait for the worker instead of catching it.
    let dir = std::env::temp_dir().join(format!("processes-cpu-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
    let mut parent = Command::new(env!("CARGO_BIN_EXE_processes-cpu"))
        .args(["--limit", "400000000", "--jobs", "100", "--workers", "3"])
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut workers = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while workers.len() < 3 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
        workers = children_of(parent.id());
    }
    workers.sort();
    assert_eq!(workers.len(), 3, "three workers started");
    let status = Command::new("kill")
        .args(["-KILL", &workers[0].to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let status = parent.wait().unwrap();
    let survivors: Vec<_> = workers
        .iter()
        .filter(|pid| fs::exists(format!("/proc/{pid}")).unwrap())
        .collect();
    assert!(
        survivors.is_empty(),
        "workers outlived the parent: {survivors:?}"
    );
    assert_eq!(status.code(), Some(1));
    let (stdout, stderr) = (
        fs::read_to_string(stdout).unwrap(),
        fs::read_to_string(stderr).unwrap(),
    );
    assert!(stdout.is_empty(), "no result line: {stdout}");
    let expected = format!(
        "Error: worker process 0 (pid {}): failed: signal: 9 (SIGKILL)",
        workers[0]
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    fs::remove_dir_all(dir).unwrap();
}

/// The pids whose parent is `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The fields after the command name, which is in parentheses: state, ppid, ...
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid: u32 = rest.split_whitespace().nth(1).unwrap().parse().unwrap();
        if ppid == pid {
            children.push(entry.file_name().to_str().unwrap().parse().unwrap());
        }
    }
    children
}

#[test]
fn past_rlimit_nproc_it_refuses_before_any_worker_starts() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_processes-cpu")],
        &["--workers", "100"],
    );
}

#[test]
fn killed_with_sigkill_no_worker_outlives_it() {
    // Primes below 4 * 10^8: minutes of work, still going when the parent dies.
    testkit::tree::check_dies_whole(
        &[env!("CARGO_BIN_EXE_processes-cpu")],
        &["--limit", "400000000", "--jobs", "100", "--workers", "3"],
        3,
    );
}
