//! Trend analysis of sample zones, as ArcGIS's Geostatistical Analyst draws it: each unit is a
//! point (X, Y, Z) with X, Y projected coordinates and Z its score; after an optional rotation
//! of the X-Y axes, polynomials are fitted by least squares to the X-Z and Y-Z projections.
//!
//! Fits run on centred and scaled coordinates t = (x - centre) / scale with a QR solve
//! (nalgebra), since the normal equations of a cubic in metres are hopelessly ill-conditioned;
//! coefficients are reported in both the scaled and the original units.

use nalgebra::{DMatrix, DVector};
use resil_core::{Error, Result};
use serde::Serialize;

/// A least-squares polynomial z = sum_k b_k t^k, t = (x - centre) / scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolyFit {
    pub order: usize,
    pub n: usize,
    pub centre: f64,
    pub scale: f64,
    /// b_0..b_order, in powers of t.
    pub coef_scaled: Vec<f64>,
    /// a_0..a_order, in powers of x (original units).
    pub coef_original: Vec<f64>,
    pub sse: f64,
    /// 1 - SSE / SST; `None` when every z is the same (SST = 0).
    pub r2: Option<f64>,
    /// AIC corrected for small samples, n ln(SSE/n) + 2k + 2k(k+1)/(n-k-1) with k = order + 2
    /// (coefficients and the error variance); `None` when n - k - 1 <= 0 or SSE = 0.
    pub aicc: Option<f64>,
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

impl PolyFit {
    /// The fitted z at x (original units).
    pub fn predict(&self, x: f64) -> f64 {
        let t = (x - self.centre) / self.scale;
        self.coef_scaled.iter().rev().fold(0.0, |acc, b| acc * t + b)
    }

    /// `points` evenly spaced (x, fitted z) from `lo` to `hi`, for plotting.
    pub fn curve(&self, lo: f64, hi: f64, points: usize) -> Vec<(f64, f64)> {
        (0..points)
            .map(|i| {
                let x = if points == 1 { lo } else { lo + (hi - lo) * i as f64 / (points - 1) as f64 };
                (x, self.predict(x))
            })
            .collect()
    }
}

/// Fits a polynomial of `order` (1 to 3) to (x, z). Needs at least order + 1 points with at least
/// order + 1 distinct x; with exactly order + 1 the fit is exact and AICc undefined.
pub fn fit_polynomial(x: &[f64], z: &[f64], order: usize) -> Result<PolyFit> {
    if !(1..=3).contains(&order) {
        return Err(Error::param("trend", "order", format!("must be 1, 2 or 3, got {order}")));
    }
    let n = x.len();
    let mut distinct = x.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if n != z.len() || distinct.len() < order + 1 {
        return Err(Error::data(
            "trend",
            format!("a polynomial of order {order} needs at least {} points with distinct positions, got {} distinct of {n}", order + 1, distinct.len()),
        ));
    }
    let centre = x.iter().sum::<f64>() / n as f64;
    let scale = (x.iter().map(|v| (v - centre).powi(2)).sum::<f64>() / n as f64).sqrt();
    let p = order + 1;
    let v = DMatrix::from_fn(n, p, |i, k| ((x[i] - centre) / scale).powi(k as i32));
    let zv = DVector::from_column_slice(z);
    let qr = v.qr();
    let qtz = qr.q().transpose() * &zv;
    let b = qr
        .r()
        .solve_upper_triangular(&qtz)
        .ok_or_else(|| Error::data("trend", "the design matrix is rank deficient"))?;
    let coef_scaled: Vec<f64> = b.iter().copied().collect();
    let coef_original = (0..p)
        .map(|j| {
            (j..p)
                .map(|k| coef_scaled[k] * binomial(k, j) * (-centre).powi((k - j) as i32) / scale.powi(k as i32))
                .sum()
        })
        .collect();
    let fitted = DMatrix::from_fn(n, p, |i, k| ((x[i] - centre) / scale).powi(k as i32)) * &b;
    let sse: f64 = (0..n).map(|i| (z[i] - fitted[i]).powi(2)).sum();
    let zmean = z.iter().sum::<f64>() / n as f64;
    let sst: f64 = z.iter().map(|v| (v - zmean).powi(2)).sum();
    let k = (order + 2) as f64;
    let nf = n as f64;
    let aicc = (nf - k - 1.0 > 0.0 && sse > 0.0)
        .then(|| nf * (sse / nf).ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0));
    Ok(PolyFit {
        order,
        n,
        centre,
        scale,
        coef_scaled,
        coef_original,
        sse,
        r2: (sst > 0.0).then(|| 1.0 - sse / sst),
        aicc,
    })
}

/// Rotates the X-Y axes by `angle` degrees counter-clockwise: the point's coordinates in the
/// rotated frame.
pub fn rotate((x, y): (f64, f64), angle: f64) -> (f64, f64) {
    let (s, c) = angle.to_radians().sin_cos();
    (x * c + y * s, -x * s + y * c)
}

/// The X-Z and Y-Z fits of one zone and period after rotating by `angle`.
pub fn fit_planes(points: &[(f64, f64)], z: &[f64], order: usize, angle: f64) -> Result<(PolyFit, PolyFit)> {
    let rotated: Vec<(f64, f64)> = points.iter().map(|&p| rotate(p, angle)).collect();
    let xs: Vec<f64> = rotated.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = rotated.iter().map(|p| p.1).collect();
    Ok((fit_polynomial(&xs, z, order)?, fit_polynomial(&ys, z, order)?))
}

/// The rotation angle in 0..=179 degrees (1-degree steps) whose X-Z fit has the highest R2
/// (the smallest such angle on ties), with that R2.
pub fn direction_search(points: &[(f64, f64)], z: &[f64], order: usize) -> Result<(u32, f64)> {
    let mut best: Option<(u32, f64)> = None;
    for angle in 0..180u32 {
        let xs: Vec<f64> = points.iter().map(|&p| rotate(p, f64::from(angle)).0).collect();
        let Ok(fit) = fit_polynomial(&xs, z, order) else { continue };
        let r2 = fit.r2.unwrap_or(f64::NEG_INFINITY);
        if best.is_none_or(|(_, b)| r2 > b + 1e-12) {
            best = Some((angle, r2));
        }
    }
    best.ok_or_else(|| Error::data("trend", "no direction gives a fit (too few distinct points)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_cubic_in_metres() {
        // Exact points of z = 0.3 + 2e-7 x - 4e-13 x^2 + 1e-19 x^3 at x from -2e6 to 2e6 metres.
        let truth = [0.3, 2e-7, -4e-13, 1e-19];
        let xs: Vec<f64> = (0..15).map(|i| -2.0e6 + i as f64 * 2.9e5).collect();
        let zs: Vec<f64> = xs.iter().map(|&x| truth.iter().rev().fold(0.0, |a, c| a * x + c)).collect();
        let fit = fit_polynomial(&xs, &zs, 3).unwrap();
        for (got, want) in fit.coef_original.iter().zip(truth) {
            assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");
        }
        assert!((fit.r2.unwrap() - 1.0).abs() < 1e-12);
        assert!((fit.predict(1.0e6) - truth.iter().rev().fold(0.0, |a, c| a * 1.0e6 + c)).abs() < 1e-12);
    }

    #[test]
    fn a_quadratic_with_noise_has_the_least_squares_coefficients() {
        // Independent computation: 5 points, z = x^2 plus noise e (1, -4, 6, -4, 1), the fourth
        // difference pattern, orthogonal to 1, x and x^2 at x = -2..2; so the least-squares fit
        // is exactly z = x^2 and SSE = 70 e^2.
        let e = 0.01;
        let xs = [-2.0, -1.0, 0.0, 1.0, 2.0];
        let noise = [e, -4.0 * e, 6.0 * e, -4.0 * e, e];
        let zs: Vec<f64> = xs.iter().zip(noise).map(|(x, n)| x * x + n).collect();
        let fit = fit_polynomial(&xs, &zs, 2).unwrap();
        for (got, want) in fit.coef_original.iter().zip([0.0, 0.0, 1.0]) {
            assert!((got - want).abs() < 1e-12, "{:?}", fit.coef_original);
        }
        assert!((fit.sse - 70.0 * e * e).abs() < 1e-12);
        assert!(fit.aicc.is_none(), "n - k - 1 = 5 - 4 - 1 = 0");
    }

    #[test]
    fn too_few_points_and_flat_scores_are_clear() {
        let err = fit_polynomial(&[1.0, 2.0], &[1.0, 2.0], 2).unwrap_err().to_string();
        assert!(err.contains("needs at least 3 points"), "{err}");
        let fit = fit_polynomial(&[1.0, 2.0, 3.0, 4.0], &[5.0; 4], 1).unwrap();
        assert_eq!(fit.r2, None);
        assert!(fit.coef_original[1].abs() < 1e-12);
    }

    #[test]
    fn direction_search_finds_the_gradient() {
        // z rises along the direction 30 degrees from the X axis: the best rotation is 30.
        let pts: Vec<(f64, f64)> = (0..40).map(|i| ((i % 7) as f64 * 1e5, (i / 7) as f64 * 1.3e5)).collect();
        let z: Vec<f64> = pts.iter().map(|&p| rotate(p, 30.0).0 * 1e-6).collect();
        assert_eq!(direction_search(&pts, &z, 1).unwrap().0, 30);
    }
}
