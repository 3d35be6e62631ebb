//! report.html in a real browser: `bench report` on a committed full run (and
//! on the folder in `BENCH_PAGE_RUN`, where CI puts its quick run), then
//! headless Chromium loads each page with `#selftest`, which clicks every
//! heatmap cell and lays every program side by side, and dumps the DOM. Every
//! cell of `cells.jsonl` must be on the page, every scenario have its
//! section, the self-test say `ok`, and the browser log no error. Without a
//! Chromium (`CHROMIUM`, or chromium, chromium-browser, google-chrome on
//! PATH) the test says why and passes, except under CI, where it fails:
//! `scripts/chromium.sh` installs one.

use std::{
    collections::BTreeSet,
    env, fs,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

const BENCH: &str = env!("CARGO_BIN_EXE_bench");
const RUN: &str = "2026-12-06-vm-3";
/// A page that has not loaded by then never will: the browser is killed.
const LIMIT: Duration = Duration::from_secs(90);
const MOST_BYTES: u64 = 5 << 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `CHROMIUM` (a path, or a name on PATH), else the first of chromium,
/// chromium-browser, google-chrome on PATH.
fn chromium() -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &str| {
        env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    };
    if let Some(asked) = env::var("CHROMIUM").ok().filter(|p| !p.is_empty()) {
        return match asked.contains('/') {
            true => Some(PathBuf::from(asked)).filter(|p| p.is_file()),
            false => on_path(&asked),
        };
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path)
}

/// The run's measured files, as `bench/tests/report.rs` copies them, and its note.
fn copy_inputs(from: &Path, to: &Path) {
    fs::create_dir_all(to.join("raw")).unwrap();
    for file in ["cells.jsonl", "meta.env", "complete", "README.md"] {
        fs::copy(from.join(file), to.join(file)).unwrap();
    }
    for entry in fs::read_dir(from.join("raw")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, to.join("raw").join(path.file_name().unwrap())).unwrap();
    }
}

/// `bench report DIR`, from the repository (whose history holds the run's commit).
fn report(dir: &Path) -> Vec<u8> {
    let out = Command::new(BENCH)
        .arg("report")
        .arg(dir)
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let said = format!("report: {}", dir.join("report.html").display());
    assert!(stderr.contains(&said), "{stderr}");
    fs::read(dir.join("report.html")).unwrap()
}

#[test]
fn every_cell_opens_and_the_page_throws_nothing() {
    let Some(chromium) = chromium() else {
        assert!(
            env::var_os("CI").is_none(),
            "no Chromium: run scripts/chromium.sh"
        );
        eprintln!("skipped: no Chromium (set CHROMIUM, or run scripts/chromium.sh to install one)");
        return;
    };
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("page {}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let made = scratch.join(RUN);
    copy_inputs(&root().join("results").join(RUN), &made);
    let first = report(&made);
    assert!(
        first == report(&made),
        "the same run made two different pages"
    );
    check(&chromium, &made, &scratch);
    if let Some(dir) = env::var_os("BENCH_PAGE_RUN").filter(|d| !d.is_empty()) {
        check(&chromium, Path::new(&dir), &scratch);
    }
    fs::remove_dir_all(&scratch).unwrap();
}

/// Loads `dir`'s page in Chromium with `#selftest` and checks what it shows.
fn check(chromium: &Path, dir: &Path, scratch: &Path) {
    let page = dir.join("report.html").canonicalize().unwrap();
    let size = fs::metadata(&page).unwrap().len();
    assert!(size < MOST_BYTES, "{}: {size} bytes", page.display());
    let (dom, log) = load(chromium, &page, scratch);
    let text = fs::read_to_string(dir.join("cells.jsonl")).unwrap();
    let (mut scenarios, mut paradigms) = (BTreeSet::new(), BTreeSet::new());
    let mut missing = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (s, p) = (
            v["scenario"].as_str().unwrap(),
            v["paradigm"].as_str().unwrap(),
        );
        let x = v["x"].as_u64().map_or(String::new(), |x| x.to_string());
        if !dom.contains(&format!("data-cell=\"{s}|{x}|{p}\"")) {
            missing.push(format!("{s}|{x}|{p}"));
        }
        scenarios.insert(s.to_string());
        paradigms.insert(p.to_string());
    }
    assert!(
        missing.is_empty(),
        "{}: no heatmap cell for\n{}",
        page.display(),
        missing.join("\n")
    );
    for s in &scenarios {
        assert!(dom.contains(&format!("id=\"s-{s}\"")), "no section of {s}");
    }
    let heatmap = &dom[dom.find("<section id=\"heatmap\"").unwrap()..];
    let heatmap = &heatmap[..heatmap.find("</section>").unwrap()];
    for p in &paradigms {
        assert!(
            heatmap.contains(&format!("{p}</th>")),
            "no heatmap row of {p}"
        );
    }
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") && (l.contains(":ERROR:") || l.contains("Uncaught")))
        .collect();
    let errors = errors.join("\n");
    let at = dom
        .find("<pre id=\"selftest\" data-status=\"")
        .unwrap_or_else(|| panic!("{}: the self-test wrote nothing\n{errors}", page.display()));
    let outcome = &dom[at..];
    let outcome = &outcome[..outcome.find("</pre>").unwrap_or(outcome.len())];
    assert!(
        outcome.contains("data-status=\"ok\""),
        "{}: the self-test failed:\n{outcome}",
        page.display()
    );
    assert!(
        errors.is_empty(),
        "{}: the console says\n{errors}",
        page.display()
    );
    eprintln!(
        "{}: {size} bytes; {}",
        page.display(),
        &outcome[outcome.find('>').unwrap_or(0) + 1..]
    );
}

/// Chromium's DOM of `page#selftest` and its log, the browser killed (its
/// whole process group) past [`LIMIT`].
fn load(chromium: &Path, page: &Path, scratch: &Path) -> (String, String) {
    let profile = scratch.join("profile");
    let _ = fs::remove_dir_all(&profile);
    let (dom, log) = (scratch.join("dom.html"), scratch.join("chromium.log"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}#selftest", url_path(page)))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&dom).unwrap())
        .stderr(fs::File::create(&log).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            // Its renderer and GPU processes are in its group: all go.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("Chromium took over {LIMIT:?} on {}", page.display());
        }
        thread::sleep(Duration::from_millis(100));
    };
    let log = fs::read_to_string(&log).unwrap();
    assert!(status.success(), "Chromium: {status}\n{log}");
    (fs::read_to_string(&dom).unwrap(), log)
}

/// A path as a file URL's: the characters a URL reads otherwise escaped.
fn url_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
        .replace('?', "%3F")
}

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
