//! The CSV and JSON tables of a run. Floats are written in Rust's shortest round-trip form, so the
//! same run gives the same bytes.

use resil_core::{Error, IndicatorSystem, Result};
use resil_pipeline::RunResult;
use serde_json::json;

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::data("csv output", e.to_string());
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::data("csv output", e.to_string()))
}

use resil_core::decimal::cell as num;

/// `contains-synthetic` when any indicator is synthetic, so that every row carries the warning.
pub(crate) fn data_status(r: &RunResult) -> String {
    if r.synthetic_indicators().is_empty() {
        "no-synthetic-indicators".into()
    } else {
        "contains-synthetic".into()
    }
}

fn grade_label(r: &RunResult, grade: usize) -> String {
    r.grade_labels.get(grade.wrapping_sub(1)).cloned().unwrap_or_default()
}

pub(crate) fn scores(r: &RunResult) -> Result<Vec<u8>> {
    let mut header = vec!["unit", "name", "region", "period", "score", "rank", "grade", "grade_label"];
    header.extend(r.scores.extras.iter().map(|(n, _)| n.as_str()));
    header.push("data_status");
    let status = data_status(r);
    let rows = (0..r.panel.n_rows()).map(|row| {
        let unit = r.panel.unit_of_row(row);
        let mut cells = vec![
            unit.id.clone(),
            unit.name.clone(),
            unit.region.clone(),
            r.panel.period_of_row(row).to_string(),
            num(r.scores.score[row]),
            r.ranks[row].to_string(),
            r.grades[row].to_string(),
            grade_label(r, r.grades[row]),
        ];
        cells.extend(r.scores.extras.iter().map(|(_, v)| num(v[row])));
        cells.push(status.clone());
        cells
    });
    csv_bytes(&header, rows)
}

pub(crate) fn weights(r: &RunResult) -> Result<Vec<u8>> {
    weights_csv(r.panel.system(), r.weights.iter().map(|g| (g.label.as_str(), g.weights.as_slice())))
}

/// weights.csv: every indicator's weight in each weighting group `(label, weights)`.
pub fn weights_csv<'a>(
    system: &IndicatorSystem,
    groups: impl IntoIterator<Item = (&'a str, &'a [f64])>,
) -> Result<Vec<u8>> {
    let rows = groups.into_iter().flat_map(|(label, weights)| {
        system.indicators().iter().zip(weights).map(move |(ind, w)| {
            vec![
                ind.id.clone(),
                ind.name.clone(),
                ind.unit.clone(),
                ind.system.clone(),
                ind.subsystem.clone(),
                ind.polarity.to_string(),
                label.to_string(),
                num(*w),
                ind.provenance.as_str().to_string(),
            ]
        })
    });
    csv_bytes(&["indicator", "name", "unit", "system", "subsystem", "polarity", "scope", "weight", "provenance"], rows)
}

pub(crate) fn breaks(r: &RunResult) -> Vec<u8> {
    breaks_json(&r.manifest["pipeline"]["classify"], &r.grade_labels, &r.breaks, &data_status(r))
}

/// breaks.json: the classes of each classify group, with the stage as the manifest records it.
pub fn breaks_json(
    manifest_classify: &serde_json::Value,
    labels: &[String],
    breaks: &[resil_pipeline::BreaksGroup],
    data_status: &str,
) -> Vec<u8> {
    let groups: Vec<_> = breaks
        .iter()
        .map(|g| {
            json!({
                "scope": g.label,
                "cuts": g.breaks.cuts,
                "cut_rule": g.breaks.rule,
                "upper_bounds": g.breaks.upper_bounds(),
                "min": g.breaks.min,
                "max": g.breaks.max,
                "gvf": g.breaks.fit.gvf,
                "tss": g.breaks.fit.tss,
                "adcm": g.breaks.fit.adcm,
                "gadf": g.breaks.fit.gadf,
            })
        })
        .collect();
    crate::pretty_json(&json!({
        "method": manifest_classify["method"],
        "params": manifest_classify["params"],
        "k": breaks[0].breaks.k(),
        "labels": labels,
        "note": "cut_rule upper-inclusive: a cut is the largest value of its class (Jenks); lower-inclusive: a value equal to a cut goes to the higher class (published thresholds)",
        "groups": groups,
        "data_status": data_status,
    }))
}

pub(crate) fn regions(r: &RunResult) -> Result<Vec<u8>> {
    let status = data_status(r);
    let k = r.breaks.first().map_or(0, |b| b.breaks.k());
    let grade_columns: Vec<String> = (1..=k).map(|g| format!("grade_{g}")).collect();
    let mut header = vec!["region", "period", "n_units", "mean", "median", "min", "max"];
    header.extend(grade_columns.iter().map(String::as_str));
    header.extend(["growth_percent", "data_status"]);
    let rows = r.regions.iter().map(|x| {
        let mut row = vec![
            x.region.clone(),
            x.period.to_string(),
            x.n_units.to_string(),
            num(x.mean),
            num(x.median),
            num(x.min),
            num(x.max),
        ];
        row.extend(x.grade_counts.iter().map(usize::to_string));
        row.push(x.growth_percent.map(num).unwrap_or_default());
        row.push(status.clone());
        row
    });
    csv_bytes(&header, rows)
}

pub(crate) fn imputed(r: &RunResult) -> Result<Vec<u8>> {
    let system = r.panel.system();
    let rows = r.imputed.iter().map(|c| {
        let prov = system.position(&c.indicator).map(|j| system.get(j).provenance.as_str()).unwrap_or("");
        vec![
            c.unit.clone(),
            c.period.to_string(),
            c.indicator.clone(),
            num(c.value),
            c.method.clone(),
            prov.to_string(),
        ]
    });
    csv_bytes(&["unit", "period", "indicator", "value", "method", "provenance"], rows)
}

/// One row per unit, period and indicator: raw value, normalised value r, weight w, weighted
/// value v = w r, the scorer's references (TOPSIS: ideal and anti-ideal), then the row's extras
/// (D+, D-) and score, repeated on each of its indicator rows so that the table pivots freely.
pub(crate) fn intermediates(r: &RunResult) -> Result<Vec<u8>> {
    let system = r.panel.system();
    let ref_names: Vec<&str> =
        r.scorer_references.first().map(|(_, refs)| refs.iter().map(|(n, _)| n.as_str()).collect()).unwrap_or_default();
    // What each normalisation step learned (z-score mean and sd, min-max min and max), in the
    // units of that step's input: `normalize[0].mean`, ...
    let mut learned_names: Vec<(usize, String)> = Vec::new();
    for l in &r.normalizer_learned {
        for (name, _) in &l.columns {
            if !learned_names.iter().any(|(s, n)| *s == l.step && n == name) {
                learned_names.push((l.step, name.clone()));
            }
        }
    }
    let learned_headers: Vec<String> = learned_names.iter().map(|(s, n)| format!("normalize[{s}].{n}")).collect();
    let mut header = vec!["unit", "period", "indicator", "value", "normalized", "weight", "weighted"];
    header.extend(learned_headers.iter().map(String::as_str));
    header.extend(ref_names.iter().copied());
    header.extend(r.scores.extras.iter().map(|(n, _)| n.as_str()));
    header.push("score");
    let status = data_status(r);
    header.push("data_status");
    // Made row by row as they are written: a cell a row, so a large panel's table is never held
    // as strings (3e7 rows at 1e6 units x 30 indicators).
    let learned_names = &learned_names;
    let status = &status;
    let rows = (0..r.panel.n_rows()).flat_map(move |row| {
        let unit = r.panel.unit_of_row(row);
        let w = r.weights[r.row_weight_group[row]].weights.as_slice();
        let refs = &r.scorer_references[r.row_scorer_group[row]].1;
        system.indicators().iter().enumerate().map(move |(j, ind)| {
            let norm = r.normalized.get(row, j);
            let mut cells = vec![
                unit.id.clone(),
                r.panel.period_of_row(row).to_string(),
                ind.id.clone(),
                num(r.panel.values().get(row, j)),
                num(norm),
                num(w[j]),
                num(w[j] * norm),
            ];
            cells.extend(learned_names.iter().map(|(step, name)| {
                let state = r.normalizer_learned.iter().find(|l| l.step == *step && l.rows.contains(&row));
                let column = state.and_then(|l| l.columns.iter().find(|(n, _)| n == name));
                column.map_or(String::new(), |(_, v)| num(v[j]))
            }));
            cells.extend(refs.iter().map(|(_, v)| num(v[j])));
            cells.extend(r.scores.extras.iter().map(|(_, v)| num(v[row])));
            cells.push(num(r.scores.score[row]));
            cells.push(status.clone());
            cells
        })
    });
    csv_bytes(&header, rows)
}

pub(crate) fn diagnostics(r: &RunResult) -> Result<Vec<u8>> {
    let rows = r.notes.iter().map(|n| {
        let severity = format!("{:?}", n.diagnostic.severity).to_lowercase();
        vec![n.stage.clone(), severity, n.diagnostic.code.clone(), n.diagnostic.message.clone()]
    });
    csv_bytes(&["stage", "severity", "code", "message"], rows)
}

/// An analysis table as CSV, with the run's data status on every row.
pub(crate) fn analysis_table(r: &RunResult, t: &resil_pipeline::AnalysisTable) -> Result<Vec<u8>> {
    let status = data_status(r);
    let mut header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    header.push("data_status");
    let rows = t.rows.iter().map(|row| {
        let mut row = row.clone();
        row.push(status.clone());
        row
    });
    csv_bytes(&header, rows)
}

/// An analysis's JSON, with its kind and the run's data status.
pub(crate) fn analysis_json(r: &RunResult, a: &resil_pipeline::AnalysisResult) -> Vec<u8> {
    crate::pretty_json(&json!({ "id": a.id, "kind": a.kind, "data_status": data_status(r), "result": a.json }))
}

/// Scores of every sub-system and system: one row per unit, period, level and name.
pub(crate) fn levels(r: &RunResult) -> Result<Vec<u8>> {
    let status = data_status(r);
    let mut rows = Vec::new();
    for l in &r.levels {
        for row in 0..r.panel.n_rows() {
            let unit = r.panel.unit_of_row(row);
            rows.push(vec![
                unit.id.clone(),
                r.panel.period_of_row(row).to_string(),
                l.level.clone(),
                l.name.clone(),
                num(l.score[row]),
                num(l.ranks[row]),
                status.clone(),
            ]);
        }
    }
    csv_bytes(&["unit", "period", "level", "name", "score", "rank", "data_status"], rows)
}

/// Per-indicator statistics of the imputed panel, pooled over periods.
pub(crate) fn indicator_stats(r: &RunResult) -> Result<Vec<u8>> {
    let system = r.panel.system();
    let rows = r.indicator_checks.stats.iter().map(|s| {
        let indicator = system.position(&s.id).map(|j| system.get(j));
        let prov = indicator.map_or("", |i| i.provenance.as_str());
        vec![
            s.id.clone(),
            indicator.map_or(String::new(), |i| i.unit.clone()),
            s.n.to_string(),
            num(s.mean),
            num(s.sd),
            num(s.min),
            num(s.max),
            num(s.skewness),
            num(s.kurtosis),
            s.skewed.to_string(),
            prov.into(),
        ]
    });
    csv_bytes(
        &["indicator", "unit", "n", "mean", "sd", "min", "max", "skewness", "kurtosis", "skewed", "provenance"],
        rows,
    )
}

/// Pearson correlation of every pair of indicators, flagged at or above the threshold.
pub(crate) fn correlations(r: &RunResult) -> Result<Vec<u8>> {
    let status = data_status(r);
    let rows = r
        .indicator_checks
        .correlations
        .iter()
        .map(|(a, b, c, f)| vec![a.clone(), b.clone(), num(*c), f.to_string(), status.clone()]);
    csv_bytes(&["indicator_a", "indicator_b", "pearson_r", "flagged", "data_status"], rows)
}

/// Every cell a normalisation step capped to its goalpost.
pub(crate) fn capped(r: &RunResult) -> Result<Vec<u8>> {
    let rows = r.capped.iter().map(|c| {
        vec![
            c.unit.clone(),
            c.period.to_string(),
            c.indicator.clone(),
            num(c.value),
            num(c.bound),
            format!("normalize[{}]", c.step),
        ]
    });
    csv_bytes(&["unit", "period", "indicator", "value", "counted_as", "step"], rows)
}

/// Every cell changed by the treatment stage.
pub(crate) fn treated(r: &RunResult) -> Result<Vec<u8>> {
    let rows = r.treated.iter().map(|c| {
        vec![c.unit.clone(), c.period.to_string(), c.indicator.clone(), num(c.original), num(c.treated), c.how.clone()]
    });
    csv_bytes(&["unit", "period", "indicator", "original", "treated", "how"], rows)
}

/// The units as GeoJSON points (seat, else centroid), with score, rank and grade per period, for
/// QGIS and for the report's maps.
pub(crate) fn geojson(r: &RunResult) -> Vec<u8> {
    let n = r.panel.units().len();
    let features: Vec<serde_json::Value> = r
        .panel
        .units()
        .iter()
        .enumerate()
        .filter_map(|(u, unit)| {
            let p = unit.seat.or(unit.centroid)?;
            let mut props = serde_json::Map::new();
            props.insert("id".into(), json!(unit.id));
            props.insert("name".into(), json!(unit.name));
            props.insert("region".into(), json!(unit.region));
            for (t, period) in r.panel.periods().iter().enumerate() {
                let row = t * n + u;
                props.insert(format!("score_{period}"), json!(r.scores.score[row]));
                props.insert(format!("rank_{period}"), json!(r.ranks[row]));
                props.insert(format!("grade_{period}"), json!(r.grades[row]));
            }
            props.insert("data_status".into(), json!(data_status(r)));
            Some(json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] }, "properties": props }))
        })
        .collect();
    crate::pretty_json(&json!({ "type": "FeatureCollection", "features": features }))
}

/// The `[published]` figures beside this run's values (empty header-only table without one).
pub(crate) fn published(r: &RunResult) -> Result<Vec<u8>> {
    let status = data_status(r);
    let header = [
        "id",
        "statistic",
        "period",
        "base_period",
        "region",
        "units",
        "grade",
        "measure",
        "published",
        "this_run",
        "difference",
        "this_run_detail",
        "sentence",
        "source",
        "data_status",
    ];
    let Some(p) = &r.published else {
        return csv_bytes(&header, std::iter::empty());
    };
    let rows = p.rows.iter().map(|row| {
        let f = &row.figure;
        vec![
            f.id.clone(),
            f.statistic.as_str().to_string(),
            f.period.to_string(),
            f.base_period.map_or(String::new(), |b| b.to_string()),
            f.region.clone(),
            f.units.join(";"),
            f.grade.map_or(String::new(), |g| g.to_string()),
            f.measure.clone(),
            num(f.value),
            row.this_run.map_or(String::new(), num),
            row.this_run.map_or(String::new(), |v| num(v - f.value)),
            row.detail.clone(),
            f.sentence.clone(),
            p.source.clone(),
            status.clone(),
        ]
    });
    csv_bytes(&header, rows)
}
