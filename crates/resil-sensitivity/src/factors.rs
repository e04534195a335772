//! From a design's coordinates (each in (0, 1)) to factor values: a level of a categorical factor
//! (so method choices have well-defined Sobol indices), a value in a range, and weights drawn
//! around given ones (Dirichlet by inverse gamma CDFs, or uniform multipliers), each a
//! deterministic function of its coordinates.

use resil_core::{Error, Result};
use statrs::distribution::{ContinuousCDF, Gamma, Normal};

/// Checked level probabilities of a categorical factor (equal when none are given).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    cumulative: Vec<f64>,
}

impl Categorical {
    /// `levels` equally likely levels, or the given `probabilities` (positive, summing to 1
    /// within 1e-9).
    pub fn new(levels: usize, probabilities: Option<&[f64]>) -> Result<Categorical> {
        if levels == 0 {
            return Err(Error::param("factor", "levels", "needs at least one level"));
        }
        let p: Vec<f64> = match probabilities {
            None => vec![1.0 / levels as f64; levels],
            Some(p) => {
                if p.len() != levels {
                    return Err(Error::param(
                        "factor",
                        "probabilities",
                        format!("{} probabilities for {levels} levels", p.len()),
                    ));
                }
                if let Some(bad) = p.iter().find(|v| !(**v > 0.0 && v.is_finite())) {
                    return Err(Error::param("factor", "probabilities", format!("must be > 0, got {bad}")));
                }
                let sum: f64 = p.iter().sum();
                if (sum - 1.0).abs() > 1e-9 {
                    return Err(Error::param("factor", "probabilities", format!("must sum to 1, got {sum}")));
                }
                p.to_vec()
            }
        };
        let mut acc = 0.0;
        let cumulative = p.iter().map(|v| {
            acc += v;
            acc
        });
        Ok(Categorical { cumulative: cumulative.collect() })
    }

    /// The level at coordinate `u`: level i covers the i-th slice of (0, 1) of its probability.
    pub fn level(&self, u: f64) -> usize {
        self.cumulative.iter().position(|&c| u < c).unwrap_or(self.cumulative.len() - 1)
    }
}

/// The value at `u` of a uniform distribution on [lo, hi].
pub fn in_range(u: f64, lo: f64, hi: f64) -> f64 {
    lo + u * (hi - lo)
}

/// Weights drawn around `weights` (non-negative, summing to 1) from coordinates `u` (one each):
/// a Dirichlet with parameters `concentration * w_i`, whose mean is `weights` and whose variance
/// is w_i (1 - w_i) / (concentration + 1). Each coordinate is turned into a gamma variate by the
/// inverse CDF, then the variates are normalised. A zero weight stays zero.
pub fn dirichlet_around(weights: &[f64], concentration: f64, u: &[f64]) -> Vec<f64> {
    let draws: Vec<f64> = weights
        .iter()
        .zip(u)
        .map(|(&w, &u)| if w <= 0.0 { 0.0 } else { gamma_quantile(u, concentration * w) })
        .collect();
    normalised(draws).unwrap_or_else(|| weights.to_vec())
}

/// The `u`-quantile of a gamma distribution of shape `a` > 0 and scale 1: Newton's method on
/// statrs' regularised incomplete gamma function from the Wilson-Hilferty start (a >= 1) or the
/// small-x series (a < 1), kept inside a bracket (a bisection step when Newton would leave it),
/// and statrs' own inverse when it does not settle. About four CDF evaluations instead of the
/// twenty of a bracketing search: the weights factor draws one per indicator per evaluation.
pub fn gamma_quantile(u: f64, a: f64) -> f64 {
    use statrs::function::gamma::{gamma_lr, ln_gamma};
    let Ok(dist) = Gamma::new(a, 1.0) else { return 0.0 };
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return f64::INFINITY;
    }
    let lg = ln_gamma(a);
    let mut x = if a >= 1.0 {
        let z = Normal::standard().inverse_cdf(u);
        let c = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * a.sqrt());
        (a * c * c * c).max(1e-3 * a)
    } else {
        // P(a, x) ~ x^a / Gamma(a + 1) for small x.
        (u * (lg + a.ln()).exp()).powf(1.0 / a)
    };
    let (mut lo, mut hi) = (0.0, f64::INFINITY);
    if x == 0.0 {
        // The small-x start underflowed: the quantile lies below the least positive double
        // (u = 1e-9 and a = 0.01 put it near 1e-900), where statrs' fallback answered 9e-10.
        return 0.0;
    }
    if a < 1.0 {
        // Below a = 1, P(a, x) ~ x^a / Gamma(a + 1) is so steep near 0 that Newton on x
        // crawls and ran out of steps (u = 1e-9 at a = 0.088 fell back to statrs' 9e-10,
        // where P is 0.17; u = 0.245 stopped at a relative 5e-7 from scipy's gammaincinv).
        // On t = ln x, ln P is nearly a t - ln Gamma(a + 1): Newton there takes a few steps.
        // Only in the lower half: near u = 1, ln P loses the digits that P - u keeps.
        if u < 0.5 {
            if let Some(x) = small_shape_quantile(u, a, x.ln(), lg) {
                return x;
            }
        }
    }
    for _ in 0..50 {
        if !(x > 0.0 && x.is_finite()) {
            break;
        }
        let f = gamma_lr(a, x) - u;
        if f == 0.0 {
            return x;
        }
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let step = f / ((a - 1.0) * x.ln() - x - lg).exp();
        if step.abs() <= 1e-15 * x {
            return x - step;
        }
        let newton = x - step;
        x = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if hi.is_finite() {
            0.5 * (lo + hi)
        } else {
            2.0 * x
        };
    }
    // Newton on x did not settle: statrs' inverse answered 9.3e-10 at a = 0.01, u = 0.637,
    // where the quantile is 1.4e-20 (P(9.3e-10) is 0.82).
    bracketed_log_quantile(u, a, lg).unwrap_or_else(|| dist.inverse_cdf(u))
}

/// The gamma(a) quantile of `u` by Newton on t = ln x for P(a, e^t) - u (whose derivative
/// x p(x) = exp(a t - x - ln Gamma(a)) is smooth in t however steep P is in x), inside a bracket
/// on t that Newton may not leave (a bisection step then, or a step of 1 while one side is open):
/// slower than the starts above, but it settles for any shape. None when P is not finite.
fn bracketed_log_quantile(u: f64, a: f64, ln_gamma_a: f64) -> Option<f64> {
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut t = a.ln().max(0.0);
    for _ in 0..4000 {
        let x = t.exp();
        let p = statrs::function::gamma::gamma_lr(a, x);
        if !p.is_finite() {
            return None;
        }
        let f = p - u;
        if f == 0.0 {
            return Some(x);
        }
        if f > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        let newton = t - f / (a * t - x - ln_gamma_a).exp();
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if lo.is_finite() && hi.is_finite() {
            0.5 * (lo + hi)
        } else if f > 0.0 {
            t - 1.0
        } else {
            t + 1.0
        };
        if (next - t).abs() <= 1e-15 * t.abs().max(1.0) || next == lo || next == hi {
            return Some(next.exp());
        }
        // Below the least double the quantile is 0, as the small-x start finds it.
        if next < f64::MIN_POSITIVE.ln() - 40.0 {
            return Some(0.0);
        }
        t = next;
    }
    None
}

/// The gamma(a) quantile of `u` for a < 1 by Newton on t = ln x from `t`: ln P(a, e^t) - ln u,
/// whose derivative is x p(x) / P = exp(a t - x - ln Gamma(a)) / P. None when it does not
/// settle (the bracketed search on x then runs).
fn small_shape_quantile(u: f64, a: f64, mut t: f64, ln_gamma_a: f64) -> Option<f64> {
    let ln_u = u.ln();
    for _ in 0..100 {
        let x = t.exp();
        let p = statrs::function::gamma::gamma_lr(a, x);
        if !(p > 0.0 && x > 0.0 && x.is_finite()) {
            return None;
        }
        let step = (p.ln() - ln_u) / ((a * t - x - ln_gamma_a).exp() / p);
        if !step.is_finite() {
            return None;
        }
        t -= step;
        if step.abs() <= 1e-15 * t.abs().max(1.0) {
            return Some(t.exp());
        }
    }
    None
}

/// Weights around `weights`, each multiplied by a factor uniform on [1 - spread, 1 + spread]
/// (from its coordinate), then renormalised.
pub fn uniform_around(weights: &[f64], spread: f64, u: &[f64]) -> Vec<f64> {
    let draws = weights.iter().zip(u).map(|(&w, &u)| w * in_range(u, 1.0 - spread, 1.0 + spread)).collect();
    normalised(draws).unwrap_or_else(|| weights.to_vec())
}

fn normalised(mut v: Vec<f64>) -> Option<Vec<f64>> {
    let sum: f64 = v.iter().sum();
    if !(sum > 0.0 && sum.is_finite()) {
        return None;
    }
    v.iter_mut().for_each(|x| *x /= sum);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, Side};

    #[test]
    fn levels_take_their_share_of_the_unit_interval() {
        let c = Categorical::new(3, None).unwrap();
        assert_eq!([0.1, 0.34, 0.67, 0.9999].map(|u| c.level(u)), [0, 1, 2, 2]);
        let c = Categorical::new(2, Some(&[0.25, 0.75])).unwrap();
        assert_eq!([0.2, 0.3].map(|u| c.level(u)), [0, 1]);
        assert!(Categorical::new(2, Some(&[0.5])).unwrap_err().to_string().contains("2 levels"));
        assert!(Categorical::new(2, Some(&[0.5, 0.6])).unwrap_err().to_string().contains("sum to 1"));
        assert!(Categorical::new(2, Some(&[0.0, 1.0])).is_err());
        assert!(Categorical::new(0, None).is_err());
        assert_eq!(in_range(0.25, 2.0, 4.0), 2.5);
    }

    #[test]
    fn gamma_quantiles_are_scipys() {
        // scipy.stats.gamma.ppf(u, a), tests/reference/salib_sobol.py.
        let case = resil_test_support::reference_case("salib_sobol");
        for q in case["gamma_ppf"].as_array().unwrap() {
            let (u, a, want) = (q["u"].as_f64().unwrap(), q["a"].as_f64().unwrap(), q["x"].as_f64().unwrap());
            let got = gamma_quantile(u, a);
            // Absolute accuracy where the quantile is tiny: normalised weights cannot tell 1e-9 from 0.
            assert!((got - want).abs() <= 1e-8 * want.max(1.0), "gamma({a}) quantile {u}: {got} vs scipy {want}");
        }
    }

    #[test]
    fn small_shapes_reach_scipys_quantiles() {
        // Two cases the property test drew: Newton on x ran out of steps (the first fell back
        // to statrs' 9e-10, the second stopped 5e-7 short). scipy.special.gammaincinv 1.x.
        for (u, a, want) in [
            (1e-9, 0.0879473908966728, 2.7896898590288526e-103),
            (0.24455780756285292, 0.0879473908966728, 6.684888704657058e-08),
            (1e-5, 0.3, 1.502222481645838e-17),
        ] {
            let got = gamma_quantile(u, a);
            assert!((got - want).abs() <= 1e-10 * want, "gamma({a}) quantile {u}: {got} vs scipy {want}");
        }
    }

    #[test]
    fn dirichlet_draws_have_the_weights_as_mean_and_the_dirichlet_variance() {
        let w = [0.5, 0.3, 0.15, 0.05, 0.0];
        let c = 40.0;
        let n = 4096;
        let design = Design::new(n, &[w.len()], Some(2)).unwrap();
        let draws: Vec<Vec<f64>> = (0..n).map(|j| dirichlet_around(&w, c, design.coordinates(Side::A, j, 0))).collect();
        for i in 0..w.len() {
            let mean = draws.iter().map(|d| d[i]).sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d[i] - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((mean - w[i]).abs() < 2e-3, "mean of w{i}: {mean}");
            let want = w[i] * (1.0 - w[i]) / (c + 1.0);
            assert!((var - want).abs() <= 0.05 * want + 1e-12, "variance of w{i}: {var} vs {want}");
        }
        assert!(draws.iter().all(|d| d[4] == 0.0 && (d.iter().sum::<f64>() - 1.0).abs() < 1e-12));
    }

    #[test]
    fn a_quantile_where_newton_on_x_does_not_settle_is_found_on_ln_x() {
        // Found by the property test (2,048 cases): Newton on x ran out of steps and statrs'
        // inverse answered 9.3e-10, where P is 0.82. The quantile is about
        // (u Gamma(a + 1))^(1 / a) = 1.4e-20 here; P at the answer is u.
        let (u, a) = (0.637217484467843, 0.01);
        let x = gamma_quantile(u, a);
        assert!(x > 1e-21 && x < 1e-19, "{x}");
        assert!((statrs::function::gamma::gamma_lr(a, x) - u).abs() < 1e-12);
        // The bracketed search alone, on cases the fast paths settle: the same quantiles.
        let lg = statrs::function::gamma::ln_gamma(a);
        assert!((bracketed_log_quantile(u, a, lg).unwrap() - x).abs() <= 1e-12 * x);
        for (u, a) in [(0.3, 0.5), (0.9, 2.0), (0.5, 40.0), (1e-6, 3.0), (0.999999, 0.2)] {
            let want = gamma_quantile(u, a);
            let got = bracketed_log_quantile(u, a, statrs::function::gamma::ln_gamma(a)).unwrap();
            // Equal to the conditioning of P - u (near u = 1, 1e-6 / p(x) roundings apart).
            assert!((got - want).abs() <= 1e-10 * want, "gamma({a}) quantile {u}: {got} vs {want}");
        }
    }

    #[test]
    fn a_quantile_below_the_least_double_is_zero() {
        // Found by the property test below: the small-x start underflows to 0 here.
        assert_eq!(gamma_quantile(1e-9, 0.01), 0.0);
        assert!(gamma_quantile(1e-9, 0.05) > 0.0, "(1e-9)^20 is still a double");
    }

    proptest::proptest! {
        /// The quantile inverts the CDF wherever the CDF can tell values apart.
        #[test]
        fn gamma_quantile_inverts_the_cdf(u in 1e-9f64..(1.0 - 1e-9), a in 0.01f64..500.0) {
            let x = gamma_quantile(u, a);
            proptest::prop_assert!(x >= 0.0 && x.is_finite());
            // statrs refuses x = 0 (the answer below the least double, u = 1e-9 at a = 0.01),
            // where P is 0.
            let p = if x > 0.0 { statrs::function::gamma::gamma_lr(a, x) } else { 0.0 };
            proptest::prop_assert!((p - u).abs() < 1e-10 || x < 1e-200, "u {u}, a {a}: x {x}, P {p}");
        }

        /// Perturbed weights are weights: non-negative, summing to 1, zero where the given are.
        #[test]
        fn perturbed_weights_are_weights(raw in proptest::collection::vec(0.0f64..1.0, 2..12), seed in 0u64..1000, spread in 0.0f64..0.99, c in 1.0f64..500.0) {
            let sum: f64 = raw.iter().sum();
            proptest::prop_assume!(sum > 1e-6);
            let w: Vec<f64> = raw.iter().map(|v| v / sum).collect();
            let design = Design::new(4, &[w.len()], Some(seed)).unwrap();
            let u = design.coordinates(Side::B, 3, 0);
            for p in [dirichlet_around(&w, c, u), uniform_around(&w, spread, u)] {
                proptest::prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                for (a, b) in p.iter().zip(&w) {
                    proptest::prop_assert!(*a >= 0.0);
                    proptest::prop_assert!(*b > 0.0 || *a == 0.0);
                }
            }
        }
    }
}
