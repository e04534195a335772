//! `transitions`: grade transitions between consecutive periods (Markov), and with `spatial`,
//! spatial Markov matrices by the grade of the neighbours' lag.

use resil_core::Result;
use resil_trend::transitions;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, WeightsParams,
    WEIGHTS_PARAMS,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "transitions",
    doc: "grade transitions between consecutive periods, and spatial Markov by the neighbours' grade",
    params: &[
        ParamSpec { name: "min-count", doc: "rows with fewer transitions are flagged sparse" },
        ParamSpec { name: "spatial", doc: "also spatial Markov matrices (true)" },
        WEIGHTS_PARAMS[0],
        WEIGHTS_PARAMS[1],
        WEIGHTS_PARAMS[2],
        WEIGHTS_PARAMS[3],
        WEIGHTS_PARAMS[4],
        WEIGHTS_PARAMS[5],
    ],
    defaults: || serde_json::to_value(TransitionsParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<TransitionsParams>(warnings).and_then(|p| p.weights.kind().map(|_| ())),
    run: |cx, r| grade_transitions(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct TransitionsParams {
    min_count: usize,
    spatial: bool,
    #[serde(flatten)]
    weights: WeightsParams,
}

impl Default for TransitionsParams {
    fn default() -> Self {
        TransitionsParams { min_count: 5, spatial: true, weights: WeightsParams::default() }
    }
}

impl CheckValues for TransitionsParams {
    fn problems(&self, _: &[i32]) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

row! {
    /// One cell of a transition matrix (`all`, or `lag-grade-<c>` for the spatial ones).
    struct TransitionRow {
        table: String,
        from_grade: usize,
        to_grade: usize,
        count: usize,
        probability: Option<f64>,
        sparse_row: bool,
    }
}

fn push(rows: &mut Vec<TransitionRow>, name: &str, k: usize, m: &transitions::TransitionMatrix) {
    for i in 0..k {
        for j in 0..k {
            rows.push(TransitionRow {
                table: name.into(),
                from_grade: i + 1,
                to_grade: j + 1,
                count: m.counts[i][j],
                probability: m.probabilities[i][j],
                sparse_row: m.sparse_rows.contains(&i),
            });
        }
    }
}

fn grade_transitions(r: &RunResult, p: TransitionsParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let n = units.len();
    let k = r.breaks[0].breaks.k();
    let periods = r.panel.periods();
    let grades: Vec<Vec<usize>> = (0..periods.len()).map(|t| r.grades[t * n..(t + 1) * n].to_vec()).collect();
    let mut rows = Vec::new();
    let pooled = transitions::transitions(&grades, k, p.min_count);
    push(&mut rows, "all", k, &pooled);
    let mut notes = Vec::new();
    let mut json_spatial = Vec::new();
    if p.spatial {
        let w = p.weights.build(units)?;
        notes.extend(island_note(&w, units));
        // The neighbours' lag of the score, classed with the same breaks as the scores.
        let lag_classes: Vec<Vec<usize>> = (0..periods.len())
            .map(|t| {
                let breaks = &r
                    .breaks
                    .iter()
                    .find(|b| b.period.is_none() || b.period == Some(periods[t]))
                    .expect("breaks cover every period")
                    .breaks;
                w.lag(period_scores(r, t)).iter().map(|&l| breaks.class_of(l)).collect()
            })
            .collect();
        for (c, m) in
            transitions::spatial_markov(&grades, &lag_classes, k, p.min_count, &w.islands()).iter().enumerate()
        {
            push(&mut rows, &format!("lag-grade-{}", c + 1), k, m);
            json_spatial.push(json!({ "lag_grade": c + 1, "matrix": m }));
        }
    }
    result(
        vec![table("", &rows)],
        json!({ "min_count": p.min_count, "pooled": pooled, "spatial": json_spatial }),
        notes,
    )
}
