//! The live explorer's page (`resil serve`): one self-contained HTML page (inline CSS and script,
//! nothing fetched but its own JSON endpoints), and the grade map of each period of an explored
//! view, drawn by the report's own map chart so the two look alike.

use std::collections::BTreeMap;

use resil_pipeline::View;
use serde_json::{json, Value};

use crate::charts;
use crate::outlines::Outlines;

const PAGE: &str = include_str!("explorer.html");

/// The page, titled with the study's name.
pub fn explorer_page(study_name: &str) -> String {
    PAGE.replace("__TITLE__", &charts::esc(study_name))
}

/// The grade map of every period of `view`, by period.
pub fn explorer_maps(view: &View) -> BTreeMap<String, String> {
    let outlines = Outlines::bundled();
    let legend: Vec<(String, String)> = (1..=view.k)
        .map(|g| {
            let label = view.grade_labels.get(g - 1).cloned().unwrap_or_else(|| format!("grade {g}"));
            (charts::grade_colour(g, view.k).to_string(), label)
        })
        .collect();
    view.periods
        .iter()
        .map(|&period| {
            let points: Vec<charts::MapPoint> = view
                .rows
                .iter()
                .filter(|r| r.period == period)
                .filter_map(|r| {
                    let (lon, lat) = r.point?;
                    let tip = format!("{} ({}): rank {}, grade {}", r.name, r.region, r.rank, r.grade);
                    Some((lon, lat, charts::grade_colour(r.grade, view.k).to_string(), tip))
                })
                .collect();
            let svg = if points.is_empty() {
                String::new()
            } else {
                charts::map_chart(&format!("Grades in {period}"), &outlines, &points, "Grade", &legend)
            };
            (period.to_string(), svg)
        })
        .collect()
}

/// What the page loads first: the study's name, the method catalogue, the config's own stages
/// (as tables and one-line text), its run and maps.
pub fn explorer_study(explorer: &resil_pipeline::Explorer) -> Value {
    let stages = resil_pipeline::EXPLORER_STAGES;
    let catalogue: Vec<Value> = resil_pipeline::catalog()
        .into_iter()
        .filter(|m| stages.contains(&m.stage))
        .map(|m| json!({ "stage": m.stage, "name": m.name, "doc": m.doc, "params": m.params }))
        .collect();
    json!({
        "name": explorer.study_name(),
        "catalogue": catalogue,
        "config": explorer.config_stage_text(),
        "pipeline": explorer.config_pipeline(),
        "view": explorer.baseline(),
        "maps": explorer_maps(explorer.baseline()),
    })
}
