//! Entropy weights: p_ij = r_ij / sum_i r_ij, e_j = -(1/ln N) sum_i p_ij ln p_ij, w_j ∝ 1 - e_j.
//!
//! The method takes the matrix as it is given (normalised upstream) and needs non-negative
//! values; it refuses negative ones rather than guess a shift (see method.md, step 2).

use resil_core::chunked::{first_failing_cell, ChunkedFit, Merge, PassState};
use resil_core::{Diagnostic, Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters of entropy weighting (none yet).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EntropyParams {}

impl EntropyParams {
    pub fn check(self) -> Result<Entropy> {
        Ok(Entropy {})
    }
}

/// The checked entropy method.
#[derive(Debug, Clone)]
pub struct Entropy {}

impl Entropy {
    /// Each column's normalised Shannon entropy e_j = -sum p ln p / ln n, p = r / sum r (0 ln 0
    /// = 0; a column of zeros has entropy 1).
    pub fn entropies(reference: &Matrix, cx: &StageContext<'_>) -> Result<Vec<f64>> {
        Ok(resil_core::chunked::fit_in_memory(&*entropies_fit(), reference, cx)?.value)
    }

    fn weights_from(e: Vec<f64>, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let system = cx.system;
        let d: Vec<f64> = e.iter().map(|e| 1.0 - e).collect();
        let notes: Vec<Diagnostic> = d
            .iter()
            .enumerate()
            .filter(|(_, &d)| d <= 1e-15)
            .map(|(j, _)| {
                Diagnostic::warning(
                    "zero-weight",
                    format!(
                        "entropy: indicator `{}` has no spread in the reference rows; its weight is 0",
                        system.get(j).id
                    ),
                )
            })
            .collect();
        if notes.len() == d.len() {
            return Err(Error::data("entropy", "every indicator is constant; no weight can be derived"));
        }
        Ok(Outcome::with_notes(Weights::normalized(d)?, notes))
    }
}

/// [`Entropy::entropies`] over chunks of rows.
pub(crate) fn entropies_fit<'a>() -> Box<dyn ChunkedFit<Vec<f64>> + 'a> {
    Box::new(EntropyFit { build: |e: Vec<f64>, _: &StageContext<'_>| Ok(Outcome::new(e)) })
}

/// Entropy over chunks of rows: the column sums first, then the sums of p ln p with p = r / sum
/// (the "sums of p ln p after a first pass"); `build` turns the entropies into the result.
struct EntropyFit<F> {
    build: F,
}

impl<T, F> ChunkedFit<T> for EntropyFit<F>
where
    F: Fn(Vec<f64>, &StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Sum, Merge::Sum], vec![Merge::Sum]]
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
        // The first refused cell in row order, then column order: the same cell however the
        // rows are cut into chunks (column by column, a later chunk's earlier column had won).
        if pass == 0 {
            if let Some((i, j)) = first_failing_cell(chunk, |_, v| v.is_finite() && v >= 0.0) {
                return Err(Error::data(
                    format!("entropy: {}", cx.cell(first_row + i, j)),
                    format!(
                        "value {} is negative or missing; entropy needs non-negative values (normalise with minmax or translate first)",
                        chunk.get(i, j)
                    ),
                ));
            }
        }
        for (j, col) in chunk.columns().enumerate() {
            if pass == 0 {
                state.add(j, 0, col.len() as f64);
                state.add(j, 1, col.iter().sum::<f64>());
            } else {
                let sum = done[0].get(j, 1);
                if sum == 0.0 {
                    continue;
                }
                let h: f64 = col
                    .iter()
                    .map(|&r| {
                        let p = r / sum;
                        if p > 0.0 {
                            p * p.ln()
                        } else {
                            0.0
                        }
                    })
                    .sum();
                state.add(j, 0, h);
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        let ncols = cx.system.len();
        let n = if ncols == 0 { 0.0 } else { states[0].get(0, 0) };
        if n < 2.0 {
            return Err(Error::data("entropy", format!("needs at least 2 reference rows, got {n}")));
        }
        let ln_n = n.ln();
        let e = (0..ncols)
            .map(|j| if states[0].get(j, 1) == 0.0 { 1.0 } else { (-states[1].get(j, 0) / ln_n).min(1.0) })
            .collect();
        (self.build)(e, cx)
    }
}

impl Weighter for Entropy {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(EntropyFit { build: Entropy::weights_from }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn weights(m: &Matrix) -> Outcome<Weights> {
        let sys = IndicatorSystem::flat(&vec![Polarity::Benefit; m.ncols()]);
        EntropyParams::default()
            .check()
            .unwrap()
            .weights(m, &resil_core::StageContext::columns(&sys, &sys.polarities()))
            .unwrap()
    }

    #[test]
    fn scikit_criteria_simple_matrix() {
        // data/reference-cases/lit_entropy_skcriteria_simple.json: scikit-criteria's
        // test_EntropyWeighter_simple_matrix, [[1,2],[4,16]] -> 0.358889, 0.641111 (atol 1e-5).
        let case = resil_test_support::reference_case("lit_entropy_skcriteria_simple");
        let w = weights(&resil_test_support::matrix(&case)).value;
        let expected = resil_test_support::floats(&case["expected"]["weights"]);
        for (a, e) in w.as_slice().iter().zip(&expected) {
            assert!((a - e).abs() < 1e-5, "{a} vs {e}");
        }
    }

    #[test]
    fn hand_computed_two_by_two() {
        // Independent computation: column (1, 3): p = (1/4, 3/4), e = -(1/4 ln 1/4 + 3/4 ln 3/4) / ln 2.
        let e1 = -(0.25f64 * 0.25f64.ln() + 0.75 * 0.75f64.ln()) / 2f64.ln();
        let m = Matrix::from_columns(vec![vec![1.0, 3.0], vec![2.0, 2.0]]);
        let out = weights(&m);
        assert!((out.value.0[0] - 1.0).abs() < 1e-15 && out.value.0[1] == 0.0);
        assert!(
            (Entropy::entropies(
                &m,
                &StageContext::columns(&IndicatorSystem::flat(&[Polarity::Benefit; 2]), &[Polarity::Benefit; 2])
            )
            .unwrap()[0]
                - e1)
                .abs()
                < 1e-15
        );
        assert_eq!(out.notes[0].code, "zero-weight");
    }

    #[test]
    fn zeros_count_as_zero_times_log_zero() {
        // p = (0, 1): e = 0, the most informative column possible.
        let m = Matrix::from_columns(vec![vec![0.0, 5.0], vec![1.0, 2.0]]);
        let e = Entropy::entropies(
            &m,
            &StageContext::columns(&IndicatorSystem::flat(&[Polarity::Benefit; 2]), &[Polarity::Benefit; 2]),
        )
        .unwrap();
        assert_eq!(e[0], 0.0);
    }

    #[test]
    fn negative_values_are_refused_naming_indicator_and_row() {
        let m = Matrix::from_columns(vec![vec![1.0, -0.5]]);
        let err = EntropyParams::default()
            .check()
            .unwrap()
            .weights(
                &m,
                &resil_core::StageContext::columns(&IndicatorSystem::flat(&[Polarity::Benefit]), &[Polarity::Benefit]),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("`C1`, row 2"), "{err}");
        // The first refused cell in row order: rows 1-2 and 3-4 as two chunks name the same
        // one as the whole (column by column, the first chunk's C2 had been named over C1).
        let m = Matrix::from_columns(vec![vec![1.0, 2.0, -3.0, 4.0], vec![1.0, -2.0, 3.0, 4.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let o = sys.polarities();
        let cx = resil_core::StageContext::columns(&sys, &o);
        let fit = EntropyFit { build: Entropy::weights_from };
        let whole = resil_core::chunked::fit_in_memory(&fit, &m, &cx).unwrap_err().to_string();
        let halves = (0..2).map(|k| m.rows(2 * k..2 * k + 2)).collect::<Vec<_>>();
        let mut first = PassState::new(&[Merge::Sum, Merge::Sum], 2);
        let chunked = halves
            .iter()
            .enumerate()
            .find_map(|(k, h)| ChunkedFit::<Weights>::update(&fit, 0, &[], h, 2 * k, &mut first, &cx).err())
            .unwrap()
            .to_string();
        assert!(whole.contains("`C2`, row 2") && whole == chunked, "{whole} / {chunked}");
    }

    proptest::proptest! {
        #[test]
        fn weights_are_non_negative_and_sum_to_one(
            cols in proptest::collection::vec(proptest::collection::vec(0.01f64..100.0, 6), 1..8)
        ) {
            let m = Matrix::from_columns(cols);
            let sys = IndicatorSystem::flat(&vec![Polarity::Benefit; m.ncols()]);
            if let Ok(out) = EntropyParams::default().check().unwrap().weights(&m, &resil_core::StageContext::columns(&sys, &sys.polarities())) {
                let w = out.value.0;
                proptest::prop_assert!(w.iter().all(|&x| x >= 0.0));
                proptest::prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
    }
}
