//! CODAS (COmbinative Distance-based ASsessment, Keshavarz Ghorabaee et al. 2016), as pymcdm
//! 1.4.0: linear scaling by orientation (x / max, min / x for costs), weighted; Euclidean E and
//! taxicab T distances from the negative-ideal (column minima of the reference rows); the score
//! H_i = sum_k (E_i - E_k) + psi(E_i - E_k) (T_i - T_k) over the reference rows k, psi(x) = 1 when
//! |x| >= tau (higher is better).

use resil_core::{Direction, Error, FittedScorer, Matrix, Outcome, Result, ScoreTable, Scorer, StageContext, Weights};
use serde::{Deserialize, Serialize};

use crate::prescribed::{linear, range, scale, Scaling};

/// Unchecked parameters: tau, the threshold from which taxicab distances count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct CodasParams {
    pub tau: f64,
}

impl Default for CodasParams {
    fn default() -> Self {
        CodasParams { tau: 0.02 }
    }
}

impl CodasParams {
    pub fn check(self) -> Result<Codas> {
        if !(self.tau.is_finite() && self.tau >= 0.0) {
            return Err(Error::param("codas", "tau", format!("must be finite and >= 0, got {}", self.tau)));
        }
        Ok(Codas { tau: self.tau })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Codas {
    tau: f64,
}

/// Fitted: the scalings, weights, negative-ideal and the reference rows' distances.
#[derive(Debug, Clone)]
pub struct FittedCodas {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    negative_ideal: Vec<f64>,
    reference: Vec<(f64, f64)>,
    tau: f64,
}

impl FittedCodas {
    /// Euclidean and taxicab distances of each row of `data` from the negative-ideal.
    fn distances(&self, data: &Matrix) -> Vec<(f64, f64)> {
        let weighted: Vec<Vec<f64>> = scale(data, &self.scalings)
            .into_iter()
            .zip(&self.weights)
            .map(|(c, w)| c.iter().map(|x| x * w).collect())
            .collect();
        (0..data.nrows())
            .map(|i| {
                let gaps = weighted.iter().zip(&self.negative_ideal).map(|(c, nis)| c[i] - nis);
                gaps.fold((0.0, 0.0), |(e, t), g| (e + g * g, t + g.abs()))
            })
            .map(|(e2, t)| (e2.sqrt(), t))
            .collect()
    }
}

impl Scorer for Codas {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let scalings = linear("codas", reference, cx)?;
        let negative_ideal = scale(reference, &scalings).iter().zip(&weights.0).map(|(c, w)| range(c).0 * w).collect();
        let mut fitted =
            FittedCodas { scalings, weights: weights.0.clone(), negative_ideal, reference: Vec::new(), tau: self.tau };
        fitted.reference = fitted.distances(reference);
        Ok(Outcome::new(Box::new(fitted)))
    }
}

impl FittedScorer for FittedCodas {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let score = self
            .distances(data)
            .iter()
            .map(|&(e, t)| {
                self.reference
                    .iter()
                    .map(|&(ek, tk)| (e - ek) + if (e - ek).abs() >= self.tau { t - tk } else { 0.0 })
                    .sum()
            })
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("negative_ideal".into(), self.negative_ideal.clone())]
    }
}
