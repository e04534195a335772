//! First-order and total Sobol indices from the outputs of a Saltelli design: the Saltelli et al.
//! (2010) first-order estimator, S_i = mean(f(B) (f(AB_i) - f(A))) / V, and Jansen's (1999) total
//! estimator, ST_i = mean((f(A) - f(AB_i))^2) / 2V, with V the variance of f over A and B, on the
//! outputs standardised first (as SALib's `sobol.analyze`, whose point estimates these equal);
//! confidence intervals from bootstrap resamples of the base points.

use rand::{Rng, SeedableRng};
use resil_core::{Error, Result};
use statrs::distribution::{ContinuousCDF, Normal};

/// One factor's indices, each with the half-width of its bootstrap confidence interval
/// (z times the bootstrap standard deviation, as SALib reports `S1_conf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorIndices {
    pub first: f64,
    pub first_conf: f64,
    pub total: f64,
    pub total_conf: f64,
}

/// The resamples of base points shared by every output of an analysis, so that all are
/// bootstrapped alike and the result depends on the seed only.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// For each resample, `n` base-point indices drawn with replacement.
    resamples: Vec<Vec<u32>>,
    z: f64,
}

impl Bootstrap {
    /// `count` resamples of `n` base points, for a two-sided interval of level `confidence`.
    pub fn new(n: usize, count: usize, confidence: f64, seed: u64) -> Result<Bootstrap> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(Error::param("sensitivity", "confidence", format!("must be in (0, 1), got {confidence}")));
        }
        if count < 2 {
            return Err(Error::param("sensitivity", "bootstrap", format!("must be at least 2 resamples, got {count}")));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let resamples = (0..count).map(|_| (0..n).map(|_| rng.gen_range(0..n as u32)).collect()).collect();
        let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
        Ok(Bootstrap { resamples, z })
    }

    /// The base-point count the resamples draw from.
    pub fn n(&self) -> usize {
        self.resamples.first().map_or(0, Vec::len)
    }
}

/// The outputs of one design, split by matrix: `a[j]`, `b[j]`, `ab[i][j]`.
struct Split {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
}

fn split(y: &[f64], n: usize, k: usize) -> Split {
    let step = k + 2;
    Split {
        a: (0..n).map(|j| y[j * step]).collect(),
        b: (0..n).map(|j| y[j * step + step - 1]).collect(),
        ab: (0..k).map(|i| (0..n).map(|j| y[j * step + i + 1]).collect()).collect(),
    }
}

/// (first, total) of one factor over the base points `rows`.
fn indices(s: &Split, i: usize, rows: impl Iterator<Item = usize> + Clone) -> (f64, f64) {
    let m = rows.clone().count() as f64;
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for j in rows.clone() {
        sum += s.a[j] + s.b[j];
        sum_sq += s.a[j] * s.a[j] + s.b[j] * s.b[j];
    }
    let mean = sum / (2.0 * m);
    let var = sum_sq / (2.0 * m) - mean * mean;
    if var <= f64::EPSILON {
        return (0.0, 0.0);
    }
    let (mut first, mut total) = (0.0, 0.0);
    for j in rows {
        let (a, b, ab) = (s.a[j], s.b[j], s.ab[i][j]);
        first += b * (ab - a);
        total += (a - ab) * (a - ab);
    }
    (first / m / var, 0.5 * total / m / var)
}

/// The indices of each of `k` factors from the outputs `y` of the first `n` base points of a
/// design, in evaluation order (length n (k + 2)), with intervals from `bootstrap` (made for
/// `n`); `None` when the output is constant (no variance to apportion).
pub fn sobol_indices(y: &[f64], n: usize, k: usize, bootstrap: &Bootstrap) -> Option<Vec<FactorIndices>> {
    assert_eq!(y.len(), n * (k + 2), "outputs of a design of {n} base points and {k} factors");
    assert_eq!(bootstrap.n(), n, "a bootstrap of the design's base points");
    // SALib standardises the outputs first: the first-order estimator is not shift-invariant.
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sd = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / y.len() as f64).sqrt();
    if sd.is_nan() || sd <= 0.0 || !sd.is_finite() {
        return None;
    }
    let standard: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let s = split(&standard, n, k);
    let spread = |values: &[f64]| {
        let m = values.iter().sum::<f64>() / values.len() as f64;
        (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
    };
    let out = (0..k)
        .map(|i| {
            let (first, total) = indices(&s, i, 0..n);
            let (mut firsts, mut totals) = (Vec::new(), Vec::new());
            for r in &bootstrap.resamples {
                let rows = r.iter().map(|&j| j as usize);
                let (f, t) = indices(&s, i, rows);
                firsts.push(f);
                totals.push(t);
            }
            FactorIndices {
                first,
                first_conf: bootstrap.z * spread(&firsts),
                total,
                total_conf: bootstrap.z * spread(&totals),
            }
        })
        .collect();
    Some(out)
}

/// The first `m` base points' outputs of a design's outputs `y` (N base points, `k` factors):
/// the estimates at m < N show whether they have converged.
pub fn first_base_points(y: &[f64], m: usize, k: usize) -> &[f64] {
    &y[..m * (k + 2)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, Side};

    /// Ishigami & Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on [-pi, pi].
    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = x.iter().map(|u| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    fn outputs(design: &Design, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        (0..design.evaluations()).map(|e| f(&design.point(e))).collect()
    }

    #[test]
    fn ishigami_indices_are_the_analytic_ones_within_their_intervals() {
        // Analytic values for a = 7, b = 0.1 (Saltelli et al. 2008, Global Sensitivity Analysis:
        // The Primer, section 4.8; SALib's Ishigami test): S1 = 0.3139, 0.4424, 0; ST = 0.5576,
        // 0.4424, 0.2437.
        let (s1, st) = ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]);
        let design = Design::new(4096, &[1, 1, 1], Some(11)).unwrap();
        let y = outputs(&design, ishigami);
        let boot = Bootstrap::new(4096, 200, 0.95, 3).unwrap();
        let got = sobol_indices(&y, 4096, 3, &boot).unwrap();
        for i in 0..3 {
            let g = got[i];
            assert!((g.first - s1[i]).abs() <= g.first_conf, "S1[{i}] = {} ± {} vs {}", g.first, g.first_conf, s1[i]);
            assert!((g.total - st[i]).abs() <= g.total_conf, "ST[{i}] = {} ± {} vs {}", g.total, g.total_conf, st[i]);
            assert!(g.first_conf < 0.05 && g.total_conf < 0.05, "intervals narrow at N = 4096: {g:?}");
        }
    }

    #[test]
    fn equal_to_salib_on_salibs_own_design_and_outputs() {
        // tests/reference/salib_sobol.py: SALib 1.6.0's scrambled Sobol design (N = 256, seed 42)
        // of the Ishigami function, and sobol.analyze's S1 and ST on those outputs.
        let case = resil_test_support::reference_case("salib_sobol");
        let y = resil_test_support::floats(&case["ishigami"]["y"]);
        let n = case["ishigami"]["n"].as_u64().unwrap() as usize;
        let boot = Bootstrap::new(n, 100, 0.95, 1).unwrap();
        let got = sobol_indices(&y, n, 3, &boot).unwrap();
        let (s1, st) =
            (resil_test_support::floats(&case["ishigami"]["S1"]), resil_test_support::floats(&case["ishigami"]["ST"]));
        let (s1_conf, st_conf) = (
            resil_test_support::floats(&case["ishigami"]["S1_conf"]),
            resil_test_support::floats(&case["ishigami"]["ST_conf"]),
        );
        for i in 0..3 {
            assert!((got[i].first - s1[i]).abs() < 1e-12, "S1[{i}] {} vs SALib {}", got[i].first, s1[i]);
            assert!((got[i].total - st[i]).abs() < 1e-12, "ST[{i}] {} vs SALib {}", got[i].total, st[i]);
            // The intervals come from other resamples: equal within a third.
            assert!((got[i].first_conf / s1_conf[i] - 1.0).abs() < 0.35, "{} vs {}", got[i].first_conf, s1_conf[i]);
            assert!((got[i].total_conf / st_conf[i] - 1.0).abs() < 0.35, "{} vs {}", got[i].total_conf, st_conf[i]);
        }
    }

    #[test]
    fn a_factor_without_effect_has_zero_total_and_one_factor_has_everything() {
        let design = Design::new(512, &[1, 2, 1], Some(5)).unwrap();
        // Factor 2 (the last coordinate) has no effect.
        let y = outputs(&design, |x| x[0] * 3.0 + (x[1] * x[2]).sin());
        let boot = Bootstrap::new(512, 100, 0.95, 9).unwrap();
        let got = sobol_indices(&y, 512, 3, &boot).unwrap();
        assert_eq!(got[2].total, 0.0);
        assert_eq!(got[2].total_conf, 0.0);
        assert!(got[2].first.abs() <= got[2].first_conf.max(1e-12));
        // One factor alone: S1 = ST = 1 within their intervals.
        let one = Design::new(512, &[2], Some(5)).unwrap();
        let y = outputs(&one, |x| x[0].exp() + x[1]);
        let got = sobol_indices(&y, 512, 1, &boot).unwrap();
        assert!((got[0].first - 1.0).abs() <= got[0].first_conf, "{:?}", got[0]);
        assert!((got[0].total - 1.0).abs() <= got[0].total_conf, "{:?}", got[0]);
        assert_eq!(design.side(3 * 5 + 4, 0), (Side::B, 3));
    }

    #[test]
    fn the_interval_uses_the_normal_quantile() {
        // scipy.stats.norm.ppf(0.975) and norm.ppf(0.95).
        assert!((Bootstrap::new(4, 2, 0.95, 1).unwrap().z - 1.959963984540054).abs() < 1e-12);
        assert!((Bootstrap::new(4, 2, 0.90, 1).unwrap().z - 1.6448536269514722).abs() < 1e-12);
    }

    #[test]
    fn constant_outputs_have_no_indices() {
        let boot = Bootstrap::new(4, 10, 0.95, 1).unwrap();
        assert!(sobol_indices(&[2.0; 12], 4, 1, &boot).is_none());
        assert_eq!(first_base_points(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1, 1), &[1.0, 2.0, 3.0]);
        assert!(Bootstrap::new(4, 10, 1.0, 1).is_err());
        assert!(Bootstrap::new(4, 1, 0.9, 1).is_err());
    }

    proptest::proptest! {
        /// The indices are free of the output's location and scale, and a total is never
        /// negative.
        #[test]
        fn indices_are_free_of_location_and_scale(shift in -1e3f64..1e3, scale in 0.01f64..100.0, seed in 0u64..50) {
            let design = Design::new(64, &[1, 1], Some(seed)).unwrap();
            let y = outputs(&design, |x| x[0] + 2.0 * x[1] * x[1] + x[0] * x[1]);
            let moved: Vec<f64> = y.iter().map(|v| shift + scale * v).collect();
            let boot = Bootstrap::new(64, 20, 0.9, seed).unwrap();
            let (p, q) = (sobol_indices(&y, 64, 2, &boot).unwrap(), sobol_indices(&moved, 64, 2, &boot).unwrap());
            for (p, q) in p.iter().zip(&q) {
                proptest::prop_assert!((p.first - q.first).abs() < 1e-9);
                proptest::prop_assert!((p.total - q.total).abs() < 1e-9);
                proptest::prop_assert!(p.total >= 0.0);
            }
        }
    }
}
