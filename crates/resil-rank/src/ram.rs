//! RAM (Root Assessment Method, Sotoudeh-Anvari 2023), as pymcdm 1.4.0: sum normalisation of the
//! raw columns over the reference rows, weighted; S+ and S- the sums over benefit and cost
//! criteria; the score is (2 + S+)^(1 / (2 + S-)) (higher is better).

use resil_core::{
    Direction, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{scale, Scaling, Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RamParams {}

impl RamParams {
    pub fn check(self) -> Result<Ram> {
        Ok(Ram)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Ram;

/// Fitted: the column scalings, the weights and which columns are costs.
#[derive(Debug, Clone)]
pub struct FittedRam {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    cost: Vec<bool>,
}

impl Scorer for Ram {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            // Sum normalisation of every column as it is (RAM reads the direction in S+ and S-).
            let scalings = columns.iter().map(|c| Scaling::Sum { sum: c.sum, cost: false }).collect();
            let cost = cx.orientation.iter().map(|&p| p == Polarity::Cost).collect();
            let fitted: Box<dyn FittedScorer> = Box::new(FittedRam { scalings, weights: weights.to_vec(), cost });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "ram", positive: true, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedRam {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let (mut plus, mut minus) = (vec![0.0; data.nrows()], vec![0.0; data.nrows()]);
        for (j, c) in columns.iter().enumerate() {
            let target = if self.cost[j] { &mut minus } else { &mut plus };
            for (i, r) in c.iter().enumerate() {
                target[i] += self.weights[j] * r;
            }
        }
        let score = plus.iter().zip(&minus).map(|(p, m)| (2.0 + p).powf(1.0 / (2.0 + m))).collect();
        Ok(Outcome::new(ScoreTable {
            score,
            extras: vec![("s_plus".into(), plus), ("s_minus".into(), minus)],
            direction: Direction::HigherIsBetter,
        }))
    }
}
