//! MARCOS (Measurement of Alternatives and Ranking according to COmpromise Solution, Stevic et
//! al. 2020), as pymcdm 1.4.0: the ideal (AI) and anti-ideal (AAI) of the reference rows by
//! orientation, n = x / AI (AI / x for costs), S = sum_j w_j n_j, utility degrees K- = S / S_AAI
//! and K+ = S / S_AI, and f(K) = (K+ + K-) / (1 + (1 - f(K+)) / f(K+) + (1 - f(K-)) / f(K-)) with
//! f(K+) = K- / (K+ + K-), f(K-) = K+ / (K+ + K-) (higher is better).

use resil_core::{
    Direction, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MarcosParams {}

impl MarcosParams {
    pub fn check(self) -> Result<Marcos> {
        Ok(Marcos)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Marcos;

/// Fitted: per column the ideal and whether it is a cost; the weights; S of AI and AAI.
#[derive(Debug, Clone)]
pub struct FittedMarcos {
    ideal: Vec<f64>,
    anti_ideal: Vec<f64>,
    cost: Vec<bool>,
    weights: Vec<f64>,
    s_ideal: f64,
    s_anti_ideal: f64,
}

impl FittedMarcos {
    fn utility_sum(&self, row: impl Iterator<Item = f64>) -> f64 {
        row.enumerate()
            .map(|(j, x)| self.weights[j] * if self.cost[j] { self.ideal[j] / x } else { x / self.ideal[j] })
            .sum()
    }
}

impl Scorer for Marcos {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let cost: Vec<bool> = cx.orientation.iter().map(|p| *p == Polarity::Cost).collect();
            let ideal = columns.iter().zip(&cost).map(|(c, &is_cost)| if is_cost { c.min } else { c.max }).collect();
            let anti_ideal =
                columns.iter().zip(&cost).map(|(c, &is_cost)| if is_cost { c.max } else { c.min }).collect();
            let mut fitted =
                FittedMarcos { ideal, anti_ideal, cost, weights: weights.to_vec(), s_ideal: 0.0, s_anti_ideal: 0.0 };
            fitted.s_ideal = fitted.utility_sum(fitted.ideal.clone().into_iter());
            fitted.s_anti_ideal = fitted.utility_sum(fitted.anti_ideal.clone().into_iter());
            let fitted: Box<dyn FittedScorer> = Box::new(fitted);
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "marcos", positive: true, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedMarcos {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let score = (0..data.nrows())
            .map(|i| {
                let s = self.utility_sum(data.row(i).iter().copied());
                let (k_neg, k_pos) = (s / self.s_anti_ideal, s / self.s_ideal);
                let (f_pos, f_neg) = (k_neg / (k_pos + k_neg), k_pos / (k_pos + k_neg));
                (k_pos + k_neg) / (1.0 + (1.0 - f_pos) / f_pos + (1.0 - f_neg) / f_neg)
            })
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("ideal".into(), self.ideal.clone()), ("anti_ideal".into(), self.anti_ideal.clone())]
    }
}

#[cfg(test)]
mod tests {
    use resil_core::Polarity::{Benefit, Cost};

    #[test]
    fn stevic_2020_example_as_printed_by_pymcdm() {
        // pymcdm 1.4.0's MARCOS docstring (the supplier selection example of Stevic et al. 2020),
        // printed to 4 decimals.
        let rows = vec![
            vec![660.0, 1000.0, 1600.0, 18.0, 1200.0],
            vec![800.0, 1000.0, 1600.0, 24.0, 900.0],
            vec![980.0, 1000.0, 2500.0, 24.0, 900.0],
            vec![920.0, 1500.0, 1600.0, 24.0, 900.0],
            vec![1380.0, 1500.0, 1500.0, 24.0, 1150.0],
            vec![1230.0, 1000.0, 1600.0, 24.0, 1150.0],
            vec![680.0, 1500.0, 1600.0, 18.0, 1100.0],
            vec![960.0, 2000.0, 1600.0, 12.0, 1150.0],
        ];
        let scores = crate::prescribed::score_rows(
            &super::Marcos,
            &rows,
            &[Cost, Benefit, Benefit, Benefit, Benefit],
            &[0.1061, 0.3476, 0.3330, 0.1185, 0.0949],
        );
        let printed = [0.5649, 0.5543, 0.6410, 0.6174, 0.6016, 0.5453, 0.6282, 0.6543];
        for (s, p) in scores.iter().zip(printed) {
            assert!((s - p).abs() < 5e-5, "{scores:?}");
        }
    }
}
