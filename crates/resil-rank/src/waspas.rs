//! WASPAS (Weighted Aggregated Sum Product Assessment, Zavadskas et al. 2012), as pymcdm 1.4.0:
//! linear scaling by orientation (x / max, min / x for costs) over the reference rows, then
//! lambda * sum_j w_j r_ij + (1 - lambda) * prod_j r_ij^w_j (higher is better).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{scale, Scaling, Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters: lambda, the weight of the sum against the product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WaspasParams {
    pub lambda: f64,
}

impl Default for WaspasParams {
    fn default() -> Self {
        WaspasParams { lambda: 0.5 }
    }
}

impl WaspasParams {
    pub fn check(self) -> Result<Waspas> {
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(Error::param("waspas", "lambda", format!("must be in [0, 1], got {}", self.lambda)));
        }
        Ok(Waspas { lambda: self.lambda })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Waspas {
    lambda: f64,
}

/// Fitted: the column scalings, the weights and lambda.
#[derive(Debug, Clone)]
pub struct FittedWaspas {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    lambda: f64,
}

impl Scorer for Waspas {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = move |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let scalings =
                columns.iter().enumerate().map(|(j, c)| c.linear(cx.orientation[j] == Polarity::Cost)).collect();
            let fitted: Box<dyn FittedScorer> =
                Box::new(FittedWaspas { scalings, weights: weights.to_vec(), lambda: self.lambda });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "waspas", positive: true, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedWaspas {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let (mut sum, mut product) = (vec![0.0; data.nrows()], vec![1.0; data.nrows()]);
        for (c, w) in columns.iter().zip(&self.weights) {
            for (i, r) in c.iter().enumerate() {
                sum[i] += w * r;
                product[i] *= r.powf(*w);
            }
        }
        let score = sum.iter().zip(&product).map(|(s, p)| self.lambda * s + (1.0 - self.lambda) * p).collect();
        Ok(Outcome::new(ScoreTable {
            score,
            extras: vec![("wsm".into(), sum), ("wpm".into(), product)],
            direction: Direction::HigherIsBetter,
        }))
    }
}
