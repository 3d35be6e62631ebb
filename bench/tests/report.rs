//! `bench report` on a committed run makes, byte for byte, the report, machine
//! card and charts committed beside it, and the README section kept in
//! `tests/golden/`: moving the renderers around must not move a figure.
//! (After a change that means to alter the report, re-make both with
//! `bench report results/2026-12-01-vm --readme <a README with the markers>`
//! and say why in the commit.)

mod common;

use std::{fs, path::Path, process::Command};

use common::{copy_inputs, root};

const BENCH: &str = env!("CARGO_BIN_EXE_bench");
const RUN: &str = "2026-12-01-vm";
/// A README with nothing but the results section's markers around it.
const README: &str = "# t\n\n<!-- results:begin -->\n<!-- results:end -->\n\nafter\n";

fn same(made: &Path, kept: &Path) {
    let (made_text, kept_text) = (fs::read(made).unwrap(), fs::read(kept).unwrap());
    assert!(
        made_text == kept_text,
        "{} differs from {}: run `diff` on them",
        made.display(),
        kept.display()
    );
}

#[test]
fn a_committed_run_reports_byte_for_byte_as_committed() {
    let kept = root().join("results").join(RUN);
    let scratch = std::env::temp_dir().join(format!("bench report golden {}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let made = scratch.join(RUN);
    copy_inputs(&kept, &made);
    let readme = scratch.join("README.md");
    fs::write(&readme, README).unwrap();

    let out = Command::new(BENCH)
        .arg("report")
        .arg(&made)
        .arg("--readme")
        .arg(&readme)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    same(&made.join("report.md"), &kept.join("report.md"));
    same(&made.join("machine.md"), &kept.join("machine.md"));
    let mut charts: Vec<_> = fs::read_dir(kept.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    charts.sort();
    assert!(!charts.is_empty());
    for chart in &charts {
        same(
            &made.join("charts").join(chart),
            &kept.join("charts").join(chart),
        );
    }
    let made_charts = fs::read_dir(made.join("charts")).unwrap().count();
    assert_eq!(made_charts, charts.len(), "the same charts, no more");
    let golden = root()
        .join("bench/tests/golden")
        .join(format!("README-{RUN}.md"));
    same(&readme, &golden);
    fs::remove_dir_all(&scratch).unwrap();
}
