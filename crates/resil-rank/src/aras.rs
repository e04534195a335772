//! ARAS (Additive Ratio Assessment, Zavadskas & Turskis 2010), as pymcdm 1.4.0: an optimal
//! alternative (each column's best value over the reference rows) joins the matrix, every column
//! is sum-normalised over the reference rows and the optimum (costs by their reciprocals), and the
//! score is the utility degree K_i = S_i / S_0 of the weighted sums (higher is better).

use resil_core::{
    Direction, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{scale, Scaling, Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ArasParams {}

impl ArasParams {
    pub fn check(self) -> Result<Aras> {
        Ok(Aras)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Aras;

/// Fitted: the column scalings, the weights and the optimal alternative's weighted sum S_0.
#[derive(Debug, Clone)]
pub struct FittedAras {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    s0: f64,
}

impl Scorer for Aras {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let mut scalings = Vec::new();
            let mut optimum = Vec::new();
            for (j, c) in columns.iter().enumerate() {
                let cost = cx.orientation[j] == Polarity::Cost;
                let best = if cost { c.min } else { c.max };
                let sum = if cost { c.sum_reciprocals + 1.0 / best } else { c.sum + best };
                scalings.push(Scaling::Sum { sum, cost });
                optimum.push(best);
            }
            let s0 = optimum.iter().zip(&scalings).zip(weights).map(|((&x, s), w)| w * s.apply(x)).sum();
            let fitted: Box<dyn FittedScorer> = Box::new(FittedAras { scalings, weights: weights.to_vec(), s0 });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "aras", positive: true, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedAras {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let s: Vec<f64> =
            (0..data.nrows()).map(|i| columns.iter().zip(&self.weights).map(|(c, w)| w * c[i]).sum()).collect();
        let score = s.iter().map(|x| x / self.s0).collect();
        Ok(Outcome::new(ScoreTable { score, extras: vec![("S".into(), s)], direction: Direction::HigherIsBetter }))
    }
}
