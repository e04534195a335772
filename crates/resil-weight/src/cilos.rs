//! CILOS weights (Criterion Impact LOSs, Zavadskas & Podvezko 2016) and IDOCRIW (CILOS times
//! entropy), as pymcdm 1.4.0 on the raw matrix: cost columns turned into min / x, every column
//! sum-normalised; A the rows holding each column's maximum; relative impact losses
//! P_kj = (A_jj - A_kj) / A_jj; weights the normalised null vector of F = P - diag(colsum P).
//!
//! Over chunks in four passes: each column's least and greatest value; the sums that normalise
//! it; the first row holding its greatest normalised value; A, those rows' normalised values.
//! IDOCRIW folds entropy's two passes into the first two.

use nalgebra::DMatrix;
use resil_core::chunked::{first_failing_cell, Both, ChunkedFit, Merge, PassState};
use resil_core::{Error, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CilosParams {}

impl CilosParams {
    /// CILOS alone, or (`idocriw`) multiplied by entropy weights of the raw matrix.
    pub fn check(self, with_entropy: bool) -> Result<Cilos> {
        Ok(Cilos { with_entropy })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Cilos {
    with_entropy: bool,
}

/// CILOS over chunks of rows; `build` turns the CILOS vector q (summing to 1) into the result.
struct CilosFit<F> {
    /// `cilos`, or `idocriw`: the method errors name.
    method: &'static str,
    build: F,
}

/// The row count a fit needs, with the columns: CILOS compares criteria by alternatives.
fn too_small(method: &str, rows: f64, cx: &StageContext<'_>) -> Option<Error> {
    (rows < 2.0 || cx.system.len() < 2).then(|| Error::data(method, "needs at least 2 alternatives and 2 criteria"))
}

/// Column `j`'s value `x` before the sum-normalisation: min / x for a cost column.
fn oriented(x: f64, least: f64, cost: bool) -> f64 {
    if cost {
        least / x
    } else {
        x
    }
}

impl<T, F> ChunkedFit<T> for CilosFit<F>
where
    F: Fn(Vec<f64>, &StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Min, Merge::Max, Merge::Sum], vec![Merge::Sum], vec![Merge::Min], vec![Merge::Sum; ncols]]
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
        let cost = |j: usize| cx.orientation[j] == Polarity::Cost;
        let least = |j: usize| done[0].get(j, 0);
        // Column j's value at chunk row i, oriented and normalised.
        let normalised = |i: usize, j: usize| oriented(chunk.get(i, j), least(j), cost(j)) / done[1].get(j, 0);
        match pass {
            0 => {
                if let Some(e) = too_small(self.method, 2.0, cx) {
                    return Err(e);
                }
                if let Some((i, j)) = first_failing_cell(chunk, |_, x| x.is_finite() && x > 0.0) {
                    return Err(Error::data(
                        format!("{}: {}", self.method, cx.cell(first_row + i, j)),
                        format!("value {} must be positive", chunk.get(i, j)),
                    ));
                }
                for (j, col) in chunk.columns().enumerate() {
                    state.add(j, 0, col.iter().copied().fold(f64::INFINITY, f64::min));
                    state.add(j, 1, col.iter().copied().fold(f64::NEG_INFINITY, f64::max));
                    state.add(j, 2, col.len() as f64);
                }
            }
            1 => {
                for (j, col) in chunk.columns().enumerate() {
                    state.add(j, 0, col.iter().map(|&x| oriented(x, least(j), cost(j))).sum());
                }
            }
            2 => {
                // Division by the sum keeps the order, so the greatest normalised value is the
                // greatest oriented value's (for a cost column, min / min = 1); the first row that
                // reaches it after rounding is the row, as numpy's argmax.
                for j in 0..chunk.ncols() {
                    let greatest = if cost(j) { 1.0 } else { done[0].get(j, 1) } / done[1].get(j, 0);
                    if let Some(i) = (0..chunk.nrows()).find(|&i| normalised(i, j) == greatest) {
                        state.add(j, 0, (first_row + i) as f64);
                    }
                }
            }
            _ => {
                // A[k][j]: column j's normalised value in the row of column k's greatest.
                for k in 0..chunk.ncols() {
                    let row = done[2].get(k, 0) as usize;
                    if let Some(i) = row.checked_sub(first_row).filter(|&i| i < chunk.nrows()) {
                        (0..chunk.ncols()).for_each(|j| state.add(j, k, normalised(i, j)));
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        let m = cx.system.len();
        if let Some(e) = too_small(self.method, if m == 0 { 0.0 } else { states[0].get(0, 2) }, cx) {
            return Err(e);
        }
        // A constant column loses nothing against any row: its column of F is 0, so the null
        // vector can be that column alone (pymcdm's answer: all the weight on it, the scores then
        // rounding noise); refused instead.
        if let Some(j) = (0..m).find(|&j| states[0].get(j, 0) == states[0].get(j, 1)) {
            return Err(Error::data(
                format!("{}: {}", self.method, cx.indicator(j)),
                "is constant in the reference rows: it has no impact loss, and CILOS would give it the whole weight; drop it or choose another weighting",
            ));
        }
        let a = |k: usize, j: usize| states[3].get(j, k);
        let p = DMatrix::from_fn(m, m, |k, j| (a(j, j) - a(k, j)) / a(j, j));
        let mut f = p.clone();
        for j in 0..m {
            f[(j, j)] -= p.column(j).sum();
        }
        // The null vector: the right singular vector of the smallest singular value.
        let svd = f.svd(false, true);
        let v_t = svd.v_t.expect("requested");
        let smallest =
            (0..m).min_by(|&x, &y| svd.singular_values[x].total_cmp(&svd.singular_values[y])).expect("m > 0");
        let q: Vec<f64> = v_t.row(smallest).iter().copied().collect();
        let total: f64 = q.iter().sum();
        (self.build)(q.iter().map(|x| x / total).collect(), cx)
    }
}

impl Weighter for Cilos {
    /// CILOS alone, or beside entropy's passes (IDOCRIW), its weights times 1 - e.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        if !self.with_entropy {
            return Some(Box::new(CilosFit {
                method: "cilos",
                build: |q: Vec<f64>, _: &StageContext<'_>| Ok(Outcome::new(Weights::normalized(q)?)),
            }));
        }
        let cilos = CilosFit { method: "idocriw", build: |q: Vec<f64>, _: &StageContext<'_>| Ok(Outcome::new(q)) };
        Some(Box::new(Both {
            first: Box::new(cilos),
            second: crate::entropy::entropies_fit(),
            build: |q: Outcome<Vec<f64>>, e: Outcome<Vec<f64>>, _: &StageContext<'_>| {
                let w = q.value.iter().zip(&e.value).map(|(q, e)| q * (1.0 - e)).collect();
                Ok(Outcome::new(Weights::normalized(w)?))
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;

    #[test]
    fn a_constant_column_is_refused_rather_than_given_the_whole_weight() {
        // pymcdm 1.4.0's cilos_weights on this matrix: [0, 1, -2.2e-16], all on the constant column.
        let m =
            Matrix::from_rows(&[vec![1.0, 5.0, 3.0], vec![2.0, 5.0, 1.0], vec![3.0, 5.0, 2.0], vec![4.0, 5.0, 7.0]]);
        let system = IndicatorSystem::flat(&[Polarity::Benefit; 3]);
        let cx = StageContext::columns(&system, &[Polarity::Benefit; 3]);
        for with_entropy in [false, true] {
            let err = CilosParams::default().check(with_entropy).unwrap().weights(&m, &cx).unwrap_err().to_string();
            let method = if with_entropy { "idocriw" } else { "cilos" };
            assert!(err.starts_with(&format!("{method}: indicator `C2`: is constant in the reference rows")), "{err}");
        }
    }
}
