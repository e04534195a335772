//! Inequality of scores across units: Theil's T with its decomposition into between-group and
//! within-group parts, and the Gini coefficient, as PySAL's `inequality` computes them
//! (TheilD, TheilDSim, Gini), for regional-disparity studies.

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
    use resil_test_support::{floats, reference_case};

    /// The reference case, its per-capita GDP one column per year, and each state's region.
    fn mexico() -> (serde_json::Value, Vec<Vec<f64>>, Vec<String>) {
        let case = reference_case("pysal_inequality");
        let rows: Vec<Vec<f64>> = case["pcgdp"].as_array().unwrap().iter().map(floats).collect();
        let columns = (0..rows[0].len()).map(|k| rows.iter().map(|r| r[k]).collect()).collect();
        let regions = floats(&case["hanson98"]).iter().map(|r| r.to_string()).collect();
        (case, columns, regions)
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
