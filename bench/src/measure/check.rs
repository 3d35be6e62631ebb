//! A cell's checks: its verified runs before any is timed, each against a
//! fresh server where it meets one, in a memory cgroup where the kernel's share
//! is wanted.

use std::{path::Path, time::Instant};

use super::{
    CHECK_LIMIT, Probes,
    server::{Opponent, Watch, serve, with_server},
    setup::{Checks, Setup},
};
use crate::{
    measure::program::{self, Attempt},
    measure::progress::Progress,
    measure::tools::Tools,
    results::Cell,
};

/// A cell's verified runs, each against a fresh server where it meets one and,
/// where the kernel's share is wanted, in a memory cgroup: the program's, or
/// for serve the server's (which is also watched from outside). `None` when
/// the benchmark is stopping.
#[allow(clippy::too_many_arguments)] // the point's context, passed down as is
pub(super) fn check(
    setup: &Setup<'_>,
    cell: &mut Cell,
    opponent: &Opponent,
    expect: &[(String, String)],
    probes: &Probes,
    tools: &Tools,
    dir: &Path,
    progress: &Progress,
) -> Result<Option<Checks>, String> {
    let mut checks = Checks::default();
    let of = setup.sizes.checks;
    for i in 0..of {
        progress.doing(format!("checking {} ({} of {of})", cell.paradigm, i + 1));
        // Declared before the server, so that the server is killed before the cgroup goes.
        let cgroup = (setup.at.scenario.kernel_memory)
            .then(|| probes.memcg.create().ok())
            .flatten();
        let in_cgroup = |c: &[String]| match (&cgroup, setup.serving) {
            (Some(cgroup), true) => cgroup.command(c),
            _ => c.to_vec(),
        };
        let server = match serve(opponent, &in_cgroup, &cell.paradigm, tools, dir)? {
            Attempt::Ok(server) => server,
            Attempt::Failed(why) => {
                return Ok(Some(Checks {
                    failed: Some(why),
                    ..checks
                }));
            }
            Attempt::Stopped => return Ok(None),
        };
        let mut command = with_server(&cell.command, server.as_ref());
        if let (Some(cgroup), false) = (&cgroup, setup.serving) {
            command = cgroup.command(&command);
        }
        let watch = server
            .as_ref()
            .filter(|_| setup.serving)
            .map(|s| Watch::start(s, &cgroup));
        let start = Instant::now();
        match program::check(&command, expect, CHECK_LIMIT, dir)? {
            Attempt::Ok(line) => checks.lines.push(line),
            Attempt::Failed(why) => {
                return Ok(Some(Checks {
                    failed: Some(why),
                    ..checks
                }));
            }
            Attempt::Stopped => return Ok(None),
        }
        if let Some(watch) = watch {
            cell.server_memory.push(watch.finish());
        }
        checks.slowest = checks.slowest.max(start.elapsed());
        checks
            .peaks
            .push(cgroup.as_ref().and_then(|c| c.peak().ok()));
        drop(server);
        progress.done(1);
    }
    Ok(Some(checks))
}
