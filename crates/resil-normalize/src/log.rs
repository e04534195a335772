//! The logarithm r = ln(x + shift), keeping each column's direction: for skewed indicators
//! (incomes, populations) before an aggregation that assumes comparable spreads.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Unchecked `log` parameters: the shift added before the logarithm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LogParams {
    pub shift: f64,
}

impl LogParams {
    pub fn check(self) -> Result<Log> {
        if !self.shift.is_finite() {
            return Err(Error::param("log", "shift", format!("must be finite, got {}", self.shift)));
        }
        Ok(Log { shift: self.shift })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Log {
    shift: f64,
}

/// Fitted: the shift, and the orientation it keeps.
#[derive(Debug, Clone)]
pub struct FittedLog {
    shift: f64,
    orientation: Vec<Polarity>,
}

impl Normalizer for Log {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(LogFit(self)))
    }
}

/// The fit reads the reference rows only to check them: one pass with nothing to merge.
struct LogFit<'a>(&'a Log);

impl ChunkedFit<Box<dyn FittedNormalizer>> for LogFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![Vec::new()]
    }

    fn update(
        &self,
        _pass: usize,
        _done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        _state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        let shift = self.0.shift;
        // A NaN (a cell to impute) passes, as it does through the logarithm.
        match resil_core::chunked::first_failing_cell(chunk, |_, x| x.is_nan() || x + shift > 0.0) {
            Some((i, j)) => Err(Error::data(
                format!("log: {}", cx.cell(first_row + i, j)),
                format!("value {} + shift {shift} is not positive", chunk.column(j)[i]),
            )),
            None => Ok(()),
        }
    }

    fn finish(&self, _states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        Ok(Outcome::new(Box::new(FittedLog { shift: self.0.shift, orientation: cx.orientation.to_vec() })))
    }
}

impl FittedNormalizer for FittedLog {
    fn transform_in_place(&self, data: &mut Matrix) -> Result<()> {
        for j in 0..data.ncols() {
            data.column_mut(j).iter_mut().for_each(|v| *v = (*v + self.shift).ln());
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
    use resil_core::IndicatorSystem;

    #[test]
    fn logs_by_hand_keep_the_direction_and_refuse_a_value_at_or_below_minus_the_shift() {
        let m = Matrix::from_columns(vec![vec![0.0, std::f64::consts::E - 1.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Cost]);
        let cx = StageContext::columns(&sys, &[Polarity::Cost]);
        let fitted = LogParams { shift: 1.0 }.check().unwrap().fit(&m, &cx).unwrap().value;
        assert_eq!(fitted.transform(&m).unwrap().column(0), &[0.0, 1.0]);
        assert_eq!(fitted.output_orientation(), vec![Polarity::Cost]);
        // The first bad cell in row order is named, with its value.
        let m = Matrix::from_columns(vec![vec![1.0, 2.0, -3.0], vec![1.0, -1.0, 1.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let err = LogParams { shift: 0.5 }
            .check()
            .unwrap()
            .fit(&m, &StageContext::columns(&sys, &sys.polarities()))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&StageContext::columns(&sys, &sys.polarities()).cell(1, 1)), "{err}");
        assert!(err.contains("value -1 + shift 0.5 is not positive"), "{err}");
        for shift in [f64::INFINITY, f64::NAN] {
            let err = LogParams { shift }.check().expect_err("refused").to_string();
            assert!(err.contains("log: parameter `shift`: must be finite"), "{err}");
        }
    }
}
