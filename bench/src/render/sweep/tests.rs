//! The sweeps' tables, sections and comparison, on made-up runs ([`super::fixtures`]).

use super::{fixtures::*, *};
use crate::scenarios;

#[test]
fn the_cpu_sweep_says_speed_up_ties_and_the_machines_limit() {
    let run = small();
    let cpu = scenarios::named("cpu-cores").unwrap();
    let md = section(&run, cpu, "charts");
    assert!(md.starts_with("This machine has 2 logical CPUs, so the sweep stops at 2: nothing here says how these programs do on more."), "{md}");
    assert!(
        md.contains("`scripts/bench.sh --only cpu-cores,serve-cores`"),
        "{md}"
    );
    assert!(md.contains("`bench compare DIR DIR`"), "{md}");
    assert!(
        md.contains("| paradigm | 1 core | 2 cores |\n|---|---:|---:|\n"),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 1.40 s | 700.0 ms, 2.00 ± 0.03× |"),
        "{md}"
    );
    assert!(
        md.contains("| threads | 1.40 s | 1.39 s, 1.01 ± 0.01× (ties 1 core) |"),
        "{md}"
    );
    assert!(
        !md.contains("| sequential |"),
        "a row skipped everywhere is left out: {md}"
    );
    assert!(
        md.contains("Not swept:\n\n- **sequential**: one thread whatever `--workers` says.\n"),
        "{md}"
    );
    assert!(
        md.contains("1 core: on CPUs `0`; 2 cores: on CPUs `0-1`"),
        "{md}"
    );
    assert!(md.contains("](charts/cpu-cores-scaling.svg)"), "{md}");
    // The machine's layout where the run recorded it, logical CPUs said as such.
    let mut smt = run.clone();
    let layout = "2 logical CPUs, 1 physical core (SMT: 2 threads per core, pinned one per core first), 1 package";
    smt.meta.push(("cpu_topology".into(), layout.into()));
    let said = section(&smt, cpu, "charts");
    assert!(
        said.starts_with(&format!(
            "This machine has {layout}, so the sweep stops at 2:"
        )),
        "{said}"
    );
    smt.meta[1].1 = "8 logical CPUs, 8 physical cores, 1 package".into();
    let said = section(&smt, cpu, "charts");
    assert!(said.starts_with("This machine has 2 logical CPUs (of the CPUs it may run on: 8 logical CPUs, 8 physical cores, 1 package), so"), "{said}");
    // A noisy time says so, and a failed first point leaves no speed-up.
    let mut noisy = run.clone();
    let threads = noisy
        .cells
        .iter_mut()
        .find(|c| c.paradigm == "threads" && c.x == Some(2));
    threads.unwrap().around = Some(crate::results::Around {
        noisy: Some("the host stole 8% of the CPU during its runs".into()),
        ..Default::default()
    });
    let tokio = noisy
        .cells
        .iter_mut()
        .find(|c| c.paradigm == "tokio" && c.x == Some(1));
    tokio.unwrap().outcome = crate::results::Outcome::Failed("exit status 1".into());
    let md = section(&noisy, cpu, "charts");
    assert!(
        md.contains("| threads | 1.40 s | 1.39 s, 1.01 ± 0.01× (ties 1 core) (noisy: rerun) |"),
        "{md}"
    );
    assert!(md.contains("| tokio | FAILED | 700.0 ms |"), "{md}");
    let md = compare(&[noisy], cpu);
    assert!(
        md.contains("| tokio | 1 (2 logical CPUs) | FAILED | 700.0 ms (no 1-core time) |"),
        "{md}"
    );
    let tokio = run.cell("cpu-cores", Some(2), "tokio").unwrap();
    let (lo, mid, hi) = scaling(&run, tokio).unwrap();
    assert!((mid - 2.0).abs() < 1e-9 && lo < mid && mid < hi);
}

/// The table and the chart give one statistic: the ratio of mean times, ±
/// hyperfine's uncertainty, even where a slow run pulls the mean off the median.
#[test]
fn the_chart_draws_the_speed_up_the_table_gives() {
    let mut run = small();
    let at_2 = |c: &&mut Cell| c.paradigm == "tokio" && c.x == Some(2) && c.scenario == "cpu-cores";
    let tokio = run.cells.iter_mut().find(at_2).unwrap();
    if let crate::results::Outcome::Ok {
        timing: Some(t), ..
    } = &mut tokio.outcome
    {
        t.mean = 0.80; // the median stays 700 ms
    }
    let cpu = scenarios::named("cpu-cores").unwrap();
    let md = section(&run, cpu, "charts");
    assert!(
        md.contains("| tokio | 1.40 s | 700.0 ms, 1.75 ± 0.03× |"),
        "{md}"
    );
    assert!(md.contains("the speed-up: the paradigm's mean time on one core over its mean time here, ± hyperfine's uncertainty, as the report's other ratios and the chart below"), "{md}");
    let (lo, mid, hi) = scaling(&run, run.cell("cpu-cores", Some(2), "tokio").unwrap()).unwrap();
    assert_eq!(format!("{mid:.2} ± {:.2}×", hi - mid), "1.75 ± 0.03×");
    assert!(
        (mid - lo - (hi - mid)).abs() < 1e-12,
        "± the same both ways"
    );
}

#[test]
fn the_serve_sweep_says_rates_per_core_and_where_the_client_ran() {
    let run = small();
    let serve = scenarios::named("serve-cores").unwrap();
    let md = section(&run, serve, "charts");
    assert!(
        md.contains("| tokio | 50.0k/s (50.0k/s per core) | 80.0k/s (40.0k/s per core) |"),
        "{md}"
    );
    assert!(
        md.contains("1 core: the server on CPUs `0`, the client (`--workers 1`) on CPUs `1`;"),
        "{md}"
    );
    assert!(md.contains("2 cores: the server on CPUs `0-1`, the client (`--workers 2`) unpinned, sharing the server's CPUs (client-bound possible)."), "{md}");
    // That point's rate per core may be the client's: its column says so, and
    // the caption calls equal rates perfect only where the client kept up.
    assert!(
        md.contains("| paradigm | 1 core | 2 cores (client-bound possible) |\n"),
        "{md}"
    );
    assert!(md.contains("equal rates per core are perfect scaling as far as the client kept up: it had CPUs of its own, at least as many as the server's, except at a point marked \"client-bound possible\""), "{md}");
    let at_1 = run.cell("serve-cores", Some(1), "tokio").unwrap();
    assert!(
        !client_bound(at_1) && client_bound(run.cell("serve-cores", Some(2), "tokio").unwrap())
    );
    // A 6-core machine: at 4 cores the client had 2 CPUs of its own, fewer
    // than the server's 4; at 2 it had 4.
    let six = six();
    let md = section(&six, serve, "charts");
    assert!(
        md.contains("| paradigm | 1 core | 2 cores | 4 cores (client-bound possible) | 6 cores (client-bound possible) |\n"),
        "{md}"
    );
    assert!(md.contains("4 cores: the server on CPUs `0-3`, the client (`--workers 2`) on CPUs `4-5` (client-bound possible);"), "{md}");
    assert!(
        md.contains("2 cores: the server on CPUs `0-1`, the client (`--workers 4`) on CPUs `2-5`;"),
        "{md}"
    );
    // A cpu cell has no client.
    assert!(!client_bound(
        run.cell("cpu-cores", Some(2), "tokio").unwrap()
    ));
    let at_2 = run.cell("serve-cores", Some(2), "tokio").unwrap();
    assert_eq!(scaling(&run, at_2).unwrap().1, 40_000.0);
    // The same time per core's load at 4 cores as at 1: a tie, said as one.
    let big = large();
    let md = section(&big, serve, "charts");
    assert!(
        md.contains(
            "| 50.0k/s (50.0k/s per core) | 100.0k/s (50.0k/s per core) (per core as on 1: tie) |"
        ),
        "{md}"
    );
}

#[test]
fn compare_puts_two_machines_sweeps_side_by_side() {
    let (small, large) = (small(), large());
    let cpu = scenarios::named("cpu-cores").unwrap();
    let md = compare(&[small.clone(), large.clone()], cpu);
    assert!(
        md.starts_with(
            "| paradigm | run | 1 core | 2 cores | 4 cores |\n|---|---|---:|---:|---:|\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| threads | 1 (2 logical CPUs) | 1.40 s | 1.01 ± 0.01× (tie) | |\n"),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 1 (2 logical CPUs) | 1.40 s | 2.00 ± 0.03× | |\n"),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 2 (4 logical CPUs) | 1.00 s | 2.00 ± 0.02× | 3.85 ± 0.08× |\n"),
        "{md}"
    );
    assert!(!md.contains("sequential"), "{md}");
    let serve = scenarios::named("serve-cores").unwrap();
    let md = compare(&[small, large], serve);
    assert!(
        md.contains(
            "| tokio | 1 (2 logical CPUs) | 50.0k/s | 40.0k/s (client-bound possible) | |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 2 (4 logical CPUs) | 50.0k/s | 50.0k/s (tie) | 50.0k/s (tie) (client-bound possible) |\n"),
        "{md}"
    );
}
