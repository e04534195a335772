//! `transitions`: grade transitions between consecutive periods (Markov), and with `spatial`,
//! spatial Markov matrices by the grade of the neighbours' lag with the tests that they are all
//! the pooled matrix (Bickenbach & Bode's Q and LR, a chi-squared test per lag grade; as giddy).

use resil_core::{Diagnostic, Result};
use resil_trend::transitions;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, StudyFacts,
    WeightsParams,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 8] = super::with_weights([
    ParamSpec { name: "min-count", doc: "rows with fewer transitions are flagged sparse" },
    ParamSpec { name: "spatial", doc: "also spatial Markov matrices (true)" },
]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "transitions",
    doc: "grade transitions between consecutive periods, and spatial Markov by the neighbours' grade",
    params: &PARAMS,
    defaults: || serde_json::to_value(TransitionsParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<TransitionsParams>(warnings).map(|_| ()),
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
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.weights.problems();
        out.extend(super::two_periods("transitions", study));
        out
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

row! {
    /// A grade's long-run share (steady state) and mean recurrence time, from the pooled matrix.
    struct LongRunRow {
        grade: usize,
        steady_state: f64,
        recurrence_time: Option<f64>,
    }
}

row! {
    /// The mean number of steps from one grade to first reach another (ergodic chains).
    struct PassageRow {
        from_grade: usize,
        to_grade: usize,
        mean_first_passage: f64,
    }
}

/// The steady state and mean first passage times of the pooled matrix, as giddy computes them;
/// what cannot be computed (a grade never left from, several recurrent classes, a chain that is
/// not ergodic) is said in a note.
fn long_run(m: &transitions::TransitionMatrix, notes: &mut Vec<Diagnostic>) -> (Vec<LongRunRow>, Vec<PassageRow>) {
    let rows: Option<Vec<Vec<f64>>> = m.probabilities.iter().map(|r| r.iter().copied().collect()).collect();
    let Some(p) = rows else {
        let empty: Vec<String> =
            (0..m.counts.len()).filter(|&i| m.probabilities[i][0].is_none()).map(|i| (i + 1).to_string()).collect();
        notes.push(Diagnostic::info(
            "markov-long-run",
            format!("transitions: grade {} never starts a step; no steady state or passage times", empty.join(", ")),
        ));
        return (Vec::new(), Vec::new());
    };
    let steady = match resil_trend::ergodic::steady_state(&p) {
        Ok(s) => s,
        Err(e) => {
            notes.push(Diagnostic::info("markov-long-run", format!("transitions: {e}")));
            return (Vec::new(), Vec::new());
        }
    };
    let passage = resil_trend::ergodic::mean_first_passage(&p)
        .map_err(|e| notes.push(Diagnostic::info("markov-long-run", format!("transitions: {e}; no passage times"))))
        .ok();
    let long: Vec<LongRunRow> = steady
        .iter()
        .enumerate()
        .map(|(i, &s)| LongRunRow { grade: i + 1, steady_state: s, recurrence_time: passage.as_ref().map(|m| m[i][i]) })
        .collect();
    let steps = passage
        .iter()
        .flat_map(|m| {
            m.iter().enumerate().flat_map(|(i, row)| {
                row.iter().enumerate().map(move |(j, &v)| PassageRow {
                    from_grade: i + 1,
                    to_grade: j + 1,
                    mean_first_passage: v,
                })
            })
        })
        .collect();
    (long, steps)
}

row! {
    /// A test that the spatial Markov matrices equal the pooled one: `Q` and `LR` over all lag
    /// grades, `chi2 lag-grade-<c>` for one.
    struct HomogeneityRow {
        test: String,
        statistic: f64,
        dof: usize,
        p_value: Option<f64>,
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
    let (long, passage) = long_run(&pooled, &mut notes);
    let mut json_spatial = Vec::new();
    let mut tests = Vec::new();
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
        let by_lag = transitions::spatial_markov(&grades, &lag_classes, k, p.min_count, &w.islands());
        for (c, m) in by_lag.iter().enumerate() {
            push(&mut rows, &format!("lag-grade-{}", c + 1), k, m);
            json_spatial.push(json!({ "lag_grade": c + 1, "matrix": m }));
        }
        let counts = |m: &transitions::TransitionMatrix| -> Vec<Vec<f64>> {
            m.counts.iter().map(|r| r.iter().map(|&c| c as f64).collect()).collect()
        };
        let h = resil_trend::homogeneity::homogeneity(&by_lag.iter().map(counts).collect::<Vec<_>>())?;
        let mut test = |name: String, t: resil_trend::homogeneity::ChiSquaredTest| {
            tests.push(HomogeneityRow { test: name, statistic: t.statistic, dof: t.dof, p_value: t.p_value })
        };
        test("Q".into(), h.q);
        test("LR".into(), h.lr);
        for (c, m) in by_lag.iter().enumerate() {
            test(
                format!("chi2 lag-grade-{}", c + 1),
                resil_trend::homogeneity::chi2_difference(&counts(m), &counts(&pooled)),
            );
        }
    }
    result(
        vec![table("", &rows), table("long_run", &long), table("passage", &passage), table("homogeneity", &tests)],
        json!({ "min_count": p.min_count, "pooled": pooled, "spatial": json_spatial }),
        notes,
    )
}
