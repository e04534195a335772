//! Normalisations that divide each column by one number and so keep its direction: `none` (the
//! values as they are), `sum` (r = x / sum x), `max` (r = x / max x) and `vector` (r = x / ||x||_2,
//! classic TOPSIS, Hwang & Yoon 1981), fitted on the reference rows. Tools disagree on how `sum`
//! and `max` should treat cost columns (pymcdm's max uses 1 - x/max for them); resil leaves the
//! direction to the scorer, so polarity is applied once.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{Diagnostic, Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Which divisor a [`Scale`] normaliser uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divisor {
    One,
    Sum,
    Max,
    /// The Euclidean norm of the finite values; an all-zero column is flagged and maps to 0.
    Norm,
}

/// Unchecked parameters (none); the divisor is chosen by the method name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScaleParams {}

impl ScaleParams {
    pub fn check(self, divisor: Divisor) -> Result<Scale> {
        Ok(Scale { divisor })
    }
}

/// The checked normaliser.
#[derive(Debug, Clone)]
pub struct Scale {
    divisor: Divisor,
}

/// Fitted: one divisor per column.
#[derive(Debug, Clone)]
pub struct FittedScale {
    divisors: Vec<f64>,
    orientation: Vec<Polarity>,
}

impl Scale {
    /// Each column's part of its divisor in `column` (the whole divisor for one chunk, but the
    /// square root of the norm), and how the parts of two chunks merge.
    fn part(&self, column: &[f64]) -> f64 {
        match self.divisor {
            Divisor::One => 1.0,
            Divisor::Sum => column.iter().sum(),
            Divisor::Max => column.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Divisor::Norm => column.iter().filter(|v| v.is_finite()).map(|v| v * v).sum::<f64>(),
        }
    }

    fn merge(&self) -> Merge {
        if self.divisor == Divisor::Max {
            Merge::Max
        } else {
            Merge::Sum
        }
    }

    /// The fitted divisors from each column's merged part: the fit in memory and over chunks alike.
    fn fitted_from(&self, parts: Vec<f64>, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let (system, orientation) = (cx.system, cx.orientation);
        let mut notes = Vec::new();
        let divisors = parts
            .into_iter()
            .enumerate()
            .map(|(j, part)| {
                let d = if self.divisor == Divisor::Norm { part.sqrt() } else { part };
                if self.divisor == Divisor::Norm && d == 0.0 {
                    let msg = format!("vector: indicator `{}` is all zero", system.get(j).id);
                    notes.push(Diagnostic::warning("constant-column", msg));
                    Ok(0.0)
                } else if d == 0.0 || !d.is_finite() {
                    Err(Error::data(
                        format!("indicator `{}`", system.get(j).id),
                        format!("cannot divide by its {:?} ({d})", self.divisor).to_lowercase(),
                    ))
                } else {
                    Ok(d)
                }
            })
            .collect::<Result<_>>()?;
        Ok(Outcome::with_notes(Box::new(FittedScale { divisors, orientation: orientation.to_vec() }), notes))
    }
}

/// The divisors over chunks of rows: one pass of per-column parts (none for `none`).
struct ScaleFit<'a>(&'a Scale);

impl ChunkedFit<Box<dyn FittedNormalizer>> for ScaleFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        if self.0.divisor == Divisor::One {
            Vec::new()
        } else {
            vec![vec![self.0.merge()]]
        }
    }

    fn update(
        &self,
        _pass: usize,
        _done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        _cx: &StageContext<'_>,
    ) -> Result<()> {
        chunk.columns().enumerate().for_each(|(j, c)| state.add(j, 0, self.0.part(c)));
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let parts = (0..cx.system.len()).map(|j| states.first().map_or(1.0, |s| s.get(j, 0))).collect();
        self.0.fitted_from(parts, cx)
    }
}

impl Normalizer for Scale {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(ScaleFit(self)))
    }
}

impl FittedNormalizer for FittedScale {
    fn transform_in_place(&self, out: &mut Matrix) -> Result<()> {
        for (j, &d) in self.divisors.iter().enumerate() {
            // A zero divisor is only kept for an all-zero column under `vector`: it maps to 0.
            out.column_mut(j).iter_mut().for_each(|v| *v = if d == 0.0 { 0.0 } else { *v / d });
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }

    fn learned(&self) -> resil_core::NamedColumns {
        vec![("divisor".into(), self.divisors.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    #[test]
    fn vector_columns_get_unit_norm_and_keep_their_polarity() {
        // (3, 4) has norm 5; an all-zero column is flagged and stays 0.
        let m = Matrix::from_columns(vec![vec![3.0, 4.0], vec![0.0, 0.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Cost, Polarity::Benefit]);
        let out = ScaleParams::default()
            .check(Divisor::Norm)
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &sys.polarities()))
            .unwrap();
        assert_eq!(out.notes[0].code, "constant-column");
        let r = out.value.transform(&m).unwrap();
        assert_eq!((r.column(0), r.column(1)), (&[0.6, 0.8][..], &[0.0, 0.0][..]));
        assert_eq!(out.value.output_orientation(), vec![Polarity::Cost, Polarity::Benefit]);
    }

    #[test]
    fn sum_max_and_none_by_hand() {
        let m = Matrix::from_columns(vec![vec![1.0, 3.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Cost]);
        let run = |d| {
            ScaleParams::default()
                .check(d)
                .unwrap()
                .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Cost]))
                .unwrap()
                .value
        };
        assert_eq!(run(Divisor::Sum).transform(&m).unwrap().column(0), &[0.25, 0.75]);
        assert_eq!(run(Divisor::Max).transform(&m).unwrap().column(0), &[1.0 / 3.0, 1.0]);
        assert_eq!(run(Divisor::One).transform(&m).unwrap().column(0), &[1.0, 3.0]);
        assert_eq!(run(Divisor::Sum).output_orientation(), vec![Polarity::Cost]);
        let zero = Matrix::from_columns(vec![vec![0.0, 0.0]]);
        assert!(ScaleParams::default()
            .check(Divisor::Sum)
            .unwrap()
            .fit(&zero, &resil_core::StageContext::columns(&sys, &[Polarity::Cost]))
            .is_err());
    }
}
