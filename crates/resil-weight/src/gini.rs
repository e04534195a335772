//! Gini-coefficient weights, as pymcdm 1.4.0 computes them on the raw matrix: each criterion's
//! Gini coefficient G_j = sum_i sum_k |x_ij - x_kj| / (2 n^2 mean_j); weights G_j / sum G. The
//! more unequal a criterion across alternatives, the more weight.

use resil_core::{Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct GiniParams {}

impl GiniParams {
    pub fn check(self) -> Result<Gini> {
        Ok(Gini)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Gini;

impl Weighter for Gini {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let n = reference.nrows() as f64;
        let mut g = Vec::with_capacity(reference.ncols());
        for (j, column) in reference.columns().enumerate() {
            let mean = column.iter().sum::<f64>() / n;
            if !(mean.is_finite() && mean > 0.0) {
                return Err(Error::data(
                    format!("gini: {}", cx.indicator(j)),
                    format!("mean {mean} must be positive: the Gini coefficient divides by it"),
                ));
            }
            let spread: f64 = column.iter().map(|a| column.iter().map(|b| (a - b).abs()).sum::<f64>()).sum();
            g.push(spread / (2.0 * n * n * mean));
        }
        crate::statistical::finish(g, cx, |_| "has no spread", crate::statistical::CONSTANT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    #[test]
    fn matches_pymcdm() {
        // pymcdm 1.4.0 gini_weights (tests/reference/pymcdm_weights.py).
        let case = resil_test_support::reference_case("pymcdm_weights");
        let m = resil_test_support::matrix(&case);
        let o = vec![Polarity::Benefit; m.ncols()];
        let sys = IndicatorSystem::flat(&o);
        let w = GiniParams::default().check().unwrap().weights(&m, &StageContext::columns(&sys, &o)).unwrap().value;
        for (g, e) in w.0.iter().zip(resil_test_support::floats(&case["gini"])) {
            assert!((g - e).abs() < 1e-12, "{:?}", w.0);
        }
        // By hand: one column (1, 3): mean 2, sum |a - b| = 4, G = 4 / (2 * 4 * 2) = 0.25.
        let two = Matrix::from_rows(&[vec![1.0, 5.0], vec![3.0, 5.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let w = GiniParams::default()
            .check()
            .unwrap()
            .weights(&two, &StageContext::columns(&sys, &sys.polarities()))
            .unwrap()
            .value;
        assert_eq!(w.0, vec![1.0, 0.0]);
    }

    proptest::proptest! {
        /// The Gini coefficient does not depend on a criterion's unit: rescaling a column leaves
        /// every weight unchanged.
        #[test]
        fn weights_ignore_units(rows in proptest::collection::vec(proptest::collection::vec(0.1f64..100.0, 3), 2..12), scale in 0.01f64..100.0) {
            let sys = IndicatorSystem::flat(&[Polarity::Benefit; 3]);
            let o = sys.polarities();
            let run = |rows: &[Vec<f64>]| GiniParams::default().check().unwrap().weights(&Matrix::from_rows(rows), &StageContext::columns(&sys, &o)).map(|w| w.value.0);
            let scaled: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0] * scale, r[1], r[2]]).collect();
            if let (Ok(a), Ok(b)) = (run(&rows), run(&scaled)) {
                for (x, y) in a.iter().zip(&b) {
                    proptest::prop_assert!((x - y).abs() < 1e-9, "{a:?} vs {b:?}");
                }
            }
        }
    }
}
