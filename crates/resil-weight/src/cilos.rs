//! CILOS weights (Criterion Impact LOSs, Zavadskas & Podvezko 2016) and IDOCRIW (CILOS times
//! entropy), as pymcdm 1.4.0 on the raw matrix: cost columns turned into min / x, every column
//! sum-normalised; A the rows holding each column's maximum; relative impact losses
//! P_kj = (A_jj - A_kj) / A_jj; weights the normalised null vector of F = P - diag(colsum P).

use nalgebra::DMatrix;
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

/// CILOS weights of a positive matrix.
fn cilos(reference: &Matrix, cx: &StageContext<'_>) -> Result<Vec<f64>> {
    let m = reference.ncols();
    let mut columns = Vec::with_capacity(m);
    for (j, c) in reference.columns().enumerate() {
        if let Some(i) = c.iter().position(|&x| !(x.is_finite() && x > 0.0)) {
            return Err(Error::data(format!("cilos: {}", cx.cell(i, j)), format!("value {} must be positive", c[i])));
        }
        let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
        let v: Vec<f64> =
            if cx.orientation[j] == Polarity::Cost { c.iter().map(|x| lo / x).collect() } else { c.to_vec() };
        let sum: f64 = v.iter().sum();
        columns.push(v.into_iter().map(|x| x / sum).collect::<Vec<f64>>());
    }
    // Row of each column's maximum (the first, as numpy's argmax).
    let best: Vec<usize> =
        columns.iter().map(|c| c.iter().enumerate().fold(0, |b, (i, &x)| if x > c[b] { i } else { b })).collect();
    let a = |k: usize, j: usize| columns[j][best[k]];
    let p = DMatrix::from_fn(m, m, |k, j| (a(j, j) - a(k, j)) / a(j, j));
    let mut f = p.clone();
    for j in 0..m {
        f[(j, j)] -= p.column(j).sum();
    }
    // The null vector: the right singular vector of the smallest singular value.
    let svd = f.svd(false, true);
    let v_t = svd.v_t.expect("requested");
    let smallest = (0..m).min_by(|&x, &y| svd.singular_values[x].total_cmp(&svd.singular_values[y])).expect("m > 0");
    let q: Vec<f64> = v_t.row(smallest).iter().copied().collect();
    let total: f64 = q.iter().sum();
    Ok(q.iter().map(|x| x / total).collect())
}

impl Weighter for Cilos {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        if reference.nrows() < 2 || reference.ncols() < 2 {
            return Err(Error::data("cilos", "needs at least 2 alternatives and 2 criteria"));
        }
        let q = cilos(reference, cx)?;
        let w = if self.with_entropy {
            let e = crate::Entropy::entropies(reference, cx)?;
            q.iter().zip(&e).map(|(q, e)| q * (1.0 - e)).collect()
        } else {
            q
        };
        Ok(Outcome::new(Weights::normalized(w)?))
    }
}
