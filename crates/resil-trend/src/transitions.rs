//! Grade transitions between consecutive periods: counts and Markov transition probabilities,
//! and spatial Markov matrices conditioned on the class of the neighbours' spatial lag (Rey 2001,
//! as giddy.markov.Spatial_Markov with given cut-offs). With few units most cells are sparse, so
//! counts always travel with the probabilities and thin rows are flagged.

use serde::Serialize;

/// A k x k transition matrix: row = grade at the start of a step, column = grade at its end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionMatrix {
    /// Counts of unit-steps.
    pub counts: Vec<Vec<usize>>,
    /// Row-normalised counts; `None` for a row without any transition.
    pub probabilities: Vec<Vec<Option<f64>>>,
    /// 0-based rows with fewer than `min_count` transitions: their probabilities rest on little.
    pub sparse_rows: Vec<usize>,
}

impl TransitionMatrix {
    fn from_counts(counts: Vec<Vec<usize>>, min_count: usize) -> Self {
        let totals: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
        let probabilities = counts
            .iter()
            .zip(&totals)
            .map(|(row, &t)| row.iter().map(|&c| (t > 0).then(|| c as f64 / t as f64)).collect())
            .collect();
        let sparse_rows = (0..counts.len()).filter(|&r| totals[r] < min_count).collect();
        TransitionMatrix { counts, probabilities, sparse_rows }
    }

    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }
}

/// Pooled transitions over consecutive periods. `grades[t][u]` is unit u's 1-based grade in
/// period t, for `k` grades.
pub fn transitions(grades: &[Vec<usize>], k: usize, min_count: usize) -> TransitionMatrix {
    let mut counts = vec![vec![0; k]; k];
    for step in grades.windows(2) {
        for (&from, &to) in step[0].iter().zip(&step[1]) {
            counts[from - 1][to - 1] += 1;
        }
    }
    TransitionMatrix::from_counts(counts, min_count)
}

/// One transition matrix per class of the neighbours' lag at the start of each step:
/// `lag_classes[t][u]` is the 1-based class of unit u's spatial lag in period t. Units in
/// `skip` (islands, whose lag is undefined) are left out.
pub fn spatial_markov(
    grades: &[Vec<usize>],
    lag_classes: &[Vec<usize>],
    k: usize,
    min_count: usize,
    skip: &[usize],
) -> Vec<TransitionMatrix> {
    let mut counts = vec![vec![vec![0; k]; k]; k];
    for t in 0..grades.len().saturating_sub(1) {
        for u in 0..grades[t].len() {
            if skip.contains(&u) {
                continue;
            }
            counts[lag_classes[t][u] - 1][grades[t][u] - 1][grades[t + 1][u] - 1] += 1;
        }
    }
    counts.into_iter().map(|c| TransitionMatrix::from_counts(c, min_count)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_probabilities_by_hand() {
        // Three units over three periods: (1,1,2), (2,2,2), (1,2,3) give the steps
        // 1->1, 1->2, 2->2, 2->2, 1->2, 2->3.
        let grades = vec![vec![1, 2, 1], vec![1, 2, 2], vec![2, 2, 3]];
        let m = transitions(&grades, 3, 3);
        assert_eq!(m.counts, vec![vec![1, 2, 0], vec![0, 2, 1], vec![0, 0, 0]]);
        assert_eq!(m.probabilities[0], vec![Some(1.0 / 3.0), Some(2.0 / 3.0), Some(0.0)]);
        assert_eq!(m.probabilities[2], vec![None, None, None]);
        assert_eq!(m.sparse_rows, vec![2]);
        assert_eq!(m.total(), 6);
    }

    #[test]
    fn spatial_markov_splits_by_lag_class_and_sums_to_the_pooled_matrix() {
        let grades = vec![vec![1, 2, 1], vec![1, 2, 2], vec![2, 2, 3]];
        let lags = vec![vec![2, 1, 1], vec![2, 1, 3], vec![1, 1, 1]];
        // Steps with their lag class at the start: u0 1->1 (2), u1 2->2 (1), u2 1->2 (1);
        // u0 1->2 (2), u1 2->2 (1), u2 2->3 (3).
        let by_lag = spatial_markov(&grades, &lags, 3, 1, &[]);
        assert_eq!(by_lag[0].counts, vec![vec![0, 1, 0], vec![0, 2, 0], vec![0, 0, 0]]);
        assert_eq!(by_lag[1].counts, vec![vec![1, 1, 0], vec![0, 0, 0], vec![0, 0, 0]]);
        assert_eq!(by_lag[2].counts, vec![vec![0, 0, 0], vec![0, 0, 1], vec![0, 0, 0]]);
        assert_eq!(spatial_markov(&grades, &lags, 3, 1, &[2])[2].total(), 0, "skipped units leave no steps");
        let pooled = transitions(&grades, 3, 1);
        let sum: Vec<Vec<usize>> =
            (0..3).map(|i| (0..3).map(|j| by_lag.iter().map(|m| m.counts[i][j]).sum()).collect()).collect();
        assert_eq!(sum, pooled.counts);
    }
}
