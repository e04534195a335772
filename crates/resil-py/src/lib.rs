//! The Python extension module `resil._resil`: `run` (a study from its config: every output file
//! in memory, written atomically when asked), `score` and `classify` (the registry's methods on a
//! numpy matrix or vector, as `resil score` and `resil classify`), `methods_json` (the method
//! catalogue) and `ResilError`. The Python package `resil` (python/resil) wraps these in pandas
//! (or polars) tables. The GIL is released while resil computes.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use resil_core::{Matrix, Polarity};
use resil_pipeline::RunOptions;

create_exception!(
    _resil,
    ResilError,
    PyValueError,
    "A resil error, with the message the command line prints: it names the file and line or cell, the config key, the unit, indicator or period."
);

fn fail(e: impl std::fmt::Display) -> PyErr {
    ResilError::new_err(e.to_string())
}

/// A Python value as a TOML value (numbers, strings, booleans, lists of them).
fn toml_value(v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if let Ok(b) = v.extract::<bool>() {
        return Ok(toml::Value::Boolean(b));
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(toml::Value::Integer(i));
    }
    if let Ok(f) = v.extract::<f64>() {
        return Ok(toml::Value::Float(f));
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(toml::Value::String(s));
    }
    if let Ok(list) = v.cast::<PyList>() {
        return list.iter().map(|x| toml_value(&x)).collect::<PyResult<Vec<_>>>().map(toml::Value::Array);
    }
    if let Ok(dict) = v.cast::<PyDict>() {
        return toml_table(dict).map(toml::Value::Table);
    }
    Err(fail(format!("value {v}: give a number, a string, a boolean, a list or a dict of them")))
}

/// A Python dict as a TOML table.
fn toml_table(dict: &Bound<'_, PyDict>) -> PyResult<toml::Table> {
    dict.iter()
        .map(|(k, v)| {
            let key = k.extract::<String>().map_err(|_| fail(format!("key {k}: dict keys must be strings")))?;
            Ok((key, toml_value(&v)?))
        })
        .collect()
}

/// Keyword arguments as parameters.
fn keyword_params(params: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, toml::Value)>> {
    let mut out = Vec::new();
    if let Some(d) = params {
        for (k, v) in d.iter() {
            // `anti_ideal` is `anti-ideal`; `weight__tolerance` names the stage (`weight.tolerance`).
            let key = k.extract::<String>()?.replace("__", ".").replace('_', "-");
            out.push((key, toml_value(&v)?));
        }
    }
    Ok(out)
}

/// Runs the study of `config` and returns every output file as {name: bytes}; with `out`, also
/// writes them there (atomically, never over an input). `pipeline`: a partial `[pipeline]`
/// merged over the config's, as a `[[compare.variant]]` (`{"weight": {"method": "critic"}}`).
#[pyfunction]
#[pyo3(signature = (config, out=None, strict=false, plugin_dirs=Vec::new(), pipeline=None))]
fn run<'py>(
    py: Python<'py>,
    config: PathBuf,
    out: Option<PathBuf>,
    strict: bool,
    plugin_dirs: Vec<PathBuf>,
    pipeline: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let overrides = pipeline.map(toml_table).transpose()?;
    let files = py
        .detach(|| -> Result<Vec<(String, Vec<u8>)>, String> {
            let mut loaded = resil_config::load(&config, strict).map_err(|e| e.to_string())?;
            if let Some(table) = &overrides {
                loaded = loaded.with_pipeline_override(table).map_err(|e| e.to_string())?;
            }
            let result = resil_pipeline::run(loaded, &RunOptions { strict, plugin_dirs, ..Default::default() })
                .map_err(|e| format!("run of {} failed; no output was written: {e}", config.display()))?;
            let files = resil_report::render(&result).map_err(|e| e.to_string())?;
            if let Some(dir) = &out {
                resil_report::write_run(&result, dir).map_err(|e| e.to_string())?;
            }
            Ok(files)
        })
        .map_err(fail)?;
    let dict = PyDict::new(py);
    for (name, bytes) in files {
        dict.set_item(name, PyBytes::new(py, &bytes))?;
    }
    Ok(dict)
}

/// Normalises, weighs and scores `matrix` (rows = alternatives) as `resil score`; returns
/// {weights, scores, ranks, direction, extras: {name: array}, notes: [str]}.
#[pyfunction]
#[pyo3(signature = (matrix, polarity, criteria, normalize, weight, method, weights=None, params=None))]
#[allow(clippy::too_many_arguments)]
fn score<'py>(
    py: Python<'py>,
    matrix: PyReadonlyArray2<'py, f64>,
    polarity: Vec<String>,
    criteria: Vec<String>,
    normalize: &str,
    weight: &str,
    method: &str,
    weights: Option<Vec<f64>>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let view = matrix.as_array();
    let (n, m) = view.dim();
    if polarity.len() != m || criteria.len() != m {
        return Err(fail(format!("{m} criteria, but {} polarities and {} names", polarity.len(), criteria.len())));
    }
    // Weights and outputs find criteria by name, as in `resil score`.
    if let Some(j) = criteria.iter().position(|c| c.trim().is_empty()) {
        return Err(fail(format!("criteria: column {j} has no name; every criterion needs one")));
    }
    if let Some((j, k)) = (0..m).flat_map(|k| (0..k).map(move |j| (j, k))).find(|&(j, k)| criteria[j] == criteria[k]) {
        return Err(fail(format!(
            "criteria: `{}` names columns {j} and {k}; rename or remove all but one",
            criteria[k]
        )));
    }
    let polarities = polarity
        .iter()
        .map(|p| Polarity::parse(p).ok_or_else(|| fail(format!("polarity: `{}` is not + or -", p.trim()))))
        .collect::<PyResult<Vec<_>>>()?;
    // One copy, into resil's column-major layout.
    let columns: Vec<Vec<f64>> = (0..m).map(|j| view.column(j).to_vec()).collect();
    if let Some((i, j)) = (0..n).flat_map(|i| (0..m).map(move |j| (i, j))).find(|&(i, j)| !columns[j][i].is_finite()) {
        return Err(fail(format!(
            "matrix row {i}, column `{}`: {} is not a finite number",
            criteria[j], columns[j][i]
        )));
    }
    let keywords = keyword_params(params)?;
    let weight_method = if weights.is_some() { "fixed" } else { weight };
    let stages =
        [("normalize", "normalize", normalize), ("weight", "weight", weight_method), ("method", "rank", method)];
    let mut tables = resil_pipeline::route_params(&keywords, &stages, "keyword").map_err(fail)?;
    if let Some(w) = weights {
        if tables[1].contains_key("weights") {
            return Err(fail("weights= and the weights parameter both give the weights; give one"));
        }
        if w.len() != m {
            return Err(fail(format!("weights: {} weights for {m} criteria", w.len())));
        }
        let table: toml::Table = criteria.iter().cloned().zip(w.into_iter().map(toml::Value::Float)).collect();
        tables[1].insert("weights".into(), toml::Value::Table(table));
    }
    let system = resil_pipeline::criteria(&criteria, &polarities);
    let [tn, tw, tm] = [0, 1, 2].map(|i| std::mem::take(&mut tables[i]));
    let stages = resil_pipeline::ScoreStages {
        normalize: vec![resil_pipeline::pooled_stage(normalize, tn)],
        weight: resil_pipeline::pooled_stage(weight_method, tw),
        rank: resil_pipeline::pooled_stage(method, tm),
    };
    let result =
        py.detach(|| resil_pipeline::score_matrix(&Matrix::from_columns(columns), &system, &stages)).map_err(fail)?;
    let out = PyDict::new(py);
    out.set_item("weights", result.weights.into_pyarray(py))?;
    out.set_item("scores", result.scores.into_pyarray(py))?;
    out.set_item("ranks", result.ranks.into_pyarray(py))?;
    out.set_item("direction", serde_json::to_value(result.direction).map_err(fail)?.as_str().unwrap_or(""))?;
    let extras = PyDict::new(py);
    for (name, values) in result.extras {
        extras.set_item(name, values.into_pyarray(py))?;
    }
    out.set_item("extras", extras)?;
    out.set_item("notes", result.notes.iter().map(|d| d.message.clone()).collect::<Vec<_>>())?;
    Ok(out)
}

/// Classifies `values` as `resil classify`; returns {breaks, gvf, tss, adcm, gadf, classes,
/// cut_rule, notes}.
#[pyfunction]
#[pyo3(signature = (values, method, params=None))]
fn classify<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    method: &str,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let values: Vec<f64> = values.as_array().to_vec();
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(fail(format!("values[{i}]: {v} is not a finite number")));
    }
    let keywords = keyword_params(params)?;
    let table = resil_pipeline::route_params(&keywords, &[("classify", "classify", method)], "keyword")
        .map_err(fail)?
        .remove(0);
    let stage = resil_pipeline::pooled_stage(method, table);
    let (breaks, classes, notes) = py.detach(|| resil_pipeline::classify_values(&values, &stage)).map_err(fail)?;
    let out = PyDict::new(py);
    out.set_item("breaks", breaks.upper_bounds().into_pyarray(py))?;
    out.set_item("gvf", breaks.fit.gvf)?;
    out.set_item("tss", breaks.fit.tss)?;
    out.set_item("adcm", breaks.fit.adcm)?;
    out.set_item("gadf", breaks.fit.gadf)?;
    out.set_item("classes", classes.iter().map(|&c| c as i64).collect::<Vec<_>>().into_pyarray(py))?;
    out.set_item("cut_rule", serde_json::to_value(breaks.rule).map_err(fail)?.as_str().unwrap_or(""))?;
    out.set_item("notes", notes.iter().map(|d| d.message.clone()).collect::<Vec<_>>())?;
    Ok(out)
}

/// Every method of every stage with its parameters and defaults, as JSON (`resil methods --json`).
#[pyfunction]
fn methods_json() -> PyResult<String> {
    serde_json::to_string(&resil_pipeline::catalog()).map_err(fail)
}

#[pymodule]
fn _resil(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ResilError", m.py().get_type::<ResilError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(methods_json, m)?)?;
    Ok(())
}
