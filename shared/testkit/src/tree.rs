//! A process tree dies whole: a program that starts child processes is killed,
//! with SIGKILL, which it cannot catch, and none of its children may outlive it.

use std::{
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use crate::cli;

/// How long children may take to stop after their parent is killed.
pub const GRACE: Duration = Duration::from_secs(1);

/// Starts `program` with `args` in a session of its own, waits until `children`
/// processes of it are alive besides itself, kills it with SIGKILL, and asserts
/// that no process of the session is alive [`GRACE`] later.
pub fn check_dies_whole(program: &[&str], args: &[&str], children: usize) {
    // A child of ours is no process-group leader, so `setsid` makes the session in
    // place and execs: the session's id is the program's pid, and every process it
    // starts is in that session.
    let mut parent = Command::new("setsid")
        .args(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run setsid");
    let session = parent.id();
    let deadline = Instant::now() + Duration::from_secs(10);
    while cli::live_in_session(session).len() < children + 1 {
        assert!(
            Instant::now() < deadline,
            "{program:?} {args:?}: {children} children within 10 s"
        );
        thread::sleep(Duration::from_millis(20));
    }
    parent.kill().expect("SIGKILL the parent");
    parent.wait().expect("reap the parent");
    let deadline = Instant::now() + GRACE;
    loop {
        let survivors = cli::live_in_session(session);
        if survivors.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{program:?} {args:?}: children outlived their killed parent by {GRACE:?}: {survivors:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}
