//! Small dense linear algebra that PCA needs to machine precision: the eigen-decomposition of a
//! symmetric matrix by cyclic Jacobi rotations, and the orthogonal polar factor of a square matrix
//! by Newton's iteration. nalgebra's `SymmetricEigen` and `SVD` stop their QR sweeps early: on a
//! 3 x 3 correlation matrix with eigenvalues 1.1315 and 1.1301 their vectors were 8e-9 from
//! LAPACK's (numpy's `eigh`), and two matrices equal to rounding gave vectors 1e-8 apart, so PCA
//! weights fitted in memory and over chunks of rows differed by 1e-6 (nalgebra issue #1109 is
//! another case). Jacobi rotations converge quadratically and give eigenvectors accurate to
//! rounding over the gap between eigenvalues; the matrices here are indicators x indicators.

use nalgebra::DMatrix;

/// Sweeps of Jacobi rotations before giving up: convergence is quadratic, so 6-10 suffice.
const SWEEPS: usize = 60;

/// The eigenvalues of the symmetric matrix `a` and its eigenvectors (as columns, in the same
/// order, unsorted), by cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, 4th ed.,
/// algorithm 8.5.3) run until every off-diagonal element is negligible next to its two diagonal
/// elements (and to the matrix's norm, for zero eigenvalues).
pub(crate) fn eigen(a: &DMatrix<f64>) -> (Vec<f64>, DMatrix<f64>) {
    let n = a.nrows();
    let mut a = a.clone();
    let mut v = DMatrix::<f64>::identity(n, n);
    let floor = f64::EPSILON * f64::EPSILON * a.norm();
    for _ in 0..SWEEPS {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[(p, q)];
                let negligible =
                    apq.abs() <= floor || apq.abs() <= 0.25 * f64::EPSILON * (a[(p, p)].abs() * a[(q, q)].abs()).sqrt();
                if negligible {
                    a[(p, q)] = 0.0;
                    a[(q, p)] = 0.0;
                    continue;
                }
                rotated = true;
                // The rotation that zeroes a[(p, q)]: t = tan(theta), the smaller root.
                let tau = (a[(q, q)] - a[(p, p)]) / (2.0 * apq);
                let t = tau.signum() / (tau.abs() + tau.hypot(1.0));
                let c = 1.0 / t.hypot(1.0);
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[(k, p)], a[(k, q)]);
                    a[(k, p)] = c * akp - s * akq;
                    a[(k, q)] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[(p, k)], a[(q, k)]);
                    a[(p, k)] = c * apk - s * aqk;
                    a[(q, k)] = s * apk + c * aqk;
                }
                a[(p, q)] = 0.0;
                a[(q, p)] = 0.0;
                for k in 0..n {
                    let (vkp, vkq) = (v[(k, p)], v[(k, q)]);
                    v[(k, p)] = c * vkp - s * vkq;
                    v[(k, q)] = s * vkp + c * vkq;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    ((0..n).map(|i| a[(i, i)]).collect(), v)
}

/// Newton steps for the polar factor before giving up: quadratic convergence, a few suffice.
const NEWTON_STEPS: usize = 100;

/// The orthogonal factor U V' of the square matrix `b` = U S V' (its SVD): the orthogonal matrix
/// nearest to `b`. Newton's iteration X <- (X + X^-T) / 2 from X = `b` (Higham, Functions of
/// Matrices, 2008, section 8.3), stopped once a step moves no element by more than a few
/// roundings. `None` when `b` is singular (its polar factor is then not unique).
pub(crate) fn polar(b: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let mut x = b.clone();
    let mut step = f64::INFINITY;
    for _ in 0..NEWTON_STEPS {
        let inverse_t = x.clone().try_inverse()?.transpose();
        let next = (&x + inverse_t) * 0.5;
        let previous = step;
        step = (&next - &x).amax();
        x = next;
        // Quadratic convergence: once a step no longer shrinks it is rounding.
        if step <= 8.0 * f64::EPSILON || (step < 1e-8 && step >= previous) {
            break;
        }
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn column_matches_up_to_sign(got: &DMatrix<f64>, j: usize, expected: &[f64], tolerance: f64) -> bool {
        let sign = if got.column(j).dot(&nalgebra::DVector::from_column_slice(expected)) < 0.0 { -1.0 } else { 1.0 };
        expected.iter().enumerate().all(|(i, e)| (sign * got[(i, j)] - e).abs() <= tolerance)
    }

    #[test]
    fn eigenvectors_match_lapack_where_nalgebra_is_1e_8_off() {
        // numpy 2.4.6's `eigh` (LAPACK): tests/reference/numpy_symmetric_eigen.py.
        let case = resil_test_support::reference_case("numpy_symmetric_eigen");
        for m in case["matrices"].as_array().unwrap() {
            let rows: Vec<Vec<f64>> = m["matrix"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
            let n = rows.len();
            let a = DMatrix::from_fn(n, n, |i, j| rows[i][j]);
            let (values, vectors) = eigen(&a);
            let expected_values = resil_test_support::floats(&m["eigenvalues"]);
            let expected_vectors: Vec<Vec<f64>> =
                m["eigenvectors"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
            for (e, expected) in expected_values.iter().zip(&expected_vectors) {
                let j = (0..n).min_by(|&x, &y| (values[x] - e).abs().total_cmp(&(values[y] - e).abs())).unwrap();
                assert!((values[j] - e).abs() <= 1e-14, "{values:?} against {expected_values:?}");
                // An eigenvector is fixed to rounding over the gap to the nearest other eigenvalue
                // (Golub & Van Loan, theorem 8.1.12): 1.4e-3 for the first two matrices.
                let gap =
                    (0..n).filter(|&k| k != j).map(|k| (values[k] - values[j]).abs()).fold(f64::INFINITY, f64::min);
                let tolerance = 4.0 * f64::EPSILON * a.norm() / gap;
                assert!(column_matches_up_to_sign(&vectors, j, expected, tolerance), "{vectors} against {expected:?}");
            }
        }
    }

    #[test]
    fn the_polar_factor_matches_lapack_s_svd() {
        let case = resil_test_support::reference_case("numpy_symmetric_eigen");
        for m in case["polar"].as_array().unwrap() {
            let rows: Vec<Vec<f64>> = m["matrix"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
            let expected: Vec<Vec<f64>> =
                m["factor"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
            let n = rows.len();
            let got = polar(&DMatrix::from_fn(n, n, |i, j| rows[i][j])).unwrap();
            for i in 0..n {
                for j in 0..n {
                    assert!((got[(i, j)] - expected[i][j]).abs() <= 1e-13, "{got} against {expected:?}");
                }
            }
        }
        assert!(polar(&DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0])).is_none());
    }

    proptest! {
        /// A V = V diag(values) and V'V = I to rounding, on random symmetric matrices.
        #[test]
        fn eigenpairs_reconstruct_the_matrix(
            cells in proptest::collection::vec(-10.0f64..10.0, 1..64),
        ) {
            let n = (cells.len() as f64).sqrt() as usize;
            let a = DMatrix::from_fn(n, n, |i, j| cells[i.min(j) * n + i.max(j)]);
            let (values, v) = eigen(&a);
            let residual = (&a * &v - &v * DMatrix::from_diagonal(&nalgebra::DVector::from_vec(values))).amax();
            let scale = a.norm().max(1.0);
            prop_assert!(residual <= 1e-13 * scale, "residual {residual}");
            prop_assert!((v.transpose() * &v - DMatrix::<f64>::identity(n, n)).amax() <= 1e-14);
        }

        /// The polar factor is orthogonal and X'B is symmetric positive semi-definite.
        #[test]
        fn the_polar_factor_is_orthogonal_and_leaves_a_symmetric_part(
            cells in proptest::collection::vec(-10.0f64..10.0, 4..36),
        ) {
            let n = (cells.len() as f64).sqrt() as usize;
            let b = DMatrix::from_fn(n, n, |i, j| cells[i * n + j]);
            let Some(x) = polar(&b) else { return Ok(()) };
            let (values, _) = eigen(&(b.transpose() * &b));
            let smallest = values.iter().copied().fold(f64::INFINITY, f64::min).max(0.0).sqrt();
            // Ill-conditioned matrices lose accuracy as their condition number.
            prop_assume!(smallest > 1e-3 * b.norm());
            prop_assert!((x.transpose() * &x - DMatrix::<f64>::identity(n, n)).amax() <= 1e-13);
            let h = x.transpose() * &b;
            prop_assert!((&h - h.transpose()).amax() <= 1e-11 * b.norm());
            prop_assert!(eigen(&((&h + h.transpose()) * 0.5)).0.iter().all(|&l| l >= -1e-11 * b.norm()));
        }
    }
}
