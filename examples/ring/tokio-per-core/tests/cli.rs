//! tokio-per-core-ring as a user runs it (see `testkit::ring::check_binary`).
//! Past RLIMIT_NPROC it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[env!("CARGO_BIN_EXE_tokio-per-core-ring")],
        "tokio-per-core",
        testkit::ring::Units::Tasks,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_tokio-per-core-ring")],
        &["--workers", "100"],
    );
}
