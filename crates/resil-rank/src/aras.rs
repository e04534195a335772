//! ARAS (Additive Ratio Assessment, Zavadskas & Turskis 2010), as pymcdm 1.4.0: an optimal
//! alternative (each column's best value over the reference rows) joins the matrix, every column
//! is sum-normalised over the reference rows and the optimum (costs by their reciprocals), and the
//! score is the utility degree K_i = S_i / S_0 of the weighted sums (higher is better).

use resil_core::{
    Direction, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{positive, range, scale, Scaling};

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
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        positive("aras", reference, cx)?;
        let mut scalings = Vec::new();
        let mut optimum = Vec::new();
        for (j, c) in reference.columns().enumerate() {
            let cost = cx.orientation[j] == Polarity::Cost;
            let (lo, hi) = range(c);
            let best = if cost { lo } else { hi };
            let sum: f64 =
                if cost { c.iter().map(|x| 1.0 / x).sum::<f64>() + 1.0 / best } else { c.iter().sum::<f64>() + best };
            scalings.push(Scaling::Sum { sum, cost });
            optimum.push(best);
        }
        let s0 = optimum.iter().zip(&scalings).zip(&weights.0).map(|((&x, s), w)| w * s.apply(x)).sum();
        Ok(Outcome::new(Box::new(FittedAras { scalings, weights: weights.0.clone(), s0 })))
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
