//! Column statistics over the finite values of a column, shared by the normalisers.

/// Count, mean, sample and population standard deviation, min and max of the finite values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnStats {
    pub n: usize,
    pub mean: f64,
    pub sd_sample: f64,
    pub sd_population: f64,
    pub min: f64,
    pub max: f64,
}

/// Statistics of the finite values of `column`; `None` when it has none.
pub fn column_stats(column: &[f64]) -> Option<ColumnStats> {
    let finite = || column.iter().copied().filter(|v| v.is_finite());
    let n = finite().count();
    if n == 0 {
        return None;
    }
    let mean = finite().sum::<f64>() / n as f64;
    // Two-pass sum of squares: stable for the magnitudes of yearbook data (1e9 yuan).
    let ss: f64 = finite().map(|v| (v - mean).powi(2)).sum();
    let (min, max) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some(ColumnStats {
        n,
        mean,
        sd_sample: if n > 1 { (ss / (n - 1) as f64).sqrt() } else { 0.0 },
        sd_population: (ss / n as f64).sqrt(),
        min,
        max,
    })
}

/// Stats of every column, or an error naming the first indicator without a finite value.
pub(crate) fn all_column_stats(
    reference: &resil_core::Matrix,
    system: &resil_core::IndicatorSystem,
    method: &str,
) -> resil_core::Result<Vec<ColumnStats>> {
    reference
        .columns()
        .enumerate()
        .map(|(j, col)| {
            column_stats(col).ok_or_else(|| {
                resil_core::Error::data(
                    format!("{method}: indicator `{}`", system.get(j).id),
                    "no finite value in the reference rows",
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
