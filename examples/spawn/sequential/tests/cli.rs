//! sequential-spawn as a user runs it (see `testkit::spawn::check_binary`).

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[env!("CARGO_BIN_EXE_sequential-spawn")],
        "sequential",
        testkit::spawn::Units::Inline,
    );
}
