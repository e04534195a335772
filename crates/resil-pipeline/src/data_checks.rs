//! Questions to ask of a panel before anything is fitted: data a researcher must know about
//! gets an error or a warning with its place, never silence.

use resil_core::{Diagnostic, Error, IndicatorSystem, Matrix, Panel, Result};

/// Values beyond this make sums of squares overflow (and z-scores NaN): rescale the indicator.
const LARGEST_USABLE: f64 = 1e150;

/// The first cell of a block of a plain matrix (its rows from `first_row`, named by `place`)
/// beyond [`LARGEST_USABLE`], as an error: past it TOPSIS had given null scores, all ranked 1,
/// and z-scores had called the criteria constant. Missing cells (NaN) pass.
pub(crate) fn check_block(
    block: &Matrix,
    first_row: usize,
    system: &IndicatorSystem,
    place: &dyn Fn(usize) -> String,
) -> Result<()> {
    let too_large = |v: &f64| v.abs() > LARGEST_USABLE;
    // Column by column, in runs of 64 cells that the compiler can compare side by side.
    let first = block
        .columns()
        .enumerate()
        .filter_map(|(j, col)| {
            let run = col.chunks(64).position(|run| run.iter().fold(false, |any, v| any | too_large(v)))?;
            let i = 64 * run + col[64 * run..].iter().position(too_large).expect("the run holds one");
            Some((i, j, col[i]))
        })
        .min_by_key(|&(i, j, _)| (i, j));
    match first {
        None => Ok(()),
        Some((i, j, v)) => Err(Error::data(
            format!("indicator `{}`, {}", system.get(j).id, place(first_row + i)),
            format!("{v:e} is too large to compute with (|x| > {LARGEST_USABLE:e}); rescale the criterion"),
        )),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::Polarity;

    #[test]
    fn the_first_row_past_the_limit_is_named_whatever_its_column_and_run_of_64() {
        let system = IndicatorSystem::flat(&[Polarity::Benefit; 3]);
        let mut m = Matrix::filled(200, 3, 1.0);
        m.set(150, 0, 2e150);
        m.set(70, 2, -3e151);
        m.set(130, 1, f64::NAN);
        let place = |row: usize| format!("row {}", row + 1);
        let err = check_block(&m, 10, &system, &place).unwrap_err().to_string();
        assert!(err.contains("indicator `C3`, row 81: -3e151 is too large to compute with"), "{err}");
        m.set(70, 2, 1e150);
        let err = check_block(&m, 0, &system, &place).unwrap_err().to_string();
        assert!(err.contains("indicator `C1`, row 151: 2e150"), "{err}");
        m.set(150, 0, -1e150);
        assert!(check_block(&m, 0, &system, &place).is_ok(), "the limit itself and missing cells pass");
    }
}
