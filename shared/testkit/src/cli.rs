//! A program as a user runs it: its result line, its flags and its failures. A
//! program is its command line before the flags: `[exe]` for a Rust binary
//! (`env!("CARGO_BIN_EXE_<name>")`), or `["python3", "/path/to/cpu_threading.py"]`.

use std::{
    io,
    path::Path,
    process::{Command, Output},
};

use workload::ResultLine;

/// `program[0]` with `program[1..]` as its first arguments.
pub fn command(program: &[&str]) -> Command {
    let mut command = Command::new(program[0]);
    command.args(&program[1..]);
    command
}

/// Runs `program` with `args` to its end.
pub fn output(program: &[&str], args: &[&str]) -> Output {
    command(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program:?}: {e}"))
}

/// Runs `program` with `args` and asserts a verified result line: exit status 0,
/// exactly one line on stdout, starting with `start`, that reads back as a result
/// line with `ok=true` and a peak memory above 0. Returns that line, read back.
pub fn assert_verified(program: &[&str], args: &[&str], start: &str) -> ResultLine {
    let out = output(program, args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let run = format!("{} {args:?}", name(program));
    assert!(out.status.success(), "{run}: {}: {stderr}", out.status);
    assert_eq!(stdout.lines().count(), 1, "{run}: one line: {stdout}");
    assert!(stdout.starts_with(start), "{run}:\n{stdout}wanted: {start}");
    let line = ResultLine::parse(&stdout).unwrap_or_else(|e| panic!("{run}: {e}"));
    assert!(line.ok(), "{run}: {stdout}");
    assert!(
        line.number("peak_rss_kib").is_some_and(|kib| kib > 0),
        "{run}: the peak memory: {stdout}"
    );
    line
}

/// Asserts a one-line `Error: ` naming `cause`, exit status 1 and no result line;
/// returns that line.
pub fn assert_fails_cleanly(out: io::Result<Output>, cause: &str) -> String {
    let out = out.expect("run the program");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{cause}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "never a result line on failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.starts_with("Error: ") && stderr.contains(cause),
        "{cause}: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}

/// What every program's flags must do: `--help` exits 0 with a usage line that
/// names the program (its file name) and shows `--workers W` (clap writes `<W>`),
/// unless it has nothing to size with it, when it takes the flag unshown;
/// `--workers 0` and an unknown flag exit 2, with the flag named on stderr and
/// nothing on stdout. Returns the help, for checks of a language's own format.
pub fn check_flags(program: &[&str]) -> String {
    let name = name(program);
    let out = output(program, &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{name} --help");
    // clap writes `Usage: NAME [OPTIONS]`, argparse `usage: NAME [-h] ...`.
    let usage = |line: &str| {
        let rest = line
            .strip_prefix("Usage: ")
            .or_else(|| line.strip_prefix("usage: "));
        rest.is_some_and(|rest| rest.starts_with(&format!("{name} ")))
    };
    assert!(
        help.lines().any(usage),
        "a usage line naming {name}: {help}"
    );
    // A program with no pool or runtime to size (a thread per connection, one at a
    // time) hides `--workers`, and still takes it: the benchmark passes it to all.
    if !help.replace(['<', '>'], "").contains("--workers W") {
        let out = output(program, &["--workers", "2", "--help"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: --workers W, hidden: {help}"
        );
    }
    for (args, flag) in [
        (&["--workers", "0"][..], "--workers"),
        (&["--bogus"], "--bogus"),
    ] {
        let out = output(program, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
        assert!(
            out.stdout.is_empty() && stderr.contains(flag),
            "{name} {args:?}: {stderr}"
        );
    }
    help
}

/// The name a program goes by in its usage line: the file name of its last word.
fn name(program: &[&str]) -> String {
    let last = Path::new(program[program.len() - 1]);
    let name = last.file_name().expect("a program path");
    name.to_string_lossy().into_owned()
}

/// Live processes (not zombies) in session `session`, from /proc. A test runs a
/// program under `setsid` and scans only that session, as other tests (and CI
/// runners) may run the same binary at the same time.
pub fn live_in_session(session: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields[3].parse() == Ok(session) && fields[0] != "Z" {
            found.push(pid);
        }
    }
    found
}
