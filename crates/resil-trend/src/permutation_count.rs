//! Counting the permutations whose statistic is at least the observed one (the pseudo p-values
//! of global Moran's I, Geary's C and the global Getis-Ord G), fast and exactly: each
//! permutation's statistic is first computed in an order of the points that keeps neighbours
//! near in memory, with a bound on how far rounding can take it from the statistic summed in
//! point order; only a permutation within that bound of the observed value is summed again in
//! point order. The count, and so p_sim, is the one the point order gives, bit for bit; only the
//! time changes. (The bivariate Moran's I and the spatial Gini also report the permutations'
//! mean and spread, which need each statistic's own bits: they stay in point order,
//! `spatial::permuted_statistics_in_lanes`.)
//!
//! Why: summed in point order, each permutation gathers every neighbour's values from anywhere
//! in memory (at 1e5 points, 8 cache misses a point), and those gathers were the largest part of
//! the test with the shuffle. In the local order they mostly hit the cache, and Moran's squares
//! need no sum at all (they are z's, reordered). The sums in the two orders differ only by
//! rounding, which the bounds of recursive summation hold (Higham, *Accuracy and Stability of
//! Numerical Algorithms*, 2nd ed., 2002, section 4.2).

use crate::spatial::{in_lane_batches, Lanes, LinkWeights, Links, LANES};

/// The links renumbered in breadth-first order of the graph (each component from its lowest
/// point), where a point's neighbours are near it: at 1e5 points under 8 nearest neighbours,
/// within a few thousand positions, a few hundred KB of lanes, instead of anywhere in 6.4 MB.
struct LocalLinks {
    /// The point at each position.
    order: Vec<u32>,
    /// The position of each point.
    position: Vec<u32>,
    /// Row p holds point `order[p]`'s links, in their order, to positions.
    links: Links,
    /// The most links of a point.
    most_links: usize,
    /// The sum of the weights' magnitudes, and the largest.
    abs_weights: f64,
    most_weight: f64,
}

impl LocalLinks {
    fn of(links: &Links) -> LocalLinks {
        let n = links.starts.len() - 1;
        let row = |i: usize| &links.to[links.starts[i]..links.starts[i + 1]];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut next = order.len();
            order.push(start as u32);
            while let Some(&i) = order.get(next) {
                next += 1;
                for &j in row(i as usize) {
                    if !std::mem::replace(&mut seen[j as usize], true) {
                        order.push(j);
                    }
                }
            }
        }
        let mut position = vec![0u32; n];
        for (p, &i) in order.iter().enumerate() {
            position[i as usize] = p as u32;
        }
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0);
        let mut to = Vec::with_capacity(links.to.len());
        for &i in &order {
            to.extend(row(i as usize).iter().map(|&j| position[j as usize]));
            starts.push(to.len());
        }
        let weight = match &links.weight {
            LinkWeights::PerPoint(w) => LinkWeights::PerPoint(order.iter().map(|&i| w[i as usize]).collect()),
            LinkWeights::PerLink(w) => LinkWeights::PerLink(
                order
                    .iter()
                    .flat_map(|&i| &w[links.starts[i as usize]..links.starts[i as usize + 1]])
                    .copied()
                    .collect(),
            ),
        };
        let most_links = starts.windows(2).map(|r| r[1] - r[0]).max().unwrap_or(0);
        let abs_weights = match &weight {
            LinkWeights::PerPoint(w) => starts.windows(2).zip(w).map(|(r, w)| (r[1] - r[0]) as f64 * w.abs()).sum(),
            LinkWeights::PerLink(w) => w.iter().map(|w| w.abs()).sum(),
        };
        let most_weight = match &weight {
            LinkWeights::PerPoint(w) | LinkWeights::PerLink(w) => w.iter().fold(0.0, |m: f64, w| m.max(w.abs())),
        };
        LocalLinks { order, position, links: Links { starts, to, weight }, most_links, abs_weights, most_weight }
    }

    /// sum_i x_i (W x)_i in each lane, `x` by position, summed in the local order: not the bits
    /// of [`Links::cross_and_squares`] in point order, but within [`LocalLinks::sum_error`].
    fn cross_in_lanes(&self, x: &[Lanes]) -> Lanes {
        let Links { starts, to, weight } = &self.links;
        let mut cross = [0.0; LANES];
        let rows = starts.windows(2).zip(x);
        match weight {
            LinkWeights::PerPoint(weights) => {
                // A point's links weigh the same: its weight is multiplied in once, not per link.
                for ((range, xi), &w) in rows.zip(weights) {
                    let mut lag = [0.0; LANES];
                    for &j in &to[range[0]..range[1]] {
                        let xj = &x[j as usize];
                        for b in 0..LANES {
                            lag[b] += xj[b];
                        }
                    }
                    for b in 0..LANES {
                        cross[b] += w * lag[b] * xi[b];
                    }
                }
            }
            LinkWeights::PerLink(weights) => {
                for (range, xi) in rows {
                    let mut lag = [0.0; LANES];
                    for (&j, &w) in to[range[0]..range[1]].iter().zip(&weights[range[0]..range[1]]) {
                        let xj = &x[j as usize];
                        for b in 0..LANES {
                            lag[b] += w * xj[b];
                        }
                    }
                    for b in 0..LANES {
                        cross[b] += lag[b] * xi[b];
                    }
                }
            }
        }
        cross
    }

    /// sum_i sum_j w_ij (x_i - x_j)^2 in each lane (Geary's sum), `x` by position, summed in the
    /// local order: within [`LocalLinks::sum_error`] of `geary::weighted_squares` in point order.
    fn weighted_squares_in_lanes(&self, x: &[Lanes]) -> Lanes {
        let Links { starts, to, .. } = &self.links;
        let mut total = [0.0; LANES];
        for (p, (range, xi)) in starts.windows(2).zip(x).enumerate() {
            // A row's terms first, then the rows: no term passes through more additions than
            // the bound counts (a point's links, then the points).
            let mut row = [0.0; LANES];
            for e in range[0]..range[1] {
                let (xj, w) = (&x[to[e] as usize], self.links.weight(p, e));
                for b in 0..LANES {
                    row[b] += w * (xi[b] - xj[b]).powi(2);
                }
            }
            for b in 0..LANES {
                total[b] += row[b];
            }
        }
        total
    }

    /// A bound on how far a sum over the links of w_ij t_ij, summed in point order, can be from
    /// the same summed in the local order, when every |t_ij| is at most `term` (max |x|^2 for
    /// Moran's x_i x_j, (2 max |x|)^2 for Geary's (x_i - x_j)^2). Each order's sum is within
    /// gamma(m) * sum |w_ij| |t_ij| of the exact one (m = n + most links + 4 rounded operations
    /// on any term's way to the total), so the two are within twice that, plus an allowance for
    /// results rounded to zero or to subnormal numbers (at most 2^-1074 each, where no relative
    /// bound holds, then multiplied by a weight and a value at most: (1 + term) covers the
    /// value). Infinite for terms so small that a product could underflow unseen.
    fn sum_error(&self, term: f64) -> f64 {
        if term.is_nan() || term < 1e-250 {
            return f64::INFINITY;
        }
        let operations = (self.order.len() + self.most_links + 4) as f64;
        let operations_in_all = (self.links.to.len() + self.order.len()) as f64;
        let underflows = 2.0 * operations_in_all * (self.most_weight + 1.0) * (1.0 + term) * f64::MIN_POSITIVE;
        2.0 * gamma(operations) * term * self.abs_weights + underflows
    }
}

/// Higham's gamma(m) = m u / (1 - m u), u the unit roundoff: the relative error bound of m
/// rounded operations in a row.
pub(crate) fn gamma(m: f64) -> f64 {
    let mu = m * (f64::EPSILON / 2.0);
    if mu < 0.5 {
        mu / (1.0 - mu)
    } else {
        f64::INFINITY
    }
}

/// A bound on how far `scale * a / b`, rounded, is from `scale * numerator / denominator`,
/// rounded, when a and b are within `numerator_error` and `denominator_error` of them: the
/// first order term of the quotient, the two roundings of each side (4 u of either value), and
/// then twice all that, so that the rounding of the bound itself cannot matter. Infinite when
/// the denominator could be zero.
fn quotient_error(scale: f64, numerator: f64, numerator_error: f64, denominator: f64, denominator_error: f64) -> f64 {
    let smallest = denominator.abs() - denominator_error;
    if smallest.is_nan() || smallest <= 0.0 {
        return f64::INFINITY;
    }
    let quotient = (scale * numerator / denominator).abs();
    let shift = scale.abs() * (numerator_error + numerator.abs() * denominator_error / denominator.abs()) / smallest;
    let unit = f64::EPSILON / 2.0;
    2.0 * (shift + 4.0 * unit * (2.0 * quotient + shift))
}

/// A sum over the links that a statistic divides: Moran's cross product sum_i x_i (W x)_i (and
/// the global G's, with weights of 1), or Geary's sum_ij w_ij (x_i - x_j)^2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LinkSum {
    Cross,
    Squares,
}

impl LinkSum {
    /// Each lane's sum in the local order, `x` by position.
    fn in_local_order(self, local: &LocalLinks, x: &[Lanes]) -> Lanes {
        match self {
            LinkSum::Cross => local.cross_in_lanes(x),
            LinkSum::Squares => local.weighted_squares_in_lanes(x),
        }
    }

    /// The largest a term (before its weight) can be for values of magnitude at most `largest`.
    fn term(self, largest: f64) -> f64 {
        match self {
            LinkSum::Cross => largest * largest,
            LinkSum::Squares => (2.0 * largest).powi(2),
        }
    }
}

/// A statistic `scale * sum / denominator`, each permutation's own denominator (in point
/// order) being within `denominator_error` of `denominator`.
pub(crate) struct Quotient {
    pub(crate) sum: LinkSum,
    pub(crate) scale: f64,
    pub(crate) denominator: f64,
    pub(crate) denominator_error: f64,
}

/// [`count_at_least`] for a quotient of a sum over `links`: how many permutations of `values`
/// have the statistic at least `observed`, as `exact` (the statistic of one permutation's values
/// in point order) counts them.
pub(crate) fn count_quotients_at_least(
    values: &[f64],
    permutations: usize,
    seed: u64,
    links: &Links,
    quotient: &Quotient,
    observed: f64,
    exact: impl Fn(&[f64]) -> f64 + Sync,
) -> usize {
    let Quotient { sum, scale, denominator, denominator_error } = *quotient;
    let local = LocalLinks::of(links);
    let largest = values.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let error = local.sum_error(sum.term(largest));
    let fast = |lanes: &[Lanes]| {
        let sums = sum.in_local_order(&local, lanes);
        std::array::from_fn(|b| {
            (scale * sums[b] / denominator, quotient_error(scale, sums[b], error, denominator, denominator_error))
        })
    };
    count_at_least(values, permutations, seed, &local, observed, fast, exact)
}

/// How many of the `permutations` random orders of `values` (the permutations of
/// `spatial::permuted_statistics`, the same seeded streams) have a statistic at least
/// `observed`. `fast` gets `LANES` permutations' values by position of `local` and returns each
/// lane's statistic with a bound on its distance from `exact`'s on the same values in point
/// order; a lane within its bound of `observed` (or not a number) is decided by `exact`.
fn count_at_least(
    values: &[f64],
    permutations: usize,
    seed: u64,
    local: &LocalLinks,
    observed: f64,
    fast: impl Fn(&[Lanes]) -> [(f64, f64); LANES] + Sync,
    exact: impl Fn(&[f64]) -> f64 + Sync,
) -> usize {
    let at_least = in_lane_batches(values, permutations, seed, Some(&local.order), |lanes, in_use, out| {
        for (lane, (statistic, bound)) in fast(lanes).into_iter().enumerate().take(in_use) {
            let at_least = if statistic - observed > bound {
                true
            } else if observed - statistic > bound {
                false
            } else {
                let in_point_order: Vec<f64> = local.position.iter().map(|&p| lanes[p as usize][lane]).collect();
                exact(&in_point_order) >= observed
            };
            out.push(if at_least { 1.0 } else { 0.0 });
        }
    });
    at_least.into_iter().filter(|&hit| hit > 0.0).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{permuted_statistics, random_weights, SpatialWeights};

    /// One permutation's sum in point order, as the statistics compute it.
    fn in_point_order(sum: LinkSum, links: &Links, x: &[f64]) -> f64 {
        match sum {
            LinkSum::Cross => links.cross_and_squares(x).0,
            LinkSum::Squares => {
                let row = |i: usize| (links.starts[i]..links.starts[i + 1]).map(move |e| (i, e));
                (0..x.len())
                    .map(|i| {
                        row(i).map(|(i, e)| links.weight(i, e) * (x[i] - x[links.to[e] as usize]).powi(2)).sum::<f64>()
                    })
                    .sum()
            }
        }
    }

    /// `count_at_least` of the sum, with `slack` times its rounding bound.
    fn count(sum: LinkSum, links: &Links, x: &[f64], seed: u64, observed: f64, slack: f64) -> usize {
        let local = LocalLinks::of(links);
        let error = local.sum_error(sum.term(x.iter().fold(0.0, |m: f64, v| m.max(v.abs()))));
        count_at_least(
            x,
            24,
            seed,
            &local,
            observed,
            |lanes| {
                let sums = sum.in_local_order(&local, lanes);
                std::array::from_fn(|b| (sums[b], slack * error))
            },
            |x| in_point_order(sum, links, x),
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The count is that of the sums in point order, for observed values among the
        /// permutations' own (ties, decided in point order), a hair above them, and elsewhere,
        /// with every lane decided in point order too (an infinite bound), for weights alike
        /// along a row and different per link, at five magnitudes of values (the outer two past
        /// what the bound covers: every lane is then recounted).
        #[test]
        fn the_count_is_that_of_the_point_order(
            w in random_weights(),
            seed in 0u64..1000,
            scale in proptest::sample::select(vec![1e-200, 1e-3, 1.0, 1e6, 1e200]),
            sum in proptest::sample::select(vec![LinkSum::Cross, LinkSum::Squares]),
        ) {
            let n = w.n();
            let links = Links::of(&w);
            let x: Vec<f64> = (0..n).map(|i| scale * (((i as u64 * 7919 + seed) % 101) as f64 / 7.0 - 6.5)).collect();
            let sums = permuted_statistics(&x, 24, seed, |x| in_point_order(sum, &links, x));
            let mut observed: Vec<f64> = sums.clone();
            observed.extend(sums.iter().map(|s| s + s.abs() * 1e-13));
            observed.extend([0.0, -1.0, 1.0, f64::NAN]);
            for o in observed {
                let expected = sums.iter().filter(|&&s| s >= o).count();
                proptest::prop_assert_eq!(count(sum, &links, &x, seed, o, 1.0), expected, "observed {}", o);
                proptest::prop_assert_eq!(count(sum, &links, &x, seed, o, f64::INFINITY), expected);
            }
        }

        /// A quotient of sums within their bounds is within `quotient_error` of the quotient.
        #[test]
        fn quotients_stay_within_their_bound(
            a in -1e6f64..1e6, b in 1e-3f64..1e6, da in 0.0f64..1.0, db in 0.0f64..1.0, scale in -1e3f64..1e3,
            ea in 0.0f64..1e-6, eb in 0.0f64..1e-6,
        ) {
            let (a_error, b_error) = (ea * a.abs(), eb * b);
            let (a2, b2) = (a + (2.0 * da - 1.0) * a_error, b + (2.0 * db - 1.0) * b_error);
            let bound = quotient_error(scale, a, a_error, b, b_error);
            proptest::prop_assert!((scale * a2 / b2 - scale * a / b).abs() <= bound);
        }
    }

    #[test]
    fn the_local_order_keeps_every_link_and_weight() {
        // 0 -> 2 -> 1, and 3 alone: breadth-first from 0 gives 0, 2, 1, then 3.
        let links = Links::of(&SpatialWeights {
            neighbours: vec![vec![(2, 0.5)], vec![(0, 2.0)], vec![(1, 1.0), (0, 3.0)], vec![]],
            row_standardised: false,
        });
        let local = LocalLinks::of(&links);
        assert_eq!(local.order, [0, 2, 1, 3]);
        assert_eq!(local.position, [0, 2, 1, 3]);
        assert_eq!(local.links.starts, [0, 1, 3, 4, 4]);
        assert_eq!(local.links.to, [1, 2, 0, 0]);
        assert!(matches!(&local.links.weight, LinkWeights::PerLink(w) if w == &[0.5, 1.0, 3.0, 2.0]));
        assert_eq!((local.most_links, local.abs_weights, local.most_weight), (2, 6.5, 3.0));
    }

    #[test]
    fn tiny_values_and_a_denominator_that_may_vanish_are_always_recounted() {
        let local = LocalLinks::of(&Links::of(&SpatialWeights {
            neighbours: vec![vec![(1, 1.0)], vec![(0, 1.0)]],
            row_standardised: false,
        }));
        assert_eq!(local.sum_error(1e-300), f64::INFINITY);
        assert_eq!(quotient_error(1.0, 1.0, 0.0, 1e-9, 1e-9), f64::INFINITY);
    }
}
