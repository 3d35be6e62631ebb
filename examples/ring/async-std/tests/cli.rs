//! async-std-ring as a user runs it (see `testkit::ring::check_binary`).

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[env!("CARGO_BIN_EXE_async-std-ring")],
        "async-std",
        testkit::ring::Units::Tasks,
    );
}
