//! The sources of a run's programs: read at the commit that made the run (one
//! `git ls-tree` and one `git cat-file --batch` in the repository that holds
//! the run's folder, else in the current folder's), or from the working tree
//! where that commit is not there, and said so.

use std::{
    collections::BTreeMap,
    fs,
    io::{Read, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// Reads files at a commit, or from the working tree.
pub struct Reader {
    root: PathBuf,
    commit: Option<String>,
    files: Vec<String>,
}

impl Reader {
    /// At the run's commit in the repository holding `dir`, else the current
    /// folder's; the second value says where the sources come from.
    pub fn new(dir: &Path, commit: &str) -> (Option<Reader>, String) {
        let roots = [dir, Path::new(".")].into_iter().filter_map(|d| {
            let top = git(d, &["rev-parse", "--show-toplevel"], None)?;
            Some(PathBuf::from(String::from_utf8_lossy(&top).trim()))
        });
        let roots: Vec<PathBuf> = roots.collect();
        for root in &roots {
            let listed = git(
                root,
                &[
                    "ls-tree",
                    "-r",
                    "--name-only",
                    commit,
                    "--",
                    "examples",
                    "shared/api-server",
                ],
                None,
            );
            if let (false, Some(list)) = (commit.is_empty(), listed) {
                let files = String::from_utf8_lossy(&list)
                    .lines()
                    .map(str::to_string)
                    .collect();
                let reader = Reader {
                    root: root.clone(),
                    commit: Some(commit.into()),
                    files,
                };
                return (
                    Some(reader),
                    format!("sources from commit {commit}, which made the run"),
                );
            }
        }
        let Some(root) = roots.into_iter().next() else {
            return (
                None,
                format!(
                    "no sources: no git repository holds this folder or the current one (commit {commit})"
                ),
            );
        };
        let mut files = Vec::new();
        for top in ["examples", "shared/api-server"] {
            walk(&root, Path::new(top), &mut files);
        }
        files.sort();
        let said = format!("sources from the working tree: commit {commit} not found");
        (
            Some(Reader {
                root,
                commit: None,
                files,
            }),
            said,
        )
    }

    /// The text of each path, in one `git cat-file --batch`.
    pub fn read(&self, paths: &[String]) -> BTreeMap<String, String> {
        let Some(commit) = &self.commit else {
            let read = |p: &String| Some((p.clone(), fs::read_to_string(self.root.join(p)).ok()?));
            return paths.iter().filter_map(read).collect();
        };
        let asked: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
        let Some(out) = git(&self.root, &["cat-file", "--batch"], Some(asked)) else {
            return BTreeMap::new();
        };
        let mut texts = BTreeMap::new();
        let mut rest = &out[..];
        for path in paths {
            let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
                break;
            };
            let header = String::from_utf8_lossy(&rest[..eol]).to_string();
            rest = &rest[eol + 1..];
            let size: Option<usize> = header.split(' ').nth(2).and_then(|s| s.parse().ok());
            let Some(size) = size.filter(|&s| s < rest.len()) else {
                continue;
            };
            texts.insert(
                path.clone(),
                String::from_utf8_lossy(&rest[..size]).to_string(),
            );
            rest = &rest[size + 1..];
        }
        texts
    }

    /// A program's files: its one Python file, or its `src/**/*.rs`, `main.rs` first.
    pub fn files_of(&self, program: &str) -> Vec<String> {
        if program.ends_with(".py") {
            return self
                .files
                .iter()
                .filter(|f| *f == program)
                .cloned()
                .collect();
        }
        let src = format!("{program}/src/");
        let mut files: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.starts_with(&src) && f.ends_with(".rs"))
            .cloned()
            .collect();
        files.sort_by_key(|f| (!f.ends_with("/main.rs"), f.clone()));
        files
    }
}

/// Every file under `dir` (relative to `root`).
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = dir.join(entry.file_name());
        match entry.file_type().is_ok_and(|t| t.is_dir()) {
            true if entry.file_name() != "target" => walk(root, &path, out),
            true => {}
            false => out.push(path.to_string_lossy().into()),
        }
    }
}

/// `git -C dir ARGS`, with `input` on its stdin; its stdout if it succeeded.
fn git(dir: &Path, args: &[&str], input: Option<String>) -> Option<Vec<u8>> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    // Written beside the reading: a large answer would fill the pipe otherwise.
    let writer = std::thread::spawn(move || {
        // A git that exits early closes its end: what it read is what counts.
        let _ = stdin.write_all(input.unwrap_or_default().as_bytes());
    });
    let mut out = Vec::new();
    child.stdout.take()?.read_to_end(&mut out).ok()?;
    let _ = writer.join();
    child.wait().ok()?.success().then_some(out)
}
