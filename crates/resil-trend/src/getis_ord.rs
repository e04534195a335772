//! Getis-Ord statistics as esda 2.9.0 computes them. Global G = sum_ij w_ij x_i x_j /
//! sum_{i != j} x_i x_j on binary weights (esda transforms them so), with Getis & Ord's (1992)
//! normal approximation (one-sided p) and a folded permutation pseudo p-value; local G_i and
//! G*_i on row-standardised weights (G*: the point itself counts, with the largest weight of its
//! row as self-weight, esda's default), with their analytical z, one-sided p and conditional
//! permutation pseudo p-values.

use rand::seq::index::sample;
use resil_core::{Error, Result};
use serde::Serialize;

use crate::permutation_count::{count_quotients_at_least, LinkSum, Quotient};
use crate::spatial::{parallel_map, pseudo_p, stream, Links, SpatialWeights};

/// Global Getis-Ord G and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GetisOrd {
    pub n: usize,
    pub g: f64,
    pub expected_g: f64,
    pub variance_norm: f64,
    pub z_norm: f64,
    /// One-sided: P(Z > |z|).
    pub p_norm: f64,
    /// Pseudo p-value (M + 1) / (N + 1), folded to the smaller tail as esda does.
    pub p_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
}

/// Local G_i (or G*_i) of one point and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalG {
    pub g: f64,
    pub expected: f64,
    pub variance: f64,
    pub z: f64,
    /// One-sided: P(Z > |z|).
    pub p_norm: f64,
    /// Conditional-permutation pseudo p-value, folded.
    pub p_sim: f64,
}

impl LocalG {
    /// Whether z and p_norm are undefined (0/0, written empty): every other value is the same,
    /// so G_i equals its expectation under every permutation.
    pub fn z_undefined(&self) -> bool {
        self.z.is_nan()
    }
}

/// Upper normal tail P(Z > z).
fn upper_tail(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

fn check_values(what: &str, values: &[f64], w: &SpatialWeights) -> Result<()> {
    let n = values.len();
    if n != w.n() {
        return Err(Error::data(what, format!("{n} values for {} weighted points", w.n())));
    }
    if n < 4 {
        return Err(Error::data(what, format!("needs at least 4 points, got {n}")));
    }
    if values.iter().all(|v| *v == values[0]) {
        // G then equals its expectation under every permutation: its z is 0/0 (had been null).
        return Err(Error::data(what, "every value is the same: the z-score of G is undefined (0/0)"));
    }
    if let Some(i) = values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::data(
            what,
            format!(
                "value {} of point {} is negative or not finite: Getis-Ord G is defined for non-negative values",
                values[i],
                i + 1
            ),
        ));
    }
    Ok(())
}

/// The cross-product sum_ij w_ij x_i x_j over binary links.
fn binary_cross(w: &SpatialWeights, x: &[f64]) -> f64 {
    w.neighbours.iter().enumerate().map(|(i, row)| x[i] * row.iter().map(|&(j, _)| x[j]).sum::<f64>()).sum()
}

/// Global G of `values` under the binary version of `w`, with `permutations` seeded relabellings.
pub fn getis_ord(values: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<GetisOrd> {
    check_values("getis-ord", values, w)?;
    let n = values.len();
    let nf = n as f64;
    let binary = SpatialWeights {
        neighbours: w.neighbours.iter().map(|row| row.iter().map(|&(j, _)| (j, 1.0)).collect()).collect(),
        row_standardised: false,
    };
    let links = Links::of(&binary);
    let (s0, s1, s2) = links.s_terms();
    if s0 == 0.0 {
        return Err(Error::data("getis-ord", "no point has a neighbour: the weights are all zero"));
    }
    let (sum, sum2) = (values.iter().sum::<f64>(), values.iter().map(|v| v * v).sum::<f64>());
    let (sum3, sum4) = (values.iter().map(|v| v.powi(3)).sum::<f64>(), values.iter().map(|v| v.powi(4)).sum::<f64>());
    let den = sum * sum - sum2;
    crate::power_sums_finite("getis-ord", &[sum4, sum.powi(4), den * den * nf * nf * nf * nf])?;
    if den <= 0.0 {
        return Err(Error::data("getis-ord", "fewer than two positive values: G is undefined (0/0)"));
    }
    let g = binary_cross(&binary, values) / den;
    let expected_g = s0 / (nf * (nf - 1.0));
    let (n2, s02) = (nf * nf, s0 * s0);
    let b0 = (n2 - 3.0 * nf + 3.0) * s1 - nf * s2 + 3.0 * s02;
    let b1 = -((n2 - nf) * s1 - 2.0 * nf * s2 + 6.0 * s02);
    let b2 = -(2.0 * nf * s1 - (nf + 3.0) * s2 + 6.0 * s02);
    let b3 = 4.0 * (nf - 1.0) * s1 - 2.0 * (nf + 1.0) * s2 + 8.0 * s02;
    let b4 = s1 - s2 + s02;
    let eg2 = (b0 * sum2 * sum2 + b1 * sum4 + b2 * sum * sum * sum2 + b3 * sum * sum3 + b4 * sum.powi(4))
        / (den * den * nf * (nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let variance_norm = eg2 - expected_g * expected_g;
    let z_norm = (g - expected_g) / variance_norm.sqrt();
    let p_sim = (permutations > 0).then(|| {
        // Counted as in point order, summed in the local order (`permutation_count`): with
        // weights of 1, Moran's cross product is `binary_cross`.
        let quotient = Quotient { sum: LinkSum::Cross, scale: 1.0, denominator: den, denominator_error: 0.0 };
        let exact = |x: &[f64]| binary_cross(&binary, x) / den;
        let larger = count_quotients_at_least(values, permutations, seed, &links, &quotient, g, exact);
        pseudo_p(larger, permutations)
    });
    Ok(GetisOrd {
        n,
        g,
        expected_g,
        variance_norm,
        z_norm,
        p_norm: upper_tail(z_norm.abs()),
        p_sim,
        permutations,
        seed,
    })
}

/// Local G_i (`star = false`) or G*_i of every point, on `w` row-standardised (with the
/// self-weight for G*), each with `permutations` conditional permutations from its own seeded
/// stream (so the answer depends on the seed only, not on the cores).
pub fn local_g(values: &[f64], w: &SpatialWeights, star: bool, permutations: usize, seed: u64) -> Result<Vec<LocalG>> {
    check_values("local getis-ord", values, w)?;
    if permutations == 0 {
        return Err(Error::param(
            "local getis-ord",
            "permutations",
            "local G needs permutations for its pseudo p-values",
        ));
    }
    let n = values.len();
    let total: f64 = values.iter().sum();
    let total2: f64 = values.iter().map(|v| v * v).sum();
    crate::power_sums_finite("local getis-ord", &[total * total, total2])?;
    // Row-standardised rows: (self weight, [(neighbour, weight)]).
    let rows: Vec<(f64, Vec<(usize, f64)>)> = w
        .neighbours
        .iter()
        .map(|row| {
            let own = if star { row.iter().map(|&(_, x)| x).fold(0.0, f64::max) } else { 0.0 };
            let sum = own + row.iter().map(|&(_, x)| x).sum::<f64>();
            if sum == 0.0 {
                (0.0, Vec::new())
            } else {
                (own / sum, row.iter().map(|&(j, x)| (j, x / sum)).collect())
            }
        })
        .collect();
    Ok(parallel_map(n, |i| {
        let (own, row) = &rows[i];
        let yi = values[i];
        let (scale, big_n) = if star { (total, n as f64) } else { (total - yi, n as f64 - 1.0) };
        let lag: f64 = row.iter().map(|&(j, x)| x * values[j]).sum::<f64>() + own * yi;
        let g = lag / scale;
        let mean = scale / big_n;
        let mean_sq = if star { total2 / big_n } else { (total2 - yi * yi) / big_n };
        let cardinality = own + row.iter().map(|&(_, x)| x).sum::<f64>();
        let expected = cardinality / big_n;
        let variance = cardinality * (big_n - cardinality) / (big_n - 1.0) / (big_n * big_n) * (mean_sq - mean * mean)
            / (mean * mean);
        let z = (g - expected) / variance.sqrt();
        let mut rng = stream(seed, i as u64);
        let weights: Vec<f64> = row.iter().map(|&(_, x)| x).collect();
        let k = weights.len().min(n - 1);
        let larger = (0..permutations)
            .filter(|_| {
                // k of the other n - 1 values, without replacement; index i is skipped.
                let sim: f64 = sample(&mut rng, n - 1, k)
                    .iter()
                    .zip(&weights)
                    .map(|(j, x)| values[if j >= i { j + 1 } else { j }] * x)
                    .sum();
                (sim + own * yi) / scale >= g
            })
            .count();
        LocalG { g, expected, variance, z, p_norm: upper_tail(z.abs()), p_sim: pseudo_p(larger, permutations) }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{permuted_statistics, random_weights};
    use resil_test_support::floats;

    proptest::proptest! {
        /// The pseudo p-value counts the permutations as one at a time in point order does (the
        /// same seeded streams, `binary_cross` on each): small integer values, so that
        /// permutations tie with the observed G and are decided in point order.
        #[test]
        fn p_sim_is_that_of_one_permutation_at_a_time(
            w in random_weights(),
            seed in 0u64..1000,
            raw in proptest::collection::vec(1u8..4, 40),
        ) {
            let n = w.n();
            let values: Vec<f64> = raw[..n].iter().map(|&v| f64::from(v)).collect();
            let Ok(g) = getis_ord(&values, &w, 40, seed) else { return Ok(()) };
            let binary = SpatialWeights {
                neighbours: w.neighbours.iter().map(|row| row.iter().map(|&(j, _)| (j, 1.0)).collect()).collect(),
                row_standardised: false,
            };
            let (sum, sum2) = (values.iter().sum::<f64>(), values.iter().map(|v| v * v).sum::<f64>());
            let den = sum * sum - sum2;
            let sims = permuted_statistics(&values, 40, seed, |x| binary_cross(&binary, x) / den);
            let larger = sims.iter().filter(|&&sim| sim >= g.g).count();
            proptest::prop_assert_eq!(g.p_sim, Some(pseudo_p(larger, 40)));
        }
    }

    fn cases() -> Vec<(serde_json::Value, Vec<f64>, SpatialWeights)> {
        crate::spatial::esda_cases("esda_getis_ord", false)
    }

    #[test]
    fn global_g_matches_esda() {
        // esda 2.9.0 (tests/reference/esda_getis_ord.py), three weights; the permutation
        // p-value within sampling error of esda's 9999 permutations (4 binomial sd < 0.02).
        for (case, values, w) in cases() {
            let g = getis_ord(&values, &w, 9999, 3).unwrap();
            for (name, got) in [
                ("g", g.g),
                ("expected_g", g.expected_g),
                ("variance_norm", g.variance_norm),
                ("z_norm", g.z_norm),
                ("p_norm", g.p_norm),
            ] {
                let want = case[name].as_f64().unwrap();
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{} {name}: {got} vs esda {want}",
                    case["weights"]
                );
            }
            let p = case["p_sim_9999"].as_f64().unwrap();
            assert!((g.p_sim.unwrap() - p).abs() < 0.02, "{} p_sim {:?} vs {p}", case["weights"], g.p_sim);
        }
    }

    #[test]
    fn local_g_and_g_star_match_esda() {
        for (case, values, w) in cases() {
            for (key, star) in [("plain", false), ("star", true)] {
                let want = &case["local"][key];
                let got = local_g(&values, &w, star, 9999, 5).unwrap();
                for (name, pick) in [
                    ("g", (|l: &LocalG| l.g) as fn(&LocalG) -> f64),
                    ("expected", |l| l.expected),
                    ("variance", |l| l.variance),
                    ("z", |l| l.z),
                    ("p_norm", |l| l.p_norm),
                ] {
                    for (i, (l, w)) in got.iter().zip(floats(&want[name])).enumerate() {
                        assert!(
                            (pick(l) - w).abs() <= 1e-12 * w.abs().max(1.0),
                            "{} {key} {name}[{i}]: {} vs esda {w}",
                            case["weights"],
                            pick(l)
                        );
                    }
                }
                for (i, (l, p)) in got.iter().zip(floats(&want["p_sim_9999"])).enumerate() {
                    assert!(
                        (l.p_sim - p).abs() < 0.02,
                        "{} {key} p_sim[{i}]: {} vs esda {p}",
                        case["weights"],
                        l.p_sim
                    );
                }
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        let (_, values, w) = cases().remove(0);
        let mut negative = values.clone();
        negative[2] = -1.0;
        assert!(getis_ord(&negative, &w, 0, 1).unwrap_err().to_string().contains("point 3 is negative"));
        assert!(local_g(&values, &w, false, 0, 1).is_err());
        assert!(getis_ord(&values[..5], &w, 0, 1).is_err());
        // Every value the same: z is 0/0 (it had been written as null).
        let same = vec![2.0; values.len()];
        for e in [getis_ord(&same, &w, 9, 1).unwrap_err(), local_g(&same, &w, false, 9, 1).unwrap_err()] {
            assert!(e.to_string().contains("every value is the same: the z-score of G is undefined (0/0)"), "{e}");
        }
        // Every value but one the same: that one point's G_i has no variance, and says so.
        let mut one = same.clone();
        one[0] = 7.0;
        let local = local_g(&one, &w, false, 9, 1).unwrap();
        assert!(local[0].z_undefined() && local[0].variance == 0.0);
        assert!(local[1..].iter().all(|l| !l.z_undefined()));
    }

    proptest::proptest! {
        /// G is free of the values' scale, and the same seed gives the same p-values (powers of
        /// two scale exactly, so ties between permuted and observed statistics stay ties).
        #[test]
        fn g_is_free_of_scale(power in -6i32..7, seed in 0u64..100) {
            let scale = 2f64.powi(power);
            let (_, values, w) = cases().remove(0);
            let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
            let (a, b) = (getis_ord(&values, &w, 99, seed).unwrap(), getis_ord(&scaled, &w, 99, seed).unwrap());
            proptest::prop_assert!((a.g - b.g).abs() < 1e-12 && (a.z_norm - b.z_norm).abs() < 1e-9);
            proptest::prop_assert_eq!(a.p_sim, b.p_sim);
            let (la, lb) = (local_g(&values, &w, true, 99, seed).unwrap(), local_g(&scaled, &w, true, 99, seed).unwrap());
            for (x, y) in la.iter().zip(&lb) {
                proptest::prop_assert!((x.g - y.g).abs() < 1e-12 && (x.z - y.z).abs() < 1e-9);
                proptest::prop_assert_eq!(x.p_sim, y.p_sim);
            }
        }
    }
}
