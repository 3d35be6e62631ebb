//! async-std-spawn as a user runs it (see `testkit::spawn::check_binary`).

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[env!("CARGO_BIN_EXE_async-std-spawn")],
        "async-std",
        testkit::spawn::Units::Tasks,
    );
}
