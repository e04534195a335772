//! Rank mobility, as giddy 2.3.8's `rank` module measures it: Kendall's tau-b between two
//! periods (giddy.rank.Tau: concordant and discordant pairs, ties, normal-approximation p),
//! the spatial tau over neighbouring pairs only (Rey 2004, giddy.rank.SpatialTau: do neighbours
//! keep their order?), and theta, the share of all rank movement that is net movement of whole
//! regions (giddy.rank.Theta: 0 when units only swap places within their region, 1 when each
//! region's units all move the same way), with permutation inference.

use resil_core::{Error, Result};
use serde::Serialize;

use crate::spatial::{permuted_statistics, SpatialWeights};

/// Kendall's tau-b between two orderings of the same units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tau {
    pub tau: f64,
    /// Two-sided p-value of z = tau / sqrt((4n + 10) / (9n(n - 1))) (no tie correction, as giddy).
    pub p_value: f64,
    pub concordant: usize,
    pub discordant: usize,
    /// Pairs tied in y only (giddy's `extraX`) and in x only (`extraY`).
    pub extra_x: usize,
    pub extra_y: usize,
}

fn sign(v: f64) -> i8 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

/// Kendall's tau-b of `x` and `y` (same length, at least 2).
pub fn kendall_tau(x: &[f64], y: &[f64]) -> Result<Tau> {
    let n = x.len();
    if n != y.len() || n < 2 {
        return Err(Error::data(
            "tau",
            format!("needs two equally long series of at least 2 values ({n} and {})", y.len()),
        ));
    }
    let (mut c, mut d, mut tied_y_only, mut tied_x_only) = (0usize, 0usize, 0usize, 0usize);
    for i in 0..n {
        for j in i + 1..n {
            match (sign(x[i] - x[j]), sign(y[i] - y[j])) {
                (0, 0) => {}
                (0, _) => tied_x_only += 1,
                (_, 0) => tied_y_only += 1,
                (a, b) if a == b => c += 1,
                _ => d += 1,
            }
        }
    }
    let cd = (c + d) as f64;
    let tau = (c as f64 - d as f64) / ((cd + tied_y_only as f64) * (cd + tied_x_only as f64)).sqrt();
    let nf = n as f64;
    let z = tau / ((4.0 * nf + 10.0) / (9.0 * nf * (nf - 1.0))).sqrt();
    let p_value = libm::erfc(z.abs() / std::f64::consts::SQRT_2);
    Ok(Tau { tau, p_value, concordant: c, discordant: d, extra_x: tied_y_only, extra_y: tied_x_only })
}

/// Kendall's tau over neighbouring pairs only, with its permutation inference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpatialTau {
    pub tau_spatial: f64,
    pub concordant: usize,
    pub discordant: usize,
    /// Folded pseudo p-value of `permutations` random relabellings of the units (as giddy's
    /// `pseudop`); `None` without permutations.
    pub p_sim: Option<f64>,
}

/// (tau, concordant, discordant) over the pairs (i, j), i < j, with j a neighbour of i.
fn neighbour_tau(x: &[f64], y: &[f64], w: &SpatialWeights) -> (f64, usize, usize) {
    let (mut n1, mut n2, mut s, mut concordant) = (0i64, 0i64, 0i64, 0usize);
    for (i, neighbours) in w.neighbours.iter().enumerate() {
        for &(j, _) in neighbours.iter().filter(|(j, _)| i < *j) {
            let (dx, dy) = (x[i] - x[j], y[i] - y[j]);
            if dx * dy != 0.0 {
                n1 += 1;
                n2 += 1;
                if dx * dy > 0.0 {
                    concordant += 1;
                    s += 1;
                } else {
                    s -= 1;
                }
            } else {
                n1 += i64::from(dx != 0.0);
                n2 += i64::from(dy != 0.0);
            }
        }
    }
    let tau = s as f64 / ((n1 as f64).sqrt() * (n2 as f64).sqrt());
    (tau, concordant, (concordant as i64 - s) as usize)
}

/// The spatial tau of `x` and `y` over the neighbour pairs of `w`.
pub fn spatial_tau(x: &[f64], y: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<SpatialTau> {
    if x.len() != y.len() || x.len() != w.n() {
        return Err(Error::data("spatial tau", format!("{} and {} values for {} points", x.len(), y.len(), w.n())));
    }
    let (tau_spatial, concordant, discordant) = neighbour_tau(x, y, w);
    let p_sim = (permutations > 0).then(|| {
        // Relabel units: permute the unit order, carrying each unit's (x, y) pair.
        let ids: Vec<f64> = (0..x.len()).map(|i| i as f64).collect();
        let sims = permuted_statistics(&ids, permutations, seed, |perm| {
            let px: Vec<f64> = perm.iter().map(|&i| x[i as usize]).collect();
            let py: Vec<f64> = perm.iter().map(|&i| y[i as usize]).collect();
            neighbour_tau(&px, &py, w).0
        });
        let larger = sims.iter().filter(|&&s| s >= tau_spatial).count();
        let folded = if larger * 2 > permutations { permutations - larger } else { larger };
        (folded as f64 + 1.0) / (permutations as f64 + 1.0)
    });
    Ok(SpatialTau { tau_spatial, concordant, discordant, p_sim })
}

/// Theta of each step between consecutive periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theta {
    /// Per step t -> t+1: sum over regions of |sum of rank changes| / sum of |rank changes|.
    pub theta: Vec<f64>,
    /// Per step, the share of permutations of the region labels (observed included) with a theta
    /// <= the observed (`p_left`) and > it (`p_right`), and the observed theta's z among them.
    pub p_left: Vec<f64>,
    pub p_right: Vec<f64>,
    pub z: Vec<f64>,
}

/// Average ranks (1-based; ties share the mean of their places), as scipy's `rankdata`.
fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && v[order[end]] == v[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

fn theta_of(diffs: &[Vec<f64>], totals: &[f64], regime: &[usize], regimes: usize) -> Vec<f64> {
    diffs
        .iter()
        .zip(totals)
        .map(|(d, total)| {
            let mut within = vec![0.0; regimes];
            for (u, &r) in regime.iter().enumerate() {
                within[r] += d[u];
            }
            within.iter().map(|s: &f64| s.abs()).sum::<f64>() / total
        })
        .collect()
}

/// Theta of `values[t][u]` (periods x units) for the region index `regime[u]` (0-based).
pub fn theta(values: &[Vec<f64>], regime: &[usize], permutations: usize, seed: u64) -> Result<Theta> {
    if values.len() < 2 || values.iter().any(|v| v.len() != regime.len()) {
        return Err(Error::data("theta", "needs two or more periods, each with a value per unit"));
    }
    let ranks: Vec<Vec<f64>> = values.iter().map(|v| average_ranks(v)).collect();
    let diffs: Vec<Vec<f64>> = ranks.windows(2).map(|s| s[1].iter().zip(&s[0]).map(|(b, a)| b - a).collect()).collect();
    let totals: Vec<f64> = diffs.iter().map(|d| d.iter().map(|v| v.abs()).sum()).collect();
    if let Some(t) = totals.iter().position(|&t| t == 0.0) {
        return Err(Error::data("theta", format!("no unit changes rank in step {}: theta is 0/0", t + 1)));
    }
    let regimes = regime.iter().max().map_or(0, |m| m + 1);
    let observed = theta_of(&diffs, &totals, regime, regimes);
    let steps = observed.len();
    let mut sims: Vec<Vec<f64>> = vec![observed.clone()];
    if permutations > 0 {
        let labels: Vec<f64> = regime.iter().map(|&r| r as f64).collect();
        // One permutation stream gives every step's theta: the steps share each relabelling.
        let per_step: Vec<Vec<f64>> = (0..steps)
            .map(|t| {
                permuted_statistics(&labels, permutations, seed, |perm| {
                    let r: Vec<usize> = perm.iter().map(|&v| v as usize).collect();
                    theta_of(&diffs[t..=t], &totals[t..=t], &r, regimes)[0]
                })
            })
            .collect();
        sims.extend((0..permutations).map(|p| per_step.iter().map(|s| s[p]).collect()));
    }
    let den = sims.len() as f64;
    let column = |t: usize| sims.iter().map(move |s| s[t]);
    let p_left = (0..steps).map(|t| column(t).filter(|&v| v <= observed[t]).count() as f64 / den).collect();
    let p_right = (0..steps).map(|t| column(t).filter(|&v| v > observed[t]).count() as f64 / den).collect();
    let z = (0..steps)
        .map(|t| {
            let mean = column(t).sum::<f64>() / den;
            let sd = (column(t).map(|v| (v - mean).powi(2)).sum::<f64>() / den).sqrt();
            (observed[t] - mean) / sd
        })
        .collect();
    Ok(Theta { theta: observed, p_left, p_right, z })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{Metric, WeightsKind};
    use resil_test_support::{floats, reference_case};

    fn close(a: f64, b: f64, tol: f64, what: &str) {
        assert!((a - b).abs() <= tol, "{what}: {a} vs giddy {b}");
    }

    #[test]
    fn tau_spatial_tau_and_theta_match_giddy() {
        // giddy 2.3.8 Tau, SpatialTau (kNN 4) and Theta on random panels with ties
        // (tests/reference/giddy_rank.py -> data/reference-cases/giddy_rank.json).
        for case in reference_case("giddy_rank")["cases"].as_array().unwrap() {
            let (x, y) = (floats(&case["x_values"]), floats(&case["y_values"]));
            let t = kendall_tau(&x, &y).unwrap();
            close(t.tau, case["tau"].as_f64().unwrap(), 1e-12, "tau");
            // giddy divides |z| by 1.4142136, not sqrt(2): p agrees to that rounding.
            close(t.p_value, case["tau_p"].as_f64().unwrap(), 1e-7, "tau p");
            assert_eq!(t.concordant as f64, case["concordant"].as_f64().unwrap());
            assert_eq!(t.discordant as f64, case["discordant"].as_f64().unwrap());
            assert_eq!(t.extra_x as f64, case["extraX"].as_f64().unwrap());
            assert_eq!(t.extra_y as f64, case["extraY"].as_f64().unwrap());
            let points: Vec<(f64, f64)> = floats(&case["px"]).into_iter().zip(floats(&case["py"])).collect();
            let w = SpatialWeights::build(&points, Metric::Planar, WeightsKind::Knn(4), false).unwrap();
            let st = spatial_tau(&x, &y, &w, 999, 7).unwrap();
            close(st.tau_spatial, case["tau_spatial"].as_f64().unwrap(), 1e-12, "spatial tau");
            assert_eq!(st.concordant as u64, case["concordant_spatial"].as_u64().unwrap());
            assert_eq!(st.discordant as u64, case["discordant_spatial"].as_u64().unwrap());
            // Different random streams: the pseudo p-values agree within sampling error.
            close(st.p_sim.unwrap(), case["tau_spatial_psim"].as_f64().unwrap(), 0.05, "spatial tau p_sim");
            let panel: Vec<Vec<f64>> = case["panel"].as_array().unwrap().iter().map(floats).collect();
            let regime: Vec<usize> =
                case["regime"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            let th = theta(&panel, &regime, 999, 7).unwrap();
            for (t, (a, b)) in th.theta.iter().zip(floats(&case["theta"])).enumerate() {
                close(*a, b, 1e-12, &format!("theta step {t}"));
            }
            for (a, b) in th.p_left.iter().zip(floats(&case["theta_p_left"])) {
                close(*a, b, 0.05, "theta p_left");
            }
        }
    }

    #[test]
    fn tau_by_hand() {
        // (1, 2, 3) against (1, 3, 2): pairs (12) C, (13) C, (23) D -> tau = 1/3.
        let t = kendall_tau(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap();
        assert_eq!((t.concordant, t.discordant), (2, 1));
        assert!((t.tau - 1.0 / 3.0).abs() < 1e-15);
    }

    proptest::proptest! {
        /// tau(x, x) = 1, tau(x, -x) = -1, tau is symmetric and invariant under monotone maps;
        /// theta lies in [0, 1], is 0 with a single region (ranks only swap) and 1 with a region
        /// per unit.
        #[test]
        fn tau_and_theta_invariants(x in proptest::collection::vec(-100.0f64..100.0, 3..30), seed in 0u64..100) {
            let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + ((i as u64 * 7 + seed) % 13) as f64 * 3.0).collect();
            let distinct = x.iter().enumerate().all(|(i, a)| x[i + 1..].iter().all(|b| a != b));
            if distinct {
                proptest::prop_assert!((kendall_tau(&x, &x).unwrap().tau - 1.0).abs() < 1e-12);
                let neg: Vec<f64> = x.iter().map(|v| -v).collect();
                proptest::prop_assert!((kendall_tau(&x, &neg).unwrap().tau + 1.0).abs() < 1e-12);
            }
            let a = kendall_tau(&x, &y).unwrap().tau;
            proptest::prop_assert!((a - kendall_tau(&y, &x).unwrap().tau).abs() < 1e-12);
            let cubed: Vec<f64> = y.iter().map(|v| v.powi(3)).collect();
            proptest::prop_assert!((a - kendall_tau(&x, &cubed).unwrap().tau).abs() < 1e-12);
            let regime: Vec<usize> = (0..x.len()).map(|i| (i + seed as usize) % 3).collect();
            if let Ok(th) = theta(&[x.clone(), y.clone()], &regime, 0, 1) {
                proptest::prop_assert!((0.0..=1.0 + 1e-12).contains(&th.theta[0]));
                let one = theta(&[x.clone(), y.clone()], &vec![0; x.len()], 0, 1).unwrap();
                proptest::prop_assert!(one.theta[0].abs() < 1e-12, "a single region's rank changes cancel: {:?}", one.theta);
                let own: Vec<usize> = (0..x.len()).collect();
                proptest::prop_assert!((theta(&[x.clone(), y.clone()], &own, 0, 1).unwrap().theta[0] - 1.0).abs() < 1e-12);
            }
        }
    }
}
