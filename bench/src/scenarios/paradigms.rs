//! The fourteen paradigms: Rust's ten (the last two thread-per-core), then the
//! primer's Python (and its sequential baseline). A paradigm's name is the one key that joins everything:
//! the program it runs, hyperfine's `-n`, a cell, a table row, a chart series.

use super::workload::Workload;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    /// The paradigm a speed-up in this language is given against.
    pub fn baseline(self) -> &'static str {
        match self {
            Language::Rust => "sequential",
            Language::Python => "python-sequential",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paradigm {
    pub name: &'static str,
    pub language: Language,
    /// The Rust paradigm whose colour a chart gives this one: Python's twins share
    /// the hue of their Rust counterpart and are drawn dashed. A Rust row's
    /// program is its family's.
    pub family: &'static str,
    /// A fixed pool's server run with a worker per connection (see [`SIZED`]).
    pub sized: bool,
}

const fn rust(name: &'static str) -> Paradigm {
    Paradigm {
        name,
        language: Language::Rust,
        family: name,
        sized: false,
    }
}

const fn python(name: &'static str, family: &'static str) -> Paradigm {
    Paradigm {
        name,
        language: Language::Python,
        family,
        sized: false,
    }
}

const fn sized(name: &'static str, family: &'static str) -> Paradigm {
    Paradigm {
        name,
        language: Language::Rust,
        family,
        sized: true,
    }
}

/// Every paradigm, in the order of every table and legend.
pub const ALL: [Paradigm; 14] = [
    rust("sequential"),
    rust("processes"),
    rust("threads"),
    rust("crossbeam"),
    rust("rayon"),
    rust("tokio"),
    rust("async-std"),
    rust("smol"),
    // Thread-per-core: a runtime per pinned worker thread, no task migrates.
    rust("tokio-per-core"),
    rust("compio"),
    python("python-sequential", "sequential"),
    python("python-multiprocessing", "processes"),
    python("python-threading", "threads"),
    python("python-asyncio", "tokio"),
];

/// The reference server of the serve scenarios: the hyper api-server that every
/// io client meets, timed beside the paradigms' servers with the same client. It
/// is no paradigm: never a language's fastest, never the primer's answer.
pub const REFERENCE: Paradigm = Paradigm {
    name: "api-server",
    language: Language::Rust,
    family: "api-server",
    sized: false,
};

/// The fixed pools' servers (crossbeam, rayon) with as many workers as the
/// client has connections, in a scenario that asks for them (serve-fast): at
/// the cores' count, as in their own rows, connections beyond the pool wait for
/// a free worker for the whole run, which is the lesson of a fixed pool; sized
/// to the connections, each is served at once. Like the reference, these rows
/// are never a language's fastest.
pub const SIZED: [Paradigm; 2] = [
    sized("crossbeam-sized", "crossbeam"),
    sized("rayon-sized", "rayon"),
];

/// The rows of every table and chart: the paradigms, the sized pools after
/// rayon, and the reference last; the latter two have serve cells only.
pub const ROWS: [Paradigm; 17] = [
    ALL[0], ALL[1], ALL[2], ALL[3], ALL[4], SIZED[0], SIZED[1], ALL[5], ALL[6], ALL[7], ALL[8],
    ALL[9], ALL[10], ALL[11], ALL[12], ALL[13], REFERENCE,
];

/// The paradigm (or the reference) of that name.
pub fn named(name: &str) -> Option<&'static Paradigm> {
    ROWS.iter().find(|p| p.name == name)
}

/// Who runs at a point of a scenario of `workload`: every paradigm, and for
/// serve, the reference server too, and the sized pools where `sized` asks.
pub fn runners(workload: Workload, sized: bool) -> Vec<Paradigm> {
    match (workload, sized) {
        (Workload::Serve, true) => ROWS.to_vec(),
        (Workload::Serve, false) => ROWS.iter().filter(|p| !p.sized).copied().collect(),
        _ => ALL.to_vec(),
    }
}

impl Paradigm {
    pub fn is_python(&self) -> bool {
        self.language == Language::Python
    }

    /// Its server is a fixed pool of `--workers` threads, each holding a
    /// connection until the client closes it: crossbeam's and rayon's.
    pub fn is_fixed_pool(&self) -> bool {
        self.language == Language::Rust && matches!(self.family, "crossbeam" | "rayon")
    }

    /// The reference server, not a paradigm.
    pub fn is_reference(&self) -> bool {
        self.name == REFERENCE.name
    }

    /// The name without `python-`, as the primer says it: `multiprocessing`.
    pub fn short(&self) -> &'static str {
        self.name.trim_start_matches("python-")
    }
}
