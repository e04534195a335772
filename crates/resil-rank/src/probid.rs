//! PROBID (Preference Ranking On the Basis of Ideal-average Distance, Wang et al. 2021) and its
//! simpler form SPROBID, as pymcdm 1.4.0: vector normalisation (no cost flip), weighted; the
//! m positive ideal solutions are each column's reference values sorted from best to worst by
//! orientation; a row's distances S_k to each of them and S_avg to their average.
//! PROBID: with h = ceil(m / 2), S+ = sum_{k=1..h} S_k / k, S- = sum_{k=h..m} S_k / (m - k + 1),
//! R = S+ / S-, score 1 / (1 + R^2) + S_avg. SPROBID: S+ and S- over the best and worst quarters
//! (the first and last ideal alone when m < 4), score S- / S+. Higher is better for both. A row
//! on the best ideals (S+ = 0) has no defined ratio: an error here, inf or NaN in pymcdm.
//! pymcdm's SPROBID with m < 4 takes the first alternative's distances (`Si[0]`, a row) where
//! the definition takes each alternative's distance to the first ideal: resil follows the
//! definition there (docs/methods.md).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// Unchecked parameters of PROBID (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProbidParams {}

impl ProbidParams {
    pub fn check(self) -> Result<Probid> {
        Ok(Probid { simple: false })
    }
}

/// Unchecked parameters of SPROBID (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SprobidParams {}

impl SprobidParams {
    pub fn check(self) -> Result<Probid> {
        Ok(Probid { simple: true })
    }
}

/// The checked method: PROBID, or SPROBID when `simple`.
#[derive(Debug, Clone)]
pub struct Probid {
    simple: bool,
}

impl Probid {
    fn name(&self) -> &'static str {
        if self.simple {
            "sprobid"
        } else {
            "probid"
        }
    }
}

/// Fitted: the column norms, the weights, the ideal solutions (best first) and their average.
#[derive(Debug, Clone)]
pub struct FittedProbid {
    norms: Vec<f64>,
    weights: Vec<f64>,
    ideals: Vec<Vec<f64>>,
    average: Vec<f64>,
    simple: bool,
}

impl Scorer for Probid {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let norms: Vec<f64> = reference.columns().map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt()).collect();
        if let Some(j) = norms.iter().position(|n| *n == 0.0) {
            return Err(Error::data(
                format!("{}: {}", self.name(), cx.indicator(j)),
                "every value is 0: vector normalisation divides by the column's norm",
            ));
        }
        let m = reference.nrows();
        // Column j sorted best first: descending for a benefit, ascending for a cost.
        let sorted: Vec<Vec<f64>> = reference
            .columns()
            .enumerate()
            .map(|(j, c)| {
                let mut v: Vec<f64> = c.iter().map(|x| x / norms[j] * weights.0[j]).collect();
                v.sort_by(f64::total_cmp);
                if cx.orientation[j] != Polarity::Cost {
                    v.reverse();
                }
                v
            })
            .collect();
        let ideals: Vec<Vec<f64>> = (0..m).map(|k| sorted.iter().map(|c| c[k]).collect()).collect();
        let average = sorted.iter().map(|c| c.iter().sum::<f64>() / m as f64).collect();
        Ok(Outcome::new(Box::new(FittedProbid {
            norms,
            weights: weights.0.clone(),
            ideals,
            average,
            simple: self.simple,
        })))
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

impl FittedScorer for FittedProbid {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let m = self.ideals.len();
        let score: Vec<f64> = (0..data.nrows())
            .map(|i| {
                let row: Vec<f64> =
                    data.row(i).iter().enumerate().map(|(j, x)| x / self.norms[j] * self.weights[j]).collect();
                // S[k - 1]: the distance to the k-th best ideal, k = 1..m.
                let s: Vec<f64> = self.ideals.iter().map(|ideal| distance(&row, ideal)).collect();
                if self.simple {
                    let (best, worst) = if m >= 4 {
                        let q = m / 4;
                        (
                            (1..=q).map(|k| s[k - 1] / k as f64).sum::<f64>(),
                            (m + 1 - q..=m).map(|k| s[k - 1] / (m - k + 1) as f64).sum::<f64>(),
                        )
                    } else {
                        (s[0], s[m - 1])
                    };
                    worst / best
                } else {
                    let half = m.div_ceil(2);
                    let best: f64 = (1..=half).map(|k| s[k - 1] / k as f64).sum();
                    let worst: f64 = (half..=m).map(|k| s[k - 1] / (m - k + 1) as f64).sum();
                    let ratio = best / worst;
                    1.0 / (1.0 + ratio * ratio) + distance(&row, &self.average)
                }
            })
            .collect();
        // A row on the best ideals has S+ = 0; with one alternative S+ = S- = 0: the ratio is
        // undefined (pymcdm returns inf or NaN).
        if let Some(i) = score.iter().position(|s| !s.is_finite()) {
            return Err(Error::row(
                if self.simple { "sprobid" } else { "probid" },
                i,
                None,
                "the row lies on the best positive ideals (S+ = 0): the score's ratio is undefined; use more alternatives or another scorer",
            ));
        }
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("average_ideal".into(), self.average.clone())]
    }
}
