//! async-std-cpu as a user runs it (see `testkit::cpu::check_binary`). Its executor
//! is global and sized once per process, so each worker count needs a process of its
//! own: here every split is one.
//! Past RLIMIT_NPROC it refuses to start its threads, with the limit named.

#[test]
fn as_a_user_runs_it() {
    testkit::cpu::check_binary(
        &[env!("CARGO_BIN_EXE_async-std-cpu")],
        "async-std",
        testkit::cpu::Workers::Asked,
    );
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_async-std-cpu")],
        &["--workers", "100"],
    );
}
