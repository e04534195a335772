//! `obstacles`: obstacle degree O_ij = w_j (1 - r_ij) / sum_k w_k (1 - r_ik) per unit and period,
//! at indicator, sub-system and system level, and each unit's largest obstacles.

use resil_core::{IndicatorSystem, Normalizer, Result};
use resil_trend::obstacles;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{result, row, table, AnalysisResult, AnalysisSpec, CheckValues, Row, StudyFacts};
use crate::registry::ParamSpec;
use crate::run::RunResult;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "obstacles",
    doc: "obstacle degree per unit and period at indicator, sub-system and system level",
    params: &[ParamSpec {
        name: "top",
        doc: "how many of each unit's largest obstacles to list, 1 to the number of indicators",
    }],
    defaults: || serde_json::to_value(ObstaclesParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<ObstaclesParams>(warnings).map(|_| ()),
    run: |cx, r| obstacle_degrees(r, cx.run_params()?),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct ObstaclesParams {
    top: usize,
}

impl Default for ObstaclesParams {
    fn default() -> Self {
        ObstaclesParams { top: 3 }
    }
}

impl CheckValues for ObstaclesParams {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        if self.top == 0 || self.top > study.indicators {
            vec![("top", format!("must be from 1 to the {} indicators, got {}", study.indicators, self.top))]
        } else {
            Vec::new()
        }
    }
}

row! {
    /// The obstacle degree of one indicator, sub-system or system for a unit and period.
    struct ObstacleRow {
        unit: String,
        period: String,
        level: &'static str,
        name: String,
        obstacle_degree: f64,
    }
}

row! {
    /// One of a unit's largest obstacles in a period.
    struct TopRow {
        unit: String,
        name: String,
        period: String,
        rank: usize,
        indicator: String,
        indicator_name: String,
        obstacle_degree: f64,
    }
}

fn obstacle_degrees(r: &RunResult, p: ObstaclesParams) -> Result<AnalysisResult> {
    // r: pooled min-max in [0, 1], benefit-aligned, without the floor, whatever the run used.
    let system: &IndicatorSystem = r.panel.system();
    let values = r.panel.values();
    let minmax = resil_normalize::MinMaxParams { floor: 0.0, apply_polarity: true, scale: 1.0 }.check()?;
    let fitted = minmax.fit(values, &resil_core::StageContext::columns(system, &system.polarities()))?.value;
    let unit_scaled = fitted.transform(values)?;
    let subsystems: Vec<&str> = system.indicators().iter().map(|i| i.subsystem.as_str()).collect();
    let systems: Vec<&str> = system.indicators().iter().map(|i| i.system.as_str()).collect();
    let (mut rows, mut top_rows) = (Vec::new(), Vec::new());
    for row in 0..r.panel.n_rows() {
        let unit = r.panel.unit_of_row(row);
        let period = r.panel.period_of_row(row).to_string();
        let o = obstacles::obstacle_row(&unit_scaled.row(row), r.weights[r.row_weight_group[row]].weights.as_slice());
        let at = |level: &'static str, name: String, obstacle_degree: f64| ObstacleRow {
            unit: unit.id.clone(),
            period: period.clone(),
            level,
            name,
            obstacle_degree,
        };
        for (j, ind) in system.indicators().iter().enumerate() {
            rows.push(at("indicator", ind.id.clone(), o[j]));
        }
        for (level, groups) in [("subsystem", &subsystems), ("system", &systems)] {
            for (g, v) in obstacles::by_group(&o, groups) {
                rows.push(at(level, g, v));
            }
        }
        for (rank, j) in obstacles::largest(&o, p.top).into_iter().enumerate() {
            top_rows.push(TopRow {
                unit: unit.id.clone(),
                name: unit.name.clone(),
                period: period.clone(),
                rank: rank + 1,
                indicator: system.get(j).id.clone(),
                indicator_name: system.get(j).name.clone(),
                obstacle_degree: o[j],
            });
        }
    }
    let top_cells: Vec<Vec<String>> = top_rows.iter().map(Row::cells).collect();
    result(
        vec![table("", &rows), table("top", &top_rows)],
        json!({ "top": p.top, "reference": "pooled min-max of the imputed panel, [0, 1], no floor", "top_obstacles": top_cells }),
        Vec::new(),
    )
}
