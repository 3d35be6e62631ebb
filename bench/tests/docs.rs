//! The repository's documents as a reader follows them: every relative link in
//! README.md, CONTRIBUTING.md and docs/*.md (charts, reports and pages of
//! committed runs included) leads to a file or folder that exists, and every
//! `#anchor` into a Markdown file to one of its headings.

use std::{fs, path::Path};

#[test]
fn every_relative_link_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut documents = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    for entry in fs::read_dir(root.join("docs")).expect("docs/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            documents.push(path);
        }
    }
    let mut dead = Vec::new();
    let mut seen = 0;
    for document in &documents {
        let text = fs::read_to_string(document).unwrap();
        for (i, _) in text.match_indices("](") {
            let target = &text[i + 2..];
            let target = &target[..target.find(')').unwrap_or(target.len())];
            let (target, anchor) = target.split_once('#').unwrap_or((target, ""));
            let target = target.trim();
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let file = match target {
                "" => document.clone(),
                _ => document.parent().unwrap().join(target),
            };
            seen += 1;
            if !file.exists() {
                dead.push(format!("{} -> {target}", document.display()));
            } else if !anchor.is_empty() && (target.is_empty() || target.ends_with(".md")) {
                let headings = anchors(&fs::read_to_string(&file).unwrap());
                if !headings.iter().any(|h| h == anchor) {
                    dead.push(format!("{} -> {target}#{anchor}", document.display()));
                }
            }
        }
    }
    assert!(
        seen > 10,
        "found only {seen} relative links: is the parser still right?"
    );
    assert!(
        dead.is_empty(),
        "links that lead nowhere:\n{}",
        dead.join("\n")
    );
}

/// The anchors GitHub gives a Markdown file's headings: lower case, spaces to
/// `-`, every character but letters, digits, `-` and `_` dropped, and `-1`,
/// `-2` after a heading's repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let Some(heading) = line.strip_prefix('#').filter(|_| !fenced) else {
            continue;
        };
        let slug: String = heading
            .trim_start_matches('#')
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = all
            .iter()
            .filter(|a| {
                **a == slug
                    || a.strip_prefix(&format!("{slug}-"))
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        all.push(match repeats {
            0 => slug,
            n => format!("{slug}-{n}"),
        });
    }
    all
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    let text = "# A\n## CPU work inside I/O (`--work`, `--offload`)\n```\n# not a heading\n```\n## The primer's Python\n## A\n";
    assert_eq!(
        anchors(text),
        [
            "a",
            "cpu-work-inside-io---work---offload",
            "the-primers-python",
            "a-1"
        ]
    );
}

#[test]
fn the_readme_links_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("(docs/DESIGN.md)"));
    assert!(root.join("docs/DESIGN.md").is_file());
}

/// The README is a front door: the answers on its first screen, and short
/// enough to read through (the rest lives in docs/ and CONTRIBUTING.md).
#[test]
fn the_readme_answers_first_and_stays_short() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let answers = readme
        .lines()
        .position(|l| l.starts_with("| your kind of work |"))
        .expect("the README has the answers' table");
    assert!(
        answers < 40,
        "the answers' table starts at line {}",
        answers + 1
    );
    let lines = readme.lines().count();
    assert!(
        lines <= 350,
        "README.md has {lines} lines: move detail to docs/"
    );
    for document in ["docs/FINDINGS.md", "docs/BENCHMARK.md", "CONTRIBUTING.md"] {
        assert!(
            readme.contains(&format!("]({document})")),
            "the README links {document}"
        );
    }
}
