//! `spatial-gini`: per period, the Gini of the scores split between neighbouring and other pairs
//! (Rey & Smith 2013, PySAL's `Gini_Spatial`, checked against it) on the spatial weights of
//! `moran` taken as links, with the permutation p-values of the non-neighbour part and of the
//! polarization: is inequality between distant units larger than between neighbours?

use resil_core::{Diagnostic, Result};
use resil_trend::inequality::spatial_gini;
use serde_json::json;

use super::{island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, PermutationTestParams};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 8] = super::test_params([]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "spatial-gini",
    doc: "spatial Gini per period: the Gini split between neighbouring and other pairs, with permutation inference",
    params: &PARAMS,
    defaults: || serde_json::to_value(PermutationTestParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<PermutationTestParams>(warnings).map(|_| ()),
    run: |cx, r| analysis(r, cx.run_params()?),
};

row! {
    /// The spatial Gini of one period; empty statistics and the reason in `status` when undefined.
    struct SpatialGiniRow {
        period: i32,
        gini: f64,
        wg: f64,
        wcg: f64,
        wcg_share: f64,
        polarization: f64,
        p_sim: Option<f64>,
        e_wcg: Option<f64>,
        s_wcg: Option<f64>,
        polarization_p_sim: Option<f64>,
        permutations: usize,
        seed: u64,
        status: String,
    }
}

fn analysis(r: &RunResult, p: PermutationTestParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.weights.build(units)?;
    let (mut rows, mut out) = (Vec::new(), Vec::new());
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let row = match spatial_gini(period_scores(r, t), &w, p.permutations, p.seed) {
            Ok(g) => {
                out.push(json!({ "period": period, "result": g }));
                SpatialGiniRow {
                    period,
                    gini: g.gini,
                    wg: g.wg,
                    wcg: g.wcg,
                    wcg_share: g.wcg_share,
                    polarization: g.polarization,
                    p_sim: g.p_sim,
                    e_wcg: g.e_wcg,
                    s_wcg: g.s_wcg,
                    polarization_p_sim: g.polarization_p_sim,
                    permutations: p.permutations,
                    seed: p.seed,
                    status: String::new(),
                }
            }
            Err(e) => {
                notes
                    .push(Diagnostic::warning("spatial-gini-undefined", format!("spatial-gini, period {period}: {e}")));
                out.push(json!({ "period": period, "error": e.to_string() }));
                SpatialGiniRow {
                    period,
                    gini: f64::NAN,
                    wg: f64::NAN,
                    wcg: f64::NAN,
                    wcg_share: f64::NAN,
                    polarization: f64::NAN,
                    p_sim: None,
                    e_wcg: None,
                    s_wcg: None,
                    polarization_p_sim: None,
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
