//! rayon-io as a user runs it (see `testkit::io`). It holds one connection per
//! pool thread, a handful, so it cannot be made to run out of file descriptors.

#[test]
fn as_a_user_runs_it() {
    testkit::io::check_binary(
        &[env!("CARGO_BIN_EXE_rayon-io")],
        "rayon",
        testkit::io::Compute::OwnThread,
    );
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_rayon-io")]);
}
