//! The stage traits (impute, normalise, weight, score, classify) and the values they pass on.
//!
//! Every stage fits on a reference block of rows and applies to any rows; every result carries
//! its diagnostics beside the value.

use crate::chunked::ChunkedFit;
use std::fmt::Debug;

use serde::Serialize;

use crate::{Error, ImputedCell, IndicatorSystem, Matrix, Panel, Polarity, Result};

/// How serious a diagnostic is. Warnings are printed in the summary; both go to the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
}

/// A data-quality finding that is not an error: a constant column, a zero weight, a tie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case code, such as `constant-column`, that tests and tools can match.
    pub code: String,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code: code.into(), message: message.into() }
    }

    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Info, code: code.into(), message: message.into() }
    }
}

/// A value with the diagnostics produced while making it.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    pub value: T,
    pub notes: Vec<Diagnostic>,
}

impl<T> Outcome<T> {
    pub fn new(value: T) -> Self {
        Outcome { value, notes: Vec::new() }
    }

    pub fn with_notes(value: T, notes: Vec<Diagnostic>) -> Self {
        Outcome { value, notes }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        Outcome { value: f(self.value), notes: self.notes }
    }
}

/// The unit and period of a row of the block a stage works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLabel {
    pub unit: String,
    pub period: i32,
}

/// Where row `i` of a block is, for a block whose rows have no labels held (a panel streamed
/// from disk: `file, row group 3, row 17`).
pub type RowPlace<'a> = &'a (dyn Fn(usize) -> String + Sync);

/// What every stage is told about the block it works on: the indicator system (ids, names,
/// polarities), each column's current orientation, and the unit and period of each row, so that
/// any method names indicator, unit and period in its errors and notes.
#[derive(Clone, Copy)]
pub struct StageContext<'a> {
    pub system: &'a IndicatorSystem,
    /// Each column's polarity as the data stands now (after earlier normalisers).
    pub orientation: &'a [Polarity],
    /// The unit and period of each row; empty when the rows are plain alternatives.
    pub rows: &'a [RowLabel],
    /// Where a row without a label is; `None`: it is named by its number.
    pub place: Option<RowPlace<'a>>,
}

impl std::fmt::Debug for StageContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StageContext")
            .field("system", self.system)
            .field("orientation", &self.orientation)
            .field("rows", &self.rows)
            .field("place", &self.place.map(|_| "fn"))
            .finish()
    }
}

impl<'a> StageContext<'a> {
    /// A context for plain alternatives (a decision matrix): rows are named by their number.
    pub fn columns(system: &'a IndicatorSystem, orientation: &'a [Polarity]) -> Self {
        StageContext { system, orientation, rows: &[], place: None }
    }

    /// The same block with its unlabelled rows named by `place`.
    pub fn placed(self, place: Option<RowPlace<'a>>) -> Self {
        StageContext { place, ..self }
    }

    /// The same block with another column orientation (the next step of a chain).
    pub fn oriented(self, orientation: &'a [Polarity]) -> Self {
        StageContext { orientation, ..self }
    }

    /// `indicator `X1`` for column `j`.
    pub fn indicator(&self, j: usize) -> String {
        match self.system.indicators().get(j) {
            Some(i) => format!("indicator `{}`", i.id),
            None => format!("column {}", j + 1),
        }
    }

    /// `unit `A`, period 2010` for row `i` (or where it is in its file, or `row 3` for plain
    /// alternatives).
    pub fn row(&self, i: usize) -> String {
        match (self.rows.get(i), self.place) {
            (Some(r), _) => format!("unit `{}`, period {}", r.unit, r.period),
            (None, Some(place)) => place(i),
            (None, None) => format!("row {}", i + 1),
        }
    }

    /// `indicator `X1`, unit `A`, period 2010`: the place of a cell in messages.
    pub fn cell(&self, i: usize, j: usize) -> String {
        format!("{}, {}", self.indicator(j), self.row(i))
    }
}

/// Fills missing cells of a panel and lists every cell it filled.
pub trait Imputer: Debug + Send + Sync {
    fn impute(&self, panel: &Panel) -> Result<Outcome<(Panel, Vec<ImputedCell>)>>;
}

/// A normalisation method before fitting.
///
/// `orientation` is each column's polarity as the data stands now: a normaliser that flips cost
/// columns returns all-benefit orientation, so polarity is applied exactly once along a chain.
pub trait Normalizer: Debug + Send + Sync {
    /// The fit on a whole reference block: by default the fit over chunks run on it as one
    /// chunk, so that a method with [`Self::chunked`] has one fit, not two. A method without one
    /// implements this instead.
    fn fit(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let fit = self.chunked().expect("a normaliser implements `fit` or `chunked`");
        crate::chunked::fit_in_memory(&*fit, reference, cx)
    }
    /// The same fit over chunks of rows (`crate::chunked`), for a method whose fit is made of
    /// mergeable statistics; `None`: the method needs the whole block in memory.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        None
    }
}

/// A normaliser fitted on a reference block, applicable to any rows.
pub trait FittedNormalizer: Debug + Send + Sync {
    /// Normalises `data` over itself: a caller that no longer needs the raw values (a chunked
    /// fit normalising the chunks it holds, once) allocates, and faults in, no second matrix.
    fn transform_in_place(&self, data: &mut Matrix) -> Result<()>;
    /// [`Self::transform_in_place`] on a copy (same bits), the raw values kept.
    fn transform(&self, data: &Matrix) -> Result<Matrix> {
        let mut out = data.clone();
        self.transform_in_place(&mut out)?;
        Ok(out)
    }
    /// Column orientation of the output.
    fn output_orientation(&self) -> Vec<Polarity>;
    /// Per-column statistics learned in the fit (z-score: mean and sd; min-max: min and max), for
    /// intermediates.csv and the manifest.
    fn learned(&self) -> NamedColumns {
        Vec::new()
    }
    /// The cells of `data` the transform capped (goalposts): (row, column, value before, bound).
    fn capped(&self, _data: &Matrix) -> Vec<(usize, usize, f64, f64)> {
        Vec::new()
    }
}

/// Indicator weights, aligned with the indicator system; non-negative and summing to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights(pub Vec<f64>);

impl Weights {
    /// Weights from non-negative values, renormalised to sum to 1.
    pub fn normalized(values: Vec<f64>) -> Result<Weights> {
        if let Some(j) = values.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::data(
                format!("weight {}", j + 1),
                format!("must be finite and >= 0, got {}", values[j]),
            ));
        }
        let sum: f64 = values.iter().sum();
        if sum <= 0.0 {
            return Err(Error::data("weights", "all weights are zero"));
        }
        // Finite weights can sum past the largest float; divided by that infinity, every weight
        // would have become zero.
        if !sum.is_finite() {
            return Err(Error::data("weights", "their sum is past the largest float: give them on a smaller scale"));
        }
        Ok(Weights(values.into_iter().map(|w| w / sum).collect()))
    }

    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }
}

/// Derives weights from a reference block. `orientation` is each column's polarity as the data
/// stands (after the normalisers), for methods whose reading depends on it (CRITIC).
pub trait Weighter: Debug + Send + Sync {
    /// The weights of a whole reference block: by default the fit over chunks run on it as one
    /// chunk (see [`Normalizer::fit`]).
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let fit = self.chunked().expect("a weighting implements `weights` or `chunked`");
        crate::chunked::fit_in_memory(&*fit, reference, cx)
    }
    /// The same fit over chunks of rows; `None`: the method needs the whole block in memory.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        None
    }
}

/// Whether a higher score is better (TOPSIS closeness) or worse (VIKOR's Q).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// A scorer's output for some rows: the primary score and named extra columns (D+, D-, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTable {
    pub score: Vec<f64>,
    pub extras: Vec<(String, Vec<f64>)>,
    pub direction: Direction,
}

/// Each aggregate's member weights: (`subsystem:education`, [(EYS, 0.5), (MYS, 0.5)]).
pub type GroupWeights = Vec<(String, Vec<(String, f64)>)>;

/// Named per-column vectors, such as TOPSIS's ideal and anti-ideal.
pub type NamedColumns = Vec<(String, Vec<f64>)>;

/// A scoring method before fitting (TOPSIS before its ideals are known).
pub trait Scorer: Debug + Send + Sync {
    /// The fit on a whole reference block: by default the fit over chunks run on it as one
    /// chunk (see [`Normalizer::fit`]).
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let fit = self.chunked(weights).expect("a scorer implements `fit` or `chunked`");
        crate::chunked::fit_in_memory(&*fit, reference, cx)
    }
    /// The same fit over chunks of rows, for a scorer whose fit is made of mergeable statistics
    /// and whose fitted form scores each row on its own; `None`: whole block in memory.
    fn chunked<'a>(&'a self, _weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        None
    }
}

/// A fitted scorer: applies to any rows.
pub trait FittedScorer: Debug + Send + Sync {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>>;
    /// Per-column reference vectors learned in the fit (TOPSIS: the ideal and anti-ideal in
    /// weighted units), for the intermediate tables.
    fn column_references(&self) -> NamedColumns {
        Vec::new()
    }
    /// Weights the scorer settled in the fit beyond the indicator weights (a level-by-level
    /// scorer: each group's member weights, `subsystem:education` -> [(EYS, 0.5), (MYS, 0.5)]),
    /// for the manifest.
    fn group_weights(&self) -> GroupWeights {
        Vec::new()
    }
}

/// Which class a value equal to a cut point belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutRule {
    /// A cut point is the largest value of the lower class (Jenks).
    UpperInclusive,
    /// A cut point is the smallest value of the higher class (published thresholds).
    LowerInclusive,
}

/// Class boundaries: `cuts` are the k-1 boundaries between k classes, in increasing order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breaks {
    pub cuts: Vec<f64>,
    pub rule: CutRule,
    /// Smallest and largest reference value.
    pub min: f64,
    pub max: f64,
    /// How well the classes fit the reference values.
    #[serde(flatten)]
    pub fit: FitStatistics,
}

/// How well classes fit the values they were fitted on, as mapclassify reports it: the goodness
/// of variance fit 1 - SDCM / SDAM, the within-class sum of squares TSS, the absolute deviation
/// around class medians ADCM, and the goodness of absolute deviation fit 1 - ADCM / ADAM (ADAM
/// the absolute deviation around the overall median); GVF and GADF are 1 when the values are all
/// equal.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FitStatistics {
    pub gvf: f64,
    pub tss: f64,
    pub adcm: f64,
    pub gadf: f64,
}

impl Breaks {
    /// Breaks with these cuts over non-empty, finite `reference` values, with their fit.
    pub fn new(cuts: Vec<f64>, rule: CutRule, reference: &[f64]) -> Breaks {
        Breaks::fitted(cuts, rule, reference, None)
    }

    /// [`Breaks::new`] for a classifier that has sorted the reference values (ascending in
    /// [`f64::total_cmp`]): the medians of the fit are read off the sorted values instead of
    /// selected from copies. The same numbers to the bit.
    pub fn from_sorted(cuts: Vec<f64>, rule: CutRule, reference: &[f64], sorted: &[f64]) -> Breaks {
        debug_assert_eq!(reference.len(), sorted.len());
        Breaks::fitted(cuts, rule, reference, Some(sorted))
    }

    fn fitted(cuts: Vec<f64>, rule: CutRule, reference: &[f64], sorted: Option<&[f64]>) -> Breaks {
        let (min, max) =
            reference.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let mut breaks = Breaks { cuts, rule, min, max, fit: FitStatistics::default() };
        breaks.fit = fit_statistics(reference, |x| breaks.class_of(x), breaks.k(), sorted);
        breaks
    }

    pub fn k(&self) -> usize {
        self.cuts.len() + 1
    }

    /// The 1-based class of `x`.
    pub fn class_of(&self, x: f64) -> usize {
        let below = match self.rule {
            CutRule::UpperInclusive => self.cuts.iter().filter(|&&c| c < x).count(),
            CutRule::LowerInclusive => self.cuts.iter().filter(|&&c| c <= x).count(),
        };
        below + 1
    }

    /// The upper bound of each class: the cuts, then the reference maximum, or the last cut when
    /// that is above the maximum (fixed cuts can leave the top class empty), so that the bounds
    /// never decrease. mapclassify's UserDefined likewise appends the maximum only when it
    /// exceeds the last bin.
    pub fn upper_bounds(&self) -> Vec<f64> {
        let top = self.cuts.last().map_or(self.max, |&last| self.max.max(last));
        self.cuts.iter().copied().chain(std::iter::once(top)).collect()
    }
}

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    // Selection, not a sort: linear time, the same middle values.
    let (below, &mut middle, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        middle
    } else {
        let lower = below.iter().copied().max_by(f64::total_cmp).expect("n >= 2");
        (lower + middle) / 2.0
    }
}

/// The median of values sorted ascending: the same value as [`median`] of them in any order.
fn sorted_median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The fit statistics of a classing of `values` into classes 1..=k (`class_of(v)` is value v's;
/// found again in each pass, cheaper than an n-sized array of them), given the values sorted
/// ascending when the caller has them (then no copies are made).
///
/// Every sum runs over its values in input order, so the statistics do not depend on whether
/// `sorted` is given; the medians are the same values either way.
pub fn fit_statistics(
    values: &[f64],
    class_of: impl Fn(f64) -> usize,
    k: usize,
    sorted: Option<&[f64]>,
) -> FitStatistics {
    // The standard library's empty sum, so that each running sum starts as `Iterator::sum` does.
    let zero = std::iter::empty::<f64>().sum::<f64>();
    let mut count = vec![0usize; k + 1];
    let mut sum = vec![zero; k + 1];
    for &v in values {
        let c = class_of(v);
        count[c] += 1;
        sum[c] += v;
    }
    let (medians, overall_median) = match sorted {
        // Classes are runs of consecutive sorted values, in class order.
        Some(sorted) => {
            let mut start = 0;
            let medians: Vec<f64> = count
                .iter()
                .map(|&n| {
                    start += n;
                    sorted_median(&sorted[start - n..start])
                })
                .collect();
            (medians, sorted_median(sorted))
        }
        None => {
            let mut members: Vec<Vec<f64>> = count.iter().map(|&n| Vec::with_capacity(n)).collect();
            for &v in values {
                members[class_of(v)].push(v);
            }
            (members.iter_mut().map(|m| median(m)).collect(), median(&mut values.to_vec()))
        }
    };
    let means: Vec<f64> = sum.iter().zip(&count).map(|(s, &n)| s / n as f64).collect();
    let overall_mean = values.iter().sum::<f64>() / values.len() as f64;
    let (mut squares, mut deviations) = (vec![zero; k + 1], vec![zero; k + 1]);
    let (mut sdam, mut adam) = (zero, zero);
    for &v in values {
        let c = class_of(v);
        squares[c] += (v - means[c]).powi(2);
        deviations[c] += (v - medians[c]).abs();
        sdam += (v - overall_mean).powi(2);
        adam += (v - overall_median).abs();
    }
    let nonempty = |per_class: &[f64]| (0..=k).filter(|&c| count[c] > 0).map(|c| per_class[c]).sum::<f64>();
    let (tss, adcm) = (nonempty(&squares), nonempty(&deviations));
    FitStatistics {
        gvf: if sdam == 0.0 { 1.0 } else { 1.0 - tss / sdam },
        tss,
        adcm,
        gadf: if adam == 0.0 { 1.0 } else { 1.0 - adcm / adam },
    }
}

/// Classifies scores: learns breaks from reference values.
pub trait Classifier: Debug + Send + Sync {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statistics as first written: each class's values copied out, each sum over a copy.
    fn by_copies(values: &[f64], classes: &[usize], k: usize) -> FitStatistics {
        let mut members: Vec<Vec<f64>> = vec![Vec::new(); k + 1];
        for (&v, &c) in values.iter().zip(classes) {
            members[c].push(v);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let squares = |v: &[f64]| {
            let m = mean(v);
            v.iter().map(|x| (x - m).powi(2)).sum::<f64>()
        };
        let deviations = |v: &[f64]| {
            let m = median(&mut v.to_vec());
            v.iter().map(|x| (x - m).abs()).sum::<f64>()
        };
        let nonempty = || members.iter().filter(|m| !m.is_empty());
        let (sdam, adam) = (squares(values), deviations(values));
        let tss: f64 = nonempty().map(|m| squares(m)).sum();
        let adcm: f64 = nonempty().map(|m| deviations(m)).sum();
        FitStatistics {
            gvf: if sdam == 0.0 { 1.0 } else { 1.0 - tss / sdam },
            tss,
            adcm,
            gadf: if adam == 0.0 { 1.0 } else { 1.0 - adcm / adam },
        }
    }

    fn bits(f: FitStatistics) -> [u64; 4] {
        [f.gvf.to_bits(), f.tss.to_bits(), f.adcm.to_bits(), f.gadf.to_bits()]
    }

    #[test]
    fn weights_are_refused_when_negative_missing_zero_or_summing_past_the_largest_float() {
        assert_eq!(Weights::normalized(vec![1.0, 3.0]).unwrap().0, vec![0.25, 0.75]);
        for (values, want) in [
            (vec![1.0, -1.0], "weight 2: must be finite and >= 0, got -1"),
            (vec![f64::NAN, 1.0], "weight 1: must be finite and >= 0, got NaN"),
            (vec![0.0, 0.0], "all weights are zero"),
            (vec![1e308, 1e308], "past the largest float"),
        ] {
            let err = Weights::normalized(values.clone()).unwrap_err().to_string();
            assert!(err.contains(want), "{values:?}: {err}");
        }
    }

    #[test]
    fn fit_by_hand() {
        // Classes {1, 2, 3} and {10, 14}: TSS = 2 + 8, ADCM = 2 + 4; overall mean 6, median 3,
        // SDAM = 16 + 25 + 9 + 64 + 16 = 130, ADAM = 7 + 2 + 0 + 11 + 1 = 21.
        let values = [10.0, 1.0, 3.0, 14.0, 2.0];
        let b = Breaks::new(vec![3.0], CutRule::UpperInclusive, &values);
        assert_eq!((b.fit.tss, b.fit.adcm), (10.0, 6.0));
        assert_eq!(b.fit.gvf, 1.0 - 10.0 / 130.0);
        assert_eq!(b.fit.gadf, 1.0 - 6.0 / 21.0);
    }

    #[test]
    fn a_top_class_left_empty_by_a_cut_above_the_maximum_ends_at_that_cut() {
        // Values up to 6, published cuts 2 and 9: class 3 is empty, its bound is 9, not 6.
        let b = Breaks::new(vec![2.0, 9.0], CutRule::LowerInclusive, &[1.0, 3.0, 6.0]);
        assert_eq!(b.upper_bounds(), vec![2.0, 9.0, 9.0]);
        let b = Breaks::new(vec![2.0, 5.0], CutRule::LowerInclusive, &[1.0, 3.0, 6.0]);
        assert_eq!(b.upper_bounds(), vec![2.0, 5.0, 6.0]);
    }

    proptest::proptest! {
        /// Whatever the cuts, the classes' upper bounds never decrease and end at or above the
        /// reference maximum.
        #[test]
        fn upper_bounds_never_decrease(
            values in proptest::collection::vec(-1e3f64..1e3, 1..50),
            cuts in proptest::collection::vec(-2e3f64..2e3, 1..6),
        ) {
            let mut cuts = cuts;
            cuts.sort_by(f64::total_cmp);
            cuts.dedup();
            let b = Breaks::new(cuts, CutRule::LowerInclusive, &values);
            let bounds = b.upper_bounds();
            proptest::prop_assert!(bounds.windows(2).all(|w| w[0] <= w[1]), "{:?}", bounds);
            proptest::prop_assert!(*bounds.last().unwrap() >= b.max);
        }

        /// Medians read off the sorted values, sums in one pass: the same bits as copies and
        /// selection, for any values (ties, even and odd classes, empty classes, -0.0).
        #[test]
        fn one_pass_equals_copies_to_the_bit(
            levels in proptest::collection::vec(-20i32..20, 1..200),
            scale in proptest::sample::select(vec![0.1, 1.0, 1e-3, 7.3]),
            cuts in proptest::collection::vec(-25i32..25, 1..6),
        ) {
            let values: Vec<f64> = levels.iter().map(|&l| if l == 0 { -0.0 } else { f64::from(l) * scale }).collect();
            let mut cuts: Vec<f64> = cuts.iter().map(|&c| f64::from(c) * scale).collect();
            cuts.sort_by(f64::total_cmp);
            cuts.dedup();
            for rule in [CutRule::UpperInclusive, CutRule::LowerInclusive] {
                let b = Breaks { cuts: cuts.clone(), rule, min: 0.0, max: 0.0, fit: FitStatistics::default() };
                let classes: Vec<usize> = values.iter().map(|&x| b.class_of(x)).collect();
                let mut sorted = values.clone();
                sorted.sort_by(f64::total_cmp);
                let want = bits(by_copies(&values, &classes, b.k()));
                let class_of = |x| b.class_of(x);
                proptest::prop_assert_eq!(bits(fit_statistics(&values, class_of, b.k(), None)), want);
                proptest::prop_assert_eq!(bits(fit_statistics(&values, class_of, b.k(), Some(&sorted))), want);
            }
        }
    }
}
