//! Figures a publication reports for the study (`[published]`), read from a CSV table and put
//! beside the same statistic computed from this run, with the reasons the two may differ, so
//! that nobody mistakes one for the other.

use std::path::{Path, PathBuf};

use resil_config::PublishedConfig;
use resil_core::stats::mean;
use resil_core::{Error, Result, Unit, UnitIndex};
use serde::Serialize;

use crate::run::RunResult;

/// What a published figure measures; the `statistic` column of the figures table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Statistic {
    /// Mean score of a region (or `All`) in a period.
    Mean,
    /// Growth of a region's mean from `base_period` to `period`, in percent.
    GrowthPercent,
    /// Change of a region's mean from `base_period` to `period`, in score units.
    Change,
    /// One unit's score in a period.
    UnitScore,
    /// Mean score of the listed units in a period.
    GroupMean,
    /// The highest (lowest) score of any unit in any period; `units` and `period` say where the
    /// publication found it.
    MaxScore,
    MinScore,
    /// Number of units in `grade` in a period.
    GradeCount,
}

impl Statistic {
    pub const NAMES: [(&'static str, Statistic); 8] = [
        ("mean", Statistic::Mean),
        ("growth-percent", Statistic::GrowthPercent),
        ("change", Statistic::Change),
        ("unit-score", Statistic::UnitScore),
        ("group-mean", Statistic::GroupMean),
        ("max-score", Statistic::MaxScore),
        ("min-score", Statistic::MinScore),
        ("grade-count", Statistic::GradeCount),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|(_, s)| *s == self).map_or("", |(n, _)| n)
    }
}

/// One row of the figures table, checked against the study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedFigure {
    pub id: String,
    pub statistic: Statistic,
    pub period: i32,
    pub base_period: Option<i32>,
    pub region: String,
    /// Unit ids (resolved from ids, names or aliases).
    pub units: Vec<String>,
    pub grade: Option<usize>,
    pub value: f64,
    pub measure: String,
    pub sentence: String,
}

/// The figures table of a config's `[published]`, loaded and checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedFigures {
    pub source: String,
    pub note: String,
    /// The table as written in the config.
    pub path: String,
    pub figures: Vec<PublishedFigure>,
}

/// A published figure beside this run's value of the same statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureComparison {
    pub figure: PublishedFigure,
    /// `None` when this run cannot compute it (a unit it excluded, a grade it does not have).
    pub this_run: Option<f64>,
    /// Where this run's value comes from when it is not the figure's own place (the unit and
    /// period of this run's maximum), or why it is missing.
    pub detail: String,
}

/// Published figures beside the run's, with the reasons they differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedComparison {
    pub source: String,
    pub path: String,
    pub reasons: Vec<String>,
    pub rows: Vec<FigureComparison>,
}

fn header_index(headers: &csv::StringRecord, name: &str, path: &Path) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::input(path, Some(1), format!("missing column `{name}`")))
}

/// Reads and checks the figures table: every statistic known, periods in the study, units in the
/// unit list, regions those of the units; every problem is reported with its line and column.
pub fn load(cfg: &PublishedConfig, resolved: &Path, units: &[Unit], periods: &[i32]) -> Result<PublishedFigures> {
    let text = std::fs::read_to_string(resolved).map_err(|e| Error::io(resolved, e))?;
    let mut lines = resil_indicators::CsvLines::new(text.as_bytes());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| Error::input(resolved, Some(1), e.to_string()))?.clone();
    let columns =
        ["id", "statistic", "period", "base_period", "region", "units", "grade", "value", "measure", "sentence"];
    let idx: Vec<usize> = columns.iter().map(|c| header_index(&headers, c, resolved)).collect::<Result<_>>()?;
    let index = UnitIndex::new(units)?;
    let regions: Vec<&str> = units.iter().filter(|u| u.is_active()).map(|u| u.region.as_str()).collect();
    let mut figures = Vec::new();
    let mut problems = Vec::new();
    // published.csv and the report name figures by id: each on one line only.
    let mut first_line_of: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(resil_indicators::csv_error(resolved, e, &mut lines));
                continue;
            }
        };
        let line = lines.line(record.position());
        let cell = |c: usize| record.get(idx[c]).unwrap_or("").trim();
        let mut bad = |column: &str, message: String| problems.push(Error::input_at(resolved, line, column, message));
        match (cell(0), first_line_of.get(cell(0))) {
            ("", _) => bad("id", "empty id; every figure needs one".into()),
            (id, Some(first)) => bad("id", format!("`{id}` is also the id on line {first}")),
            (id, None) => {
                first_line_of.insert(id.to_string(), line);
            }
        }
        let statistic = Statistic::NAMES.iter().find(|(n, _)| *n == cell(1)).map(|(_, s)| *s);
        if statistic.is_none() {
            let known: Vec<&str> = Statistic::NAMES.iter().map(|(n, _)| *n).collect();
            bad("statistic", format!("unknown statistic `{}`; known: {}", cell(1), known.join(", ")));
        }
        let mut period_of = |column: &str, text: &str| -> Option<i32> {
            match text.parse::<i32>() {
                Ok(p) if periods.contains(&p) => Some(p),
                _ => {
                    bad(column, format!("`{text}` is not a period of the study ({periods:?})"));
                    None
                }
            }
        };
        let period = period_of("period", cell(2));
        let base_period = if cell(3).is_empty() { None } else { period_of("base_period", cell(3)) };
        let needs_base = matches!(statistic, Some(Statistic::GrowthPercent | Statistic::Change));
        if needs_base && cell(3).is_empty() {
            bad("base_period", format!("statistic `{}` needs a base period", cell(1)));
        }
        let region = cell(4).to_string();
        let needs_region = matches!(statistic, Some(Statistic::Mean | Statistic::GrowthPercent | Statistic::Change));
        if needs_region && region != "All" && !regions.contains(&region.as_str()) {
            bad("region", format!("no studied unit is in region `{region}` (`All` pools every unit)"));
        }
        let mut unit_ids = Vec::new();
        for key in cell(5).split(';').map(str::trim).filter(|k| !k.is_empty()) {
            match index.find(key).map(|u| &units[u]) {
                Some(u) if u.is_active() => unit_ids.push(u.id.clone()),
                Some(u) => bad("units", format!("unit `{key}` ({}) is excluded from the study", u.name)),
                None => bad("units", format!("unknown unit `{key}`")),
            }
        }
        let needs_units = match statistic {
            Some(Statistic::UnitScore) => Some(1),
            Some(Statistic::GroupMean) => Some(2),
            _ => None,
        };
        if let Some(n) = needs_units {
            if cell(5).split(';').filter(|k| !k.trim().is_empty()).count() < n {
                bad("units", format!("statistic `{}` needs {} unit(s)", cell(1), n));
            }
        }
        let grade = match (statistic, cell(6)) {
            (Some(Statistic::GradeCount), g) => match g.parse::<usize>() {
                Ok(g) if g >= 1 => Some(g),
                _ => {
                    bad("grade", format!("`{g}` is not a grade (1, 2, ...)"));
                    None
                }
            },
            _ => None,
        };
        let value = match cell(7).parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                bad("value", format!("`{}` is not a number", cell(7)));
                f64::NAN
            }
        };
        if let (Some(statistic), Some(period)) = (statistic, period) {
            figures.push(PublishedFigure {
                id: cell(0).to_string(),
                statistic,
                period,
                base_period,
                region,
                units: unit_ids,
                grade,
                value,
                measure: cell(8).to_string(),
                sentence: cell(9).to_string(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::from_list(problems));
    }
    Ok(PublishedFigures { source: cfg.source.clone(), note: cfg.note.clone(), path: cfg.figures.clone(), figures })
}

/// The resolved path of the figures table, for reading and for the manifest's inputs.
pub(crate) fn resolved_path(loaded: &resil_config::LoadedConfig) -> Option<(String, PathBuf)> {
    loaded.config.published.as_ref().map(|p| (p.figures.clone(), loaded.resolve(&p.figures)))
}

/// Rows of `r` in `period` (the active panel's period-major block), with their unit ids.
fn period_rows(r: &RunResult, period: i32) -> Option<std::ops::Range<usize>> {
    let t = r.panel.periods().iter().position(|&p| p == period)?;
    let n = r.panel.units().len();
    Some(t * n..(t + 1) * n)
}

fn region_mean(r: &RunResult, region: &str, period: i32) -> Option<f64> {
    let rows = period_rows(r, period)?;
    let values: Vec<f64> = rows
        .filter(|&row| region == "All" || r.panel.unit_of_row(row).region == region)
        .map(|row| r.scores.score[row])
        .collect();
    (!values.is_empty()).then(|| mean(&values))
}

fn unit_score(r: &RunResult, unit: &str, period: i32) -> Option<f64> {
    period_rows(r, period)?.find(|&row| r.panel.unit_of_row(row).id == unit).map(|row| r.scores.score[row])
}

/// This run's value of the figure's statistic, and where it comes from.
fn this_run(r: &RunResult, f: &PublishedFigure) -> (Option<f64>, String) {
    let base = f.base_period.unwrap_or(f.period);
    match f.statistic {
        Statistic::Mean => (region_mean(r, &f.region, f.period), String::new()),
        Statistic::GrowthPercent => {
            let v = region_mean(r, &f.region, base)
                .zip(region_mean(r, &f.region, f.period))
                .map(|(a, b)| resil_trend::growth_percent(a, b));
            (v, String::new())
        }
        Statistic::Change => {
            let v = region_mean(r, &f.region, base).zip(region_mean(r, &f.region, f.period)).map(|(a, b)| b - a);
            (v, String::new())
        }
        Statistic::UnitScore => (f.units.first().and_then(|u| unit_score(r, u, f.period)), String::new()),
        Statistic::GroupMean => {
            let v: Option<Vec<f64>> = f.units.iter().map(|u| unit_score(r, u, f.period)).collect();
            (v.map(|v| mean(&v)), String::new())
        }
        Statistic::MaxScore | Statistic::MinScore => {
            let better = |a: f64, b: f64| if f.statistic == Statistic::MaxScore { a > b } else { a < b };
            let mut best: Option<usize> = None;
            for row in 0..r.panel.n_rows() {
                if best.is_none_or(|b| better(r.scores.score[row], r.scores.score[b])) {
                    best = Some(row);
                }
            }
            match best {
                Some(row) => (
                    Some(r.scores.score[row]),
                    format!("{} in {}", r.panel.unit_of_row(row).name, r.panel.period_of_row(row)),
                ),
                None => (None, "no scores".into()),
            }
        }
        Statistic::GradeCount => {
            let k = r.breaks.first().map_or(0, |b| b.breaks.k());
            match (f.grade, period_rows(r, f.period)) {
                (Some(g), Some(rows)) if g <= k => {
                    (Some(r.grades[rows].iter().filter(|&&x| x == g).count() as f64), String::new())
                }
                (Some(g), _) => (None, format!("this run has {k} grades, not {g}")),
                _ => (None, String::new()),
            }
        }
    }
}

/// Puts every published figure beside this run's value, with the reasons they differ: synthetic
/// data, a classification other than the publication's, and the config's own note.
pub fn compare(r: &RunResult, published: &PublishedFigures, classification: &str) -> PublishedComparison {
    let mut reasons = Vec::new();
    let synthetic = r.synthetic_indicators();
    if !synthetic.is_empty() {
        reasons.push(format!(
            "this run's data is partly synthetic ({} of {} indicators): its values cannot reproduce the publication's and are not expected to agree",
            synthetic.len(),
            r.panel.system().len()
        ));
    }
    if published.figures.iter().any(|f| f.statistic == Statistic::GradeCount) {
        reasons.push(format!("grade counts here come from this run's classification ({classification}), 1 = lowest"));
    }
    if !published.note.is_empty() {
        reasons.push(published.note.clone());
    }
    let rows = published
        .figures
        .iter()
        .map(|f| {
            let (this_run, detail) = this_run(r, f);
            FigureComparison { figure: f.clone(), this_run, detail }
        })
        .collect();
    PublishedComparison { source: published.source.clone(), path: published.path.clone(), reasons, rows }
}
