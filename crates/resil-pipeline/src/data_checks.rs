//! Questions to ask of a panel before anything is fitted: data a researcher must know about
//! gets an error or a warning with its place, never silence.

use resil_core::{Diagnostic, Error, Panel, Result};

/// Values beyond this make sums of squares overflow (and z-scores NaN): rescale the indicator.
const LARGEST_USABLE: f64 = 1e150;

/// Errors: a period without any value (its scores would be pure imputation), values too large to
/// compute with. Warnings: an indicator whose first or last periods have no value for any unit
/// (imputation copies the nearest year into them), a panel of one unit.
pub(crate) fn check_panel(panel: &Panel) -> Result<Vec<Diagnostic>> {
    let (n_units, periods, system) = (panel.units().len(), panel.periods(), panel.system());
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let observed = |t: usize, j: usize| (0..n_units).any(|u| panel.get(u, t, j).is_finite());
    for (t, period) in periods.iter().enumerate() {
        if periods.len() > 1 && !(0..system.len()).any(|j| observed(t, j)) {
            problems.push(Error::data(
                format!("period {period}"),
                "no value for any indicator and unit: its scores would be imputation only; add its data or drop it from study.periods",
            ));
        }
    }
    for (j, ind) in system.indicators().iter().enumerate() {
        let seen: Vec<usize> = (0..periods.len()).filter(|&t| observed(t, j)).collect();
        if let (Some(&first), Some(&last)) = (seen.first(), seen.last()) {
            let copied: Vec<String> =
                (0..first).chain(last + 1..periods.len()).map(|t| periods[t].to_string()).collect();
            if !copied.is_empty() {
                notes.push(Diagnostic::warning(
                    "extrapolated-period",
                    format!(
                        "indicator `{}` has no value for any unit in {}: imputation copies the nearest year ({}) into them",
                        ind.id,
                        copied.join(", "),
                        if first > 0 { periods[first] } else { periods[last] }
                    ),
                ));
            }
        }
        for (t, period) in periods.iter().enumerate() {
            for u in 0..n_units {
                let v = panel.get(u, t, j);
                if v.is_finite() && v.abs() > LARGEST_USABLE {
                    problems.push(Error::data(
                        format!("indicator `{}`, unit `{}`, period {period}", ind.id, panel.units()[u].id),
                        format!("{v:e} is too large to compute with (|x| > {LARGEST_USABLE:e}); rescale the indicator (thousands, millions)"),
                    ));
                }
            }
        }
    }
    if n_units == 1 {
        notes.push(Diagnostic::warning(
            "one-unit",
            format!(
                "the panel has one unit ({}): its scores compare it only with itself across periods",
                panel.units()[0].id
            ),
        ));
    }
    if problems.is_empty() {
        Ok(notes)
    } else {
        Err(Error::from_list(problems))
    }
}
