//! Choosing the number of classes. `Selection::Gadf`, as mapclassify's `gadf` (and
//! `KClassifiers`): fit k = 2, 3, ... up to a maximum and keep the first classing whose goodness
//! of absolute deviation fit exceeds a threshold, or the last when none does.
//! `Selection::Bic`, as Ckmeans.1d.dp 4.3.5's `select_levels` (its default `estimate.k = "BIC"`):
//! each classing is read as a Gaussian mixture (a class's share, mean and n - 1 variance; a class
//! of equal values gets variance (d/6)^2 and a single value d^2, d its smallest gap to a
//! neighbouring value outside it), and the k with the largest BIC = 2 log L - (3k - 1) ln n is kept.

use resil_core::{Breaks, Classifier, Diagnostic, Error, Outcome, Result};

/// How k is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selection {
    /// The smallest k whose GADF exceeds this threshold, in (0, 1).
    Gadf(f64),
    /// The k with the largest Bayesian information criterion of the classes as a Gaussian mixture.
    Bic,
}

/// A classifier whose k is chosen among candidates built for k = 2, 3, ...
#[derive(Debug)]
pub struct AutoK {
    candidates: Vec<(usize, Box<dyn Classifier>)>,
    selection: Selection,
}

impl AutoK {
    /// `candidates` in increasing k.
    pub fn new(candidates: Vec<(usize, Box<dyn Classifier>)>, selection: Selection) -> Result<AutoK> {
        if let Selection::Gadf(threshold) = selection {
            if !(threshold > 0.0 && threshold < 1.0) {
                return Err(Error::param("classify", "gadf", format!("must be in (0, 1), got {threshold}")));
            }
        }
        if candidates.is_empty() {
            return Err(Error::param("classify", "max-k", "leaves no k to try: it must be at least 2"));
        }
        Ok(AutoK { candidates, selection })
    }

    /// Each candidate's fit, in increasing k, up to the largest k the data hold.
    fn fits(&self, reference: &[f64]) -> Result<Vec<(usize, Outcome<Breaks>)>> {
        let mut out = Vec::new();
        for (k, candidate) in &self.candidates {
            match candidate.fit(reference) {
                Ok(f) => out.push((*k, f)),
                // Too few distinct values for this k: the previous k is the most the data hold.
                Err(_) if !out.is_empty() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// Ckmeans.1d.dp's BIC of the classes of `breaks` over the values `sorted` (ascending).
pub fn mixture_bic(sorted: &[f64], breaks: &Breaks) -> f64 {
    let n = sorted.len();
    // Class boundaries as index ranges of the sorted values.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        if i == n || breaks.class_of(sorted[i]) != breaks.class_of(sorted[start]) {
            ranges.push((start, i - 1));
            start = i;
        }
    }
    let components: Vec<(f64, f64, f64)> = ranges
        .iter()
        .map(|&(left, right)| {
            let members = &sorted[left..=right];
            let size = members.len() as f64;
            let mean = members.iter().sum::<f64>() / size;
            let mut variance = if members.len() > 1 {
                members.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (size - 1.0)
            } else {
                0.0
            };
            if variance == 0.0 || members.len() == 1 {
                let gap = match (left > 0, right < n - 1) {
                    (true, true) => (sorted[left] - sorted[left - 1]).min(sorted[right + 1] - sorted[right]),
                    (true, false) => sorted[left] - sorted[left - 1],
                    _ => sorted[right + 1] - sorted[right],
                };
                if variance == 0.0 {
                    variance = gap * gap / 4.0 / 9.0;
                }
                if members.len() == 1 {
                    variance = gap * gap;
                }
            }
            let share = size / n as f64;
            (share / (2.0 * std::f64::consts::PI * variance).sqrt(), mean, variance)
        })
        .collect();
    let log_likelihood: f64 = sorted
        .iter()
        .map(|x| components.iter().map(|(c, mu, s2)| c * (-(x - mu).powi(2) / (2.0 * s2)).exp()).sum::<f64>().ln())
        .sum();
    let k = components.len() as f64;
    2.0 * log_likelihood - (3.0 * k - 1.0) * (n as f64).ln()
}

impl Classifier for AutoK {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let mut fits = self.fits(reference)?;
        let (index, note) = match self.selection {
            Selection::Gadf(threshold) => match fits.iter().position(|(_, f)| f.value.fit.gadf > threshold) {
                Some(i) => {
                    let (k, gadf) = (fits[i].0, fits[i].1.value.fit.gadf);
                    (
                        i,
                        Diagnostic::info(
                            "k-chosen",
                            format!("k = {k} chosen: the smallest k whose GADF ({gadf:.4}) exceeds {threshold}"),
                        ),
                    )
                }
                None => {
                    let (k, last) = fits.last().expect("at least one fit");
                    let note = format!(
                        "k = {k} chosen: no k up to {k} reaches GADF {threshold} (best {:.4}); the largest was kept",
                        last.value.fit.gadf
                    );
                    (fits.len() - 1, Diagnostic::warning("k-chosen", note))
                }
            },
            Selection::Bic => {
                let mut sorted = reference.to_vec();
                sorted.sort_by(f64::total_cmp);
                let bic: Vec<f64> = fits.iter().map(|(_, f)| mixture_bic(&sorted, &f.value)).collect();
                // The first k with the largest BIC (a later k must be strictly larger, as Ckmeans).
                let best = (0..bic.len()).fold(0, |b, i| if bic[i] > bic[b] { i } else { b });
                let listed: Vec<String> = fits.iter().zip(&bic).map(|((k, _), b)| format!("{k}: {b:.3}")).collect();
                let note = format!(
                    "k = {} chosen by BIC (Ckmeans.1d.dp's mixture reading): {}",
                    fits[best].0,
                    listed.join(", ")
                );
                (best, Diagnostic::info("k-chosen", note))
            }
        };
        let (_, mut fitted) = fits.swap_remove(index);
        fitted.notes.push(note);
        Ok(fitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case};

    fn jenks_candidates(max_k: usize) -> Vec<(usize, Box<dyn Classifier>)> {
        (2..=max_k).map(|k| (k, Box::new(crate::JenksParams { k }.check().unwrap()) as Box<dyn Classifier>)).collect()
    }

    #[test]
    fn bic_matches_ckmeans_select_levels() {
        // Ckmeans.1d.dp 4.3.5 itself, k = c(2, 8): its BIC per k and chosen k
        // (tests/reference/ckmeans_bic.R -> data/reference-cases/ckmeans_bic.json).
        for case in reference_case("ckmeans_bic")["cases"].as_array().unwrap() {
            let x = floats(&case["x"]);
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            let expected = floats(&case["bic"]);
            for (k, e) in (2..).zip(&expected) {
                let breaks = crate::JenksParams { k }.check().unwrap().fit(&x).unwrap().value;
                let got = mixture_bic(&sorted, &breaks);
                assert!((got - e).abs() < 1e-9 * e.abs().max(1.0), "k = {k}: {got} vs {e}");
            }
            let auto = AutoK::new(jenks_candidates(1 + expected.len()), Selection::Bic).unwrap();
            let fitted = auto.fit(&x).unwrap();
            assert_eq!(fitted.value.cuts.len() + 1, case["k"].as_u64().unwrap() as usize);
            assert!(fitted.notes.iter().any(|n| n.message.contains("chosen by BIC")), "{:?}", fitted.notes);
        }
    }

    proptest::proptest! {
        /// Well separated clumps: BIC picks their number.
        #[test]
        fn bic_finds_separated_clumps(clumps in 2usize..5, per in 5usize..12, seed in 0u64..1000) {
            let x: Vec<f64> = (0..clumps * per)
                .map(|i| (i / per) as f64 * 100.0 + ((i as u64 * 7919 + seed) % 97) as f64 / 97.0)
                .collect();
            let fitted = AutoK::new(jenks_candidates(8), Selection::Bic).unwrap().fit(&x).unwrap();
            proptest::prop_assert_eq!(fitted.value.cuts.len() + 1, clumps);
        }
    }
}
