//! The shape of `bench/src` that its crate root's `# Layout` promises: four
//! layers in the order the data goes (scenarios, measure, results, render),
//! each importing only what it may, no circle of files, no file over 300 lines.
//! Read from the sources as text (`crate::` and `super::` paths, `use` trees,
//! and the `pub use` by which a `mod.rs` re-exports its files' items), so that
//! a move that breaks the shape fails here.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

/// What each layer may import besides itself: the table above all; the
/// results (stored types and what they mean) for the measuring code that
/// writes them and the renderers that read them; a renderer never imports a
/// measuring module, nor the other way round.
const MAY_IMPORT: [(&str, &[&str]); 4] = [
    ("scenarios", &[]),
    ("results", &["scenarios"]),
    ("measure", &["scenarios", "results"]),
    ("render", &["scenarios", "results"]),
];
const MOST_LINES: usize = 300;

type Modules = BTreeMap<String, String>;

/// Every source file as its module path (`render::tables`) and its text.
fn modules() -> Modules {
    fn walk(dir: &Path, prefix: &[String], out: &mut Modules) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut module = prefix.to_vec();
            if path.is_dir() {
                module.push(name);
                walk(&path, &module, out);
                continue;
            }
            // A file a module pulls in with `include_str!` (a page's script) is no module.
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            if !matches!(name.as_str(), "mod" | "main") {
                module.push(name);
            }
            out.insert(module.join("::"), fs::read_to_string(&path).unwrap());
        }
    }
    let mut out = Modules::new();
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

fn join(base: &str, path: &str) -> String {
    match (base.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}::{path}"),
    }
}

/// The module a relative path starts from: `super::` is the parent (of a
/// `mod.rs` too), `crate::` the root, `self::` the module itself.
fn absolute(module: &str, path: &str) -> Option<String> {
    let mut base = module.to_string();
    let mut rest = path;
    if let Some(r) = rest.strip_prefix("crate::") {
        return Some(r.to_string());
    }
    if let Some(r) = rest.strip_prefix("self::") {
        return Some(join(&base, r));
    }
    let mut climbed = false;
    while let Some(r) = rest.strip_prefix("super::") {
        base = base
            .rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_string());
        rest = r;
        climbed = true;
    }
    climbed.then(|| join(&base, rest))
}

/// A `use` tree's paths: `a::{self, b::{c, d}}` is `a`, `a::b::c`, `a::b::d`;
/// each with the name it is known by (its last segment, or its `as`).
fn expand(tree: &str) -> Vec<(String, String)> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p.trim(), a.trim()),
            None => (tree, tree.rsplit("::").next().unwrap_or(tree)),
        };
        return vec![(path.to_string(), alias.to_string())];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut items, mut item, mut depth) = (Vec::new(), String::new(), 0);
    for c in inner.chars().chain([',']) {
        depth += i32::from(c == '{') - i32::from(c == '}');
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut item));
        } else {
            item.push(c);
        }
    }
    let mut out = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if item == "self" {
            let name = prefix.rsplit("::").next().unwrap_or(prefix);
            out.push((prefix.to_string(), name.to_string()));
            continue;
        }
        for (path, alias) in expand(item) {
            out.push((join(prefix, &path), alias));
        }
    }
    out
}

/// Every absolute path a module's code names, through `crate::` or `super::`,
/// in `use` trees or inline; and the items it re-exports (`pub use`), by name.
fn named(module: &str, text: &str) -> (Vec<String>, BTreeMap<String, String>) {
    let code = code(text);
    let (mut paths, mut exports) = (Vec::new(), BTreeMap::new());
    // `use` items start a line: `use`, `pub use`, `pub(crate) use`.
    let mut at = 0;
    while at < code.len() {
        let line = &code[at..];
        let trimmed = line.trim_start();
        let item = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find(|p| trimmed.starts_with(**p));
        if let Some(prefix) = item {
            let tree = &trimmed[prefix.len()..];
            let end = tree.find(';').unwrap_or(tree.len());
            for (path, alias) in expand(&tree[..end]) {
                // Not `crate::`, `super::` or `self::`: a child module's (or another
                // crate's, which then leads to no file of this one).
                let full = absolute(module, &path).unwrap_or_else(|| join(module, &path));
                if prefix.starts_with("pub") {
                    exports.insert(alias, full.clone());
                }
                paths.push(full);
            }
        }
        at += line.find('\n').map_or(line.len(), |n| n + 1);
    }
    // Paths written inline, outside `use`: `crate::measure::program::check(..)`.
    for start in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            rest = &rest[at..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                let path = rest[..end].trim_end_matches(':');
                paths.extend(absolute(module, path));
            }
            rest = &rest[end.max(1)..];
        }
    }
    (paths, exports)
}

/// The file a path leads into: its longest prefix that is a module, followed
/// through that module's re-exports to the file that defines the item.
fn file_of(
    path: &str,
    modules: &Modules,
    exports: &BTreeMap<String, BTreeMap<String, String>>,
) -> Option<String> {
    let mut path = path.to_string();
    for _ in 0..8 {
        let parts: Vec<&str> = path.split("::").collect();
        let (n, module) = (1..=parts.len())
            .rev()
            .map(|n| (n, parts[..n].join("::")))
            .find(|(_, m)| modules.contains_key(m))
            .or_else(|| modules.contains_key("").then(|| (0, String::new())))?;
        let Some(target) = parts
            .get(n)
            .and_then(|item| exports.get(&module)?.get(*item))
        else {
            return Some(module);
        };
        if *target == path {
            return Some(module);
        }
        path = target.clone();
    }
    None
}

/// Each file's imports of other files, leaving out its own ancestors (a child
/// names items through its parent module) and adding each parent's children
/// (a `mod.rs` declares them).
fn imports(modules: &Modules) -> BTreeMap<String, BTreeSet<String>> {
    let named: BTreeMap<_, _> = modules
        .iter()
        .map(|(m, t)| (m.clone(), named(m, t)))
        .collect();
    let exports: BTreeMap<_, _> = named
        .iter()
        .map(|(m, (_, e))| (m.clone(), e.clone()))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, (paths, _)) in &named {
        let edges = graph.entry(module.clone()).or_default();
        for path in paths {
            let Some(file) = file_of(path, modules, &exports) else {
                continue;
            };
            let ancestor = file.is_empty() || module.starts_with(&format!("{file}::"));
            if file != *module && !ancestor {
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

/// Imports against the layers, as `from imports to`.
fn wrong_imports(modules: &Modules) -> Vec<String> {
    let mut wrong = Vec::new();
    for (module, edges) in imports(modules) {
        let Some((_, may)) = MAY_IMPORT.iter().find(|(l, _)| *l == layer(&module)) else {
            continue; // main.rs and cli.rs: the command line, above every layer
        };
        for to in edges {
            if layer(&to) != layer(&module) && !may.contains(&layer(&to)) {
                wrong.push(format!("{module} imports {to}"));
            }
        }
    }
    wrong
}

/// Every circle of imports, as the way round from each file on one.
fn circles(modules: &Modules) -> Vec<String> {
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
    let graph = imports(modules);
    let mut circles = Vec::new();
    for module in graph.keys() {
        let mut way = vec![module.clone()];
        if back(&graph, module, module, &mut BTreeSet::new(), &mut way) {
            circles.push(way.join(" -> "));
        }
    }
    circles
}

#[test]
fn each_layer_imports_only_what_it_may() {
    let wrong = wrong_imports(&modules());
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_circle_of_files() {
    let circles = circles(&modules());
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

/// The checks themselves, on made-up crates: a circle through `super::` and a
/// re-export is found, a child naming its parent is not one, and a renderer
/// that reaches a measuring module through a re-export is caught.
#[test]
fn the_checks_see_through_super_and_re_exports() {
    let crate_of = |files: &[(&str, &str)]| -> Modules {
        files
            .iter()
            .map(|(m, t)| (m.to_string(), t.to_string()))
            .collect()
    };
    let circle = crate_of(&[
        ("", "mod results;"),
        (
            "results",
            "mod cell;\nmod stats;\npub use cell::Cell;\npub use stats::per;\n",
        ),
        ("results::cell", "use super::per;\npub struct Cell;"),
        (
            "results::stats",
            "use crate::results::{Cell, Timing};\npub fn per() {}",
        ),
    ]);
    let found = circles(&circle);
    assert!(
        found.iter().any(|c| c == "results::cell -> results::stats"),
        "{found:?}"
    );

    let fine = crate_of(&[
        ("", "mod scenarios;"),
        (
            "scenarios",
            "mod cpu;\npub const ALL: [u8; 1] = [cpu::CPU];\npub struct Scenario;",
        ),
        (
            "scenarios::cpu",
            "use super::Scenario;\npub const CPU: u8 = 0;",
        ),
    ]);
    assert!(circles(&fine).is_empty(), "{:?}", circles(&fine));

    let reaching = crate_of(&[
        ("", "mod measure;\nmod render;"),
        ("measure", "mod watch;\npub use watch::Sampler;"),
        ("measure::watch", "pub struct Sampler;"),
        ("render", "use crate::{measure::Sampler, render::x};"),
    ]);
    assert_eq!(wrong_imports(&reaching), ["render imports measure::watch"]);
}

/// CONTRIBUTING.md's layout names every file of `bench/src` (`a/{b,c}.rs` for
/// several), so that it stays a map a reader can trust.
#[test]
fn contributing_names_every_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let design = fs::read_to_string(root.join("../CONTRIBUTING.md")).unwrap();
    let mut named = BTreeSet::new();
    for word in design.split_whitespace() {
        match (word.find('{'), word.find('}')) {
            (Some(open), Some(close)) if open < close => {
                let (head, tail) = (&word[..open], &word[close + 1..]);
                for part in word[open + 1..close].split(',') {
                    named.insert(format!("{head}{part}{tail}"));
                }
            }
            _ => {
                named.insert(word.to_string());
            }
        }
    }
    let (modules, mut missing) = (modules(), Vec::new());
    for module in modules.keys() {
        let file = match module.as_str() {
            "" => "bench/src/main.rs".to_string(),
            "cli" => "bench/src/cli.rs".to_string(),
            m if modules.keys().any(|k| k.starts_with(&format!("{m}::"))) => {
                format!("{}/mod.rs", m.replace("::", "/"))
            }
            m => format!("{}.rs", m.replace("::", "/")),
        };
        if !named.contains(&file) {
            missing.push(file);
        }
    }
    assert!(
        missing.is_empty(),
        "CONTRIBUTING.md's layout lacks:\n{}",
        missing.join("\n")
    );
}
