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
    /// Ties share the mean of the ranks they span (1, 2.5, 2.5, 4).
    Average,
    /// Ties share a rank and the next rank follows on (1, 2, 2, 3).
    Dense,
}

/// Ranks of `scores` (1 = best) in the given direction. NaN scores rank last.
pub fn rank(scores: &[f64], direction: Direction, ties: TiePolicy) -> Vec<f64> {
    let (order, row_mask) = ranking_order(scores, direction);
    let row = |p: usize| (order[p] & row_mask) as usize;
    // Keys whose bits above the row differ hold different scores, so the scores themselves (a
    // random read each, at 1e6 rows most of this function's time) are compared only within
    // runs of equal top bits.
    let top = |p: usize| order[p] & !row_mask;
    let tied = |p: usize, q: usize| top(p) == top(q) && scores[row(p)].total_cmp(&scores[row(q)]).is_eq();
    let mut ranks = vec![0.0; scores.len()];
    let mut start = 0;
    let mut dense = 0.0;
    while start < order.len() {
        let end = (start + 1..order.len()).find(|&p| !tied(p, start)).unwrap_or(order.len());
        dense += 1.0;
        let r = match ties {
            TiePolicy::Min => start as f64 + 1.0,
            TiePolicy::Average => (start + end + 1) as f64 / 2.0,
            TiePolicy::Dense => dense,
        };
        for p in start..end {
            ranks[row(p)] = r;
        }
        start = end;
    }
    ranks
}

/// The rows in ranking order: NaN last, then the score in the direction's order
/// (`f64::total_cmp`), then the row. Each row is one u64 (the row in its low bits, returned mask),
/// sorted as integers on every core, not by looking rows up: above the row's bits sits the top of
/// the score's place in that order, so the integer sort is the ranking order except among rows
/// whose scores share those top bits, which are then put in order by the comparator. 8 bytes a
/// row (160 MB for 2e7 rows).
fn ranking_order(scores: &[f64], direction: Direction) -> (Vec<u64>, u64) {
    use rayon::prelude::*;
    let row_bits = (u64::BITS - (scores.len() as u64).saturating_sub(1).leading_zeros()).max(1);
    let row_mask = (1u64 << row_bits) - 1;
    let directed = |v: f64| match direction {
        Direction::HigherIsBetter => -v,
        Direction::LowerIsBetter => v,
    };
    let place = |v: f64| {
        let bits = directed(v).to_bits();
        let ordered = if bits >> 63 == 1 { !bits } else { bits | 1 << 63 };
        (u64::from(v.is_nan()) << 63) | (ordered >> 1)
    };
    let mut keys: Vec<u64> = scores.par_iter().enumerate().map(|(i, &v)| (place(v) & !row_mask) | i as u64).collect();
    keys.par_sort_unstable();
    let row = |key: u64| (key & row_mask) as usize;
    let exact = |a: &u64, b: &u64| {
        let (x, y) = (scores[row(*a)], scores[row(*b)]);
        x.is_nan().cmp(&y.is_nan()).then(directed(x).total_cmp(&directed(y))).then(row(*a).cmp(&row(*b)))
    };
    let mut start = 0;
    while start < keys.len() {
        let top = keys[start] & !row_mask;
        let end = keys[start..].iter().position(|k| k & !row_mask != top).map_or(keys.len(), |p| start + p);
        if end - start > 1 {
            keys[start..end].sort_unstable_by(exact);
        }
        start = end;
    }
    (keys, row_mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranking by a comparator on the rows (NaN last, the total order of the directed
    /// score, then the row), as `rank` did before its integer keys.
    fn by_comparator(scores: &[f64], direction: Direction, ties: TiePolicy) -> Vec<f64> {
        let key = |v: f64| if direction == Direction::HigherIsBetter { -v } else { v };
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (scores[a], scores[b]);
            x.is_nan().cmp(&y.is_nan()).then(key(x).total_cmp(&key(y))).then(a.cmp(&b))
        });
        let mut ranks = vec![0.0; scores.len()];
        let (mut start, mut dense) = (0, 0.0);
        while start < order.len() {
            let v = scores[order[start]];
            let end = (start..order.len()).find(|&p| scores[order[p]].total_cmp(&v).is_ne()).unwrap_or(order.len());
            dense += 1.0;
            let r = match ties {
                TiePolicy::Min => start as f64 + 1.0,
                TiePolicy::Average => (start + end + 1) as f64 / 2.0,
                TiePolicy::Dense => dense,
            };
            order[start..end].iter().for_each(|&i| ranks[i] = r);
            start = end;
        }
        ranks
    }

    proptest::proptest! {
        /// The integer sort keys rank as the comparator does: ties, signed zeros, infinities
        /// and NaNs of either sign included.
        #[test]
        fn integer_keys_rank_as_the_comparator(
            picks in proptest::collection::vec(0usize..16, 0..200),
            reals in proptest::collection::vec(-1e6f64..1e6, 12),
        ) {
            let specials = [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -f64::NAN, f64::MIN_POSITIVE, 5e-324];
            // Neighbours one ulp apart share the keys' top bits: the comparator orders them.
            let close = [0.5, f64::from_bits(0.5f64.to_bits() + 1), -0.5, f64::from_bits((-0.5f64).to_bits() + 1)];
            let pool: Vec<f64> = specials.iter().chain(&close).copied().chain(reals.into_iter().take(4)).collect();
            let s: Vec<f64> = picks.iter().map(|&k| pool[k]).collect();
            for ties in [TiePolicy::Min, TiePolicy::Average, TiePolicy::Dense] {
                for d in [Direction::HigherIsBetter, Direction::LowerIsBetter] {
                    proptest::prop_assert_eq!(rank(&s, d, ties), by_comparator(&s, d, ties));
                }
            }
        }
    }

    #[test]
    fn tie_policies_in_both_directions() {
        let s = [0.2, 0.9, 0.5, 0.9];
        assert_eq!(rank(&s, Direction::HigherIsBetter, TiePolicy::Min), vec![4.0, 1.0, 3.0, 1.0]);
        assert_eq!(rank(&s, Direction::HigherIsBetter, TiePolicy::Average), vec![4.0, 1.5, 3.0, 1.5]);
        assert_eq!(rank(&s, Direction::HigherIsBetter, TiePolicy::Dense), vec![3.0, 1.0, 2.0, 1.0]);
        assert_eq!(rank(&s, Direction::LowerIsBetter, TiePolicy::Min), vec![1.0, 3.0, 2.0, 3.0]);
        assert_eq!(rank(&[f64::NAN, 1.0], Direction::HigherIsBetter, TiePolicy::Min), vec![2.0, 1.0]);
    }

    proptest::proptest! {
        #[test]
        fn average_ranks_sum_to_n_n_plus_1_over_2(s in proptest::collection::vec(0u8..5, 1..30)) {
            let s: Vec<f64> = s.into_iter().map(f64::from).collect();
            let r = rank(&s, Direction::HigherIsBetter, TiePolicy::Average);
            let n = s.len() as f64;
            proptest::prop_assert!((r.iter().sum::<f64>() - n * (n + 1.0) / 2.0).abs() < 1e-9);
        }
    }
}
