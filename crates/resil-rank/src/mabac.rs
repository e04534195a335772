//! MABAC (Multi-Attributive Border Approximation area Comparison, Pamucar & Cirovic 2015), as
//! pymcdm 1.4.0: min-max scaling by orientation, V = w (r + 1), the border approximation area
//! G_j = (prod_i V_ij)^(1/n) over the reference rows, and the score sum_j (V_ij - G_j) (higher is
//! better).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{fold_summaries, scale, summaries, Scaling, SUMMARY_SLOTS};
use resil_core::chunked::{ChunkedFit, Merge, PassState};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MabacParams {}

impl MabacParams {
    pub fn check(self) -> Result<Mabac> {
        Ok(Mabac)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Mabac;

/// Fitted: the column scalings, the weights and the border approximation area.
#[derive(Debug, Clone)]
pub struct FittedMabac {
    scalings: Vec<Scaling>,
    weights: Vec<f64>,
    border: Vec<f64>,
}

impl Scorer for Mabac {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(MabacFit { weights: weights.as_slice() }))
    }
}

/// MABAC over chunks of rows, in two passes: each column's summary (its extremes scale it); then
/// the sums of ln V = ln(w (r + 1)), whose mean is the log of the border approximation area.
struct MabacFit<'a> {
    weights: &'a [f64],
}

impl MabacFit<'_> {
    fn scalings(&self, columns: &PassState, cx: &StageContext<'_>) -> Vec<Scaling> {
        summaries(columns, self.weights.len())
            .iter()
            .enumerate()
            .map(|(j, c)| c.minmax(cx.orientation[j] == Polarity::Cost))
            .collect()
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for MabacFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec(), vec![Merge::Sum]]
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
            return fold_summaries("mabac", false, chunk, first_row, state, cx);
        }
        let logs = scale(chunk, &self.scalings(&done[0], cx));
        for (j, (c, w)) in logs.iter().zip(self.weights).enumerate() {
            state.add(j, 0, c.iter().map(|r| (w * (r + 1.0)).ln()).sum::<f64>());
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("mabac", "weights, orientation and columns differ in length"));
        }
        let n = summaries(&states[0], self.weights.len()).first().map_or(0, |c| c.rows) as f64;
        let border = (0..self.weights.len()).map(|j| (states[1].get(j, 0) / n).exp()).collect();
        let scalings = self.scalings(&states[0], cx);
        Ok(Outcome::new(Box::new(FittedMabac { scalings, weights: self.weights.to_vec(), border })))
    }
}

impl FittedScorer for FittedMabac {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = scale(data, &self.scalings);
        let score = (0..data.nrows())
            .map(|i| (0..columns.len()).map(|j| self.weights[j] * (columns[j][i] + 1.0) - self.border[j]).sum())
            .collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("border_area".into(), self.border.clone())]
    }
}
