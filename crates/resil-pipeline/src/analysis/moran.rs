//! `moran` and `lisa`: global Moran's I per period, and local Moran per unit and period, with
//! analytical and seeded permutation inference (checked against esda).

use resil_core::{Diagnostic, Result};
use resil_trend::spatial::{self, SpatialWeights};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, json_rows, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues,
    PermutationTestParams, StudyFacts, WEIGHTS_PARAMS,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

/// The spatial weights, permutations and seed (shared with `geary`), then LISA's alpha.
pub(super) const PARAMS: [ParamSpec; 9] = [
    WEIGHTS_PARAMS[0],
    WEIGHTS_PARAMS[1],
    WEIGHTS_PARAMS[2],
    WEIGHTS_PARAMS[3],
    WEIGHTS_PARAMS[4],
    WEIGHTS_PARAMS[5],
    ParamSpec {
        name: "permutations",
        doc: "random permutations for the pseudo p-value (default 999, at most 1000000)",
    },
    ParamSpec { name: "seed", doc: "seed of the permutations (results depend on it only)" },
    ParamSpec { name: "alpha", doc: "lisa: false-discovery rate for `significant`, in (0, 1)" },
];

pub(super) const MORAN: AnalysisSpec = AnalysisSpec {
    kind: "moran",
    doc: "global Moran's I per period: normality, randomisation and permutation inference",
    params: &PARAMS,
    defaults: || serde_json::to_value(MoranParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<MoranParams>(warnings).map(|_| ()),
    run: |cx, r| moran(r, cx.run_params()?),
};

pub(super) const LISA: AnalysisSpec = AnalysisSpec {
    kind: "lisa",
    doc: "local Moran per unit and period: quadrant, pseudo p, FDR q-value",
    params: &PARAMS,
    defaults: || serde_json::to_value(MoranParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<MoranParams>(warnings).map(|_| ()),
    run: |cx, r| lisa(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct MoranParams {
    #[serde(flatten)]
    test: PermutationTestParams,
    /// LISA: the false-discovery rate for `significant`.
    alpha: f64,
}

impl Default for MoranParams {
    fn default() -> Self {
        MoranParams { test: PermutationTestParams::default(), alpha: 0.05 }
    }
}

impl CheckValues for MoranParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.test.problems(study);
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            out.push(("alpha", format!("must be in (0, 1), got {}", self.alpha)));
        }
        out
    }
}

row! {
    /// Global Moran's I of one period; empty statistics and the reason in `status` when undefined.
    struct MoranRow {
        period: i32,
        n: usize,
        i: f64,
        expected_i: f64,
        z_norm: f64,
        p_norm: f64,
        z_rand: f64,
        p_rand: f64,
        p_sim: Option<f64>,
        permutations: usize,
        seed: u64,
        status: String,
    }
}

row! {
    /// A point of the Moran scatter plot: a unit's standardised score and its spatial lag.
    struct MoranPoint {
        unit: String,
        name: String,
        period: i32,
        z: f64,
        lag_z: f64,
    }
}

row! {
    /// Local Moran of one unit and period.
    struct LisaRow {
        unit: String,
        name: String,
        period: i32,
        score: f64,
        z: f64,
        lag_z: f64,
        local_i: f64,
        quadrant: String,
        p_sim: f64,
        q_fdr: f64,
        significant: bool,
    }
}

/// The standardised values (population sd; 0 when constant) and their spatial lag.
fn standardised_with_lag(values: &[f64], w: &SpatialWeights) -> (Vec<f64>, Vec<f64>) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let z: Vec<f64> = values.iter().map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 }).collect();
    let lag = w.lag(&z);
    (z, lag)
}

fn moran(r: &RunResult, p: MoranParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.test.weights.build(units)?;
    let mut rows = Vec::new();
    let mut out = Vec::new();
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        match spatial::moran(period_scores(r, t), &w, p.test.permutations, p.test.seed) {
            Ok(m) => {
                rows.push(MoranRow {
                    period,
                    n: m.n,
                    i: m.i,
                    expected_i: m.expected_i,
                    z_norm: m.z_norm,
                    p_norm: m.p_norm,
                    z_rand: m.z_rand,
                    p_rand: m.p_rand,
                    p_sim: m.p_sim,
                    permutations: m.permutations,
                    seed: m.seed,
                    status: String::new(),
                });
                out.push(json!({ "period": period, "result": m }));
            }
            Err(e) => {
                notes.push(Diagnostic::warning("moran-undefined", format!("moran, period {period}: {e}")));
                rows.push(MoranRow {
                    period,
                    n: units.len(),
                    i: f64::NAN,
                    expected_i: f64::NAN,
                    z_norm: f64::NAN,
                    p_norm: f64::NAN,
                    z_rand: f64::NAN,
                    p_rand: f64::NAN,
                    p_sim: None,
                    permutations: p.test.permutations,
                    seed: p.test.seed,
                    status: e.to_string(),
                });
                out.push(json!({ "period": period, "error": e.to_string() }));
            }
        }
    }
    let mut points = Vec::new();
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let (z, lag) = standardised_with_lag(period_scores(r, t), &w);
        for (u, unit) in units.iter().enumerate() {
            points.push(MoranPoint { unit: unit.id.clone(), name: unit.name.clone(), period, z: z[u], lag_z: lag[u] });
        }
    }
    let tables = vec![table("", &rows), table("points", &points)];
    result(tables, json!({ "weights": p.test.weights, "periods": out }), notes)
}

fn lisa(r: &RunResult, p: MoranParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.test.weights.build(units)?;
    let mut rows = Vec::new();
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let values = period_scores(r, t);
        // The Moran scatter plot's coordinates: the standardised score and its spatial lag.
        let (z, lag) = standardised_with_lag(values, &w);
        match spatial::local_moran(values, &w, p.test.permutations, p.test.seed) {
            Ok(local) => {
                for (u, l) in local.iter().enumerate() {
                    rows.push(LisaRow {
                        unit: units[u].id.clone(),
                        name: units[u].name.clone(),
                        period,
                        score: values[u],
                        z: z[u],
                        lag_z: lag[u],
                        local_i: l.i,
                        quadrant: format!("{:?}", l.quadrant),
                        p_sim: l.p_sim,
                        q_fdr: l.q_fdr,
                        significant: l.q_fdr <= p.alpha,
                    });
                }
            }
            Err(e) => notes.push(Diagnostic::warning("lisa-undefined", format!("lisa, period {period}: {e}"))),
        }
    }
    let json = json!({ "weights": p.test.weights, "alpha": p.alpha, "rows": json_rows(&rows) });
    result(vec![table("", &rows)], json, notes)
}
