//! A uniform grid over planar points for the k-nearest-neighbour queries of kNN weights: about
//! one point a cell, so a query reads the few cells around its own, ring by ring, where the k-d
//! tree descends and backtracks through leaves of 32. The same neighbours, ties by index, as
//! the tree; points too clustered for cells of one size (a cell holding more than
//! [`MOST_IN_A_CELL`]) are left to the tree.

use crate::kdtree::{Best, Candidate};

/// The most points a cell may hold before the grid gives way to the tree: uniform points, one a
/// cell on average, put at most about 10 in a cell at 1e6 points.
const MOST_IN_A_CELL: usize = 64;

/// Points a cell on average: with k = 8 the k-th neighbour is then mostly within the first ring
/// of cells around the query's.
const POINTS_A_CELL: f64 = 2.0;

pub struct Grid {
    /// The lower-left corner, the side of a cell, and the cells along x and y.
    x0: f64,
    y0: f64,
    side: f64,
    nx: usize,
    ny: usize,
    /// More than the rounding of a point's cell can misplace it by, in distance.
    slack: f64,
    /// Cell c's points are `index[starts[c]..starts[c + 1]]`, coordinates `coords[...]`; cells
    /// run along x, then y.
    starts: Vec<u32>,
    coords: Vec<[f64; 2]>,
    index: Vec<u32>,
}

impl Grid {
    /// The grid over `points` (x, y; their third coordinate is ignored), or `None` when they are
    /// too clustered for it, or too many for u32 positions.
    pub fn new(points: &[[f64; 3]]) -> Option<Grid> {
        let n = points.len();
        if n == 0 || u32::try_from(n).is_err() {
            return None;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in points {
            (x0, x1, y0, y1) = (x0.min(p[0]), x1.max(p[0]), y0.min(p[1]), y1.max(p[1]));
        }
        let (w, h) = (x1 - x0, y1 - y0);
        // About POINTS_A_CELL points a cell; points on a line get cells along it.
        let side = (POINTS_A_CELL * w * h / n as f64).sqrt().max(w.max(h) / n as f64);
        if !(side.is_finite() && side > 0.0) {
            return None;
        }
        // At most n + 1 along either axis, as the side is at least the longer extent over n.
        let cells_along = |extent: f64| (extent / side) as usize + 1;
        let (nx, ny) = (cells_along(w), cells_along(h));
        if nx.saturating_mul(ny) > 4 * n + 4 {
            return None;
        }
        let largest = x0.abs().max(x1.abs()).max(y0.abs()).max(y1.abs()) + side;
        let slack = 16.0 * f64::EPSILON * largest;
        let mut grid =
            Grid { x0, y0, side, nx, ny, slack, starts: vec![0; nx * ny + 1], coords: Vec::new(), index: Vec::new() };
        let cells: Vec<usize> = points.iter().map(|p| grid.cell_of(p)).collect();
        for &c in &cells {
            grid.starts[c + 1] += 1;
        }
        if grid.starts.iter().any(|&count| count as usize > MOST_IN_A_CELL) {
            return None;
        }
        for c in 0..nx * ny {
            grid.starts[c + 1] += grid.starts[c];
        }
        // Counting sort, in index order within a cell.
        let mut next: Vec<u32> = grid.starts[..nx * ny].to_vec();
        let (mut coords, mut index) = (vec![[0.0; 2]; n], vec![0u32; n]);
        for (i, &c) in cells.iter().enumerate() {
            let at = next[c] as usize;
            next[c] += 1;
            coords[at] = [points[i][0], points[i][1]];
            index[at] = i as u32;
        }
        (grid.coords, grid.index) = (coords, index);
        Some(grid)
    }

    fn cell_of(&self, p: &[f64; 3]) -> usize {
        let along = |v: f64, origin: f64, cells: usize| (((v - origin) / self.side) as usize).min(cells - 1);
        along(p[1], self.y0, self.ny) * self.nx + along(p[0], self.x0, self.nx)
    }

    /// The points in grid order (cell by cell): neighbours in space are mostly near in it, so
    /// queries in this order find their cells in cache.
    pub fn order(&self) -> impl Iterator<Item = usize> + '_ {
        self.index.iter().map(|&i| i as usize)
    }

    /// The `k` points nearest to `point` (the point `query` itself excluded), nearest first,
    /// ties by index: the k-d tree's answer.
    pub fn nearest(&self, point: &[f64; 3], query: usize, k: usize) -> Vec<(usize, f64)> {
        let mut best = Best::new(k);
        if k == 0 {
            return Vec::new();
        }
        let q = [point[0], point[1]];
        let c = self.cell_of(point);
        let (cx, cy) = ((c % self.nx) as isize, (c / self.nx) as isize);
        // How far the query is from its own cell's nearest side.
        let (left, bottom) = (self.x0 + cx as f64 * self.side, self.y0 + cy as f64 * self.side);
        let edge =
            (q[0] - left).min(left + self.side - q[0]).min(q[1] - bottom).min(bottom + self.side - q[1]).max(0.0);
        let widest = self.nx.max(self.ny) as isize;
        for ring in 0..=widest {
            for (x, y) in ring_cells(cx, cy, ring) {
                if x < 0 || y < 0 || x >= self.nx as isize || y >= self.ny as isize {
                    continue;
                }
                let cell = y as usize * self.nx + x as usize;
                for at in self.starts[cell] as usize..self.starts[cell + 1] as usize {
                    let p = self.coords[at];
                    let d2 = (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2);
                    let index = self.index[at] as usize;
                    if index != query && best.admits(d2) {
                        best.offer(Candidate { d2, index });
                    }
                }
            }
            // Every cell of the next ring lies beyond `ring` whole cells and the query's distance
            // to its own cell's side, along x or y; less the slack, against the rounding of a
            // point's cell. A candidate there at exactly the k-th distance could still win on
            // index, so the k-th must be strictly nearer.
            let reach = (ring as f64 * self.side + edge - self.slack).max(0.0);
            if best.is_full() && best.kth_d2() < reach * reach {
                break;
            }
        }
        best.into_neighbours()
    }
}

/// The cells at Chebyshev distance `ring` from (cx, cy), each once.
fn ring_cells(cx: isize, cy: isize, ring: isize) -> impl Iterator<Item = (isize, isize)> {
    (-ring..=ring).flat_map(move |dy| {
        // The top and bottom rows whole, the rows between only at their two ends.
        let step = if dy.abs() == ring || ring == 0 { 1 } else { (2 * ring) as usize };
        (-ring..=ring).step_by(step.max(1)).map(move |dx| (cx + dx, cy + dy))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdtree::KdTree;

    #[test]
    fn ring_cells_are_each_cell_at_that_distance_once() {
        for ring in 0..5 {
            let mut got: Vec<(isize, isize)> = ring_cells(0, 0, ring).collect();
            got.sort();
            let mut want: Vec<(isize, isize)> = (-ring..=ring)
                .flat_map(|y| (-ring..=ring).map(move |x| (x, y)))
                .filter(|&(x, y)| x.abs().max(y.abs()) == ring)
                .collect();
            want.sort();
            assert_eq!(got, want, "ring {ring}");
        }
    }

    #[test]
    fn clustered_and_degenerate_points_are_left_to_the_tree() {
        // 200 points on one spot and one far away: one cell would hold 200.
        let mut points = vec![[1.0, 1.0, 0.0]; 200];
        points.push([1e6, 1e6, 0.0]);
        assert!(Grid::new(&points).is_none());
        assert!(Grid::new(&[[2.0, 3.0, 0.0]; 3]).is_none(), "all at one point");
        assert!(Grid::new(&[]).is_none());
        // Extents far apart in size: a grid of a few cells, with the tree's answers; extents
        // whose product overflows: the tree.
        let thin = [[0.0, 0.0, 0.0], [1e-300, 1e300, 0.0], [2e-300, 0.0, 0.0], [0.0, 5e299, 0.0]];
        let grid = Grid::new(&thin).expect("a grid of one column");
        let tree = KdTree::new(&thin, 2);
        for (q, point) in thin.iter().enumerate() {
            assert_eq!(grid.nearest(point, q, 2), tree.nearest(point, q, 2), "query {q}");
        }
        assert!(Grid::new(&[[-1e300, 0.0, 0.0], [1e300, 1e300, 0.0], [0.0, -1e300, 0.0]]).is_none());
        // Points on a line get a grid along it.
        let line: Vec<[f64; 3]> = (0..100).map(|i| [f64::from(i), 5.0, 0.0]).collect();
        assert!(Grid::new(&line).is_some());
    }

    proptest::proptest! {
        /// The tree's neighbours, ties by index, on integer grids (ties everywhere), on lines,
        /// and on scattered points.
        #[test]
        fn nearest_is_the_trees(
            raw in proptest::collection::vec((0u16..40, 0u16..40), 2..400),
            scale in proptest::sample::select(vec![1.0, 0.1, 1e-3, 7.3]),
            flatten in proptest::bool::ANY,
            k in 1usize..12,
        ) {
            let points: Vec<[f64; 3]> = raw
                .iter()
                .map(|&(x, y)| [f64::from(x) * scale, if flatten { 2.0 } else { f64::from(y) * scale }, 0.0])
                .collect();
            let k = k.min(points.len() - 1);
            let Some(grid) = Grid::new(&points) else { return Ok(()) };
            let tree = KdTree::new(&points, 2);
            for (q, point) in points.iter().enumerate() {
                proptest::prop_assert_eq!(grid.nearest(point, q, k), tree.nearest(point, q, k), "query {}", q);
            }
        }
    }
}
