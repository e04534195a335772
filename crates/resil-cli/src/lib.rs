//! The `resil` command line: `run` a study, `validate` a config and its data.
//!
//! The commands live in this library so that tests can drive them in-process; `main.rs` only
//! forwards the process arguments and exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use resil_pipeline::METHODS;

#[derive(Parser, Debug)]
#[command(
    name = "resil",
    version,
    about = "Composite indices from indicator panels: scores, ranks, classes, regional trends"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a study: impute, normalise, weight, score, rank, classify, summarise; write the outputs.
    #[command(after_help = methods_help())]
    Run {
        /// The study's TOML config.
        config: PathBuf,
        /// Output folder (default: the config's [output] dir, relative to the config file).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Treat unknown config keys as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Check a config and its data without running; report every problem found.
    Validate {
        config: PathBuf,
        #[arg(long)]
        strict: bool,
    },
}

fn methods_help() -> String {
    format!(
        "Methods by stage:\n  impute: {}\n  normalize: {}\n  weight: {}\n  rank: {}\n  classify: {}",
        METHODS.impute.join(", "),
        METHODS.normalize.join(", "),
        METHODS.weight.join(", "),
        METHODS.rank.join(", "),
        METHODS.classify.join(", ")
    )
}

/// Runs the command line with `args` (program name first); returns the exit code.
pub fn main_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = if e.use_stderr() { write!(err, "{e}") } else { write!(out, "{e}") };
            return code;
        }
    };
    match dispatch(cli, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            1
        }
    }
}

fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run { config, out: out_dir, strict } => run(&config, out_dir.as_deref(), strict, out, err),
        Command::Validate { config, strict } => validate(&config, strict, out, err),
    }
}

fn load(config: &Path, strict: bool, err: &mut dyn Write) -> anyhow::Result<resil_config::LoadedConfig> {
    let loaded = resil_config::load(config, strict)?;
    for key in &loaded.unknown_keys {
        writeln!(err, "warning: {}: unknown config key `{key}` (ignored; an error under --strict)", config.display())?;
    }
    Ok(loaded)
}

fn run(
    config: &Path,
    out_dir: Option<&Path>,
    strict: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let started = Instant::now();
    let loaded = load(config, strict, err)?;
    let dir = out_dir.map(Path::to_path_buf).unwrap_or_else(|| loaded.resolve(&loaded.config.output.dir));
    let result = resil_pipeline::run(loaded, strict)
        .with_context(|| format!("run of {} failed; no output was written", config.display()))?;
    let written = resil_report::write_run(&result, &dir)?;
    write!(out, "{}", resil_report::summary(&result))?;
    writeln!(out, "\n{} files written to {}", written.len(), dir.display())?;
    // Timing goes to stderr only: it must never reach a compared output.
    writeln!(err, "run took {:.3} s", started.elapsed().as_secs_f64())?;
    Ok(0)
}

fn validate(config: &Path, strict: bool, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let loaded = match resil_config::load(config, strict) {
        Ok(l) => l,
        Err(e) => {
            report(&e.into_list(), config, err)?;
            return Ok(1);
        }
    };
    for key in &loaded.unknown_keys {
        writeln!(err, "warning: {}: unknown config key `{key}` (ignored; an error under --strict)", config.display())?;
    }
    let problems = resil_pipeline::validate(loaded, strict);
    if problems.is_empty() {
        writeln!(out, "{}: ok", config.display())?;
        Ok(0)
    } else {
        report(&problems, config, err)?;
        Ok(1)
    }
}

fn report(problems: &[resil_core::Error], config: &Path, err: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        err,
        "{}: {} problem{} found",
        config.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )?;
    for p in problems {
        writeln!(err, "  - {p}")?;
    }
    Ok(())
}
