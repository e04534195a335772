//! Fits over chunks of rows: a stage's fit expressed as passes of mergeable column statistics
//! (counts, sums, minima, maxima, sums that need an earlier pass's result), so that a panel too
//! large for memory is fitted chunk by chunk, and the in-memory fit is the same code on one chunk.
//!
//! A pass folds every chunk into a [`PassState`] and merges the chunks' states in chunk order,
//! so the result depends on where the chunks are cut (by rounding, ~1e-15 relative) but never on
//! how many threads folded them.

use crate::stats::{moments_of, ColumnStats, Moments};
use crate::{Error, Matrix, Outcome, Result, StageContext};

/// How two partial values of one statistic combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    Sum,
    Min,
    Max,
}

impl Merge {
    fn identity(self) -> f64 {
        match self {
            Merge::Sum => 0.0,
            Merge::Min => f64::INFINITY,
            Merge::Max => f64::NEG_INFINITY,
        }
    }

    fn combine(self, a: f64, b: f64) -> f64 {
        match self {
            Merge::Sum => a + b,
            Merge::Min => a.min(b),
            Merge::Max => a.max(b),
        }
    }
}

/// The partial statistics of one pass: the same slots for every column, each with its merge.
#[derive(Debug, Clone, PartialEq)]
pub struct PassState {
    slots: Vec<Merge>,
    /// Column by column: `values[j * slots.len() + s]`.
    values: Vec<f64>,
}

impl PassState {
    /// The empty state (every slot at its merge's identity) for `ncols` columns.
    pub fn new(slots: &[Merge], ncols: usize) -> Self {
        let values = (0..ncols).flat_map(|_| slots.iter().map(|m| m.identity())).collect();
        PassState { slots: slots.to_vec(), values }
    }

    /// A state from its slots and its values, column by column (`values[j * slots.len() + s]`):
    /// a state sent between processes. `None` when the lengths do not fit.
    pub fn from_parts(slots: &[Merge], values: Vec<f64>) -> Option<Self> {
        let fits = if slots.is_empty() { values.is_empty() } else { values.len().is_multiple_of(slots.len()) };
        fits.then(|| PassState { slots: slots.to_vec(), values })
    }

    /// The values, column by column (see [`Self::from_parts`]).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Slot `s` of column `j`.
    pub fn get(&self, j: usize, s: usize) -> f64 {
        self.values[j * self.slots.len() + s]
    }

    /// Folds `value` into slot `s` of column `j` with the slot's merge.
    pub fn add(&mut self, j: usize, s: usize, value: f64) {
        let k = j * self.slots.len() + s;
        self.values[k] = self.slots[s].combine(self.values[k], value);
    }

    /// The first `width` slots of every column, and the others: the states of two fits folded
    /// side by side ([`Both`]).
    pub fn split(&self, width: usize) -> (PassState, PassState) {
        let all = self.slots.len();
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for column in self.values.chunks(all.max(1)) {
            first.extend_from_slice(&column[..width]);
            second.extend_from_slice(&column[width..]);
        }
        let part = |slots: &[Merge], values| PassState { slots: slots.to_vec(), values };
        (part(&self.slots[..width], first), part(&self.slots[width..], second))
    }

    /// The state whose columns hold `first`'s slots, then `second`'s: [`Self::split`] undone.
    pub fn join(first: &PassState, second: &PassState) -> PassState {
        let (a, b) = (first.slots.len(), second.slots.len());
        let ncols = first.values.len().checked_div(a).unwrap_or_else(|| second.values.len() / b.max(1));
        let mut values = Vec::with_capacity(first.values.len() + second.values.len());
        for j in 0..ncols {
            values.extend_from_slice(&first.values[j * a..(j + 1) * a]);
            values.extend_from_slice(&second.values[j * b..(j + 1) * b]);
        }
        PassState { slots: [first.slots.as_slice(), second.slots.as_slice()].concat(), values }
    }

    /// Folds another chunk's state of the same pass into this one.
    pub fn merge(&mut self, other: &PassState) {
        debug_assert_eq!(self.slots, other.slots);
        let width = self.slots.len();
        for (k, v) in other.values.iter().enumerate() {
            self.values[k] = self.slots[k % width].combine(self.values[k], *v);
        }
    }
}

/// A fit computed in passes over chunks of rows of its input block.
pub trait ChunkedFit<T>: Send + Sync {
    /// The slots of each pass for a block of `ncols` columns (one list per pass; no pass for a
    /// fit that needs no data). Every column has the same slots: a pass over pairs of columns
    /// (co-moments) gives each column `ncols` slots.
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>>;
    /// Folds `chunk`, rows `first_row..` of the block, into `state` of pass `pass`; `done` holds
    /// the merged states of the passes before it.
    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()>;
    /// The fitted value from the merged state of every pass.
    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>>;
}

/// The first cell `(row, column)` of `chunk` whose value `x` in column `j` fails `ok(j, x)`, in
/// row order, then column order: the cell a refusal names, the same however a block is cut into
/// chunks (and on any number of threads, as the chunks' errors are taken in chunk order).
pub fn first_failing_cell(chunk: &Matrix, ok: impl Fn(usize, f64) -> bool) -> Option<(usize, usize)> {
    (0..chunk.ncols()).filter_map(|j| chunk.column(j).iter().position(|&x| !ok(j, x)).map(|i| (i, j))).min()
}

/// A block's rows in chunks, by index: an in-memory matrix cut every so many rows, a file's row
/// groups. `Sync`, so that the chunks of a pass can be folded on several threads.
pub trait RowChunks: Sync {
    /// The number of chunks.
    fn count(&self) -> usize;
    /// Calls `f` with chunk `k` and the block row its first row is.
    fn with_chunk(&self, k: usize, f: &mut dyn FnMut(&Matrix, usize) -> Result<()>) -> Result<()>;
    /// Where block row `row` is (a file's row group and row), for errors; `None`: the row is
    /// named by its number.
    fn place(&self, _row: usize) -> Option<String> {
        None
    }
    /// Rewrites every chunk with `f` where the chunks are held in memory (a normaliser applied
    /// once, in place, instead of at every later pass); `None` when they are not held.
    fn rewrite_chunks(&mut self, _f: &(dyn Fn(&mut Matrix) -> Result<()> + Sync)) -> Option<Result<()>> {
        None
    }
}

/// A whole matrix as one chunk: the in-memory fit.
pub struct Whole<'a>(pub &'a Matrix);

impl RowChunks for Whole<'_> {
    fn count(&self) -> usize {
        1
    }

    fn with_chunk(&self, _k: usize, f: &mut dyn FnMut(&Matrix, usize) -> Result<()>) -> Result<()> {
        f(self.0, 0)
    }
}

/// Folds chunk k (its argument) into a fresh state of one pass.
pub type FoldChunk<'a> = dyn Fn(usize) -> Result<PassState> + Sync + 'a;

/// Folds chunks 0..n with the fold given, on any threads, returning their states in chunk order.
pub type MapChunks<'a> = dyn Fn(usize, &FoldChunk<'_>) -> Result<Vec<PassState>> + 'a;

/// Runs `fit` over `chunks`: `map(n, fold)` folds chunks 0..n (in any order, on any threads)
/// and returns their states in chunk order, which are then merged left to right.
pub fn fit_with<T>(
    fit: &dyn ChunkedFit<T>,
    chunks: &dyn RowChunks,
    ncols: usize,
    cx: &StageContext<'_>,
    map: &MapChunks<'_>,
) -> Result<Outcome<T>> {
    let mut done: Vec<PassState> = Vec::new();
    for (pass, slots) in fit.passes(ncols).iter().enumerate() {
        let fold = |k: usize| {
            let mut state = PassState::new(slots, ncols);
            chunks.with_chunk(k, &mut |chunk, first| fit.update(pass, &done, chunk, first, &mut state, cx))?;
            Ok(state)
        };
        let states = map(chunks.count(), &fold)?;
        let mut merged = PassState::new(slots, ncols);
        for s in &states {
            merged.merge(s);
        }
        done.push(merged);
    }
    fit.finish(&done, cx)
}

/// Runs `fit` over `chunks` on this thread.
pub fn fit_sequential<T>(
    fit: &dyn ChunkedFit<T>,
    chunks: &dyn RowChunks,
    ncols: usize,
    cx: &StageContext<'_>,
) -> Result<Outcome<T>> {
    fit_with(fit, chunks, ncols, cx, &|n, fold| (0..n).map(fold).collect())
}

/// Runs `fit` on a whole matrix (one chunk): what every in-memory fit of a chunked method is.
pub fn fit_in_memory<T>(fit: &dyn ChunkedFit<T>, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<T>> {
    fit_sequential(fit, &Whole(reference), reference.ncols(), cx)
}

/// A fit from each column's [`ColumnStats`] (cells, and count, mean, standard deviations, min, max
/// of the finite values), in two passes: counts, sums and extremes, then squares about the mean (only
/// with `spread`; without, the standard deviations are NaN). `method` names the method in the
/// error for a column without a finite value.
pub struct StatsFit<F> {
    pub method: &'static str,
    pub spread: bool,
    pub build: F,
}

/// The slots of a pass of each column's [`Moments`]: cells, finite count, sum, min, max.
pub const MOMENT_SLOTS: [Merge; 5] = [Merge::Sum, Merge::Sum, Merge::Sum, Merge::Min, Merge::Max];

const STATS_PASSES: [&[Merge]; 2] = [&MOMENT_SLOTS, &[Merge::Sum]];

/// Folds each column of `chunk` into its [`MOMENT_SLOTS`] of `state`.
pub fn fold_moments(chunk: &Matrix, state: &mut PassState) {
    for (j, col) in chunk.columns().enumerate() {
        let m = moments_of(col);
        [m.cells as f64, m.n as f64, m.sum, m.min, m.max].iter().enumerate().for_each(|(s, v)| state.add(j, s, *v));
    }
}

/// Column `j`'s [`Moments`] from a merged state of [`MOMENT_SLOTS`].
pub fn moments_at(state: &PassState, j: usize) -> Moments {
    Moments {
        cells: state.get(j, 0) as usize,
        n: state.get(j, 1) as usize,
        sum: state.get(j, 2),
        min: state.get(j, 3),
        max: state.get(j, 4),
    }
}

impl<T, F> ChunkedFit<T> for StatsFit<F>
where
    F: Fn(Vec<ColumnStats>, &StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        STATS_PASSES[..if self.spread { 2 } else { 1 }].iter().map(|p| p.to_vec()).collect()
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        _cx: &StageContext<'_>,
    ) -> Result<()> {
        if pass == 0 {
            fold_moments(chunk, state);
            return Ok(());
        }
        for (j, col) in chunk.columns().enumerate() {
            let mean = done[0].get(j, 2) / done[0].get(j, 1);
            state.add(j, 0, crate::stats::squares_about(col, mean));
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        let stats = (0..cx.system.len())
            .map(|j| {
                moments_at(&states[0], j).stats(states.get(1).map_or(f64::NAN, |b| b.get(j, 0))).ok_or_else(|| {
                    Error::data(
                        format!("{}: {}", self.method, cx.indicator(j)),
                        "no finite value in the reference rows",
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        (self.build)(stats, cx)
    }
}

/// A fit from each column's [`Moments`] and the co-moments of every pair of columns about their
/// means (a correlation or covariance matrix), in two passes: counts, sums and extremes, then
/// `ncols` sums of products a column. `build` gets the moments and the merged co-moments
/// (`co.get(j, k)`). A non-finite cell counts in a column's `cells` but not its `n`, and makes
/// the co-moments NaN: `build` refuses it.
pub struct CoMomentsFit<F>(pub F);

impl<T, F> ChunkedFit<T> for CoMomentsFit<F>
where
    F: Fn(&[Moments], &PassState, &StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        vec![MOMENT_SLOTS.to_vec(), vec![Merge::Sum; ncols]]
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        _cx: &StageContext<'_>,
    ) -> Result<()> {
        if pass == 0 {
            fold_moments(chunk, state);
            return Ok(());
        }
        let centred: Vec<Vec<f64>> = chunk
            .columns()
            .enumerate()
            .map(|(j, col)| {
                let mean = done[0].get(j, 2) / done[0].get(j, 1);
                col.iter().map(|v| v - mean).collect()
            })
            .collect();
        for j in 0..centred.len() {
            for k in j..centred.len() {
                let c: f64 = centred[j].iter().zip(&centred[k]).map(|(a, b)| a * b).sum();
                state.add(j, k, c);
                if k != j {
                    state.add(k, j, c);
                }
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        let moments: Vec<Moments> = (0..cx.system.len()).map(|j| moments_at(&states[0], j)).collect();
        (self.0)(&moments, &states[1], cx)
    }
}

/// Two fits side by side, their results joined by `build`: pass k folds both fits' pass k (a
/// fit with fewer passes sits the later ones out), so the rows are read as often as the longer
/// fit needs rather than as often as both. Each fit sees its own states only.
pub struct Both<'a, A, B, F> {
    pub first: Box<dyn ChunkedFit<A> + 'a>,
    pub second: Box<dyn ChunkedFit<B> + 'a>,
    pub build: F,
}

impl<A, B, F> Both<'_, A, B, F> {
    /// The two fits' slot lists, pass by pass.
    fn slots(&self, ncols: usize) -> (Vec<Vec<Merge>>, Vec<Vec<Merge>>) {
        (self.first.passes(ncols), self.second.passes(ncols))
    }
}

/// `states` split into the first fit's (those of its `first` passes) and the second's.
fn split_states(states: &[PassState], first: &[Vec<Merge>], second: usize) -> (Vec<PassState>, Vec<PassState>) {
    let parts: Vec<(PassState, PassState)> =
        states.iter().enumerate().map(|(k, s)| s.split(first.get(k).map_or(0, Vec::len))).collect();
    let ours = parts.iter().take(first.len()).map(|p| p.0.clone()).collect();
    let theirs = parts.iter().take(second).map(|p| p.1.clone()).collect();
    (ours, theirs)
}

impl<A, B, T, F> ChunkedFit<T> for Both<'_, A, B, F>
where
    F: Fn(Outcome<A>, Outcome<B>, &StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        let (a, b) = self.slots(ncols);
        (0..a.len().max(b.len()))
            .map(|k| [a.get(k), b.get(k)].into_iter().flatten().flatten().copied().collect())
            .collect()
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        let (a, b) = self.slots(chunk.ncols());
        let (a_done, b_done) = split_states(done, &a, b.len());
        let (mut a_state, mut b_state) = state.split(a.get(pass).map_or(0, Vec::len));
        if pass < a.len() {
            self.first.update(pass, &a_done, chunk, first_row, &mut a_state, cx)?;
        }
        if pass < b.len() {
            self.second.update(pass, &b_done, chunk, first_row, &mut b_state, cx)?;
        }
        *state = PassState::join(&a_state, &b_state);
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        let (a, b) = self.slots(cx.system.len());
        let (a_states, b_states) = split_states(states, &a, b.len());
        (self.build)(self.first.finish(&a_states, cx)?, self.second.finish(&b_states, cx)?, cx)
    }
}

/// A fit that reads no data (fixed weights, fixed ideals): no pass, `build` alone.
pub struct NoData<F>(pub F);

impl<T, F> ChunkedFit<T> for NoData<F>
where
    F: Fn(&StageContext<'_>) -> Result<Outcome<T>> + Send + Sync,
{
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        Vec::new()
    }

    fn update(
        &self,
        _: usize,
        _: &[PassState],
        _: &Matrix,
        _: usize,
        _: &mut PassState,
        _: &StageContext<'_>,
    ) -> Result<()> {
        Ok(())
    }

    fn finish(&self, _states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<T>> {
        (self.0)(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_split_at_any_width_joins_back_and_each_part_keeps_its_columns() {
        let slots = [Merge::Sum, Merge::Min, Merge::Max];
        let state = PassState::from_parts(&slots, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let (first, second) = state.split(1);
        assert_eq!((first.values(), second.values()), (&[1.0, 4.0][..], &[2.0, 3.0, 5.0, 6.0][..]));
        assert_eq!((first.get(1, 0), second.get(1, 1)), (4.0, 6.0));
        for width in 0..=3 {
            let (a, b) = state.split(width);
            assert_eq!(PassState::join(&a, &b), state, "width {width}");
        }
    }
}
