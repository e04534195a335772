//! The column scalings the MCDA methods' defining papers prescribe on raw data (pymcdm's
//! `minmax_normalization`, `linear_normalization` and `sum_normalization`), by each column's
//! orientation, with the statistics learned on reference rows so that fitted scorers apply to
//! any rows. Shared by ARAS, MABAC, MAIRCA and WASPAS.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{Error, FittedScorer, Matrix, Outcome, Polarity, Result, StageContext};

/// A prescribed scaling of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scaling {
    /// (x - min) / (max - min), or (max - x) / (max - min) for a cost column; 1 when constant.
    MinMax { min: f64, max: f64, cost: bool },
    /// x / max, or min / x for a cost column.
    Linear { min: f64, max: f64, cost: bool },
    /// x / sum, or (1/x) / sum(1/x) for a cost column (`sum` over the reference rows).
    Sum { sum: f64, cost: bool },
}

impl Scaling {
    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            Scaling::MinMax { min, max, .. } if max == min => 1.0,
            Scaling::MinMax { min, max, cost: false } => (x - min) / (max - min),
            Scaling::MinMax { min, max, cost: true } => (max - x) / (max - min),
            Scaling::Linear { max, cost: false, .. } => x / max,
            Scaling::Linear { min, cost: true, .. } => min / x,
            Scaling::Sum { sum, cost: false } => x / sum,
            Scaling::Sum { sum, cost: true } => (1.0 / x) / sum,
        }
    }
}

/// The min and max of a column.
pub(crate) fn range(column: &[f64]) -> (f64, f64) {
    column.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)))
}

/// Linear scalings of every reference column; they need positive values.
pub(crate) fn linear(method: &str, reference: &Matrix, cx: &StageContext<'_>) -> Result<Vec<Scaling>> {
    positive(method, reference, 0, cx)?;
    Ok(reference
        .columns()
        .enumerate()
        .map(|(j, c)| {
            let (min, max) = range(c);
            Scaling::Linear { min, max, cost: cx.orientation[j] == Polarity::Cost }
        })
        .collect())
}

/// Every value of `rows` (block rows `first_row..`) must be positive (a ratio or a reciprocal of
/// it is taken): the first cell that is not, in row order, then column order, is named, so that
/// the same cell is named however a block is cut into chunks.
pub(crate) fn positive(method: &str, rows: &Matrix, first_row: usize, cx: &StageContext<'_>) -> Result<()> {
    match resil_core::chunked::first_failing_cell(rows, |_, x| x.is_finite() && x > 0.0) {
        Some((i, j)) => Err(Error::data(
            format!("{method}: {}", cx.cell(first_row + i, j)),
            format!("value {} must be positive", rows.column(j)[i]),
        )),
        None => Ok(()),
    }
}

/// What one pass over a reference column gives the fits of the scorers that scale by a column
/// statistic (ARAS, MAIRCA, MARCOS, MOORA, RAM, SPOTIS, WASPAS): its extremes, sums and rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    /// The sum of 1/x (a column that must be positive).
    pub sum_reciprocals: f64,
    pub sum_squares: f64,
    pub rows: usize,
}

impl Summary {
    /// Min-max scaling by the column's orientation.
    pub(crate) fn minmax(&self, cost: bool) -> Scaling {
        Scaling::MinMax { min: self.min, max: self.max, cost }
    }

    /// Linear scaling (x / max, or min / x for a cost column).
    pub(crate) fn linear(&self, cost: bool) -> Scaling {
        Scaling::Linear { min: self.min, max: self.max, cost }
    }
}

/// The slots of a pass of [`Summary`]s (see [`fold_summaries`], [`summaries`]).
pub(crate) const SUMMARY_SLOTS: [Merge; 6] = [Merge::Min, Merge::Max, Merge::Sum, Merge::Sum, Merge::Sum, Merge::Sum];

/// Folds each column of `chunk` (block rows `first_row..`) into its [`SUMMARY_SLOTS`] of
/// `state`; with `positive_only`, every value must be positive (the first that is not, in row
/// order, is named, as `method`'s).
pub(crate) fn fold_summaries(
    method: &str,
    positive_only: bool,
    chunk: &Matrix,
    first_row: usize,
    state: &mut PassState,
    cx: &StageContext<'_>,
) -> Result<()> {
    if positive_only {
        positive(method, chunk, first_row, cx)?;
    }
    for (j, c) in chunk.columns().enumerate() {
        let (min, max) = range(c);
        let sum: f64 = c.iter().sum();
        let reciprocals: f64 = if positive_only { c.iter().map(|x| 1.0 / x).sum() } else { f64::NAN };
        let squares: f64 = c.iter().map(|x| x * x).sum();
        [min, max, sum, reciprocals, squares, c.len() as f64].iter().enumerate().for_each(|(s, v)| state.add(j, s, *v));
    }
    Ok(())
}

/// The first `ncols` columns' [`Summary`]s from a merged state of [`SUMMARY_SLOTS`].
pub(crate) fn summaries(state: &PassState, ncols: usize) -> Vec<Summary> {
    (0..ncols)
        .map(|j| {
            let at = |s| state.get(j, s);
            Summary {
                min: at(0),
                max: at(1),
                sum: at(2),
                sum_reciprocals: at(3),
                sum_squares: at(4),
                rows: at(5) as usize,
            }
        })
        .collect()
}

/// The fit of a scorer from its reference columns' [`Summary`]s, in one pass over chunks of rows:
/// `build(summaries, weights, cx)`. With `positive`, every value must be positive (a ratio or a
/// reciprocal of it is taken): the first cell that is not, in row order, is named, however the
/// rows are cut into chunks.
pub(crate) struct SummaryFit<'a, F> {
    pub method: &'static str,
    pub positive: bool,
    pub weights: &'a [f64],
    pub build: F,
}

impl<F> ChunkedFit<Box<dyn FittedScorer>> for SummaryFit<'_, F>
where
    F: Fn(&[Summary], &[f64], &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> + Send + Sync,
{
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec()]
    }

    fn update(
        &self,
        _pass: usize,
        _done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        fold_summaries(self.method, self.positive, chunk, first_row, state, cx)
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data(self.method, "weights, orientation and columns differ in length"));
        }
        (self.build)(&summaries(&states[0], self.weights.len()), self.weights, cx)
    }
}

/// `data` with every column scaled.
pub(crate) fn scale(data: &Matrix, scalings: &[Scaling]) -> Vec<Vec<f64>> {
    data.columns().zip(scalings).map(|(c, s)| c.iter().map(|&x| s.apply(x)).collect()).collect()
}

/// Scores of `rows` under `scorer` fitted on the same rows, for the worked examples.
#[cfg(test)]
pub(crate) fn score_rows(
    scorer: &dyn resil_core::Scorer,
    rows: &[Vec<f64>],
    orientation: &[Polarity],
    weights: &[f64],
) -> Vec<f64> {
    try_score_rows(scorer, rows, orientation, weights).unwrap()
}

/// As [`score_rows`], with the error of a refused fit or score.
#[cfg(test)]
pub(crate) fn try_score_rows(
    scorer: &dyn resil_core::Scorer,
    rows: &[Vec<f64>],
    orientation: &[Polarity],
    weights: &[f64],
) -> Result<Vec<f64>> {
    let system = resil_core::IndicatorSystem::flat(orientation);
    let m = Matrix::from_rows(rows);
    let cx = StageContext::columns(&system, orientation);
    let fitted = scorer.fit(&m, &resil_core::Weights(weights.to_vec()), &cx)?.value;
    Ok(fitted.score(&m)?.value.score)
}

#[cfg(test)]
mod tests {
    use resil_core::{Direction, IndicatorSystem, Matrix, Polarity, Scorer, StageContext, Weights};

    fn scorers() -> Vec<Box<dyn Scorer>> {
        vec![
            Box::new(crate::ArasParams::default().check().unwrap()),
            Box::new(crate::MabacParams::default().check().unwrap()),
            Box::new(crate::MaircaParams::default().check().unwrap()),
            Box::new(crate::WaspasParams::default().check().unwrap()),
            Box::new(crate::MooraParams::default().check().unwrap()),
            Box::new(crate::RamParams::default().check().unwrap()),
            Box::new(crate::CocosoParams::default().check().unwrap()),
            Box::new(crate::MarcosParams::default().check().unwrap()),
            Box::new(crate::OcraParams::default().check().unwrap()),
            Box::new(crate::PrometheeParams::default().check().unwrap()),
            Box::new(
                crate::PrometheeParams {
                    preference: crate::Preference::Gaussian,
                    s: Some(crate::Threshold::All(10.0)),
                    ..Default::default()
                }
                .check()
                .unwrap(),
            ),
        ]
    }

    /// The scorers whose prescribed scaling divides by a column statistic (max, min, norm or
    /// range), so that a column's unit cannot matter.
    fn unit_free() -> Vec<Box<dyn Scorer>> {
        vec![
            Box::new(crate::CodasParams::default().check().unwrap()),
            Box::new(crate::MarcosParams::default().check().unwrap()),
            Box::new(crate::OcraParams::default().check().unwrap()),
            Box::new(crate::ProbidParams::default().check().unwrap()),
            Box::new(crate::SprobidParams::default().check().unwrap()),
            Box::new(crate::SpotisParams::default().check().unwrap()),
        ]
    }

    proptest::proptest! {
        /// Measuring a criterion in other units (multiplying its column by c > 0) leaves every
        /// score of the unit-free scorers unchanged.
        #[test]
        fn units_do_not_matter(
            rows in proptest::collection::vec(proptest::collection::vec(1.0f64..100.0, 3), 4..9),
            c in 0.01f64..100.0,
        ) {
            let o = [Polarity::Benefit, Polarity::Cost, Polarity::Benefit];
            let w = [0.5, 0.3, 0.2];
            let rescaled: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0] * c, r[1] * c, r[2]]).collect();
            for scorer in unit_free() {
                let (a, b) = (super::try_score_rows(scorer.as_ref(), &rows, &o, &w), super::try_score_rows(scorer.as_ref(), &rescaled, &o, &w));
                // Refused (SPROBID with a row on the best ideals) in both units, or equal.
                proptest::prop_assert_eq!(a.is_err(), b.is_err());
                let (Ok(a), Ok(b)) = (a, b) else { continue };
                for (x, y) in a.iter().zip(&b) {
                    proptest::prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{scorer:?}: {a:?} vs {b:?}");
                }
            }
        }

        /// With the fit held, a better value of a benefit criterion never makes a row's score
        /// worse, and a better (lower) value of a cost criterion neither, for every scorer.
        #[test]
        fn a_better_value_never_hurts(
            rows in proptest::collection::vec(proptest::collection::vec(1.0f64..100.0, 3), 3..9),
            bump in 0.0f64..50.0,
            row in 0usize..3,
        ) {
            let o = [Polarity::Benefit, Polarity::Cost, Polarity::Benefit];
            let sys = IndicatorSystem::flat(&o);
            let m = Matrix::from_rows(&rows);
            let w = Weights(vec![0.5, 0.3, 0.2]);
            for scorer in scorers() {
                let Ok(fitted) = scorer.fit(&m, &w, &StageContext::columns(&sys, &o)) else { continue };
                let fitted = fitted.value;
                let base = rows[row].clone();
                let better_benefit = vec![base[0] + bump, base[1], base[2]];
                let better_cost = vec![base[0], (base[1] - bump).max(0.5), base[2]];
                let s = |r: &Vec<f64>| fitted.score(&Matrix::from_rows(std::slice::from_ref(r))).unwrap().value;
                let (t0, t1, t2) = (s(&base), s(&better_benefit), s(&better_cost));
                let better_or_equal = |a: f64, b: f64| match t0.direction {
                    Direction::HigherIsBetter => b >= a - 1e-12,
                    Direction::LowerIsBetter => b <= a + 1e-12,
                };
                proptest::prop_assert!(better_or_equal(t0.score[0], t1.score[0]), "{scorer:?} benefit: {} -> {}", t0.score[0], t1.score[0]);
                proptest::prop_assert!(better_or_equal(t0.score[0], t2.score[0]), "{scorer:?} cost: {} -> {}", t0.score[0], t2.score[0]);
            }
        }
    }
}
