//! `resil score` (a plain decision matrix) and `resil classify` (a column of values): the
//! pipeline's methods without a study config, with the same method names.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use resil_core::Polarity;
use serde_json::{json, Value};

use crate::csv_matrix::{IdSource, Ids};

/// Which stage a bare `--param KEY=VALUE` belongs to, by the parameter's name.

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// CSV, or Parquet (a `.parquet` file or a folder of them) or Arrow IPC (`.arrow`, `.feather`),
    /// which need `--features parquet`: the first column names the alternatives, the others are
    /// the criteria.
    pub matrix: PathBuf,
    /// Polarity of each criterion, `+` (benefit) or `-` (cost), comma-separated (default: all +).
    #[arg(long, allow_hyphen_values = true)]
    pub polarity: Option<String>,
    /// Normalisation, applied before both weighting and scoring. Repeat it for a chain, each step
    /// fitted on the output of the one before (`--normalize zscore --normalize minmax`); name a
    /// step's parameters `normalize[i].key=value` when two steps take the key.
    #[arg(long, default_value = "minmax")]
    pub normalize: Vec<String>,
    /// Weights: a method name, or `fixed:w1,w2,...` in column order.
    #[arg(long, default_value = "entropy", allow_hyphen_values = true)]
    pub weight: String,
    /// Scoring method.
    #[arg(long, default_value = "topsis")]
    pub method: String,
    /// A method parameter, KEY=VALUE (repeatable); `stage.key=value` to name the stage.
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// `parquet` (with `--out`) writes the columns of the CSV output as a Parquet file.
    #[arg(long, default_value = "json", value_parser = ["json", "csv", "parquet"])]
    pub format: String,
    /// Write the output to this file (atomically: complete or not at all) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Parquet only: leave the row groups on disk and decode them again at every pass, so that a
    /// matrix larger than memory can be scored (methods with a fit over chunks only).
    #[arg(long)]
    pub stream: bool,
    /// Run the fit and apply passes on a query engine: `datafusion` (this machine), `ballista` (a
    /// scheduler and an executor started here, on localhost) or `ballista://HOST:PORT` (a
    /// cluster). Needs `--features datafusion` (or `ballista`). Rows come out in id order.
    #[arg(long)]
    pub engine: Option<String>,
}

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// CSV with a header row.
    pub table: PathBuf,
    /// The column to classify (default: the only one whose first value is a number).
    #[arg(long)]
    pub value: Option<String>,
    #[arg(long, default_value = "jenks")]
    pub method: String,
    /// Number of classes (for `fixed`, give k-1 cut points with --param cuts=a,b,...).
    #[arg(long)]
    pub k: Option<usize>,
    #[arg(long = "param")]
    pub params: Vec<String>,
    #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
    pub format: String,
}

/// A parameter value as TOML: `0.5`, `"text"`, `[1, 2]`; a bare comma list becomes an array,
/// anything else a string.
fn toml_value(text: &str) -> toml::Value {
    let parse = |t: &str| t.parse::<toml::Table>().ok().and_then(|mut tb| tb.remove("x"));
    parse(&format!("x = {text}"))
        .or_else(|| text.contains(',').then(|| parse(&format!("x = [{text}]"))).flatten())
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// Sorts `--param KEY=VALUE` values into the tables of the stages (`resil_pipeline::route_params`).
fn route(params: &[String], stages: &[(&str, &str, &str)]) -> anyhow::Result<Vec<toml::Table>> {
    let pairs = params
        .iter()
        .map(|p| {
            let (key, value) = p
                .split_once('=')
                .filter(|(key, _)| !key.trim().is_empty())
                .with_context(|| format!("--param `{p}`: expected KEY=VALUE"))?;
            Ok((key.to_string(), toml_value(value)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(resil_pipeline::route_params(&pairs, stages, "--param")?)
}

fn polarities(text: Option<&str>, n: usize) -> anyhow::Result<Vec<Polarity>> {
    let Some(text) = text else { return Ok(vec![Polarity::Benefit; n]) };
    let list: Vec<Polarity> = text
        .split(',')
        .map(|p| match Polarity::parse(p) {
            Some(polarity) => Ok(polarity),
            None => bail!("--polarity: `{}` is not + or -", p.trim()),
        })
        .collect::<anyhow::Result<_>>()?;
    if list.len() != n {
        bail!("--polarity gives {} signs for {n} criteria", list.len());
    }
    Ok(list)
}

/// Whether `path` is read as Parquet: a `.parquet` file or a folder.
fn is_parquet(path: &std::path::Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The rows of `resil score`: ids and blocks in memory, or (`--stream`) Parquet row groups left
/// on disk, ids included.
enum Rows {
    InMemory(Ids, resil_pipeline::RowBlocks),
    #[cfg(feature = "parquet")]
    OnDisk(crate::parquet_matrix::OnDisk),
}

impl Rows {
    /// The ids, when they are held (not streamed).
    fn held_ids(&self) -> Option<&Ids> {
        match self {
            Rows::InMemory(ids, _) => Some(ids),
            #[cfg(feature = "parquet")]
            Rows::OnDisk(_) => None,
        }
    }
}

/// The matrix of `resil score`: from CSV, or from Parquet when built with it. Every criterion
/// has a name of its own and every alternative an id of its own, whatever the source.
fn read_matrix(path: &std::path::Path, stream: bool) -> anyhow::Result<(Vec<String>, Rows)> {
    let (names, rows) = read_source(path, stream)?;
    distinct_names(path, &names)?;
    if let Some(ids) = rows.held_ids() {
        // Outputs name the alternatives by id: a blank one is no name.
        if let Some(blank) = ids.first_blank() {
            if is_csv(path) {
                let line = crate::csv_matrix::lines_of_rows(path, &[blank])?[0];
                bail!("{}, line {line}: empty id; every alternative needs one", path.display());
            }
            #[cfg(feature = "parquet")]
            {
                let place = crate::parquet_matrix::row_places(path, &[blank])?.remove(0);
                bail!("{place}: empty id; every alternative needs one");
            }
        }
        if let Some((first, again)) = ids.first_repeat() {
            let id = ids.get(again);
            if is_csv(path) {
                let lines = crate::csv_matrix::lines_of_rows(path, &[first, again])?;
                bail!("{}, line {}: duplicate id `{id}` (first on line {})", path.display(), lines[1], lines[0]);
            }
            #[cfg(feature = "parquet")]
            {
                let places = crate::parquet_matrix::row_places(path, &[first, again])?;
                bail!("{}: duplicate id `{id}` (first at {})", places[1], places[0]);
            }
        }
    }
    Ok((names, rows))
}

/// An error unless every criterion has a name, and a name no other criterion has: `--weight
/// fixed:`, the outputs and the reader find them by name.
fn distinct_names(path: &std::path::Path, names: &[String]) -> anyhow::Result<()> {
    let header = if is_csv(path) { ", line 1" } else { "" };
    // Columns counted from 1, the id column first.
    if let Some(j) = names.iter().position(|n| n.trim().is_empty()) {
        bail!("{}{header}: column {} has no name; every criterion needs one", path.display(), j + 2);
    }
    for name in names {
        let at: Vec<String> =
            names.iter().enumerate().filter(|(_, n)| *n == name).map(|(j, _)| (j + 2).to_string()).collect();
        if at.len() > 1 {
            bail!(
                "{}{header}: column `{name}` appears {} times (columns {}); rename or remove all but one",
                path.display(),
                at.len(),
                at.join(", ")
            );
        }
    }
    Ok(())
}

/// Whether `path` is read as a CSV file.
fn is_csv(path: &std::path::Path) -> bool {
    !is_parquet(path) && !is_arrow_ipc(path)
}

/// Whether `path` is read as an Arrow IPC file.
fn is_arrow_ipc(path: &std::path::Path) -> bool {
    #[cfg(feature = "parquet")]
    return crate::parquet_matrix::is_arrow_ipc(path);
    #[cfg(not(feature = "parquet"))]
    {
        let _ = path;
        false
    }
}

/// The matrix as its source gives it.
fn read_source(path: &std::path::Path, stream: bool) -> anyhow::Result<(Vec<String>, Rows)> {
    #[cfg(feature = "parquet")]
    if crate::parquet_matrix::is_arrow_ipc(path) && !stream {
        let (ids, names, blocks) = crate::parquet_matrix::read_ipc(path)?;
        return Ok((names, Rows::InMemory(ids, blocks)));
    }
    if is_parquet(path) {
        #[cfg(feature = "parquet")]
        return Ok(if stream {
            let (names, groups) = crate::parquet_matrix::open_on_disk(path)?;
            (names, Rows::OnDisk(groups))
        } else {
            let (ids, names, blocks) = crate::parquet_matrix::read(path)?;
            (names, Rows::InMemory(ids, blocks))
        });
        #[cfg(not(feature = "parquet"))]
        bail!("{}: reading Parquet needs resil built with `--features parquet`", path.display());
    }
    if stream {
        bail!("--stream reads Parquet row groups from disk; {} is not Parquet", path.display());
    }
    let (ids, names, blocks) = crate::csv_matrix::read(path)?;
    Ok((names, Rows::InMemory(ids, blocks)))
}

pub fn score(args: &ScoreArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    if let Some(target) = &args.out {
        let same = |a: &std::path::Path, b: &std::path::Path| {
            a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok() == Some(a))
        };
        if same(target, &args.matrix) {
            bail!("--out {}: that is the input; choose another file", target.display());
        }
    }
    if args.format == "parquet" && args.out.is_none() {
        bail!("--format parquet needs --out FILE");
    }
    #[cfg(not(feature = "parquet"))]
    if args.format == "parquet" {
        bail!("--format parquet needs resil built with `--features parquet`");
    }
    if args.engine.is_some() && args.stream {
        bail!("--engine reads the file itself; drop --stream");
    }
    if let Some(engine) = &args.engine {
        return score_on_engine(args, engine, out, err);
    }
    let (names, rows) = read_matrix(&args.matrix, args.stream)?;
    let system = resil_pipeline::criteria(&names, &polarities(args.polarity.as_deref(), names.len())?);
    let stages = stages(args, &names)?;
    // Block by block when every method fits from mergeable statistics (the normalised matrix is
    // never held whole); otherwise in memory. A file of one block gives the in-memory bits.
    match rows {
        Rows::InMemory(ids, mut blocks) => {
            let result = match resil_pipeline::score_chunked(&mut blocks, &system, &stages)? {
                Some(result) => result,
                None => resil_pipeline::score_matrix(&blocks.into_matrix(), &system, &stages)?,
            };
            write_output(args, out, err, &ids, &names, &result, &HeldExtras::of(&result))
        }
        // Scores and ranks held; the ids and the extras are read and remade from the row groups
        // as the output is written.
        #[cfg(feature = "parquet")]
        Rows::OnDisk(mut groups) => {
            let (result, fitted) = resil_pipeline::score_chunked_lean(&mut groups, &system, &stages, true)?
                .with_context(|| {
                    format!(
                        "--stream: {} (those that do: docs/scale.md); drop --stream to score in memory",
                        resil_pipeline::ChunkedStages::why_not(&stages)
                    )
                })?;
            let extras = crate::parquet_matrix::StreamedExtras::new(&groups, &fitted);
            let written = write_output(args, out, err, &groups, &names, &result, &extras);
            groups.finish_progress();
            written
        }
    }
}

/// Writes the notes to `err` and the scores where `--out` and `--format` say.
fn write_output(
    args: &ScoreArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    ids: &dyn IdSource,
    names: &[String],
    result: &resil_pipeline::MatrixScore,
    extras: &dyn ExtraColumns,
) -> anyhow::Result<i32> {
    write_notes(err, &result.notes)?;
    match &args.out {
        #[cfg(feature = "parquet")]
        Some(path) if args.format == "parquet" => crate::parquet_matrix::write_scores(path, ids, result, extras),
        Some(path) => write_atomically(path, |file| write_scores(args, file, ids, names, result, extras)),
        None => write_scores(args, out, ids, names, result, extras),
    }?;
    Ok(0)
}

/// The stages of `resil score` from its flags, for the criteria `names`.
fn stages(args: &ScoreArgs, names: &[String]) -> anyhow::Result<resil_pipeline::ScoreStages> {
    let weight_name = if args.weight.starts_with("fixed:") { "fixed" } else { args.weight.as_str() };
    let steps = args.normalize.len();
    let step_names: Vec<String> = if steps == 1 {
        vec!["normalize".to_string()]
    } else {
        (0..steps).map(|i| format!("normalize[{i}]")).collect()
    };
    let mut routes: Vec<(&str, &str, &str)> = step_names
        .iter()
        .zip(&args.normalize)
        .map(|(name, method)| (name.as_str(), "normalize", method.as_str()))
        .collect();
    routes.extend([("weight", "weight", weight_name), ("method", "rank", args.method.as_str())]);
    let mut tables = route(&args.params, &routes)?;
    let weight_method = match args.weight.strip_prefix("fixed:") {
        Some(list) => {
            let values: Vec<f64> = list
                .split(',')
                .map(|w| {
                    w.trim().parse::<f64>().with_context(|| format!("--weight fixed: `{}` is not a number", w.trim()))
                })
                .collect::<anyhow::Result<_>>()?;
            if tables[steps].contains_key("weights") {
                bail!("--weight fixed: and --param weights both give the weights; give one");
            }
            if values.len() != names.len() {
                bail!("--weight fixed: {} weights for {} criteria", values.len(), names.len());
            }
            let weights: toml::Table = names.iter().cloned().zip(values.into_iter().map(toml::Value::Float)).collect();
            tables[steps].insert("weights".into(), toml::Value::Table(weights));
            "fixed".to_string()
        }
        None => args.weight.clone(),
    };
    let rank = resil_pipeline::pooled_stage(&args.method, tables.pop().expect("the scorer's table"));
    let weight = resil_pipeline::pooled_stage(&weight_method, tables.pop().expect("the weighting's table"));
    let normalize = args.normalize.iter().zip(tables).map(|(m, t)| resil_pipeline::pooled_stage(m, t)).collect();
    Ok(resil_pipeline::ScoreStages { normalize, weight, rank })
}

/// `resil score --engine`: the passes on DataFusion or Ballista, the output as without it.
fn score_on_engine(args: &ScoreArgs, engine: &str, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = (args, out, err);
        bail!("--engine {engine}: needs resil built with `--features datafusion` (or `ballista`)");
    }
    #[cfg(feature = "datafusion")]
    {
        let engine: resil_engine::Engine = engine.parse().map_err(|e: String| anyhow::anyhow!("--engine {e}"))?;
        let input = resil_engine::Input::of(&args.matrix);
        let setup = |names: &[String]| -> Result<resil_engine::Setup, String> {
            distinct_names(&args.matrix, names).map_err(|e| e.to_string())?;
            let polarities = polarities(args.polarity.as_deref(), names.len()).map_err(|e| e.to_string())?;
            let stages = stages(args, names).map_err(|e| format!("{e:#}"))?;
            Ok(resil_engine::Setup { polarities, stages })
        };
        let result = resil_engine::score(&engine, &input, &setup).map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
        // The engine gives the rows sorted by id, not in the file's order: no line to name.
        if result.ids.iter().any(|id| id.trim().is_empty()) {
            bail!("{}: an empty id; every alternative needs one", args.matrix.display());
        }
        if let Some(w) = result.ids.windows(2).find(|w| w[0] == w[1]) {
            bail!("{}: duplicate id `{}`; every alternative needs an id of its own", args.matrix.display(), w[0]);
        }
        let mut ids = Ids::default();
        result.ids.iter().for_each(|id| ids.push(id.as_bytes()));
        write_output(args, out, err, &ids, &result.names, &result.score, &HeldExtras::of(&result.score))
    }
}

/// The methods' notes on stderr, as `warning: ...` or `note: ...` (stdout carries the answer).
fn write_notes(err: &mut dyn Write, notes: &[resil_core::Diagnostic]) -> std::io::Result<()> {
    for n in notes {
        let severity = if n.severity == resil_core::Severity::Warning { "warning" } else { "note" };
        writeln!(err, "{severity}: {}", n.message)?;
    }
    Ok(())
}

/// A temporary file beside `path` (`--out FILE`), to be renamed over it when complete; a
/// folder at `path`, or no folder to hold it, is an error in words.
pub(crate) fn temp_beside(path: &std::path::Path) -> anyhow::Result<tempfile::NamedTempFile> {
    if path.is_dir() {
        bail!("{}: is a folder; --out names the file to write", path.display());
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !dir.is_dir() {
        bail!("{}: no such folder to write {} in", dir.display(), path.display());
    }
    tempfile::NamedTempFile::new_in(dir).with_context(|| format!("{}: cannot write beside it", path.display()))
}

/// Writes through `write` into a temporary file beside `path`, renamed over it when complete.
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let temp = temp_beside(path)?;
    let mut buffered = std::io::BufWriter::new(temp.as_file());
    write(&mut buffered)?;
    buffered.flush().with_context(|| path.display().to_string())?;
    drop(buffered);
    temp.persist(path).with_context(|| path.display().to_string())?;
    Ok(())
}

/// The scores as JSON or CSV.
fn write_scores(
    args: &ScoreArgs,
    out: &mut dyn Write,
    ids: &dyn IdSource,
    names: &[String],
    result: &resil_pipeline::MatrixScore,
    extras: &dyn ExtraColumns,
) -> anyhow::Result<()> {
    if args.format == "json" {
        // JSON holds every column whole: the extras are gathered.
        let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(result.scores.len()); extras.names().len()];
        for block in extras.blocks() {
            for (all, part) in columns.iter_mut().zip(extras.of(block)?) {
                all.extend(part);
            }
        }
        let all_extras: Vec<(String, Vec<f64>)> = extras.names().iter().cloned().zip(columns).collect();
        let mut obj = serde_json::Map::new();
        obj.insert("criteria".into(), json!(names));
        obj.insert("alternatives".into(), json!(ids.range(0..ids.rows())?.iter().collect::<Vec<_>>()));
        obj.insert("weights".into(), json!(result.weights));
        obj.insert("scores".into(), json!(result.scores));
        obj.insert("ranks".into(), json!(result.ranks));
        obj.insert("direction".into(), json!(result.direction));
        for (name, values) in &all_extras {
            obj.insert(name.clone(), json!(values));
        }
        if args.method == "vikor" {
            obj.insert("Q".into(), json!(result.scores));
            let extra = |k: &str| all_extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            obj.insert("compromise".into(), json!(resil_rank_compromise(&result.scores, &extra("S"), &extra("R"))));
        }
        writeln!(out, "{}", serde_json::to_string(&Value::Object(obj))?)?;
    } else {
        write_scores_csv(out, ids, result, extras)?;
    }
    Ok(())
}

/// Rows per chunk of `resil score`'s chunked path: a chunk and its normalised copy stay small
/// beside the matrix (16 384 x 30 x 8 B = 3.9 MB each).
const ROWS_PER_CHUNK: usize = 1 << 14;

/// The scorer's extra columns (TOPSIS's distances, VIKOR's S and R) as the writers take them:
/// block by block, so that a streamed matrix's are remade from its row groups as they are
/// written instead of being held for every row.
pub(crate) trait ExtraColumns: Sync {
    fn names(&self) -> &[String];
    /// The row ranges written together, in order, covering every row.
    fn blocks(&self) -> Vec<std::ops::Range<usize>>;
    /// Each extra column's values over `block` (one of [`Self::blocks`]).
    fn of(&self, block: std::ops::Range<usize>) -> anyhow::Result<Vec<Vec<f64>>>;
}

/// Extras held for every row (every path but `--stream`), in blocks of [`ROWS_PER_CHUNK`].
pub(crate) struct HeldExtras<'a> {
    names: Vec<String>,
    columns: &'a [(String, Vec<f64>)],
    rows: usize,
}

impl<'a> HeldExtras<'a> {
    pub(crate) fn of(result: &'a resil_pipeline::MatrixScore) -> Self {
        HeldExtras {
            names: result.extras.iter().map(|(n, _)| n.clone()).collect(),
            columns: &result.extras,
            rows: result.scores.len(),
        }
    }
}

impl ExtraColumns for HeldExtras<'_> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        (0..self.rows).step_by(ROWS_PER_CHUNK).map(|s| s..(s + ROWS_PER_CHUNK).min(self.rows)).collect()
    }

    fn of(&self, block: std::ops::Range<usize>) -> anyhow::Result<Vec<Vec<f64>>> {
        Ok(self.columns.iter().map(|(_, v)| v[block.clone()].to_vec()).collect())
    }
}

/// `id,score,rank,<extras>` rows, formatted in parallel a block at a time and written in order.
fn write_scores_csv(
    out: &mut dyn Write,
    ids: &dyn IdSource,
    result: &resil_pipeline::MatrixScore,
    extras: &dyn ExtraColumns,
) -> anyhow::Result<()> {
    use rayon::prelude::*;
    use resil_core::decimal::push_f64;
    let mut header = vec!["id", "score", "rank"];
    header.extend(extras.names().iter().map(String::as_str));
    let mut head = csv::Writer::from_writer(Vec::new());
    head.write_record(&header)?;
    out.write_all(&head.into_inner()?)?;
    let blocks = extras.blocks();
    for batch in blocks.chunks(rayon::current_num_threads().max(1)) {
        let start = batch[0].start;
        let batch_ids = ids.range(start..batch[batch.len() - 1].end)?;
        let parts: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|block| -> anyhow::Result<Vec<u8>> {
                let extra = extras.of(block.clone())?;
                // Numbers never need quoting: written straight into the buffer; an id through
                // the csv writer only when it holds a delimiter, quote or line break.
                let mut buf = Vec::with_capacity(block.len() * 96);
                for i in block.clone() {
                    let id = batch_ids.get(i - start);
                    if id.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                        let mut w =
                            csv::WriterBuilder::new().terminator(csv::Terminator::Any(b',')).from_writer(Vec::new());
                        w.write_record([id])?;
                        buf.extend(w.into_inner()?);
                    } else {
                        buf.extend_from_slice(id.as_bytes());
                        buf.push(b',');
                    }
                    push_f64(&mut buf, result.scores[i]);
                    buf.push(b',');
                    push_f64(&mut buf, result.ranks[i]);
                    for v in &extra {
                        buf.push(b',');
                        push_f64(&mut buf, v[i - block.start]);
                    }
                    buf.push(b'\n');
                }
                Ok(buf)
            })
            .collect::<anyhow::Result<_>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
    }
    Ok(())
}

fn resil_rank_compromise(q: &[f64], s: &[f64], r: &[f64]) -> Value {
    json!(resil_pipeline::vikor_compromise(q, s, r))
}

pub fn classify(args: &ClassifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let path = &args.table;
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let col = match &args.value {
        Some(name) => headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}, line 1: missing column `{name}`", path.display()))?,
        None => {
            // The columns whose first value is a number; the reader then holds the chosen one
            // to numbers on every line.
            let Some(first) = reader.records().next().transpose()? else {
                bail!("{}: no rows below the header line: nothing to classify", path.display());
            };
            let numeric = |c: usize| first.get(c).is_some_and(|v| v.trim().parse::<f64>().is_ok());
            let candidates: Vec<usize> = (0..headers.len()).filter(|&c| numeric(c)).collect();
            match candidates.as_slice() {
                [c] => *c,
                [] => bail!("{}: no numeric column", path.display()),
                _ => bail!(
                    "{}: several numeric columns ({}); name one with --value",
                    path.display(),
                    candidates.iter().map(|&c| headers[c].as_str()).collect::<Vec<_>>().join(", ")
                ),
            }
        }
    };
    let values = crate::csv_matrix::read_column(path, col)?;
    let mut table = route(&args.params, &[("classify", "classify", &args.method)])?.remove(0);
    if let Some(k) = args.k {
        let catalog = resil_pipeline::catalog();
        let method = catalog.iter().find(|m| m.stage == "classify" && m.name == args.method);
        // An unknown method is left to the registry, which lists the known ones.
        if method.is_some_and(|m| !m.params.iter().any(|p| p.name == "k")) {
            let instead = if args.method == "fixed" {
                "its classes are set by k - 1 cut points, --param cuts=a,b,..."
            } else {
                "it sets the number of classes itself (`resil methods` lists its parameters)"
            };
            bail!("--k: {} takes no k; {instead}", args.method);
        }
        if table.contains_key("k") {
            bail!("--k {k} and --param k both set k; give one");
        }
        table.insert("k".into(), toml::Value::Integer(k as i64));
    }
    let (breaks, classes, notes) =
        resil_pipeline::classify_values(&values, &resil_pipeline::pooled_stage(&args.method, table))?;
    // On stderr (fewer classes than asked among them): stdout carries the answer alone.
    write_notes(err, &notes)?;
    if args.format == "json" {
        /// The JSON answer, keys in alphabetical order (as before, when it went through a map).
        #[derive(serde::Serialize)]
        struct Answer<'a> {
            adcm: f64,
            breaks: Vec<f64>,
            classes: &'a [usize],
            cut_rule: resil_core::CutRule,
            gadf: f64,
            gvf: f64,
            tss: f64,
        }
        let fit = breaks.fit;
        let answer = Answer {
            adcm: fit.adcm,
            breaks: breaks.upper_bounds(),
            classes: &classes,
            cut_rule: breaks.rule,
            gadf: fit.gadf,
            gvf: fit.gvf,
            tss: fit.tss,
        };
        writeln!(out, "{}", serde_json::to_string(&answer)?)?;
    } else {
        writeln!(out, "value,class")?;
        for (v, c) in values.iter().zip(&classes) {
            writeln!(out, "{v},{c}")?;
        }
    }
    Ok(0)
}
