//! compio-serve as the io clients meet it (see `testkit::serve`).

#[test]
fn serves_like_the_api_server() {
    if testkit::uring::skip() {
        return;
    }
    testkit::serve::check_server(
        &[env!("CARGO_BIN_EXE_compio-serve")],
        testkit::serve::Serves::Every,
    );
}

/// With `--workers 1` one runtime holds every connection: it stops the same way.
#[test]
fn stops_alike_on_one_runtime() {
    if testkit::uring::skip() {
        return;
    }
    testkit::serve::check_in_flight_on(
        &[env!("CARGO_BIN_EXE_compio-serve")],
        testkit::serve::Serves::Every,
        1,
    );
}
