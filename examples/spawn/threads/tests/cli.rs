//! threads-spawn as a user runs it, at small sizes (see `testkit::spawn::check_binary`)
//! and at an OS limit: too little address space for one more stack.

use std::process::Command;

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[env!("CARGO_BIN_EXE_threads-spawn")],
        "threads",
        testkit::spawn::Units::OwnThreadOrProcess,
    );
}

#[test]
fn a_thread_that_cannot_start_is_named_with_the_os_error() {
    // 256 MiB of address space: room for the program and some 2 MiB stacks, not 1,000.
    let out = Command::new("prlimit")
        .args([
            "--as=268435456",
            env!("CARGO_BIN_EXE_threads-spawn"),
            "--units",
            "1000",
            "--sleep-ms",
            "200",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no result line: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("Error: start unit "), "{stderr}");
    assert!(stderr.contains("(os error "), "{stderr}");
}
