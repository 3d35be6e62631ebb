//! tokio-io as a user runs it (see `api_server::fake`).

#[test]
fn as_a_user_runs_it() {
    api_server::fake::check_binary(&[env!("CARGO_BIN_EXE_tokio-io")], "tokio");
}

#[test]
fn the_open_file_limit_is_named() {
    api_server::fake::check_open_file_limit(&[env!("CARGO_BIN_EXE_tokio-io")]);
}
