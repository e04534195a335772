//! `mobility`: how the units' order changes between periods, as giddy's `rank` module measures it:
//! Kendall's tau-b of the scores of each pair of consecutive periods and of the first and last,
//! the spatial tau over neighbouring pairs with its permutation p-value (do neighbours keep their
//! order?), and theta, the share of rank movement that is net movement of whole groups (regions
//! by default), with permutation p-values.

use resil_core::{Diagnostic, Result};
use resil_trend::mobility::{kendall_tau, spatial_tau, theta};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    island_note, json_rows, period_scores, result, row, table, unit_groups, AnalysisResult, AnalysisSpec, CheckValues,
    PermutationTestParams, StudyFacts,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

const PARAMS: [ParamSpec; 9] = super::test_params([ParamSpec {
    name: "group",
    doc: "theta's groups: region | province | a column of the unit list",
}]);

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "mobility",
    doc: "rank mobility between periods: Kendall's tau, spatial tau over neighbours, and theta by group (as giddy)",
    params: &PARAMS,
    defaults: || serde_json::to_value(MobilityParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<MobilityParams>(warnings).map(|_| ()),
    run: |cx, r| analysis(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct MobilityParams {
    #[serde(flatten)]
    test: PermutationTestParams,
    group: String,
}

impl Default for MobilityParams {
    fn default() -> Self {
        MobilityParams { test: PermutationTestParams::default(), group: "region".into() }
    }
}

impl CheckValues for MobilityParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.test.problems(study);
        out.extend(super::group_problems(&self.group));
        out.extend(super::two_periods("mobility", study));
        out
    }
}

row! {
    /// The mobility of one step between two periods (consecutive, or the first and the last).
    struct MobilityRow {
        from_period: i32,
        to_period: i32,
        tau: f64,
        tau_p: f64,
        concordant: usize,
        discordant: usize,
        spatial_tau: f64,
        spatial_tau_p_sim: Option<f64>,
        theta: f64,
        theta_p_left: f64,
        theta_p_right: f64,
        theta_z: f64,
        permutations: usize,
        seed: u64,
    }
}

fn analysis(r: &RunResult, p: MobilityParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let periods = r.panel.periods();
    let w = p.test.weights.build(units)?;
    let mut notes = island_note(&w, units);
    let groups = unit_groups(units, &p.group, "mobility")?;
    let mut names = groups.clone();
    names.sort_unstable();
    names.dedup();
    let regime: Vec<usize> = groups.iter().map(|g| names.binary_search(g).expect("a listed group")).collect();
    let mut steps: Vec<(usize, usize)> = (1..periods.len()).map(|t| (t - 1, t)).collect();
    if periods.len() > 2 {
        steps.push((0, periods.len() - 1));
    }
    let mut rows = Vec::new();
    for (a, b) in steps {
        let (x, y) = (period_scores(r, a), period_scores(r, b));
        let tau = kendall_tau(x, y)?;
        let st = spatial_tau(x, y, &w, p.test.permutations, p.test.seed)?;
        let th = match theta(&[x.to_vec(), y.to_vec()], &regime, p.test.permutations, p.test.seed) {
            Ok(th) => Some(th),
            Err(e) => {
                let (from, to) = (periods[a], periods[b]);
                notes.push(Diagnostic::info("theta-undefined", format!("mobility, {from} -> {to}: {e}")));
                None
            }
        };
        let pick = |f: fn(&resil_trend::mobility::Theta) -> f64| th.as_ref().map_or(f64::NAN, f);
        rows.push(MobilityRow {
            from_period: periods[a],
            to_period: periods[b],
            tau: tau.tau,
            tau_p: tau.p_value,
            concordant: tau.concordant,
            discordant: tau.discordant,
            spatial_tau: st.tau_spatial,
            spatial_tau_p_sim: st.p_sim,
            theta: pick(|t| t.theta[0]),
            theta_p_left: pick(|t| t.p_left[0]),
            theta_p_right: pick(|t| t.p_right[0]),
            theta_z: pick(|t| t.z[0]),
            permutations: p.test.permutations,
            seed: p.test.seed,
        });
    }
    result(
        vec![table("", &rows)],
        json!({ "group": p.group, "weights": p.test.weights, "steps": json_rows(&rows) }),
        notes,
    )
}
