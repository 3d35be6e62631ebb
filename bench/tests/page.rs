//! report.html in a real browser. The committed full run's page: `bench
//! report` makes it twice (the same bytes), and it must be the page committed
//! beside the run, else that one is stale; then headless Chromium loads it
//! with `#selftest`, which clicks every heatmap cell, lays every two programs
//! of a workload side by side, and dumps the DOM. The quick run's page (the
//! folder in `BENCH_PAGE_RUN`, where CI puts its quick run) has a test of its
//! own, which CI runs alone. On each page every cell of `cells.jsonl` must
//! have its heatmap cell (as many per key as the file has), every scenario its
//! section, the self-test say `ok` and the browser log no error. Without a
//! Chromium (`CHROMIUM`, or chromium, chromium-browser, google-chrome on
//! PATH) the browser's part says why and passes, except under CI, where it
//! fails (`scripts/chromium.sh` installs one); a `CHROMIUM` that names none fails.

mod common;

use common::{copy_inputs, root};

use nix::{
    sys::signal::{Signal, killpg},
    sys::wait::{Id, WaitPidFlag, WaitStatus, waitid},
    unistd::Pid,
};
use std::{
    collections::{BTreeMap, BTreeSet},
    env, fs,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

const BENCH: &str = env!("CARGO_BIN_EXE_bench");
const RUN: &str = "2026-12-06-vm-4";
const PAGE: &str = "report.html";
/// A page that has not loaded by then never will: the browser is killed.
const LIMIT: Duration = Duration::from_secs(90);
/// `bench report` on the full run takes seconds, even unoptimised.
const REPORT_LIMIT: Duration = Duration::from_secs(120);
const MOST_BYTES: u64 = 5 << 20;

/// A fresh folder for one test (its path has a space).
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{test} {}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// `CHROMIUM` (a path, or a name on PATH), which must be there, else the
/// first of chromium, chromium-browser, google-chrome on PATH; `None` says
/// why, and fails under CI.
fn chromium() -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &str| {
        env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    };
    if let Some(asked) = env::var("CHROMIUM").ok().filter(|p| !p.is_empty()) {
        let found = match asked.contains('/') {
            true => Some(PathBuf::from(&asked)).filter(|p| p.is_file()),
            false => on_path(&asked),
        };
        assert!(found.is_some(), "CHROMIUM={asked}: no such program");
        return found;
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path);
    if found.is_none() {
        assert!(
            env::var_os("CI").is_none(),
            "no Chromium: run scripts/chromium.sh"
        );
        eprintln!("skipped: no Chromium (set CHROMIUM, or run scripts/chromium.sh to install one)");
    }
    found
}

/// Waits for `child` (a process group's leader) at most `limit`, then kills
/// its group whether it ended or not: what it started (Chromium's renderer
/// and zygote) may outlive it. The leader is reaped only after, so that its
/// number cannot have gone to another group meanwhile.
fn wait(mut child: Child, limit: Duration, what: &str) -> ExitStatus {
    let pid = Pid::from_raw(child.id() as i32);
    let started = Instant::now();
    let ended = loop {
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        match waitid(Id::Pid(pid), flags).unwrap() {
            WaitStatus::StillAlive if started.elapsed() > limit => break false,
            WaitStatus::StillAlive => thread::sleep(Duration::from_millis(50)),
            _ => break true,
        }
    };
    // A group with nobody left in it but its leader is no error worth a word.
    let _ = killpg(pid, Signal::SIGKILL);
    let status = child.wait().unwrap();
    assert!(ended, "{what} took over {limit:?}");
    status
}

/// `bench report DIR`, from the repository (whose history holds the run's commit).
fn report(dir: &Path) -> Vec<u8> {
    let log = dir.with_extension("log");
    let child = Command::new(BENCH)
        .arg("report")
        .arg(dir)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let status = wait(child, REPORT_LIMIT, "bench report");
    let stderr = fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{stderr}");
    let said = format!("bench: report: {}", dir.join(PAGE).display());
    assert!(stderr.contains(&said), "{stderr}");
    fs::read(dir.join(PAGE)).unwrap()
}

#[test]
fn the_committed_run_is_current_and_opens_in_chromium() {
    let kept = root().join("results").join(RUN);
    let scratch = scratch("page");
    // Under a folder named results, as in the repository: the page's footer
    // names such a run `results/NAME`, and any other folder `DIR`.
    let made = scratch.join("results").join(RUN);
    copy_inputs(&kept, &made);
    let first = report(&made);
    assert!(
        first == report(&made),
        "the same run made two different pages"
    );
    assert!(
        first == fs::read(kept.join(PAGE)).unwrap(),
        "results/{RUN}/report.html is not the page bench makes of its run now: re-make it with `cargo run --release -p bench -- report results/{RUN}` (and commit it)"
    );
    if let Some(chromium) = chromium() {
        check(&chromium, &made, &scratch);
    }
    fs::remove_dir_all(&scratch).unwrap();
}

/// CI's quick run, made just before: `BENCH_PAGE_RUN="$quick" cargo test
/// --locked -p bench --test page the_quick_run`.
#[test]
fn the_quick_run_opens_in_chromium() {
    let Some(dir) = env::var_os("BENCH_PAGE_RUN").filter(|d| !d.is_empty()) else {
        eprintln!("skipped: BENCH_PAGE_RUN names no run");
        return;
    };
    let Some(chromium) = chromium() else {
        return;
    };
    let scratch = scratch("quick page");
    check(&chromium, Path::new(&dir), &scratch);
    fs::remove_dir_all(&scratch).unwrap();
}

/// Loads `dir`'s page in Chromium with `#selftest` and checks what it shows.
fn check(chromium: &Path, dir: &Path, scratch: &Path) {
    let page = dir.join(PAGE);
    let page = (page.canonicalize()).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let size = fs::metadata(&page).unwrap().len();
    assert!(size < MOST_BYTES, "{}: {size} bytes", page.display());
    let (dom, log) = load(chromium, &page, scratch);
    let text = fs::read_to_string(dir.join("cells.jsonl")).unwrap();
    let (mut scenarios, mut paradigms) = (BTreeSet::new(), BTreeSet::new());
    // Keys are not unique (serve-mixed's inline and offloaded runs share
    // one): each key has as many heatmap cells as cells.jsonl has lines.
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (s, p) = (
            v["scenario"].as_str().unwrap(),
            v["paradigm"].as_str().unwrap(),
        );
        let x = v["x"].as_u64().map_or(String::new(), |x| x.to_string());
        *want.entry(format!("{s}|{x}|{p}")).or_default() += 1;
        scenarios.insert(s.to_string());
        paradigms.insert(p.to_string());
    }
    let heatmap = &dom[dom.find("<section id=\"heatmap\"").unwrap()..];
    let heatmap = &heatmap[..heatmap.find("</section>").unwrap()];
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for at in heatmap.split("data-cell=\"").skip(1) {
        *got.entry(at[..at.find('"').unwrap()].to_string())
            .or_default() += 1;
    }
    let wrong: Vec<String> = want
        .keys()
        .chain(got.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| want.get(*k) != got.get(*k))
        .map(|k| {
            let n = |m: &BTreeMap<String, usize>| m.get(k).copied().unwrap_or(0);
            format!("{k}: {} in cells.jsonl, {} on the page", n(&want), n(&got))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{}: heatmap cells per key\n{}",
        page.display(),
        wrong.join("\n")
    );
    for s in &scenarios {
        assert!(dom.contains(&format!("id=\"s-{s}\"")), "no section of {s}");
    }
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

/// Chromium's DOM of `page#selftest` and its log.
fn load(chromium: &Path, page: &Path, scratch: &Path) -> (String, String) {
    let profile = scratch.join("profile");
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(scratch).unwrap();
    let (dom, log) = (scratch.join("dom.html"), scratch.join("chromium.log"));
    let child = Command::new(chromium)
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
        // `100%` is no percent-encoding: the page must read the rest all the same.
        .arg(format!("file://{}#selftest&x=100%", url_path(page)))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&dom).unwrap())
        .stderr(fs::File::create(&log).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let status = wait(child, LIMIT, &format!("Chromium on {}", page.display()));
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
