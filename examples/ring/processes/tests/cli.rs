//! processes-ring as a user runs it, at small sizes (see `testkit::ring::check_binary`),
//! with a unit killed in the middle of the run, past RLIMIT_NPROC, and killed
//! itself: its units die with it.

use std::{fs, process::Command, thread, time::Duration};

const EXE: &str = env!("CARGO_BIN_EXE_processes-ring");

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[EXE],
        "processes",
        testkit::ring::Units::OwnThreadOrProcess,
    );
}

#[test]
fn a_killed_unit_is_named_and_no_unit_survives() {
    // Output to files, not pipes: a surviving unit would hold a pipe open, and
    // reading it to the end would wait for the unit instead of catching it.
    let dir = std::env::temp_dir().join(format!("processes-ring-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
    // A session of its own, so that every process this run starts can be found:
    // a child of ours is no process-group leader, so `setsid` makes the session in
    // place and execs, and the session's id is the child's pid. A billion laps:
    // the ring is still going when unit 2 is killed.
    let mut run = Command::new("setsid")
        .args([EXE, "--units", "4", "--laps", "1000000000"])
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let session = run.id();
    let victim = (0..1_000)
        .find_map(|_| {
            thread::sleep(Duration::from_millis(10));
            let units = units_in(session);
            units.iter().find(|(_, u)| u == "2").map(|&(pid, _)| pid)
        })
        .expect("unit 2 starts within 10 s");
    let killed = Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status();
    assert!(killed.unwrap().success());
    let status = run.wait().unwrap();
    let survivors = units_in(session);
    assert_eq!(status.code(), Some(1));
    assert!(
        survivors.is_empty(),
        "units outlived the parent: {survivors:?}"
    );
    let (stdout, stderr) = (
        fs::read_to_string(stdout).unwrap(),
        fs::read_to_string(stderr).unwrap(),
    );
    assert!(stdout.is_empty(), "no result line: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let named = format!("Error: unit 2 (pid {victim}) failed: signal: 9 (SIGKILL)");
    assert!(stderr.starts_with(&named), "{stderr}");
    fs::remove_dir_all(dir).unwrap();
}

/// Live units (not zombies) in `session`, as (pid, unit number): the processes
/// with the unit variable in their environment.
fn units_in(session: u32) -> Vec<(u32, String)> {
    let unit = |pid: u32| {
        let environ = fs::read(format!("/proc/{pid}/environ")).ok()?;
        environ.split(|&b| b == 0).find_map(|var| {
            let var = String::from_utf8_lossy(var);
            var.strip_prefix("PROCESSES_RING_UNIT=").map(str::to_owned)
        })
    };
    testkit::cli::live_in_session(session)
        .into_iter()
        .filter_map(|pid| Some((pid, unit(pid)?)))
        .collect()
}

#[test]
fn past_rlimit_nproc_it_refuses_before_any_unit_starts() {
    testkit::limits::check_nproc(&[EXE], &["--units", "100"]);
}

#[test]
fn killed_with_sigkill_no_unit_outlives_it() {
    testkit::tree::check_dies_whole(&[EXE], &["--units", "5", "--laps", "1000000000"], 4);
}
