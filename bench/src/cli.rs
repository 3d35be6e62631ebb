//! `bench`'s command line: its three actions (`run`, `report`, `compare`) and
//! the flags of a run, parsed by clap; `main.rs` carries them out. And the
//! reader's browser, which `bench report --open` starts on the page.

use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use clap::{Parser, Subcommand};

use crate::scenarios::{self, Scenario};

#[derive(Parser)]
#[command(
    name = "bench",
    version,
    about = "Verify, time and report every paradigm on every workload."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Action,
}

#[derive(Subcommand)]
pub enum Action {
    /// Build, verify and time every program; write a new results folder and its report.
    Run(RunArgs),
    /// (Re)write a results folder's report.md, machine.md, charts and
    /// report.html (one page, everything in it); with --readme, also the
    /// README's generated blocks and those of docs/FINDINGS.md beside it (from
    /// DIR, whatever its kind).
    Report {
        dir: PathBuf,
        #[arg(long, value_name = "README.md")]
        readme: Option<PathBuf>,
        /// Open report.html in a browser: $BROWSER, else xdg-open, else open.
        #[arg(long)]
        open: bool,
    },
    /// The same scenarios from several runs side by side, as Markdown on stdout.
    Compare {
        #[arg(required = true, num_args = 2..)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Every scenario at tiny sizes, one run each (about a minute): a check, not a measurement.
    #[arg(long)]
    pub quick: bool,
    /// Only these scenarios (comma-separated); such a run never counts as a full run.
    #[arg(long, value_name = "SCENARIO[,..]", value_delimiter = ',', value_parser = scenario)]
    pub only: Vec<&'static Scenario>,
    /// The results folder (new or empty); default results/<date>-<host>[-quick][-N].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress: only failures and the folder written (for CI logs).
    #[arg(long)]
    pub quiet: bool,
    /// Root only: raise vm.max_map_count and kernel.pid_max (so that threads
    /// go as far as memory allows) and net.core.somaxconn and
    /// net.ipv4.tcp_max_syn_backlog (so that 10,000 connects at once are queued,
    /// not dropped) for the run, and put them back after it.
    #[arg(long)]
    pub raise_limits: bool,
    /// Why this run is made, in a sentence or two: written to the folder's
    /// README.md, so that a reader of results/ knows what each run was for.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Time the programs in DIR as they are (built elsewhere, or with other
    /// flags) instead of building target/release.
    #[arg(long, value_name = "DIR")]
    pub bin: Option<PathBuf>,
}

fn scenario(name: &str) -> Result<&'static Scenario, String> {
    scenarios::named(name).ok_or_else(|| {
        format!(
            "no scenario '{name}'; one of: {}",
            scenarios::names().join(", ")
        )
    })
}

/// Starts a browser on `page` and returns: `$BROWSER` (commands, `:` between
/// them, `%s` where the page goes, else after it), else `xdg-open`, else
/// `open` (macOS).
pub fn browse(page: &Path) -> Result<(), String> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    if let Some(browser) = env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        // Several may be named, `:` between them, as for man and xdg-open.
        for one in browser.split(':').filter(|b| !b.trim().is_empty()) {
            commands.push(one.split_whitespace().map(str::to_string).collect());
        }
    }
    let path = env::var_os("PATH").unwrap_or_default();
    // Elsewhere than macOS, `open` is another program (Debian's is openvt).
    let names: &[&str] = match cfg!(target_os = "macos") {
        true => &["xdg-open", "open"],
        false => &["xdg-open"],
    };
    for name in names {
        if env::split_paths(&path).any(|d| d.join(name).is_file()) {
            commands.push(vec![name.to_string()]);
        }
    }
    let page_arg = page.to_string_lossy().to_string();
    for words in commands {
        let mut args: Vec<String> = words.iter().map(|w| w.replace("%s", &page_arg)).collect();
        if !words.iter().any(|w| w.contains("%s")) {
            args.push(page_arg.clone());
        }
        let started = Command::new(&args[0])
            .args(&args[1..])
            .stdin(Stdio::null())
            .spawn();
        if started.is_ok() {
            return Ok(());
        }
    }
    Err(format!(
        "no browser to open the page (set BROWSER): {}",
        page.display()
    ))
}
