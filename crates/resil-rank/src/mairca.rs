//! MAIRCA (MultiAttributive Ideal-Real Comparative Analysis, Pamucar et al. 2014), as pymcdm
//! 1.4.0: theoretical ratings T_p = w / n (n the reference rows), real ratings T_r = r T_p with r
//! the min-max scaling by orientation, and the total gap sum_j (T_p - T_r): lower is better.

use resil_core::{
    Direction, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{scale, Scaling, Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

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
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let n = columns.first().map_or(0, |c| c.rows) as f64;
            let theoretical = weights.iter().map(|w| w / n).collect();
            let scalings =
                columns.iter().enumerate().map(|(j, c)| c.minmax(cx.orientation[j] == Polarity::Cost)).collect();
            let fitted: Box<dyn FittedScorer> = Box::new(FittedMairca { scalings, theoretical });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "mairca", positive: false, weights: weights.as_slice(), build }))
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
