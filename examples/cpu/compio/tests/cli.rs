//! compio-cpu as a user runs it (see `testkit::cpu::check_binary`).
//! Past RLIMIT_NPROC it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    if testkit::uring::skip() {
        return;
    }
    testkit::cpu::check_binary(
        &[env!("CARGO_BIN_EXE_compio-cpu")],
        "compio",
        testkit::cpu::Workers::Asked,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(&[env!("CARGO_BIN_EXE_compio-cpu")], &["--workers", "100"]);
}
