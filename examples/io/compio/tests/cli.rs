//! compio-io as a user runs it (see `testkit::io`).

#[test]
fn as_a_user_runs_it() {
    if testkit::uring::skip() {
        return;
    }
    testkit::io::check_binary(
        &[env!("CARGO_BIN_EXE_compio-io")],
        "compio",
        testkit::io::Compute::Executor,
    );
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    if testkit::uring::skip() {
        return;
    }
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_compio-io")]);
}

#[test]
fn the_open_file_limit_is_named() {
    if testkit::uring::skip() {
        return;
    }
    testkit::io::check_open_file_limit(&[env!("CARGO_BIN_EXE_compio-io")]);
}
