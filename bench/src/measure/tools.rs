//! Where the programs are: the repository, its release binaries, the Python,
//! hyperfine, wrk and oha; and which program a paradigm runs for a workload.

use std::path::PathBuf;

use crate::scenarios::{
    Workload,
    paradigms::{Language, Paradigm},
};

/// Where the programs are: the repository, its release binaries and the Python.
#[derive(Debug, Clone)]
pub struct Tools {
    pub root: PathBuf,
    pub bin: PathBuf,
    pub python: PathBuf,
    pub hyperfine: PathBuf,
    /// wrk, the serve scenarios' second opinion on a server's throughput; `Err`
    /// says why there is none.
    pub wrk: Result<PathBuf, String>,
    /// oha, serve-load's second opinion on a server's latency under offered
    /// load; `Err` says why there is none.
    pub oha: Result<PathBuf, String>,
}

impl Tools {
    /// The program of `workload` in `paradigm`: `target/release/<paradigm>-<workload>`,
    /// or `python3 examples/python/<workload>_<paradigm>.py`; the reference's is
    /// `target/release/api-server`.
    pub fn program(&self, paradigm: &Paradigm, workload: Workload) -> Vec<PathBuf> {
        match paradigm.language {
            _ if paradigm.is_reference() => vec![self.bin.join(paradigm.name)],
            Language::Rust => {
                vec![
                    self.bin
                        .join(format!("{}-{}", paradigm.family, workload.name())),
                ]
            }
            Language::Python => vec![
                self.python.clone(),
                self.root.join(format!(
                    "examples/python/{}_{}.py",
                    workload.name(),
                    paradigm.short()
                )),
            ],
        }
    }
}
