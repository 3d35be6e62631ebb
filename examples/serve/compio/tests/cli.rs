//! compio-serve as the io clients meet it (see `testkit::serve`); where io_uring cannot
//! start, each test says why and skips.

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

/// With `--workers 1` the server is one runtime on one listener: it stops the same way.
#[test]
fn stops_alike_with_one_runtime() {
    if testkit::uring::skip() {
        return;
    }
    testkit::serve::check_in_flight_on(
        &[env!("CARGO_BIN_EXE_compio-serve")],
        testkit::serve::Serves::Every,
        1,
    );
}
