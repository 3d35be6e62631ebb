//! The scenario table's rules, checked against what the last runs did.

use super::*;
use crate::{scenarios::limits::DEVELOPER_MACHINE as MACHINE, scenarios::paradigms};

/// The cells a full run skips on the developer machine at its default limits
/// (without `--raise-limits`): at the million-unit point everything but the
/// async tasks; ring-hop-1, pinned to one CPU, runs threads, crossbeam and
/// processes.
#[test]
fn full_run_skips_what_the_last_full_run_skipped() {
    let mut skipped = Vec::new();
    for scenario in &ALL {
        for x in scenario.points(false, &MACHINE) {
            for p in &paradigms::ALL {
                if (scenario.skip)(x.unwrap_or(0), p, &MACHINE).is_some() {
                    skipped.push(format!("{} {x:?} {}", scenario.name, p.name));
                }
            }
        }
    }
    assert_eq!(
        skipped.len(),
        24 + 13 + 2 + 16 + 8 + 1 + 8 + 1 + 1 + 3 + 6 + 21 + 34 + 15 - 3
            // cpu-cores and serve-cores at 1 and 2 cores: sequential and Python;
            // serve-cores also threads, crossbeam and rayon.
            + 2 * 5 + 2 * 8,
        "{skipped:#?}"
    );
    assert!(skipped.contains(&"spawn-memory Some(100000) threads".to_string()));
    assert!(!skipped.contains(&"spawn-memory Some(10000) threads".to_string()));
    assert!(skipped.contains(&"io-slow Some(10000) processes".to_string()));
    assert!(!skipped.contains(&"io-slow Some(1000) processes".to_string()));
    assert!(skipped.contains(&"io-work-offload Some(300) threads".to_string()));
    assert!(!skipped.contains(&"io-work-offload Some(300) python-asyncio".to_string()));
    assert!(skipped.contains(&"io-work Some(3000) python-asyncio".to_string()));
    // serve-slow: the servers of one connection or a pool's worth at a time, and
    // Python past 1,000 connections; threads-serve holds 10,000.
    assert!(skipped.contains(&"serve-slow Some(100) crossbeam".to_string()));
    assert!(skipped.contains(&"serve-slow Some(10000) python-asyncio".to_string()));
    assert!(!skipped.contains(&"serve-slow Some(10000) threads".to_string()));
    assert!(!skipped.contains(&"serve-slow Some(1000) python-asyncio".to_string()));
    assert!(!skipped.contains(&"ring-hop-1 None threads".to_string()));
    assert!(skipped.contains(&"ring-hop-1 None rayon".to_string()));
    assert!(skipped.contains(&"cpu-cores Some(2) sequential".to_string()));
    assert!(!skipped.contains(&"serve-cores Some(2) processes".to_string()));
    assert!(skipped.contains(&"serve-cores Some(1) crossbeam".to_string()));
}

#[test]
fn runs_follow_the_point() {
    let io_slow = named("io-slow").unwrap();
    assert_eq!(io_slow.full.repeats_at(1_000), repeats(1, 3));
    assert_eq!(io_slow.full.repeats_at(10_000), repeats(0, 3));
    assert_eq!(io_slow.quick.repeats_at(100), repeats(0, 1));
}
