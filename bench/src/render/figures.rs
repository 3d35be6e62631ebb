//! What one cell's figures are, as every table, chart and line reads them:
//! its scenario's measure, its p99 latency, its memory per unit of the scan,
//! its units of work, and a serve cell's server memory.

use crate::{
    results::stats::{self, Memory, PerUnit},
    results::{Cell, Record},
    scenarios::{self, Measure},
};

/// How a scenario's figure reads for one cell: time, or memory per live unit.
pub fn measure(scenario: &str) -> Measure {
    scenarios::named(scenario).map_or(Measure::Time, |s| s.measure)
}

/// A cell's figure as its scenario's compact table and the page's heatmap read it:
/// median wall time, per unit of work, memory per live unit (`kind`), or p99
/// latency; lower is better. `None` where it has none (not timed, within noise).
pub fn figure(record: &Record, cell: &Cell, measure: Measure, kind: Memory) -> Option<f64> {
    match measure {
        Measure::MemoryPerUnit => memory_per_unit(record, cell, kind).and_then(PerUnit::bytes),
        Measure::TimePerWork => Some(cell.median()? / units_of_work(cell)?.0),
        Measure::Latency => p99(cell),
        Measure::ServerMemory => server_memory(cell, kind),
        Measure::Time => cell.median(),
    }
}

/// An io cell's p99 request latency in seconds, from its verified run.
pub fn p99(cell: &Cell) -> Option<f64> {
    cell.field("p99_us").map(|us| us as f64 / 1e6)
}

/// Memory per live unit of a cell, against the same paradigm at K = 0.
pub fn per_unit(record: &Record, cell: &Cell) -> Option<PerUnit> {
    memory_per_unit(record, cell, Memory::UserSpace)
}

/// Memory per unit of the scan's x (live unit, connection), against the same
/// paradigm at the scan's first point.
pub fn memory_per_unit(record: &Record, cell: &Cell, memory: Memory) -> Option<PerUnit> {
    let base = *record.points(&cell.scenario).first()?;
    stats::per_unit(
        cell,
        record.cell(&cell.scenario, base, &cell.paradigm)?,
        memory,
    )
}

/// How many units of work the cell's program did, from its own result line,
/// and what one is called (`request`, `hop`).
pub fn units_of_work(cell: &Cell) -> Option<(f64, &'static str)> {
    let (fields, noun) = scenarios::named(&cell.scenario)?.workload.unit_of_work();
    let n = fields
        .iter()
        .map(|f| cell.field(f))
        .product::<Option<u64>>()?;
    (n > 0).then_some((n as f64, noun))
}

/// A serve cell's server memory per connection, in bytes (see [`crate::results::per_connection`]).
pub fn server_memory(cell: &Cell, kind: Memory) -> Option<f64> {
    crate::results::per_connection(&cell.server_memory, &cell.peaks, cell.x?, kind)
}

/// The server's peak resident memory (the sum of its processes' VmHWM), in KiB.
pub fn server_peak_kib(cell: &Cell) -> Option<u64> {
    cell.server_memory.first().map(|m| m.peak_kib)
}
