//! The shape of `bench/src` that its crate root's `# Layout` promises: four
//! layers in the order the data goes (scenarios, measure, results, render),
//! each importing only what it may, no circle of files, no file over 300 lines.
//! Read from the sources as text, so that a move that breaks the shape fails here.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

/// What each layer may import besides itself: the table above all; the
/// results' stored types for the measuring code that writes them and the
/// renderers that read them; a renderer never imports a measuring module, nor
/// the other way round.
const MAY_IMPORT: [(&str, &[&str]); 4] = [
    ("scenarios", &[]),
    ("results", &["scenarios"]),
    ("measure", &["scenarios", "results"]),
    ("render", &["scenarios", "results"]),
];
const MOST_LINES: usize = 300;

/// Every source file as its module path (`render::tables`) and its text.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut module = prefix.to_vec();
            if path.is_dir() {
                module.push(name);
                walk(&path, &module, out);
                continue;
            }
            if !matches!(name.as_str(), "mod" | "main") {
                module.push(name);
            }
            out.insert(module.join("::"), fs::read_to_string(&path).unwrap());
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The code without its comments (a doc link is not an import) and its
/// `#[cfg(test)]` module (tests may reach anywhere).
fn code(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |at| &text[..at]);
    let lines = text.lines().filter(|l| !l.trim_start().starts_with("//"));
    lines.collect::<Vec<_>>().join("\n")
}

/// Every `crate::...` path the code names, `use` groups expanded one level deep
/// (`use crate::{a::b, c}` names `a::b` and `c`).
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += i32::from(c == '{') - i32::from(c == '}');
                    depth < 0
                })
                .map_or(group.len(), |(i, _)| i);
            let mut item = String::new();
            let mut depth = 0;
            for c in group[..end].chars().chain([',']) {
                depth += i32::from(c == '{') - i32::from(c == '}');
                if c == ',' && depth == 0 {
                    paths.push(item.trim().to_string());
                    item.clear();
                } else {
                    item.push(c);
                }
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            paths.push(rest[..end].trim_end_matches(':').to_string());
        }
    }
    paths.retain(|p| !p.is_empty());
    paths
}

/// The file a path leads into: its longest prefix that is a module.
fn file_of(path: &str, modules: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = path
        .split("::")
        .map(|p| p.split('{').next().unwrap().trim())
        .collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains_key(m))
}

/// Each file's imports of other files, leaving out its own ancestors (a child
/// names items through its parent module) and adding each parent's children
/// (a `mod.rs` re-exports them).
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in modules {
        let edges = graph.entry(module.clone()).or_default();
        for path in crate_paths(&code(text)) {
            if let Some(file) = file_of(&path, modules)
                && file != *module
                && !module.starts_with(&format!("{file}::"))
                && !file.is_empty()
            {
                edges.insert(file);
            }
        }
        if let Some((parent, _)) = module.rsplit_once("::") {
            graph
                .entry(parent.to_string())
                .or_default()
                .insert(module.clone());
        }
    }
    graph
}

fn layer(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn each_layer_imports_only_what_it_may() {
    let modules = modules();
    let mut wrong = Vec::new();
    for (module, edges) in imports(&modules) {
        let Some((_, may)) = MAY_IMPORT.iter().find(|(l, _)| *l == layer(&module)) else {
            continue; // main.rs and cli.rs: the command line, above every layer
        };
        for to in edges {
            if layer(&to) != layer(&module) && !may.contains(&layer(&to)) {
                wrong.push(format!("{module} imports {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_circle_of_files() {
    let graph = imports(&modules());
    // Depth-first search for a way back to where it started.
    fn back(
        graph: &BTreeMap<String, BTreeSet<String>>,
        to: &str,
        at: &str,
        seen: &mut BTreeSet<String>,
        way: &mut Vec<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                way.push(next.clone());
                if back(graph, to, next, seen, way) {
                    return true;
                }
                way.pop();
            }
        }
        false
    }
    let mut circles = Vec::new();
    for module in graph.keys() {
        let mut way = vec![module.clone()];
        if back(&graph, module, module, &mut BTreeSet::new(), &mut way) {
            circles.push(way.join(" -> "));
        }
    }
    assert!(
        circles.is_empty(),
        "circles of imports:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_four_layers_are_folders_and_no_file_is_long() {
    let modules = modules();
    for (layer, _) in MAY_IMPORT {
        assert!(modules.contains_key(layer), "src/{layer}/mod.rs");
    }
    let top: Vec<_> = modules.keys().filter(|m| !m.contains("::")).collect();
    assert_eq!(
        top,
        ["", "cli", "measure", "render", "results", "scenarios"]
    );
    for (module, text) in &modules {
        let lines = text.lines().count();
        assert!(
            lines <= MOST_LINES,
            "{module}: {lines} lines (at most {MOST_LINES})"
        );
    }
}
