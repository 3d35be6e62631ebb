//! processes-spawn as a user runs it, at small sizes (see `testkit::spawn::check_binary`)
//! and at an OS limit.

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
    let survivors = survivors_in(session);
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

/// Live processes (not zombies) left in `session` once its leader has exited: units
/// that outlived the failed run. Only this run's session is scanned, as other tests
/// (and CI runners) may run this binary at the same time.
fn survivors_in(session: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let (state, sid) = (fields[0], fields[3].parse::<u32>().unwrap());
        if sid == session && state != "Z" {
            found.push(pid);
        }
    }
    found
}
