//! The `resil` command line: `run` a study, `validate` a config and its data.
//!
//! The commands live in this library so that tests can drive them in-process; `main.rs` only
//! forwards the process arguments and exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use resil_pipeline::RunOptions;

mod csv_matrix;
mod inequality;
mod matrix;
#[cfg(feature = "parquet")]
mod parquet_matrix;
mod repeats;
mod serve;
mod spatial;
#[cfg(feature = "parquet")]
mod stream_run;

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
        /// A folder to load plugins from, searched before the config's [plugins] dirs (repeatable).
        #[arg(long = "plugin-dir")]
        plugin_dirs: Vec<PathBuf>,
        /// Also write report.html and the charts (as `resil report`).
        #[arg(long)]
        report: bool,
        /// Fit the scoring stages (normalise, weigh, score; every one pooled) on a query engine:
        /// `datafusion`, `ballista` or `ballista://HOST:PORT`, as `resil score --engine`. Needs
        /// `--features datafusion` (or `ballista`).
        #[arg(long)]
        engine: Option<String>,
        /// With `--engine`: the folder for the panel's scratch Parquet file, one every executor
        /// of the cluster can read (default: the temporary folder).
        #[arg(long, requires = "engine")]
        engine_scratch: Option<PathBuf>,
        /// Leave the panel on disk: one wide Parquet table, read row group by row group (needs
        /// `--features parquet`). Writes scores, weights, breaks and the manifest; see
        /// docs/scale.md for what such a run checks and refuses.
        #[arg(long, conflicts_with_all = ["engine", "report"])]
        stream: bool,
    },
    /// Write report.html (inline SVG charts and maps) and each chart as SVG, from a run's folder.
    Report {
        dir: PathBuf,
        /// A GeoJSON of polygons to draw instead of the bundled Natural Earth outlines.
        #[arg(long)]
        outlines: Option<PathBuf>,
    },
    /// Check a config and its data without running; report every problem found.
    Validate {
        config: PathBuf,
        #[arg(long)]
        strict: bool,
        #[arg(long = "plugin-dir")]
        plugin_dirs: Vec<PathBuf>,
        /// Check the config as `resil run --stream` would run it (the panel's rows are checked
        /// when the run reads them).
        #[arg(long)]
        stream: bool,
    },
    /// List or inspect indicator plugins.
    #[command(subcommand)]
    Plugins(PluginsCommand),
    /// Spatial statistics of a plain table.
    #[command(subcommand)]
    Spatial(SpatialCommand),
    /// Theil's T (decomposed by --group, with a permutation p-value) and Gini of a column.
    Inequality(inequality::InequalityArgs),
    /// Score and rank a plain decision matrix (no config): normalise, weigh, score.
    #[command(after_help = methods_help())]
    Score(matrix::ScoreArgs),
    /// Classify a column of values (no config).
    #[command(after_help = methods_help())]
    Classify(matrix::ClassifyArgs),
    /// Run the study under its [[compare.variant]] method swaps; rank correlations, rank shifts,
    /// grade changes.
    Compare {
        config: PathBuf,
        /// Output folder (default: the config's [compare] dir, else <output dir>/compare).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        strict: bool,
        #[arg(long = "plugin-dir")]
        plugin_dirs: Vec<PathBuf>,
    },
    /// Uncertainty and sensitivity analysis of the study's [sensitivity] factors: rank and grade
    /// distributions, Sobol indices, leave-one-out.
    Sensitivity {
        config: PathBuf,
        /// Base points N of the design, 8 to 2^20 (N (k + 2) evaluations; default: the config's
        /// draws).
        #[arg(long, value_parser = draw_count())]
        draws: Option<usize>,
        /// Seed of the design's shift and the bootstrap (default: the config's seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder (default: the config's [sensitivity] dir, else <output dir>/sensitivity).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads, 1 to 1024 (default: every core); results do not depend on it.
        #[arg(long, value_parser = thread_count())]
        threads: Option<usize>,
        /// Also write evaluations.csv: every evaluation's factor settings and outputs.
        #[arg(long)]
        save_evaluations: bool,
        #[arg(long)]
        strict: bool,
        #[arg(long = "plugin-dir")]
        plugin_dirs: Vec<PathBuf>,
    },
    /// The live explorer: move weights, swap methods, see ranks and maps change; save as a config.
    Serve(serve::ServeArgs),
    /// Every method of every stage with its parameters and defaults (`--json` for tools).
    Methods {
        /// One stage only (impute, treat, normalize, weight, rank, classify, analysis, sensitivity).
        stage: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Compare two run folders; exit 1 when weights or scores differ past the tolerance.
    Diff {
        run_a: PathBuf,
        run_b: PathBuf,
        #[arg(long, default_value_t = 1e-9)]
        tolerance: f64,
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
}

#[derive(Subcommand, Debug)]
enum SpatialCommand {
    /// Global Moran's I of a column, with analytical and permutation inference.
    Moran(spatial::SpatialArgs),
    /// Global Geary's C of a column, with analytical and permutation inference.
    Geary(spatial::SpatialArgs),
    /// Getis-Ord G of a column (global; --local for G_i, --local --star for G*_i), with
    /// analytical and permutation inference.
    GetisOrd(spatial::GetisOrdArgs),
    /// Bivariate Moran's I of --value with the spatial lag of --with, with permutation inference.
    MoranBv(spatial::MoranBvArgs),
}

#[derive(Subcommand, Debug)]
enum PluginsCommand {
    /// The plugins found in the plugin folders, their versions and indicators.
    List {
        /// A folder to search (repeatable; default: target/plugins). Also `--plugin-dir`, as the
        /// other commands name it.
        #[arg(long = "dir", visible_alias = "plugin-dir")]
        dirs: Vec<PathBuf>,
        /// Also search the [plugins] dirs of this config.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Everything one plugin library says about itself.
    Inspect { path: PathBuf },
}

/// The method names by stage, from the registry's tables (`resil methods` has the details).
fn methods_help() -> String {
    let catalog = resil_pipeline::catalog();
    let mut text = String::from("Methods by stage (`resil methods` lists their parameters):");
    let mut stages: Vec<&str> = catalog.iter().map(|m| m.stage).collect();
    stages.dedup();
    for stage in stages {
        let names: Vec<&str> = catalog.iter().filter(|m| m.stage == stage).map(|m| m.name).collect();
        text.push_str(&format!("\n  {stage}: {}", names.join(", ")));
    }
    text
}

/// `resil methods [STAGE] [--json]`: every method with its doc, parameters and defaults.
fn methods(stage: Option<&str>, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let catalog: Vec<_> =
        resil_pipeline::catalog().into_iter().filter(|m| stage.is_none_or(|s| m.stage == s)).collect();
    if catalog.is_empty() {
        anyhow::bail!(
            "unknown stage `{}` (known: impute, treat, normalize, weight, rank, classify, analysis, sensitivity)",
            stage.unwrap_or("")
        );
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&catalog)?)?;
        return Ok(0);
    }
    let mut current = "";
    for m in &catalog {
        if m.stage != current {
            current = m.stage;
            writeln!(out, "{current}:")?;
            for p in resil_pipeline::stage_params(current) {
                writeln!(out, "  (every method) {:<6} {}", p.name, p.doc)?;
            }
        }
        writeln!(out, "  {:<15} {}", m.name, m.doc)?;
        for p in m.params {
            let default =
                m.defaults.get(p.name).filter(|d| !d.is_null()).map(|d| format!(" [default {d}]")).unwrap_or_default();
            writeln!(out, "    {:<19} {}{default}", p.name, p.doc)?;
        }
    }
    Ok(0)
}

/// The most worker threads a command starts, far past any machine's cores: 1e5 had spent
/// minutes starting threads before any work.
const MOST_THREADS: u64 = 1024;

/// `--threads` and `--workers`: from 1 to [`MOST_THREADS`].
pub(crate) fn thread_count() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MOST_THREADS)
}

/// `--draws`: the bounds the config's `sensitivity.draws` is held to, named at the flag.
fn draw_count() -> clap::builder::RangedU64ValueParser<usize> {
    let (fewest, most) = (resil_pipeline::FEWEST_DRAWS as u64, resil_pipeline::MOST_DRAWS as u64);
    clap::builder::RangedU64ValueParser::<usize>::new().range(fewest..=most)
}

/// Whether this build reads and writes Parquet (cargo feature `parquet`).
pub const PARQUET: bool = cfg!(feature = "parquet");

/// Whether this build runs `resil score --engine` (cargo feature `datafusion`).
pub const ENGINE: bool = cfg!(feature = "datafusion");

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
        // The reader of stdout stopped (`resil score ... | head`): no error of ours, said quietly,
        // as other command-line tools do (it had printed "error: Broken pipe").
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            0
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            1
        }
    }
}

/// The engine `resil run --engine NAME` fits its scoring stages on.
fn fit_engine(name: &str, scratch: Option<PathBuf>) -> anyhow::Result<std::sync::Arc<dyn resil_pipeline::FitEngine>> {
    #[cfg(feature = "datafusion")]
    {
        let engine = resil_engine::EngineFit::new(name, scratch).map_err(|e| anyhow::anyhow!("--engine {e}"))?;
        Ok(std::sync::Arc::new(engine))
    }
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = scratch;
        anyhow::bail!("--engine {name}: needs resil built with `--features datafusion` (or `ballista`)")
    }
}

fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run { config, out: out_dir, strict, plugin_dirs, report, engine, engine_scratch, stream } => {
            let engine = engine.map(|name| fit_engine(&name, engine_scratch)).transpose()?;
            let options = RunOptions { strict, plugin_dirs, engine, stream };
            if stream {
                run_streamed(&config, out_dir.as_deref(), &options, out, err)
            } else {
                run(&config, out_dir.as_deref(), &options, report, out, err)
            }
        }
        Command::Report { dir, outlines } => write_report(&dir, outlines.as_deref(), out),
        Command::Validate { config, strict, plugin_dirs, stream } => {
            validate(&config, &RunOptions { strict, plugin_dirs, stream, ..Default::default() }, out, err)
        }
        Command::Plugins(PluginsCommand::List { dirs, config }) => plugins_list(dirs, config.as_deref(), out),
        Command::Plugins(PluginsCommand::Inspect { path }) => plugins_inspect(&path, out),
        Command::Spatial(SpatialCommand::Moran(args)) => spatial::moran(&args, out),
        Command::Spatial(SpatialCommand::Geary(args)) => spatial::geary(&args, out),
        Command::Spatial(SpatialCommand::GetisOrd(args)) => spatial::getis_ord(&args, out, err),
        Command::Spatial(SpatialCommand::MoranBv(args)) => spatial::moran_bv(&args, out),
        Command::Inequality(args) => inequality::inequality(&args, out),
        Command::Score(args) => matrix::score(&args, out, err),
        Command::Classify(args) => matrix::classify(&args, out, err),
        Command::Compare { config, out: out_dir, strict, plugin_dirs } => {
            compare(&config, out_dir.as_deref(), &RunOptions { strict, plugin_dirs, ..Default::default() }, out, err)
        }
        Command::Sensitivity { config, draws, seed, out: out_dir, threads, save_evaluations, strict, plugin_dirs } => {
            sensitivity(
                &config,
                out_dir.as_deref(),
                &resil_pipeline::SensitivityOptions { draws, seed, save_evaluations },
                threads,
                &RunOptions { strict, plugin_dirs, ..Default::default() },
                out,
                err,
            )
        }
        Command::Serve(args) => serve::serve(&args, out, err),
        Command::Methods { stage, json } => methods(stage.as_deref(), json, out),
        Command::Diff { run_a, run_b, tolerance, format } => diff(&run_a, &run_b, tolerance, &format, out),
    }
}

fn plugins_list(mut dirs: Vec<PathBuf>, config: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<i32> {
    if let Some(config) = config {
        let loaded = resil_config::load(config, false)?;
        dirs.extend(loaded.config.plugins.dirs.iter().map(|d| loaded.resolve(d)));
    }
    // A folder given (by --dir or the config) that is not there is a fault; the default one
    // is only there once `cargo xtask plugins` has run.
    let given = !dirs.is_empty();
    if dirs.is_empty() {
        dirs.push(PathBuf::from("target/plugins"));
    }
    let found = resil_plugin_host::discover(&dirs);
    let missing = dirs.iter().filter(|d| !d.is_dir()).count();
    let shown: Vec<String> = dirs
        .iter()
        .map(|d| if d.is_dir() { d.display().to_string() } else { format!("{} (no such folder)", d.display()) })
        .collect();
    writeln!(out, "plugin folders: {}", shown.join(", "))?;
    if found.is_empty() {
        writeln!(out, "no plugin libraries found (build them with `cargo xtask plugins`)")?;
    }
    let mut failed = 0;
    for (path, result) in found {
        match result {
            Ok(p) => {
                let ids: Vec<&str> = p.info.indicators.iter().map(|i| i.id.as_str()).collect();
                writeln!(out, "{:<22} {:<8} {:<12} {}", p.info.name, p.info.version, ids.join(","), path.display())?;
            }
            Err(e) => {
                failed += 1;
                writeln!(out, "{:<22} {:<8} {:<12} {}: {e}", "(unusable)", "", "", path.display())?;
            }
        }
    }
    Ok(if failed == 0 && !(given && missing > 0) { 0 } else { 1 })
}

fn plugins_inspect(path: &Path, out: &mut dyn Write) -> anyhow::Result<i32> {
    let p = resil_plugin_host::open(path)?;
    writeln!(out, "name:        {}", p.info.name)?;
    writeln!(out, "version:     {}", p.info.version)?;
    writeln!(out, "description: {}", p.info.description)?;
    writeln!(out, "abi version: {}", resil_plugin_host::ABI_VERSION)?;
    writeln!(out, "library:     {}", path.display())?;
    writeln!(out, "indicators:")?;
    for i in &p.info.indicators {
        writeln!(
            out,
            "  {:<6} {} [{}]{}",
            i.id,
            i.name,
            i.measure,
            if i.note.is_empty() { String::new() } else { format!(" - {}", i.note) }
        )?;
    }
    Ok(0)
}

pub(crate) fn load(config: &Path, strict: bool, err: &mut dyn Write) -> anyhow::Result<resil_config::LoadedConfig> {
    let loaded = resil_config::load(config, strict)?;
    for key in &loaded.unknown_keys {
        writeln!(err, "warning: {}: unknown config key `{key}` (ignored; an error under --strict)", config.display())?;
    }
    Ok(loaded)
}

fn run(
    config: &Path,
    out_dir: Option<&Path>,
    options: &RunOptions,
    report: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let started = Instant::now();
    let loaded = load(config, options.strict, err)?;
    let dir = out_dir.map(Path::to_path_buf).unwrap_or_else(|| loaded.resolve(&loaded.config.output.dir));
    let result = resil_pipeline::run(loaded, options)
        .with_context(|| format!("run of {} failed; no output was written", config.display()))?;
    let written = resil_report::write_run(&result, &dir)?;
    write!(out, "{}", resil_report::summary(&result))?;
    writeln!(out, "\n{} files written to {}", written.len(), dir.display())?;
    note_left_over(&dir, &written, err)?;
    if report {
        write_report(&dir, None, out)?;
    }
    // Timing goes to stderr only: it must never reach a compared output.
    writeln!(err, "run took {:.3} s", started.elapsed().as_secs_f64())?;
    Ok(0)
}

/// `resil run --stream`: the study with its panel left on disk (`stream_run`).
fn run_streamed(
    config: &Path,
    out_dir: Option<&Path>,
    options: &RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let started = Instant::now();
    let loaded = load(config, options.strict, err)?;
    let dir = out_dir.map(Path::to_path_buf).unwrap_or_else(|| loaded.resolve(&loaded.config.output.dir));
    let failed = || format!("streamed run of {} failed; no output was written", config.display());
    let prepared = resil_pipeline::prepare(loaded, options).with_context(failed)?;
    #[cfg(feature = "parquet")]
    {
        let (written, summary) = stream_run::run(&prepared, &dir).with_context(failed)?;
        write!(out, "{summary}")?;
        writeln!(out, "\n{} files written to {}", written.len(), dir.display())?;
        note_left_over(&dir, &written, err)?;
        writeln!(err, "run took {:.3} s", started.elapsed().as_secs_f64())?;
        Ok(0)
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (prepared, dir, out, started);
        anyhow::bail!("--stream reads a Parquet panel: needs resil built with `--features parquet`")
    }
}

fn validate(config: &Path, options: &RunOptions, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let loaded = match resil_config::load(config, options.strict) {
        Ok(l) => l,
        Err(e) => {
            report(&e.into_list(), config, err)?;
            return Ok(1);
        }
    };
    for key in &loaded.unknown_keys {
        writeln!(err, "warning: {}: unknown config key `{key}` (ignored; an error under --strict)", config.display())?;
    }
    let problems = resil_pipeline::validate(loaded, options);
    if problems.is_empty() {
        writeln!(out, "{}: ok", config.display())?;
        Ok(0)
    } else {
        report(&problems, config, err)?;
        Ok(1)
    }
}

fn compare(
    config: &Path,
    out_dir: Option<&Path>,
    options: &RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let loaded = load(config, options.strict, err)?;
    let c = &loaded.config;
    let dir = out_dir.map(Path::to_path_buf).unwrap_or_else(|| match &c.compare.dir {
        Some(d) => loaded.resolve(d),
        None => loaded.resolve(&c.output.dir).join("compare"),
    });
    if c.compare.variants.is_empty() {
        anyhow::bail!("{}: no [[compare.variant]] to compare", config.display());
    }
    let comparison = resil_pipeline::compare(loaded, options)
        .with_context(|| format!("comparison of {} failed; no output was written", config.display()))?;
    // As `run` and `sensitivity`: never into a folder that holds an input (the config's own).
    if let Some(baseline) = comparison.runs.first() {
        resil_pipeline::check_output_dir(&dir, &baseline.input_files)?;
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for t in &comparison.tables {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&t.header)?;
        for row in &t.rows {
            w.write_record(row)?;
        }
        files.push((format!("{}.csv", t.name), w.into_inner()?));
    }
    files.push(("compare.md".into(), comparison.markdown.clone().into_bytes()));
    // What the comparison was made from, as sensitivity.json records it: the report draws the
    // folder beside a run of the same config only.
    let record = serde_json::json!({
        "config": comparison.runs[0].manifest["config"],
        "runs": comparison.names,
        "tool": comparison.runs[0].manifest["tool"],
    });
    files.push(("compare.json".into(), (serde_json::to_string_pretty(&record)? + "\n").into_bytes()));
    let written = resil_report::write_files(&dir, &files)?;
    // The heatmap is drawn from the table just written, as the report draws it.
    if let Some(svg) = resil_report::compare_heatmap(&dir)? {
        let png = resil_report::svg_to_png(&svg, 2.0)?;
        resil_report::write_files(&dir, &[("chart_compare.svg", svg.into_bytes()), ("chart_compare.png", png)])?;
    }
    write!(out, "{}", comparison.markdown)?;
    writeln!(out, "{} files written to {}", written.len(), dir.display())?;
    note_left_over(&dir, &written, err)?;
    Ok(0)
}

fn sensitivity(
    config: &Path,
    out_dir: Option<&Path>,
    cli: &resil_pipeline::SensitivityOptions,
    threads: Option<usize>,
    options: &RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let started = Instant::now();
    let loaded = load(config, options.strict, err)?;
    let c = &loaded.config;
    let dir =
        out_dir.map(Path::to_path_buf).unwrap_or_else(|| match c.sensitivity.as_ref().and_then(|s| s.dir.as_ref()) {
            Some(d) => loaded.resolve(d),
            None => loaded.resolve(&c.output.dir).join("sensitivity"),
        });
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build()?;
    let bar = progress_bar("{bar:40} {pos}/{len} evaluations ({eta})")?;
    if let Some(s) = &c.sensitivity {
        let draws = cli.draws.unwrap_or(s.draws) as u64;
        bar.set_length(draws * (s.factors.len() as u64 + 2));
    }
    let result = pool
        .install(|| resil_pipeline::sensitivity(loaded, options, cli, &|| bar.inc(1)))
        .with_context(|| format!("sensitivity analysis of {} failed; no output was written", config.display()))?;
    bar.finish_and_clear();
    resil_pipeline::check_output_dir(&dir, &result.run.input_files)?;
    let written = resil_report::write_files(&dir, &resil_report::render_sensitivity(&result)?)?;
    write!(out, "{}", result.markdown)?;
    writeln!(out, "{} files written to {}", written.len(), dir.display())?;
    note_left_over(&dir, &written, err)?;
    let t = result.timings;
    writeln!(
        err,
        "{} evaluations took {:.3} s (prepare {:.3} s, evaluate {:.3} s, summarise {:.3} s; whole command {:.3} s)",
        result.evaluations,
        t.evaluate,
        t.prepare,
        t.evaluate,
        t.summarise,
        started.elapsed().as_secs_f64()
    )?;
    Ok(0)
}

/// Says which files in `dir` this command did not write (`written`): tables of an earlier run
/// that a reader could take for this one's. They are left as they are (nothing is deleted); the
/// report's own page and charts, remade by `resil report`, and subfolders are not listed.
fn note_left_over(dir: &Path, written: &[std::path::PathBuf], err: &mut dyn Write) -> anyhow::Result<()> {
    let mine: std::collections::BTreeSet<&std::ffi::OsStr> = written.iter().filter_map(|p| p.file_name()).collect();
    let mut others: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| dir.display().to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()) && !mine.contains(e.file_name().as_os_str()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "report.html" && !name.starts_with("chart_") && !name.starts_with('.'))
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    others.sort();
    let shown = others.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    let more = if others.len() > 5 { format!(" and {} more", others.len() - 5) } else { String::new() };
    let files = if others.len() == 1 { "1 file".to_string() } else { format!("{} files", others.len()) };
    writeln!(
        err,
        "note: {} also holds {files} this command did not write ({shown}{more}): an earlier run's? Left as they are",
        dir.display()
    )?;
    Ok(())
}

fn write_report(dir: &Path, outlines: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<i32> {
    let files = resil_report::render_report(dir, outlines)?;
    let written = resil_report::write_files(dir, &files)?;
    let charts = written.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")).count();
    writeln!(out, "report: {} ({charts} charts, each as SVG and PNG)", dir.join("report.html").display())?;
    Ok(0)
}

fn diff(a: &Path, b: &Path, tolerance: f64, format: &str, out: &mut dyn Write) -> anyhow::Result<i32> {
    // Below 0 equal runs would be "different"; NaN compares false with everything.
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        anyhow::bail!("--tolerance: must be a finite number >= 0, got {tolerance}");
    }
    let report = resil_report::diff(a, b)?;
    let ok = report.within(tolerance);
    if format == "json" {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "within_tolerance": ok, "tolerance": tolerance, "report": report })
            )?
        )?;
    } else {
        writeln!(out, "weights: {} differ (max |delta| {:e})", report.weights.len(), report.max_weight_delta)?;
        writeln!(out, "scores: {} differ (max |delta| {:e})", report.scores.len(), report.max_score_delta)?;
        writeln!(out, "ranks: {} shift; grades: {} change", report.rank_shifts.len(), report.grade_changes.len())?;
        for d in report.rank_shifts.iter().take(10) {
            writeln!(out, "  rank {}: {} -> {}", d.key, d.a.as_deref().unwrap_or(""), d.b.as_deref().unwrap_or(""))?;
        }
        for p in &report.rank_agreement {
            writeln!(
                out,
                "  period {}: spearman {:.4}, kendall tau-b {:.4}, weighted spearman {:.4}, ws {:.4}, gamma {:.4}",
                p.period, p.spearman, p.kendall_tau_b, p.weighted_spearman, p.ws, p.gamma
            )?;
        }
        for s in &report.weight_similarity {
            writeln!(out, "  weights {}: similarity {:.4}", s.scope, s.weight_similarity)?;
        }
        for u in &report.unmatched {
            writeln!(out, "  {u}")?;
        }
        writeln!(
            out,
            "{}",
            if ok {
                format!("within tolerance {tolerance:e}")
            } else {
                format!("DIFFERENT past tolerance {tolerance:e}")
            }
        )?;
    }
    Ok(if ok { 0 } else { 1 })
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

/// A progress bar with `template` on a terminal; a hidden one when stderr is piped or under CI.
pub(crate) fn progress_bar(template: &str) -> anyhow::Result<ProgressBar> {
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let bar = if interactive { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template(template)?);
    Ok(bar)
}
