//! Normalisations that keep each column's direction: `none` (the values as they are), `sum`
//! (r = x / sum x) and `max` (r = x / max x), fitted on the reference rows. Tools disagree on how
//! `sum` and `max` should treat cost columns (pymcdm's max uses 1 - x/max for them); resil leaves
//! the direction to the scorer, as with vector normalisation, so polarity is applied once.

use resil_core::{Error, FittedNormalizer, IndicatorSystem, Matrix, Normalizer, Outcome, Polarity, Result};
use serde::{Deserialize, Serialize};

/// Which divisor a [`Scale`] normaliser uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divisor {
    One,
    Sum,
    Max,
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

impl Normalizer for Scale {
    fn fit(
        &self,
        reference: &Matrix,
        system: &IndicatorSystem,
        orientation: &[Polarity],
    ) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let divisors = reference
            .columns()
            .enumerate()
            .map(|(j, c)| {
                let d = match self.divisor {
                    Divisor::One => 1.0,
                    Divisor::Sum => c.iter().sum(),
                    Divisor::Max => c.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                };
                if d == 0.0 || !d.is_finite() {
                    Err(Error::data(
                        format!("indicator `{}`", system.get(j).id),
                        format!("cannot divide by its {:?} ({d})", self.divisor).to_lowercase(),
                    ))
                } else {
                    Ok(d)
                }
            })
            .collect::<Result<_>>()?;
        Ok(Outcome::new(Box::new(FittedScale { divisors, orientation: orientation.to_vec() })))
    }
}

impl FittedNormalizer for FittedScale {
    fn transform(&self, data: &Matrix) -> Result<Matrix> {
        let mut out = data.clone();
        for (j, &d) in self.divisors.iter().enumerate() {
            out.column_mut(j).iter_mut().for_each(|v| *v /= d);
        }
        Ok(out)
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_max_and_none_by_hand() {
        let m = Matrix::from_columns(vec![vec![1.0, 3.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Cost]);
        let run = |d| ScaleParams::default().check(d).unwrap().fit(&m, &sys, &[Polarity::Cost]).unwrap().value;
        assert_eq!(run(Divisor::Sum).transform(&m).unwrap().column(0), &[0.25, 0.75]);
        assert_eq!(run(Divisor::Max).transform(&m).unwrap().column(0), &[1.0 / 3.0, 1.0]);
        assert_eq!(run(Divisor::One).transform(&m).unwrap().column(0), &[1.0, 3.0]);
        assert_eq!(run(Divisor::Sum).output_orientation(), vec![Polarity::Cost]);
        let zero = Matrix::from_columns(vec![vec![0.0, 0.0]]);
        assert!(ScaleParams::default().check(Divisor::Sum).unwrap().fit(&zero, &sys, &[Polarity::Cost]).is_err());
    }
}
