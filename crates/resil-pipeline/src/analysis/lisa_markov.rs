//! `lisa-markov`: transitions of the units between the quadrants of the Moran scatterplot
//! (HH, LH, LL, HL) from one period to the next (Rey 2001, giddy.markov.LISA_Markov), with the
//! chi-squared test that a unit's own move and its neighbours' move are independent; `null`
//! picks the reading of that test (per period, or giddy 2.3.8's own computation).

use resil_core::Result;
use resil_trend::homogeneity::{lisa_markov, LisaNull};
use resil_trend::spatial::SpatialWeights;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, StudyFacts,
    WeightsParams,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 7] = super::with_weights([ParamSpec {
    name: "null",
    doc: "per-period: values against each period's mean (default) | giddy: as giddy 2.3.8 (unit means, unit-to-unit chains)",
}]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "lisa-markov",
    doc: "moves between Moran-scatterplot quadrants across periods, with the test that own and neighbours' moves are independent",
    params: &PARAMS,
    defaults: || serde_json::to_value(LisaMarkovParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<LisaMarkovParams>(warnings).map(|_| ()),
    run: |cx, r| analysis(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct LisaMarkovParams {
    null: LisaNull,
    #[serde(flatten)]
    weights: WeightsParams,
}

impl CheckValues for LisaMarkovParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.weights.problems();
        out.extend(super::two_periods("lisa-markov", study));
        out
    }
}

const QUADRANTS: [&str; 4] = ["HH", "LH", "LL", "HL"];

row! {
    /// One cell of the quadrant transition matrix.
    struct QuadrantMoveRow {
        from_quadrant: String,
        to_quadrant: String,
        count: f64,
        probability: Option<f64>,
        expected_if_independent: f64,
    }
}

fn analysis(r: &RunResult, p: LisaMarkovParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w: SpatialWeights = p.weights.build(units)?;
    let notes = island_note(&w, units);
    let values: Vec<Vec<f64>> = (0..r.panel.periods().len()).map(|t| period_scores(r, t).to_vec()).collect();
    let lm = lisa_markov(&values, &w, p.null)?;
    let mut rows = Vec::new();
    for (i, from) in QUADRANTS.iter().enumerate() {
        let total: f64 = lm.transitions[i].iter().sum();
        for (j, to) in QUADRANTS.iter().enumerate() {
            rows.push(QuadrantMoveRow {
                from_quadrant: from.to_string(),
                to_quadrant: to.to_string(),
                count: lm.transitions[i][j],
                probability: (total > 0.0).then(|| lm.transitions[i][j] / total),
                expected_if_independent: lm.expected[i][j],
            });
        }
    }
    result(
        vec![table("", &rows)],
        json!({ "null": p.null, "weights": p.weights, "independence": lm.independence, "quadrants": lm.quadrants }),
        notes,
    )
}
