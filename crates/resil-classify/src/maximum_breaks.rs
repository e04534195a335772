//! Maximum breaks, as mapclassify 2.10.0's `MaximumBreaks`: the cuts are the midpoints of the
//! k - 1 largest gaps between consecutive sorted values. Equal gaps are taken in value order (a
//! stable sort), where mapclassify's unstable sort may pick either.

use resil_core::{Breaks, Classifier, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

use crate::simple::{sorted_finite, upper_inclusive};

/// Unchecked parameters: the number of classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct MaximumBreaksParams {
    pub k: usize,
}

impl Default for MaximumBreaksParams {
    fn default() -> Self {
        MaximumBreaksParams { k: 5 }
    }
}

impl MaximumBreaksParams {
    pub fn check(self) -> Result<MaximumBreaks> {
        Ok(MaximumBreaks { k: crate::class_count("maximum-breaks", self.k)? })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct MaximumBreaks {
    k: usize,
}

impl Classifier for MaximumBreaks {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let mut gaps: Vec<usize> = (0..sorted.len() - 1).filter(|&i| sorted[i + 1] > sorted[i]).collect();
        if gaps.len() < self.k - 1 {
            return Err(Error::data(
                "maximum-breaks",
                format!("{} distinct values cannot make {} classes", gaps.len() + 1, self.k),
            ));
        }
        // Largest gap first; equal gaps keep value order.
        gaps.sort_by(|&a, &b| (sorted[b + 1] - sorted[b]).total_cmp(&(sorted[a + 1] - sorted[a])));
        let mut cuts: Vec<f64> = gaps[..self.k - 1].iter().map(|&i| (sorted[i] + sorted[i + 1]) / 2.0).collect();
        cuts.sort_by(f64::total_cmp);
        Ok(Outcome::new(upper_inclusive(reference, &sorted, cuts)))
    }
}
