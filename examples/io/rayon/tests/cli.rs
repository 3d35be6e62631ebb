//! rayon-io as a user runs it (see `api_server::fake`). It holds one connection per
//! pool thread, a handful, so it cannot be made to run out of file descriptors.

#[test]
fn as_a_user_runs_it() {
    api_server::fake::check_binary(&[env!("CARGO_BIN_EXE_rayon-io")], "rayon");
}
