//! # The Python reference programs, tested from the Rust suite
//!
//! The `.py` files in this folder are the primer's three Python paradigms (and a
//! sequential baseline) on the workloads; `workload.py` is their shared,
//! paradigm-free part. This crate holds no paradigm: it exists so that `cargo test
//! --workspace` runs those programs (tests/programs.rs) against the spec's values,
//! computed by the Rust `workload` crate, and through the same checkers and fake
//! servers (`testkit`) as the Rust programs.

use std::{path::Path, process::Command, sync::OnceLock};

/// The Python paradigms, as they appear in file names and (with `python-` in
/// front) in the result line and the benchmark tables.
pub const PARADIGMS: [&str; 4] = ["sequential", "multiprocessing", "threading", "asyncio"];

/// The oldest Python the programs support (`asyncio.TaskGroup`, `ExceptionGroup`).
pub const MIN_VERSION: (u32, u32) = (3, 11);

/// The command line that runs `examples/python/<file>`: `[interpreter, path]`,
/// where the interpreter is the one `$PYTHON` (default `python3`) names (not a wrapper such as a
/// pyenv shim, so that the program's pid is the interpreter's). Panics with a
/// clear message if it is missing or older than 3.11.
pub fn program(file: &str) -> [String; 2] {
    static PYTHON: OnceLock<String> = OnceLock::new();
    let python = PYTHON.get_or_init(find_python);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    assert!(path.exists(), "no such program: {}", path.display());
    [python.clone(), path.to_string_lossy().into_owned()]
}

fn find_python() -> String {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .args([
            "-c",
            "import sys; print(*sys.version_info[:2], sys.executable)",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{python}: Python {MIN_VERSION:?} or newer is needed: {e}"));
    let out = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = out.split_whitespace().collect();
    let version: Vec<u32> = fields
        .iter()
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        fields.len() == 3 && version.len() == 2 && (version[0], version[1]) >= MIN_VERSION,
        "{python}: Python {MIN_VERSION:?} or newer is needed, found {out:?}"
    );
    fields[2].to_string()
}
