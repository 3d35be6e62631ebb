//! Whether a server held the rate offered, from `loadgen`'s line and the CPU
//! both sides spent: a wrong, lost or refused answer is always the server's; a
//! run that ran out of CPU on loadgen's side (or on the whole machine, which
//! client and server share) is not, however late its requests came back.

use workload::ResultLine;

use crate::{
    results::Verdict,
    scenarios::load::{GENERATOR_SLACK_US, MOST_P99_US},
};

/// loadgen is short of CPU when it used this share of its one runtime thread ...
const LOADGEN_BUSY: f64 = 0.9;
/// ... or the machine is, when both sides together used this share of its cores.
const MACHINE_BUSY: f64 = 0.9;

/// What a run used of the machine: loadgen's CPU and the server's, over its wall time.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    pub server_cpu_us: u64,
    pub wall_us: u64,
    pub cores: usize,
}

/// The verdict on one run.
pub fn verdict(line: &ResultLine, spent: Spent) -> Verdict {
    let n = |key: &str| line.number(key).unwrap_or(0);
    let offered = n("answered") + n("errors");
    let failed = || {
        format!(
            "{} of {offered} requests failed ({} timed out, {} refused, {} lost, {} wrong)",
            n("errors"),
            n("timeouts"),
            n("refused"),
            n("lost"),
            n("wrong")
        )
    };
    // A wrong answer, or a connection refused or lost, is the server's whatever loadgen did.
    if n("wrong") + n("refused") + n("lost") > 0 {
        return Verdict::NotHeld(failed());
    }
    let late = n("timeouts") > 0 || !line.ok() || n("p99_us") > MOST_P99_US;
    let wall = spent.wall_us.max(1) as f64;
    let loadgen = n("cpu_ms") as f64 * 1_000.0 / wall;
    let both = loadgen + spent.server_cpu_us as f64 / wall;
    let behind = n("behind_us") > GENERATOR_SLACK_US;
    let short = if loadgen >= LOADGEN_BUSY {
        Some(format!("loadgen used {loadgen:.2} of its core"))
    } else if both >= MACHINE_BUSY * spent.cores as f64 {
        Some(format!(
            "loadgen and the server together used {both:.2} of the {} cores they share",
            spent.cores
        ))
    } else {
        None
    };
    match short {
        // Its lateness is in every latency: past the target, it cannot tell.
        Some(why) if behind || late => {
            return Verdict::Generator(format!(
                "loadgen fell {} ms behind its own schedule and {why}: the rate is past what this machine can offer and serve at once, not the server's alone",
                n("behind_us") / 1_000
            ));
        }
        _ => {}
    }
    if n("timeouts") > 0 || !line.ok() {
        return Verdict::NotHeld(failed());
    }
    if n("p99_us") > MOST_P99_US {
        return Verdict::NotHeld(format!("p99 {} ms is over 1 s", n("p99_us") / 1_000));
    }
    Verdict::Held
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line with every key at a healthy value but those in `fields`.
    fn line(fields: &str) -> ResultLine {
        let base = "workload=load server=s rate=1000 answered=3000 errors=0 timeouts=0 refused=0 lost=0 wrong=0 p99_us=500 behind_us=100 cpu_ms=300 ok=true";
        let text: Vec<String> = base
            .split(' ')
            .map(|pair| {
                let key = pair.split('=').next().unwrap();
                let new = fields
                    .split(' ')
                    .find(|f| f.starts_with(&format!("{key}=")));
                new.unwrap_or(pair).to_string()
            })
            .collect();
        ResultLine::parse(&text.join(" ")).unwrap()
    }

    const IDLE: Spent = Spent {
        server_cpu_us: 300_000,
        wall_us: 3_000_000,
        cores: 2,
    };

    #[test]
    fn whose_limit_it_was() {
        assert_eq!(verdict(&line(""), IDLE), Verdict::Held);
        // Late while neither side was short of CPU: the server's (a slow server
        // makes loadgen open connections, which delays its clock too).
        let slow = verdict(&line("behind_us=15000 p99_us=2000000"), IDLE);
        assert!(
            matches!(slow, Verdict::NotHeld(ref why) if why.contains("over 1 s")),
            "{slow:?}"
        );
        // loadgen out of CPU: its limit, even with small lateness and timeouts.
        let starved = line("timeouts=5 errors=5 cpu_ms=2900");
        let verdict_starved = verdict(&starved, IDLE);
        assert!(
            matches!(verdict_starved, Verdict::Generator(ref why) if why.contains("of its core")),
            "{verdict_starved:?}"
        );
        // The machine full: both sides together.
        let full = Spent {
            server_cpu_us: 3_000_000,
            ..IDLE
        };
        let behind = verdict(&line("behind_us=20000 cpu_ms=2500"), full);
        assert!(
            matches!(behind, Verdict::Generator(ref why) if why.contains("cores they share")),
            "{behind:?}"
        );
        // A wrong answer is the server's, however busy the machine was.
        let wrong = verdict(&line("wrong=1 errors=1 behind_us=20000 cpu_ms=2900"), full);
        assert!(
            matches!(wrong, Verdict::NotHeld(ref why) if why.starts_with("1 of 3001 requests failed")),
            "{wrong:?}"
        );
        // Held on time, the machine busy: held.
        assert_eq!(verdict(&line("cpu_ms=2900"), full), Verdict::Held);
    }
}
