//! threads-spawn as a user runs it, at small sizes (see `testkit::spawn::check_binary`)
//! and at the OS's limits on threads, each refused before any unit starts.

use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_threads-spawn");

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(&[EXE], "threads", testkit::spawn::Units::OwnThreadOrProcess);
}

#[test]
fn too_little_address_space_for_the_stacks_is_named() {
    // 256 MiB of address space: room for the program and some 2 MiB stacks, not 1,000.
    let out = Command::new("prlimit")
        .args([
            "--as=268435456",
            EXE,
            "--units",
            "1000",
            "--sleep-ms",
            "200",
        ])
        .output();
    let stderr = testkit::cli::assert_fails_cleanly(out, "RLIMIT_AS is 256 MiB");
    assert!(
        stderr.starts_with("Error: start 1000 unit threads: "),
        "{stderr}"
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(&[EXE], &["--units", "100", "--sleep-ms", "1000"]);
}

#[test]
fn past_vm_max_map_count_it_refuses_instead_of_aborting() {
    let (_, threads) = testkit::limits::past_map_count();
    if threads <= workload::spawn::MAX_UNITS {
        let units = threads.to_string();
        testkit::limits::check_map_count(&[EXE], &["--units", &units, "--sleep-ms", "1000"]);
    }
}
