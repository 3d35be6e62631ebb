//! tokio-per-core-cpu as a user runs it (see `testkit::cpu::check_binary`).
//! Past RLIMIT_NPROC it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::cpu::check_binary(
        &[env!("CARGO_BIN_EXE_tokio-per-core-cpu")],
        "tokio-per-core",
        testkit::cpu::Workers::Asked,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_tokio-per-core-cpu")],
        &["--workers", "100"],
    );
}
