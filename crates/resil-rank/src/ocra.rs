//! OCRA (Operational Competitiveness RAting, Parkan 1994; Madic et al. 2015), as pymcdm 1.4.0:
//! per criterion (x - min) / min (benefit) or (max - x) / min (cost) over the reference rows,
//! weighted and summed into benefit O and cost I ratings, each shifted to a minimum of 0 over the
//! reference rows, and P = (I + O) shifted likewise (higher is better).

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{fold_summaries, summaries, SUMMARY_SLOTS};
use resil_core::chunked::{ChunkedFit, Merge, PassState};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct OcraParams {}

impl OcraParams {
    pub fn check(self) -> Result<Ocra> {
        Ok(Ocra)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Ocra;

/// Fitted: each column's min, max and orientation, the weights, and the reference minima of the
/// cost rating, the benefit rating and their shifted sum.
#[derive(Debug, Clone)]
pub struct FittedOcra {
    ranges: Vec<(f64, f64)>,
    cost: Vec<bool>,
    weights: Vec<f64>,
    minima: (f64, f64, f64),
}

impl FittedOcra {
    /// The unshifted cost (I) and benefit (O) ratings of each row.
    fn ratings(&self, data: &Matrix) -> Vec<(f64, f64)> {
        (0..data.nrows())
            .map(|i| {
                data.row(i).iter().enumerate().fold((0.0, 0.0), |(cost, benefit), (j, &x)| {
                    let (min, max) = self.ranges[j];
                    if self.cost[j] {
                        (cost + self.weights[j] * (max - x) / min, benefit)
                    } else {
                        (cost, benefit + self.weights[j] * (x - min) / min)
                    }
                })
            })
            .collect()
    }
}

impl Scorer for Ocra {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(OcraFit { weights: weights.as_slice() }))
    }
}

/// OCRA over chunks of rows, in three passes: each column's summary (every value positive);
/// the least cost and benefit ratings over the rows; then the least of their shifted sum.
struct OcraFit<'a> {
    weights: &'a [f64],
}

impl OcraFit<'_> {
    /// OCRA fitted as far as `done` goes (the minima of the passes not done are 0).
    fn fitted(&self, done: &[PassState], cx: &StageContext<'_>) -> FittedOcra {
        let ranges = summaries(&done[0], self.weights.len()).iter().map(|c| (c.min, c.max)).collect();
        let minima = done
            .get(1)
            .map_or((0.0, 0.0, 0.0), |r| (r.get(0, 0), r.get(0, 1), done.get(2).map_or(0.0, |p| p.get(0, 0))));
        FittedOcra {
            ranges,
            cost: cx.orientation.iter().map(|p| *p == Polarity::Cost).collect(),
            weights: self.weights.to_vec(),
            minima,
        }
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for OcraFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec(), vec![Merge::Min, Merge::Min], vec![Merge::Min]]
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
            return fold_summaries("ocra", true, chunk, first_row, state, cx);
        }
        let fitted = self.fitted(done, cx);
        for (i, o) in fitted.ratings(chunk) {
            if pass == 1 {
                state.add(0, 0, i);
                state.add(0, 1, o);
            } else {
                let (min_i, min_o, _) = fitted.minima;
                state.add(0, 0, (i - min_i) + (o - min_o));
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("ocra", "weights, orientation and columns differ in length"));
        }
        Ok(Outcome::new(Box::new(self.fitted(states, cx))))
    }
}

impl FittedScorer for FittedOcra {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let (min_i, min_o, min_p) = self.minima;
        let score = self.ratings(data).iter().map(|(i, o)| (i - min_i) + (o - min_o) - min_p).collect();
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }
}

#[cfg(test)]
mod tests {
    use resil_core::Polarity::{Benefit, Cost};

    #[test]
    fn madic_2015_example_as_printed_by_pymcdm() {
        // pymcdm 1.4.0's OCRA docstring (non-conventional machining processes, Madic et al.
        // 2015), printed to 3 decimals.
        let rows = vec![
            vec![7.7, 256.0, 7.2, 7.3, 7.3],
            vec![8.1, 250.0, 7.9, 7.8, 7.7],
            vec![8.7, 352.0, 8.6, 7.9, 8.0],
            vec![8.1, 262.0, 7.0, 8.1, 7.2],
            vec![6.5, 271.0, 6.3, 6.4, 6.1],
            vec![6.8, 228.0, 7.1, 7.2, 6.5],
        ];
        let scores = crate::prescribed::score_rows(
            &super::Ocra,
            &rows,
            &[Benefit, Cost, Benefit, Benefit, Benefit],
            &[0.239, 0.225, 0.197, 0.186, 0.153],
        );
        let printed = [0.143, 0.210, 0.164, 0.167, 0.0, 0.112];
        for (s, p) in scores.iter().zip(printed) {
            assert!((s - p).abs() < 5e-4, "{scores:?}");
        }
    }
}
