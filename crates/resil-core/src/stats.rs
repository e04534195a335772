//! Column statistics over the finite values of a column (missing values are NaN), shared by
//! every crate that needs a mean, a standard deviation or a correlation: one definition each.

/// Count, mean, sample and population standard deviation, min and max of the finite values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnStats {
    /// Every cell of the column, finite or not.
    pub cells: usize,
    /// The finite ones, which the statistics are of.
    pub n: usize,
    pub mean: f64,
    pub sd_sample: f64,
    pub sd_population: f64,
    pub min: f64,
    pub max: f64,
}

/// The first pass over a column's finite values: their count, sum and extremes. Mergeable
/// across chunks of rows (`crate::chunked`), and the in-memory statistics are built from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub cells: usize,
    pub n: usize,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

/// Count, sum, min and max of the finite values of `column`.
pub fn moments_of(column: &[f64]) -> Moments {
    // One loop; the sum starts at -0.0 and adds in order, as `Iterator::sum` does.
    let mut m = Moments { cells: column.len(), n: 0, sum: -0.0, min: f64::INFINITY, max: f64::NEG_INFINITY };
    for &v in column.iter().filter(|v| v.is_finite()) {
        m.n += 1;
        m.sum += v;
        m.min = m.min.min(v);
        m.max = m.max.max(v);
    }
    m
}

/// The sum of squares of the finite values of `column` about `mean`: the second pass.
pub fn squares_about(column: &[f64], mean: f64) -> f64 {
    column.iter().copied().filter(|v| v.is_finite()).map(|v| (v - mean).powi(2)).sum()
}

impl Moments {
    /// The statistics, given the sum of squares about the mean (`None` without finite values).
    pub fn stats(self, ss: f64) -> Option<ColumnStats> {
        let n = self.n;
        if n == 0 {
            return None;
        }
        // A constant column's mean is its value and its spread 0, exactly: the sum over n and the
        // squares about it can miss by an ulp, and a spread of 1e-17 (a weight, z-scores of
        // rounding noise) then depended on how the rows were cut into chunks.
        let constant = self.min == self.max;
        let ss = if constant { 0.0 } else { ss };
        Some(ColumnStats {
            cells: self.cells,
            n,
            mean: if constant { self.min } else { self.sum / n as f64 },
            sd_sample: if n > 1 { (ss / (n - 1) as f64).sqrt() } else { 0.0 },
            sd_population: (ss / n as f64).sqrt(),
            min: self.min,
            max: self.max,
        })
    }
}

/// Whether `mean`, the mean of `n` values from `min` to `max`, is 0 to within the rounding of
/// its sum (n machine epsilons of the largest magnitude): z-scores' means come out as 1e-17, and
/// a method that divides by a mean (cv weights, EDAS) must not divide by that.
pub fn zero_within_rounding(mean: f64, n: usize, min: f64, max: f64) -> bool {
    mean.abs() <= n as f64 * f64::EPSILON * min.abs().max(max.abs())
}

/// Statistics of the finite values of `column`; `None` when it has none. Two passes: the mean,
/// then squares about it (stable for the magnitudes of yearbook data, 1e9 yuan).
pub fn column_stats(column: &[f64]) -> Option<ColumnStats> {
    let m = moments_of(column);
    // 0.0 + sum, as the chunked fit merges it into an empty state: the same bits for one chunk.
    let moments = Moments { sum: 0.0 + m.sum, ..m };
    let mean = moments.sum / moments.n as f64;
    moments.stats(squares_about(column, mean))
}

/// Sample skewness (adjusted Fisher-Pearson, as Excel's SKEW and pandas' skew) of the finite values.
pub fn skewness(column: &[f64]) -> f64 {
    let v: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let m2 = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let m3 = v.iter().map(|x| (x - m).powi(3)).sum::<f64>() / n;
    (n * (n - 1.0)).sqrt() / (n - 2.0) * m3 / m2.powf(1.5)
}

/// Sample excess kurtosis (as Excel's KURT and pandas' kurt) of the finite values.
pub fn kurtosis(column: &[f64]) -> f64 {
    let v: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let m2 = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let m4 = v.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    ((n + 1.0) * (m4 / (m2 * m2) - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
}

/// Pearson correlation of two columns (pairs with a missing value left out).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> =
        a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)).collect();
    let n = pairs.len() as f64;
    let (ma, mb) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let cov: f64 = pairs.iter().map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = pairs.iter().map(|(x, _)| (x - ma).powi(2)).sum();
    let vb: f64 = pairs.iter().map(|(_, y)| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// The average ranks (1 = smallest, ties share the mean of their positions) of `values`.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Mean of the finite values of `values`; NaN when there is none.
pub fn mean(values: &[f64]) -> f64 {
    let (sum, n) = values.iter().filter(|v| v.is_finite()).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Population standard deviation of the finite values (0 for one value, NaN for none).
pub fn population_sd(values: &[f64]) -> f64 {
    column_stats(values).map_or(f64::NAN, |s| s.sd_population)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_column_has_its_value_for_mean_and_no_spread_exactly() {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the sum over n misses 0.1 by an ulp, and
        // the squares about that mean are not 0: a constant column had a spread of 1e-17.
        let s = column_stats(&[0.1, 0.1, 0.1]).unwrap();
        assert_eq!((s.mean, s.sd_sample, s.sd_population), (0.1, 0.0, 0.0));
        assert!(zero_within_rounding(5.551115123125783e-17 / 3.0, 3, -0.3, 0.2), "z-scores' mean");
        assert!(!zero_within_rounding(1e-9, 3, -0.3, 0.2));
    }

    #[test]
    fn statistics_skip_missing_values() {
        let v = [1.0, f64::NAN, 3.0];
        assert_eq!(mean(&v), 2.0);
        assert_eq!(population_sd(&v), 1.0);
        let s = column_stats(&v).unwrap();
        assert_eq!((s.n, s.sd_sample, s.min, s.max), (2, 2f64.sqrt(), 1.0, 3.0));
        assert!(mean(&[f64::NAN]).is_nan() && column_stats(&[]).is_none());
        assert!((pearson(&[1.0, 2.0, 3.0, f64::NAN], &[2.0, 4.0, 6.0, 1.0]) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn skewness_and_kurtosis_match_pandas() {
        // Independent computation with the pinned bench environment (pandas 3.1.1, numpy 2.4.6):
        // pd.Series([1, 2, 3, 4, 10]).skew() = 1.697056274847714, .kurt() = 3.1519999999999984,
        // np.corrcoef([1, 2, 3], [2, 4, 6.5])[0, 1] = 0.9979487157886733.
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((skewness(&x) - 1.697056274847714).abs() < 1e-12, "{}", skewness(&x));
        assert!((kurtosis(&x) - 3.1519999999999984).abs() < 1e-12, "{}", kurtosis(&x));
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9979487157886733).abs() < 1e-12);
    }

    #[test]
    fn stats_skip_missing_values() {
        // mean 2.5, sample variance 5/3 and population variance 5/4 of 1,2,3,4 by hand.
        let s = column_stats(&[1.0, f64::NAN, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd_sample - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((s.sd_population - 1.25f64.sqrt()).abs() < 1e-15);
        assert_eq!((s.min, s.max), (1.0, 4.0));
        assert!(column_stats(&[f64::NAN]).is_none());
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(average_ranks(&[10.0, 30.0, 20.0, 30.0]), vec![1.0, 3.5, 2.0, 3.5]);
    }
}
