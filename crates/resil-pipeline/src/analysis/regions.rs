//! `regions`: growth of each region's mean score between pairs of periods.

use resil_core::{Diagnostic, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{json_rows, result, row, table, AnalysisResult, AnalysisSpec, CheckValues, StudyFacts};
use crate::registry::ParamSpec;
use crate::run::RunResult;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "regions",
    doc: "growth of each region's mean between pairs of periods",
    params: &[ParamSpec {
        name: "pairs",
        doc: "[[from, to], ...] periods of the study, from before to (default first to last)",
    }],
    defaults: || serde_json::to_value(RegionsParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<RegionsParams>(warnings).map(|_| ()),
    run: |cx, r| regions(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RegionsParams {
    /// Pairs of periods to give growth between; default: first to last.
    pairs: Vec<[i32; 2]>,
}

impl CheckValues for RegionsParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let periods = study.periods;
        let mut out = Vec::new();
        for [from, to] in &self.pairs {
            for p in [from, to] {
                if !periods.contains(p) {
                    out.push(("pairs", format!("{p} is not a period of the study ({periods:?})")));
                }
            }
            if from >= to {
                out.push(("pairs", format!("[{from}, {to}]: the first period must come before the second")));
            }
        }
        out
    }
}

row! {
    /// A region's mean at two periods and the growth between them, in percent.
    struct GrowthRow {
        region: String,
        from: i32,
        to: i32,
        mean_from: f64,
        mean_to: f64,
        growth_percent: f64,
    }
}

fn regions(r: &RunResult, p: RegionsParams) -> Result<AnalysisResult> {
    let periods = r.panel.periods();
    let mut notes = Vec::new();
    let pairs = match (p.pairs.is_empty(), periods) {
        // One period has no growth: a row of 0 % from it to itself would say there was none.
        (true, [only]) => {
            notes.push(Diagnostic::info("regions-one-period", format!("regions: one period ({only}), so no growth")));
            Vec::new()
        }
        (true, _) => vec![[periods[0], periods[periods.len() - 1]]],
        (false, _) => p.pairs,
    };
    let mut rows = Vec::new();
    for [from, to] in &pairs {
        for (region, mean_from, mean_to, growth_percent) in resil_trend::growth_between(&r.regions, *from, *to) {
            rows.push(GrowthRow { region, from: *from, to: *to, mean_from, mean_to, growth_percent });
        }
    }
    result(vec![table("growth", &rows)], json!({ "growth": json_rows(&rows) }), notes)
}
