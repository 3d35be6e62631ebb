//! The api-server meets the serve programs' checker (`testkit::serve`): bodies,
//! refusals, the RFC rules, a burst, stopping, and hostile clients (a flood, clients
//! that never read, slow heads and idle connections, clients that vanish, a second
//! signal, a second copy on its port).

#[test]
fn serves_as_every_serve_program_must() {
    testkit::serve::check_server(
        &[env!("CARGO_BIN_EXE_api-server")],
        testkit::serve::Serves::Every,
    );
}
