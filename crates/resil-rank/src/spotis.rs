//! SPOTIS (Stable Preference Ordering Towards Ideal Solution, Dezert et al. 2020), as pymcdm
//! 1.4.0: per criterion the bounds [min, max] (given, or the reference rows' range), the ideal
//! point the max bound of a benefit and the min bound of a cost, and the score
//! sum_j w_j |x_j - ideal_j| / (max_j - min_j): a distance, lower is better. Given bounds make
//! the scores of a row independent of the other rows (no rank reversal).

use std::collections::BTreeMap;

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

use crate::prescribed::{Summary, SummaryFit};
use resil_core::chunked::ChunkedFit;

/// Unchecked parameters: bounds per indicator id, `[min, max]`; the others take the data's range.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct SpotisParams {
    pub bounds: BTreeMap<String, [f64; 2]>,
}

impl SpotisParams {
    pub fn check(self) -> Result<Spotis> {
        for (id, [min, max]) in &self.bounds {
            if !(min.is_finite() && max.is_finite() && min < max) {
                return Err(Error::param(
                    "spotis",
                    format!("bounds.{id}"),
                    format!("must be [min, max] with min < max, got [{min}, {max}]"),
                ));
            }
        }
        Ok(Spotis { bounds: self.bounds })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Spotis {
    bounds: BTreeMap<String, [f64; 2]>,
}

/// Fitted: per column the bounds and the ideal point; the weights.
#[derive(Debug, Clone)]
pub struct FittedSpotis {
    bounds: Vec<(f64, f64)>,
    ideal: Vec<f64>,
    weights: Vec<f64>,
}

impl Scorer for Spotis {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let build = |columns: &[Summary], weights: &[f64], cx: &StageContext<'_>| {
            let ids: Vec<&str> = cx.system.indicators().iter().map(|i| i.id.as_str()).collect();
            if let Some(unknown) = self.bounds.keys().find(|k| !ids.contains(&k.as_str())) {
                return Err(Error::param("spotis", format!("bounds.{unknown}"), "is not an indicator of this stage"));
            }
            let mut bounds = Vec::new();
            for (j, c) in columns.iter().enumerate() {
                let (min, max) = match ids.get(j).and_then(|id| self.bounds.get(*id)) {
                    Some(&[min, max]) => (min, max),
                    None => (c.min, c.max),
                };
                // Checked here, on the whole reference, before any block is scored.
                if let Some(x) = [c.min, c.max].into_iter().find(|x| !(min..=max).contains(x)) {
                    return Err(Error::data(
                        format!("spotis: {}", cx.indicator(j)),
                        format!("the reference rows reach {x}, outside the bounds [{min}, {max}]"),
                    ));
                }
                if min == max {
                    return Err(Error::data(
                        format!("spotis: {}", cx.indicator(j)),
                        "a constant column has no range: give its bounds",
                    ));
                }
                bounds.push((min, max));
            }
            let ideal = bounds
                .iter()
                .zip(cx.orientation)
                .map(|(&(min, max), p)| if *p == Polarity::Cost { min } else { max })
                .collect();
            let fitted: Box<dyn FittedScorer> = Box::new(FittedSpotis { bounds, ideal, weights: weights.to_vec() });
            Ok(Outcome::new(fitted))
        };
        Some(Box::new(SummaryFit { method: "spotis", positive: false, weights: weights.as_slice(), build }))
    }
}

impl FittedScorer for FittedSpotis {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let mut score = Vec::with_capacity(data.nrows());
        for i in 0..data.nrows() {
            let mut s = 0.0;
            for (j, &x) in data.row(i).iter().enumerate() {
                let (min, max) = self.bounds[j];
                if !(min..=max).contains(&x) {
                    return Err(Error::row(
                        "spotis",
                        i,
                        Some(j),
                        format!("value {x} lies outside the bounds [{min}, {max}]"),
                    ));
                }
                s += self.weights[j] * (x - self.ideal[j]).abs() / (max - min);
            }
            score.push(s);
        }
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::LowerIsBetter }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("ideal".into(), self.ideal.clone())]
    }
}

#[cfg(test)]
mod tests {
    use resil_core::Polarity::{Benefit, Cost};

    use super::SpotisParams;

    #[test]
    fn dezert_2020_example_as_printed_by_pymcdm() {
        // pymcdm 1.4.0's SPOTIS docstring, bounds given, printed to 4 decimals.
        let rows = vec![vec![10.5, -3.1, 1.7], vec![-4.7, 0.0, 3.4], vec![8.1, 0.3, 1.3], vec![3.2, 7.3, -5.3]];
        let bounds = [("C1", [-5.0, 12.0]), ("C2", [-6.0, 10.0]), ("C3", [-8.0, 5.0])];
        let spotis =
            SpotisParams { bounds: bounds.iter().map(|(k, b)| (k.to_string(), *b)).collect() }.check().unwrap();
        let scores = crate::prescribed::score_rows(&spotis, &rows, &[Benefit, Cost, Benefit], &[0.2, 0.3, 0.5]);
        for (s, p) in scores.iter().zip([0.1989, 0.3705, 0.3063, 0.7491]) {
            assert!((s - p).abs() < 5e-5, "{scores:?}");
        }
    }

    #[test]
    fn bad_bounds_are_errors() {
        let bad = SpotisParams { bounds: [("C1".to_string(), [3.0, 1.0])].into() };
        assert!(bad.check().unwrap_err().to_string().contains("bounds.C1"));
        // Reference values beyond the bounds given are refused at the fit, naming the indicator
        // and the value, however the rows are cut into chunks.
        let narrow = SpotisParams { bounds: [("C1".to_string(), [0.0, 10.0])].into() }.check().unwrap();
        let e = crate::prescribed::try_score_rows(
            &narrow,
            &[vec![4.0, 1.0], vec![12.0, 2.0]],
            &[resil_core::Polarity::Benefit; 2],
            &[0.5, 0.5],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("spotis: indicator `C1`") && e.contains("reach 12, outside the bounds [0, 10]"), "{e}");
    }
}
