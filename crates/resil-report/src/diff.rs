//! `resil diff`: compares two run folders (weights, scores, ranks, grades, and how far the
//! rankings and weight sets agree), so that researchers can snapshot-test their own method swaps
//! in their own CI.

use std::collections::BTreeMap;
use std::path::Path;

use resil_core::{Error, Result};
use serde::Serialize;

/// One value in two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    pub key: String,
    pub a: Option<String>,
    pub b: Option<String>,
    pub delta: Option<f64>,
}

/// What differs between two run folders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub weights: Vec<Delta>,
    pub scores: Vec<Delta>,
    pub rank_shifts: Vec<Delta>,
    pub grade_changes: Vec<Delta>,
    pub max_weight_delta: f64,
    pub max_score_delta: f64,
    /// Rows present in one run only.
    pub unmatched: Vec<String>,
    /// Per period, how far the two rankings agree (over the unit-periods in both runs).
    pub rank_agreement: Vec<PeriodAgreement>,
    /// Per weight scope, the weight similarity coefficient of the two weight sets.
    pub weight_similarity: Vec<ScopeSimilarity>,
}

/// The rank agreement coefficients of one period, run A the reference (for WS).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodAgreement {
    pub period: String,
    pub spearman: f64,
    pub kendall_tau_b: f64,
    pub weighted_spearman: f64,
    pub ws: f64,
    pub gamma: f64,
}

/// The weight similarity of one scope's weights in two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeSimilarity {
    pub scope: String,
    pub weight_similarity: f64,
}

impl DiffReport {
    /// Whether the runs agree within `tolerance` on weights and scores, row for row.
    pub fn within(&self, tolerance: f64) -> bool {
        self.unmatched.is_empty() && self.max_weight_delta <= tolerance && self.max_score_delta <= tolerance
    }
}

/// key -> column -> value, from a run's CSV.
fn read(dir: &Path, file: &str, key_columns: &[&str], value_columns: &[&str]) -> Result<BTreeMap<String, Vec<String>>> {
    let path = dir.join(file);
    let mut r = csv::Reader::from_path(&path).map_err(|e| Error::input(&path, None, e.to_string()))?;
    let headers = r.headers().map_err(|e| Error::input(&path, Some(1), e.to_string()))?.clone();
    let find = |c: &str| {
        headers.iter().position(|h| h == c).ok_or_else(|| Error::input(&path, Some(1), format!("missing column `{c}`")))
    };
    let keys: Vec<usize> = key_columns.iter().map(|c| find(c)).collect::<Result<_>>()?;
    let values: Vec<usize> = value_columns.iter().map(|c| find(c)).collect::<Result<_>>()?;
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::input(&path, None, e.to_string()))?;
        let key = keys.iter().map(|&k| rec.get(k).unwrap_or("")).collect::<Vec<_>>().join(" / ");
        let line = rec.position().map(|p| p.line());
        // A second row of one key would have replaced the first unseen.
        if out.insert(key.clone(), values.iter().map(|&v| rec.get(v).unwrap_or("").to_string()).collect()).is_some() {
            return Err(Error::input(&path, line, format!("`{key}` has a row already")));
        }
    }
    Ok(out)
}

fn deltas(
    a: &BTreeMap<String, Vec<String>>,
    b: &BTreeMap<String, Vec<String>>,
    col: usize,
    unmatched: &mut Vec<String>,
    what: &str,
) -> Vec<Delta> {
    let mut out = Vec::new();
    for (key, va) in a {
        match b.get(key) {
            None => unmatched.push(format!("{what} {key}: only in the first run")),
            Some(vb) if va[col] != vb[col] => {
                // No delta where either side is not a number, or the difference is not one (a
                // NaN score): such a row differs past any tolerance.
                let delta = va[col]
                    .parse::<f64>()
                    .ok()
                    .zip(vb[col].parse::<f64>().ok())
                    .map(|(x, y)| y - x)
                    .filter(|d| !d.is_nan());
                out.push(Delta { key: key.clone(), a: Some(va[col].clone()), b: Some(vb[col].clone()), delta });
            }
            Some(_) => {}
        }
    }
    unmatched.extend(b.keys().filter(|k| !a.contains_key(*k)).map(|k| format!("{what} {k}: only in the second run")));
    out
}

/// Compares the weights and scores of two run folders.
pub fn diff(a: &Path, b: &Path) -> Result<DiffReport> {
    crate::run_folder(a)?;
    crate::run_folder(b)?;
    let mut unmatched = Vec::new();
    let (wa, wb) = (
        read(a, "weights.csv", &["indicator", "scope"], &["weight"])?,
        read(b, "weights.csv", &["indicator", "scope"], &["weight"])?,
    );
    let cols = ["score", "rank", "grade"];
    let (sa, sb) =
        (read(a, "scores.csv", &["unit", "period"], &cols)?, read(b, "scores.csv", &["unit", "period"], &cols)?);
    let weights = deltas(&wa, &wb, 0, &mut unmatched, "weight");
    let scores = deltas(&sa, &sb, 0, &mut unmatched, "score");
    let mut ignore = Vec::new();
    let rank_shifts = deltas(&sa, &sb, 1, &mut ignore, "rank");
    let grade_changes = deltas(&sa, &sb, 2, &mut ignore, "grade");
    let rank_agreement = agreement(&sa, &sb);
    let weight_similarity = similarity(&wa, &wb);
    let max = |d: &[Delta]| d.iter().map(|x| x.delta.map_or(f64::INFINITY, f64::abs)).fold(0.0, f64::max);
    Ok(DiffReport {
        max_weight_delta: max(&weights),
        max_score_delta: max(&scores),
        weights,
        scores,
        rank_shifts,
        grade_changes,
        unmatched,
        rank_agreement,
        weight_similarity,
    })
}

/// Column `col` of the rows both runs hold with numbers there, grouped by the key's last part
/// (the period of a score, the scope of a weight).
fn paired<'a>(
    a: &'a BTreeMap<String, Vec<String>>,
    b: &BTreeMap<String, Vec<String>>,
    col: usize,
) -> BTreeMap<&'a str, (Vec<f64>, Vec<f64>)> {
    let mut groups: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (key, va) in a {
        let group = key.rsplit(" / ").next().unwrap_or("");
        if let Some((x, y)) = b.get(key).and_then(|vb| va[col].parse::<f64>().ok().zip(vb[col].parse::<f64>().ok())) {
            let entry = groups.entry(group).or_default();
            entry.0.push(x);
            entry.1.push(y);
        }
    }
    groups
}

/// Rank agreement per period over the unit-periods both runs rank.
fn agreement(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) -> Vec<PeriodAgreement> {
    paired(a, b, 1)
        .into_iter()
        .map(|(period, (x, y))| {
            let r = resil_rank::RankAgreement::between(&x, &y);
            PeriodAgreement {
                period: period.to_string(),
                spearman: r.spearman,
                kendall_tau_b: r.kendall_tau_b,
                weighted_spearman: r.weighted_spearman,
                ws: r.ws,
                gamma: r.gamma,
            }
        })
        .collect()
}

/// Weight similarity per scope over the indicators both runs weight in that scope.
fn similarity(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) -> Vec<ScopeSimilarity> {
    paired(a, b, 0)
        .into_iter()
        .map(|(scope, (x, y))| ScopeSimilarity {
            scope: scope.to_string(),
            weight_similarity: resil_rank::weight_similarity(&x, &y),
        })
        .collect()
}
