//! crossbeam-spawn as a user runs it (see `testkit::spawn::check_binary`).
//! Past RLIMIT_NPROC or vm.max_map_count it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[env!("CARGO_BIN_EXE_crossbeam-spawn")],
        "crossbeam",
        testkit::spawn::Units::OwnThreadOrProcess,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_crossbeam-spawn")],
        &["--units", "100", "--sleep-ms", "1000"],
    );
}

#[test]
fn past_vm_max_map_count_it_refuses_instead_of_aborting() {
    let (_, threads) = testkit::limits::past_map_count();
    if threads <= workload::spawn::MAX_UNITS {
        let units = threads.to_string();
        testkit::limits::check_map_count(
            &[env!("CARGO_BIN_EXE_crossbeam-spawn")],
            &["--units", &units, "--sleep-ms", "1000"],
        );
    }
}
