//! The binary as a user meets it: one result line on stdout, and a clear one-line
//! error with a non-zero status when something is wrong.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sequential-io"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn embedded_server_and_a_verified_result_line() {
    let out = run(&["--requests", "20", "--delay-ms", "1", "--bytes", "1024"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let expected = workload::io::expected_checksum(20, 1_024);
    assert!(
        stdout.starts_with("workload=io paradigm=sequential requests=20 "),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            " workers=1 checksum={expected} ok=true peak_rss_kib="
        )),
        "{stdout}"
    );
}

#[test]
fn a_server_that_is_not_there() {
    // Port 1 is privileged and never bound by a test: nobody listens there.
    // (A port freed by the test itself could be taken by a parallel test's server.)
    let addr = "127.0.0.1:1".to_string();
    let out = run(&["--requests", "5", "--server", &addr]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no result line, so never ok=true");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("Error: request 0: connect to {addr}: ")),
        "{stderr}"
    );
}

#[test]
fn a_bad_flag() {
    let out = run(&["--delay-ms", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: invalid value 'soon' for '--delay-ms <D>'"),
        "{stderr}"
    );
}
