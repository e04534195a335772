//! `resil score` (a plain decision matrix) and `resil classify` (a column of values): the
//! pipeline's methods without a study config, with the same method names.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use resil_core::{Matrix, Polarity};
use serde_json::{json, Value};

/// Which stage a bare `--param KEY=VALUE` belongs to, by the parameter's name.

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// CSV: the first column names the alternatives, the header row the criteria.
    pub matrix: PathBuf,
    /// Polarity of each criterion, `+` (benefit) or `-` (cost), comma-separated (default: all +).
    #[arg(long, allow_hyphen_values = true)]
    pub polarity: Option<String>,
    /// Normalisation, applied before both weighting and scoring.
    #[arg(long, default_value = "minmax")]
    pub normalize: String,
    /// Weights: a method name, or `fixed:w1,w2,...` in column order.
    #[arg(long, default_value = "entropy", allow_hyphen_values = true)]
    pub weight: String,
    /// Scoring method.
    #[arg(long, default_value = "topsis")]
    pub method: String,
    /// A method parameter, KEY=VALUE (repeatable); `stage.key=value` to name the stage.
    #[arg(long = "param")]
    pub params: Vec<String>,
    #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
    pub format: String,
}

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// CSV with a header row.
    pub table: PathBuf,
    /// The column to classify (default: the only numeric one).
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
            let (key, value) = p.split_once('=').with_context(|| format!("--param `{p}`: expected KEY=VALUE"))?;
            Ok((key.to_string(), toml_value(value)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(resil_pipeline::route_params(&pairs, stages, "--param")?)
}

/// One chunk of a matrix file parsed on its own thread: ids and one vector per column.
type Chunk = (Vec<String>, Vec<Vec<f64>>);

/// Parses the rows of `body` (whole lines, no quotes), the first of which is line `first_line`.
fn parse_rows(body: &[u8], first_line: usize, names: &[String], path: &Path) -> anyhow::Result<Chunk> {
    let rows_guess = body.len() / (names.len() * 8 + 8) + 1;
    let (mut ids, mut columns) = (Vec::with_capacity(rows_guess), vec![Vec::with_capacity(rows_guess); names.len()]);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let mut cells = line.split(|&b| b == b',');
        ids.push(String::from_utf8_lossy(cells.next().unwrap_or(b"")).into_owned());
        for (name, column) in names.iter().zip(columns.iter_mut()) {
            let cell = cells.next().and_then(|c| std::str::from_utf8(c).ok()).unwrap_or("").trim();
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => column.push(v),
                _ => bail!(
                    "{}, line {}, column `{name}`: `{cell}` is not a finite number",
                    path.display(),
                    first_line + i
                ),
            }
        }
        if cells.next().is_some() {
            bail!("{}, line {}: more cells than the header has", path.display(), first_line + i);
        }
    }
    Ok((ids, columns))
}

/// Reads a decision matrix: (alternative ids, criteria names, matrix). Files without quotes are
/// split at line boundaries and parsed on every core; quoted files go through the csv reader.
fn read_matrix(path: &Path) -> anyhow::Result<(Vec<String>, Vec<String>, Matrix)> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    if bytes.contains(&b'"') {
        return read_matrix_quoted(path);
    }
    let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    let header = String::from_utf8_lossy(&bytes[..header_end]);
    let names: Vec<String> = header.trim_end_matches('\r').split(',').skip(1).map(|s| s.trim().to_string()).collect();
    if names.is_empty() {
        bail!("{}, line 1: need an id column and at least one criterion", path.display());
    }
    let body = &bytes[(header_end + 1).min(bytes.len())..];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    // Chunk boundaries just after a newline, and the line number each chunk starts at.
    let mut bounds = vec![0];
    for t in 1..threads {
        let guess = body.len() * t / threads;
        let cut = body[guess..].iter().position(|&b| b == b'\n').map_or(body.len(), |p| guess + p + 1);
        if cut > *bounds.last().unwrap() && cut < body.len() {
            bounds.push(cut);
        }
    }
    bounds.push(body.len());
    let mut first_lines = vec![2];
    for w in bounds.windows(2).take(bounds.len() - 2) {
        first_lines.push(first_lines.last().unwrap() + body[w[0]..w[1]].iter().filter(|&&b| b == b'\n').count());
    }
    let chunks: Vec<anyhow::Result<Chunk>> = std::thread::scope(|s| {
        let handles: Vec<_> = bounds
            .windows(2)
            .zip(&first_lines)
            .map(|(w, &first)| {
                let names = &names;
                s.spawn(move || parse_rows(&body[w[0]..w[1]], first, names, path))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a parsing thread panicked")).collect()
    });
    let mut parts = chunks.into_iter();
    let (mut ids, mut columns) = parts.next().expect("at least one chunk")?;
    for chunk in parts {
        let (i, cols) = chunk?;
        ids.extend(i);
        columns.iter_mut().zip(cols).for_each(|(c, more)| c.extend(more));
    }
    if ids.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    Ok((ids, names, Matrix::from_columns(columns)))
}

/// The csv reader's path, for files with quoted cells.
fn read_matrix_quoted(path: &Path) -> anyhow::Result<(Vec<String>, Vec<String>, Matrix)> {
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers = reader.byte_headers()?.clone();
    if headers.len() < 2 {
        bail!("{}, line 1: need an id column and at least one criterion", path.display());
    }
    let names: Vec<String> = headers.iter().skip(1).map(|h| String::from_utf8_lossy(h).into_owned()).collect();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut ids = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        ids.push(String::from_utf8_lossy(&record[0]).into_owned());
        for (j, column) in columns.iter_mut().enumerate() {
            let cell = std::str::from_utf8(record.get(j + 1).unwrap_or(b"")).unwrap_or("");
            match cell.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => column.push(v),
                _ => bail!("{}, line {line}, column `{}`: `{cell}` is not a finite number", path.display(), names[j]),
            }
        }
    }
    if ids.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    Ok((ids, names, Matrix::from_columns(columns)))
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

pub fn score(args: &ScoreArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let (ids, names, matrix) = read_matrix(&args.matrix)?;
    let system = resil_pipeline::criteria(&names, &polarities(args.polarity.as_deref(), names.len())?);
    let weight_name = if args.weight.starts_with("fixed:") { "fixed" } else { args.weight.as_str() };
    let mut tables = route(
        &args.params,
        &[
            ("normalize", "normalize", &args.normalize),
            ("weight", "weight", weight_name),
            ("method", "rank", &args.method),
        ],
    )?;
    let weight_method = match args.weight.strip_prefix("fixed:") {
        Some(list) => {
            let values: Vec<f64> = list
                .split(',')
                .map(|w| w.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .context("--weight fixed: not a number")?;
            if values.len() != names.len() {
                bail!("--weight fixed: {} weights for {} criteria", values.len(), names.len());
            }
            let weights: toml::Table = names.iter().cloned().zip(values.into_iter().map(toml::Value::Float)).collect();
            tables[1].insert("weights".into(), toml::Value::Table(weights));
            "fixed".to_string()
        }
        None => args.weight.clone(),
    };
    let [n, w, m] = [0, 1, 2].map(|i| std::mem::take(&mut tables[i]));
    let result = resil_pipeline::score_matrix(
        &matrix,
        &system,
        &resil_pipeline::pooled_stage(&args.normalize, n),
        &resil_pipeline::pooled_stage(&weight_method, w),
        &resil_pipeline::pooled_stage(&args.method, m),
    )?;
    for note in &result.notes {
        writeln!(err, "{:?}: {}", note.severity, note.message)?;
    }
    if args.format == "json" {
        let mut obj = serde_json::Map::new();
        obj.insert("criteria".into(), json!(names));
        obj.insert("alternatives".into(), json!(ids));
        obj.insert("weights".into(), json!(result.weights));
        obj.insert("scores".into(), json!(result.scores));
        obj.insert("ranks".into(), json!(result.ranks));
        obj.insert("direction".into(), json!(result.direction));
        for (name, values) in &result.extras {
            obj.insert(name.clone(), json!(values));
        }
        if args.method == "vikor" {
            obj.insert("Q".into(), json!(result.scores));
            let extra =
                |k: &str| result.extras.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            obj.insert("compromise".into(), json!(resil_rank_compromise(&result.scores, &extra("S"), &extra("R"))));
        }
        writeln!(out, "{}", serde_json::to_string(&Value::Object(obj))?)?;
    } else {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["id".to_string(), "score".into(), "rank".into()];
        header.extend(result.extras.iter().map(|(n, _)| n.clone()));
        w.write_record(&header)?;
        for (i, id) in ids.iter().enumerate() {
            let mut row = vec![id.clone(), result.scores[i].to_string(), result.ranks[i].to_string()];
            row.extend(result.extras.iter().map(|(_, v)| v[i].to_string()));
            w.write_record(&row)?;
        }
        out.write_all(&w.into_inner()?)?;
    }
    Ok(0)
}

fn resil_rank_compromise(q: &[f64], s: &[f64], r: &[f64]) -> Value {
    json!(resil_pipeline::vikor_compromise(q, s, r))
}

pub fn classify(args: &ClassifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let path = &args.table;
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let numeric = |c: usize| rows.iter().all(|r| r.get(c).is_some_and(|v| v.trim().parse::<f64>().is_ok()));
    let col = match &args.value {
        Some(name) => headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}, line 1: missing column `{name}`", path.display()))?,
        None => {
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
    let values: Vec<f64> = rows
        .iter()
        .map(|r| {
            let line = r.position().map_or(0, |p| p.line());
            let cell = r.get(col).unwrap_or("").trim();
            cell.parse::<f64>().ok().filter(|v| v.is_finite()).with_context(|| {
                format!("{}, line {line}, column `{}`: `{cell}` is not a finite number", path.display(), headers[col])
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let mut table = route(&args.params, &[("classify", "classify", &args.method)])?.remove(0);
    if let Some(k) = args.k {
        if args.method != "fixed" {
            table.insert("k".into(), toml::Value::Integer(k as i64));
        }
    }
    let (breaks, classes, notes) =
        resil_pipeline::classify_values(&values, &resil_pipeline::pooled_stage(&args.method, table))?;
    for n in &notes {
        writeln!(
            err,
            "{}: {}",
            if n.severity == resil_core::Severity::Warning { "warning" } else { "note" },
            n.message
        )?;
    }
    if let Some(k) = args.k {
        if breaks.k() != k {
            writeln!(out, "note: {} classes, not {k} (repeated values merge equal bounds)", breaks.k())?;
        }
    }
    if args.format == "json" {
        writeln!(
            out,
            "{}",
            serde_json::to_string(
                &json!({ "breaks": breaks.upper_bounds(), "gvf": breaks.fit.gvf, "tss": breaks.fit.tss, "adcm": breaks.fit.adcm, "gadf": breaks.fit.gadf, "classes": classes, "cut_rule": breaks.rule })
            )?
        )?;
    } else {
        writeln!(out, "value,class")?;
        for (v, c) in values.iter().zip(&classes) {
            writeln!(out, "{v},{c}")?;
        }
    }
    Ok(0)
}
