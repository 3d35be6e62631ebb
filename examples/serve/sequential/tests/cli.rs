//! sequential-serve as the io clients meet it (see `testkit::serve`).

const EXE: &str = env!("CARGO_BIN_EXE_sequential-serve");

#[test]
fn serves_like_the_api_server() {
    testkit::serve::check_server(&[EXE], testkit::serve::Serves::OneAtATime);
}

#[test]
fn hides_workers_from_its_help() {
    let help = testkit::cli::output(&[EXE], &["--help"]).stdout;
    assert!(!String::from_utf8_lossy(&help).contains("--workers"));
}
