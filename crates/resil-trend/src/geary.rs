//! Geary's C, global, as esda 2.9.0 computes it: C = (n - 1) sum_ij w_ij (x_i - x_j)^2 /
//! (2 S0 sum_i (x_i - mean)^2), E[C] = 1, variances under normality and randomisation (Cliff &
//! Ord), one-sided normal p-values in the direction of C - 1 (C < 1: positive autocorrelation),
//! and a folded permutation pseudo p-value.

use resil_core::{Error, Result};
use serde::Serialize;

use crate::permutation_count::{count_quotients_at_least, LinkSum, Quotient};
use crate::spatial::{pseudo_p, Links, SpatialWeights};

/// Global Geary's C and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Geary {
    pub n: usize,
    pub c: f64,
    pub expected_c: f64,
    pub variance_norm: f64,
    pub z_norm: f64,
    pub p_norm: f64,
    pub variance_rand: f64,
    pub z_rand: f64,
    pub p_rand: f64,
    /// Pseudo p-value (M + 1) / (N + 1), folded to the smaller tail as esda does.
    pub p_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
}

/// The sum over links of w_ij (x_i - x_j)^2.
fn weighted_squares(w: &SpatialWeights, x: &[f64]) -> f64 {
    w.neighbours
        .iter()
        .enumerate()
        .map(|(i, row)| row.iter().map(|&(j, wij)| wij * (x[i] - x[j]).powi(2)).sum::<f64>())
        .sum()
}

/// Upper normal tail P(Z > z).
fn upper_tail(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Geary's C of `values` under `w`, with `permutations` seeded random relabellings.
pub fn geary(values: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<Geary> {
    let n = values.len();
    if n != w.n() {
        return Err(Error::data("geary", format!("{n} values for {} weighted points", w.n())));
    }
    if n < 4 {
        return Err(Error::data("geary", format!("needs at least 4 points for its variance, got {n}")));
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let deviations: Vec<f64> = values.iter().map(|v| v - mean).collect();
    let (m2, m4) = deviations.iter().fold((0.0, 0.0), |(a, b), d| (a + d * d, b + d.powi(4)));
    crate::power_sums_finite("geary", &[m2, m4, m2 * m2])?;
    if m2 == 0.0 {
        return Err(Error::data("geary", "every value is the same: Geary's C is undefined (0/0)"));
    }
    let links = Links::of(w);
    let (s0, s1, s2) = links.s_terms();
    if s0 == 0.0 {
        return Err(Error::data("geary", "no point has a neighbour: the weights are all zero"));
    }
    let denominator = 2.0 * s0 * m2;
    let c = (nf - 1.0) * weighted_squares(w, values) / denominator;
    let (n2, s02) = (nf * nf, s0 * s0);
    let kurtosis = (m4 / nf) / (m2 / nf).powi(2);
    let a = (nf - 1.0) * s1 * (n2 - 3.0 * nf + 3.0 - (nf - 1.0) * kurtosis);
    let b = 0.25 * (nf - 1.0) * s2 * (n2 + 3.0 * nf - 6.0 - (n2 - nf + 2.0) * kurtosis);
    let cc = s02 * (n2 - 3.0 - (nf - 1.0).powi(2) * kurtosis);
    let variance_rand = (a - b + cc) / (nf * (nf - 2.0) * (nf - 3.0) * s02);
    let variance_norm = ((2.0 * s1 + s2) * (nf - 1.0) - 4.0 * s02) / (2.0 * (nf + 1.0) * s02);
    let (z_norm, z_rand) = ((c - 1.0) / variance_norm.sqrt(), (c - 1.0) / variance_rand.sqrt());
    // One-sided in the direction of the deviation from E[C] = 1.
    let tail = |z: f64| if c > 1.0 { upper_tail(z) } else { 1.0 - upper_tail(z) };
    let p_sim = (permutations > 0).then(|| {
        // Counted as in point order, summed in the local order (`permutation_count`).
        let quotient = Quotient { sum: LinkSum::Squares, scale: nf - 1.0, denominator, denominator_error: 0.0 };
        let exact = |x: &[f64]| (nf - 1.0) * weighted_squares(w, x) / denominator;
        let larger = count_quotients_at_least(values, permutations, seed, &links, &quotient, c, exact);
        pseudo_p(larger, permutations)
    });
    Ok(Geary {
        n,
        c,
        expected_c: 1.0,
        variance_norm,
        z_norm,
        p_norm: tail(z_norm),
        variance_rand,
        z_rand,
        p_rand: tail(z_rand),
        p_sim,
        permutations,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{permuted_statistics, random_weights};

    proptest::proptest! {
        /// The pseudo p-value counts the permutations as one at a time in point order does (the
        /// same seeded streams, `weighted_squares` on each), for weights alike along a row and
        /// different per link: small integer values, so that permutations tie with the observed
        /// C and are decided in point order.
        #[test]
        fn p_sim_is_that_of_one_permutation_at_a_time(
            w in random_weights(),
            seed in 0u64..1000,
            raw in proptest::collection::vec(0u8..4, 40),
        ) {
            let n = w.n();
            let values: Vec<f64> = raw[..n].iter().map(|&v| f64::from(v)).collect();
            let Ok(geary) = geary(&values, &w, 40, seed) else { return Ok(()) };
            let nf = n as f64;
            let mean = values.iter().sum::<f64>() / nf;
            let m2 = values.iter().fold(0.0, |m2, v| m2 + (v - mean) * (v - mean));
            let denominator = 2.0 * Links::of(&w).s_terms().0 * m2;
            let sims = permuted_statistics(&values, 40, seed, |x| (nf - 1.0) * weighted_squares(&w, x) / denominator);
            let larger = sims.iter().filter(|&&sim| sim >= geary.c).count();
            proptest::prop_assert_eq!(geary.p_sim, Some(pseudo_p(larger, 40)));
        }
    }

    /// The reference points, values, and the weights of each case.
    fn cases() -> Vec<(serde_json::Value, Vec<f64>, SpatialWeights)> {
        crate::spatial::esda_cases("esda_geary", true)
    }

    #[test]
    fn matches_esda() {
        // esda 2.9.0 (tests/reference/esda_geary.py) on the Moran reference's 12 points, three
        // weights; the permutation p-value within sampling error of esda's 9999 permutations
        // (binomial sd of the difference < 0.005 here: 0.02 is four sd).
        for (case, values, w) in cases() {
            let g = geary(&values, &w, 9999, 3).unwrap();
            for (name, got) in [
                ("c", g.c),
                ("expected_c", g.expected_c),
                ("variance_norm", g.variance_norm),
                ("z_norm", g.z_norm),
                ("p_norm", g.p_norm),
                ("variance_rand", g.variance_rand),
                ("z_rand", g.z_rand),
                ("p_rand", g.p_rand),
            ] {
                let want = case[name].as_f64().unwrap();
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{} {name}: {got} vs {want}",
                    case["weights"]
                );
            }
            let p = g.p_sim.unwrap();
            assert!((p - case["p_sim_9999"].as_f64().unwrap()).abs() < 0.02, "{}: {p}", case["weights"]);
            assert_eq!(geary(&values, &w, 9999, 3).unwrap(), g, "seeded");
        }
    }

    proptest::proptest! {
        /// C >= 0, and it does not change when the values are shifted or rescaled.
        #[test]
        fn non_negative_and_location_scale_free(shift in -100.0f64..100.0, scale in 0.01f64..100.0) {
            for (_, values, w) in cases() {
                let g = geary(&values, &w, 0, 1).unwrap();
                let moved: Vec<f64> = values.iter().map(|v| v * scale + shift).collect();
                let h = geary(&moved, &w, 0, 1).unwrap();
                proptest::prop_assert!(g.c >= 0.0 && (g.c - h.c).abs() < 1e-9);
            }
        }
    }
}
