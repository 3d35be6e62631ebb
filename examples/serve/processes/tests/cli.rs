//! processes-serve as the io clients meet it (see `testkit::serve`), and as a
//! process tree that dies whole.

const EXE: &str = env!("CARGO_BIN_EXE_processes-serve");

#[test]
fn serves_like_the_api_server() {
    testkit::serve::check_server(&[EXE], testkit::serve::Serves::Every);
}

#[test]
fn workers_die_with_a_killed_parent() {
    testkit::tree::check_dies_whole(&[EXE], &["--listen", "127.0.0.1:0", "--workers", "2"], 2);
}
