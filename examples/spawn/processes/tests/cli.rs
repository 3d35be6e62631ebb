//! processes-spawn as a user runs it, at small sizes (see `testkit::spawn::check_binary`),
//! at the OS's limits, and killed: its units die with it.

use std::{fs, process::Command};

const EXE: &str = env!("CARGO_BIN_EXE_processes-spawn");

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[EXE],
        "processes",
        testkit::spawn::Units::OwnThreadOrProcess,
    );
}

#[test]
fn the_open_file_limit_is_reported_and_no_unit_survives() {
    // Output to files, not pipes: a surviving unit would hold a pipe open, and
    // reading it to the end would wait for the unit instead of catching it.
    let dir = std::env::temp_dir().join(format!("processes-spawn-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
    // A session of its own, so that every process this run starts can be found:
    // a child of ours is no process-group leader, so `setsid` makes the session in
    // place and execs, and the session's id is the child's pid.
    let mut run = Command::new("setsid")
        .args([
            "prlimit",
            "--nofile=40",
            EXE,
            "--units",
            "200",
            "--sleep-ms",
            "3000",
        ])
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let session = run.id();
    let status = run.wait().unwrap();
    let survivors = testkit::cli::live_in_session(session);
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
    assert!(stderr.starts_with("Error: start unit "), "{stderr}");
    assert!(stderr.contains("Too many open files"), "{stderr}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn past_rlimit_nproc_it_refuses_before_any_unit_starts() {
    testkit::limits::check_nproc(&[EXE], &["--units", "100", "--sleep-ms", "1000"]);
}

#[test]
fn killed_with_sigkill_no_unit_outlives_it() {
    testkit::tree::check_dies_whole(&[EXE], &["--units", "5", "--sleep-ms", "60000"], 5);
}
