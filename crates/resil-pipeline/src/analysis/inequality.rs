//! `inequality`: per period, the Theil index of the scores with its between-group and
//! within-group parts (groups: regions, provinces or a column of the unit list) and the Gini
//! coefficient, as PySAL's `inequality` computes them, with TheilDSim's permutation p-value of
//! the between-group part.

use resil_core::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{json_rows, period_scores, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, StudyFacts};
use crate::registry::ParamSpec;
use crate::run::RunResult;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "inequality",
    doc: "Theil's T of the scores with its between/within-group decomposition, and the Gini coefficient, per period",
    params: &[
        ParamSpec { name: "group", doc: "region | province | a column of the unit list" },
        ParamSpec {
            name: "permutations",
            doc: "random reassignments for the between-group p-value (0 = none; default 999, at most 1000000)",
        },
        ParamSpec { name: "seed", doc: "seed of the permutations (default 1)" },
    ],
    defaults: || serde_json::to_value(InequalityParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<InequalityParams>(warnings).map(|_| ()),
    run: |cx, r| inequality(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct InequalityParams {
    group: String,
    /// Random reassignments of the scores to units for the between-group p-value (0 = none).
    permutations: usize,
    seed: u64,
}

impl Default for InequalityParams {
    fn default() -> Self {
        InequalityParams { group: "region".into(), permutations: 999, seed: 1 }
    }
}

impl CheckValues for InequalityParams {
    fn problems(&self, _: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = super::group_problems(&self.group);
        out.extend(resil_trend::permutations_problem(self.permutations).map(|p| ("permutations", p)));
        out
    }
}

row! {
    /// One period's inequality of the scores.
    struct InequalityRow {
        period: i32,
        n: usize,
        groups: usize,
        theil: f64,
        theil_between: f64,
        theil_within: f64,
        between_share: f64,
        p_sim_between: f64,
        gini: f64,
    }
}

fn inequality(r: &RunResult, p: InequalityParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let groups = super::unit_groups(units, &p.group, "inequality")?;
    let names: Vec<&str> = groups.iter().map(String::as_str).collect();
    let mut distinct = names.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut rows = Vec::new();
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let scores = period_scores(r, t);
        if let Some(u) = scores.iter().position(|s| *s < 0.0) {
            return Err(Error::data(
                format!("inequality: unit `{}`, period {period}", units[u].id),
                "a negative score: Theil and Gini need non-negative values",
            ));
        }
        let (theil, between, within) = resil_trend::inequality::theil_decomposition(scores, &names);
        rows.push(InequalityRow {
            period,
            n: scores.len(),
            groups: distinct.len(),
            theil,
            theil_between: between,
            theil_within: within,
            between_share: if theil > 0.0 { between / theil } else { f64::NAN },
            p_sim_between: if p.permutations > 0 {
                resil_trend::inequality::theil_between_p_sim(scores, &names, p.permutations, p.seed)
            } else {
                f64::NAN
            },
            gini: resil_trend::inequality::gini(scores),
        });
    }
    result(vec![table("", &rows)], json!({ "group": p.group, "periods": json_rows(&rows) }), Vec::new())
}
