//! MEREC weights (Method based on the Removal Effects of Criteria; Keshavarz-Ghorabaee et al.
//! 2021), as pymcdm 1.4.0 computes them on the raw matrix: each column scaled so that smaller is
//! better (min x / x for a benefit column, x / max x for a cost one), each alternative's overall
//! performance S_i = ln(1 + (1/m) sum_j |ln n_ij|), the same without criterion j, S'_ij, and the
//! removal effect E_j = sum_i |S'_ij - S_i|; weights E_j / sum E.

use resil_core::{Error, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MerecParams {}

impl MerecParams {
    pub fn check(self) -> Result<Merec> {
        Ok(Merec)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Merec;

impl Weighter for Merec {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let (n, m) = (reference.nrows(), reference.ncols());
        if n < 2 || m < 2 {
            return Err(Error::data("merec", format!("needs at least 2 alternatives and 2 criteria, got {n} x {m}")));
        }
        let mut scaled = Vec::with_capacity(m);
        for (j, column) in reference.columns().enumerate() {
            if let Some(i) = column.iter().position(|&x| !(x.is_finite() && x > 0.0)) {
                return Err(Error::data(
                    format!("merec: {}", cx.cell(i, j)),
                    format!("value {} must be positive (MEREC takes logarithms of ratios)", column[i]),
                ));
            }
            let (lo, hi) = column.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
            scaled.push(match cx.orientation[j] {
                Polarity::Benefit => column.iter().map(|&x| lo / x).collect::<Vec<f64>>(),
                Polarity::Cost => column.iter().map(|&x| x / hi).collect(),
            });
        }
        let performance = |skip: Option<usize>| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    let sum: f64 = (0..m).filter(|&j| Some(j) != skip).map(|j| scaled[j][i].ln().abs()).sum();
                    (1.0 + sum / m as f64).ln()
                })
                .collect()
        };
        let s = performance(None);
        let effects: Vec<f64> =
            (0..m).map(|j| performance(Some(j)).iter().zip(&s).map(|(a, b)| (a - b).abs()).sum()).collect();
        Ok(Outcome::new(Weights::normalized(effects)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;

    #[test]
    fn matches_pymcdm() {
        // pymcdm 1.4.0 merec_weights (tests/reference/pymcdm_weights.py).
        let case = resil_test_support::reference_case("pymcdm_weights");
        let m = resil_test_support::matrix(&case);
        let o: Vec<Polarity> = resil_test_support::floats(&case["types"])
            .iter()
            .map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost })
            .collect();
        let sys = IndicatorSystem::flat(&o);
        let w = MerecParams::default().check().unwrap().weights(&m, &StageContext::columns(&sys, &o)).unwrap().value;
        for (g, e) in w.0.iter().zip(resil_test_support::floats(&case["merec"])) {
            assert!((g - e).abs() < 1e-12, "{:?}", w.0);
        }
        let zero = Matrix::from_rows(&[vec![1.0, 0.0], vec![2.0, 3.0]]);
        let e = MerecParams::default()
            .check()
            .unwrap()
            .weights(
                &zero,
                &StageContext::columns(&IndicatorSystem::flat(&[Polarity::Benefit; 2]), &[Polarity::Benefit; 2]),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("indicator `C2`, row 1") && e.contains("positive"), "{e}");
    }

    proptest::proptest! {
        /// Weights are non-negative and sum to 1 on any positive matrix.
        #[test]
        fn weights_are_a_distribution(rows in proptest::collection::vec(proptest::collection::vec(0.1f64..100.0, 3), 2..12)) {
            let m = Matrix::from_rows(&rows);
            let o = [Polarity::Benefit, Polarity::Cost, Polarity::Benefit];
            let sys = IndicatorSystem::flat(&o);
            if let Ok(w) = MerecParams::default().check().unwrap().weights(&m, &StageContext::columns(&sys, &o)) {
                proptest::prop_assert!(w.value.0.iter().all(|&x| x >= 0.0));
                proptest::prop_assert!((w.value.0.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
    }
}
