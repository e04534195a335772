//! Classification of scores for resil: exact Jenks natural breaks, quantiles, equal intervals,
//! std-mean, head/tail, percentiles, box plot, maximum breaks, pretty breaks, Jenks-Caspall and fixed thresholds,
//! each with its goodness of variance fit.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Classifier`], whose fit returns [`resil_core::Breaks`].

mod auto_k;
mod fixed;
mod jenks;
mod jenks_caspall;
mod maximum_breaks;
mod percentiles;
mod pretty;
mod simple;

pub use auto_k::{mixture_bic, AutoK, Selection};
pub use fixed::{FixedThresholds, FixedThresholdsParams};
pub use jenks::{jenks_partition, Jenks, JenksParams};
pub use jenks_caspall::{JenksCaspall, JenksCaspallParams};
pub use maximum_breaks::{MaximumBreaks, MaximumBreaksParams};
pub use percentiles::{BoxPlot, BoxPlotParams, Percentiles, PercentilesParams};
pub use pretty::{Pretty, PrettyParams};
pub use simple::{percentile, Rule, Simple, SimpleParams};

use resil_core::{Error, Result};

/// The most classes a method is asked for: far beyond any legend or grade scale. A k of 2^40
/// had aborted the run, allocating its class bounds.
pub const MOST_CLASSES: usize = 1000;

/// Refuses no values at all, and values whose squared deviations overflow (spreads beyond about
/// 1e150): the fit statistics would be NaN, written as null, and Jenks would cut at infinite costs.
pub(crate) fn spread_computable(method: &str, reference: &[f64]) -> Result<()> {
    if reference.is_empty() {
        return Err(Error::data(method, "no values to classify"));
    }
    let mean = reference.iter().sum::<f64>() / reference.len() as f64;
    let squares: f64 = reference.iter().map(|v| (v - mean) * (v - mean)).sum();
    if mean.is_finite() && squares.is_finite() {
        Ok(())
    } else {
        Err(Error::data(
            method,
            "the values are too large to compute with (their squared deviations overflow): rescale them",
        ))
    }
}

/// Checks a number of classes asked of `method`: from 2 to [`MOST_CLASSES`].
pub fn class_count(method: &str, k: usize) -> Result<usize> {
    if (2..=MOST_CLASSES).contains(&k) {
        Ok(k)
    } else {
        Err(Error::param(method, "k", format!("must be from 2 to {MOST_CLASSES}, got {k}")))
    }
}

#[cfg(test)]
mod mapclassify_cases {
    use resil_core::Classifier;
    use resil_test_support::{floats, reference_case};

    /// The classifier `method` with the reference case's parameters.
    fn classifier(method: &str, params: &serde_json::Value) -> Box<dyn Classifier> {
        let p = params.clone();
        match method {
            "percentiles" if p.get("pct").is_some() => {
                Box::new(crate::PercentilesParams { pct: floats(&p["pct"]) }.check().unwrap())
            }
            "percentiles" => Box::new(crate::PercentilesParams::default().check().unwrap()),
            "box-plot" => Box::new(
                crate::BoxPlotParams { hinge: p.get("hinge").and_then(|h| h.as_f64()).unwrap_or(1.5) }.check().unwrap(),
            ),
            "maximum-breaks" => {
                Box::new(crate::MaximumBreaksParams { k: p["k"].as_u64().unwrap() as usize }.check().unwrap())
            }
            "pretty" => Box::new(crate::PrettyParams { k: p["k"].as_u64().unwrap() as usize }.check().unwrap()),
            "jenks-caspall" => {
                Box::new(crate::JenksCaspallParams { k: p["k"].as_u64().unwrap() as usize }.check().unwrap())
            }
            other => panic!("no classifier {other}"),
        }
    }

    #[test]
    fn percentiles_box_plot_maximum_pretty_and_jenks_caspall_match_mapclassify() {
        // mapclassify 2.10.0 on 57 gamma values and on them with three outliers
        // (tests/reference/mapclassify_classifiers.py). Its last bin is the maximum, or the
        // right fence / the pretty bound above it; resil's last class ends at the maximum, so
        // the cuts are its bins but the last, and the classes and fit statistics are the same.
        let r = reference_case("mapclassify_classifiers");
        for case in r["cases"].as_array().unwrap() {
            let values = floats(&r["data"][case["data"].as_str().unwrap()]);
            let method = case["method"].as_str().unwrap();
            let breaks = classifier(method, &case["params"]).fit(&values).unwrap().value;
            let bins = floats(&case["bins"]);
            let label = format!("{method} {} on {}", case["params"], case["data"]);
            assert_eq!(breaks.cuts.len(), bins.len() - 1, "{label}: {:?} vs {bins:?}", breaks.cuts);
            for (c, b) in breaks.cuts.iter().zip(&bins) {
                assert!((c - b).abs() < 1e-12, "{label}: {:?} vs {bins:?}", breaks.cuts);
            }
            let classes: Vec<f64> = values.iter().map(|&v| breaks.class_of(v) as f64).collect();
            assert_eq!(classes, floats(&case["classes"]), "{label}");
            let fit = breaks.fit;
            for (got, key) in [(fit.tss, "tss"), (fit.adcm, "adcm"), (fit.gadf, "gadf")] {
                let want = case[key].as_f64().unwrap();
                assert!((got - want).abs() < 1e-9 * want.abs().max(1.0), "{label} {key}: {got} vs {want}");
            }
        }
    }

    proptest::proptest! {
        /// Every classifier's classes run from 1 to k in the order of the values.
        #[test]
        fn classes_follow_the_values(values in proptest::collection::vec(-50.0f64..50.0, 8..60)) {
            let methods: Vec<Box<dyn Classifier>> = vec![
                Box::new(crate::PercentilesParams::default().check().unwrap()),
                Box::new(crate::BoxPlotParams::default().check().unwrap()),
                Box::new(crate::MaximumBreaksParams { k: 4 }.check().unwrap()),
                Box::new(crate::PrettyParams { k: 5 }.check().unwrap()),
                Box::new(crate::JenksCaspallParams { k: 4 }.check().unwrap()),
            ];
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for m in methods {
                let Ok(b) = m.fit(&values) else { continue };
                let classes: Vec<usize> = sorted.iter().map(|&v| b.value.class_of(v)).collect();
                proptest::prop_assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{m:?}: {classes:?}");
                proptest::prop_assert!(classes.iter().all(|&c| (1..=b.value.k()).contains(&c)), "{m:?}: {classes:?}");
                proptest::prop_assert!(b.value.cuts.windows(2).all(|w| w[0] <= w[1]), "{m:?}: {:?}", b.value.cuts);
                let fit = b.value.fit;
                proptest::prop_assert!(fit.gvf <= 1.0 + 1e-12 && fit.gadf <= 1.0 + 1e-12 && fit.tss >= 0.0 && fit.adcm >= 0.0, "{fit:?}");
            }
        }
    }
}
