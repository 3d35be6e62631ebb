//! async-std-cpu as a user runs it. Its executor is global and sized once per
//! process, so each worker count needs a process of its own.

use std::process::Command;

#[test]
fn agrees_with_pi_for_any_split() {
    for (jobs, workers) in [
        (1, 2),
        (1_000_003, 3),
        (1_000, 1),
        (1_000, 3),
        (1_000, 8),
        (5, 8),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_async-std-cpu"))
            .args([
                "--limit",
                "1000000",
                "--jobs",
                &jobs.to_string(),
                "--workers",
                &workers.to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let expected = format!("jobs={jobs} workers={workers} checksum=78498 ok=true ");
        assert!(stdout.contains(&expected), "{stdout}");
    }
}
