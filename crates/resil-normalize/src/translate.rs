//! Translation r = x + A, method.md's reading (b) of "normalised": shifts z-scores to positive values.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Unchecked parameters of the translation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TranslateParams {
    /// The shift A; every reference value plus A must be positive.
    pub shift: f64,
}

impl Default for TranslateParams {
    fn default() -> Self {
        TranslateParams { shift: 5.0 }
    }
}

impl TranslateParams {
    pub fn check(self) -> Result<Translate> {
        if !self.shift.is_finite() {
            return Err(Error::param("translate", "shift", "must be finite"));
        }
        Ok(Translate { shift: self.shift })
    }
}

/// The checked translation.
#[derive(Debug, Clone)]
pub struct Translate {
    shift: f64,
}

/// A translation fitted (checked) on a reference.
#[derive(Debug, Clone)]
pub struct FittedTranslate {
    shift: f64,
    orientation: Vec<Polarity>,
}

impl FittedTranslate {
    pub fn shift(&self) -> f64 {
        self.shift
    }
}

impl Normalizer for Translate {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(TranslateFit(self)))
    }
}

/// The fit reads each column's least finite value, to check the shift against it.
struct TranslateFit<'a>(&'a Translate);

impl ChunkedFit<Box<dyn FittedNormalizer>> for TranslateFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Min]]
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
        for (j, col) in chunk.columns().enumerate() {
            state.add(j, 0, col.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min));
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let shift = self.0.shift;
        for j in 0..cx.system.len() {
            let min = states[0].get(j, 0);
            if min + shift <= 0.0 {
                return Err(Error::param(
                    "translate",
                    "shift",
                    format!(
                        "indicator `{}` has minimum {}; the shift {shift} must be at least {}",
                        cx.system.get(j).id,
                        resil_core::decimal::for_message(min),
                        resil_core::decimal::for_message_above(-min)
                    ),
                ));
            }
        }
        Ok(Outcome::new(Box::new(FittedTranslate { shift, orientation: cx.orientation.to_vec() })))
    }
}

impl FittedNormalizer for FittedTranslate {
    fn transform_in_place(&self, data: &mut Matrix) -> Result<()> {
        for j in 0..data.ncols() {
            data.column_mut(j).iter_mut().for_each(|v| *v += self.shift);
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    #[test]
    fn shift_too_small_is_refused_naming_the_indicator() {
        let m = Matrix::from_columns(vec![vec![-2.0, 1.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit]);
        let err = TranslateParams { shift: 1.5 }
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit]))
            .unwrap_err();
        assert!(err.to_string().contains("`C1`"), "{err}");
        let ok = TranslateParams { shift: 3.0 }
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit]))
            .unwrap()
            .value;
        assert_eq!(ok.transform(&m).unwrap().column(0), &[1.0, 4.0]);
    }
}
