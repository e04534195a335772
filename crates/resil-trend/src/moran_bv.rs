//! Bivariate Moran's I as esda 2.9.0's `Moran_BV` computes it: I_BV = sum_i zx_i (W zy)_i /
//! (n - 1), both variables standardised with the sample sd, W row-standardised as given; the
//! inference is by permutation of y (folded pseudo p-value, and the permutations' mean, sd and
//! the z and one-sided p they give), from seeded streams.

use resil_core::{Error, Result};
use serde::Serialize;

use crate::spatial::{permuted_statistics_in_lanes, pseudo_p, Links, SpatialWeights};

/// Bivariate Moran's I of x with the spatial lag of y, and its permutation inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoranBv {
    pub n: usize,
    pub i: f64,
    pub p_sim: Option<f64>,
    pub ei_sim: Option<f64>,
    pub se_i_sim: Option<f64>,
    pub z_sim: Option<f64>,
    /// One-sided normal p of `z_sim`, in its direction.
    pub p_z_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
}

/// `v` as z-scores; `None` when constant, an error when its squared deviations overflow.
fn standardised(v: &[f64]) -> Result<Option<Vec<f64>>> {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let squares = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    crate::power_sums_finite("moran-bv", &[squares])?;
    let sd = (squares / (n - 1.0)).sqrt();
    Ok((sd > 0.0).then(|| v.iter().map(|x| (x - mean) / sd).collect()))
}

/// Bivariate Moran's I of `x` and `y` under `w`, with `permutations` seeded permutations of y.
pub fn moran_bv(x: &[f64], y: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<MoranBv> {
    let n = x.len();
    if y.len() != n || n != w.n() {
        return Err(Error::data("moran-bv", format!("{n} and {} values for {} weighted points", y.len(), w.n())));
    }
    if n < 3 {
        return Err(Error::data("moran-bv", format!("needs at least 3 points, got {n}")));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(Error::data("moran-bv", "a value is not finite"));
    }
    let (Some(zx), Some(zy)) = (standardised(x)?, standardised(y)?) else {
        return Err(Error::data("moran-bv", "a variable is constant: bivariate Moran is undefined (0/0)"));
    };
    let row = |i: usize| -> Vec<(usize, f64)> {
        let sum: f64 = w.neighbours[i].iter().map(|&(_, x)| x).sum();
        if sum == 0.0 {
            Vec::new()
        } else {
            w.neighbours[i].iter().map(|&(j, x)| (j, x / sum)).collect()
        }
    };
    let rows: Vec<Vec<(usize, f64)>> = (0..n).map(row).collect();
    let stat = |zy: &[f64]| -> f64 {
        rows.iter().enumerate().map(|(i, r)| zx[i] * r.iter().map(|&(j, x)| x * zy[j]).sum::<f64>()).sum::<f64>()
            / (n as f64 - 1.0)
    };
    let i = stat(&zy);
    let mut out =
        MoranBv { n, i, p_sim: None, ei_sim: None, se_i_sim: None, z_sim: None, p_z_sim: None, permutations, seed };
    if permutations == 0 {
        return Ok(out);
    }
    // `LANES` permutations at a time, each with the bits of `stat` (property-tested below): in
    // point order, since the permutations' mean and spread are reported too.
    let links = Links::of(&SpatialWeights { neighbours: rows, row_standardised: true });
    let sims = permuted_statistics_in_lanes(&zy, permutations, seed, |lanes| {
        let sums = links.fixed_cross_in_lanes(&zx, lanes);
        std::array::from_fn(|b| sums[b] / (n as f64 - 1.0))
    });
    let p = permutations as f64;
    let larger = sims.iter().filter(|&&s| s >= i).count();
    let mean = sims.iter().sum::<f64>() / p;
    let sd = (sims.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / p).sqrt();
    let z = (i - mean) / sd;
    let upper = 0.5 * libm::erfc(z.abs() / std::f64::consts::SQRT_2);
    out.p_sim = Some(pseudo_p(larger, permutations));
    out.ei_sim = Some(mean);
    out.se_i_sim = Some(sd);
    out.z_sim = Some(z);
    out.p_z_sim = Some(upper);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{random_weights, spread_lanes, LANES};
    use resil_test_support::{floats, reference_case};

    proptest::proptest! {
        /// Each lane of the side-by-side numerator has the bits of the one-permutation sum
        /// sum_i x_i sum_j w_ij y_j (as `moran_bv`'s statistic adds it), for weights one per
        /// point and one per link: the permutations in lanes give the same simulated values.
        #[test]
        fn lanes_have_the_bits_of_one_permutation_at_a_time(
            w in random_weights(),
            seed in 0u64..1000,
        ) {
            let x: Vec<f64> = spread_lanes(w.n(), seed + 1).iter().map(|row| row[3]).collect();
            let lanes = spread_lanes(w.n(), seed);
            let sums = Links::of(&w).fixed_cross_in_lanes(&x, &lanes);
            for b in 0..LANES {
                let y: Vec<f64> = lanes.iter().map(|row| row[b]).collect();
                let one: f64 = w
                    .neighbours
                    .iter()
                    .enumerate()
                    .map(|(i, r)| x[i] * r.iter().map(|&(j, wij)| wij * y[j]).sum::<f64>())
                    .sum();
                proptest::prop_assert_eq!(sums[b].to_bits(), one.to_bits());
            }
        }
    }

    #[test]
    fn matches_esda() {
        // esda 2.9.0 Moran_BV (tests/reference/esda_moran_bv.py), three weights: I to 1e-12, the
        // permutation p-value and moments within sampling error of esda's 9999 permutations.
        let other = floats(&reference_case("esda_moran_bv")["other"]);
        for (case, values, w) in crate::spatial::esda_cases("esda_moran_bv", true) {
            let m = moran_bv(&values, &other, &w, 9999, 2).unwrap();
            let want = case["i"].as_f64().unwrap();
            assert!((m.i - want).abs() < 1e-12, "{}: {} vs esda {want}", case["weights"], m.i);
            let p = case["p_sim_9999"].as_f64().unwrap();
            assert!((m.p_sim.unwrap() - p).abs() < 0.02, "{} p_sim {:?} vs {p}", case["weights"], m.p_sim);
            let se = case["se_i_sim_9999"].as_f64().unwrap();
            assert!((m.se_i_sim.unwrap() / se - 1.0).abs() < 0.05, "{} sd {:?} vs {se}", case["weights"], m.se_i_sim);
        }
    }

    #[test]
    fn a_variable_with_itself_is_moran_and_constants_are_refused() {
        let (_, values, w) = crate::spatial::esda_cases("esda_moran_bv", true).remove(0);
        let bv = moran_bv(&values, &values, &w, 0, 1).unwrap();
        let m = crate::spatial::moran(&values, &w, 0, 1).unwrap();
        // Moran's I = z'Wz / z'z: with the sample sd, z'z = n - 1, so I_BV(x, x) = I.
        assert!((bv.i - m.i).abs() < 1e-12, "{} vs {}", bv.i, m.i);
        assert!(moran_bv(&values, &vec![1.0; values.len()], &w, 9, 1).is_err());
        assert!(moran_bv(&values[..3], &values, &w, 9, 1).is_err());
    }

    proptest::proptest! {
        /// I_BV is free of location and scale of either variable.
        #[test]
        fn free_of_location_and_scale(a in -10.0f64..10.0, b in 0.1f64..10.0, seed in 0u64..50) {
            let (_, values, w) = crate::spatial::esda_cases("esda_moran_bv", true).remove(1);
            let other = floats(&reference_case("esda_moran_bv")["other"]);
            let moved: Vec<f64> = other.iter().map(|v| a + b * v).collect();
            let (p, q) = (moran_bv(&values, &other, &w, 0, seed).unwrap(), moran_bv(&values, &moved, &w, 0, seed).unwrap());
            proptest::prop_assert!((p.i - q.i).abs() < 1e-9);
        }
    }
}
