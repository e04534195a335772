//! AROMAN (Alternative Ranking Order Method Accounting for two-step Normalization, Bošković et
//! al. 2023), as pymcdm 1.4.0: each raw column is min-max scaled and vector scaled over the
//! reference rows without regard to its direction, the two averaged as (beta * minmax +
//! (1 - beta) * vector) / 2 and weighted; L sums the cost columns, A the benefit columns, and the
//! score is L^lambda + A^(1 - lambda) (higher is better).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{fold_summaries, summaries, SUMMARY_SLOTS};
use resil_core::chunked::{ChunkedFit, Merge, PassState};

/// Unchecked parameters: beta, the share of min-max scaling in the average, and lambda, the
/// exponent that balances cost against benefit criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct AromanParams {
    pub beta: f64,
    pub lambda: f64,
}

impl Default for AromanParams {
    fn default() -> Self {
        AromanParams { beta: 0.5, lambda: 0.5 }
    }
}

impl AromanParams {
    pub fn check(self) -> Result<Aroman> {
        for (name, v) in [("beta", self.beta), ("lambda", self.lambda)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::param("aroman", name, format!("must be in [0, 1], got {v}")));
            }
        }
        Ok(Aroman { params: self })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Aroman {
    params: AromanParams,
}

/// Fitted: per column its min, max and Euclidean norm over the reference rows, the weights and
/// which columns are costs.
#[derive(Debug, Clone)]
pub struct FittedAroman {
    params: AromanParams,
    columns: Vec<(f64, f64, f64)>,
    weights: Vec<f64>,
    cost: Vec<bool>,
}

impl Scorer for Aroman {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(AromanFit { aroman: self, weights: weights.as_slice() }))
    }
}

/// AROMAN over chunks of rows: one pass of each column's summary (extremes and Euclidean norm),
/// every value checked non-negative.
struct AromanFit<'a> {
    aroman: &'a Aroman,
    weights: &'a [f64],
}

impl ChunkedFit<Box<dyn FittedScorer>> for AromanFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec()]
    }

    fn update(
        &self,
        _pass: usize,
        _done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        if let Some((i, j)) = resil_core::chunked::first_failing_cell(chunk, |_, x| x.is_finite() && x >= 0.0) {
            return Err(Error::data(
                format!("aroman: {}", cx.cell(first_row + i, j)),
                format!(
                    "value {} must be >= 0: AROMAN takes raw non-negative data (normalize = \"none\")",
                    chunk.column(j)[i]
                ),
            ));
        }
        fold_summaries("aroman", false, chunk, first_row, state, cx)
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("aroman", "weights, orientation and columns differ in length"));
        }
        let mut columns = Vec::new();
        for (j, c) in summaries(&states[0], self.weights.len()).iter().enumerate() {
            let norm = c.sum_squares.sqrt();
            if c.max == c.min || norm == 0.0 {
                return Err(Error::data(
                    format!("aroman: {}", cx.indicator(j)),
                    "is constant over the reference rows: its min-max scaling is 0/0",
                ));
            }
            columns.push((c.min, c.max, norm));
        }
        let cost = cx.orientation.iter().map(|&p| p == Polarity::Cost).collect();
        Ok(Outcome::new(Box::new(FittedAroman {
            params: self.aroman.params.clone(),
            columns,
            weights: self.weights.to_vec(),
            cost,
        })))
    }
}

impl FittedScorer for FittedAroman {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let (beta, lambda) = (self.params.beta, self.params.lambda);
        let (mut l, mut a) = (vec![0.0; data.nrows()], vec![0.0; data.nrows()]);
        for (j, c) in data.columns().enumerate() {
            let (min, max, norm) = self.columns[j];
            let target = if self.cost[j] { &mut l } else { &mut a };
            for (i, &x) in c.iter().enumerate() {
                let average = (beta * (x - min) / (max - min) + (1.0 - beta) * x / norm) / 2.0;
                target[i] += self.weights[j] * average;
            }
        }
        if let Some(i) = (0..data.nrows()).find(|&i| l[i] < 0.0 || a[i] < 0.0) {
            return Err(Error::row(
                "aroman",
                i,
                None,
                "lies below the reference rows' minimum: a negative sum has no fractional power",
            ));
        }
        let score = l.iter().zip(&a).map(|(l, a)| l.powf(lambda) + a.powf(1.0 - lambda)).collect();
        Ok(Outcome::new(ScoreTable {
            score,
            extras: vec![("l_cost".into(), l), ("a_benefit".into(), a)],
            direction: Direction::HigherIsBetter,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;

    fn score(rows: &[Vec<f64>], polarity: &[Polarity], w: &[f64], p: AromanParams) -> Vec<f64> {
        crate::fit_and_score(&p.check().unwrap(), rows, polarity, w).unwrap().score
    }

    proptest::proptest! {
        /// Raising a benefit value never lowers a score, raising a cost value never lowers it
        /// either (AROMAN adds cost columns into L, as its paper does), and the score is the
        /// same for the rows it was fitted on in any order.
        #[test]
        fn scores_are_monotone_in_each_column(
            rows in proptest::collection::vec(proptest::collection::vec(1.0f64..100.0, 3), 4..9),
            bump in 0.1f64..10.0,
        ) {
            let polarity = [Polarity::Benefit, Polarity::Cost, Polarity::Benefit];
            let w = [0.5, 0.2, 0.3];
            let m = Matrix::from_rows(&rows);
            let sys = IndicatorSystem::flat(&polarity);
            let Ok(fitted) = AromanParams::default().check().unwrap().fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &polarity)) else {
                return Ok(());
            };
            let base = fitted.value.score(&m).unwrap().value.score;
            for j in 0..3 {
                let mut up = rows.clone();
                up[0][j] += bump;
                let s = fitted.value.score(&Matrix::from_rows(&up)).unwrap().value.score;
                proptest::prop_assert!(s[0] >= base[0] - 1e-12, "column {j}: {} < {}", s[0], base[0]);
            }
            let mut reversed = rows.clone();
            reversed.reverse();
            let r = score(&reversed, &polarity, &w, AromanParams::default());
            proptest::prop_assert!((r[r.len() - 1] - base[0]).abs() < 1e-12);
        }
    }

    #[test]
    fn parameters_outside_zero_one_are_errors() {
        assert!(AromanParams { beta: 1.5, lambda: 0.5 }.check().unwrap_err().to_string().contains("beta"));
        assert!(AromanParams { beta: 0.5, lambda: -0.1 }.check().unwrap_err().to_string().contains("lambda"));
    }
}
