//! Quantile, equal-interval, mean-standard-deviation and head/tail classes, as mapclassify computes
//! them: quantile upper bounds are the (100 i / k)-th percentiles with linear interpolation
//! (numpy's default); equal intervals split [min, max] into k classes of equal width; std-mean
//! bounds are mean + (-2, -1, 1, 2) sample sd, the maximum appended when above the last;
//! head/tail breaks (Jiang 2013) take the mean, keep the values above it (the head) and repeat
//! until the head holds one distinct value. A class includes its upper bound.

use resil_core::{Breaks, Classifier, CutRule, Diagnostic, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

/// Which rule a [`Simple`] classifier uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Quantile,
    EqualInterval,
    StdMean,
    HeadTail,
}

/// Unchecked parameters: the number of classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct SimpleParams {
    pub k: usize,
}

impl Default for SimpleParams {
    fn default() -> Self {
        SimpleParams { k: 5 }
    }
}

impl SimpleParams {
    pub fn check(self, rule: Rule) -> Result<Simple> {
        // std-mean and head/tail take no k: the data set their classes.
        let k = match rule {
            Rule::Quantile | Rule::EqualInterval => crate::class_count("classify", self.k)?,
            Rule::StdMean | Rule::HeadTail => self.k,
        };
        Ok(Simple { k, rule })
    }
}

/// The checked classifier.
#[derive(Debug, Clone)]
pub struct Simple {
    k: usize,
    rule: Rule,
}

/// The p-th percentile (0-100) of sorted values with linear interpolation between closest ranks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    if lo + 1 < sorted.len() {
        sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    } else {
        sorted[lo]
    }
}

/// `reference` sorted ascending; an error when empty or holding a non-finite value.
pub(crate) fn sorted_finite(reference: &[f64]) -> Result<Vec<f64>> {
    if reference.iter().any(|v| !v.is_finite()) {
        return Err(Error::data("classify", "values must be finite"));
    }
    crate::spread_computable("classify", reference)?;
    let mut sorted = reference.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// Upper-inclusive breaks with these cuts (class upper bounds but the last) and their GVF, over
/// the reference values and the same values sorted by [`sorted_finite`].
pub(crate) fn upper_inclusive(reference: &[f64], sorted: &[f64], cuts: Vec<f64>) -> Breaks {
    Breaks::from_sorted(cuts, CutRule::UpperInclusive, reference, sorted)
}

impl Classifier for Simple {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let sorted = sorted_finite(reference)?;
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        let k = self.k as f64;
        let mut uppers: Vec<f64> = match self.rule {
            Rule::Quantile => (1..=self.k).map(|i| percentile(&sorted, 100.0 * i as f64 / k)).collect(),
            Rule::EqualInterval => (1..=self.k).map(|i| min + (max - min) * i as f64 / k).collect(),
            Rule::StdMean => {
                if sorted.len() < 2 {
                    return Err(Error::data("std-mean", "a sample standard deviation needs at least 2 values, got 1"));
                }
                let n = sorted.len() as f64;
                let mean = sorted.iter().sum::<f64>() / n;
                // mapclassify takes the sample standard deviation (n - 1).
                let sd = (sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                let mut b: Vec<f64> = [-2.0, -1.0, 1.0, 2.0].iter().map(|m| mean + m * sd).collect();
                if max > b[3] {
                    b.push(max);
                }
                b
            }
            Rule::HeadTail => {
                let mut b = Vec::new();
                let mut head = sorted.clone();
                loop {
                    let mean = head.iter().sum::<f64>() / head.len() as f64;
                    b.push(mean);
                    let distinct = head.first() != head.last();
                    head.retain(|&v| v > mean);
                    if !distinct || head.is_empty() {
                        break;
                    }
                }
                b
            }
        };
        // Repeated values can make equal quantiles; keep each bound once (mapclassify does too,
        // and warns that k is lowered).
        uppers.dedup();
        let n = uppers.len();
        if self.rule != Rule::StdMean || uppers[n - 1] == max {
            uppers[n - 1] = max;
        }
        let mut notes = Vec::new();
        if matches!(self.rule, Rule::Quantile | Rule::EqualInterval) && n < self.k {
            notes.push(Diagnostic::warning(
                "classes-merged",
                format!("{} classes asked, but the values give {n}: equal class bounds were merged", self.k),
            ));
        }
        Ok(Outcome::with_notes(upper_inclusive(reference, &sorted, uppers[..n - 1].to_vec()), notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    use resil_test_support::floats;

    #[test]
    fn quantiles_equal_intervals_and_jenks_match_mapclassify_and_jenkspy() {
        // Independent computation: mapclassify 2.10.0 and jenkspy 0.4.1 on 57 gamma-distributed
        // values (tests/reference/mapclassify_breaks.py, output in data/reference-cases).
        let r: Value = resil_test_support::reference_case("mapclassify_breaks");
        let values = floats(&r["values"]);
        for case in r["cases"].as_array().unwrap() {
            let k = case["k"].as_u64().unwrap() as usize;
            for (rule, name) in [(Rule::Quantile, "quantile"), (Rule::EqualInterval, "equal_interval")] {
                let b = SimpleParams { k }.check(rule).unwrap().fit(&values).unwrap().value;
                for (g, e) in b.upper_bounds().iter().zip(floats(&case[format!("{name}_bins")])) {
                    assert!((g - e).abs() < 1e-12, "{name} k={k}: {:?}", b.upper_bounds());
                }
                let classes: Vec<f64> = values.iter().map(|&v| b.class_of(v) as f64).collect();
                assert_eq!(classes, floats(&case[format!("{name}_classes")]), "{name} k={k}");
            }
            let jenks = crate::JenksParams { k }.check().unwrap().fit(&values).unwrap().value;
            assert_eq!(jenks.upper_bounds(), floats(&case["jenks_breaks"]), "jenks k={k}");
        }
    }

    #[test]
    fn std_mean_and_head_tail_match_mapclassify() {
        // mapclassify 2.10.0 StdMean and HeadTailBreaks on 60 lognormal values
        // (tests/reference/pymcdm_methods.py).
        let r: Value = resil_test_support::reference_case("pymcdm_methods");
        let values = floats(&r["values"]);
        for (rule, name) in [(Rule::StdMean, "std_mean"), (Rule::HeadTail, "head_tail")] {
            let b = SimpleParams { k: 5 }.check(rule).unwrap().fit(&values).unwrap().value;
            let expected = floats(&r[format!("{name}_bins")]);
            let got: Vec<f64> = b.cuts.iter().copied().chain([b.max]).collect();
            assert_eq!(got.len(), expected.len(), "{name}: {got:?}");
            for (g, e) in got.iter().zip(&expected) {
                assert!((g - e).abs() < 1e-12, "{name}: {got:?} vs {expected:?}");
            }
            let classes: Vec<f64> = values.iter().map(|&v| b.class_of(v) as f64).collect();
            assert_eq!(classes, floats(&r[format!("{name}_classes")]), "{name}");
        }
    }

    #[test]
    fn too_few_values_are_refused_or_warned_never_null() {
        let fit = |rule, values: &[f64]| SimpleParams { k: 5 }.check(rule).unwrap().fit(values);
        // No values had been called "too large to compute with".
        for rule in [Rule::Quantile, Rule::EqualInterval, Rule::StdMean, Rule::HeadTail] {
            assert_eq!(fit(rule, &[]).unwrap_err().to_string(), "classify: no values to classify");
        }
        // One value has no sample sd: its bounds had been written as null.
        let err = fit(Rule::StdMean, &[1.0]).unwrap_err().to_string();
        assert!(err.contains("std-mean: a sample standard deviation needs at least 2 values"), "{err}");
        assert_eq!(fit(Rule::StdMean, &[1.0, 1.0]).unwrap().value.upper_bounds(), vec![1.0]);
        // Fewer distinct bounds than classes asked: merged, as mapclassify does, and said.
        for rule in [Rule::Quantile, Rule::EqualInterval] {
            let out = fit(rule, &[2.0, 2.0, 2.0]).unwrap();
            assert_eq!(out.value.upper_bounds(), vec![2.0]);
            assert_eq!(out.notes.len(), 1);
            assert_eq!(out.notes[0].message, "5 classes asked, but the values give 1: equal class bounds were merged");
        }
        let quartiles = fit(Rule::Quantile, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert!(quartiles.notes.is_empty());
    }

    #[test]
    fn percentile_by_hand() {
        // numpy.percentile([1, 2, 3, 4], 50) = 2.5; 25th = 1.75.
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 25.0), 1.75);
    }
}
