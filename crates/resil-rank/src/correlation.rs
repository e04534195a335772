//! Rank correlations between two rankings: Spearman's rho (Pearson correlation of average ranks)
//! and Kendall's tau-b (ties corrected), as scipy.stats computes them.

use resil_core::Direction;

use crate::{rank, TiePolicy};

use resil_core::stats::pearson;

/// Spearman's rho of `a` and `b`; NaN when either is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let ra = rank(a, Direction::LowerIsBetter, TiePolicy::Average);
    let rb = rank(b, Direction::LowerIsBetter, TiePolicy::Average);
    pearson(&ra, &rb)
}

/// Kendall's tau-b of `a` and `b` (O(n^2), for the few hundred rows of a study); NaN when either
/// is constant.
pub fn kendall_tau_b(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len();
    let (mut concordant, mut discordant, mut ties_a, mut ties_b) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let (da, db) = ((a[i] - a[j]).signum(), (b[i] - b[j]).signum());
            let (za, zb) = (a[i] == a[j], b[i] == b[j]);
            match (za, zb) {
                (true, true) => {
                    ties_a += 1;
                    ties_b += 1;
                }
                (true, false) => ties_a += 1,
                (false, true) => ties_b += 1,
                _ if da == db => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n0 = (n * n.saturating_sub(1) / 2) as f64;
    (concordant - discordant) as f64 / ((n0 - ties_a as f64) * (n0 - ties_b as f64)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_scipy_with_ties() {
        // scipy 1.17.1 (tests/reference/scipy_rank_correlation.py): spearmanr and kendalltau
        // (tau-b) of two tied sequences.
        let r = resil_test_support::reference_case("scipy_rank_correlation");
        let (x, y) = (resil_test_support::floats(&r["x"]), resil_test_support::floats(&r["y"]));
        assert!((spearman(&x, &y) - r["spearman"].as_f64().unwrap()).abs() < 1e-12);
        assert!((kendall_tau_b(&x, &y) - r["kendall_tau_b"].as_f64().unwrap()).abs() < 1e-12);
    }

    #[test]
    fn identical_and_reversed() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [4.0, 3.0, 2.0, 1.0];
        assert_eq!(spearman(&a, &a), 1.0);
        assert_eq!(kendall_tau_b(&a, &b), -1.0);
    }
}
