//! CoCoSo (Combined Compromise Solution, Yazdani et al. 2019), as pymcdm 1.4.0: min-max scaling
//! by orientation, S = sum_j w_j r_ij and P = sum_j r_ij^w_j, three appraisal scores
//! k_a = (P + S) / sum(P + S), k_b = S / min S + P / min P,
//! k_c = (lambda S + (1 - lambda) P) / (lambda max S + (1 - lambda) max P) (sums, minima and maxima
//! over the reference rows), and the score (k_a k_b k_c)^(1/3) + (k_a + k_b + k_c) / 3 (higher is
//! better).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{fold_summaries, scale, summaries, Scaling, SUMMARY_SLOTS};
use resil_core::chunked::{ChunkedFit, Merge, PassState};

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
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(CocosoFit { cocoso: self, weights: weights.as_slice() }))
    }
}

/// CoCoSo over chunks of rows, in two passes: each column's summary (its extremes scale it); then
/// the sum of S + P over the rows and the extremes of S and P.
struct CocosoFit<'a> {
    cocoso: &'a Cocoso,
    weights: &'a [f64],
}

impl CocosoFit<'_> {
    /// CoCoSo fitted as far as the first pass's state goes (its reference sums still 0).
    fn fitted(&self, columns: &PassState, cx: &StageContext<'_>) -> FittedCocoso {
        let scalings = summaries(columns, self.weights.len())
            .iter()
            .enumerate()
            .map(|(j, c)| c.minmax(cx.orientation[j] == Polarity::Cost))
            .collect();
        FittedCocoso { scalings, weights: self.weights.to_vec(), lambda: self.cocoso.lambda, reference: [0.0; 5] }
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for CocosoFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec(), vec![Merge::Sum, Merge::Min, Merge::Min, Merge::Max, Merge::Max]]
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        if pass == 0 {
            return fold_summaries("cocoso", false, chunk, first_row, state, cx);
        }
        let (s, p) = self.fitted(&done[0], cx).sums(chunk);
        state.add(0, 0, s.iter().zip(&p).map(|(a, b)| a + b).sum());
        for (a, b) in s.iter().zip(&p) {
            [*a, *b, *a, *b].iter().enumerate().for_each(|(slot, v)| state.add(0, slot + 1, *v));
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("cocoso", "weights, orientation and columns differ in length"));
        }
        let r = &states[1];
        let reference = [r.get(0, 0), r.get(0, 1), r.get(0, 2), r.get(0, 3), r.get(0, 4)];
        if reference[1] <= 0.0 || reference[2] <= 0.0 {
            return Err(Error::data(
                "cocoso",
                "an alternative is the worst on every criterion (S or P is 0): k_b divides by the smallest S and P",
            ));
        }
        let mut fitted = self.fitted(&states[0], cx);
        fitted.reference = reference;
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
