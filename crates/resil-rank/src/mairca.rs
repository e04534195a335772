//! MAIRCA (MultiAttributive Ideal-Real Comparative Analysis, Pamucar et al. 2014), as pymcdm
//! 1.4.0: theoretical ratings T_p = w / n (n the reference rows), real ratings T_r = r T_p with r
//! the min-max scaling by orientation, and the total gap sum_j (T_p - T_r): lower is better.

use resil_core::{Direction, FittedScorer, Matrix, Outcome, Result, ScoreTable, Scorer, StageContext, Weights};
use serde::{Deserialize, Serialize};

use crate::prescribed::{minmax, scale, Scaling};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MaircaParams {}

impl MaircaParams {
    pub fn check(self) -> Result<Mairca> {
        Ok(Mairca)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Mairca;

/// Fitted: the column scalings and the theoretical ratings w / n.
#[derive(Debug, Clone)]
pub struct FittedMairca {
    scalings: Vec<Scaling>,
    theoretical: Vec<f64>,
}

impl Scorer for Mairca {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let n = reference.nrows() as f64;
        let theoretical = weights.0.iter().map(|w| w / n).collect();
        Ok(Outcome::new(Box::new(FittedMairca { scalings: minmax(reference, cx), theoretical })))
    }
}

impl FittedScorer for FittedMairca {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let score = (0..data.nrows())
            .map(|i| (0..columns.len()).map(|j| self.theoretical[j] - columns[j][i] * self.theoretical[j]).sum())
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::LowerIsBetter }))
    }
}
