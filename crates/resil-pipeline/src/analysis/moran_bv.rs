//! `moran-bv`: bivariate Moran's I per period (checked against esda's `Moran_BV`) of the scores
//! with the spatial lag of another variable on the weights of `moran`: an indicator's imputed
//! values in the same period (`with = "X12"`), or the scores of the previous period
//! (`with = "previous-score"`: do neighbours' past scores go with a unit's present one?).

use resil_core::{Diagnostic, Error, Result};
use resil_trend::moran_bv::moran_bv;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, PermutationTestParams,
    StudyFacts,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 9] = super::test_params([ParamSpec {
    name: "with",
    doc: "an indicator id (its imputed values, same period) or previous-score",
}]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "moran-bv",
    doc: "bivariate Moran's I per period: the scores against the spatial lag of an indicator or of the previous period's scores",
    params: &PARAMS,
    defaults: || serde_json::to_value(MoranBvParams::default()).expect("parameters serialise"),
    check: |cx, warnings| {
        let p = cx.params::<MoranBvParams>(warnings)?;
        let known = cx.loaded.config.indicators.iter().any(|i| i.id == p.with);
        if p.with != "previous-score" && !known {
            return Err(Error::config(
                &cx.loaded.path,
                cx.key("with"),
                format!("`{}` is neither an indicator of the study nor previous-score", p.with),
            ));
        }
        Ok(())
    },
    run: |cx, r| moran_bv_analysis(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct MoranBvParams {
    #[serde(flatten)]
    test: PermutationTestParams,
    with: String,
}

impl Default for MoranBvParams {
    fn default() -> Self {
        MoranBvParams { test: PermutationTestParams::default(), with: "previous-score".into() }
    }
}

impl CheckValues for MoranBvParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let periods = study.periods;
        let mut out = self.test.problems(study);
        if self.with == "previous-score" && periods.len() < 2 {
            out.push(("with", "previous-score needs at least two periods".into()));
        }
        out
    }
}

row! {
    /// Bivariate Moran's I of one period; empty statistics and the reason in `status` when undefined.
    struct MoranBvRow {
        period: i32,
        with: String,
        n: usize,
        i: f64,
        p_sim: Option<f64>,
        ei_sim: Option<f64>,
        se_i_sim: Option<f64>,
        z_sim: Option<f64>,
        p_z_sim: Option<f64>,
        permutations: usize,
        seed: u64,
        status: String,
    }
}

fn moran_bv_analysis(r: &RunResult, p: MoranBvParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.test.weights.build(units)?;
    let (mut rows, mut out) = (Vec::new(), Vec::new());
    let mut notes = island_note(&w, units);
    let n = units.len();
    let indicator = r.panel.system().position(&p.with);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let other: Vec<f64> = match indicator {
            Some(j) => r.panel.values().column(j)[t * n..(t + 1) * n].to_vec(),
            None if t == 0 => continue,
            None => period_scores(r, t - 1).to_vec(),
        };
        let (permutations, seed) = (p.test.permutations, p.test.seed);
        let row = match moran_bv(period_scores(r, t), &other, &w, permutations, seed) {
            Ok(m) => {
                out.push(json!({ "period": period, "result": m }));
                MoranBvRow {
                    period,
                    with: p.with.clone(),
                    n: m.n,
                    i: m.i,
                    p_sim: m.p_sim,
                    ei_sim: m.ei_sim,
                    se_i_sim: m.se_i_sim,
                    z_sim: m.z_sim,
                    p_z_sim: m.p_z_sim,
                    permutations,
                    seed,
                    status: String::new(),
                }
            }
            Err(e) => {
                notes.push(Diagnostic::warning("moran-bv-undefined", format!("moran-bv, period {period}: {e}")));
                out.push(json!({ "period": period, "error": e.to_string() }));
                MoranBvRow {
                    period,
                    with: p.with.clone(),
                    n,
                    i: f64::NAN,
                    p_sim: None,
                    ei_sim: None,
                    se_i_sim: None,
                    z_sim: None,
                    p_z_sim: None,
                    permutations,
                    seed,
                    status: e.to_string(),
                }
            }
        };
        rows.push(row);
    }
    result(vec![table("", &rows)], json!({ "weights": p.test.weights, "with": p.with, "periods": out }), notes)
}
