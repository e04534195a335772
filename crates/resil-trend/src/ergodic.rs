//! Long-run properties of a Markov transition matrix, as giddy's `ergodic` module computes them
//! (Kemeny & Snell 1967): the steady-state distribution (for a chain with one recurrent class,
//! zero on transient grades), and the mean first passage times of an ergodic chain from the
//! fundamental matrix Z = (I - P + 1 pi)^-1: m_ij = (z_jj - z_ij) / pi_j, m_ii = 1 / pi_i.

use nalgebra::{DMatrix, DVector};
use resil_core::{Error, Result};

/// States reachable from each state (itself included): the transitive closure of the links
/// (Warshall).
fn reachable(p: &[Vec<f64>]) -> Vec<Vec<bool>> {
    let k = p.len();
    let mut r: Vec<Vec<bool>> = (0..k).map(|i| (0..k).map(|j| i == j || p[i][j] > 0.0).collect()).collect();
    for m in 0..k {
        let via = r[m].clone();
        for row in r.iter_mut() {
            if row[m] {
                for (cell, &reach) in row.iter_mut().zip(&via) {
                    *cell |= reach;
                }
            }
        }
    }
    r
}

fn check(p: &[Vec<f64>]) -> Result<()> {
    let k = p.len();
    for (i, row) in p.iter().enumerate() {
        let sum: f64 = row.iter().sum();
        if row.len() != k || row.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || (sum - 1.0).abs() > 1e-9 {
            return Err(Error::data(
                "markov",
                format!("row {} of the transition matrix is not a probability distribution (sum {sum})", i + 1),
            ));
        }
    }
    Ok(())
}

/// The recurrent classes: sets of states that reach each other and nothing outside.
fn recurrent_classes(p: &[Vec<f64>]) -> Vec<Vec<usize>> {
    let r = reachable(p);
    let k = p.len();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, from) in r.iter().enumerate() {
        let class: Vec<usize> = (0..k).filter(|&j| from[j] && r[j][i]).collect();
        let closed = (0..k).all(|j| !from[j] || r[j][i]);
        if closed && !out.contains(&class) {
            out.push(class);
        }
    }
    out
}

/// The stationary distribution on the states `states` (a closed class) of `p`.
fn stationary(p: &[Vec<f64>], states: &[usize]) -> Result<Vec<f64>> {
    let m = states.len();
    // pi (P - I) = 0 with sum pi = 1: replace the last equation by the normalisation.
    let mut a = DMatrix::<f64>::zeros(m, m);
    for (r, &j) in states.iter().enumerate() {
        for (c, &i) in states.iter().enumerate() {
            a[(r, c)] = p[i][j] - if i == j { 1.0 } else { 0.0 };
        }
    }
    for c in 0..m {
        a[(m - 1, c)] = 1.0;
    }
    let mut b = DVector::<f64>::zeros(m);
    b[m - 1] = 1.0;
    a.lu()
        .solve(&b)
        .map(|x| x.iter().copied().collect())
        .ok_or_else(|| Error::data("markov", "the steady state equations are singular"))
}

/// The steady-state distribution of `p` (rows sum to 1): unique when the chain has one recurrent
/// class (transient states get 0); an error naming the classes when it has several.
pub fn steady_state(p: &[Vec<f64>]) -> Result<Vec<f64>> {
    check(p)?;
    let classes = recurrent_classes(p);
    if classes.len() != 1 {
        let shown: Vec<String> = classes
            .iter()
            .map(|c| format!("{{{}}}", c.iter().map(|s| (s + 1).to_string()).collect::<Vec<_>>().join(", ")))
            .collect();
        return Err(Error::data(
            "markov",
            format!("{} recurrent classes ({}): no single steady state", classes.len(), shown.join(", ")),
        ));
    }
    let pi = stationary(p, &classes[0])?;
    let mut out = vec![0.0; p.len()];
    for (&s, v) in classes[0].iter().zip(pi) {
        out[s] = v;
    }
    Ok(out)
}

/// Mean first passage times of an ergodic (irreducible) chain: entry (i, j) is the expected
/// number of steps from grade i to first reach grade j; the diagonal is the recurrence time.
pub fn mean_first_passage(p: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    check(p)?;
    let k = p.len();
    let classes = recurrent_classes(p);
    if classes.len() != 1 || classes[0].len() != k {
        return Err(Error::data("markov", "the chain is not ergodic (some grade cannot be reached from another)"));
    }
    let pi = stationary(p, &classes[0])?;
    let mut a = DMatrix::<f64>::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            a[(i, j)] = if i == j { 1.0 } else { 0.0 } - p[i][j] + pi[j];
        }
    }
    let z = a.try_inverse().ok_or_else(|| Error::data("markov", "the fundamental matrix is singular"))?;
    Ok((0..k)
        .map(|i| (0..k).map(|j| if i == j { 1.0 / pi[j] } else { (z[(j, j)] - z[(i, j)]) / pi[j] }).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case};

    fn matrix(v: &serde_json::Value) -> Vec<Vec<f64>> {
        v.as_array().unwrap().iter().map(floats).collect()
    }

    #[test]
    fn land_of_oz() {
        // Kemeny & Snell (1967), Finite Markov Chains, p. 218 (giddy's docstring example):
        // steady state (0.4, 0.2, 0.4); from rain, a nice day in 4 days, snow in 3.33.
        let p = vec![vec![0.5, 0.25, 0.25], vec![0.5, 0.0, 0.5], vec![0.25, 0.25, 0.5]];
        let s = steady_state(&p).unwrap();
        for (a, b) in s.iter().zip([0.4, 0.2, 0.4]) {
            assert!((a - b).abs() < 1e-12);
        }
        let m = mean_first_passage(&p).unwrap();
        let want = [[2.5, 4.0, 10.0 / 3.0], [8.0 / 3.0, 5.0, 8.0 / 3.0], [10.0 / 3.0, 4.0, 2.5]];
        for i in 0..3 {
            for j in 0..3 {
                assert!((m[i][j] - want[i][j]).abs() < 1e-12, "m[{i}][{j}] = {}", m[i][j]);
            }
        }
    }

    #[test]
    fn equal_to_giddy() {
        // giddy 2.3.8 (tests/reference/giddy_ergodic.py): an ergodic 5-grade matrix, and a
        // reducible one with one recurrent class.
        let r = reference_case("giddy_ergodic");
        for case in r["cases"].as_array().unwrap() {
            let p = matrix(&case["p"]);
            let s = steady_state(&p).unwrap();
            for (a, b) in s.iter().zip(floats(&case["steady_state"])) {
                assert!((a - b).abs() < 1e-12, "{}: {a} vs giddy {b}", case["name"]);
            }
            if let Some(want) = case.get("mfpt") {
                let m = mean_first_passage(&p).unwrap();
                for (row, want) in m.iter().zip(matrix(want)) {
                    for (a, b) in row.iter().zip(want) {
                        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{}: {a} vs giddy {b}", case["name"]);
                    }
                }
            } else {
                assert!(mean_first_passage(&p).is_err());
            }
        }
    }

    #[test]
    fn several_recurrent_classes_and_bad_rows_are_refused() {
        let two = vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.5, 0.0, 0.5]];
        assert!(steady_state(&two).unwrap_err().to_string().contains("2 recurrent classes ({1}, {2})"));
        assert!(steady_state(&[vec![0.5, 0.4], vec![0.5, 0.5]]).unwrap_err().to_string().contains("row 1"));
    }

    proptest::proptest! {
        /// The steady state is a distribution that the chain leaves unchanged, and the mean
        /// recurrence time of a grade is one over its steady-state probability.
        #[test]
        fn steady_state_is_invariant(raw in proptest::collection::vec(0.01f64..1.0, 16)) {
            let p: Vec<Vec<f64>> = raw.chunks(4).map(|r| { let s: f64 = r.iter().sum(); r.iter().map(|v| v / s).collect() }).collect();
            let s = steady_state(&p).unwrap();
            proptest::prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for j in 0..4 {
                let next: f64 = (0..4).map(|i| s[i] * p[i][j]).sum();
                proptest::prop_assert!((next - s[j]).abs() < 1e-12);
            }
            let m = mean_first_passage(&p).unwrap();
            for j in 0..4 {
                proptest::prop_assert!((m[j][j] * s[j] - 1.0).abs() < 1e-9);
            }
        }
    }
}
