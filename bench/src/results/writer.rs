//! Writing a results folder: claimed new, appended to point by point, marked
//! complete last.

use std::{
    fs::{self, OpenOptions},
    io::{ErrorKind, Write as _},
    path::{Path, PathBuf},
};

use super::{CELLS, COMPLETE, Cell, META, NOTE, write_meta};

/// A results folder being written: claimed new, appended to point by point,
/// marked complete last.
pub struct Writer {
    dir: PathBuf,
}

impl Writer {
    /// Claims `out` (new or empty), else a new `results/<date>-<host>[-quick][-N]`
    /// (`host`: the machine's short name),
    /// and writes its `meta.env`. Two runs can never claim the same folder.
    pub fn create(
        out: Option<&Path>,
        root: &Path,
        host: &str,
        quick: bool,
        meta: &[(String, String)],
    ) -> Result<Self, String> {
        let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
        let dir = match out {
            Some(out) => {
                fs::create_dir_all(out).map_err(|e| io(out, e))?;
                out.to_path_buf()
            }
            None => {
                let date = meta
                    .iter()
                    .find(|(k, _)| k == "date")
                    .map_or("", |(_, v)| &v[..10]);
                let quick = if quick { "-quick" } else { "" };
                let base = format!("{date}-{host}{quick}");
                let results = root.join("results");
                fs::create_dir_all(&results).map_err(|e| io(&results, e))?;
                let mut n = 1;
                loop {
                    let dir = match n {
                        1 => results.join(&base),
                        n => results.join(format!("{base}-{n}")),
                    };
                    match fs::create_dir(&dir) {
                        Ok(()) => break dir,
                        Err(e) if e.kind() == ErrorKind::AlreadyExists => n += 1,
                        Err(e) => return Err(io(&dir, e)),
                    }
                }
            }
        };
        if fs::read_dir(&dir)
            .map_err(|e| io(&dir, e))?
            .next()
            .is_some()
        {
            return Err(format!(
                "{} is not empty: results are never overwritten",
                dir.display()
            ));
        }
        // create_new: of two runs given the same --out, only one gets it.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(META))
            .and_then(|mut f| f.write_all(write_meta(meta).as_bytes()))
            .map_err(|e| format!("{}: {e}: results are never overwritten", dir.display()))?;
        fs::create_dir(dir.join("raw")).map_err(|e| io(&dir, e))?;
        fs::write(dir.join(CELLS), "").map_err(|e| io(&dir, e))?;
        let dir = dir.canonicalize().map_err(|e| io(&dir, e))?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder's README.md: its name and why the run was made.
    pub fn note(&self, why: &str) -> Result<(), String> {
        let path = self.dir.join(NOTE);
        let name = self.dir.file_name().unwrap_or_default().to_string_lossy();
        fs::write(&path, format!("# {name}\n\n{}\n", why.trim()))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Adds a finished point's cells to `cells.jsonl`.
    pub fn append(&self, cells: &[Cell]) -> Result<(), String> {
        let path = self.dir.join(CELLS);
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let mut file = OpenOptions::new().append(true).open(&path).map_err(io)?;
        for cell in cells {
            writeln!(file, "{}", cell.to_json()).map_err(io)?;
        }
        Ok(())
    }

    /// Marks the run as having done every point it was asked for, `now`.
    pub fn complete(&self, now: &str) -> Result<(), String> {
        fs::write(self.dir.join(COMPLETE), format!("{now}\n")).map_err(|e| e.to_string())
    }
}
