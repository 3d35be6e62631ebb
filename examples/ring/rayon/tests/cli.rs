//! rayon-ring as a user runs it (see `testkit::ring::check_binary`), and what it
//! refuses: a ring of more jobs than pool threads, and a pool past RLIMIT_NPROC.

#[test]
fn as_a_user_runs_it() {
    testkit::ring::check_binary(
        &[env!("CARGO_BIN_EXE_rayon-ring")],
        "rayon",
        testkit::ring::Units::PoolJobs,
    );
}

#[test]
fn more_units_than_workers_is_refused_before_anything_starts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rayon-ring"))
        .args(["--units", "3", "--workers", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "a flag error: {stderr}");
    assert!(out.stdout.is_empty(), "no result line");
    assert!(
        stderr.starts_with(
            "error: --units 3 needs --workers 3 or more: a rayon job blocked on a channel \
             holds its pool thread, so a ring of more jobs than threads would deadlock\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: rayon-ring "), "{stderr}");
}

#[test]
fn past_rlimit_nproc_it_refuses() {
    testkit::limits::check_nproc(
        &[env!("CARGO_BIN_EXE_rayon-ring")],
        &["--units", "100", "--workers", "100"],
    );
}
