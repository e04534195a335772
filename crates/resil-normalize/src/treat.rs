//! Outlier treatment before normalisation, by COINr's rule: an indicator whose |skewness| exceeds
//! `skewness` and whose excess kurtosis exceeds `kurtosis` (sample statistics, e1071 type 2) is
//! winsorised one step at a time, up to `winmax` steps: each step sets the extreme value(s) on
//! the side of the current skew to the next value in from that side. If it is still skewed
//! after `winmax` steps and `log` is set, the original column is log-transformed instead,
//! ln(x - min + (max - min) / 10) (COINr's "CTlog"). Every treated cell is reported.

use serde::{Deserialize, Serialize};

use resil_core::stats::{kurtosis, skewness};

/// Unchecked treatment parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TreatParams {
    pub winmax: usize,
    pub skewness: f64,
    pub kurtosis: f64,
    pub log: bool,
}

impl Default for TreatParams {
    fn default() -> Self {
        TreatParams { winmax: 5, skewness: 2.0, kurtosis: 3.5, log: true }
    }
}

impl TreatParams {
    /// The thresholds in range: |skewness| is compared, so its threshold is a finite number >= 0;
    /// excess kurtosis can be any finite number (it is at least -2).
    pub fn check(self) -> resil_core::Result<TreatParams> {
        if !(self.skewness.is_finite() && self.skewness >= 0.0) {
            let got = format!("must be a finite number >= 0, got {}", self.skewness);
            return Err(resil_core::Error::param("winsorise", "skewness", got));
        }
        if !self.kurtosis.is_finite() {
            return Err(resil_core::Error::param(
                "winsorise",
                "kurtosis",
                format!("must be finite, got {}", self.kurtosis),
            ));
        }
        Ok(self)
    }
}

/// What was done to one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatReport {
    /// Distinct values (positions) winsorised from below and from above, as COINr counts points.
    pub low: usize,
    pub high: usize,
    /// Whether the column was log-transformed (winsorising was not enough).
    pub log: bool,
}

fn skewed(v: &[f64], p: &TreatParams) -> bool {
    v.len() > 3 && skewness(v).abs() > p.skewness && kurtosis(v) > p.kurtosis
}

/// Treats one column (finite values); returns the treated values and what was done.
pub fn treat_column(values: &[f64], p: &TreatParams) -> (Vec<f64>, TreatReport) {
    let mut v = values.to_vec();
    let mut report = TreatReport { low: 0, high: 0, log: false };
    let (mut low, mut high_set) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for _ in 0..p.winmax {
        if !skewed(&v, p) {
            break;
        }
        let high = skewness(&v) > 0.0;
        let extreme = if high {
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            v.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let others = v.iter().copied().filter(|&x| x != extreme);
        let Some(next) = (if high {
            others.fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
        } else {
            others.fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
        }) else {
            break;
        };
        for (i, x) in v.iter_mut().enumerate().filter(|(_, x)| **x == extreme) {
            *x = next;
            if high {
                high_set.insert(i)
            } else {
                low.insert(i)
            };
        }
    }
    report.low = low.len();
    report.high = high_set.len();
    if skewed(&v, p) && p.log {
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
        let v = values.iter().map(|&x| (x - lo + (hi - lo) / 10.0).ln()).collect();
        return (v, TreatReport { low: 0, high: 0, log: true });
    }
    (v, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_out_of_range_are_refused() {
        for (p, want) in [
            (
                TreatParams { skewness: -1.0, ..TreatParams::default() },
                "parameter `skewness`: must be a finite number >= 0, got -1",
            ),
            (TreatParams { skewness: f64::NAN, ..TreatParams::default() }, "parameter `skewness`"),
            (
                TreatParams { kurtosis: f64::INFINITY, ..TreatParams::default() },
                "parameter `kurtosis`: must be finite, got inf",
            ),
        ] {
            let err = p.check().unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
        // Excess kurtosis is at least -2; a threshold below 0 is allowed.
        assert!(TreatParams { skewness: 0.0, kurtosis: -1.0, ..TreatParams::default() }.check().is_ok());
    }

    #[test]
    fn one_outlier_is_pulled_in_and_a_clean_column_is_left_alone() {
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        let (same, r) = treat_column(&x, &TreatParams::default());
        assert_eq!((same, r.high, r.low, r.log), (x.clone(), 0, 0, false));
        x.push(1000.0);
        let (t, r) = treat_column(&x, &TreatParams::default());
        assert_eq!((r.high, r.low), (1, 0));
        assert_eq!(t[20], 20.0, "the outlier takes the next highest value");
    }

    #[test]
    fn log_when_winsorising_is_not_enough() {
        // Powers of two: one step of winsorising leaves skewness 2.99 and kurtosis 8.2 (pandas),
        // so with winmax = 1 the original column is logged; three steps would fix it.
        let x: Vec<f64> = (0..30).map(|i| 2f64.powi(i)).collect();
        let (t, r) = treat_column(&x, &TreatParams { winmax: 1, ..TreatParams::default() });
        assert_eq!(treat_column(&x, &TreatParams::default()).1.high, 3);
        assert!(r.log);
        let (lo, hi) = (x[0], x[29]);
        assert!((t[5] - (x[5] - lo + (hi - lo) / 10.0).ln()).abs() < 1e-12);
    }
}
