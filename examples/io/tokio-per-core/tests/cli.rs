//! tokio-per-core-io as a user runs it (see `testkit::io`).

#[test]
fn as_a_user_runs_it() {
    testkit::io::check_binary(
        &[env!("CARGO_BIN_EXE_tokio-per-core-io")],
        "tokio-per-core",
        testkit::io::Compute::Executor,
    );
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_tokio-per-core-io")]);
}

#[test]
fn the_open_file_limit_is_named() {
    testkit::io::check_open_file_limit(&[env!("CARGO_BIN_EXE_tokio-per-core-io")]);
}
