//! The load sections on made-up runs ([`super::fixtures`]).

use super::{fixtures::*, *};
use crate::{
    results::Oha,
    scenarios::{
        load::{MIXED, OVERLOADED},
        paradigms::{self, Language},
    },
};

fn full(scenario: &Scenario) -> String {
    section(&loaded(), scenario, "##", "charts", Depth::Full)
}

/// The row of a server in a table, from its first cell on.
fn row<'a>(md: &'a str, server: &str) -> &'a str {
    md.lines()
        .find(|l| {
            l.starts_with(&format!("| {server} ")) || l.starts_with(&format!("| **{server}** "))
        })
        .unwrap_or_else(|| panic!("no row of {server} in\n{md}"))
}

#[test]
fn a_capacity_is_the_highest_rate_held_within_the_target() {
    let record = loaded();
    let threads = paradigms::named("threads").unwrap();
    // threads held 5,000 and 4,000 too, with p99 over 10 ms: its capacity is 3,200.
    let c = capacity::capacity(&record, threads).unwrap();
    assert_eq!((c.rate(), c.at_least()), (Some(3_200), false));
    let md = full(&LOAD);
    assert!(
        row(&md, "threads").starts_with("| threads | 3,200/s | 10,000/s: not held: 6000 of 30000 requests failed (6000 timed out, 0 refused, 0 lost, 0 wrong) | 2.0 ms / 8.0 ms | 20.0 µs | 20.0 µs + 10.0 µs = 30.0 µs | 130,000/s (the capacity is 2% of it) |"),
        "{md}"
    );
    assert!(md.contains("Rates offered, requests/s: the ladder's 1,000, 2,000, 5,000, 10,000, 20,000, 50,000, 100,000, 200,000; narrowed between them: 3,200, 4,000, 71,000, 84,000."), "{md}");
    assert!(md.contains("`loadgen --duration-ms 3000 --connections-max 256 --timeout-ms 2000` against a fresh server started with `--workers 4`."), "{md}");
    assert!(md.contains("Client and server share the cores"), "{md}");
}

#[test]
fn loadgens_limit_is_a_bound_and_close_capacities_tie() {
    let md = full(&LOAD);
    assert!(
        row(&md, "tokio").starts_with("| **tokio** (tied most) | >= 100,000/s (loadgen's limit: it could not send 200,000/s itself) |"),
        "{md}"
    );
    // smol's 84,000 is within 1.3x of tokio's 100,000: a tie, and said to be one.
    assert!(
        row(&md, "smol").starts_with("| **smol** (tied most) | 84,000/s |"),
        "{md}"
    );
    assert!(md.contains("(1.26x: the ladder's widest step, narrowed 2 times), so capacities less than 1.3x apart are a tie"), "{md}");
    // The reference holds as much but is never a language's most.
    assert!(
        row(&md, "api-server").starts_with("| api-server (reference: hyper) | >= 100,000/s (the highest rate offered) | – (held every rate offered) |"),
        "{md}"
    );
    let record = loaded();
    let rust = capacity::leaders(&record, Language::Rust);
    let names: Vec<&str> = rust.iter().map(|c| c.paradigm.name).collect();
    assert_eq!(names, ["tokio", "smol"]);
    assert!(md.contains("loadgen's ceiling: the highest rate any server held with p99 within 10 ms was 100,000/s (tokio, api-server); loadgen first fell behind its own schedule at 200,000/s (tokio)"), "{md}");
    assert!(
        md.contains("loadgen itself used 0.66 cores' worth of CPU"),
        "{md}"
    );
}

#[test]
fn a_failed_and_a_skipped_server_say_why() {
    let md = full(&LOAD);
    assert!(
        row(&md, "async-std")
            .starts_with("| async-std | none: FAILED: the server did not say it listens |"),
        "{md}"
    );
    assert!(
        row(&md, "compio").starts_with("| compio | none: skipped: io_uring is refused here |"),
        "{md}"
    );
    assert!(
        row(&md, "python-threading").starts_with(
            "| python-threading | none: p99 20.0 ms at 1,000/s, over the 10 ms target |"
        ),
        "{md}"
    );
    // The common rate leaves out who held none, by name, and why.
    assert!(md.contains("At 2,000/s, the highest rate of the ladder that every Rust server which held any rate within 10 ms held within it (left out: async-std (held no rate within the target); compio (held no rate within the target))."), "{md}");
    let common = &md[md.find("Every server at one rate").unwrap()..];
    assert!(
        common.contains("| threads | 1.0 ms | 4.0 ms | 20.0 µs | 2.2 MiB | 5 |"),
        "{md}"
    );
    assert!(
        common.contains("| async-std | not offered: its climb ended at 1,000/s |"),
        "{md}"
    );
}

#[test]
fn oha_gaps_are_flagged_past_both_tolerances() {
    let md = full(&LOAD);
    assert!(
        md.contains("differ by more than 2x and by more than 1 ms"),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 2,000/s | 540.0 µs | 900.0 µs | 0 | no |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| tokio | 100,000/s | 2.5 ms | 9.0 ms | 0 | **gap**: oha's is 3.6x loadgen's |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| threads | 2,000/s | 4.0 ms | – (oha not found) | – | – |"),
        "{md}"
    );
    // 3x apart but by less than 1 ms: no gap.
    let cell = run("serve-load", "tokio", 1_000, 300, Verdict::Held);
    let oha = oha_at_1000(900);
    assert_eq!(oha::gap(&cell, &oha), "no");
}

#[test]
fn overload_says_never_and_how_memory_grew() {
    let md = full(&OVERLOADED);
    assert!(
        row(&md, "smol").starts_with("| smol | 126,000/s, then 42,000/s | 300,000 of 300,305 (99.9%) | 305: 300 / 0 / 5 / 0 | 2.00 s | 700.0 ms | never | 2.0 MiB → 14.3 MiB (+12.3 MiB, +615%) | 5 |"),
        "{md}"
    );
    assert!(row(&md, "threads").contains("| 750 ms |"), "{md}");
    assert!(
        row(&md, "tokio").starts_with(
            "| tokio | skipped: held 100000 requests/s, where loadgen reached its own limit"
        ),
        "{md}"
    );
    assert!(
        md.contains("![serve past its capacity: p99 per 250 ms window](charts/serve-overload.svg)"),
        "{md}"
    );
    let smol = loaded()
        .cells
        .into_iter()
        .find(|c| c.scenario == "serve-overload" && c.paradigm == "smol")
        .unwrap();
    // The window with no answer ('-') is left out, not drawn as zero.
    let windows = overload::windows(&smol);
    assert_eq!(windows.len(), 5);
    assert_eq!((windows[2].0, windows[2].1), (0.875, 2.0));
    assert_eq!(overload::fall(&smol), Some(1.0));
}

#[test]
fn mixed_shows_refusals_and_claims_only_past_2x() {
    let md = full(&MIXED);
    assert!(
        md.contains("One run each: a difference under 2x is not claimed."),
        "{md}"
    );
    assert!(
        row(&md, "threads").starts_with("| threads | 2,000/s | 1.0 ms | skipped: refuses --offload | 9.0 ms | skipped: refuses --offload | 20.0 µs / – | – |"),
        "{md}"
    );
    assert!(md.contains("- **threads**, offloaded: skipped: refuses --offload: threads-serve: each connection has its own thread already."), "{md}");
    assert!(
        row(&md, "tokio").ends_with("| 8.0x lower offloaded |"),
        "{md}"
    );
    assert!(
        row(&md, "smol").ends_with("| under 2x: not claimed |"),
        "{md}"
    );
    assert!(
        row(&md, "python-asyncio").starts_with("| python-asyncio | 500/s (half its capacity) |"),
        "{md}"
    );
}

#[test]
fn the_primer_rows_compare_capacities_and_cheap_p99s() {
    let record = loaded();
    let of = |scenario: &str| {
        let rows = crate::scenarios::primer::ROWS;
        let row = rows.iter().find(|r| r.scenario.name == scenario).unwrap();
        primer::row(&record, row)
    };
    assert_eq!(
        of("serve-load"),
        "| a server: the most load at a 10 ms p99 (serve-load) | asyncio | asyncio: 1,000/s | yes | tie: tokio: >= 100,000/s, smol: 84,000/s | tokio: >= 100,000/s, tied with the best | >= 100.0x (capacities: Rust's / Python's) |\n"
    );
    assert_eq!(
        of("serve-mixed"),
        "| a server: a CPU-heavy endpoint beside cheap ones (serve-mixed) | asyncio | – | – (asyncio: run at half its capacity, a lower rate: not ranked) | tie: threads: 1.0 ms inline, tokio: 1.0 ms offloaded | tokio: 1.0 ms offloaded, tied with the best | – |\n"
    );
}

#[test]
fn the_readme_and_compare_are_compact() {
    let record = loaded();
    let md = section(&record, &LOAD, "###", "results/x/charts", Depth::Compact);
    assert!(md.contains("](results/x/charts/serve-load.svg)"), "{md}");
    assert!(
        md.contains("](results/x/charts/serve-load-p50.svg)"),
        "{md}"
    );
    assert!(md.contains("#### Capacity at p99 <= 10 ms"), "{md}");
    assert!(!md.contains("oha beside loadgen"), "{md}");
    let compared = compare(&[record.clone(), record], &LOAD);
    assert!(
        compared.contains("| threads | 3,200/s | 3,200/s |"),
        "{compared}"
    );
    assert!(compare(&[loaded()], &MIXED).contains("each run's report has it"));
}

#[test]
fn the_charts_are_drawn() {
    let dir = std::env::temp_dir().join(format!("bench-load-charts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    charts(&loaded(), &dir).unwrap();
    for name in ["serve-load.svg", "serve-load-p50.svg", "serve-overload.svg"] {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            svg.contains("tokio") && svg.contains("python-asyncio") || name == "serve-overload.svg",
            "{name}"
        );
        assert!(svg.contains("smol"), "{name}");
    }
    if std::env::var_os("KEEP_LOAD_CHARTS").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    } else {
        eprintln!("charts in {}", dir.display());
    }
}

#[test]
fn a_gap_says_when_loadgens_own_lateness_is_in_its_p99() {
    let oha = oha_at_1000(250);
    // The fixture's loadgen was 100 µs behind: not half of a 4 ms p99.
    let cell = run("serve-load", "compio", 1_000, 4_000, Verdict::Held);
    assert_eq!(oha::gap(&cell, &oha), "**gap**: loadgen's is 16.0x oha's");
    // 3 ms behind: its lateness is most of its p99, and the gap says so.
    let late = set(cell.clone(), &[("behind_us", "3000")]);
    assert_eq!(
        oha::gap(&late, &oha),
        "**gap**: loadgen's is 16.0x oha's; loadgen fell up to 3.0 ms behind its own schedule in this run: the gap may be its own"
    );
}

/// oha's run at 1,000/s for 3 s, with this p99.
fn oha_at_1000(p99_us: u64) -> Result<Oha, String> {
    Ok(Oha {
        rate: 1_000,
        seconds: 3.0,
        requests: 3_000,
        errors: 0,
        p50_us: 100,
        p99_us,
    })
}

#[test]
fn the_sequential_server_never_sets_the_common_rate() {
    // Held 1,000/s by luck, one connection at a time: the common rate stays
    // where the servers that serve many connections at once put it.
    let mut cells = climbs();
    cells.push(run("serve-load", "sequential", 1_000, 200, Verdict::Held));
    let failed = Verdict::NotHeld("2 of 6000 requests failed".into());
    cells.push(run("serve-load", "sequential", 2_000, 300, failed));
    let record = crate::results::testing::record(cells);
    let md = section(&record, &LOAD, "##", "charts", Depth::Full);
    assert!(
        md.contains("At 2,000/s, the highest rate of the ladder")
            && md.contains("sequential (one connection at a time))."),
        "{md}"
    );
}
