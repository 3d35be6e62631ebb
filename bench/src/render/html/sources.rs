//! The side by side's sources: each paradigm's program for a workload (read
//! from the run's commit by [`super::git`]), and the line diffs of every two
//! programs of a workload, made here with `similar`, as a list of ops that the
//! page lays out.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use similar::{Algorithm, DiffTag, TextDiff};

use super::git::Reader;
use crate::{
    results::Record,
    scenarios::{
        self, Workload,
        paradigms::{self, Language, Paradigm},
    },
};

/// The workloads, in the order of the page's choice.
pub const WORKLOADS: [Workload; 5] = [
    Workload::Cpu,
    Workload::Io,
    Workload::Spawn,
    Workload::Ring,
    Workload::Serve,
];

/// Where a paradigm's program for a workload is: a folder whose `src/**/*.rs`
/// it is (Rust, the reference), or one Python file.
pub fn program(p: &Paradigm, workload: Workload) -> String {
    match p.language {
        _ if p.is_reference() => "shared/api-server".into(),
        Language::Rust => format!("examples/{}/{}", workload.name(), p.family),
        Language::Python => format!("examples/python/{}_{}.py", workload.name(), p.short()),
    }
}

/// What a reader should know of a paradigm's program beyond its source.
fn remark(p: &Paradigm) -> Option<String> {
    if p.sized {
        return Some(format!(
            "{} runs the {} program, with --workers raised to the connections: a worker per connection",
            p.name, p.family
        ));
    }
    p.is_reference()
        .then(|| "the reference server (hyper on tokio), not a paradigm".into())
}

/// The side by side's data: per workload, its paradigms' programs, the
/// programs' texts (each once), and the diff of every two programs.
pub fn data(record: &Record) -> Value {
    let commit = record
        .meta("commit")
        .split_whitespace()
        .next()
        .unwrap_or("");
    let commit = if commit == "?" { "" } else { commit };
    let (reader, said) = Reader::new(&record.dir, commit);
    let mut workloads = Vec::new();
    let mut texts = BTreeMap::new();
    for workload in WORKLOADS {
        let ran = |p: &&Paradigm| {
            record.cells.iter().any(|c| {
                c.paradigm == p.name
                    && scenarios::named(&c.scenario).is_some_and(|s| s.workload == workload)
            })
        };
        let mut chosen: Vec<Value> = Vec::new();
        let mut programs: Vec<String> = Vec::new();
        for p in paradigms::ROWS.iter().filter(ran) {
            let program = program(p, workload);
            let files = reader.as_ref().map_or(Vec::new(), |r| r.files_of(&program));
            if files.is_empty() {
                continue;
            }
            if !programs.contains(&program) {
                let read = reader.as_ref().map_or(BTreeMap::new(), |r| r.read(&files));
                texts.insert(program.clone(), joined(&files, &read, p.is_python()));
                programs.push(program.clone());
            }
            chosen.push(json!({ "p": p.name, "prog": program, "note": remark(p) }));
        }
        if chosen.is_empty() {
            continue;
        }
        let mut diffs = serde_json::Map::new();
        for (i, a) in programs.iter().enumerate() {
            for b in &programs[i + 1..] {
                diffs.insert(format!("{a}|{b}"), ops(&texts[a].0, &texts[b].0));
            }
        }
        workloads.push(json!({ "w": workload.name(), "par": chosen, "diffs": diffs }));
    }
    let texts: serde_json::Map<String, Value> = texts
        .into_iter()
        .map(|(k, (text, heads))| (k, json!({ "text": text, "heads": heads })))
        .collect();
    json!({ "said": said, "workloads": workloads, "texts": texts })
}

/// A program's files as one text, each after a comment line naming it; and
/// the numbers (from 0) of those lines.
fn joined(files: &[String], read: &BTreeMap<String, String>, python: bool) -> (String, Vec<usize>) {
    let (mut text, mut heads) = (String::new(), Vec::new());
    for file in files {
        let Some(body) = read.get(file) else { continue };
        heads.push(text.matches('\n').count());
        text += &format!("{} {file}\n", if python { "#" } else { "//" });
        text += body;
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    (text, heads)
}

/// The line diff of two texts as `[tag, old lines, new lines]`: `e`qual,
/// `d`eleted, `i`nserted, `r`eplaced.
fn ops(a: &str, b: &str) -> Value {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(a, b);
    let ops: Vec<Value> = diff
        .ops()
        .iter()
        .map(|op| {
            let (tag, old, new) = op.as_tag_tuple();
            let tag = match tag {
                DiffTag::Equal => "e",
                DiffTag::Delete => "d",
                DiffTag::Insert => "i",
                DiffTag::Replace => "r",
            };
            json!([tag, old.len(), new.len()])
        })
        .collect();
    Value::Array(ops)
}
