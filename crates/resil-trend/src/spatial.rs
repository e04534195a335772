//! Spatial weights and spatial autocorrelation: global Moran's I with analytical (normality and
//! randomisation) and permutation inference, and local Moran (LISA) with quadrants, conditional
//! permutation pseudo p-values and a Benjamini-Hochberg false-discovery-rate correction.
//!
//! The formulas are Cliff & Ord (1981) as PySAL's esda implements them (esda.Moran,
//! esda.Moran_Local); the tests check them against esda 2.9.0 on fixed inputs.

use crate::permutation_count::{count_quotients_at_least, gamma, LinkSum, Quotient};
use crate::shuffle::Shuffler;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use resil_core::{Error, Result};
use serde::Serialize;

/// How points are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Great-circle km between (lon, lat) degrees (haversine, R = 6371.0088 km).
    GreatCircleKm,
    /// Euclidean distance between planar (x, y).
    Planar,
}

/// How neighbours are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightsKind {
    /// The k nearest other points (ties broken by index), weight 1.
    Knn(usize),
    /// Every other point within a distance, weight 1.
    Band(f64),
    /// Every other point, weight d^-power (within an optional band).
    InverseDistance { power: f64, band: Option<f64> },
}

/// A spatial weights matrix as neighbour lists, optionally row-standardised.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialWeights {
    /// For each point, (neighbour, weight), neighbours in increasing index.
    pub neighbours: Vec<Vec<(usize, f64)>>,
    pub row_standardised: bool,
}

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A (lon, lat) point as 3-D coordinates on a sphere of radius R km.
fn on_sphere(lon: f64, lat: f64) -> [f64; 3] {
    let (l, p) = (lon.to_radians(), lat.to_radians());
    [EARTH_RADIUS_KM * p.cos() * l.cos(), EARTH_RADIUS_KM * p.cos() * l.sin(), EARTH_RADIUS_KM * p.sin()]
}

fn distance(metric: Metric, a: (f64, f64), b: (f64, f64)) -> f64 {
    match metric {
        Metric::Planar => ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt(),
        Metric::GreatCircleKm => {
            let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
            let h =
                ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
            2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
        }
    }
}

impl SpatialWeights {
    /// Builds weights between `points`; islands (points without neighbours) are allowed and
    /// reported by [`SpatialWeights::islands`].
    pub fn build(points: &[(f64, f64)], metric: Metric, kind: WeightsKind, row_standardise: bool) -> Result<Self> {
        let n = points.len();
        if points.iter().any(|p| !(p.0.is_finite() && p.1.is_finite())) {
            return Err(Error::data("spatial weights", "every point needs finite coordinates"));
        }
        if let WeightsKind::Knn(k) = kind {
            if k == 0 || k >= n {
                let msg = format!("k must be from 1 to {} for {n} points, got {k}", n.max(1) - 1);
                return Err(Error::param("spatial weights", "knn", msg));
            }
        }
        // A band or power out of range would leave every point without neighbours, or weigh
        // the far above the near: refused by name, not found out from the weights.
        let positive = |what: &str, key: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::param("spatial weights", key, format!("{what} must be positive and finite, got {v}")))
            }
        };
        match kind {
            WeightsKind::Knn(_) => {}
            WeightsKind::Band(band) => positive("the distance band", "band", band)?,
            WeightsKind::InverseDistance { power, band } => {
                positive("the inverse-distance power", "power", power)?;
                if let Some(band) = band {
                    positive("the distance band", "band", band)?;
                }
            }
        }
        // Neighbour search in a k-d tree: planar points as they are, great-circle points as 3-D
        // points on a sphere of radius R, where the chord orders neighbours as the arc does.
        let (space, dims): (Vec<[f64; 3]>, usize) = match metric {
            Metric::Planar => (points.iter().map(|p| [p.0, p.1, 0.0]).collect(), 2),
            Metric::GreatCircleKm => (points.iter().map(|&(lon, lat)| on_sphere(lon, lat)).collect(), 3),
        };
        let search = Search::new(&space, dims, kind, metric);
        // The chord of an arc of d km (the search radius; a hair wider against rounding).
        let chord = |d: f64| {
            let c = match metric {
                Metric::Planar => d,
                Metric::GreatCircleKm => {
                    2.0 * EARTH_RADIUS_KM * (d / (2.0 * EARTH_RADIUS_KM)).min(std::f64::consts::FRAC_PI_2).sin()
                }
            };
            c * (1.0 + 1e-12)
        };
        let row_of = |i: usize, q: &[f64; 3]| -> Result<Vec<(usize, f64)>> {
            let true_distance = |(j, _): (usize, f64)| (j, distance(metric, points[i], points[j]));
            let mut row: Vec<(usize, f64)> = match kind {
                WeightsKind::Knn(k) => search.nearest(q, i, k).into_iter().map(|(j, _)| (j, 1.0)).collect(),
                WeightsKind::Band(band) => search
                    .tree()
                    .within(q, i, chord(band))
                    .into_iter()
                    .map(true_distance)
                    .filter(|&(_, dist)| dist <= band)
                    .map(|(j, _)| (j, 1.0))
                    .collect(),
                WeightsKind::InverseDistance { power, band } => {
                    let candidates: Vec<(usize, f64)> = match band {
                        Some(b) => search.tree().within(q, i, chord(b)).into_iter().map(true_distance).collect(),
                        // Without a band every pair is linked: inherently O(n^2).
                        None => {
                            (0..n).filter(|&j| j != i).map(|j| (j, distance(metric, points[i], points[j]))).collect()
                        }
                    };
                    candidates
                        .into_iter()
                        .filter(|&(_, dist)| band.is_none_or(|b| dist <= b))
                        .map(|(j, dist)| {
                            if dist == 0.0 {
                                let msg = format!("points {i} and {j} coincide; inverse-distance weight is infinite");
                                Err(Error::data("spatial weights", msg))
                            } else {
                                Ok((j, dist.powf(-power)))
                            }
                        })
                        .collect::<Result<_>>()?
                }
            };
            row.sort_by_key(|&(j, _)| j);
            if row_standardise {
                let s: f64 = row.iter().map(|(_, w)| w).sum();
                if s > 0.0 {
                    row.iter_mut().for_each(|(_, w)| *w /= s);
                }
            }
            Ok(row)
        };
        // The rows on every core, found in the search's order (the nodes or cells near in
        // memory are then met one query after another), put back in point order; the first
        // error in point order wins.
        let order = search.order();
        // The queries' own coordinates gathered into that order first, in one loop whose
        // loads overlap: read inside each query, each was a cache miss on its critical path
        // (a fifth of the kNN search's time at 1e5 points).
        let queries: Vec<[f64; 3]> = order.iter().map(|&i| space[i]).collect();
        let in_search_order = parallel_map(n, |at| row_of(order[at], &queries[at]));
        let mut rows: Vec<Result<Vec<(usize, f64)>>> = (0..n).map(|_| Ok(Vec::new())).collect();
        for (&i, row) in order.iter().zip(in_search_order) {
            rows[i] = row;
        }
        let neighbours = rows.into_iter().collect::<Result<Vec<_>>>()?;
        Ok(SpatialWeights { neighbours, row_standardised: row_standardise })
    }

    pub fn n(&self) -> usize {
        self.neighbours.len()
    }

    /// Points without any neighbour.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n()).filter(|&i| self.neighbours[i].is_empty()).collect()
    }

    /// The spatial lag sum_j w_ij x_j of each point.
    pub fn lag(&self, x: &[f64]) -> Vec<f64> {
        self.neighbours.iter().map(|row| row.iter().map(|&(j, w)| w * x[j]).sum()).collect()
    }
}

/// Where neighbours are looked up: a grid for kNN weights on planar points spread evenly
/// enough for cells of one size, else the k-d tree (great-circle points, bands, inverse
/// distances, clustered points). Both give the same neighbours, ties by index.
enum Search {
    Grid(crate::grid::Grid),
    Tree(crate::kdtree::KdTree),
}

impl Search {
    fn new(space: &[[f64; 3]], dims: usize, kind: WeightsKind, metric: Metric) -> Search {
        let grid = match (kind, metric) {
            (WeightsKind::Knn(_), Metric::Planar) => crate::grid::Grid::new(space),
            _ => None,
        };
        grid.map_or_else(|| Search::Tree(crate::kdtree::KdTree::new(space, dims)), Search::Grid)
    }

    /// The points in an order where neighbours in space are mostly near.
    fn order(&self) -> Vec<usize> {
        match self {
            Search::Grid(grid) => grid.order().collect(),
            Search::Tree(tree) => tree.tree_order().to_vec(),
        }
    }

    fn nearest(&self, point: &[f64; 3], query: usize, k: usize) -> Vec<(usize, f64)> {
        match self {
            Search::Grid(grid) => grid.nearest(point, query, k),
            Search::Tree(tree) => tree.nearest(point, query, k),
        }
    }

    /// The tree, for the radius queries of band and inverse-distance weights.
    fn tree(&self) -> &crate::kdtree::KdTree {
        match self {
            Search::Tree(tree) => tree,
            Search::Grid(_) => unreachable!("a grid is built for kNN weights only"),
        }
    }
}

/// Permutations per seeded stream of the global test.
const PERMUTATION_BLOCK: usize = 64;

/// The random stream `index` of `seed`.
pub(crate) fn stream(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// `f(0..n)` computed on every core, in index order.
///
/// The indices go out in pieces, taken by whichever thread is free, not split evenly up front:
/// on a shared machine one core can run slower than the other for a while, and an even split
/// waits for the slow half. Each result lands at its index, so the answer does not depend on
/// which thread computed what.
pub(crate) fn parallel_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    // Eight pieces a thread: few enough that taking one costs nothing, enough to even out.
    let piece = n.div_ceil(8 * threads).max(1);
    let next = AtomicUsize::new(0);
    let mut pieces: Vec<(usize, Vec<T>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(piece, Ordering::Relaxed);
                        if start >= n {
                            return mine;
                        }
                        mine.push((start, (start..(start + piece).min(n)).map(f).collect::<Vec<T>>()));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a parallel thread panicked")).collect()
    });
    pieces.sort_unstable_by_key(|&(start, _)| start);
    pieces.into_iter().flat_map(|(_, results)| results).collect()
}

/// How many of `permutations` random orders of `values` (those of [`permuted_statistics`])
/// satisfy `extreme`.
pub(crate) fn count_permutations(
    values: &[f64],
    permutations: usize,
    seed: u64,
    extreme: impl Fn(&[f64]) -> bool + Sync,
) -> usize {
    permuted_statistics(values, permutations, seed, |x| if extreme(x) { 1.0 } else { 0.0 })
        .into_iter()
        .filter(|&hit| hit > 0.0)
        .count()
}

/// `stat` of each of `permutations` random orders of `values`, in order. Blocks of permutations,
/// each with its own seeded stream, are spread over the cores: the result depends on the seed
/// only, not on the number of cores.
pub(crate) fn permuted_statistics(
    values: &[f64],
    permutations: usize,
    seed: u64,
    stat: impl Fn(&[f64]) -> f64 + Sync,
) -> Vec<f64> {
    in_seeded_blocks(values, permutations, seed, |mut shuffled, shuffler, count| {
        (0..count)
            .map(|_| {
                shuffler.shuffle(&mut shuffled);
                stat(&shuffled)
            })
            .collect()
    })
}

/// The statistics of `permutations` permutations of `values`, block by block on every core:
/// `block` gets a copy of the values, the block's seeded shuffler and how many permutations the
/// block holds, and returns their statistics in order.
fn in_seeded_blocks(
    values: &[f64],
    permutations: usize,
    seed: u64,
    block: impl Fn(Vec<f64>, &mut Shuffler, usize) -> Vec<f64> + Sync,
) -> Vec<f64> {
    let blocks = permutations.div_ceil(PERMUTATION_BLOCK);
    parallel_map(blocks, |b| {
        let mut shuffler = Shuffler::new(stream(seed, b as u64));
        block(values.to_vec(), &mut shuffler, PERMUTATION_BLOCK.min(permutations - b * PERMUTATION_BLOCK))
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Permutations computed side by side by [`permuted_statistics_in_lanes`] and
/// `permutation_count`. Four, not eight: after each shuffle its values are written into one lane
/// of every row, and at 1e5 points rows of 32 bytes halve that traffic; at 1e5 points, kNN 8 and
/// 999 permutations Moran's I took 7 % less time (whole process, fastest of 8 runs: 0.53 against
/// 0.57 s) and Geary's C and the bivariate Moran's I no more.
pub(crate) const LANES: usize = 4;

/// The values of point i under `LANES` permutations, half a cache line: a statistic that gathers
/// a point's neighbours reads each neighbour once for all of them, not once per permutation.
pub(crate) type Lanes = [f64; LANES];

/// The same permutations as [`permuted_statistics`], in the same order, `LANES` at a time:
/// `stat` gets point i's values under `LANES` consecutive permutations in row i and returns the
/// statistic of each lane (lanes past the block's end hold stale values and are dropped).
/// At 1e5 points the shuffled values (800 KB) sit in the second-level cache, but one
/// permutation's kNN gathers still cost a cache miss each; in lanes, one miss serves `LANES`.
pub(crate) fn permuted_statistics_in_lanes(
    values: &[f64],
    permutations: usize,
    seed: u64,
    stat: impl Fn(&[Lanes]) -> Lanes + Sync,
) -> Vec<f64> {
    in_lane_batches(values, permutations, seed, None, |lanes, batch, out| {
        out.extend_from_slice(&stat(lanes)[..batch]);
    })
}

/// The permutations of [`permuted_statistics`], `LANES` at a time: row p of the lanes holds the
/// values of point `order[p]` (of point p without an order) under consecutive permutations, and
/// `batch` gets them with the number of lanes in use (lanes past a block's end hold stale
/// values) and pushes one result per lane in use.
pub(crate) fn in_lane_batches(
    values: &[f64],
    permutations: usize,
    seed: u64,
    order: Option<&[u32]>,
    batch: impl Fn(&[Lanes], usize, &mut Vec<f64>) + Sync,
) -> Vec<f64> {
    in_seeded_blocks(values, permutations, seed, |mut shuffled, shuffler, count| {
        let mut lanes = vec![[0.0; LANES]; shuffled.len()];
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let in_use = LANES.min(count - out.len());
            for lane in 0..in_use {
                shuffler.shuffle(&mut shuffled);
                match order {
                    None => lanes.iter_mut().zip(&shuffled).for_each(|(row, &v)| row[lane] = v),
                    // Shuffled in point order, gathered by position (from 800 KB at 1e5 points,
                    // in the second-level cache): cheaper than swapping at positions, which adds
                    // a random read of the position to every swap.
                    Some(order) => lanes.iter_mut().zip(order).for_each(|(row, &i)| row[lane] = shuffled[i as usize]),
                }
            }
            batch(&lanes, in_use, &mut out);
        }
        out
    })
}

/// Two-sided normal p-value of a z statistic.
fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Global Moran's I and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moran {
    pub n: usize,
    pub i: f64,
    pub expected_i: f64,
    pub variance_norm: f64,
    pub z_norm: f64,
    pub p_norm: f64,
    pub variance_rand: f64,
    pub z_rand: f64,
    pub p_rand: f64,
    /// Pseudo p-value (M + 1) / (N + 1), one-sided in the direction of the observed statistic.
    pub p_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
    /// Points without neighbours (their lag is 0).
    pub islands: Vec<usize>,
}

fn centred(values: &[f64]) -> Vec<f64> {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| v - mean).collect()
}

/// The weights as compressed rows: every point's links in one flat array. The permutation loop
/// walks them a thousand times, and one array is faster to walk than a list per point.
pub(crate) struct Links {
    /// Point i's links are `to[starts[i]..starts[i + 1]]`, with their weights.
    pub(crate) starts: Vec<usize>,
    pub(crate) to: Vec<u32>,
    pub(crate) weight: LinkWeights,
}

/// The links' weights: one per point when all of a point's links weigh the same (row-standardised
/// k nearest neighbours, contiguity), so that the permutation loop streams the link targets only
/// (at 1e5 points and k = 8: 3.2 MB a permutation instead of 9.6 MB); else one per link.
pub(crate) enum LinkWeights {
    PerPoint(Vec<f64>),
    PerLink(Vec<f64>),
}

impl Links {
    pub(crate) fn of(w: &SpatialWeights) -> Links {
        let links = w.neighbours.iter().map(Vec::len).sum();
        let mut starts = Vec::with_capacity(w.n() + 1);
        starts.push(0);
        let (mut to, mut per_link) = (Vec::with_capacity(links), Vec::with_capacity(links));
        for row in &w.neighbours {
            for &(j, weight) in row {
                to.push(u32::try_from(j).expect("fewer than 2^32 points"));
                per_link.push(weight);
            }
            starts.push(to.len());
        }
        let uniform = starts.windows(2).all(|r| per_link[r[0]..r[1]].windows(2).all(|w| w[0] == w[1]));
        let weight = if uniform {
            LinkWeights::PerPoint(starts.windows(2).map(|r| per_link.get(r[0]).copied().unwrap_or(0.0)).collect())
        } else {
            LinkWeights::PerLink(per_link)
        };
        Links { starts, to, weight }
    }

    /// Link e's weight, e being one of point i's links.
    pub(crate) fn weight(&self, i: usize, e: usize) -> f64 {
        match &self.weight {
            LinkWeights::PerPoint(weights) => weights[i],
            LinkWeights::PerLink(weights) => weights[e],
        }
    }

    /// S0 = sum of weights, S1 = 1/2 sum_ij (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2, on the
    /// compressed rows (O(links), not O(n^2); at 1e5 points and k = 8, 3x faster than on the
    /// neighbour lists). Every sum adds the same terms in the same order as a walk of the
    /// links, point by point, would: the same bits.
    pub(crate) fn s_terms(&self) -> (f64, f64, f64) {
        let n = self.starts.len() - 1;
        // The links into each point, (source, weight), by counting sort: filled in source
        // order, so each point's list is sorted by source and can be merged with its row.
        let mut into_starts = vec![0; n + 1];
        for &j in &self.to {
            into_starts[j as usize + 1] += 1;
        }
        for j in 0..n {
            into_starts[j + 1] += into_starts[j];
        }
        let mut filled = into_starts.clone();
        let (mut into_source, mut into_weight) = (vec![0u32; self.to.len()], vec![0.0; self.to.len()]);
        for i in 0..n {
            for e in self.starts[i]..self.starts[i + 1] {
                let j = self.to[e] as usize;
                (into_source[filled[j]], into_weight[filled[j]]) = (i as u32, self.weight(i, e));
                filled[j] += 1;
            }
        }
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let (mut back, back_end) = (into_starts[i], into_starts[i + 1]);
            let mut row_sum = 0.0;
            for e in self.starts[i]..self.starts[i + 1] {
                let (j, w) = (self.to[e], self.weight(i, e));
                s0 += w;
                row_sum += w;
                // S1 sums (w_ij + w_ji)^2 over unordered pairs: a pair linked both ways is met
                // twice here (half each time), a one-way link once.
                while back < back_end && into_source[back] < j {
                    back += 1;
                }
                let w_back = if back < back_end && into_source[back] == j { into_weight[back] } else { 0.0 };
                s1 += if w_back != 0.0 { (w + w_back).powi(2) / 2.0 } else { w * w };
            }
            let col_sum = into_weight[into_starts[i]..into_starts[i + 1]].iter().fold(0.0, |sum, w| sum + w);
            s2 += (row_sum + col_sum).powi(2);
        }
        (s0, s1, s2)
    }

    /// sum_i x_i (W x)_i, summed in the order of `x . SpatialWeights::lag(x)` (the same bits: a
    /// point's weight is multiplied into each link as before, only read once), without building
    /// the lag; and sum_i x_i^2, in the same pass (the two running sums then wait on their
    /// additions side by side, not one after the other). Both start from -0.0, as `Sum` does.
    pub(crate) fn cross_and_squares(&self, x: &[f64]) -> (f64, f64) {
        let (mut cross, mut squares) = (-0.0, -0.0);
        let rows = self.starts.windows(2).zip(x);
        match &self.weight {
            LinkWeights::PerPoint(weights) => {
                for ((range, &xi), &w) in rows.zip(weights) {
                    let lag: f64 = self.to[range[0]..range[1]].iter().map(|&j| w * x[j as usize]).sum();
                    cross += xi * lag;
                    squares += xi * xi;
                }
            }
            LinkWeights::PerLink(weights) => {
                for (range, &xi) in rows {
                    let lag: f64 = self.to[range[0]..range[1]]
                        .iter()
                        .zip(&weights[range[0]..range[1]])
                        .map(|(&j, w)| w * x[j as usize])
                        .sum();
                    cross += xi * lag;
                    squares += xi * xi;
                }
            }
        }
        (cross, squares)
    }

    /// sum_i x_i (W y)_i in each lane of `y`, with `x` fixed: a row's lag summed first, then
    /// the products, each from -0.0 as `Sum` starts (bivariate Moran's numerator).
    pub(crate) fn fixed_cross_in_lanes(&self, x: &[f64], y: &[Lanes]) -> Lanes {
        let mut total = [-0.0; LANES];
        for (i, (range, &xi)) in self.starts.windows(2).zip(x).enumerate() {
            let mut lag = [-0.0; LANES];
            for e in range[0]..range[1] {
                let (yj, w) = (&y[self.to[e] as usize], self.weight(i, e));
                for b in 0..LANES {
                    lag[b] += w * yj[b];
                }
            }
            for b in 0..LANES {
                total[b] += xi * lag[b];
            }
        }
        total
    }

    /// The spatial Gini's sum over links of |x_i - x_j| in each lane (the weights play no part),
    /// a row's terms summed first and the rows' sums then, each from -0.0 as `Sum` starts: the
    /// bits of `inequality::neighbour_differences` on each lane's values.
    pub(crate) fn abs_differences_in_lanes(&self, x: &[Lanes]) -> Lanes {
        let mut total = [-0.0; LANES];
        for (range, xi) in self.starts.windows(2).zip(x) {
            let mut row = [-0.0; LANES];
            for &j in &self.to[range[0]..range[1]] {
                let xj = &x[j as usize];
                for b in 0..LANES {
                    row[b] += (xi[b] - xj[b]).abs();
                }
            }
            for b in 0..LANES {
                total[b] += row[b];
            }
        }
        total
    }
}

fn moran_i(links: &Links, z: &[f64], s0: f64) -> f64 {
    let (num, den) = links.cross_and_squares(z);
    (z.len() as f64 / s0) * num / den
}

/// Folds a permutation count into esda's one-sided pseudo p-value.
pub(crate) fn pseudo_p(larger: usize, permutations: usize) -> f64 {
    let larger = larger.min(permutations - larger);
    (larger as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Global Moran's I of `values` under `w`. A constant variable has no autocorrelation to
/// measure: it is an error, as is a weights matrix without any link.
pub fn moran(values: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<Moran> {
    let n = values.len();
    if n != w.n() {
        return Err(Error::data("moran", format!("{n} values for {} weighted points", w.n())));
    }
    if n < 4 {
        return Err(Error::data("moran", format!("needs at least 4 points for its variance, got {n}")));
    }
    let z = centred(values);
    let m2: f64 = z.iter().map(|v| v * v).sum::<f64>() / n as f64;
    if m2 == 0.0 {
        return Err(Error::data("moran", "every value is the same: Moran's I is undefined (0/0)"));
    }
    let links = Links::of(w);
    let (s0, s1, s2) = links.s_terms();
    if s0 == 0.0 {
        return Err(Error::data("moran", "no point has a neighbour: the weights are all zero"));
    }
    let i = moran_i(&links, &z, s0);
    let nf = n as f64;
    let ei = -1.0 / (nf - 1.0);
    let ei2 = ei * ei;
    let v_norm = (nf * nf * s1 - nf * s2 + 3.0 * s0 * s0) / ((nf * nf - 1.0) * s0 * s0) - ei2;
    let m4: f64 = z.iter().map(|v| v.powi(4)).sum::<f64>() / nf;
    crate::power_sums_finite("moran", &[m2, m4, m2 * m2])?;
    let k = m4 / (m2 * m2);
    let a = nf * ((nf * nf - 3.0 * nf + 3.0) * s1 - nf * s2 + 3.0 * s0 * s0);
    let b = k * ((nf * nf - nf) * s1 - 2.0 * nf * s2 + 6.0 * s0 * s0);
    let v_rand = (a - b) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0) * s0 * s0) - ei2;
    let z_norm = (i - ei) / v_norm.sqrt();
    let z_rand = (i - ei) / v_rand.sqrt();
    let p_sim = (permutations > 0).then(|| {
        // Counted as in point order, summed in the local order (`permutation_count`): every
        // permutation's squares are those of z in another order, within 2 gamma(n) of their sum.
        let scale = n as f64 / s0;
        let den: f64 = z.iter().map(|v| v * v).sum();
        let quotient =
            Quotient { sum: LinkSum::Cross, scale, denominator: den, denominator_error: 2.0 * gamma(n as f64) * den };
        let exact = |x: &[f64]| {
            let (num, den) = links.cross_and_squares(x);
            scale * num / den
        };
        let larger = count_quotients_at_least(&z, permutations, seed, &links, &quotient, i, exact);
        pseudo_p(larger, permutations)
    });
    Ok(Moran {
        n,
        i,
        expected_i: ei,
        variance_norm: v_norm,
        z_norm,
        p_norm: two_sided_p(z_norm),
        variance_rand: v_rand,
        z_rand,
        p_rand: two_sided_p(z_rand),
        p_sim,
        permutations,
        seed,
        islands: w.islands(),
    })
}

/// The quadrant of a local Moran statistic: value above or below the mean, lag above or below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Quadrant {
    HH,
    LH,
    LL,
    HL,
}

impl Quadrant {
    /// The quadrant of a centred value and its lag (esda's `q`: 1 HH, 2 LH, 3 LL, 4 HL).
    pub fn of(z: f64, lag: f64) -> Quadrant {
        match (z > 0.0, lag > 0.0) {
            (true, true) => Quadrant::HH,
            (false, true) => Quadrant::LH,
            (false, false) => Quadrant::LL,
            (true, false) => Quadrant::HL,
        }
    }

    /// esda's and giddy's number of the quadrant, 1-4.
    pub fn number(self) -> usize {
        match self {
            Quadrant::HH => 1,
            Quadrant::LH => 2,
            Quadrant::LL => 3,
            Quadrant::HL => 4,
        }
    }
}

/// Each point's quadrant: its value above or below the mean, and its lag's.
pub fn quadrants(values: &[f64], w: &SpatialWeights) -> Vec<Quadrant> {
    let z = centred(values);
    let lag = w.lag(&z);
    z.iter().zip(&lag).map(|(&z, &l)| Quadrant::of(z, l)).collect()
}

/// Local Moran of one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalMoran {
    pub i: f64,
    pub quadrant: Quadrant,
    pub p_sim: f64,
    /// Benjamini-Hochberg adjusted p-value (q-value) of `p_sim` over all points.
    pub q_fdr: f64,
}

/// Local Moran I_i = (n - 1) z_i lag_i / sum z^2 (esda.Moran_Local), with conditional
/// permutation: each point's neighbours are drawn from the other n - 1 values.
pub fn local_moran(values: &[f64], w: &SpatialWeights, permutations: usize, seed: u64) -> Result<Vec<LocalMoran>> {
    let n = values.len();
    if n != w.n() || n < 3 {
        return Err(Error::data("lisa", format!("{n} values for {} weighted points (at least 3 needed)", w.n())));
    }
    if permutations == 0 {
        return Err(Error::param("lisa", "permutations", "local Moran needs permutations for its pseudo p-values"));
    }
    let z = centred(values);
    let den: f64 = z.iter().map(|v| v * v).sum();
    crate::power_sums_finite("lisa", &[den])?;
    if den == 0.0 {
        return Err(Error::data("lisa", "every value is the same: local Moran is undefined (0/0)"));
    }
    let lag = w.lag(&z);
    let scale = (n as f64 - 1.0) / den;
    // Each point draws its conditional permutations from its own seeded stream, so the points can
    // be spread over the cores and the answer still depends on the seed only.
    let mut out = parallel_map(n, |i| {
        let mut rng = stream(seed, i as u64);
        let li = scale * z[i] * lag[i];
        let quadrant = Quadrant::of(z[i], lag[i]);
        let weights: Vec<f64> = w.neighbours[i].iter().map(|&(_, wt)| wt).collect();
        let k = weights.len().min(n - 1);
        let larger = (0..permutations)
            .filter(|_| {
                // k of the other n - 1 points, without replacement; index i is skipped.
                let sim_lag: f64 = rand::seq::index::sample(&mut rng, n - 1, k)
                    .iter()
                    .zip(&weights)
                    .map(|(j, wt)| z[if j >= i { j + 1 } else { j }] * wt)
                    .sum();
                scale * z[i] * sim_lag >= li
            })
            .count();
        LocalMoran { i: li, quadrant, p_sim: pseudo_p(larger, permutations), q_fdr: f64::NAN }
    });
    let q = benjamini_hochberg(&out.iter().map(|l| l.p_sim).collect::<Vec<_>>());
    for (l, q) in out.iter_mut().zip(q) {
        l.q_fdr = q;
    }
    Ok(out)
}

/// Random weights for property tests: up to 40 points with up to 5 links each, neighbours
/// sorted and once each, links one way and both ways; half of them with one weight everywhere
/// (stored one per point by `Links`), half with a weight per link.
#[cfg(test)]
pub(crate) fn random_weights() -> impl proptest::strategy::Strategy<Value = SpatialWeights> {
    use proptest::strategy::Strategy;
    let rows = proptest::collection::vec(proptest::collection::vec((0usize..40, 0.1f64..3.0), 0..6), 1..40);
    (rows, proptest::bool::ANY).prop_map(|(rows, alike)| {
        let n = rows.len();
        let neighbours = rows
            .iter()
            .map(|row| {
                let mut row: Vec<(usize, f64)> =
                    row.iter().map(|&(j, w)| (j % n, if alike { 0.5 } else { w })).collect();
                row.sort_by_key(|&(j, _)| j);
                row.dedup_by_key(|&mut (j, _)| j);
                row
            })
            .collect();
        SpatialWeights { neighbours, row_standardised: false }
    })
}

/// `n` rows of lanes with values spread over [-13, 14), different in every lane, from `seed`.
#[cfg(test)]
pub(crate) fn spread_lanes(n: usize, seed: u64) -> Vec<Lanes> {
    (0..n)
        .map(|i| std::array::from_fn(|b| ((seed + (i * LANES + b) as u64 * 7919) % 1000) as f64 / 37.0 - 13.0))
        .collect()
}

/// The cases of an esda reference file (`esda_geary`, `esda_getis_ord`): each case with the
/// reference values and its weights (kNN k = 3, band 1.5, inverse distance within 2.5, planar).
#[cfg(test)]
pub(crate) fn esda_cases(name: &str, row_standardise: bool) -> Vec<(serde_json::Value, Vec<f64>, SpatialWeights)> {
    use resil_test_support::{floats, reference_case};
    let r = reference_case(name);
    let points: Vec<(f64, f64)> = floats(&r["x"]).into_iter().zip(floats(&r["y"])).collect();
    let values = floats(&r["values"]);
    r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let kind = match case["weights"].as_str().unwrap() {
                "knn3" => WeightsKind::Knn(3),
                "band1.5" => WeightsKind::Band(1.5),
                _ => WeightsKind::InverseDistance { power: 1.0, band: Some(2.5) },
            };
            (
                case.clone(),
                values.clone(),
                SpatialWeights::build(&points, Metric::Planar, kind, row_standardise).unwrap(),
            )
        })
        .collect()
}

/// Benjamini-Hochberg adjusted p-values (q-values), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank as f64 + 1.0));
        q[i] = running.min(1.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    use resil_test_support::floats;

    fn reference() -> Value {
        resil_test_support::reference_case("esda_moran")
    }

    #[track_caller]
    fn close(name: &str, got: f64, expected: &Value) {
        let e = expected.as_f64().unwrap();
        assert!((got - e).abs() <= 1e-12 * e.abs().max(1.0), "{name}: {got} vs esda {e}");
    }

    #[test]
    fn global_and_local_moran_match_esda() {
        // Independent computation: PySAL esda 2.9.0 (tests/reference/esda_moran.py), on 12 fixed
        // planar points, row-standardised kNN (k = 3), binary band 1.5 and inverse distance (band 2.5).
        let r = reference();
        let points: Vec<(f64, f64)> = floats(&r["x"]).into_iter().zip(floats(&r["y"])).collect();
        let values = floats(&r["values"]);
        for case in r["cases"].as_array().unwrap() {
            let kind = match case["weights"].as_str().unwrap() {
                "knn3" => WeightsKind::Knn(3),
                "band1.5" => WeightsKind::Band(1.5),
                _ => WeightsKind::InverseDistance { power: 1.0, band: Some(2.5) },
            };
            let w = SpatialWeights::build(&points, Metric::Planar, kind, true).unwrap();
            let m = moran(&values, &w, 0, 1).unwrap();
            for (name, got) in [
                ("i", m.i),
                ("expected_i", m.expected_i),
                ("variance_norm", m.variance_norm),
                ("z_norm", m.z_norm),
                ("p_norm", m.p_norm),
                ("variance_rand", m.variance_rand),
                ("z_rand", m.z_rand),
                ("p_rand", m.p_rand),
            ] {
                close(&format!("{} {name}", case["weights"]), got, &case[name]);
            }
            let local = local_moran(&values, &w, 99, 1).unwrap();
            for (l, (e, q)) in local.iter().zip(floats(&case["local_i"]).iter().zip(floats(&case["local_quadrant"]))) {
                assert!((l.i - e).abs() <= 1e-12, "{}: local I {} vs {e}", case["weights"], l.i);
                let esda_q = match l.quadrant {
                    Quadrant::HH => 1.0,
                    Quadrant::LH => 2.0,
                    Quadrant::LL => 3.0,
                    Quadrant::HL => 4.0,
                };
                assert_eq!(esda_q, q);
            }
        }
    }

    proptest::proptest! {
        /// Every index once, in index order, however the pieces fell to the threads: items of
        /// very uneven cost (some sleep) make the threads take pieces out of turn.
        #[test]
        fn parallel_map_gives_each_index_in_order(n in 0usize..300, slow in 1usize..7) {
            let got = parallel_map(n, |i| {
                if i % slow == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
                i * i
            });
            proptest::prop_assert_eq!(got, (0..n).map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn permutation_inference_is_seeded_and_in_range() {
        let r = reference();
        let points: Vec<(f64, f64)> = floats(&r["x"]).into_iter().zip(floats(&r["y"])).collect();
        let values = floats(&r["values"]);
        let w = SpatialWeights::build(&points, Metric::Planar, WeightsKind::Knn(3), true).unwrap();
        let a = moran(&values, &w, 999, 7).unwrap();
        let b = moran(&values, &w, 999, 7).unwrap();
        assert_eq!(a, b);
        let p = a.p_sim.unwrap();
        assert!((1.0 / 1000.0..=0.5 + 1e-12).contains(&p), "{p}");
        let la = local_moran(&values, &w, 99, 3).unwrap();
        assert_eq!(la, local_moran(&values, &w, 99, 3).unwrap());
        assert!(la.iter().all(|l| l.q_fdr >= l.p_sim && l.q_fdr <= 1.0));
    }

    #[test]
    fn local_moran_refuses_values_whose_squares_overflow() {
        let r = reference();
        let points: Vec<(f64, f64)> = floats(&r["x"]).into_iter().zip(floats(&r["y"])).collect();
        let w = SpatialWeights::build(&points, Metric::Planar, WeightsKind::Knn(3), true).unwrap();
        let huge: Vec<f64> = floats(&r["values"]).iter().map(|v| v * 1e200).collect();
        let err = local_moran(&huge, &w, 99, 3).unwrap_err().to_string();
        assert!(err.contains("lisa: the values are too large to compute with"), "{err}");
        let large: Vec<f64> = floats(&r["values"]).iter().map(|v| v * 1e70).collect();
        assert!(local_moran(&large, &w, 99, 3).is_ok());
    }

    #[test]
    fn constant_values_islands_and_tiny_inputs_are_clear() {
        let pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (50.0, 50.0)];
        let w = SpatialWeights::build(&pts, Metric::Planar, WeightsKind::Band(1.5), true).unwrap();
        assert_eq!(w.islands(), vec![4]);
        let m = moran(&[1.0, 2.0, 3.0, 4.0, 5.0], &w, 0, 0).unwrap();
        assert_eq!(m.islands, vec![4]);
        let err = moran(&[2.0; 5], &w, 0, 0).unwrap_err().to_string();
        assert!(err.contains("every value is the same"), "{err}");
        let err = moran(
            &[1.0, 2.0, 3.0],
            &SpatialWeights::build(&pts[..3], Metric::Planar, WeightsKind::Knn(1), true).unwrap(),
            0,
            0,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("at least 4 points"), "{err}");
    }

    #[test]
    fn bands_and_powers_out_of_range_are_named() {
        let pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
        let build = |kind| SpatialWeights::build(&pts, Metric::Planar, kind, true).map(|_| ()).unwrap_err().to_string();
        for band in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = build(WeightsKind::Band(band));
            assert!(
                err.contains(&format!("parameter `band`: the distance band must be positive and finite, got {band}")),
                "{err}"
            );
            let err = build(WeightsKind::InverseDistance { power: 1.0, band: Some(band) });
            assert!(err.contains("parameter `band`"), "{err}");
        }
        for power in [0.0, -2.0, f64::NAN] {
            let err = build(WeightsKind::InverseDistance { power, band: None });
            assert!(
                err.contains(&format!("the inverse-distance power must be positive and finite, got {power}")),
                "{err}"
            );
        }
        for k in [0, 4] {
            let err = build(WeightsKind::Knn(k));
            assert!(err.contains(&format!("parameter `knn`: k must be from 1 to 3 for 4 points, got {k}")), "{err}");
        }
        assert!(SpatialWeights::build(&pts, Metric::Planar, WeightsKind::Knn(3), true).is_ok());
        assert!(SpatialWeights::build(
            &pts,
            Metric::Planar,
            WeightsKind::InverseDistance { power: 0.5, band: Some(1.5) },
            true
        )
        .is_ok());
    }

    proptest::proptest! {
        /// S0, S1 and S2 on the compressed rows have the bits of a walk of the neighbour lists
        /// by their definitions (the weight back from j to i looked up in j's list), on links
        /// one way and both ways, with weights per point and per link.
        #[test]
        fn s_terms_are_those_of_their_definitions(
            w in random_weights(),
        ) {
            let n = w.n();
            let (mut s0, mut s1) = (0.0, 0.0);
            let (mut row_sums, mut col_sums) = (vec![0.0; n], vec![0.0; n]);
            for (i, row) in w.neighbours.iter().enumerate() {
                for &(j, w_ij) in row {
                    s0 += w_ij;
                    row_sums[i] += w_ij;
                    col_sums[j] += w_ij;
                    let w_ji = w.neighbours[j].iter().find(|&&(k, _)| k == i).map_or(0.0, |&(_, w)| w);
                    s1 += if w_ji != 0.0 { (w_ij + w_ji).powi(2) / 2.0 } else { w_ij * w_ij };
                }
            }
            let s2: f64 = row_sums.iter().zip(&col_sums).map(|(r, c)| (r + c).powi(2)).sum();
            let bits = |(a, b, c): (f64, f64, f64)| (a.to_bits(), b.to_bits(), c.to_bits());
            proptest::prop_assert_eq!(bits(Links::of(&w).s_terms()), bits((s0, s1, s2)));
        }
    }

    proptest::proptest! {
        /// Moran's pseudo p-value counts the permutations as one at a time in point order does
        /// (the same seeded streams, `Links::cross_and_squares` on each): small integer values,
        /// so that permutations tie with the observed I and are decided in point order.
        #[test]
        fn p_sim_is_that_of_one_permutation_at_a_time(
            w in random_weights(),
            seed in 0u64..1000,
            raw in proptest::collection::vec(0u8..4, 40),
        ) {
            let n = w.n();
            let values: Vec<f64> = raw[..n].iter().map(|&v| f64::from(v)).collect();
            let Ok(m) = moran(&values, &w, 40, seed) else { return Ok(()) };
            let links = Links::of(&w);
            let scale = n as f64 / links.s_terms().0;
            let sims = permuted_statistics(&centred(&values), 40, seed, |x| {
                let (num, den) = links.cross_and_squares(x);
                scale * num / den
            });
            let larger = sims.iter().filter(|&&sim| sim >= m.i).count();
            proptest::prop_assert_eq!(m.p_sim, Some(pseudo_p(larger, 40)));
        }
    }

    #[test]
    fn the_permutations_in_lanes_are_those_one_at_a_time() {
        // 150 permutations: two full blocks and a part, so lanes past a block's end are dropped.
        let values: Vec<f64> = (0..50).map(|i| f64::from(i * 37 % 50) - 20.0).collect();
        let one = permuted_statistics(&values, 150, 9, |x| x.iter().enumerate().map(|(i, v)| i as f64 * v).sum());
        let lanes = permuted_statistics_in_lanes(&values, 150, 9, |x| {
            std::array::from_fn(|b| x.iter().enumerate().map(|(i, v)| i as f64 * v[b]).sum())
        });
        assert_eq!(one, lanes);
    }

    #[test]
    fn benjamini_hochberg_by_hand() {
        // p = (0.01, 0.04, 0.03, 0.5): sorted ranks give 0.04, 0.04*4/3 -> min(0.0533, 0.5)...
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        let expected = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.5];
        for (a, b) in q.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{q:?}");
        }
    }

    #[test]
    fn great_circle_knn_uses_haversine() {
        // Three points on the equator 1, 2 and 10 degrees east of the first: kNN(1) of the first
        // is the second.
        let w = SpatialWeights::build(
            &[(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (10.0, 0.0)],
            Metric::GreatCircleKm,
            WeightsKind::Knn(1),
            false,
        )
        .unwrap();
        assert_eq!(w.neighbours[0], vec![(1, 1.0)]);
        assert_eq!(w.neighbours[3], vec![(2, 1.0)]);
    }
}
