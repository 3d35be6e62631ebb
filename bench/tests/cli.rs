//! `bench` as a user runs it, with stand-in programs and a stand-in hyperfine
//! (shell scripts in a folder whose path has a space), so that what is tested
//! is the benchmark's own plumbing: cells, exit status, quoting, signals.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    thread,
    time::{Duration, Instant},
};

const BENCH: &str = env!("CARGO_BIN_EXE_bench");
const PARADIGMS: [&str; 10] = [
    "sequential",
    "processes",
    "threads",
    "crossbeam",
    "rayon",
    "tokio",
    "async-std",
    "smol",
    "tokio-per-core",
    "compio",
];

/// A fresh folder with a space in its name.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bench cli {test} {}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn script(path: &Path, body: &str) {
    fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Stand-ins: every `<paradigm>-cpu` prints a right result line for `--quick`'s
/// cpu point (pi(100,000) = 9,592), except `wrong`, which prints a wrong one;
/// `python` does the same for the Python programs; `hyperfine` runs the command
/// once through the shell's own unquoting and writes an export.
fn stand_ins(dir: &Path, wrong: &str, body: &str) -> PathBuf {
    let bin = dir.join("bin dir");
    fs::create_dir_all(&bin).unwrap();
    for p in PARADIGMS {
        let checksum = if p == wrong { 9_591 } else { 9_592 };
        let ok = p != wrong;
        // rayon says it split the work other than it was asked: not its cell.
        let jobs = if p == "rayon" && !wrong.is_empty() {
            99
        } else {
            100
        };
        script(
            &bin.join(format!("{p}-cpu")),
            &format!(
                "{body}\necho workload=cpu paradigm={p} limit=100000 jobs={jobs} workers=2 checksum={checksum} ok={ok} peak_rss_kib=2000"
            ),
        );
    }
    script(
        &bin.join("python"),
        "name=$(basename \"$1\" .py); name=python-${name#cpu_}\n\
         echo workload=cpu paradigm=$name limit=100000 jobs=100 workers=2 checksum=9592 ok=true peak_rss_kib=9000",
    );
    script(
        &bin.join("hyperfine"),
        r#"while [ $# -gt 1 ]; do
  case $1 in --export-json) json=$2; shift ;; -n) name=$2; shift ;; esac; shift
done
eval "$1" >/dev/null || exit 1
t='"mean":0.01,"stddev":null,"median":0.01,"user":0.01,"system":0.0,"min":0.01,"max":0.01,"times":[0.01]'
echo "{\"results\":[{\"command\":\"$name\",$t}]}" > "$json""#,
    );
    bin
}

fn bench(bin: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BENCH);
    command
        .arg(args[0])
        .arg("--bin")
        .arg(bin)
        .args(&args[1..])
        .env("PYTHON", bin.join("python"))
        .env("HYPERFINE", bin.join("hyperfine"));
    command
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_failure_is_a_cell_and_an_exit_status_never_a_time() {
    let dir = scratch("failure");
    let bin = stand_ins(&dir, "smol", "");
    let out_dir = dir.join("run out");
    let out = bench(
        &bin,
        // cpu twice: run once.
        &[
            "run",
            "--quick",
            "--only",
            "cpu,cpu",
            "--quiet",
            "--note",
            "to see a failure",
            "--out",
        ],
    )
    .arg(&out_dir)
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("2 program(s) FAILED"), "{}", text(&out));
    let cells = fs::read_to_string(out_dir.join("cells.jsonl")).unwrap();
    assert_eq!(cells.lines().count(), 14, "{cells}");
    assert!(out_dir.join("complete").exists());
    let note = fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert_eq!(note, "# run out\n\nto see a failure\n");
    let report = fs::read_to_string(out_dir.join("report.md")).unwrap();
    let smol = report.lines().find(|l| l.starts_with("| smol |")).unwrap();
    assert!(
        smol.starts_with("| smol | FAILED: wrong checksum: "),
        "{smol}"
    );
    let rayon = report.lines().find(|l| l.starts_with("| rayon |")).unwrap();
    assert!(
        rayon.starts_with("| rayon | FAILED: asked for jobs=100, its line says 99: "),
        "{rayon}"
    );
    // Every other program went through the quoting (paths with spaces) and was
    // timed: all alike (the fake hyperfine's 10 ms), so all tied fastest.
    assert!(
        report.contains("| **threads** (tied fastest) | 10.0 ms | 1 run |"),
        "{report}"
    );
    assert!(
        report.contains("| **python-asyncio** (tied fastest in Python) | 10.0 ms | 1 run |"),
        "{report}"
    );
    assert!(report.contains("Every program ran with `--limit 100000 --jobs 100 --workers"));
    let machine = fs::read_to_string(out_dir.join("machine.md")).unwrap();
    assert!(
        machine.contains(
            "--quick --only cpu,cpu --quiet --note 'to see a failure' --out '/tmp/bench cli"
        ),
        "{machine}"
    );
    assert!(machine.contains("| mode | quick |") && machine.contains("| only | cpu |"));
    // compio-cpu (a stand-in here) was asked once whether io_uring starts.
    assert!(
        machine.contains("; a ring starts (compio-cpu) |"),
        "{machine}"
    );
    fs::remove_dir_all(dir).unwrap();
}

/// Where the kernel refuses io_uring, compio-cpu says so in one line and exits
/// 1 (here a stand-in does): every compio cell is skipped with that line, none
/// FAILED, the run goes on, and the machine card says what the probe saw.
#[test]
fn compio_sits_out_a_run_where_io_uring_is_refused() {
    let dir = scratch("uring");
    let bin = stand_ins(&dir, "", "");
    let refused = "io_uring is unavailable here (Operation not permitted (os error 1); kernel.io_uring_disabled = 2 (off for every process)): compio needs it";
    script(
        &bin.join("compio-cpu"),
        &format!("echo 'Error: {refused}' >&2\nexit 1"),
    );
    let out_dir = dir.join("run");
    let out = bench(
        &bin,
        &["run", "--quick", "--only", "cpu", "--quiet", "--out"],
    )
    .arg(&out_dir)
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let cells = fs::read_to_string(out_dir.join("cells.jsonl")).unwrap();
    let compio = cells.lines().find(|l| l.contains(r#""paradigm":"compio""#));
    let compio = compio.unwrap();
    assert!(compio.contains(r#""status":"skipped""#), "{compio}");
    assert!(compio.contains(refused), "{compio}");
    let report = fs::read_to_string(out_dir.join("report.md")).unwrap();
    let row = report
        .lines()
        .find(|l| l.starts_with("| compio |"))
        .unwrap();
    assert!(
        row.starts_with(&format!("| compio | skipped: {refused}")),
        "{row}"
    );
    assert!(
        report.contains("| **tokio-per-core** (tied fastest) |"),
        "{report}"
    );
    let machine = fs::read_to_string(out_dir.join("machine.md")).unwrap();
    let io_uring = machine.lines().find(|l| l.starts_with("| io_uring |"));
    let io_uring = io_uring.unwrap();
    assert!(
        io_uring.contains(&format!("; compio's cells skipped: {refused}")),
        "{io_uring}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_signal_stops_everything_and_leaves_the_folder_incomplete() {
    let dir = scratch("signal");
    let pids = dir.join("pids");
    let bin = stand_ins(
        &dir,
        "",
        &format!("echo $$ >> '{}'; sleep 60", pids.display()),
    );
    let out_dir = dir.join("run");
    let child = bench(
        &bin,
        &["run", "--quick", "--only", "cpu", "--quiet", "--out"],
    )
    .arg(&out_dir)
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let start = Instant::now();
    // The shell creates the file before `echo` has written the pid into it.
    let written = || fs::read_to_string(&pids).is_ok_and(|t| t.ends_with('\n'));
    while !written() && start.elapsed() < Duration::from_secs(20) {
        thread::sleep(Duration::from_millis(20));
    }
    let pid = fs::read_to_string(&pids).expect("the first program started");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "it waited for the program"
    );
    assert!(!out_dir.join("complete").exists());
    let report = fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(report.contains("**This run is incomplete**"), "{report}");
    let alive = Path::new("/proc").join(pid.trim());
    let state = fs::read_to_string(alive.join("stat")).unwrap_or_default();
    assert!(
        state.is_empty() || state.contains(") Z "),
        "program {pid} outlived bench: {state}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn results_are_never_overwritten_and_bad_flags_exit_2() {
    let dir = scratch("flags");
    let bin = stand_ins(&dir, "", "");
    fs::write(dir.join("taken"), "").unwrap();
    let out = bench(&bin, &["run", "--quick", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is not empty: results are never overwritten"));
    let out = bench(&bin, &["run", "--only", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no scenario 'nope'; one of: cpu, cpu-granularity"),
        "{}",
        text(&out)
    );
    fs::remove_dir_all(dir).unwrap();
}

/// Two committed runs side by side.
#[test]
fn the_committed_runs_compare() {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("../results");
    let out = Command::new(BENCH)
        .arg("compare")
        .args(["2026-12-01-vm", "2026-12-06-vm-4"].map(|r| results.join(r)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    for title in [
        "## cpu: count primes",
        "## io, slow",
        "### 10000 connections",
        "## spawn: live memory",
    ] {
        assert!(md.contains(title), "{title}: {md}");
    }
    // Run 2 against run 1, with hyperfine's uncertainty.
    let tokio = md.lines().find(|l| l.starts_with("| tokio |")).unwrap();
    assert!(tokio.contains(" / ") && tokio.contains(" ± "), "{tokio}");
}
