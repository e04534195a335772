//! LOPCOW weights (LOgarithmic Percentage Change-driven Objective Weighting, Ecer & Pamucar 2022),
//! as pymcdm 1.4.0 on the raw matrix: min-max scaling by orientation, then
//! PV_j = |ln(RMS_j / sd_j) * 100| with RMS the root mean square and sd the sample standard
//! deviation of the scaled column; weights PV / sum PV.

use resil_core::{Error, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LopcowParams {}

impl LopcowParams {
    pub fn check(self) -> Result<Lopcow> {
        Ok(Lopcow)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Lopcow;

impl Weighter for Lopcow {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let n = reference.nrows();
        if n < 2 {
            return Err(Error::data("lopcow", "needs at least 2 alternatives"));
        }
        let mut pv = Vec::with_capacity(reference.ncols());
        for (j, c) in reference.columns().enumerate() {
            let s = resil_core::stats::column_stats(c).filter(|s| s.n == n && s.max > s.min).ok_or_else(|| {
                Error::data(format!("lopcow: {}", cx.indicator(j)), "needs finite, non-constant values")
            })?;
            let r: Vec<f64> = c
                .iter()
                .map(|x| {
                    if cx.orientation[j] == Polarity::Cost {
                        (s.max - x) / (s.max - s.min)
                    } else {
                        (x - s.min) / (s.max - s.min)
                    }
                })
                .collect();
            let rms = (r.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
            let sd = resil_core::stats::column_stats(&r).expect("finite").sd_sample;
            pv.push(((rms / sd).ln() * 100.0).abs());
        }
        Ok(Outcome::new(Weights::normalized(pv)?))
    }
}
