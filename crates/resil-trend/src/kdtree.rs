//! A k-d tree over 2-D or 3-D points, for the k-nearest-neighbour and radius queries of spatial
//! weights: O(n log n) instead of the O(n^2) of comparing every pair. Distances are Euclidean;
//! great-circle neighbours are found on 3-D points of the sphere, where the chord grows with
//! the arc, so the order is the same.

use std::cmp::Ordering;

/// Subtrees of at most this many points are scanned, not split further: below it the scan is
/// cheaper than the descent.
const LEAF: usize = 32;

/// A candidate neighbour, ordered by squared distance then index (the deterministic tie-break).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) d2: f64,
    pub(crate) index: usize,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.d2.total_cmp(&other.d2).then(self.index.cmp(&other.index))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The `k` best candidates met so far, in order (k is small: an insertion into a sorted array
/// beats a heap).
pub(crate) struct Best {
    k: usize,
    sorted: Vec<Candidate>,
}

impl Best {
    pub(crate) fn new(k: usize) -> Best {
        Best { k, sorted: Vec::with_capacity(k + 1) }
    }

    /// Whether a point at squared distance `d2` from the query may still enter.
    #[inline]
    pub(crate) fn admits(&self, d2: f64) -> bool {
        self.sorted.len() < self.k || d2 <= self.sorted[self.k - 1].d2
    }

    /// Whether `k` candidates are in.
    pub(crate) fn is_full(&self) -> bool {
        self.sorted.len() == self.k
    }

    /// The squared distance of the k-th candidate (call when full).
    pub(crate) fn kth_d2(&self) -> f64 {
        self.sorted[self.k - 1].d2
    }

    /// The candidates as (index, distance), nearest first.
    pub(crate) fn into_neighbours(self) -> Vec<(usize, f64)> {
        self.sorted.into_iter().map(|c| (c.index, c.d2.sqrt())).collect()
    }

    #[inline]
    pub(crate) fn offer(&mut self, c: Candidate) {
        if self.sorted.len() == self.k {
            if c >= self.sorted[self.k - 1] {
                return;
            }
            self.sorted.pop();
        }
        // Into place from the end: the new candidate is usually among the farthest.
        self.sorted.push(c);
        let mut at = self.sorted.len() - 1;
        while at > 0 && self.sorted[at - 1] > c {
            self.sorted[at] = self.sorted[at - 1];
            at -= 1;
        }
        self.sorted[at] = c;
    }
}

/// The tree: the points rearranged so that each subtree is a contiguous range, split at its
/// middle element on axis depth % dims down to ranges of at most `LEAF` points.
pub struct KdTree {
    dims: usize,
    /// The points' coordinates in tree order (the descent reads them in sequence).
    coords: Vec<[f64; 3]>,
    /// The index, among the points given, of each point in tree order.
    order: Vec<usize>,
}

impl KdTree {
    /// Builds over `points` using their first `dims` coordinates (2 or 3).
    pub fn new(points: &[[f64; 3]], dims: usize) -> Self {
        let mut order: Vec<usize> = (0..points.len()).collect();
        build(points, dims, &mut order, 0);
        let coords = order.iter().map(|&i| points[i]).collect();
        KdTree { dims, coords, order }
    }

    /// The points' indices in tree order, where neighbours in space are mostly near: queries in
    /// this order find the tree's nodes in cache.
    pub fn tree_order(&self) -> &[usize] {
        &self.order
    }

    /// The squared distance over all three coordinates: planar points have 0 as their third,
    /// which adds exactly 0.
    fn d2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
        (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
    }

    /// The axis below one split on `axis`.
    fn next(&self, axis: usize) -> usize {
        if axis + 1 == self.dims {
            0
        } else {
            axis + 1
        }
    }

    /// The `k` points nearest to `point` (the point `query` itself excluded), nearest first,
    /// ties by index.
    pub fn nearest(&self, point: &[f64; 3], query: usize, k: usize) -> Vec<(usize, f64)> {
        let mut best = Best::new(k);
        if k > 0 {
            self.knn(0, self.order.len(), 0, point, query, &mut best);
        }
        best.into_neighbours()
    }

    fn knn(&self, lo: usize, hi: usize, axis: usize, q: &[f64; 3], query: usize, best: &mut Best) {
        if hi - lo <= LEAF {
            for at in lo..hi {
                let (p, d2) = (self.order[at], Self::d2(&self.coords[at], q));
                if p != query && best.admits(d2) {
                    best.offer(Candidate { d2, index: p });
                }
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let diff = q[axis] - self.coords[mid][axis];
        let (near, far) = if diff < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.knn(near.0, near.1, self.next(axis), q, query, best);
        // The splitting point after the near side, when the candidates are already close.
        let (p, d2) = (self.order[mid], Self::d2(&self.coords[mid], q));
        if p != query && best.admits(d2) {
            best.offer(Candidate { d2, index: p });
        }
        // Visit the far side when the splitting plane is no farther than the k-th candidate
        // (<=, so that equal distances with smaller indices are still found).
        if best.admits(diff * diff) {
            self.knn(far.0, far.1, self.next(axis), q, query, best);
        }
    }

    /// Every point within `radius` of `point` (the point `query` itself excluded), in index
    /// order.
    pub fn within(&self, point: &[f64; 3], query: usize, radius: f64) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        self.range((0, self.order.len()), 0, point, query, radius * radius, &mut out);
        out.sort_by_key(|&(j, _)| j);
        out
    }

    fn range(
        &self,
        (lo, hi): (usize, usize),
        axis: usize,
        q: &[f64; 3],
        query: usize,
        r2: f64,
        out: &mut Vec<(usize, f64)>,
    ) {
        if hi - lo <= LEAF {
            for at in lo..hi {
                let (p, d2) = (self.order[at], Self::d2(&self.coords[at], q));
                if p != query && d2 <= r2 {
                    out.push((p, d2.sqrt()));
                }
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let p = self.order[mid];
        let d2 = Self::d2(&self.coords[mid], q);
        if p != query && d2 <= r2 {
            out.push((p, d2.sqrt()));
        }
        let diff = q[axis] - self.coords[mid][axis];
        if diff <= 0.0 || diff * diff <= r2 {
            self.range((lo, mid), self.next(axis), q, query, r2, out);
        }
        if diff >= 0.0 || diff * diff <= r2 {
            self.range((mid + 1, hi), self.next(axis), q, query, r2, out);
        }
    }
}

fn build(points: &[[f64; 3]], dims: usize, order: &mut [usize], depth: usize) {
    if order.len() <= LEAF {
        return;
    }
    let axis = depth % dims;
    let mid = order.len() / 2;
    order.select_nth_unstable_by(mid, |&a, &b| points[a][axis].total_cmp(&points[b][axis]).then(a.cmp(&b)));
    let (left, right) = order.split_at_mut(mid);
    build(points, dims, left, depth + 1);
    build(points, dims, &mut right[1..], depth + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_knn(points: &[[f64; 3]], q: usize, k: usize) -> Vec<usize> {
        let mut c: Vec<Candidate> = (0..points.len())
            .filter(|&j| j != q)
            .map(|j| Candidate { d2: (0..2).map(|a| (points[j][a] - points[q][a]).powi(2)).sum(), index: j })
            .collect();
        c.sort();
        c.into_iter().take(k).map(|c| c.index).collect()
    }

    proptest::proptest! {
        #[test]
        fn nearest_and_within_match_brute_force(
            raw in proptest::collection::vec((0u8..30, 0u8..30), 2..300), k in 1usize..10, r in 0.0f64..8.0
        ) {
            // Up to 300 points: a few levels of splits above the leaves of `LEAF` points.
            // Integer grid coordinates make exact ties common: the tie-break must hold too.
            let points: Vec<[f64; 3]> = raw.iter().map(|&(x, y)| [f64::from(x), f64::from(y), 0.0]).collect();
            let k = k.min(points.len() - 1);
            let tree = KdTree::new(&points, 2);
            for q in 0..points.len() {
                let got: Vec<usize> = tree.nearest(&points[q], q, k).into_iter().map(|(j, _)| j).collect();
                proptest::prop_assert_eq!(got, brute_knn(&points, q, k));
                let within: Vec<usize> = tree.within(&points[q], q, r).into_iter().map(|(j, _)| j).collect();
                let expected: Vec<usize> = (0..points.len())
                    .filter(|&j| j != q && ((points[j][0] - points[q][0]).powi(2) + (points[j][1] - points[q][1]).powi(2)) <= r * r)
                    .collect();
                proptest::prop_assert_eq!(within, expected);
            }
        }
    }
}
