//! Percentile and box-plot classes, as mapclassify 2.10.0 computes them (`Percentiles`,
//! `BoxPlot`): upper bounds at the given percentiles (linear interpolation), or at the box plot's
//! fences and quartiles: left fence Q1 - hinge IQR, Q1, median, Q3, right fence Q3 + hinge IQR
//! and, when the right fence lies below the maximum, the maximum (six classes, the first and
//! last holding the outliers). A class includes its upper bound.

use resil_core::{Breaks, Classifier, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

use crate::simple::{percentile, sorted_finite, upper_inclusive};

/// Unchecked parameters: the increasing percentiles of the class upper bounds, ending at 100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct PercentilesParams {
    pub pct: Vec<f64>,
}

impl Default for PercentilesParams {
    fn default() -> Self {
        PercentilesParams { pct: vec![1.0, 10.0, 50.0, 90.0, 99.0, 100.0] }
    }
}

impl PercentilesParams {
    pub fn check(self) -> Result<Percentiles> {
        let increasing = self.pct.windows(2).all(|w| w[0] < w[1]);
        if self.pct.len() < 2 || !increasing || self.pct[0] <= 0.0 || self.pct.last() != Some(&100.0) {
            return Err(Error::param(
                "percentiles",
                "pct",
                format!("must be at least two increasing percentiles in (0, 100] ending at 100, got {:?}", self.pct),
            ));
        }
        Ok(Percentiles { pct: self.pct })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct Percentiles {
    pct: Vec<f64>,
}

impl Classifier for Percentiles {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let cuts = self.pct[..self.pct.len() - 1].iter().map(|&p| percentile(&sorted, p)).collect();
        Ok(Outcome::new(upper_inclusive(reference, &sorted, cuts)))
    }
}

/// Unchecked parameters: the hinge, the multiple of the inter-quartile range to the fences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct BoxPlotParams {
    pub hinge: f64,
}

impl Default for BoxPlotParams {
    fn default() -> Self {
        BoxPlotParams { hinge: 1.5 }
    }
}

impl BoxPlotParams {
    pub fn check(self) -> Result<BoxPlot> {
        if !(self.hinge.is_finite() && self.hinge > 0.0) {
            return Err(Error::param("box-plot", "hinge", format!("must be finite and > 0, got {}", self.hinge)));
        }
        Ok(BoxPlot { hinge: self.hinge })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct BoxPlot {
    hinge: f64,
}

impl Classifier for BoxPlot {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let [q1, median, q3] = [25.0, 50.0, 75.0].map(|p| percentile(&sorted, p));
        let pivot = self.hinge * (q3 - q1);
        let (left, right) = (q1 - pivot, q3 + pivot);
        let mut cuts = vec![left, q1, median, q3];
        // The right fence is the last class's bound when no value lies beyond it.
        if right < sorted[sorted.len() - 1] {
            cuts.push(right);
        }
        Ok(Outcome::new(upper_inclusive(reference, &sorted, cuts)))
    }
}
