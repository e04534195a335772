//! Fixed weights given in the config (published weights), renormalised to sum to 1.

use std::collections::BTreeMap;

use resil_core::{Diagnostic, Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters: a weight per indicator id, and how far the sum may be from 1 before a
/// warning (published weights are rounded: the paper's sum to 1.0002).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct FixedParams {
    pub weights: BTreeMap<String, f64>,
    pub tolerance: f64,
}

impl Default for FixedParams {
    fn default() -> Self {
        FixedParams { weights: BTreeMap::new(), tolerance: 0.001 }
    }
}

impl FixedParams {
    pub fn check(self) -> Result<Fixed> {
        for (id, w) in &self.weights {
            if !(w.is_finite() && *w >= 0.0) {
                return Err(Error::param(
                    "fixed",
                    format!("weights.{id}"),
                    format!("must be finite and >= 0, got {w}"),
                ));
            }
        }
        if self.tolerance.is_nan() || self.tolerance < 0.0 {
            return Err(Error::param("fixed", "tolerance", "must be >= 0"));
        }
        Ok(Fixed { params: self })
    }
}

/// The checked fixed-weight method.
#[derive(Debug, Clone)]
pub struct Fixed {
    params: FixedParams,
}

impl Weighter for Fixed {
    fn weights(&self, _reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.given(cx)
    }

    fn chunked(&self) -> Option<Box<dyn resil_core::chunked::ChunkedFit<Weights> + '_>> {
        Some(Box::new(resil_core::chunked::NoData(|cx: &StageContext<'_>| self.given(cx))))
    }
}

impl Fixed {
    /// The configured weights of the system's indicators (no data needed).
    fn given(&self, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let system = cx.system;
        let mut problems = Vec::new();
        let values: Vec<f64> = system
            .indicators()
            .iter()
            .map(|i| {
                self.params.weights.get(&i.id).copied().unwrap_or_else(|| {
                    problems.push(Error::param(
                        "fixed",
                        format!("weights.{}", i.id),
                        "no weight given for this indicator",
                    ));
                    0.0
                })
            })
            .collect();
        for id in self.params.weights.keys() {
            if system.position(id).is_none() {
                problems.push(Error::param("fixed", format!("weights.{id}"), "not an indicator of the system"));
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        let sum: f64 = values.iter().sum();
        if !sum.is_finite() {
            return Err(Error::param(
                "fixed",
                "weights",
                "their sum is past the largest float: give them on a smaller scale",
            ));
        }
        let mut notes = Vec::new();
        // Published weights are rounded (Table 2 of the flagship's paper sums to 1.0002): always
        // say that and by how much; past the tolerance it is a warning, not a rounding note.
        let off = sum - 1.0;
        if off.abs() > 1e-12 {
            let message = format!(
                "fixed: the weights sum to {sum} ({off:+.6} from 1); they were renormalised, each divided by {sum}"
            );
            notes.push(if off.abs() > self.params.tolerance {
                Diagnostic::warning(
                    "weights-renormalised",
                    format!("{message} (more than the tolerance {})", self.params.tolerance),
                )
            } else {
                Diagnostic::info("weights-renormalised", message)
            });
        }
        Ok(Outcome::with_notes(Weights::normalized(values)?, notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn params(pairs: &[(&str, f64)]) -> FixedParams {
        FixedParams { weights: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(), tolerance: 0.001 }
    }

    /// The fixed weights `pairs` for a flat system of two benefit indicators, C1 and C2.
    fn fit(pairs: &[(&str, f64)]) -> Result<Outcome<Weights>> {
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        params(pairs)
            .check()
            .unwrap()
            .weights(&Matrix::filled(1, 2, 0.0), &resil_core::StageContext::columns(&sys, &sys.polarities()))
    }

    #[test]
    fn renormalises_and_warns_past_the_tolerance() {
        let out = fit(&[("C1", 0.6), ("C2", 0.6)]).unwrap();
        assert_eq!(out.value.0, vec![0.5, 0.5]);
        assert_eq!(out.notes[0].code, "weights-renormalised");
        assert_eq!(out.notes[0].severity, resil_core::Severity::Warning);
        // A rounding-sized excess (the paper's 1.0002) is renormalised with a note saying by how much.
        let quiet = fit(&[("C1", 0.5001), ("C2", 0.5001)]).unwrap();
        assert_eq!(quiet.notes[0].severity, resil_core::Severity::Info);
        assert!(quiet.notes[0].message.contains("+0.000200 from 1"), "{}", quiet.notes[0].message);
        assert!((quiet.value.0[0] - 0.5).abs() < 1e-15);
        // Weights that already sum to 1 get no note.
        let exact = fit(&[("C1", 0.25), ("C2", 0.75)]).unwrap();
        assert!(exact.notes.is_empty());
    }

    #[test]
    fn weights_summing_past_the_largest_float_are_refused() {
        // Divided by their infinite sum they had all become zero, and every score 0.5.
        let err = fit(&[("C1", 1e308), ("C2", 1e308)]).unwrap_err().to_string();
        assert!(err.contains("weights") && err.contains("past the largest float"), "{err}");
    }

    #[test]
    fn missing_and_unknown_ids_are_all_reported() {
        let err = fit(&[("C1", 1.0), ("X9", 1.0)]).unwrap_err().to_string();
        assert!(err.contains("weights.C2") && err.contains("weights.X9"), "{err}");
    }
}
