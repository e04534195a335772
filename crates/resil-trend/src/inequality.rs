//! Inequality of scores across units: Theil's T with its decomposition into between-group and
//! within-group parts, the Gini coefficient and the spatial Gini (its neighbour and non-neighbour
//! parts), as PySAL's `inequality` computes them (TheilD, TheilDSim, Gini, Gini_Spatial), for
//! regional-disparity studies.

use serde::Serialize;

use crate::spatial::{permuted_statistics_in_lanes, pseudo_p, Links, SpatialWeights};

/// The spatial Gini (Rey & Smith 2013): the Gini's sum of absolute differences split between
/// neighbouring pairs (`wg`) and the other pairs (`wcg`), with permutation inference on `wcg`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpatialGini {
    pub gini: f64,
    pub wg: f64,
    pub wcg: f64,
    /// wcg over the Gini's denominator 2 n^2 mean.
    pub wcg_share: f64,
    /// (wcg / wg) (neighbour pairs / other pairs).
    pub polarization: f64,
    /// Folded pseudo p-value of wcg, and the permutations' mean and sd of it.
    pub p_sim: Option<f64>,
    pub e_wcg: Option<f64>,
    pub s_wcg: Option<f64>,
    /// Upper-tail pseudo p-value of the polarization.
    pub polarization_p_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
}

/// Sum over neighbour links (i, j) of |x_i - x_j| (weights as binary links).
fn neighbour_differences(w: &SpatialWeights, x: &[f64]) -> f64 {
    w.neighbours.iter().enumerate().map(|(i, row)| row.iter().map(|&(j, _)| (x[i] - x[j]).abs()).sum::<f64>()).sum()
}

/// The spatial Gini of non-negative `values` under the links of `w`, as PySAL's Gini_Spatial.
pub fn spatial_gini(
    values: &[f64],
    w: &SpatialWeights,
    permutations: usize,
    seed: u64,
) -> resil_core::Result<SpatialGini> {
    use resil_core::Error;
    let n = values.len();
    if n != w.n() || n < 3 {
        return Err(Error::data(
            "spatial gini",
            format!("{n} values for {} weighted points (at least 3 needed)", w.n()),
        ));
    }
    if values.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || values.iter().sum::<f64>() <= 0.0 {
        return Err(Error::data("spatial gini", "values must be non-negative and not all zero"));
    }
    let nf = n as f64;
    let g = gini(values);
    let den = values.iter().sum::<f64>() / nf * 2.0 * nf * nf;
    let d = g * den;
    let links = w.neighbours.iter().map(Vec::len).sum::<usize>() as f64;
    let neighbour_pairs = links / 2.0;
    let other_pairs = nf * (nf - 1.0) / 2.0 - neighbour_pairs;
    if neighbour_pairs == 0.0 || other_pairs <= 0.0 {
        return Err(Error::data("spatial gini", "needs both neighbouring and non-neighbouring pairs"));
    }
    let wg = neighbour_differences(w, values);
    let wcg = d - wg;
    let scale = neighbour_pairs / other_pairs;
    let polarization = wcg / wg * scale;
    let mut out = SpatialGini {
        gini: g,
        wg,
        wcg,
        wcg_share: wcg / den,
        polarization,
        p_sim: None,
        e_wcg: None,
        s_wcg: None,
        polarization_p_sim: None,
        permutations,
        seed,
    };
    if permutations > 0 {
        // `LANES` permutations at a time, each lane with the bits of `neighbour_differences`: in
        // point order, not `permutation_count`'s, since the mean and spread of the
        // permutations are reported too.
        let compressed = Links::of(w);
        let sims = permuted_statistics_in_lanes(values, permutations, seed, |lanes| {
            let sums = compressed.abs_differences_in_lanes(lanes);
            std::array::from_fn(|b| d - sums[b])
        });
        let p = permutations as f64;
        let mean = sims.iter().sum::<f64>() / p;
        out.e_wcg = Some(mean);
        out.s_wcg = Some((sims.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / p).sqrt());
        out.p_sim = Some(pseudo_p(sims.iter().filter(|&&s| s >= wcg).count(), permutations));
        let polar = sims.iter().filter(|&&s| s / (d - s) * scale >= polarization).count();
        out.polarization_p_sim = Some((polar as f64 + 1.0) / (p + 1.0));
    }
    Ok(out)
}

/// Theil's T = sum_i s_i ln(n s_i), s_i = y_i / sum y (a zero counts as the smallest positive
/// float, as PySAL does, so that ln 0 never occurs).
pub fn theil(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let y: Vec<f64> = values.iter().map(|&v| if v == 0.0 { f64::MIN_POSITIVE } else { v }).collect();
    let total: f64 = y.iter().sum();
    y.iter().map(|v| v / total).map(|s| s * (n * s).ln()).sum()
}

/// Theil's T and its between-group part sum_g S_g ln((n / n_g) S_g) (S_g the group's share of
/// the total); the within-group part is T - between. `groups[i]` names unit i's group.
pub fn theil_decomposition(values: &[f64], groups: &[&str]) -> (f64, f64, f64) {
    let t = theil(values);
    let n = values.len() as f64;
    let total: f64 = values.iter().sum();
    let mut names: Vec<&str> = groups.to_vec();
    names.sort_unstable();
    names.dedup();
    let between: f64 = names
        .iter()
        .map(|g| {
            let members: Vec<f64> = values.iter().zip(groups).filter(|(_, h)| *h == g).map(|(v, _)| *v).collect();
            let share = members.iter().sum::<f64>() / total;
            let share = if share == 0.0 { f64::MIN_POSITIVE } else { share };
            share * (n / members.len() as f64 * share).ln()
        })
        .sum();
    (t, between, t - between)
}

/// Pseudo p-value of the between-group Theil under random reassignment of the values to units
/// (PySAL's `TheilDSim`): the share of the observed and `permutations` permuted between-group
/// parts at least as large as the observed one. Seeded; independent of the number of cores.
pub fn theil_between_p_sim(values: &[f64], groups: &[&str], permutations: usize, seed: u64) -> f64 {
    let observed = theil_decomposition(values, groups).1;
    let larger = crate::spatial::count_permutations(values, permutations, seed, |shuffled| {
        theil_decomposition(shuffled, groups).1 >= observed
    });
    (larger as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// The Gini coefficient in relative mean difference form: (2 sum_i i x_(i) - (n + 1) sum x) /
/// (n sum x) with x sorted ascending.
pub fn gini(values: &[f64]) -> f64 {
    let mut x = values.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let sum: f64 = x.iter().sum();
    let ranked: f64 = x.iter().enumerate().map(|(i, v)| 2.0 * (i + 1) as f64 * v).sum();
    (ranked - n * sum - sum) / (n * sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{permuted_statistics, random_weights, spread_lanes, LANES};
    use resil_test_support::{floats, reference_case};

    proptest::proptest! {
        /// Each lane of the side-by-side sum has the bits of `neighbour_differences` on that
        /// lane's values: so the permutations in lanes give the p-values of one at a time.
        #[test]
        fn lanes_have_the_bits_of_one_permutation_at_a_time(w in random_weights(), seed in 0u64..1000) {
            let lanes = spread_lanes(w.n(), seed);
            let sums = Links::of(&w).abs_differences_in_lanes(&lanes);
            for b in 0..LANES {
                let lane: Vec<f64> = lanes.iter().map(|row| row[b]).collect();
                proptest::prop_assert_eq!(sums[b].to_bits(), neighbour_differences(&w, &lane).to_bits());
            }
        }
    }

    #[test]
    fn the_spatial_gini_in_lanes_is_that_of_one_permutation_at_a_time() {
        // 150 permutations: two full blocks and part of a third, so stale lanes are dropped.
        let points: Vec<(f64, f64)> = (0..40).map(|i| ((i % 8) as f64, (i / 8) as f64)).collect();
        let w =
            SpatialWeights::build(&points, crate::spatial::Metric::Planar, crate::spatial::WeightsKind::Knn(3), true)
                .unwrap();
        let values: Vec<f64> = (0..40).map(|i| ((i * 37) % 11) as f64 + 0.5).collect();
        let g = spatial_gini(&values, &w, 150, 9).unwrap();
        let d = gini(&values) * (values.iter().sum::<f64>() / 40.0 * 2.0 * 40.0 * 40.0);
        let sims = permuted_statistics(&values, 150, 9, |x| d - neighbour_differences(&w, x));
        let mean = sims.iter().sum::<f64>() / 150.0;
        let spread = (sims.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 150.0).sqrt();
        assert_eq!(g.e_wcg.unwrap().to_bits(), mean.to_bits());
        assert_eq!(g.s_wcg.unwrap().to_bits(), spread.to_bits());
        assert_eq!(g.p_sim.unwrap(), pseudo_p(sims.iter().filter(|&&s| s >= g.wcg).count(), 150));
    }

    /// The reference case, its per-capita GDP one column per year, and each state's region.
    fn mexico() -> (serde_json::Value, Vec<Vec<f64>>, Vec<String>) {
        let case = reference_case("pysal_inequality");
        let rows: Vec<Vec<f64>> = case["pcgdp"].as_array().unwrap().iter().map(floats).collect();
        let columns = (0..rows[0].len()).map(|k| rows.iter().map(|r| r[k]).collect()).collect();
        let regions = floats(&case["hanson98"]).iter().map(|r| r.to_string()).collect();
        (case, columns, regions)
    }

    #[test]
    fn spatial_gini_matches_pysal() {
        // PySAL inequality 1.1.2 Gini_Spatial (tests/reference/pysal_spatial_gini.py) on binary
        // kNN(3) and band 1.5 links: exact parts, p-values and moments within sampling error.
        for (case, values, w) in crate::spatial::esda_cases("pysal_spatial_gini", false) {
            let g = spatial_gini(&values, &w, 9999, 8).unwrap();
            for (name, got) in [
                ("gini", g.gini),
                ("wg", g.wg),
                ("wcg", g.wcg),
                ("wcg_share", g.wcg_share),
                ("polarization", g.polarization),
            ] {
                let want = case[name].as_f64().unwrap();
                assert!((got - want).abs() < 1e-12, "{} {name}: {got} vs PySAL {want}", case["weights"]);
            }
            for (name, got) in
                [("p_sim_9999", g.p_sim.unwrap()), ("polarization_p_sim_9999", g.polarization_p_sim.unwrap())]
            {
                let want = case[name].as_f64().unwrap();
                assert!((got - want).abs() < 0.02, "{} {name}: {got} vs PySAL {want}", case["weights"]);
            }
            let s = case["s_wcg_9999"].as_f64().unwrap();
            assert!((g.s_wcg.unwrap() / s - 1.0).abs() < 0.05);
        }
    }

    #[test]
    fn matches_pysal_inequality_and_its_published_example() {
        // PySAL inequality 1.1.2 on the Mexican states' per-capita GDP 1940-2000 with the
        // Hanson (1998) regions (tests/reference/pysal_inequality.py); its docstring prints
        // T, bg and wg to 8 decimals.
        let (case, columns, regions) = mexico();
        let groups: Vec<&str> = regions.iter().map(String::as_str).collect();
        for (k, column) in columns.iter().enumerate() {
            let (t, between, within) = theil_decomposition(column, &groups);
            for (got, key) in [(t, "theil"), (between, "between"), (within, "within")] {
                assert!((got - floats(&case[key])[k]).abs() < 1e-12, "{key} {k}: {got}");
                assert!(
                    (got - floats(&case["published_docstring"][key])[k]).abs() < 6e-9,
                    "{key} {k}: {got} vs published"
                );
            }
            assert!((gini(column) - floats(&case["gini"])[k]).abs() < 1e-12, "gini {k}");
        }
    }

    #[test]
    fn permutation_inference_agrees_with_pysal_within_sampling_error() {
        // TheilDSim's docstring prints bg_pvalue from 999 numpy permutations; our seeded
        // streams differ, so the two estimates agree within sampling error (binomial sd of the
        // difference <= 0.017 here): 0.06 is over three sd.
        let (case, columns, regions) = mexico();
        let groups: Vec<&str> = regions.iter().map(String::as_str).collect();
        let published = floats(&case["published_docstring"]["bg_pvalue"]);
        for (k, column) in columns.iter().enumerate() {
            let p = theil_between_p_sim(column, &groups, 9999, 7);
            assert!((p - published[k]).abs() < 0.06, "{k}: {p} vs {}", published[k]);
            assert_eq!(p, theil_between_p_sim(column, &groups, 9999, 7), "seeded");
        }
        // One group: nothing lies between groups, every permutation ties the observed 0.
        assert_eq!(theil_between_p_sim(&columns[0], &vec!["all"; columns[0].len()], 99, 1), 1.0);
    }

    proptest::proptest! {
        /// T >= 0 and 0 <= between <= T; Gini in [0, 1); both 0 for equal values and unchanged
        /// by a common rescaling.
        #[test]
        fn invariants(values in proptest::collection::vec(0.01f64..100.0, 2..40), scale in 0.1f64..10.0) {
            let groups: Vec<&str> = (0..values.len()).map(|i| if i % 3 == 0 { "a" } else { "b" }).collect();
            let (t, between, _) = theil_decomposition(&values, &groups);
            proptest::prop_assert!(t >= -1e-12 && between >= -1e-12 && between <= t + 1e-12);
            let g = gini(&values);
            proptest::prop_assert!((-1e-12..1.0).contains(&g));
            let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
            proptest::prop_assert!((theil(&scaled) - t).abs() < 1e-9 && (gini(&scaled) - g).abs() < 1e-9);
            proptest::prop_assert!(theil(&[3.0; 5]).abs() < 1e-15 && gini(&[3.0; 5]).abs() < 1e-15);
        }
    }
}
