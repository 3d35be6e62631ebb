//! `bench report --open`: the page written, then `$BROWSER` started on it (or
//! the reader told there is none).

mod common;

use std::{
    fs,
    path::Path,
    process::Command,
    thread,
    time::{Duration, Instant},
};

use common::{copy_inputs, root};

const BENCH: &str = env!("CARGO_BIN_EXE_bench");

/// `bench report --open` starts `$BROWSER` on the page and returns; with no
/// browser at all it says so and exits 1, the page written all the same.
#[test]
fn open_starts_the_browser_or_says_there_is_none() {
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("open-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let made = scratch.join("2026-12-01-vm");
    copy_inputs(&root().join("results/2026-12-01-vm"), &made);
    // $BROWSER's words are split at spaces: the stand-in's path has none.
    let opened = scratch.join("opened");
    let browser = scratch.join("browser");
    fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$@\" > '{}'\n", opened.display()),
    )
    .unwrap();
    fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let open = |browser: Option<&Path>| {
        let mut command = Command::new(BENCH);
        command
            .arg("report")
            .arg(&made)
            .arg("--open")
            .env("PATH", "/nonexistent");
        match browser {
            Some(b) => command.env("BROWSER", format!("{} --new-window", b.display())),
            None => command.env_remove("BROWSER"),
        };
        command.output().unwrap()
    };
    let out = open(Some(&browser));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = made.join("report.html");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !opened.exists() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(50));
    let said = fs::read_to_string(&opened).unwrap();
    assert_eq!(said.trim(), format!("--new-window {}", page.display()));
    let out = open(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let expected = format!(
        "Error: no browser to open the page (set BROWSER): {}",
        page.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(page.exists());
    fs::remove_dir_all(&scratch).unwrap();
}
