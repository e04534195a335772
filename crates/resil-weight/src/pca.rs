//! Weights by principal components as the OECD/JRC Handbook on Constructing Composite Indicators
//! (2008, section 6.1; Nicoletti, Scarpetta & Boylaud 2000) describes them: the factors of the
//! indicators' correlation matrix with an eigenvalue above 1 (`min-eigenvalue`), their loadings
//! rotated by varimax (Kaiser normalisation, as R's `stats::varimax`), the squared loadings scaled
//! to unity within each factor, each indicator assigned to the factor it loads on most, and its
//! weight the product of that scaled squared loading and the factor's share of the variance the
//! kept factors explain, normalised to sum 1.

use nalgebra::DMatrix;
use resil_core::chunked::{ChunkedFit, CoMomentsFit, PassState};
use resil_core::stats::Moments;
use resil_core::{Diagnostic, Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters: the eigenvalue a factor must exceed to be kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct PcaParams {
    pub min_eigenvalue: f64,
}

impl Default for PcaParams {
    fn default() -> Self {
        PcaParams { min_eigenvalue: 1.0 }
    }
}

impl PcaParams {
    pub fn check(self) -> Result<Pca> {
        if !(self.min_eigenvalue.is_finite() && self.min_eigenvalue >= 0.0) {
            return Err(Error::param("pca", "min-eigenvalue", format!("must be >= 0, got {}", self.min_eigenvalue)));
        }
        Ok(Pca { min_eigenvalue: self.min_eigenvalue })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Pca {
    min_eigenvalue: f64,
}

/// The most varimax iterations: far more than a rotation that converges needs (tens to a few
/// hundred; linear convergence, slower when factors are near-equivalent).
const VARIMAX_ITERATIONS: usize = 1000;

/// Varimax rotation with Kaiser normalisation: the iteration of R's `stats::varimax`, run to its
/// fixed point. R stops once the criterion gains less than `eps` (1e-5 by default) relative; near
/// the optimum the criterion is flat, so the rotation is then fixed only to about sqrt(eps), and a
/// matrix equal to rounding (a correlation merged over chunks of rows) could stop an iteration
/// apart and move the weights by 1e-6. Here it stops once the rotation's largest change is a few
/// roundings, or stops shrinking below 1e-9 (the rounding floor of the iteration). Returns the
/// rotated loadings and whether the iteration settled (its last step below 1e-9).
fn varimax(loadings: &DMatrix<f64>) -> (DMatrix<f64>, bool) {
    let (p, k) = loadings.shape();
    if k < 2 {
        return (loadings.clone(), true);
    }
    let norms: Vec<f64> = (0..p).map(|i| loadings.row(i).norm()).collect();
    let x = DMatrix::from_fn(p, k, |i, j| loadings[(i, j)] / norms[i]);
    let mut rotation = DMatrix::<f64>::identity(k, k);
    let mut change = f64::INFINITY;
    for _ in 0..VARIMAX_ITERATIONS {
        let z = &x * &rotation;
        let column_sums =
            DMatrix::from_diagonal(&nalgebra::DVector::from_fn(k, |j, _| z.column(j).map(|v| v * v).sum()));
        let b = x.transpose() * (z.map(|v| v.powi(3)) - &z * column_sums / p as f64);
        // U V' of B's SVD, accurately; a singular B (a degenerate rotation) has no unique one, and
        // any SVD's will do.
        let next = crate::symmetric::polar(&b).unwrap_or_else(|| {
            let svd = b.svd(true, true);
            svd.u.expect("requested") * svd.v_t.expect("requested")
        });
        let previous = change;
        change = (&next - &rotation).amax();
        rotation = next;
        if change <= 8.0 * f64::EPSILON || (change < 1e-9 && change >= previous) {
            break;
        }
    }
    let rotated = x * rotation;
    // Settled when the last step was below 1e-9, whether the loop stopped there or ran its
    // course still converging (slowly, with near-equivalent factors): a test on how it stopped
    // would tell matrices equal to rounding apart.
    (DMatrix::from_fn(p, k, |i, j| rotated[(i, j)] * norms[i]), change < 1e-9)
}

impl Pca {
    /// The fit over chunks of rows: CRITIC's two passes, counts, sums and extremes, then the
    /// co-moments of every pair of columns; the correlation matrix follows, and the factors,
    /// their rotation and the weights from it.
    fn fit(&self) -> Box<dyn ChunkedFit<Weights> + '_> {
        Box::new(CoMomentsFit(move |moments: &[Moments], co: &PassState, cx: &StageContext<'_>| {
            let p = moments.len();
            let n = moments.first().map_or(0, |m| m.cells);
            if n < 3 || p < 2 {
                return Err(Error::data("pca", format!("needs at least 3 rows and 2 indicators, got {n} x {p}")));
            }
            if let Some(j) = moments.iter().position(|m| m.cells > m.n) {
                return Err(Error::data(format!("pca: {}", cx.indicator(j)), "needs finite values"));
            }
            if let Some(j) = moments.iter().position(|m| m.min == m.max) {
                return Err(Error::data(
                    format!("pca: {}", cx.indicator(j)),
                    "is constant: it has no correlation to load on a factor",
                ));
            }
            let correlation =
                DMatrix::from_fn(
                    p,
                    p,
                    |j, k| {
                        if j == k {
                            1.0
                        } else {
                            co.get(j, k) / (co.get(j, j) * co.get(k, k)).sqrt()
                        }
                    },
                );
            self.weights_from(correlation)
        }))
    }

    /// The Handbook's weights from the indicators' correlation matrix.
    fn weights_from(&self, correlation: DMatrix<f64>) -> Result<Outcome<Weights>> {
        let p = correlation.nrows();
        let (eigenvalues, eigenvectors) = crate::symmetric::eigen(&correlation);
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| eigenvalues[b].total_cmp(&eigenvalues[a]));
        let kept: Vec<usize> = order.iter().copied().filter(|&f| eigenvalues[f] > self.min_eigenvalue).collect();
        if kept.is_empty() {
            return Err(Error::data(
                "pca",
                format!(
                    "no factor has an eigenvalue above {}: the indicators share too little variance",
                    self.min_eigenvalue
                ),
            ));
        }
        let loadings = DMatrix::from_fn(p, kept.len(), |i, f| eigenvectors[(i, kept[f])] * eigenvalues[kept[f]].sqrt());
        let (rotated, settled) = varimax(&loadings);
        let squared = rotated.map(|v| v * v);
        let explained: Vec<f64> = (0..kept.len()).map(|f| squared.column(f).sum()).collect();
        let total: f64 = explained.iter().sum();
        let raw: Vec<f64> = (0..p)
            .map(|i| {
                let scaled = |f: usize| squared[(i, f)] / explained[f];
                let best = (0..kept.len()).max_by(|&a, &b| scaled(a).total_cmp(&scaled(b))).expect("a factor");
                explained[best] / total * scaled(best)
            })
            .collect();
        let eigenvalues: Vec<String> = kept.iter().map(|&f| format!("{:.4}", eigenvalues[f])).collect();
        let mut notes = vec![Diagnostic::info(
            "pca-factors",
            format!(
                "pca: {} factor(s) with eigenvalue above {} (eigenvalues {}), {:.1} % of the variance",
                kept.len(),
                self.min_eigenvalue,
                eigenvalues.join(", "),
                100.0 * total / p as f64
            ),
        )];
        if !settled {
            // No figure of the last step: its digits would differ with the data's last bits.
            notes.push(Diagnostic::warning(
                "pca-varimax",
                format!(
                    "pca: varimax did not settle in {VARIMAX_ITERATIONS} iterations (near-equivalent rotations); the weights are those of the last"
                ),
            ));
        }
        Ok(Outcome::with_notes(Weights::normalized(raw)?, notes))
    }
}

impl Weighter for Pca {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        resil_core::chunked::fit_in_memory(&*self.fit(), reference, cx)
    }

    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(self.fit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn run(rows: &[Vec<f64>]) -> Result<Outcome<Weights>> {
        let m = Matrix::from_rows(rows);
        let sys = IndicatorSystem::flat(&vec![Polarity::Benefit; m.ncols()]);
        let o = sys.polarities();
        PcaParams::default().check()?.weights(&m, &StageContext::columns(&sys, &o))
    }

    #[test]
    fn handbook_weights_match_an_independent_numpy_computation() {
        // numpy 2.4.6, the Handbook's steps written independently (tests/reference/
        // numpy_pca_weights.py): two factors kept, varimax to its fixed point, scaled squared
        // loadings. (Stopped as R stops, at a criterion gain under 1e-12, they were 1e-7 apart.)
        let case = resil_test_support::reference_case("numpy_pca_weights");
        let rows: Vec<Vec<f64>> = case["matrix"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let out = run(&rows).unwrap();
        for (g, e) in out.value.0.iter().zip(resil_test_support::floats(&case["weights"])) {
            assert!((g - e).abs() < 1e-12, "{:?}", out.value.0);
        }
        assert!(out.notes[0].message.contains("2 factor(s)"), "{}", out.notes[0].message);
    }

    #[test]
    fn constant_columns_and_too_little_shared_variance_are_errors() {
        let e = run(&[vec![1.0, 2.0], vec![1.0, 3.0], vec![1.0, 5.0]]).unwrap_err().to_string();
        assert!(e.contains("indicator `C1`") && e.contains("constant"), "{e}");
        assert!(run(&[vec![1.0, 2.0]]).is_err());
    }

    #[test]
    fn varimax_keeps_each_rows_communality() {
        // A rotation leaves each indicator's sum of squared loadings (its communality) unchanged.
        let l = DMatrix::from_row_slice(4, 2, &[0.9, 0.1, 0.8, 0.3, 0.2, 0.7, 0.1, 0.9]);
        let (r, settled) = varimax(&l);
        assert!(settled);
        for i in 0..4 {
            assert!((l.row(i).norm_squared() - r.row(i).norm_squared()).abs() < 1e-12);
        }
    }

    #[test]
    fn a_rotation_that_cycles_is_reported_unsettled() {
        // Three indicators on two factors whose varimax iteration alternates between two
        // rotations (a step of 0.9 at every iteration) while its criterion creeps up.
        let l = DMatrix::from_row_slice(3, 2, &[-0.343, -0.434, 0.705, 0.901, 0.3, -0.2]);
        assert!(!varimax(&l).1);
        let (r, settled) = varimax(&DMatrix::from_row_slice(3, 2, &[0.9, 0.1, 0.8, 0.3, 0.2, 0.7]));
        assert!(settled && r.iter().all(|v| v.is_finite()));
    }

    proptest::proptest! {
        /// Weights are non-negative and sum to 1, and do not depend on the indicators' units
        /// (they come from correlations): rescaling a column leaves them unchanged.
        #[test]
        fn weights_sum_to_one_and_ignore_units(
            rows in proptest::collection::vec(proptest::collection::vec(-5.0f64..5.0, 4), 6..20),
            scale in 0.001f64..1000.0,
        ) {
            let Ok(out) = run(&rows) else { return Ok(()) };
            let w = &out.value.0;
            proptest::prop_assert!(w.iter().all(|&x| x >= 0.0) && (w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let scaled: Vec<Vec<f64>> = rows.iter().map(|r| { let mut r = r.clone(); r[0] *= scale; r }).collect();
            let again = run(&scaled).unwrap().value.0;
            // Varimax runs to its fixed point, so the rounding of the rescaled column moves the
            // weights by little more than rounding (it had moved them by 1e-6 when varimax
            // stopped, as R does, at a criterion gain under 1e-12).
            for (a, b) in w.iter().zip(&again) {
                proptest::prop_assert!((a - b).abs() < 1e-9, "{w:?} vs {again:?}");
            }
        }
    }
}
