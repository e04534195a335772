//! Exact Jenks natural breaks: the 1-D partition into k classes of consecutive sorted values that
//! minimises the within-class sum of squares (Fisher 1958), in O(k n) after the sort.
//!
//! The dynamic programme is the one of Fisher and of Jenks (1977); each layer is a row-minimum
//! search in a Monge matrix, solved by SMAWK in linear time, as Ckmeans.1d.dp does (Wang & Song
//! 2011; Song & Zhong 2020; Grønlund et al. 2017). Each layer is then cut down to the rows a
//! partition no worse than a quick one (Lloyd's iterations) can pass through, counting a floor on
//! the classes still to come: about 0.25 n rows in all instead of (k - 2) n + 1 for k = 5 on
//! uniform values.

use std::ops::Range;

use rayon::prelude::*;
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
        Ok(Jenks { k: crate::class_count("jenks", self.k)? })
    }
}

/// The checked Jenks method.
#[derive(Debug, Clone)]
pub struct Jenks {
    k: usize,
}

/// Prefix sums of centred sorted values, for O(1) within-class sums of squares, side by side with
/// the previous layer's best costs: `cells[j]` = (sum, sum of squares of the first j values, best
/// cost of the previous layer's classes over the first j values), so that one cost reads two
/// cache lines.
struct Prefix {
    cells: Vec<[f64; 3]>,
    /// The mean the values were centred on.
    mean: f64,
}

impl Prefix {
    fn new(sorted: &[f64]) -> Self {
        // Centring first keeps the s2 - s1^2/n difference well conditioned.
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        // The cells are first written on every core: a page's first touch (a fault, about as
        // dear as the sums over it) then happens in parallel. The sums must run in order.
        let mut cells: Vec<[f64; 3]> = vec_on_every_core(sorted.len() + 1, [0.0, 0.0, f64::INFINITY]);
        let (mut a, mut b) = (0.0, 0.0);
        for (cell, &x) in cells[1..].iter_mut().zip(sorted) {
            let c = x - mean;
            a += c;
            b += c * c;
            (cell[0], cell[1]) = (a, b);
        }
        Prefix { cells, mean }
    }

    /// Sum of squared deviations from their mean of sorted[i..=j].
    #[inline]
    fn ssq(&self, i: usize, j: usize) -> f64 {
        let ([a1, a2, _], [b1, b2, _]) = (self.cells[j + 1], self.cells[i]);
        let n = (j - i + 1) as f64;
        let s = a1 - b1;
        (a2 - b2 - s * s / n).max(0.0)
    }

    /// The mean of sorted[i..=j].
    fn mean(&self, i: usize, j: usize) -> f64 {
        (self.cells[j + 1][0] - self.cells[i][0]) / (j - i + 1) as f64 + self.mean
    }

    /// The cost of ending the last class at i when it starts at j: the previous layer's best over
    /// sorted[..j] plus the class's sum of squares; infinite for a class that starts after it ends.
    #[inline]
    fn cost(&self, i: usize, j: usize) -> f64 {
        if j > i {
            return f64::INFINITY;
        }
        let ([a1, a2, _], [b1, b2, before]) = (self.cells[i + 1], self.cells[j]);
        // Through i64: one conversion instruction, exact below 2^53.
        let n = (i - j + 1) as i64 as f64;
        let s = a1 - b1;
        before + (a2 - b2 - s * s / n).max(0.0)
    }

    /// Makes `best[i]` the previous layer's best cost over sorted[..=i] for i in `kept`, for the
    /// next layer, and +inf again for the rows in `shown` (the ones it showed before).
    fn show_previous(&mut self, best: &[f64], shown: Range<usize>, kept: Range<usize>) {
        for cell in &mut self.cells[shown.start + 1..shown.end + 1] {
            cell[2] = f64::INFINITY;
        }
        for (cell, &b) in self.cells[kept.start + 1..kept.end + 1].iter_mut().zip(&best[kept]) {
            cell[2] = b;
        }
    }
}

/// `n` copies of `value`, written on every core.
fn vec_on_every_core<T: Copy + Send + Sync>(n: usize, value: T) -> Vec<T> {
    (0..n).into_par_iter().map(|_| value).collect()
}

/// Rows of a SMAWK step: `count` rows `first, first + stride, ...` (each step keeps the odd rows
/// of the one above, so the rows are always an arithmetic progression; none is stored).
#[derive(Debug, Clone, Copy)]
struct Rows {
    first: usize,
    stride: usize,
    count: usize,
}

impl Rows {
    fn at(self, t: usize) -> usize {
        self.first + self.stride * t
    }

    /// Rows 1, 3, 5, ... of these.
    fn odd(self) -> Rows {
        Rows { first: self.first + self.stride, stride: 2 * self.stride, count: self.count / 2 }
    }
}

/// The leftmost minimum of each row of a totally monotone matrix (SMAWK: Aggarwal, Klawe, Moran,
/// Shor & Wilber 1987), in O(rows + columns) evaluations of `prefix.cost(row, column)`;
/// `best[row - base]` receives the column (as u32: half the memory of the layers' argmins,
/// which the backtrack keeps) and `low[row - base]` its cost. `columns` are increasing.
///
/// The within-class sum of squares of sorted values is a Monge cost, and so is it with `+inf`
/// where a class would start after it ends. Each row's search window begins where the previous
/// row's minimum lies, so the result is monotone even where rounding bends the Monge property.
fn smawk(
    rows: Rows,
    columns: impl ExactSizeIterator<Item = usize>,
    prefix: &Prefix,
    best: &mut [u32],
    low: &mut [f64],
    base: usize,
) {
    let cost = |i, j| prefix.cost(i, j);
    if rows.count == 0 {
        return;
    }
    // Reduce: keep at most one column per row, dropping columns dominated for every row. With
    // no more columns than rows there is nothing to drop.
    let mut kept: Vec<usize> = Vec::with_capacity(rows.count.min(columns.len()));
    if columns.len() <= rows.count {
        kept.extend(columns);
    } else {
        // The cost of kept[p] at row p, once known: a column pushed above p was compared with
        // kept[p] at row p, so after a pop the next comparison's first cost is known.
        let mut kept_cost: Vec<f64> = Vec::with_capacity(kept.capacity());
        for c in columns {
            while let Some(&top) = kept.last() {
                let p = kept.len() - 1;
                let r = rows.at(p);
                let top_cost = if kept_cost[p].is_nan() { cost(r, top) } else { kept_cost[p] };
                kept_cost[p] = top_cost;
                if top_cost > cost(r, c) {
                    kept.pop();
                    kept_cost.pop();
                } else {
                    break;
                }
            }
            if kept.len() < rows.count {
                kept.push(c);
                kept_cost.push(f64::NAN);
            }
        }
    }
    smawk(rows.odd(), kept.iter().copied(), prefix, best, low, base);
    // Interpolate: each even row's minimum lies between its odd neighbours' minima.
    let mut at = 0;
    for t in (0..rows.count).step_by(2) {
        let row = rows.at(t);
        let last = if t + 1 < rows.count { best[rows.at(t + 1) - base] as usize } else { kept[kept.len() - 1] };
        let (mut least, mut least_at) = (cost(row, kept[at]), kept[at]);
        while kept[at] != last {
            at += 1;
            let c = cost(row, kept[at]);
            if c < least {
                least = c;
                least_at = kept[at];
            }
        }
        best[row - base] = least_at as u32;
        low[row - base] = least;
    }
}

/// Rows above which a layer is split at its middle row (at least; see [`jenks_partition`]): the
/// middle row's minimum, found by a scan, bounds the columns of each half, and the halves are
/// solved in parallel. A size, not one piece per thread, so the answer does not depend on the
/// thread count.
const SPLIT_ROWS: usize = 1 << 13;

/// The leftmost minimum of each row in `rows` over `columns` into `best[row - rows.start]`, and
/// its cost into `low[row - rows.start]`.
fn layer_minima(
    rows: Range<usize>,
    columns: Range<usize>,
    split: usize,
    prefix: &Prefix,
    best: &mut [u32],
    low: &mut [f64],
) {
    if rows.len() <= split {
        let progression = Rows { first: rows.start, stride: 1, count: rows.len() };
        return smawk(progression, columns, prefix, best, low, rows.start);
    }
    let mid = rows.start + rows.len() / 2;
    let (mut least, mut at) = (f64::INFINITY, columns.start);
    for j in columns.start..columns.end.min(mid + 1) {
        let c = prefix.cost(mid, j);
        if c < least {
            (least, at) = (c, j);
        }
    }
    let (left, right) = best.split_at_mut(mid - rows.start);
    let (left_low, right_low) = low.split_at_mut(mid - rows.start);
    (right[0], right_low[0]) = (at as u32, least);
    rayon::join(
        || layer_minima(rows.start..mid, columns.start..at + 1, split, prefix, left, left_low),
        || layer_minima(mid + 1..rows.end, at..columns.end, split, prefix, &mut right[1..], &mut right_low[1..]),
    );
}

/// The optimal partition of `sorted` (ascending, finite) into `k` classes: the index of the last
/// element of each class, and the total within-class sum of squares.
pub fn jenks_partition(sorted: &[f64], k: usize) -> (Vec<usize>, f64) {
    partition_split(sorted, k, SPLIT_ROWS)
}

/// [`jenks_partition`] with layers split above `split` rows, into four pieces at most.
fn partition_split(sorted: &[f64], k: usize, split: usize) -> (Vec<usize>, f64) {
    assert!(k >= 1 && k <= sorted.len(), "need 1 <= k <= n");
    // Argmins are u32; 2^32 values would need 100 GB for the prefix sums alone.
    assert!(sorted.len() < u32::MAX as usize, "at most 2^32 - 2 values");
    let prefix = Prefix::new(sorted);
    let bound = pruning_bound(&prefix, sorted, k);
    partition_within(prefix, k, split, bound)
}

/// The total within-class sum of squares of a good partition into `k` classes (Lloyd's
/// iterations from equal counts, in O(k log n) each), summed as the programme sums it, with a
/// margin: no partition costing more can be optimal, so the programme may leave out every row
/// that only such partitions reach (see [`partition_within`]).
fn pruning_bound(prefix: &Prefix, sorted: &[f64], k: usize) -> f64 {
    let n = sorted.len();
    // Class by class from 0.0, as the programme adds them (0.0 + x is x).
    let total = |ends: &[usize]| {
        let mut start = 0;
        ends.iter().fold(0.0, |sum, &end| {
            let class = prefix.ssq(start, end);
            start = end + 1;
            sum + class
        })
    };
    let mut ends: Vec<usize> = (1..=k).map(|c| c * n / k - 1).collect();
    let mut best = total(&ends);
    for _ in 0..64 {
        // Each class's mean, then each cut at the midpoint of its neighbours' means.
        let mut start = 0;
        let means: Vec<f64> = ends
            .iter()
            .map(|&end| {
                let m = prefix.mean(start, end);
                start = end + 1;
                m
            })
            .collect();
        let mut next = ends.clone();
        for c in 0..k - 1 {
            let cut = (means[c] + means[c + 1]) / 2.0;
            let end = sorted.partition_point(|&v| v <= cut).saturating_sub(1);
            // Every class keeps at least one value.
            let low = if c == 0 { 0 } else { next[c - 1] + 1 };
            next[c] = end.clamp(low, n - k + c);
        }
        let cost = total(&next);
        if cost >= best {
            break;
        }
        (best, ends) = (cost, next);
    }
    // The margin covers the rounding of the bounds below (far below 1e-9 of the total sum of
    // squares), and a relative one the rounding of the sums.
    best * (1.0 + 1e-6) + 1e-9 * prefix.ssq(0, n - 1)
}

/// The first index of `range` where `holds` (false, then true, along the range), or its end.
fn first_where(range: Range<usize>, holds: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (range.start, range.end);
    while low < high {
        let mid = low + (high - low) / 2;
        if holds(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low
}

/// A lower bound on the best cost of row `i` of the layer over `columns`, whose costs before
/// (`prev[j - 1]`) are finite and grow with j: in `runs` runs of columns [a, b), each column's
/// cost before is at least that of a, and its class, from at most b - 1 to i, holds at least
/// sorted[b - 1..=i]. O(runs) whatever the layer's size, and it grows with i.
fn layer_floor(prefix: &Prefix, prev: &[f64], columns: Range<usize>, i: usize, runs: usize) -> f64 {
    let runs = runs.min(columns.len());
    let cut = |t: usize| columns.start + columns.len() * t / runs;
    (0..runs)
        .map(|t| {
            let (a, b) = (cut(t), cut(t + 1));
            prev[a - 1] + if i >= b - 1 { prefix.ssq(b - 1, i) } else { 0.0 }
        })
        .fold(f64::INFINITY, f64::min)
}

/// Lower bounds on the cost of the classes still to come after a row, from a coarse programme
/// over `grid` (at most 256 runs of the sorted values): `floors[j][t]` is at most the best cost
/// of j classes over sorted[grid[t]..]. A class that ends inside a run is counted over its whole
/// runs only, and the run it ends in is left to neither side, so every partition of the values
/// costs at least the coarse one it maps to.
struct SuffixFloors {
    grid: Vec<usize>,
    /// `floors[j][t]` for j < k and t <= runs + 1 (past the end: 0).
    floors: Vec<Vec<f64>>,
}

impl SuffixFloors {
    fn new(prefix: &Prefix, k: usize) -> Self {
        let n = prefix.cells.len() - 1;
        let runs = n.min(256);
        let grid: Vec<usize> = (0..=runs).map(|t| t * n / runs).collect();
        let mut floors = vec![vec![0.0; runs + 2]; k];
        if k > 1 {
            for t in 0..runs {
                floors[1][t] = prefix.ssq(grid[t], n - 1);
            }
        }
        for j in 2..k {
            for t in 0..runs {
                // The first class holds whole runs t..s and ends at run s's start or inside it.
                let mut best = floors[j - 1][t + 1];
                for s in t + 1..=runs {
                    let first = prefix.ssq(grid[t], grid[s] - 1);
                    if first >= best {
                        break;
                    }
                    best = best.min(first + floors[j - 1][s].min(floors[j - 1][s + 1]));
                }
                floors[j][t] = best;
            }
        }
        SuffixFloors { grid, floors }
    }

    /// At most the best cost of `j` classes over sorted[i + 1..] (the values up to the next run
    /// left out: fewer values never cost more).
    fn after(&self, j: usize, i: usize) -> f64 {
        self.floors[j][self.grid.partition_point(|&p| p < i + 1)]
    }

    /// The rows of `rows` from the first to the last where `before(i) + self.after(j, i)` fits
    /// `bound`, for `before` growing with i: on each run's rows `after` is one number, so a run
    /// whose first row does not fit has none that does. All of `rows` when none fits.
    fn rows_within(&self, rows: Range<usize>, j: usize, before: impl Fn(usize) -> f64, bound: f64) -> Range<usize> {
        let fits = |i: usize, t: usize| before(i) + self.floors[j][t] <= bound;
        // Rows i with i + 1 in (grid[t - 1], grid[t]] see floors[j][t].
        let (mut first, mut last) = (None, None);
        for t in 1..self.grid.len() {
            let cell = self.grid[t - 1].max(rows.start)..self.grid[t].min(rows.end);
            if cell.is_empty() || !fits(cell.start, t) {
                continue;
            }
            first.get_or_insert(cell.start);
            last = Some(first_where(cell.clone(), |i| !fits(i, t)));
        }
        match (first, last) {
            (Some(first), Some(end)) => first..end,
            _ => rows,
        }
    }
}

/// Narrows `kept` (rows with finite costs in `prev`, growing along them) from both ends to the
/// rows where the cost so far plus the classes still to come fit `bound`; the rows cut off cost
/// +inf again. Unchanged when none fits (within rounding of the bound).
fn trim_kept(kept: Range<usize>, prev: &mut [f64], fits: impl Fn(usize, f64) -> bool) -> Range<usize> {
    let Some(start) = kept.clone().find(|&i| fits(i, prev[i])) else {
        return kept;
    };
    let end = kept.clone().rev().find(|&i| fits(i, prev[i])).map_or(kept.end, |i| i + 1);
    prev[kept.start..start].fill(f64::INFINITY);
    prev[end..kept.end].fill(f64::INFINITY);
    start..end
}

/// The optimal partition by the dynamic programme, each layer restricted to the rows a
/// partition costing at most `bound` can pass through (all of them when `bound` is infinite).
///
/// Row i of layer c is where class c (from 0) ends. A partition within the bound has every
/// class's sum of squares within it, and the sum of squares of a run of sorted values grows with
/// the run, so:
/// - from the end: class c ends at i only if class c + 1, which runs from i + 1 to at least the
///   first row of layer c + 1, fits the bound (for the last class, the run to n - 1);
/// - from the start: class c ends at i only if the best (c + 1)-class prefix up to i fits the
///   bound. A lower bound on it from the layer before ([`layer_floor`]) limits the rows before
///   they are solved, and their costs then trim them.
/// - both: class c ends at i only if the cost up to i (a lower bound before the layer is solved,
///   the cost after) plus a floor on the k - 1 - c classes after i ([`SuffixFloors`]) fits the
///   bound. This cuts the kept rows' ends and the rows each layer solves: at 1e5 uniform values
///   and k = 5, 25 k rows over 28 k columns instead of 114 k over 128 k.
///
/// Left-out rows cost +inf in the next layer, so no kept row takes them; ties at the optimum are
/// all within the bound, so the leftmost optimum is the same as without pruning.
fn partition_within(mut prefix: Prefix, k: usize, split: usize, bound: f64) -> (Vec<usize>, f64) {
    let n = prefix.cells.len() - 1;
    // first[c]: the first row of layer c, from the last layer back.
    let mut first = vec![n - 1; k];
    for c in (0..k - 1).rev() {
        let next = first[c + 1];
        let start = first_where(c + 1..next + 1, |j| prefix.ssq(j, next) <= bound);
        first[c] = (start - 1).max(c);
    }
    // Layer 0: one class from the start.
    let mut prev = vec_on_every_core(n, f64::INFINITY);
    let end0 = first_where(first[0]..n, |i| prefix.ssq(0, i) > bound);
    debug_assert!(end0 > first[0], "the bound admits some partition");
    let mut kept = first[0]..end0.max(first[0] + 1);
    for i in kept.clone() {
        prev[i] = prefix.ssq(0, i);
    }
    let floors = SuffixFloors::new(&prefix, k);
    if k > 1 {
        kept = trim_kept(kept, &mut prev, |i, cost| cost + floors.after(k - 1, i) <= bound);
    }
    // starts[m]: (its first row r, then for row i at i - r where the last class of the best
    // (m+1)-class partition of sorted[0..=i] starts), for the solved rows only.
    let mut starts: Vec<(usize, Vec<u32>)> = vec![(0, Vec::new())];
    // The rows whose cost the prefix cells hold (the others hold +inf).
    let mut shown = 0..0;
    for (m, &first_row) in first.iter().enumerate().skip(1) {
        // Row i: the best m+1 classes of sorted[0..=i]; column j: where the last class starts,
        // one past a kept row of the layer before.
        prefix.show_previous(&prev, shown, kept.clone());
        shown = kept.clone();
        let columns = kept.start + 1..kept.end + 1;
        let rows = if m + 1 == k {
            // The last layer needs only the whole series.
            n - 1..n
        } else {
            let low = first_row.max(m).max(columns.start);
            let floor = |i: usize, runs: usize| layer_floor(&prefix, &prev, columns.clone(), i, runs);
            let end = first_where(low..n, |i| floor(i, 1024) > bound);
            // A coarser floor (it is evaluated at every run of `floors`) plus the classes after.
            let rows = floors.rows_within(low..end.max(low + 1), k - 1 - m, |i| floor(i, 64), bound);
            rows.start..rows.end.max(rows.start + 1)
        };
        let mut arg = vec![0; rows.len()];
        // At most four pieces per layer: each split costs a scan of its columns, so more pieces
        // than cores would cost more than they save. A function of the layer's rows alone,
        // never of the threads.
        let split = split.max(rows.len().div_ceil(4));
        // The layer's costs go straight to `prev`: the layer reads the costs before from the
        // prefix cells, not from `prev`.
        prev[kept.clone()].fill(f64::INFINITY);
        let columns = columns.start..columns.end.min(n);
        layer_minima(rows.clone(), columns, split, &prefix, &mut arg, &mut prev[rows.clone()]);
        let (mut low, mut last) = (None, rows.start);
        for i in rows.clone() {
            if prev[i] <= bound || m + 1 == k {
                low.get_or_insert(i);
                last = i;
            } else {
                prev[i] = f64::INFINITY;
            }
        }
        // The rows with a finite cost: along them the costs grow.
        kept = low.unwrap_or(rows.start)..last + 1;
        if m + 1 < k {
            kept = trim_kept(kept, &mut prev, |i, cost| cost + floors.after(k - 1 - m, i) <= bound);
        }
        starts.push((rows.start, arg));
    }
    let total = prev[n - 1];
    let mut ends = vec![n - 1; k];
    let mut end = n - 1;
    for m in (1..k).rev() {
        let (first_row, arg) = &starts[m];
        let start = arg[end - first_row] as usize;
        ends[m - 1] = start - 1;
        end = start - 1;
    }
    (ends, total)
}

/// `values` in ascending total order. Values equal in that order are equal bits, so an unstable
/// sort, on any number of threads, gives the same array. The sort runs on integer keys that
/// order as `f64::total_cmp` does (one comparison instruction each, not two bit flips and a
/// comparison).
fn sorted_total_order(values: &[f64]) -> Vec<f64> {
    // The sign bit set: all bits flipped; clear: the sign bit flipped. Its own inverse on the
    // way back, after the flip of the sign bit.
    let key = |v: f64| {
        let bits = v.to_bits();
        bits ^ (((bits as i64 >> 63) as u64) | (1 << 63))
    };
    let value = |k: u64| f64::from_bits(k ^ ((((k ^ (1 << 63)) as i64 >> 63) as u64) | (1 << 63)));
    let mut keys: Vec<u64> = values.par_iter().map(|&v| key(v)).collect();
    keys.par_sort_unstable();
    keys.into_iter().map(value).collect()
}

impl Classifier for Jenks {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        if let Some(i) = reference.iter().position(|v| !v.is_finite()) {
            return Err(Error::data("jenks", format!("value {} is not finite ({}th value)", reference[i], i + 1)));
        }
        crate::spread_computable("jenks", reference)?;
        let sorted = sorted_total_order(reference);
        let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
        if distinct < self.k {
            return Err(Error::data(
                "jenks",
                format!("{} classes need at least {} distinct values, got {distinct}", self.k, self.k),
            ));
        }
        let (ends, _) = jenks_partition(&sorted, self.k);
        let cuts: Vec<f64> = ends[..self.k - 1].iter().map(|&e| sorted[e]).collect();
        Ok(Outcome::new(Breaks::from_sorted(cuts, CutRule::UpperInclusive, reference, &sorted)))
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
        // No values at all had been called "too large to compute with".
        let err = JenksParams { k: 3 }.check().unwrap().fit(&[]).unwrap_err().to_string();
        assert_eq!(err, "jenks: no values to classify");
        assert!(JenksParams { k: 1 }.check().is_err());
    }

    /// The O(k n^2) textbook programme: the best total within-class sum of squares.
    fn quadratic_programme(sorted: &[f64], k: usize) -> f64 {
        let p = Prefix::new(sorted);
        let n = sorted.len();
        let mut prev: Vec<f64> = (0..n).map(|i| p.ssq(0, i)).collect();
        for m in 1..k {
            prev = (0..n).map(|i| (m..=i).map(|j| prev[j - 1] + p.ssq(j, i)).fold(f64::INFINITY, f64::min)).collect();
        }
        prev[n - 1]
    }

    #[test]
    fn large_input_matches_quadratic_dynamic_programme() {
        let v: Vec<f64> = (0..300u64).map(|i| ((i * 7919) % 1000) as f64 / 7.0 + (i % 13) as f64).collect();
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let (_, total) = jenks_partition(&s, 6);
        let best = quadratic_programme(&s, 6);
        assert!((total - best).abs() < 1e-9 * best.max(1.0));
    }

    /// The pruned programme equals the full one on large inputs too, where the layers split into
    /// pieces and the bounds cut deepest: uniform, skewed, clustered and heavily tied values. (A
    /// bound 30 % too tight fails it; 10 % does not, as the bound only prunes prefixes of at most
    /// k - 1 classes, and the small random inputs of the property test below catch that.)
    #[test]
    fn pruned_programme_equals_the_full_one_on_large_inputs() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let inputs: Vec<(&str, Vec<f64>)> = vec![
            ("uniform", (0..n).map(|_| rng.gen::<f64>()).collect()),
            ("skewed", (0..n).map(|_| rng.gen::<f64>().powi(4)).collect()),
            ("clustered", (0..n).map(|i| (i % 7) as f64 * 10.0 + rng.gen::<f64>()).collect()),
            ("tied", (0..n).map(|_| f64::from(rng.gen_range(0u8..40))).collect()),
        ];
        for (name, values) in inputs {
            let sorted = sorted_total_order(&values);
            for k in [3, 5, 8] {
                let prefix = || Prefix::new(&sorted);
                let pruned = partition_within(prefix(), k, SPLIT_ROWS, pruning_bound(&prefix(), &sorted, k));
                let full = partition_within(prefix(), k, SPLIT_ROWS, f64::INFINITY);
                assert_eq!(pruned, full, "{name}, k = {k}");
            }
        }
    }

    proptest::proptest! {
        // Each case runs the quadratic programme on several suffixes of up to 420 values.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// The coarse floors never exceed the best cost of the classes after a row, with runs of
        /// one value (n <= 256) and of several (n > 256). (Floors 10 % too high fail it.)
        #[test]
        fn suffix_floors_are_at_most_the_best_cost_after_a_row(
            reals in proptest::collection::vec(0.0f64..1.0, 3..420),
            cube in proptest::bool::ANY,
            k in 2usize..6,
        ) {
            let values: Vec<f64> = reals.iter().map(|&v| if cube { v * v * v } else { v }).collect();
            let sorted = sorted_total_order(&values);
            let prefix = Prefix::new(&sorted);
            let floors = SuffixFloors::new(&prefix, k);
            let n = sorted.len();
            let whole = prefix.ssq(0, n - 1);
            for i in (0..n - 1).step_by(n / 7 + 1) {
                for j in 1..k.min(n - 1 - i + 1) {
                    let best = quadratic_programme(&sorted[i + 1..], j);
                    let floor = floors.after(j, i);
                    // Prefix sums round on the scale of the whole sum of squares, not of this
                    // suffix's (the pruning bound's margin is 1e-9 of the whole).
                    proptest::prop_assert!(floor <= best + 1e-12 * whole, "j {j}, i {i}: {floor} > {best}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Pruning by the bound leaves the optimum, and the leftmost of tied optima, as the full
        /// programme finds them: on values with many ties (small integers) and without, split
        /// into pieces or not. Only for k up to the distinct values, as `Jenks::fit` allows:
        /// with more classes than values, classes of equal values tie at a cost of 0 up to
        /// rounding (the prefix sums are not exact), where Monge bends and SMAWK over fewer
        /// columns may pick another of the optima (found with 5 classes over the values 0, 2, 4).
        #[test]
        fn pruned_programme_equals_the_full_one(
            ints in proptest::collection::vec(0u8..6, 2..150),
            reals in proptest::collection::vec(0.0f64..1.0, 2..150),
            k in 2usize..7,
            split in 1usize..40,
        ) {
            for values in [ints.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>(), reals.iter().map(|v| v * v).collect()] {
                let sorted = sorted_total_order(&values);
                let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
                let k = k.min(distinct);
                let prefix = || Prefix::new(&sorted);
                let pruned = partition_within(prefix(), k, split, pruning_bound(&prefix(), &sorted, k));
                let full = partition_within(prefix(), k, split, f64::INFINITY);
                proptest::prop_assert_eq!(pruned, full);
            }
        }

        /// The integer keys sort as `f64::total_cmp` does, and come back the same bits: signed
        /// zeros, infinities, NaNs of both signs, subnormals.
        #[test]
        fn sorted_on_keys_as_by_total_cmp(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::f64::ANY,
                    proptest::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -f64::NAN, f64::MIN_POSITIVE / 4.0, -f64::MIN_POSITIVE / 4.0]),
                ],
                0..200,
            )
        ) {
            let mut expected = values.clone();
            expected.sort_by(f64::total_cmp);
            let got = sorted_total_order(&values);
            proptest::prop_assert_eq!(got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        }

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

        /// SMAWK's layers against the quadratic programme on longer series with many ties (values
        /// drawn from a few levels, so that equal costs and flat stretches are common).
        #[test]
        fn linear_layers_equal_the_quadratic_programme(
            levels in proptest::collection::vec(0u8..40, 2..160),
            scale in 0.01f64..1e3,
            k in 2usize..9,
        ) {
            let mut s: Vec<f64> = levels.iter().map(|&l| f64::from(l) * scale).collect();
            s.sort_by(f64::total_cmp);
            proptest::prop_assume!(k <= s.len());
            let best = quadratic_programme(&s, k);
            // Whole layers, and layers split above 4 rows (the path of long series).
            for split in [usize::MAX, 4] {
                let (ends, total) = partition_split(&s, k, split);
                proptest::prop_assert!((total - best).abs() <= 1e-9 * best.max(scale * scale), "{total} vs {best}");
                proptest::prop_assert!(ends.windows(2).all(|w| w[0] < w[1]) && ends[k - 1] == s.len() - 1, "{ends:?}");
            }
        }
    }
}
