//! Files that siblings share by copy, so that each example reads whole on its
//! own: they must stay the same file.

use std::{fs, path::Path};

/// The blocking io clients' keep-alive connection: one `client.rs`, the same in
/// every blocking sibling (an async client's differs only by its runtime).
#[test]
fn the_blocking_io_clients_share_one_client_rs() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/io");
    let read = |paradigm: &str| {
        let path = examples.join(paradigm).join("src/client.rs");
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let first = read("sequential");
    for paradigm in ["processes", "threads", "crossbeam", "rayon"] {
        assert!(
            read(paradigm) == first,
            "examples/io/{paradigm}/src/client.rs differs from examples/io/sequential's: \
             change all five alike"
        );
    }
}
