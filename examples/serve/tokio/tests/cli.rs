//! tokio-serve as the io clients meet it (see `testkit::serve`).

#[test]
fn serves_like_the_api_server() {
    testkit::serve::check_server(
        &[env!("CARGO_BIN_EXE_tokio-serve")],
        testkit::serve::Serves::Every,
    );
}

/// With `--workers 1` the server runs on a current-thread runtime: it stops the same way.
#[test]
fn stops_alike_on_a_current_thread_runtime() {
    testkit::serve::check_in_flight_on(
        &[env!("CARGO_BIN_EXE_tokio-serve")],
        testkit::serve::Serves::Every,
        1,
    );
}
