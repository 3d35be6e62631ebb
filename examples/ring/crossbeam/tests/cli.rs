//! crossbeam-ring as a user runs it (see `testkit::ring::check_binary`).

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[env!("CARGO_BIN_EXE_crossbeam-ring")],
        "crossbeam",
        testkit::ring::Units::OwnThreadOrProcess,
    );
}
