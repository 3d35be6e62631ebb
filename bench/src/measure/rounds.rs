//! The timed runs of a point, in interleaved rounds: each verified program runs
//! once per round, the order rotated from round to round, so that a second in
//! which the host slows down lands on several paradigms rather than on all of
//! one's runs. hyperfine still times every run (`-r 1`, the warm-up in the
//! first round) and its exports are merged into the cell's `raw/` file. Around
//! each run the host's steal time and, for a program that connects, TCP's
//! listen-queue and retransmission counters are read; a cell whose runs look
//! like the machine's rather than the program's is timed once more, with the
//! others that were, and flagged if it still does.

use std::{
    fs,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use serde_json::json;

use super::server::{Opponent, serve, with_server};
use crate::{
    measure::host::{self, Stat},
    measure::program::{self, Attempt},
    measure::progress::Progress,
    measure::tools::Tools,
    measure::watch,
    results::Net,
    results::noise,
    results::{Around, load_hyperfine},
    scenarios::{Repeats, repeats},
};

/// A verified program waiting for its timed runs.
pub(super) struct Contender {
    /// hyperfine's `-n`: the paradigm.
    pub name: String,
    pub command: Vec<String>,
    pub opponent: Opponent,
    /// Past it, a run has hung: FAILED.
    pub limit: Duration,
    /// Its counting run's CPU time in seconds and context switches (a serve
    /// cell's are its server's: none to compare).
    pub counted: Option<(f64, u64)>,
    /// Where its merged export goes.
    pub json: PathBuf,
}

/// How a contender's timed runs went.
pub(super) enum Timed {
    Ok(Around),
    Failed(String),
}

/// Every contender's timed runs, in rounds; `None` when the benchmark is stopping.
pub(super) fn time(
    contenders: &[Contender],
    r: Repeats,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Timed>>, String> {
    let all: Vec<usize> = (0..contenders.len()).collect();
    let Some(mut timed) = attempt(contenders, &all, r, tools, dir, progress)? else {
        return Ok(None);
    };
    // A second attempt for the noisy ones, interleaved among themselves; its
    // runs replace theirs (the first attempt's export is kept beside).
    let noisy: Vec<usize> = all
        .into_iter()
        .filter(|&i| matches!(&timed[i], Timed::Ok(a) if a.noisy.is_some()))
        .collect();
    if noisy.is_empty() {
        return Ok(Some(timed));
    }
    for &i in &noisy {
        let json = &contenders[i].json;
        let _ = fs::rename(json, json.with_extension("noisy-first.json"));
    }
    let names: Vec<&str> = noisy.iter().map(|&i| contenders[i].name.as_str()).collect();
    progress.say(format!("noisy, timed again: {}", names.join(", ")));
    // With its warm-ups again: a cold first run would look noisy itself.
    let Some(again) = attempt(contenders, &noisy, r, tools, dir, progress)? else {
        return Ok(None);
    };
    // Every one of them was timed in the first attempt (only those are noisy).
    for i in noisy {
        timed[i] = match &again[i] {
            Timed::Ok(around) => Timed::Ok(Around {
                retimed: true,
                ..around.clone()
            }),
            Timed::Failed(why) => Timed::Failed(why.clone()),
        };
    }
    Ok(Some(timed))
}

/// What one contender's runs of an attempt gave.
#[derive(Default)]
struct Gathered {
    times: Vec<f64>,
    switches: Vec<Option<u64>>,
    /// serve: the server's CPU time in each round (`None` where warm-ups shared it).
    server_cpu: Vec<Option<f64>>,
    user: Vec<f64>,
    system: Vec<f64>,
    steal: f64,
    wall: f64,
    /// Other programs' CPU time, and the wall time of the runs it was read over
    /// (those without warm-ups, whose CPU time hyperfine does not report).
    others: f64,
    others_wall: f64,
    net: Option<Net>,
    failed: Option<String>,
}

/// One attempt: `r.timed` rounds of the contenders `which` (indices), rotated.
fn attempt(
    contenders: &[Contender],
    which: &[usize],
    r: Repeats,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Vec<Timed>>, String> {
    let mut got: Vec<Gathered> = contenders.iter().map(|_| Gathered::default()).collect();
    // /proc/stat sums every CPU of the machine, whatever this process may use.
    let cores = host::cpus().unwrap_or(workload::sys::available_cores() as f64);
    for round in 0..r.timed as usize {
        for k in 0..which.len() {
            let i = which[(k + round) % which.len()];
            let (c, mine) = (&contenders[i], &mut got[i]);
            if mine.failed.is_some() {
                continue;
            }
            let warmup = if round == 0 { r.warmup } else { 0 };
            progress.doing(format!(
                "timing {}: round {} of {}",
                c.name,
                round + 1,
                r.timed
            ));
            let one = dir.join(format!("raw/timing.{}.json", c.name));
            let server = match serve(&c.opponent, &|c| c.to_vec(), &c.name, tools, dir)? {
                Attempt::Ok(server) => server,
                Attempt::Failed(why) => {
                    mine.failed = Some(format!("while timed: {why}"));
                    continue;
                }
                Attempt::Stopped => return Ok(None),
            };
            let command = with_server(&c.command, server.as_ref());
            let connects = !matches!(c.opponent, Opponent::Nobody);
            let served = || server.as_ref().map_or(0, |s| watch::cpu_us(s.group())) as f64 / 1e6;
            let (stat, net) = (Stat::now(), host::net_so_far());
            let (server_cpu, start) = (served(), Instant::now());
            let attempt =
                program::time(tools, &command, &c.name, repeats(warmup, 1), c.limit, &one)?;
            let wall = start.elapsed().as_secs_f64();
            let server_cpu = served() - server_cpu;
            let stat = stat
                .zip(Stat::now())
                .map(|(before, after)| after.since(before));
            if let Some(stat) = stat {
                mine.steal += stat.steal;
                mine.wall += wall;
            }
            if let (true, Some(before), Some(after)) = (connects, net, host::net_so_far()) {
                mine.net = Some(mine.net.unwrap_or_default().add(after.since(before)));
            }
            let serving = server.is_some();
            drop(server);
            match attempt {
                Attempt::Ok(()) => {}
                Attempt::Failed(why) => {
                    mine.failed = Some(format!("while timed: {why}"));
                    continue;
                }
                Attempt::Stopped => return Ok(None),
            }
            let timing = load_hyperfine(&one)?.pop().map(|(_, t)| t);
            let _ = fs::remove_file(&one); // merged into the cell's export below
            let Some(t) = timing else {
                mine.failed = Some("while timed: hyperfine exported no time".into());
                continue;
            };
            mine.times.push(t.mean);
            mine.switches
                .push(stat.map(|s| s.switches).filter(|_| warmup == 0));
            if serving {
                mine.server_cpu
                    .push(Some(server_cpu).filter(|_| warmup == 0));
            }
            mine.user.push(t.user);
            mine.system.push(t.system);
            if let (0, Some(Stat { busy, .. })) = (warmup, stat) {
                // /proc/stat counts in ticks of 10 ms on each CPU: less is not noise.
                let ticks = 0.01 * cores;
                mine.others += (busy - t.user - t.system - server_cpu - ticks).max(0.0);
                mine.others_wall += wall;
            }
            progress.done(u64::from(warmup) + 1);
        }
    }
    let mut timed = Vec::new();
    for (c, mine) in contenders.iter().zip(got) {
        if let Some(why) = mine.failed {
            timed.push(Timed::Failed(why));
            continue;
        }
        if mine.times.is_empty() {
            timed.push(Timed::Failed(String::new())); // not in this attempt
            continue;
        }
        merge(&c.json, &c.name, &mine)?;
        let mut around = Around {
            cpu: mine
                .user
                .iter()
                .zip(&mine.system)
                .map(|(u, s)| u + s)
                .collect(),
            switches: mine.switches,
            server_cpu: mine.server_cpu,
            steal: (mine.wall > 0.0).then(|| mine.steal / (mine.wall * cores)),
            // Over less than half a second, a tick's rounding is most of it.
            others: (mine.others_wall > 0.5).then(|| mine.others / (mine.others_wall * cores)),
            net: mine.net,
            retimed: false,
            noisy: None,
        };
        around.noisy = noise::noise(&around, c.counted);
        timed.push(Timed::Ok(around));
    }
    Ok(Some(timed))
}

/// The runs of one contender as one hyperfine export, in hyperfine's own form
/// (so that it reads back like one): its times in the order run, their
/// statistics, mean user and system time, and each run's CPU time too.
fn merge(path: &Path, name: &str, runs: &Gathered) -> Result<(), String> {
    let n = runs.times.len() as f64;
    let mean = runs.times.iter().sum::<f64>() / n;
    let stddev = (runs.times.len() > 1).then(|| {
        let var = runs.times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0);
        var.sqrt()
    });
    let mut sorted = runs.times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = match sorted.len() {
        l if l % 2 == 1 => sorted[l / 2],
        l => (sorted[l / 2 - 1] + sorted[l / 2]) / 2.0,
    };
    let export = json!({
        "results": [{
            "command": name,
            "mean": mean,
            "stddev": stddev,
            "median": median,
            "user": runs.user.iter().sum::<f64>() / n,
            "system": runs.system.iter().sum::<f64>() / n,
            "min": sorted[0],
            "max": sorted[sorted.len() - 1],
            "times": runs.times,
            "exit_codes": vec![0; runs.times.len()],
            "user_times": runs.user,
            "system_times": runs.system,
        }],
        "interleaved": "each run timed alone by hyperfine -N -r 1, one run per round, the order rotated; merged here",
    });
    fs::write(path, format!("{export:#}\n")).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merged export reads back as hyperfine's own: its runs in the order
    /// run, their median, range and mean CPU.
    #[test]
    fn merged_runs_read_back_as_one_export() {
        let path = std::env::temp_dir().join(format!("bench-merge-{}.json", std::process::id()));
        let runs = Gathered {
            times: vec![0.30, 0.10, 0.20],
            user: vec![0.2, 0.1, 0.1],
            system: vec![0.1, 0.0, 0.1],
            ..Gathered::default()
        };
        merge(&path, "tokio", &runs).unwrap();
        let read = load_hyperfine(&path).unwrap();
        let _ = fs::remove_file(&path);
        let (name, t) = &read[0];
        assert_eq!(name, "tokio");
        assert_eq!((t.median, t.min, t.max, t.runs), (0.20, 0.10, 0.30, 3));
        assert!((t.mean - 0.20).abs() < 1e-12 && (t.stddev.unwrap() - 0.10).abs() < 1e-12);
        assert!((t.user - 0.4 / 3.0).abs() < 1e-12, "{t:?}");
    }
}
