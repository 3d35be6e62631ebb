//! crossbeam-ring as a user runs it (see `testkit::ring::check_binary`).
//! Past RLIMIT_NPROC or vm.max_map_count it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[env!("CARGO_BIN_EXE_crossbeam-ring")],
        "crossbeam",
        testkit::ring::Units::OwnThreadOrProcess,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(&[env!("CARGO_BIN_EXE_crossbeam-ring")], &["--units", "100"]);
}

#[test]
fn past_vm_max_map_count_it_refuses_instead_of_aborting() {
    // Unit 0 is the main thread: K units start K - 1 threads.
    let (_, threads) = testkit::limits::past_map_count();
    if threads < workload::ring::MAX_UNITS {
        let units = (threads + 1).to_string();
        testkit::limits::check_map_count(
            &[env!("CARGO_BIN_EXE_crossbeam-ring")],
            &["--units", &units, "--laps", "1"],
        );
    }
}
