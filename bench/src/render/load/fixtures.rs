//! Made-up load runs for the tests: a run as `bench run` stores it (loadgen's
//! result line, the server read from outside, a verdict), and a 4-core
//! machine's run of all three load scenarios with every case a reader must see
//! said right.

use workload::ResultLine;

use crate::{
    results::testing::record,
    results::{Cell, LoadRun, Oha, Outcome, Record, ServerMemory, Verdict},
};

/// A run at `rate` with that p99 and verdict: 3 s, every request answered
/// (fewer where not held), 20 µs of server CPU and 10 µs of loadgen's per
/// request, the server's memory growing with the rate.
pub fn run(scenario: &str, paradigm: &str, rate: u64, p99_us: u64, verdict: Verdict) -> Cell {
    // The line says what the verdict says (a report judges the line again):
    // a run not held lost a fifth of its requests to timeouts (or, over 1 s, its
    // p99), and one at loadgen's limit had loadgen 80 ms late and out of CPU.
    let sent = rate * 3;
    let slow = matches!(&verdict, Verdict::NotHeld(why) if why.contains("over 1 s"));
    let answered = match verdict {
        Verdict::NotHeld(_) if !slow => sent * 4 / 5,
        _ => sent,
    };
    let errors = sent - answered;
    let (behind, cpu_ms) = match verdict {
        Verdict::Generator(_) => (80_000, 2_900),
        // 10 µs a request, up to two thirds of its core: short of CPU only where said.
        _ => (100, (answered / 100).min(2_000)),
    };
    let line = format!(
        "workload=load paradigm=x checksum=0 server=127.0.0.1:1 rate={rate} duration_ms=3000 \
         sent={sent} answered={answered} errors={errors} timeouts={errors} refused=0 lost=0 wrong=0 \
         achieved_rate={} connections=8 p50_us={} p90_us={} p99_us={p99_us} p999_us={p99_us} \
         max_us={p99_us} uncorrected_p99_us={p99_us} cheap_p99_us={p99_us} heavy_p99_us=0 \
         behind_us={behind} cpu_ms={cpu_ms} p99_windows_us={p99_us} ok={}",
        answered / 3,
        p99_us / 4,
        p99_us / 2,
        errors == 0,
    );
    let lines = vec![ResultLine::parse(&line).unwrap()];
    let outcome = Outcome::Ok {
        lines,
        timing: None,
    };
    let mut cell = Cell::new(scenario, Some(rate), paradigm, Vec::new(), outcome);
    cell.command = ["/bin/loadgen", "--server", "HOST:PORT", "--rate"]
        .into_iter()
        .map(String::from)
        .chain([rate.to_string()])
        .chain(
            [
                "--duration-ms",
                "3000",
                "--connections-max",
                "256",
                "--timeout-ms",
                "2000",
            ]
            .map(String::from),
        )
        .collect();
    let workers = if paradigm.ends_with("-sized") {
        "256"
    } else {
        "4"
    };
    cell.server = vec![
        format!("/bin/{paradigm}-serve"),
        "--workers".into(),
        workers.into(),
    ];
    cell.load = Some(LoadRun {
        rate,
        offload: false,
        server_cpu_us: answered * 20,
        wall_us: 3_050_000,
        memory: ServerMemory {
            idle_kib: 2_048,
            peak_kib: 2_048 + rate / 10,
            threads: 5,
            processes: 1,
            cgroup_idle: None,
        },
        verdict,
        oha: None,
    });
    cell
}

/// The run with its result line's keys set to these values (added before `ok`).
pub fn set(mut cell: Cell, values: &[(&str, &str)]) -> Cell {
    let Outcome::Ok { lines, .. } = &mut cell.outcome else {
        panic!("no result line");
    };
    let mut pairs: Vec<String> = lines[0]
        .fields()
        .filter(|(k, _)| *k != "ok" && values.iter().all(|(key, _)| k != key))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.extend(values.iter().map(|(k, v)| format!("{k}={v}")));
    pairs.push(format!("ok={}", lines[0].ok()));
    lines[0] = ResultLine::parse(&pairs.join(" ")).unwrap();
    cell
}

fn not_held(why: &str) -> Verdict {
    Verdict::NotHeld(why.into())
}

/// A server that never ran: skipped or FAILED, as `bench run` stores it.
pub fn without(scenario: &str, paradigm: &str, x: Option<u64>, outcome: Outcome) -> Cell {
    let mut cell = Cell::new(scenario, x, paradigm, Vec::new(), outcome);
    cell.server = ["/bin/serve", "--workers", "4"].map(String::from).to_vec();
    cell
}

/// serve-load on a 4-core machine, full mode: threads' capacity is a narrowed
/// rate below two it held over the target; tokio reaches loadgen's limit;
/// smol ties with tokio; compio sits out, async-std FAILED; Python's asyncio
/// holds one rate, its threading none within the target.
pub fn climbs() -> Vec<Cell> {
    let ladder = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
    let mut runs: Vec<(&str, u64, u64, Verdict)> = vec![
        ("threads", 1_000, 2_000, Verdict::Held),
        ("threads", 2_000, 4_000, Verdict::Held),
        ("threads", 5_000, 30_000, Verdict::Held),
        (
            "threads",
            10_000,
            900_000,
            not_held("answered 8000 of 10000 requests/s"),
        ),
        ("threads", 3_200, 8_000, Verdict::Held),
        ("threads", 4_000, 15_000, Verdict::Held),
    ];
    runs.extend(ladder.map(|r| ("tokio", r, 500 + r / 50, Verdict::Held)));
    let behind = Verdict::Generator("loadgen fell 80 ms behind its own schedule".into());
    runs.push(("tokio", 200_000, 40_000, behind));
    runs.extend(
        ladder[..6]
            .iter()
            .map(|&r| ("smol", r, 600 + r / 50, Verdict::Held)),
    );
    runs.extend([
        (
            "smol",
            100_000,
            1_500_000,
            not_held("p99 1500 ms is over 1 s"),
        ),
        ("smol", 71_000, 5_000, Verdict::Held),
        ("smol", 84_000, 9_000, Verdict::Held),
    ]);
    runs.extend(ladder.map(|r| ("api-server", r, 400 + r / 50, Verdict::Held)));
    let timeouts = "12 of 6000 requests failed (12 timed out, 0 refused, 0 lost, 0 wrong)";
    runs.extend([
        ("python-asyncio", 1_000, 5_000, Verdict::Held),
        ("python-asyncio", 2_000, 2_000_000, not_held(timeouts)),
        ("python-threading", 1_000, 20_000, Verdict::Held),
        (
            "python-threading",
            2_000,
            900_000,
            not_held("answered 1500 of 2000 requests/s"),
        ),
    ]);
    let load = "serve-load";
    let mut cells: Vec<Cell> = runs
        .into_iter()
        .map(|(p, rate, p99, verdict)| run(load, p, rate, p99, verdict))
        .collect();
    let skipped = Outcome::Skipped("io_uring is refused here".into());
    cells.push(without(load, "compio", None, skipped));
    let failed = Outcome::Failed("the server did not say it listens".into());
    cells.push(without(load, "async-std", Some(1_000), failed));
    // oha at the ladder's second rate and at the capacity.
    let oha = |p99_us| {
        let (rate, seconds, requests, errors, p50_us) = (0, 3.0, 6_000, 0, 100);
        Some(Ok(Oha {
            rate,
            seconds,
            requests,
            errors,
            p50_us,
            p99_us,
        }))
    };
    for cell in &mut cells {
        let Some(run) = &mut cell.load else { continue };
        run.oha = match (cell.paradigm.as_str(), cell.x) {
            ("tokio", Some(2_000)) => oha(900),
            ("tokio", Some(100_000)) => oha(9_000),
            ("threads", Some(2_000)) => Some(Err("oha not found".into())),
            _ => None,
        };
    }
    cells
}

/// serve-overload: smol past its capacity never comes back, threads does;
/// tokio and Python's threading sit out, as `bench run` says why.
pub fn overloads() -> Vec<Cell> {
    let load = "serve-overload";
    let smol = run(load, "smol", 126_000, 2_000_000, not_held("305 failed"));
    let smol = set(
        smol,
        &[
            ("errors", "305"),
            ("timeouts", "300"),
            ("lost", "5"),
            ("answered", "300000"),
            ("sent", "378000"),
            ("then_rate", "42000"),
            ("then_p99_us", "700000"),
            ("recovery_ms", "never"),
            ("p99_windows_us", "900,1500000,-,2000000,800000,700000"),
            ("duration_ms", "1000"),
        ],
    );
    let threads = run(load, "threads", 4_800, 60_000, not_held("too few"));
    let threads = set(
        threads,
        &[
            ("then_rate", "1600"),
            ("then_p99_us", "9000"),
            ("recovery_ms", "750"),
            ("p99_windows_us", "2000,40000,90000,30000,5000,4000"),
            ("duration_ms", "1000"),
        ],
    );
    let generator = "held 100000 requests/s, where loadgen reached its own limit: it cannot be overloaded from here";
    let none = "held no rate in serve-load with p99 within 10 ms: no capacity to exceed";
    let skipped = |p, why: &str| without(load, p, None, Outcome::Skipped(why.into()));
    vec![
        threads,
        smol,
        skipped("tokio", generator),
        skipped("python-threading", none),
    ]
}

/// serve-mixed at 2,000/s: tokio's cheap requests wait far less offloaded,
/// smol's not clearly; threads refuses `--offload`; Python's asyncio runs at
/// half its capacity.
pub fn mixes() -> Vec<Cell> {
    let load = "serve-mixed";
    let cell = |p: &str, rate, offload, cheap: u64, heavy: u64| {
        let c = run(load, p, rate, cheap, Verdict::Held);
        let (cheap, heavy) = (cheap.to_string(), heavy.to_string());
        let mut c = set(c, &[("cheap_p99_us", &cheap), ("heavy_p99_us", &heavy)]);
        c.load.as_mut().unwrap().offload = offload;
        c
    };
    let refusal = "refuses --offload: threads-serve: each connection has its own thread already";
    let refused = Outcome::Skipped(refusal.into());
    vec![
        cell("threads", 2_000, false, 1_000, 9_000),
        without(load, "threads", Some(2_000), refused),
        cell("tokio", 2_000, false, 8_000, 12_000),
        cell("tokio", 2_000, true, 1_000, 10_000),
        cell("smol", 2_000, false, 3_000, 11_000),
        cell("smol", 2_000, true, 2_000, 10_000),
        cell("python-asyncio", 500, false, 40_000, 60_000),
        cell("python-asyncio", 500, true, 20_000, 50_000),
    ]
}

/// All three, as one run's record on a 4-core machine.
pub fn loaded() -> Record {
    let mut cells = climbs();
    cells.extend(overloads());
    cells.extend(mixes());
    let mut record = record(cells);
    record.meta = [("mode", "full"), ("cores", "4"), ("date", "2026-12-07")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec();
    record
}
