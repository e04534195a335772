//! CoCoSo (Combined Compromise Solution, Yazdani et al. 2019), as pymcdm 1.4.0: min-max scaling
//! by orientation, S = sum_j w_j r_ij and P = sum_j r_ij^w_j, three appraisal scores
//! k_a = (P + S) / sum(P + S), k_b = S / min S + P / min P,
//! k_c = (lambda S + (1 - lambda) P) / (lambda max S + (1 - lambda) max P) (sums, minima and maxima
//! over the reference rows), and the score (k_a k_b k_c)^(1/3) + (k_a + k_b + k_c) / 3 (higher is
//! better).

use resil_core::{Direction, Error, FittedScorer, Matrix, Outcome, Result, ScoreTable, Scorer, StageContext, Weights};
use serde::{Deserialize, Serialize};

use crate::prescribed::{minmax, scale, Scaling};

/// Unchecked parameters: lambda, the balance of S against P in k_c.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct CocosoParams {
    pub lambda: f64,
}

impl Default for CocosoParams {
    fn default() -> Self {
        CocosoParams { lambda: 0.5 }
    }
}

impl CocosoParams {
    pub fn check(self) -> Result<Cocoso> {
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(Error::param("cocoso", "lambda", format!("must be in [0, 1], got {}", self.lambda)));
        }
        Ok(Cocoso { lambda: self.lambda })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Cocoso {
    lambda: f64,
}

/// Fitted: scalings, weights, lambda and the reference statistics of S and P.
#[derive(Debug, Clone)]
pub struct FittedCocoso {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    lambda: f64,
    /// sum(P + S), min S, min P, max S, max P over the reference rows.
    reference: [f64; 5],
}

impl FittedCocoso {
    fn sums(&self, data: &Matrix) -> (Vec<f64>, Vec<f64>) {
        let columns = scale(data, &self.scalings);
        let (mut s, mut p) = (vec![0.0; data.nrows()], vec![0.0; data.nrows()]);
        for (c, w) in columns.iter().zip(&self.weights) {
            for (i, r) in c.iter().enumerate() {
                s[i] += w * r;
                p[i] += r.powf(*w);
            }
        }
        (s, p)
    }
}

impl Scorer for Cocoso {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let mut fitted = FittedCocoso {
            scalings: minmax(reference, cx),
            weights: weights.0.clone(),
            lambda: self.lambda,
            reference: [0.0; 5],
        };
        let (s, p) = fitted.sums(reference);
        let (min, max) = (
            |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min),
            |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        if min(&s) <= 0.0 || min(&p) <= 0.0 {
            return Err(Error::data(
                "cocoso",
                "an alternative is the worst on every criterion (S or P is 0): k_b divides by the smallest S and P",
            ));
        }
        fitted.reference = [s.iter().zip(&p).map(|(a, b)| a + b).sum(), min(&s), min(&p), max(&s), max(&p)];
        Ok(Outcome::new(Box::new(fitted)))
    }
}

impl FittedScorer for FittedCocoso {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let (s, p) = self.sums(data);
        let [total, min_s, min_p, max_s, max_p] = self.reference;
        let l = self.lambda;
        let score = s
            .iter()
            .zip(&p)
            .map(|(s, p)| {
                let ka = (p + s) / total;
                let kb = s / min_s + p / min_p;
                let kc = (l * s + (1.0 - l) * p) / (l * max_s + (1.0 - l) * max_p);
                (ka * kb * kc).powf(1.0 / 3.0) + (ka + kb + kc) / 3.0
            })
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }
}
