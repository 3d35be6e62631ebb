//! threads-io as a user runs it (see `testkit::io`), and past vm.max_map_count,
//! where it refuses to start its connection threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::io::check_binary(
        &[env!("CARGO_BIN_EXE_threads-io")],
        "threads",
        testkit::io::Compute::OwnThread,
    );
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_threads-io")]);
}

#[test]
fn the_open_file_limit_is_named() {
    testkit::io::check_open_file_limit(&[env!("CARGO_BIN_EXE_threads-io")]);
}

#[test]
fn past_vm_max_map_count_it_refuses_instead_of_aborting() {
    let (_, threads) = testkit::limits::past_map_count();
    let connections = threads.to_string();
    testkit::limits::check_map_count(
        &[env!("CARGO_BIN_EXE_threads-io")],
        &["--requests", &connections, "--concurrency", &connections],
    );
}
