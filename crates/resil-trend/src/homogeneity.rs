//! Tests on Markov transition matrices, as giddy 2.3.8 computes them: the chi-squared difference
//! of a transition count matrix from the probabilities of another (giddy.markov.chi2), the
//! Bickenbach & Bode (2003) homogeneity tests Q and LR across regimes (spatial Markov's lag
//! classes: does the neighbours' grade change how units move?), and LISA Markov (Rey 2001):
//! transitions between the quadrants of the Moran scatterplot, with the chi-squared test that a
//! unit's own move and its neighbours' move are independent.

use resil_core::{Error, Result};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::spatial::{quadrants, SpatialWeights};

/// A chi-squared statistic with its degrees of freedom and upper-tail p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquaredTest {
    pub statistic: f64,
    pub dof: usize,
    /// P(chi2_dof >= statistic); `None` with 0 degrees of freedom (nothing to test).
    pub p_value: Option<f64>,
}

impl ChiSquaredTest {
    fn new(statistic: f64, dof: usize) -> Self {
        let p_value = (dof > 0).then(|| ChiSquared::new(dof as f64).expect("dof > 0").sf(statistic));
        ChiSquaredTest { statistic, dof, p_value }
    }
}

fn row_sums(t: &[Vec<f64>]) -> Vec<f64> {
    t.iter().map(|r| r.iter().sum()).collect()
}

/// The chi-squared difference of the counts `observed` from what the row probabilities of
/// `null` give them: E_ij = n_i. p_ij. Degrees of freedom (r1 - 1)(r2 - 1) over the rows with
/// transitions in each matrix, as giddy.markov.chi2.
pub fn chi2_difference(observed: &[Vec<f64>], null: &[Vec<f64>]) -> ChiSquaredTest {
    let (n1, n2) = (row_sums(observed), row_sums(null));
    let rows = |n: &[f64]| n.iter().filter(|&&v| v > 0.0).count();
    let dof = (rows(&n1).saturating_sub(1)) * (rows(&n2).saturating_sub(1));
    let mut statistic = 0.0;
    for i in 0..observed.len() {
        for j in 0..observed[i].len() {
            let p = if n2[i] > 0.0 { null[i][j] / n2[i] } else { 0.0 };
            let e = n1[i] * p;
            let d = observed[i][j] - e;
            // A cell expected 0 counts its squared difference in full (giddy's E + (E == 0)).
            statistic += d * d / if e == 0.0 { 1.0 } else { e };
        }
    }
    ChiSquaredTest::new(statistic, dof)
}

/// Bickenbach & Bode's tests that the transition probabilities are the same in every regime.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Homogeneity {
    /// Q = sum_m sum_i n_i(m) sum_j (p_ij(m) - p_ij)^2 / p_ij.
    pub q: ChiSquaredTest,
    /// LR = 2 sum_m sum_ij n_ij(m) ln(p_ij(m) / p_ij), over the cells with transitions.
    pub lr: ChiSquaredTest,
}

/// The homogeneity tests of the count matrices of `regimes` (all k x k) against their pooled
/// matrix. Degrees of freedom sum_i (b_i - 1)(a_i - 1): b_i regimes with transitions from i,
/// a_i non-zero cells in pooled row i.
pub fn homogeneity(regimes: &[Vec<Vec<f64>>]) -> Result<Homogeneity> {
    let k = regimes.first().map_or(0, Vec::len);
    if k == 0 || regimes.iter().any(|m| m.len() != k || m.iter().any(|r| r.len() != k)) {
        return Err(Error::data("homogeneity", "every regime needs a k x k transition count matrix"));
    }
    let pooled: Vec<Vec<f64>> =
        (0..k).map(|i| (0..k).map(|j| regimes.iter().map(|m| m[i][j]).sum()).collect()).collect();
    let n = row_sums(&pooled);
    let p = |i: usize, j: usize| if n[i] > 0.0 { pooled[i][j] / n[i] } else { 0.0 };
    let (mut q, mut lr) = (0.0, 0.0);
    let mut regimes_with_row = vec![0usize; k];
    for m in regimes {
        let nm = row_sums(m);
        for i in 0..k {
            if nm[i] > 0.0 {
                regimes_with_row[i] += 1;
            }
            for (j, &count) in m[i].iter().enumerate() {
                let pm = if nm[i] > 0.0 { count / nm[i] } else { 0.0 };
                let den = if p(i, j) == 0.0 { 1.0 } else { p(i, j) };
                q += nm[i] * (pm - p(i, j)).powi(2) / den;
                if count > 0.0 && p(i, j) > 0.0 {
                    lr += count * (pm / p(i, j)).ln();
                }
            }
        }
    }
    let dof: usize = (0..k)
        .map(|i| {
            let cells = pooled[i].iter().filter(|&&c| c > 0.0).count();
            regimes_with_row[i].saturating_sub(1) * cells.saturating_sub(1)
        })
        .sum();
    Ok(Homogeneity { q: ChiSquaredTest::new(q, dof), lr: ChiSquaredTest::new(2.0 * lr, dof) })
}

/// LISA Markov: quadrant transitions and the test that own and neighbours' moves are independent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LisaMarkov {
    /// `quadrants[t][u]`: 1 HH, 2 LH, 3 LL, 4 HL (esda's numbering).
    pub quadrants: Vec<Vec<usize>>,
    /// 4 x 4 counts of quadrant moves between consecutive periods, pooled.
    pub transitions: Vec<Vec<f64>>,
    /// The counts expected if a unit's own move (above/below the mean) and its lag's were
    /// independent Markov chains.
    pub expected: Vec<Vec<f64>>,
    pub independence: ChiSquaredTest,
}

/// Two-state Markov probabilities of `states[t][u]` (0 or 1), pooled over steps; rows without
/// moves stay 0.
fn two_state_chain(states: &[Vec<usize>]) -> [[f64; 2]; 2] {
    let mut c = [[0.0; 2]; 2];
    for step in states.windows(2) {
        for (&a, &b) in step[0].iter().zip(&step[1]) {
            c[a][b] += 1.0;
        }
    }
    c.map(|row| {
        let n: f64 = row.iter().sum();
        row.map(|v| if n > 0.0 { v / n } else { 0.0 })
    })
}

/// How the independence null of LISA Markov forms its own and lag chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LisaNull {
    /// Each period's values and lags against that period's mean, chains over consecutive
    /// periods (Rey 2001's reading).
    #[default]
    PerPeriod,
    /// As giddy 2.3.8 computes it: values against each unit's mean over the periods, and the
    /// two-state chains stepping from one unit to the next within a period (it passes a
    /// periods x units array where its Markov class expects units x periods).
    Giddy,
}

/// LISA Markov of `values[t][u]` (periods x units) with weights `w` (row-standardised, as giddy
/// takes them). The independence null: a unit's own chain (value below the mean) and its lag's
/// chain (lag below the mean), combined by their Kronecker product, read as `null` says.
pub fn lisa_markov(values: &[Vec<f64>], w: &SpatialWeights, null: LisaNull) -> Result<LisaMarkov> {
    if values.len() < 2 {
        return Err(Error::data("lisa-markov", "needs at least two periods"));
    }
    let quadrants: Vec<Vec<usize>> =
        values.iter().map(|v| quadrants(v, w).into_iter().map(|q| q.number()).collect()).collect();
    let mut transitions = vec![vec![0.0; 4]; 4];
    for step in quadrants.windows(2) {
        for (&a, &b) in step[0].iter().zip(&step[1]) {
            transitions[a - 1][b - 1] += 1.0;
        }
    }
    let n = values[0].len();
    let lags: Vec<Vec<f64>> = values.iter().map(|v| w.lag(v)).collect();
    // The mean each value is compared with: its period's, or (giddy) its unit's.
    let period_means: Vec<f64> = values.iter().map(|v| v.iter().sum::<f64>() / n as f64).collect();
    let unit_means: Vec<f64> = (0..n).map(|u| values.iter().map(|v| v[u]).sum::<f64>() / values.len() as f64).collect();
    let mean = |t: usize, u: usize| -> f64 {
        match null {
            LisaNull::PerPeriod => period_means[t],
            LisaNull::Giddy => unit_means[u],
        }
    };
    let below = |of: &[Vec<f64>]| -> Vec<Vec<usize>> {
        let states: Vec<Vec<usize>> =
            (0..of.len()).map(|t| (0..n).map(|u| usize::from(of[t][u] / mean(t, u) < 1.0)).collect()).collect();
        match null {
            LisaNull::PerPeriod => states,
            // Steps along the units: transpose, so that the chain's "periods" are the units.
            LisaNull::Giddy => (0..n).map(|u| states.iter().map(|row| row[u]).collect()).collect(),
        }
    };
    let (po, pl) = (two_state_chain(&below(values)), two_state_chain(&below(&lags)));
    // Quadrant q as (own below, lag below): HH (0, 0), LH (1, 0), LL (1, 1), HL (0, 1).
    const STATES: [(usize, usize); 4] = [(0, 0), (1, 0), (1, 1), (0, 1)];
    let n = row_sums(&transitions);
    let expected: Vec<Vec<f64>> = STATES
        .iter()
        .enumerate()
        .map(|(a, &(oa, la))| STATES.iter().map(|&(ob, lb)| n[a] * po[oa][ob] * pl[la][lb]).collect())
        .collect();
    let independence = chi2_difference(&transitions, &expected);
    Ok(LisaMarkov { quadrants, transitions, expected, independence })
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case};

    fn matrix(v: &serde_json::Value) -> Vec<Vec<f64>> {
        v.as_array().unwrap().iter().map(floats).collect()
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!((a - b).abs() <= 1e-10 * (1.0 + b.abs()), "{what}: {a} vs giddy {b}");
    }

    #[test]
    fn chi2_matches_giddys_docstring() {
        // giddy.markov.chi2's own example (US state incomes, 1929-2009): 23.397284, p 0.005363, 9 dof.
        let t1 = vec![
            vec![562.0, 22.0, 1.0, 0.0],
            vec![12.0, 201.0, 22.0, 0.0],
            vec![0.0, 17.0, 97.0, 4.0],
            vec![0.0, 0.0, 3.0, 19.0],
        ];
        let t2 = vec![
            vec![884.0, 77.0, 4.0, 0.0],
            vec![68.0, 794.0, 87.0, 3.0],
            vec![1.0, 92.0, 815.0, 51.0],
            vec![1.0, 0.0, 60.0, 903.0],
        ];
        let c = chi2_difference(&t1, &t2);
        close(c.statistic, 23.39728441473295, "chi2");
        close(c.p_value.unwrap(), 0.005363116704861337, "p");
        assert_eq!(c.dof, 9);
    }

    #[test]
    fn spatial_markov_tests_and_lisa_markov_match_giddy() {
        // giddy 2.3.8 Spatial_Markov (Q, LR, chi2 per lag class) and LISA_Markov on random panels
        // (tests/reference/giddy_markov_tests.py -> data/reference-cases/giddy_markov_tests.json).
        for case in reference_case("giddy_markov_tests")["cases"].as_array().unwrap() {
            let regimes: Vec<Vec<Vec<f64>>> = case["T"].as_array().unwrap().iter().map(matrix).collect();
            let h = homogeneity(&regimes).unwrap();
            close(h.q.statistic, case["Q"].as_f64().unwrap(), "Q");
            close(h.lr.statistic, case["LR"].as_f64().unwrap(), "LR");
            assert_eq!(h.q.dof as u64, case["dof_hom"].as_u64().unwrap());
            close(h.q.p_value.unwrap(), case["Q_p_value"].as_f64().unwrap(), "Q p");
            close(h.lr.p_value.unwrap(), case["LR_p_value"].as_f64().unwrap(), "LR p");
            let pooled = matrix(&case["transitions"]);
            for (m, expected) in regimes.iter().zip(case["chi2"].as_array().unwrap()) {
                let c = chi2_difference(m, &pooled);
                close(c.statistic, expected[0].as_f64().unwrap(), "chi2");
                assert_eq!(c.dof as u64, expected[2].as_u64().unwrap());
            }
            // LISA Markov on the same panel.
            let points: Vec<(f64, f64)> = floats(&case["x"]).into_iter().zip(floats(&case["y"])).collect();
            let w = SpatialWeights::build(
                &points,
                crate::spatial::Metric::Planar,
                crate::spatial::WeightsKind::Knn(4),
                true,
            )
            .unwrap();
            let panel: Vec<Vec<f64>> = matrix(&case["values"]);
            for (null, suffix) in [(LisaNull::Giddy, ""), (LisaNull::PerPeriod, "_per_period")] {
                let lm = lisa_markov(&panel, &w, null).unwrap();
                assert_eq!(lm.transitions, matrix(&case["lisa_transitions"]));
                for (row, e) in lm.expected.iter().zip(matrix(&case[format!("lisa_expected{suffix}")])) {
                    for (a, b) in row.iter().zip(e) {
                        close(*a, b, "expected");
                    }
                }
                let chi2 = &case[format!("lisa_chi2{suffix}")];
                close(lm.independence.statistic, chi2[0].as_f64().unwrap(), "LISA chi2");
                close(lm.independence.p_value.unwrap(), chi2[1].as_f64().unwrap(), "LISA p");
                assert_eq!(lm.independence.dof as u64, chi2[2].as_u64().unwrap());
            }
        }
    }

    proptest::proptest! {
        /// One regime is the pooled matrix itself: Q = LR = 0. Regimes that are multiples of the
        /// same matrix (same probabilities) also give 0.
        #[test]
        fn identical_regimes_are_homogeneous(counts in proptest::collection::vec(1u32..50, 9), times in 1u32..4) {
            let m: Vec<Vec<f64>> = counts.chunks(3).map(|r| r.iter().map(|&c| c as f64).collect()).collect();
            let scaled: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|c| c * times as f64).collect()).collect();
            let h = homogeneity(&[m.clone(), scaled]).unwrap();
            proptest::prop_assert!(h.q.statistic.abs() < 1e-9 && h.lr.statistic.abs() < 1e-9, "{h:?}");
            proptest::prop_assert!(chi2_difference(&m, &m).statistic.abs() < 1e-9);
        }
    }
}
