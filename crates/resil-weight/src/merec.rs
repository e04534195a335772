//! MEREC weights (Method based on the Removal Effects of Criteria; Keshavarz-Ghorabaee et al.
//! 2021), as pymcdm 1.4.0 computes them on the raw matrix: each column scaled so that smaller is
//! better (min x / x for a benefit column, x / max x for a cost one), each alternative's overall
//! performance S_i = ln(1 + (1/m) sum_j |ln n_ij|), the same without criterion j, S'_ij, and the
//! removal effect E_j = sum_i |S'_ij - S_i|; weights E_j / sum E.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
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
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(MerecFit))
    }
}

/// MEREC over chunks of rows, in two passes: each column's extremes and rows (with every value
/// checked positive); then, row by row, the overall performance S_i and S'_ij without each
/// criterion, summing each criterion's removal effect |S'_ij - S_i|.
struct MerecFit;

impl ChunkedFit<Weights> for MerecFit {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Min, Merge::Max, Merge::Sum], vec![Merge::Sum]]
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        let m = chunk.ncols();
        if pass == 0 {
            if let Some((i, j)) = resil_core::chunked::first_failing_cell(chunk, |_, x| x.is_finite() && x > 0.0) {
                return Err(Error::data(
                    format!("merec: {}", cx.cell(first_row + i, j)),
                    format!("value {} must be positive (MEREC takes logarithms of ratios)", chunk.column(j)[i]),
                ));
            }
            for (j, c) in chunk.columns().enumerate() {
                let (lo, hi) = c.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
                [lo, hi, c.len() as f64].iter().enumerate().for_each(|(s, v)| state.add(j, s, *v));
            }
            return Ok(());
        }
        // |ln| of each criterion's ratio to its best: lo / x for a benefit, x / hi for a cost.
        let logs: Vec<Vec<f64>> = (0..m)
            .map(|j| {
                let (lo, hi) = (done[0].get(j, 0), done[0].get(j, 1));
                let scaled = |x: f64| if cx.orientation[j] == Polarity::Benefit { lo / x } else { x / hi };
                chunk.column(j).iter().map(|&x| scaled(x).ln().abs()).collect()
            })
            .collect();
        let mut effects = vec![0.0; m];
        #[allow(clippy::needless_range_loop)] // row i of the column-major logs
        for i in 0..chunk.nrows() {
            let performance = |skip: Option<usize>| {
                let sum: f64 = (0..m).filter(|&j| Some(j) != skip).map(|j| logs[j][i]).sum();
                (1.0 + sum / m as f64).ln()
            };
            let s = performance(None);
            for (j, e) in effects.iter_mut().enumerate() {
                *e += (performance(Some(j)) - s).abs();
            }
        }
        effects.iter().enumerate().for_each(|(j, e)| state.add(j, 0, *e));
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let m = cx.system.len();
        let n = if m == 0 { 0 } else { states[0].get(0, 2) as usize };
        if n < 2 || m < 2 {
            return Err(Error::data("merec", format!("needs at least 2 alternatives and 2 criteria, got {n} x {m}")));
        }
        // Only a constant column has no removal effect: each of its terms is ln 1.
        let effects = (0..m).map(|j| states[1].get(j, 0)).collect();
        crate::statistical::finish(effects, cx, |_| "has no spread", crate::statistical::CONSTANT)
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
