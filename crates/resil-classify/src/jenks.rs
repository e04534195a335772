//! Exact Jenks natural breaks: the 1-D partition into k classes of consecutive sorted values that
//! minimises the within-class sum of squares (Fisher 1958), in O(k n log n).
//!
//! The dynamic programme is the one of Fisher and of Jenks (1977); each layer is solved by divide
//! and conquer over the optimal split index, which is monotone because the within-class sum of
//! squares of sorted values is a Monge cost (Wang & Song 2011, Ckmeans.1d.dp; Grønlund et al. 2017).

use resil_core::{Breaks, Classifier, CutRule, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

/// Unchecked parameters of Jenks natural breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct JenksParams {
    /// Number of classes.
    pub k: usize,
}

impl Default for JenksParams {
    fn default() -> Self {
        JenksParams { k: 5 }
    }
}

impl JenksParams {
    pub fn check(self) -> Result<Jenks> {
        if self.k < 2 {
            return Err(Error::param("jenks", "k", format!("must be at least 2, got {}", self.k)));
        }
        Ok(Jenks { k: self.k })
    }
}

/// The checked Jenks method.
#[derive(Debug, Clone)]
pub struct Jenks {
    k: usize,
}

/// Prefix sums of centred sorted values, for O(1) within-class sums of squares.
struct Prefix {
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl Prefix {
    fn new(sorted: &[f64]) -> Self {
        // Centring first keeps the s2 - s1^2/n difference well conditioned.
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let mut s1 = Vec::with_capacity(sorted.len() + 1);
        let mut s2 = Vec::with_capacity(sorted.len() + 1);
        let (mut a, mut b) = (0.0, 0.0);
        s1.push(0.0);
        s2.push(0.0);
        for &x in sorted {
            let c = x - mean;
            a += c;
            b += c * c;
            s1.push(a);
            s2.push(b);
        }
        Prefix { s1, s2 }
    }

    /// Sum of squared deviations from their mean of sorted[i..=j].
    fn ssq(&self, i: usize, j: usize) -> f64 {
        let n = (j - i + 1) as f64;
        let s = self.s1[j + 1] - self.s1[i];
        (self.s2[j + 1] - self.s2[i] - s * s / n).max(0.0)
    }
}

/// Fills `cur[i]` for i in lo..=hi: the best cost of m+1 classes over sorted[0..=i] whose last
/// class starts at j in opt_lo..=opt_hi, given `prev` = best cost of m classes.
#[allow(clippy::too_many_arguments)]
fn solve_layer(
    prefix: &Prefix,
    prev: &[f64],
    cur: &mut [f64],
    arg: &mut [usize],
    m: usize,
    lo: usize,
    hi: usize,
    opt_lo: usize,
    opt_hi: usize,
) {
    if lo > hi {
        return;
    }
    let mid = lo + (hi - lo) / 2;
    let (mut best, mut best_j) = (f64::INFINITY, opt_lo.max(m));
    for j in opt_lo.max(m)..=opt_hi.min(mid) {
        let c = prev[j - 1] + prefix.ssq(j, mid);
        if c < best {
            best = c;
            best_j = j;
        }
    }
    cur[mid] = best;
    arg[mid] = best_j;
    if mid > lo {
        solve_layer(prefix, prev, cur, arg, m, lo, mid - 1, opt_lo, best_j);
    }
    solve_layer(prefix, prev, cur, arg, m, mid + 1, hi, best_j, opt_hi);
}

/// The optimal partition of `sorted` (ascending, finite) into `k` classes: the index of the last
/// element of each class, and the total within-class sum of squares.
pub fn jenks_partition(sorted: &[f64], k: usize) -> (Vec<usize>, f64) {
    let n = sorted.len();
    assert!(k >= 1 && k <= n, "need 1 <= k <= n");
    let prefix = Prefix::new(sorted);
    let mut prev: Vec<f64> = (0..n).map(|i| prefix.ssq(0, i)).collect();
    // starts[m][i]: where the last class of the best (m+1)-class partition of sorted[0..=i] starts.
    let mut starts: Vec<Vec<usize>> = vec![vec![0; n]];
    for m in 1..k {
        let mut cur = vec![f64::INFINITY; n];
        let mut arg = vec![0; n];
        solve_layer(&prefix, &prev, &mut cur, &mut arg, m, m, n - 1, m, n - 1);
        starts.push(arg);
        prev = cur;
    }
    let total = prev[n - 1];
    let mut ends = vec![n - 1; k];
    let mut end = n - 1;
    for m in (1..k).rev() {
        let start = starts[m][end];
        ends[m - 1] = start - 1;
        end = start - 1;
    }
    (ends, total)
}

impl Classifier for Jenks {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        if let Some(i) = reference.iter().position(|v| !v.is_finite()) {
            return Err(Error::data("jenks", format!("value {} is not finite ({}th value)", reference[i], i + 1)));
        }
        let mut sorted = reference.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut distinct = sorted.clone();
        distinct.dedup();
        if distinct.len() < self.k {
            return Err(Error::data(
                "jenks",
                format!("{} classes need at least {} distinct values, got {}", self.k, self.k, distinct.len()),
            ));
        }
        let (ends, _) = jenks_partition(&sorted, self.k);
        let cuts: Vec<f64> = ends[..self.k - 1].iter().map(|&e| sorted[e]).collect();
        Ok(Outcome::new(Breaks::new(cuts, CutRule::UpperInclusive, reference)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(values: &[f64], k: usize) -> Breaks {
        JenksParams { k }.check().unwrap().fit(values).unwrap().value
    }

    /// Within-class sum of squares of `values` classed by `b`.
    fn wcss(values: &[f64], b: &Breaks) -> f64 {
        let k = b.k();
        let mut groups = vec![Vec::new(); k + 1];
        for &v in values {
            groups[b.class_of(v)].push(v);
        }
        groups
            .iter()
            .filter(|g| !g.is_empty())
            .map(|g| {
                let m = g.iter().sum::<f64>() / g.len() as f64;
                g.iter().map(|v| (v - m).powi(2)).sum::<f64>()
            })
            .sum()
    }

    /// Exhaustive optimum: every choice of k-1 cut positions in the sorted values.
    fn brute_force(values: &[f64], k: usize) -> f64 {
        let mut s = values.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        fn ssq(x: &[f64]) -> f64 {
            let m = x.iter().sum::<f64>() / x.len() as f64;
            x.iter().map(|v| (v - m).powi(2)).sum()
        }
        fn go(s: &[f64], start: usize, left: usize) -> f64 {
            if left == 1 {
                return ssq(&s[start..]);
            }
            (start + 1..=s.len() - left + 1)
                .map(|cut| ssq(&s[start..cut]) + go(s, cut, left - 1))
                .fold(f64::INFINITY, f64::min)
        }
        assert!(k <= n);
        go(&s, 0, k)
    }

    #[test]
    fn textbook_example_with_obvious_groups() {
        // Three well separated clumps: the breaks are the top of each clump.
        let v = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0];
        let b = breaks(&v, 3);
        assert_eq!(b.cuts, vec![3.0, 12.0]);
        assert_eq!(b.upper_bounds(), vec![3.0, 12.0, 22.0]);
        assert_eq!(b.class_of(3.0), 1, "a break is the largest value of its class");
        assert_eq!(b.class_of(3.5), 2);
        // GVF by hand: SDAM = 1704 - 102^2 / 9 = 548, SDCM = 3 * 2 = 6.
        assert!((b.fit.gvf - (1.0 - 6.0 / 548.0)).abs() < 1e-12);
    }

    #[test]
    fn too_few_distinct_values_is_an_error() {
        let err = JenksParams { k: 3 }.check().unwrap().fit(&[1.0, 1.0, 2.0, 2.0]).unwrap_err().to_string();
        assert!(err.contains("3 classes need at least 3 distinct values"), "{err}");
        assert!(JenksParams { k: 1 }.check().is_err());
    }

    #[test]
    fn large_input_matches_quadratic_dynamic_programme() {
        // The O(k n^2) textbook programme as an independent check of the divide and conquer.
        let v: Vec<f64> = (0..300u64).map(|i| ((i * 7919) % 1000) as f64 / 7.0 + (i % 13) as f64).collect();
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let k = 6;
        let p = Prefix::new(&s);
        let n = s.len();
        let mut prev: Vec<f64> = (0..n).map(|i| p.ssq(0, i)).collect();
        for m in 1..k {
            let cur: Vec<f64> = (0..n)
                .map(|i| {
                    if i < m {
                        f64::INFINITY
                    } else {
                        (m..=i).map(|j| prev[j - 1] + p.ssq(j, i)).fold(f64::INFINITY, f64::min)
                    }
                })
                .collect();
            prev = cur;
        }
        let (_, total) = jenks_partition(&s, k);
        assert!((total - prev[n - 1]).abs() < 1e-9 * prev[n - 1].max(1.0));
    }

    proptest::proptest! {
        #[test]
        fn breaks_are_sorted_and_optimal(values in proptest::collection::vec(0.0f64..100.0, 2..12), k in 2usize..5) {
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            proptest::prop_assume!(distinct.len() >= k);
            let b = breaks(&values, k);
            proptest::prop_assert!(b.cuts.windows(2).all(|w| w[0] < w[1]), "{:?}", b.cuts);
            let best = brute_force(&values, k);
            let got = wcss(&values, &b);
            proptest::prop_assert!((got - best).abs() <= 1e-9 * best.max(1.0), "{got} vs {best}");
            proptest::prop_assert!((0.0..=1.0 + 1e-12).contains(&b.fit.gvf));
        }
    }
}
