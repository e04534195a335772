//! Agreement between two rankings: Spearman's rho (Pearson correlation of average ranks) and
//! Kendall's tau-b (ties corrected) as scipy.stats computes them; the weighted Spearman
//! coefficient, the WS rank similarity coefficient and Goodman-Kruskal gamma as pymcdm's
//! `correlations` computes them; and the weight similarity coefficient between two weight sets.

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

/// Weighted Spearman r_w (Pinto da Costa & Soares 2005) of two rank vectors (1 = best): squared
/// rank differences weighted by how near the top either rank is.
pub fn weighted_spearman(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let num: f64 = x.iter().zip(y).map(|(a, b)| (a - b).powi(2) * ((n - a + 1.0) + (n - b + 1.0))).sum();
    1.0 - 6.0 * num / (n.powi(4) + n.powi(3) - n.powi(2) - n)
}

/// WS rank similarity coefficient (Sałabun & Urbaniak 2020) of `y` against the reference ranking
/// `x` (ranks, 1 = best). Asymmetric: a difference at the reference's top costs most.
pub fn rank_similarity_ws(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let sum: f64 =
        x.iter().zip(y).map(|(a, b)| 2f64.powf(-a) * (a - b).abs() / (1.0 - a).abs().max((n - a).abs())).sum();
    1.0 - sum
}

/// Goodman-Kruskal gamma: (concordant - discordant) / (concordant + discordant), pairs tied in
/// either ranking left out; NaN when no pair is comparable.
pub fn goodman_kruskal_gamma(x: &[f64], y: &[f64]) -> f64 {
    let (mut concordant, mut discordant) = (0u64, 0u64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let product = (x[i] - x[j]) * (y[i] - y[j]);
            if product > 0.0 {
                concordant += 1;
            } else if product < 0.0 {
                discordant += 1;
            }
        }
    }
    (concordant as f64 - discordant as f64) / (concordant + discordant) as f64
}

/// Weight similarity coefficient, symmetric form (Shekhovtsov 2023; pymcdm `wsc2`): one minus
/// half the L1 distance of two weight vectors summing to 1, so 1 is equal weights and 0 disjoint.
pub fn weight_similarity(w0: &[f64], w1: &[f64]) -> f64 {
    1.0 - w0.iter().zip(w1).map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0
}

/// The five agreement coefficients of two rank vectors, `a` the reference for WS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankAgreement {
    pub spearman: f64,
    pub kendall_tau_b: f64,
    pub weighted_spearman: f64,
    pub ws: f64,
    pub gamma: f64,
}

impl RankAgreement {
    /// Column names, in the order of [`RankAgreement::values`].
    pub const NAMES: [&'static str; 5] = ["spearman", "kendall_tau_b", "weighted_spearman", "ws", "gamma"];

    pub fn between(a: &[f64], b: &[f64]) -> RankAgreement {
        RankAgreement {
            spearman: spearman(a, b),
            kendall_tau_b: kendall_tau_b(a, b),
            weighted_spearman: weighted_spearman(a, b),
            ws: rank_similarity_ws(a, b),
            gamma: goodman_kruskal_gamma(a, b),
        }
    }

    pub fn values(&self) -> [f64; 5] {
        [self.spearman, self.kendall_tau_b, self.weighted_spearman, self.ws, self.gamma]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Just, Strategy};

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
    fn match_pymcdm_correlations() {
        // pymcdm 1.4.0 correlations (tests/reference/pymcdm_correlations.py): rw, ws and
        // goodman_kruskal_gamma of random rankings with and without ties, wsc2 of random weights.
        let r = resil_test_support::reference_case("pymcdm_correlations");
        for case in r["rankings"].as_array().unwrap() {
            let (x, y) = (resil_test_support::floats(&case["x"]), resil_test_support::floats(&case["y"]));
            for (got, key) in [
                (weighted_spearman(&x, &y), "rw"),
                (rank_similarity_ws(&x, &y), "ws"),
                (goodman_kruskal_gamma(&x, &y), "gamma"),
            ] {
                let want = case[key].as_f64().unwrap();
                assert!((got - want).abs() < 1e-12, "{key} of {x:?} / {y:?}: {got} vs {want}");
            }
        }
        for case in r["weights"].as_array().unwrap() {
            let (a, b) = (resil_test_support::floats(&case["w0"]), resil_test_support::floats(&case["w1"]));
            assert!((weight_similarity(&a, &b) - case["wsc2"].as_f64().unwrap()).abs() < 1e-12);
        }
    }

    proptest::proptest! {
        /// Every coefficient is 1 for a ranking against itself, lies in [-1, 1] (WS in [0, 1]),
        /// and the symmetric ones do not care which ranking comes first.
        #[test]
        fn agreement_bounds_and_symmetry(perm in Just((1..=9).map(f64::from).collect::<Vec<_>>()).prop_shuffle(),
                                         other in Just((1..=9).map(f64::from).collect::<Vec<_>>()).prop_shuffle()) {
            let same = RankAgreement::between(&perm, &perm);
            proptest::prop_assert!(same.values().iter().all(|v| (v - 1.0).abs() < 1e-12));
            let ab = RankAgreement::between(&perm, &other);
            let ba = RankAgreement::between(&other, &perm);
            for v in ab.values() {
                proptest::prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&v), "{ab:?}");
            }
            proptest::prop_assert!((0.0..=1.0).contains(&ab.ws));
            proptest::prop_assert!((ab.spearman - ba.spearman).abs() < 1e-12);
            proptest::prop_assert!((ab.weighted_spearman - ba.weighted_spearman).abs() < 1e-12);
            proptest::prop_assert!((ab.gamma - ba.gamma).abs() < 1e-12);
        }
    }

    #[test]
    fn identical_and_reversed() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [4.0, 3.0, 2.0, 1.0];
        assert_eq!(spearman(&a, &a), 1.0);
        assert_eq!(kendall_tau_b(&a, &b), -1.0);
    }
}
