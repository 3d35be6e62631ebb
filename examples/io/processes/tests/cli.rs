//! processes-io as a user runs it: its children are re-runs of the binary, so every
//! test goes through the binary (see also `testkit::io`).

use std::process::{Command, Output};

use testkit::fake;

const EXE: &str = env!("CARGO_BIN_EXE_processes-io");

fn run_against(host: &str, concurrency: &str) -> Output {
    Command::new(EXE)
        .args([
            "--requests",
            "20",
            "--concurrency",
            concurrency,
            "--server",
            host,
            // D + T = 350 ms: a hanging server fails the run in well under a second.
            "--timeout-ms",
            "300",
        ])
        .output()
        .unwrap()
}

#[test]
fn as_a_user_runs_it() {
    testkit::io::check_binary(&[EXE], "processes", testkit::io::Compute::OwnThread);
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_processes-io")]);
}

#[test]
fn the_open_file_limit_is_named() {
    testkit::io::check_open_file_limit(&[EXE]);
}

#[test]
fn reads_odd_but_valid_http() {
    let out = run_against(&fake::start(fake::Behaviour::OddButValid).to_string(), "4");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = workload::io::expected_checksum(20, 1_024, 0);
    assert!(
        stdout.contains(&format!(" workers=4 checksum={expected} ok=true ")),
        "{stdout}"
    );
}

#[test]
fn faults_name_the_process_the_request_and_the_cause() {
    for (behaviour, cause) in fake::FAULTS {
        let out = run_against(&fake::start(behaviour).to_string(), "4");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{behaviour:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{behaviour:?}: no result line");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("Error: connection process "), "{stderr}");
        assert!(
            stderr.contains("): request ") && stderr.contains(cause),
            "{behaviour:?}: {stderr}"
        );
    }
}

#[test]
fn killed_with_sigkill_no_child_outlives_it() {
    // A server that never answers: every child waits on its socket.
    let server = fake::start(fake::Behaviour::Hang).to_string();
    testkit::tree::check_dies_whole(
        &[EXE],
        &["--requests", "3", "--concurrency", "3", "--server", &server],
        3,
    );
}

#[test]
fn above_its_ceiling_it_refuses_with_a_reason() {
    let out = Command::new(EXE)
        .args([
            "--requests",
            "5000",
            "--concurrency",
            "1001",
            "--server",
            "127.0.0.1:1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "a flag error: {stderr}");
    assert!(out.stdout.is_empty(), "no result line");
    assert!(
        stderr.starts_with(
            "error: --concurrency 1001 is above processes-io's ceiling of 1000 processes"
        ),
        "{stderr}"
    );
}
