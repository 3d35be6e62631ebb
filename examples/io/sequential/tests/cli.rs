//! sequential-io as a user runs it (see `testkit::io`).

#[test]
fn as_a_user_runs_it() {
    testkit::io::check_binary(
        &[env!("CARGO_BIN_EXE_sequential-io")],
        "sequential",
        testkit::io::Compute::OwnThread,
    );
}

#[test]
fn a_bad_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sequential-io"))
        .args(["--delay-ms", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: invalid value 'soon' for '--delay-ms <D>'"),
        "{stderr}"
    );
}

#[test]
fn hostile_servers_are_refused_in_bounded_time_and_memory() {
    testkit::io::check_hostile(&[env!("CARGO_BIN_EXE_sequential-io")]);
}
