//! Ranks of scores, 1 = best, with an explicit tie policy.

use resil_core::Direction;
use serde::{Deserialize, Serialize};

/// How tied scores are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TiePolicy {
    /// Ties share the best rank of their block (1, 2, 2, 4): competition ranking.
    #[default]
    Min,
}

/// Ranks of `scores` (1 = best) in the given direction. NaN scores rank last.
pub fn rank(scores: &[f64], direction: Direction, ties: TiePolicy) -> Vec<usize> {
    let key = |v: f64| match direction {
        Direction::HigherIsBetter => -v,
        Direction::LowerIsBetter => v,
    };
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (scores[a], scores[b]);
        x.is_nan().cmp(&y.is_nan()).then(key(x).total_cmp(&key(y))).then(a.cmp(&b))
    });
    let mut ranks = vec![0; scores.len()];
    let TiePolicy::Min = ties;
    for (pos, &i) in order.iter().enumerate() {
        let tied_with_previous = pos > 0 && scores[order[pos - 1]] == scores[i];
        ranks[i] = if tied_with_previous { ranks[order[pos - 1]] } else { pos + 1 };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranking_in_both_directions() {
        assert_eq!(rank(&[0.2, 0.9, 0.5, 0.9], Direction::HigherIsBetter, TiePolicy::Min), vec![4, 1, 3, 1]);
        assert_eq!(rank(&[0.2, 0.9, 0.5, 0.9], Direction::LowerIsBetter, TiePolicy::Min), vec![1, 3, 2, 3]);
        assert_eq!(rank(&[f64::NAN, 1.0], Direction::HigherIsBetter, TiePolicy::Min), vec![2, 1]);
    }
}
