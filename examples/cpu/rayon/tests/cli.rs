//! rayon-cpu as a user runs it (see `testkit::cpu::check_binary`).

#[test]
fn as_a_user_runs_it() {
    testkit::cpu::check_binary(
        &[env!("CARGO_BIN_EXE_rayon-cpu")],
        "rayon",
        testkit::cpu::Workers::Asked,
    );
}
