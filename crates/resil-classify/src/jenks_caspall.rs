//! Jenks-Caspall classes, as mapclassify 2.10.0's `JenksCaspall`: start from the quantile
//! classes, then repeatedly move each value to the class whose median is nearest (the lower class
//! on a tie) and recompute the medians, until no value moves; each class's largest value is its
//! upper bound.

use resil_core::{Breaks, Classifier, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

use crate::simple::{percentile, sorted_finite, upper_inclusive};

/// Unchecked parameters: the number of classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct JenksCaspallParams {
    pub k: usize,
}

impl Default for JenksCaspallParams {
    fn default() -> Self {
        JenksCaspallParams { k: 5 }
    }
}

impl JenksCaspallParams {
    pub fn check(self) -> Result<JenksCaspall> {
        Ok(JenksCaspall { k: crate::class_count("jenks-caspall", self.k)? })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct JenksCaspall {
    k: usize,
}

/// The median of the values of `sorted` in class `c` (numpy's: the mean of the middle two).
fn median(sorted: &[f64], classes: &[usize], c: usize) -> Option<f64> {
    let members: Vec<f64> = sorted.iter().zip(classes).filter(|(_, &k)| k == c).map(|(v, _)| *v).collect();
    let n = members.len();
    (n > 0).then(|| if n % 2 == 1 { members[n / 2] } else { (members[n / 2 - 1] + members[n / 2]) / 2.0 })
}

/// The iteration cap; each pass moves values towards nearer medians and the assignment is
/// finite, so real data settle in a few passes.
const MAX_PASSES: usize = 10_000;

impl Classifier for JenksCaspall {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let k = self.k;
        let mut bounds: Vec<f64> = (1..=k).map(|i| percentile(&sorted, 100.0 * i as f64 / k as f64)).collect();
        bounds.dedup();
        if bounds.len() < k {
            return Err(Error::data("jenks-caspall", format!("too few distinct values for {k} quantile classes")));
        }
        // Classes are kept over the sorted values: class of value i.
        let mut classes: Vec<usize> = sorted.iter().map(|&x| bounds.iter().filter(|&&b| b < x).count()).collect();
        for _ in 0..MAX_PASSES {
            let medians =
                (0..k).map(|c| median(&sorted, &classes, c)).collect::<Option<Vec<f64>>>().ok_or_else(|| {
                    Error::data("jenks-caspall", format!("a class emptied: the data do not hold {k} classes"))
                })?;
            let next: Vec<usize> = sorted
                .iter()
                .map(|&x| {
                    let gaps = medians.iter().map(|m| (x - m).abs());
                    gaps.enumerate().fold((0, f64::INFINITY), |best, (c, d)| if d < best.1 { (c, d) } else { best }).0
                })
                .collect();
            if next == classes {
                let cuts = (0..k - 1)
                    .map(|c| {
                        sorted
                            .iter()
                            .zip(&classes)
                            .filter(|(_, &m)| m == c)
                            .map(|(v, _)| *v)
                            .fold(f64::NEG_INFINITY, f64::max)
                    })
                    .collect();
                return Ok(Outcome::new(upper_inclusive(reference, &sorted, cuts)));
            }
            classes = next;
        }
        Err(Error::data("jenks-caspall", format!("the classes did not settle in {MAX_PASSES} passes")))
    }
}
