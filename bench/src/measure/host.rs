//! What the host and the kernel did around a timed run, read before and after
//! it: the hypervisor's steal time and the CPU time of every program on the
//! machine (`/proc/stat`), which make a program slower for no fault of its own,
//! and TCP's listen-queue and retransmission counters (`/proc/net/netstat`),
//! which put a kernel's timeout into a client's time.

use std::fs;

use crate::results::Net;

/// What `/proc/stat` says of the whole machine so far, read once: the
/// difference of two is what happened between them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Steal time, in seconds summed over every CPU.
    pub steal: f64,
    /// CPU time every process has had (user, nice and system; interrupts,
    /// which the kernel accounts apart, left out), in seconds over every CPU.
    pub busy: f64,
    /// Context switches (`ctxt`): read around one run on a quiet machine,
    /// nearly all of them are the run's.
    pub switches: u64,
}

impl Stat {
    /// The machine's so far; `None` where `/proc/stat` cannot be read or has
    /// no steal column.
    pub fn now() -> Option<Stat> {
        Stat::parse(&fs::read_to_string("/proc/stat").ok()?)
    }

    /// The `cpu` line's numbers are USER_HZ ticks (100 a second on Linux,
    /// whatever the kernel's own tick).
    fn parse(stat: &str) -> Option<Stat> {
        let ticks = cpu_line(stat)?;
        let ctxt = stat.lines().find(|l| l.starts_with("ctxt "))?;
        Some(Stat {
            steal: ticks[7] as f64 / 100.0,
            busy: (ticks[0] + ticks[1] + ticks[2]) as f64 / 100.0,
            switches: ctxt.split_whitespace().nth(1)?.parse().ok()?,
        })
    }

    /// What happened from `before` to `self`.
    pub fn since(self, before: Stat) -> Stat {
        Stat {
            steal: self.steal - before.steal,
            busy: self.busy - before.busy,
            switches: self.switches.saturating_sub(before.switches),
        }
    }
}

/// The CPUs `/proc/stat` sums its `cpu` line over (its `cpuN` lines): the
/// divisor of a share of the machine, which a cpuset or quota does not change.
pub fn cpus() -> Option<f64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let n = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .count();
    (n > 0).then_some(n as f64)
}

/// The numbers of `/proc/stat`'s `cpu` line: user, nice, system, idle,
/// iowait, irq, softirq, steal, ...
fn cpu_line(stat: &str) -> Option<Vec<u64>> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    (ticks.len() >= 8).then_some(ticks)
}

/// The counters so far; `None` where `/proc/net/netstat` cannot be read.
pub fn net_so_far() -> Option<Net> {
    parse_net(&fs::read_to_string("/proc/net/netstat").ok()?)
}

/// `TcpExt:` names on one line, their values on the next.
pub(crate) fn parse_net(netstat: &str) -> Option<Net> {
    let mut lines = netstat.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let value = |name: &str| {
        let at = names.split_whitespace().position(|n| n == name)?;
        values.split_whitespace().nth(at)?.parse().ok()
    };
    Some(Net {
        listen_overflows: value("ListenOverflows")?,
        listen_drops: value("ListenDrops")?,
        tcp_timeouts: value("TCPTimeouts")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_is_read_from_proc_stat() {
        let stat = "cpu  9099 0 1847 15627 84 0 13 250 0 0\ncpu0 4416 0 840 8054 10 0 2 5 0 0\nctxt 123456\nbtime 1\n";
        let read = Stat::parse(stat).unwrap();
        assert_eq!(
            (read.steal, read.busy, read.switches),
            (2.5, 109.46, 123_456)
        );
        assert_eq!(Stat::parse("cpu  1 2 3\nctxt 1\n"), None);
        assert!(Stat::now().is_some(), "this machine's /proc/stat has steal");
    }

    /// The listen-overflow note, from made-up counters in /proc/net/netstat's form.
    #[test]
    fn listen_overflows_are_named_in_the_cell() {
        let text = |overflows: u64, timeouts: u64| {
            format!(
                "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeouts\n\
                 TcpExt: 0 {overflows} {overflows} {timeouts}\n\
                 IpExt: InNoRoutes\nIpExt: 0\n"
            )
        };
        let before = parse_net(&text(100, 40)).unwrap();
        let after = parse_net(&text(6_006, 7_750)).unwrap();
        let moved = after.since(before);
        assert_eq!(
            moved,
            Net {
                listen_overflows: 5_906,
                listen_drops: 5_906,
                tcp_timeouts: 7_710
            }
        );
        let note = moved.note().unwrap();
        assert!(note.contains("5906 listen-queue overflows"), "{note}");
        assert!(note.contains("7710 TCP retransmission timeouts"), "{note}");
        assert!(note.contains("includes retransmissions"), "{note}");
        assert_eq!(before.since(before).note(), None);
        assert_eq!(Net::from_json(&moved.to_json()), Some(moved));
        assert!(net_so_far().is_some(), "this machine has /proc/net/netstat");
    }
}
