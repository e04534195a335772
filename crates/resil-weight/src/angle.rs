//! Angle weights (Shuai et al. 2012), as pymcdm 1.4.0 on the raw matrix: each column
//! sum-normalised, its angle to the uniform vector (1/m, ..., 1/m) (m the number of criteria),
//! u_j = arccos(sum_i r_ij / m / (||r_j|| ||1/m||)); weights u / sum u. The further a criterion
//! is from uniform, the more it discriminates and the more it weighs.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AngleParams {}

impl AngleParams {
    pub fn check(self) -> Result<Angle> {
        Ok(Angle)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Angle;

impl Weighter for Angle {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(AngleFit))
    }
}

/// Angle weights over chunks of rows, in two passes: each column's sum, extremes and rows;
/// then the sums of the sum-normalised values and of their squares.
struct AngleFit;

impl ChunkedFit<Weights> for AngleFit {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Sum, Merge::Min, Merge::Sum, Merge::Max], vec![Merge::Sum, Merge::Sum]]
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        _cx: &StageContext<'_>,
    ) -> Result<()> {
        for (j, c) in chunk.columns().enumerate() {
            if pass == 0 {
                state.add(j, 0, c.iter().sum());
                state.add(j, 1, c.iter().copied().fold(f64::INFINITY, f64::min));
                state.add(j, 2, c.len() as f64);
                state.add(j, 3, c.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            } else {
                let sum = done[0].get(j, 0);
                let (r, squares) = c.iter().map(|x| x / sum).fold((0.0, 0.0), |(a, q), v| (a + v, q + v * v));
                state.add(j, 0, r);
                state.add(j, 1, squares);
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let m = cx.system.len() as f64;
        let n = if cx.system.is_empty() { 0.0 } else { states[0].get(0, 2) };
        let uniform_norm = (n / (m * m)).sqrt();
        let mut angles = Vec::with_capacity(cx.system.len());
        for j in 0..cx.system.len() {
            let (sum, least) = (states[0].get(j, 0), states[0].get(j, 1));
            // NaN fails both tests, as a NaN cell did.
            if !(sum.is_finite() && sum > 0.0 && least >= 0.0) {
                return Err(Error::data(
                    format!("angle: {}", cx.indicator(j)),
                    "needs non-negative values with a positive sum",
                ));
            }
            // A constant column is the uniform vector: its angle is 0, exactly (computed, the
            // cosine could miss 1 by an ulp, and the weight was rounding noise).
            if least == states[0].get(j, 3) {
                angles.push(0.0);
                continue;
            }
            let norm = states[1].get(j, 1).sqrt();
            let cosine = (states[1].get(j, 0) / m) / (norm * uniform_norm);
            angles.push(cosine.clamp(-1.0, 1.0).acos());
        }
        crate::statistical::finish(angles, cx, |_| "has no spread", crate::statistical::CONSTANT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    #[test]
    fn a_constant_column_has_an_angle_of_zero_exactly() {
        // Sum-normalised, a constant column is the uniform vector; computed, its cosine could
        // miss 1 by an ulp (here 1 - 2.2e-16), and its acos is 2.1e-8: a weight of rounding noise.
        let m = Matrix::from_columns(vec![vec![1.0, 2.0, 4.0, 8.0, 16.0], vec![0.1; 5]]);
        let o = [Polarity::Benefit; 2];
        let w = Angle.weights(&m, &StageContext::columns(&IndicatorSystem::flat(&o), &o)).unwrap().value;
        assert_eq!(w.0, vec![1.0, 0.0]);
        let all = Matrix::from_columns(vec![vec![0.1, 0.1, 0.1], vec![3.0, 3.0, 3.0]]);
        assert!(Angle.weights(&all, &StageContext::columns(&IndicatorSystem::flat(&o), &o)).is_err());
    }
}
