//! The scope of a stage: fit on the pooled panel or on each period; the one place that splits rows.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::Panel;

/// Whether a stage fits once on all periods (pooled: results comparable across years) or
/// separately on each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    Pooled,
    PerPeriod,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Pooled => "pooled",
            Scope::PerPeriod => "per-period",
        }
    }

    /// The row groups a stage fits on: one for pooled, one per period otherwise.
    pub fn groups(self, panel: &Panel) -> Vec<ScopeGroup> {
        let n_units = panel.units().len();
        match self {
            Scope::Pooled => vec![ScopeGroup { label: "pooled".into(), period: None, rows: 0..panel.n_rows() }],
            Scope::PerPeriod => panel
                .periods()
                .iter()
                .enumerate()
                .map(|(t, &p)| ScopeGroup {
                    label: p.to_string(),
                    period: Some(p),
                    rows: t * n_units..(t + 1) * n_units,
                })
                .collect(),
        }
    }
}

/// A block of rows that a stage is fitted on and applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGroup {
    /// `pooled` or the period, as written in outputs.
    pub label: String,
    pub period: Option<i32>,
    pub rows: Range<usize>,
}

impl ScopeGroup {
    /// Whether `row` belongs to this group.
    pub fn contains(&self, row: usize) -> bool {
        self.rows.contains(&row)
    }
}
