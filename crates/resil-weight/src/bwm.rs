//! Best-worst method (Rezaei 2015), in its linear model (Rezaei 2016, "Best-worst multi-criteria
//! decision-making method: some properties and a linear model", Omega 64): the expert names the
//! best and the worst indicator, rates how much the best is preferred to each indicator (a_Bj)
//! and each indicator to the worst (a_jW), and the weights solve
//!
//!   min xi  s.t.  |w_B - a_Bj w_j| <= xi,  |w_j - a_jW w_W| <= xi,  sum w = 1,  w >= 0,
//!
//! a linear programme with a unique optimum. xi (0 for fully consistent comparisons) and the
//! input-based consistency ratio of Liang, Brunelli & Rezaei (2020),
//! CR = max_j |a_Bj a_jW - a_BW| / (a_BW^2 - a_BW), are reported with the weights.

use std::collections::BTreeMap;

use minilp::{ComparisonOp, OptimizationDirection, Problem};
use resil_core::chunked::{ChunkedFit, NoData};
use resil_core::{Diagnostic, Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters: the best and worst indicators and the two comparison vectors by
/// indicator id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct BwmParams {
    pub best: String,
    pub worst: String,
    pub best_to_others: BTreeMap<String, f64>,
    pub others_to_worst: BTreeMap<String, f64>,
}

impl BwmParams {
    pub fn check(self) -> Result<Bwm> {
        let mut problems = Vec::new();
        for (name, value) in [("best", &self.best), ("worst", &self.worst)] {
            if value.is_empty() {
                problems.push(Error::param("bwm", name, "name an indicator"));
            }
        }
        if !self.best.is_empty() && self.best == self.worst {
            problems.push(Error::param("bwm", "worst", "must differ from `best`"));
        }
        for (name, map) in [("best-to-others", &self.best_to_others), ("others-to-worst", &self.others_to_worst)] {
            for (id, &a) in map {
                if !(a.is_finite() && a >= 1.0) {
                    problems.push(Error::param("bwm", format!("{name}.{id}"), format!("must be >= 1, got {a}")));
                }
            }
        }
        let one = |map: &BTreeMap<String, f64>, id: &str, name: &str, problems: &mut Vec<Error>| {
            if let Some(&a) = map.get(id) {
                if a != 1.0 {
                    problems.push(Error::param(
                        "bwm",
                        format!("{name}.{id}"),
                        format!("an indicator against itself is 1, got {a}"),
                    ));
                }
            }
        };
        one(&self.best_to_others, &self.best, "best-to-others", &mut problems);
        one(&self.others_to_worst, &self.worst, "others-to-worst", &mut problems);
        if let (Some(a), Some(b)) = (self.best_to_others.get(&self.worst), self.others_to_worst.get(&self.best)) {
            if a != b {
                problems.push(Error::param(
                    "bwm",
                    format!("others-to-worst.{}", self.best),
                    format!("the best against the worst is given twice: {a} (best-to-others) and {b}"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        Ok(Bwm { params: self })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Bwm {
    params: BwmParams,
}

/// The linear model's solution.
#[derive(Debug, Clone, PartialEq)]
pub struct BwmResult {
    pub weights: Vec<f64>,
    /// The optimal xi^L: 0 when the comparisons are fully consistent.
    pub xi: f64,
    /// Liang, Brunelli & Rezaei's (2020) input-based consistency ratio, in [0, 1].
    pub consistency_ratio: f64,
}

/// The linear BWM on comparison vectors in indicator order (`best_to_others[best]` = 1,
/// `others_to_worst[worst]` = 1).
pub fn bwm(best: usize, worst: usize, best_to_others: &[f64], others_to_worst: &[f64]) -> Result<BwmResult> {
    let n = best_to_others.len();
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let w: Vec<minilp::Variable> = (0..n).map(|_| lp.add_var(0.0, (0.0, f64::INFINITY))).collect();
    let xi = lp.add_var(1.0, (0.0, f64::INFINITY));
    // |a - b| <= xi as a - b - xi <= 0 and b - a - xi <= 0, for a pair of weighted terms.
    let mut within = |(i, ci): (usize, f64), (j, cj): (usize, f64)| {
        for sign in [1.0, -1.0] {
            let mut terms: BTreeMap<usize, f64> = BTreeMap::new();
            *terms.entry(i).or_default() += sign * ci;
            *terms.entry(j).or_default() -= sign * cj;
            let mut row: Vec<(minilp::Variable, f64)> = terms.into_iter().map(|(k, c)| (w[k], c)).collect();
            row.push((xi, -1.0));
            lp.add_constraint(&row[..], ComparisonOp::Le, 0.0);
        }
    };
    for j in 0..n {
        within((best, 1.0), (j, best_to_others[j]));
        within((j, 1.0), (worst, others_to_worst[j]));
    }
    let sum: Vec<(minilp::Variable, f64)> = w.iter().map(|&v| (v, 1.0)).collect();
    lp.add_constraint(&sum[..], ComparisonOp::Eq, 1.0);
    let solution = lp.solve().map_err(|e| Error::data("bwm", format!("the linear model has no solution: {e}")))?;
    let weights: Vec<f64> = w.iter().map(|&v| solution[v].max(0.0)).collect();
    let a_bw = best_to_others[worst];
    let consistency_ratio = if a_bw > 1.0 {
        (0..n).map(|j| (best_to_others[j] * others_to_worst[j] - a_bw).abs()).fold(0.0, f64::max) / (a_bw * a_bw - a_bw)
    } else {
        0.0
    };
    Ok(BwmResult { weights, xi: solution[xi], consistency_ratio })
}

impl Weighter for Bwm {
    fn weights(&self, _reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.given(cx)
    }

    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(NoData(|cx: &StageContext<'_>| self.given(cx))))
    }
}

impl Bwm {
    /// The weights of the comparisons given (no data needed).
    fn given(&self, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let p = &self.params;
        let ids: Vec<&str> = cx.system.indicators().iter().map(|i| i.id.as_str()).collect();
        let mut problems = Vec::new();
        let mut position = |name: &str, id: &str| {
            let at = ids.iter().position(|x| *x == id);
            if at.is_none() {
                problems.push(Error::param("bwm", name, format!("`{id}` is not an indicator")));
            }
            at.unwrap_or(0)
        };
        let (best, worst) = (position("best", &p.best), position("worst", &p.worst));
        let mut vector = |name: &str, map: &BTreeMap<String, f64>| -> Vec<f64> {
            for id in map.keys().filter(|k| !ids.contains(&k.as_str())) {
                problems.push(Error::param("bwm", format!("{name}.{id}"), "not an indicator"));
            }
            ids.iter()
                .map(|id| {
                    map.get(*id).copied().unwrap_or_else(|| {
                        problems.push(Error::param("bwm", format!("{name}.{id}"), "no comparison given"));
                        1.0
                    })
                })
                .collect()
        };
        let (bo, ow) = (vector("best-to-others", &p.best_to_others), vector("others-to-worst", &p.others_to_worst));
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        let result = bwm(best, worst, &bo, &ow)?;
        let note = Diagnostic::info(
            "bwm-consistency",
            format!(
                "bwm: xi {:.4} (0 = fully consistent), input-based consistency ratio {:.4} (Liang et al. 2020)",
                result.xi, result.consistency_ratio
            ),
        );
        Ok(Outcome::with_notes(Weights::normalized(result.weights)?, vec![note]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case};

    #[test]
    fn linear_model_matches_scipy_linprog() {
        // Independent computation: scipy 1.17.1 linprog (HiGHS) on Rezaei's (2016) linear model
        // (tests/reference/scipy_bwm.py -> data/reference-cases/scipy_bwm.json).
        for case in reference_case("scipy_bwm")["cases"].as_array().unwrap() {
            let (bo, ow) = (floats(&case["best_to_others"]), floats(&case["others_to_worst"]));
            let (b, w) = (case["best"].as_u64().unwrap() as usize, case["worst"].as_u64().unwrap() as usize);
            let r = bwm(b, w, &bo, &ow).unwrap();
            assert!((r.xi - case["xi"].as_f64().unwrap()).abs() < 1e-9, "xi {} vs {}", r.xi, case["xi"]);
            for (g, e) in r.weights.iter().zip(floats(&case["weights"])) {
                assert!((g - e).abs() < 1e-9, "{:?} vs {}", r.weights, case["weights"]);
            }
            assert!((r.consistency_ratio - case["cr"].as_f64().unwrap()).abs() < 1e-12);
        }
    }

    proptest::proptest! {
        /// Comparisons made from weights (a_Bj = w_B / w_j, a_jW = w_j / w_W) are fully
        /// consistent: the model gives those weights back with xi = 0.
        #[test]
        fn consistent_comparisons_give_their_weights_back(raw in proptest::collection::vec(0.05f64..1.0, 3..8)) {
            let total: f64 = raw.iter().sum();
            let w: Vec<f64> = raw.iter().map(|v| v / total).collect();
            let best = (0..w.len()).max_by(|&a, &b| w[a].total_cmp(&w[b])).unwrap();
            let worst = (0..w.len()).min_by(|&a, &b| w[a].total_cmp(&w[b])).unwrap();
            proptest::prop_assume!(best != worst);
            let bo: Vec<f64> = w.iter().map(|x| w[best] / x).collect();
            let ow: Vec<f64> = w.iter().map(|x| x / w[worst]).collect();
            let r = bwm(best, worst, &bo, &ow).unwrap();
            proptest::prop_assert!(r.xi.abs() < 1e-9, "xi {}", r.xi);
            for (g, e) in r.weights.iter().zip(&w) {
                proptest::prop_assert!((g - e).abs() < 1e-9, "{:?} vs {w:?}", r.weights);
            }
            proptest::prop_assert!(r.consistency_ratio < 1e-9);
        }
    }

    #[test]
    fn bad_comparisons_are_named() {
        let p = BwmParams {
            best: "A".into(),
            worst: "A".into(),
            best_to_others: [("A".into(), 2.0), ("B".into(), 0.5)].into(),
            others_to_worst: BTreeMap::new(),
        };
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("must differ from `best`"), "{e}");
        assert!(e.contains("best-to-others.B") && e.contains("must be >= 1"), "{e}");
        assert!(e.contains("best-to-others.A") && e.contains("against itself is 1"), "{e}");
    }
}
