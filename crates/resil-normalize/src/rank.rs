//! Rank normalisation: r = the value's rank among the reference values (average ranks for ties),
//! reversed for cost columns so that a higher rank is better. It needs each column's sorted
//! values, so it has no fit over chunks (docs/scale.md).

use resil_core::{FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Unchecked `rank` parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RankParams {}

impl RankParams {
    pub fn check(self) -> Result<Rank> {
        Ok(Rank {})
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Rank {}

/// Ranks fitted on a reference: its sorted values, per column.
#[derive(Debug, Clone)]
pub struct FittedRank {
    sorted: Vec<Vec<f64>>,
    reverse: Vec<bool>,
    orientation: Vec<Polarity>,
}

impl Normalizer for Rank {
    fn fit(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let sorted = reference
            .columns()
            .map(|col| {
                let mut s = col.to_vec();
                s.sort_by(f64::total_cmp);
                s
            })
            .collect();
        Ok(Outcome::new(Box::new(FittedRank {
            sorted,
            reverse: cx.orientation.iter().map(|&p| p == Polarity::Cost).collect(),
            orientation: vec![Polarity::Benefit; cx.orientation.len()],
        })))
    }
}

/// Average 1-based rank of `x` among sorted `reference` values (ties share the mean position).
fn rank_in(sorted: &[f64], x: f64) -> f64 {
    let below = sorted.partition_point(|&v| v < x);
    let equal = sorted[below..].partition_point(|&v| v == x);
    below as f64 + (equal as f64 + 1.0) / 2.0
}

impl FittedNormalizer for FittedRank {
    fn transform_in_place(&self, data: &mut Matrix) -> Result<()> {
        for j in 0..data.ncols() {
            let (sorted, rev) = (&self.sorted[j], self.reverse[j]);
            for v in data.column_mut(j) {
                let r = rank_in(sorted, *v);
                *v = if rev { sorted.len() as f64 + 1.0 - r } else { r };
            }
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;

    #[test]
    fn ranks_by_hand_with_a_tie_reversed_for_a_cost_column() {
        // 10, 20, 20, 30 -> 1, 2.5, 2.5, 4; reversed for a cost column.
        let m = Matrix::from_columns(vec![vec![10.0, 20.0, 20.0, 30.0]]);
        for (p, expected) in [(Polarity::Benefit, [1.0, 2.5, 2.5, 4.0]), (Polarity::Cost, [4.0, 2.5, 2.5, 1.0])] {
            let (system, orientation) = (IndicatorSystem::flat(&[p]), [p]);
            let cx = StageContext::columns(&system, &orientation);
            let fitted = RankParams::default().check().unwrap().fit(&m, &cx).unwrap().value;
            assert_eq!(fitted.transform(&m).unwrap().column(0), expected);
        }
    }
}
