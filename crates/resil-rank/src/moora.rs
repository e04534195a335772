//! MOORA (ratio system, Brauers & Zavadskas 2006), as pymcdm 1.4.0: vector normalisation of the
//! raw columns over the reference rows, weighted; the score is the sum over benefit criteria
//! minus the sum over cost criteria (higher is better). pymcdm refuses a matrix without a cost
//! criterion; resil scores it (the sum over the benefit criteria).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MooraParams {}

impl MooraParams {
    pub fn check(self) -> Result<Moora> {
        Ok(Moora)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Moora;

/// Fitted: each column's signed weight over its Euclidean norm.
#[derive(Debug, Clone)]
pub struct FittedMoora {
    factors: Vec<f64>,
}

impl Scorer for Moora {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let mut factors = Vec::new();
            for (j, c) in columns.iter().enumerate() {
                let norm = c.sum_squares.sqrt();
                if !(norm.is_finite() && norm > 0.0) {
                    return Err(Error::data(
                        format!("moora: {}", cx.indicator(j)),
                        "is all zeros or not finite: no vector norm",
                    ));
                }
                let sign = if cx.orientation[j] == Polarity::Cost { -1.0 } else { 1.0 };
                factors.push(sign * weights[j] / norm);
            }
            let fitted: Box<dyn FittedScorer> = Box::new(FittedMoora { factors });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "moora", positive: false, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedMoora {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let score =
            (0..data.nrows()).map(|i| (0..data.ncols()).map(|j| self.factors[j] * data.get(i, j)).sum()).collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }
}
