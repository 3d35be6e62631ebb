//! tokio-per-core-spawn as a user runs it (see `testkit::spawn::check_binary`).
//! Past RLIMIT_NPROC it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::spawn::check_binary(
        &[env!("CARGO_BIN_EXE_tokio-per-core-spawn")],
        "tokio-per-core",
        testkit::spawn::Units::Tasks,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_tokio-per-core-spawn")],
        &["--workers", "100"],
    );
}
