//! What the integration tests that re-make a committed run share: the
//! repository, and a run's measured files copied into a fresh folder.

use std::{
    fs,
    path::{Path, PathBuf},
};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The run's measured files (not what `bench report` makes of them) and its
/// note, where it has one, in a fresh folder `to`.
pub fn copy_inputs(from: &Path, to: &Path) {
    fs::create_dir_all(to.join("raw")).unwrap();
    for file in ["cells.jsonl", "meta.env", "complete", "README.md"] {
        if from.join(file).exists() {
            fs::copy(from.join(file), to.join(file)).unwrap();
        }
    }
    for entry in fs::read_dir(from.join("raw")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, to.join("raw").join(path.file_name().unwrap())).unwrap();
    }
}
