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

/// Rust's ten paradigms, the thread-per-core two last, then Python's four; every
/// table and chart shows them in this order, the sized pools after rayon and the
/// reference last.
#[test]
fn the_paradigms_are_rust_ten_then_python() {
    let names: Vec<&str> = paradigms::ALL.iter().map(|p| p.name).collect();
    assert_eq!(
        names[5..10],
        ["tokio", "async-std", "smol", "tokio-per-core", "compio"]
    );
    let rust = paradigms::ALL.iter().filter(|p| !p.is_python()).count();
    assert_eq!((rust, paradigms::ALL.len() - rust), (10, 4));
    let rows: Vec<&str> = paradigms::ROWS.iter().map(|p| p.name).collect();
    assert_eq!(rows[5..7], ["crossbeam-sized", "rayon-sized"]);
    assert_eq!(rows.last(), Some(&"api-server"));
    for p in &paradigms::ALL {
        assert_eq!(
            rows.iter().filter(|r| **r == p.name).count(),
            1,
            "{}",
            p.name
        );
    }
    // Neither is a fixed pool; both offload to their runtime's blocking pool.
    let offload = named("io-work-offload").unwrap();
    for name in ["tokio-per-core", "compio"] {
        let p = paradigms::named(name).unwrap();
        assert!(!p.is_fixed_pool() && p.family == name);
        assert_eq!((offload.skip)(1_000, p, &MACHINE), None, "{name}");
    }
}
