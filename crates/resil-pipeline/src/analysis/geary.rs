//! `geary`: global Geary's C of the scores per period, with analytical and seeded permutation
//! inference (checked against esda), on the same spatial weights as `moran`.

use resil_core::{Diagnostic, Result};
use resil_trend::geary::geary as geary_c;
use serde_json::json;

use super::{island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, PermutationTestParams};
use crate::registry::ParamSpec;
use crate::run::RunResult;

/// Moran's parameters without LISA's alpha: the weights, permutations and seed.
const PARAMS: &[ParamSpec] = super::moran::PARAMS.split_at(8).0;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "geary",
    doc: "global Geary's C per period: normality, randomisation and permutation inference",
    params: PARAMS,
    defaults: || serde_json::to_value(PermutationTestParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<PermutationTestParams>(warnings).map(|_| ()),
    run: |cx, r| geary(r, cx.run_params()?),
};

row! {
    /// Geary's C of one period; empty statistics and the reason in `status` when undefined.
    struct GearyRow {
        period: i32,
        n: usize,
        c: f64,
        expected_c: f64,
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

fn geary(r: &RunResult, p: PermutationTestParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.weights.build(units)?;
    let (mut rows, mut out) = (Vec::new(), Vec::new());
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let row = match geary_c(period_scores(r, t), &w, p.permutations, p.seed) {
            Ok(g) => {
                out.push(json!({ "period": period, "result": g }));
                GearyRow {
                    period,
                    n: g.n,
                    c: g.c,
                    expected_c: g.expected_c,
                    z_norm: g.z_norm,
                    p_norm: g.p_norm,
                    z_rand: g.z_rand,
                    p_rand: g.p_rand,
                    p_sim: g.p_sim,
                    permutations: g.permutations,
                    seed: g.seed,
                    status: String::new(),
                }
            }
            Err(e) => {
                notes.push(Diagnostic::warning("geary-undefined", format!("geary, period {period}: {e}")));
                out.push(json!({ "period": period, "error": e.to_string() }));
                GearyRow {
                    period,
                    n: units.len(),
                    c: f64::NAN,
                    expected_c: 1.0,
                    z_norm: f64::NAN,
                    p_norm: f64::NAN,
                    z_rand: f64::NAN,
                    p_rand: f64::NAN,
                    p_sim: None,
                    permutations: p.permutations,
                    seed: p.seed,
                    status: e.to_string(),
                }
            }
        };
        rows.push(row);
    }
    result(vec![table("", &rows)], json!({ "weights": p.weights, "periods": out }), notes)
}
