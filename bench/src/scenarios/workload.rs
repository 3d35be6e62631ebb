//! A workload: which program of each paradigm a scenario runs, what its unit of
//! work is, and which server its programs meet.

/// Which program of each paradigm a scenario runs: `<paradigm>-<workload>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Cpu,
    Io,
    Spawn,
    Ring,
    /// The paradigm's server, which [`super::CLIENT`] drives.
    Serve,
}

/// The server each run of a workload's program meets, started afresh for each run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meets {
    Nobody,
    /// The api-server (hyper on tokio), the io clients' one server.
    ApiServer,
    /// The cell's own server: the paradigm's, which the client meets.
    Own,
}

impl Workload {
    /// The name in programs' names and in their result lines: `cpu`.
    pub const fn name(self) -> &'static str {
        match self {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
            Workload::Spawn => "spawn",
            Workload::Ring => "ring",
            Workload::Serve => "serve",
        }
    }

    /// What its unit of work is: the result-line fields whose product counts
    /// it, and its name, for counters "per request", "per job", "per hop".
    pub const fn unit_of_work(self) -> (&'static [&'static str], &'static str) {
        match self {
            Workload::Cpu => (&["jobs"], "job"),
            Workload::Io | Workload::Serve => (&["requests"], "request"),
            Workload::Ring => (&["units", "laps"], "hop"),
            Workload::Spawn => (&["units"], "unit"),
        }
    }

    /// The language's sequential program is a baseline here, not a contender:
    /// the sequential ring hands the token on in a loop, with no hand-off at
    /// all, and the sequential spawn calls its units one after another,
    /// starting none. A hop's and a start's cost beside them, never the fastest.
    pub const fn sequential_is_baseline(self) -> bool {
        matches!(self, Workload::Ring | Workload::Spawn)
    }

    pub const fn meets(self) -> Meets {
        match self {
            Workload::Io => Meets::ApiServer,
            Workload::Serve => Meets::Own,
            Workload::Cpu | Workload::Spawn | Workload::Ring => Meets::Nobody,
        }
    }
}
