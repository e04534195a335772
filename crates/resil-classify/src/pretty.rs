//! Pretty breaks, as mapclassify 2.10.0's `PrettyBreaks` (R's `pretty`): a "nice" step d (1, 2 or
//! 5 times a power of ten) near range / (k - 1), class bounds at the multiples of d from
//! floor(min / d) d to ceil(max / d) d; the number of classes follows from the rounding.

use resil_core::{Breaks, Classifier, Diagnostic, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

use crate::simple::{sorted_finite, upper_inclusive};

/// Unchecked parameters: the number of classes asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct PrettyParams {
    pub k: usize,
}

impl Default for PrettyParams {
    fn default() -> Self {
        PrettyParams { k: 5 }
    }
}

impl PrettyParams {
    pub fn check(self) -> Result<Pretty> {
        Ok(Pretty { k: crate::class_count("pretty", self.k)? })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct Pretty {
    k: usize,
}

/// 1, 2, 5 or 10 times the power of ten of `x`: the nearest when `rounded`, else the next above.
fn nice(x: f64, rounded: bool) -> f64 {
    let exponent = x.log10().floor();
    let f = x / 10f64.powf(exponent);
    let nf = match (rounded, f) {
        (true, f) if f < 1.5 => 1.0,
        (true, f) if f < 3.0 => 2.0,
        (true, f) if f < 7.0 => 5.0,
        (false, f) if f <= 1.0 => 1.0,
        (false, f) if f <= 2.0 => 2.0,
        (false, f) if f <= 5.0 => 5.0,
        _ => 10.0,
    };
    nf * 10f64.powf(exponent)
}

impl Classifier for Pretty {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let (low, high) = (sorted[0], sorted[sorted.len() - 1]);
        if high == low {
            return Err(Error::data("pretty", "all values are equal: there is no range to split"));
        }
        let d = nice(nice(high - low, false) / (self.k - 1) as f64, true);
        let (first, last) = ((low / d).floor(), (high / d).ceil());
        // Upper bounds first + d, ..., last (as multiples of d, without accumulating error);
        // the last bound is the class of the maximum.
        let steps = (last - first) as usize;
        let cuts = (1..steps).map(|i| (first + i as f64) * d).collect();
        let mut notes = Vec::new();
        if steps != self.k {
            notes.push(Diagnostic::info(
                "pretty-classes",
                format!("{steps} classes, not the {} asked: the rounded step {d} gives that many", self.k),
            ));
        }
        Ok(Outcome::with_notes(upper_inclusive(reference, &sorted, cuts), notes))
    }
}
