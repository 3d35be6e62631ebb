//! rayon-serve as the io clients meet it (see `testkit::serve`).

#[test]
fn serves_like_the_api_server() {
    testkit::serve::check_server(
        &[env!("CARGO_BIN_EXE_rayon-serve")],
        testkit::serve::Serves::Pool(4),
    );
}
