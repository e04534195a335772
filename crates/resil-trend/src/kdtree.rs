//! A k-d tree over 2-D or 3-D points, for the k-nearest-neighbour and radius queries of spatial
//! weights: O(n log n) instead of the O(n^2) of comparing every pair. Distances are Euclidean;
//! great-circle neighbours are found on 3-D points of the sphere, where the chord grows with
//! the arc, so the order is the same.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A candidate neighbour, ordered by squared distance then index (the deterministic tie-break).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    d2: f64,
    index: usize,
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

/// The tree: `order` holds point indices arranged so that each subtree is a contiguous range
/// split at its middle element on axis depth % dims.
pub struct KdTree<'a> {
    points: &'a [[f64; 3]],
    dims: usize,
    order: Vec<usize>,
}

impl<'a> KdTree<'a> {
    /// Builds over `points` using their first `dims` coordinates (2 or 3).
    pub fn new(points: &'a [[f64; 3]], dims: usize) -> Self {
        let mut order: Vec<usize> = (0..points.len()).collect();
        build(points, dims, &mut order, 0);
        KdTree { points, dims, order }
    }

    fn d2(&self, a: usize, b: &[f64; 3]) -> f64 {
        (0..self.dims).map(|k| (self.points[a][k] - b[k]).powi(2)).sum()
    }

    /// The `k` points nearest to point `query` (itself excluded), nearest first, ties by index.
    pub fn nearest(&self, query: usize, k: usize) -> Vec<(usize, f64)> {
        let mut heap = BinaryHeap::with_capacity(k + 1);
        self.knn(0, self.order.len(), 0, query, k, &mut heap);
        let mut out: Vec<Candidate> = heap.into_vec();
        out.sort();
        out.into_iter().map(|c| (c.index, c.d2.sqrt())).collect()
    }

    fn knn(&self, lo: usize, hi: usize, depth: usize, query: usize, k: usize, heap: &mut BinaryHeap<Candidate>) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let p = self.order[mid];
        let q = &self.points[query];
        if p != query {
            let c = Candidate { d2: self.d2(p, q), index: p };
            if heap.len() < k {
                heap.push(c);
            } else if c < *heap.peek().expect("k > 0") {
                heap.pop();
                heap.push(c);
            }
        }
        let axis = depth % self.dims;
        let diff = q[axis] - self.points[p][axis];
        let (near, far) = if diff < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.knn(near.0, near.1, depth + 1, query, k, heap);
        // Visit the far side when the splitting plane is no farther than the k-th candidate
        // (<=, so that equal distances with smaller indices are still found).
        if heap.len() < k || diff * diff <= heap.peek().expect("k > 0").d2 {
            self.knn(far.0, far.1, depth + 1, query, k, heap);
        }
    }

    /// Every point within `radius` of point `query` (itself excluded), in index order.
    pub fn within(&self, query: usize, radius: f64) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        self.range(0, self.order.len(), 0, query, radius * radius, &mut out);
        out.sort_by_key(|&(j, _)| j);
        out
    }

    fn range(&self, lo: usize, hi: usize, depth: usize, query: usize, r2: f64, out: &mut Vec<(usize, f64)>) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let p = self.order[mid];
        let q = &self.points[query];
        let d2 = self.d2(p, q);
        if p != query && d2 <= r2 {
            out.push((p, d2.sqrt()));
        }
        let axis = depth % self.dims;
        let diff = q[axis] - self.points[p][axis];
        if diff <= 0.0 || diff * diff <= r2 {
            self.range(lo, mid, depth + 1, query, r2, out);
        }
        if diff >= 0.0 || diff * diff <= r2 {
            self.range(mid + 1, hi, depth + 1, query, r2, out);
        }
    }
}

fn build(points: &[[f64; 3]], dims: usize, order: &mut [usize], depth: usize) {
    if order.len() <= 1 {
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
            raw in proptest::collection::vec((0u8..20, 0u8..20), 2..60), k in 1usize..6, r in 0.0f64..8.0
        ) {
            // Integer grid coordinates make exact ties common: the tie-break must hold too.
            let points: Vec<[f64; 3]> = raw.iter().map(|&(x, y)| [f64::from(x), f64::from(y), 0.0]).collect();
            let k = k.min(points.len() - 1);
            let tree = KdTree::new(&points, 2);
            for q in 0..points.len() {
                let got: Vec<usize> = tree.nearest(q, k).into_iter().map(|(j, _)| j).collect();
                proptest::prop_assert_eq!(got, brute_knn(&points, q, k));
                let within: Vec<usize> = tree.within(q, r).into_iter().map(|(j, _)| j).collect();
                let expected: Vec<usize> = (0..points.len())
                    .filter(|&j| j != q && ((points[j][0] - points[q][0]).powi(2) + (points[j][1] - points[q][1]).powi(2)) <= r * r)
                    .collect();
                proptest::prop_assert_eq!(within, expected);
            }
        }
    }
}
