//! Derived indicators: an indicator declared with a `denominator` is divided, cell by cell, by
//! another indicator of the same unit and period, or by a numeric column of the unit list
//! (population, area, GDP), so that per-capita and per-area rates need no preprocessing (COINr's
//! denomination). Applied to the panel as read, before imputation.

use resil_config::LoadedConfig;
use resil_core::{Error, Result};

use crate::sources::LoadedPanel;

/// Divides every indicator that names a denominator by it; every problem (an unknown denominator,
/// a unit without a numeric value for it, a zero) is reported with its unit and column.
pub(crate) fn denominate(mut loaded: LoadedPanel, config: &LoadedConfig) -> Result<LoadedPanel> {
    let panel = &loaded.panel;
    let system = panel.system();
    let mut values = panel.values().clone();
    let mut problems = Vec::new();
    for ind in &config.config.indicators {
        let Some(denominator) = &ind.denominator else { continue };
        let Some(j) = system.position(&ind.id) else { continue };
        let by_indicator = system.position(denominator);
        for row in 0..panel.n_rows() {
            let unit = panel.unit_of_row(row);
            let d = match by_indicator {
                Some(k) => panel.values().get(row, k),
                None => match unit.tags.get(denominator) {
                    // An empty cell is a missing denominator: the value becomes missing.
                    Some(text) if text.trim().is_empty() || text.trim() == "NA" => f64::NAN,
                    Some(text) => match text.trim().parse::<f64>() {
                        Ok(v) => v,
                        Err(_) => {
                            problems.push(Error::data(
                                format!("unit `{}`, column `{denominator}` of the unit list", unit.id),
                                format!("`{text}` is not a number (denominator of indicator `{}`)", ind.id),
                            ));
                            continue;
                        }
                    },
                    None => {
                        problems.push(Error::config(
                            &config.path,
                            format!("indicator[{}].denominator", ind.id),
                            format!("`{denominator}` is neither an indicator nor a column of the unit list"),
                        ));
                        break;
                    }
                },
            };
            let x = values.get(row, j);
            if !x.is_finite() {
                continue;
            }
            if d == 0.0 {
                problems.push(Error::data(
                    format!("unit `{}`, period {}", unit.id, panel.period_of_row(row)),
                    format!("denominator `{denominator}` of indicator `{}` is 0", ind.id),
                ));
                continue;
            }
            // A missing denominator leaves the cell missing, for imputation to fill.
            values.column_mut(j)[row] = if d.is_finite() { x / d } else { f64::NAN };
        }
    }
    if !problems.is_empty() {
        problems.dedup_by(|a, b| a.to_string() == b.to_string());
        return Err(Error::from_list(problems));
    }
    loaded.panel = loaded.panel.with_values(values);
    Ok(loaded)
}
