//! MABAC (Multi-Attributive Border Approximation area Comparison, Pamucar & Cirovic 2015), as
//! pymcdm 1.4.0: min-max scaling by orientation, V = w (r + 1), the border approximation area
//! G_j = (prod_i V_ij)^(1/n) over the reference rows, and the score sum_j (V_ij - G_j) (higher is
//! better).

use resil_core::{Direction, FittedScorer, Matrix, Outcome, Result, ScoreTable, Scorer, StageContext, Weights};
use serde::{Deserialize, Serialize};

use crate::prescribed::{minmax, scale, Scaling};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MabacParams {}

impl MabacParams {
    pub fn check(self) -> Result<Mabac> {
        Ok(Mabac)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Mabac;

/// Fitted: the column scalings, the weights and the border approximation area.
#[derive(Debug, Clone)]
pub struct FittedMabac {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    border: Vec<f64>,
}

impl Scorer for Mabac {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let scalings = minmax(reference, cx);
        let n = reference.nrows() as f64;
        let border = scale(reference, &scalings)
            .iter()
            .zip(&weights.0)
            .map(|(c, w)| (c.iter().map(|r| (w * (r + 1.0)).ln()).sum::<f64>() / n).exp())
            .collect();
        Ok(Outcome::new(Box::new(FittedMabac { scalings, weights: weights.0.clone(), border })))
    }
}

impl FittedScorer for FittedMabac {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let score = (0..data.nrows())
            .map(|i| (0..columns.len()).map(|j| self.weights[j] * (columns[j][i] + 1.0) - self.border[j]).sum())
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("border_area".into(), self.border.clone())]
    }
}
