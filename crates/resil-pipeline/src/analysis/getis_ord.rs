//! `getis-ord`: Getis-Ord statistics of the scores per period on the spatial weights of `moran`
//! (checked against esda): the global G with normal and permutation inference (`getis-ord.csv`),
//! and the local G*_i (or G_i with `star = false`) of every unit, its z, p-values and a hot or
//! cold spot flag at `alpha` (`getis-ord_local.csv`).

use resil_core::{Diagnostic, Result};
use resil_trend::getis_ord::{getis_ord as global_g, local_g};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, PermutationTestParams,
    StudyFacts,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 10] = super::test_params([
    ParamSpec { name: "star", doc: "local G*_i, the unit itself counted (default true); false: G_i" },
    ParamSpec { name: "alpha", doc: "a unit is a hot or cold spot when its p_sim is at most alpha (default 0.05)" },
]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "getis-ord",
    doc: "Getis-Ord G per period (normal and permutation inference) and local G*_i hot and cold spots",
    params: &PARAMS,
    defaults: || serde_json::to_value(GetisOrdParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<GetisOrdParams>(warnings).map(|_| ()),
    run: |cx, r| getis_ord(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct GetisOrdParams {
    #[serde(flatten)]
    test: PermutationTestParams,
    star: bool,
    alpha: f64,
}

impl Default for GetisOrdParams {
    fn default() -> Self {
        GetisOrdParams { test: PermutationTestParams::default(), star: true, alpha: 0.05 }
    }
}

impl CheckValues for GetisOrdParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.test.problems(study);
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            out.push(("alpha", format!("must be in (0, 1), got {}", self.alpha)));
        }
        if self.test.permutations == 0 {
            out.push(("permutations", "local G needs permutations for its pseudo p-values".into()));
        }
        out
    }
}

row! {
    /// The global G of one period; empty statistics and the reason in `status` when undefined.
    struct GlobalRow {
        period: i32,
        n: usize,
        g: f64,
        expected_g: f64,
        z_norm: f64,
        p_norm: f64,
        p_sim: Option<f64>,
        permutations: usize,
        seed: u64,
        status: String,
    }
}

row! {
    /// The local G (or G*) of one unit in one period; `spot` is `hot` (z > 0) or `cold` (z < 0)
    /// when p_sim <= alpha, else empty.
    struct LocalRow {
        unit: String,
        name: String,
        period: i32,
        score: f64,
        g: f64,
        expected: f64,
        z: f64,
        p_norm: f64,
        p_sim: f64,
        spot: String,
    }
}

fn getis_ord(r: &RunResult, p: GetisOrdParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.test.weights.build(units)?;
    let (mut global, mut local, mut out) = (Vec::new(), Vec::new(), Vec::new());
    let mut notes = island_note(&w, units);
    let (permutations, seed) = (p.test.permutations, p.test.seed);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let values = period_scores(r, t);
        match global_g(values, &w, permutations, seed) {
            Ok(g) => {
                out.push(json!({ "period": period, "result": g }));
                global.push(GlobalRow {
                    period,
                    n: g.n,
                    g: g.g,
                    expected_g: g.expected_g,
                    z_norm: g.z_norm,
                    p_norm: g.p_norm,
                    p_sim: g.p_sim,
                    permutations,
                    seed,
                    status: String::new(),
                });
            }
            Err(e) => {
                notes.push(Diagnostic::warning("getis-ord-undefined", format!("getis-ord, period {period}: {e}")));
                out.push(json!({ "period": period, "error": e.to_string() }));
                global.push(GlobalRow {
                    period,
                    n: units.len(),
                    g: f64::NAN,
                    expected_g: f64::NAN,
                    z_norm: f64::NAN,
                    p_norm: f64::NAN,
                    p_sim: None,
                    permutations,
                    seed,
                    status: e.to_string(),
                });
            }
        }
        match local_g(values, &w, p.star, permutations, seed) {
            Ok(ls) => {
                let undefined: Vec<&str> =
                    ls.iter().enumerate().filter(|(_, l)| l.z_undefined()).map(|(u, _)| units[u].id.as_str()).collect();
                if !undefined.is_empty() {
                    notes.push(Diagnostic::warning(
                        "getis-ord-undefined",
                        format!(
                            "local getis-ord, period {period}: z and p_norm are undefined (0/0, left empty) at {}: \
                             every other value is the same",
                            undefined.join(", ")
                        ),
                    ));
                }
                for (u, l) in ls.iter().enumerate() {
                    let spot = match (l.p_sim <= p.alpha, l.z > 0.0) {
                        (true, true) => "hot",
                        (true, false) => "cold",
                        _ => "",
                    };
                    local.push(LocalRow {
                        unit: units[u].id.clone(),
                        name: units[u].name.clone(),
                        period,
                        score: values[u],
                        g: l.g,
                        expected: l.expected,
                        z: l.z,
                        p_norm: l.p_norm,
                        p_sim: l.p_sim,
                        spot: spot.into(),
                    });
                }
            }
            Err(e) => {
                notes.push(Diagnostic::warning("getis-ord-undefined", format!("local getis-ord, period {period}: {e}")))
            }
        }
    }
    let json = json!({ "weights": p.test.weights, "star": p.star, "alpha": p.alpha, "periods": out });
    result(vec![table("", &global), table("local", &local)], json, notes)
}
