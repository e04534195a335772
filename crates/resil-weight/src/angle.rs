//! Angle weights (Shuai et al. 2012), as pymcdm 1.4.0 on the raw matrix: each column
//! sum-normalised, its angle to the uniform vector (1/m, ..., 1/m) (m the number of criteria),
//! u_j = arccos(sum_i r_ij / m / (||r_j|| ||1/m||)); weights u / sum u. The further a criterion
//! is from uniform, the more it discriminates and the more it weighs.

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
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let (n, m) = (reference.nrows(), reference.ncols() as f64);
        let uniform_norm = (n as f64 / (m * m)).sqrt();
        let mut angles = Vec::with_capacity(reference.ncols());
        for (j, c) in reference.columns().enumerate() {
            let sum: f64 = c.iter().sum();
            if !(sum.is_finite() && sum > 0.0) || c.iter().any(|x| *x < 0.0) {
                return Err(Error::data(
                    format!("angle: {}", cx.indicator(j)),
                    "needs non-negative values with a positive sum",
                ));
            }
            let r: Vec<f64> = c.iter().map(|x| x / sum).collect();
            let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            let cosine = (r.iter().sum::<f64>() / m) / (norm * uniform_norm);
            angles.push(cosine.clamp(-1.0, 1.0).acos());
        }
        Ok(Outcome::new(Weights::normalized(angles)?))
    }
}
