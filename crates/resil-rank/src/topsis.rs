//! TOPSIS (Hwang & Yoon 1981): closeness C = D- / (D+ + D-) to the ideal and anti-ideal of the
//! weighted matrix v = w r.
//!
//! Ideals are chosen by each column's orientation: max for benefit columns, min for cost columns.
//! After a normaliser that flipped cost columns every column is benefit-oriented, which is the
//! reading of method.md; with vector normalisation the cost columns keep their direction, which is
//! classic TOPSIS. Either way polarity is applied exactly once.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{
    Diagnostic, Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext,
    Weights,
};
use serde::{Deserialize, Serialize};

/// The distance TOPSIS measures to the ideal and the anti-ideal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Distance {
    #[default]
    Euclidean,
    Manhattan,
    Chebyshev,
}

/// Unchecked parameters of TOPSIS: the distance, and optionally fixed ideal and anti-ideal
/// points (normalised, unweighted values in column order) instead of the reference's best and
/// worst (whose scope is the stage's scope).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TopsisParams {
    pub distance: Distance,
    pub ideal: Option<Vec<f64>>,
    pub anti_ideal: Option<Vec<f64>>,
}

impl TopsisParams {
    pub fn check(self) -> Result<Topsis> {
        if self.ideal.is_some() != self.anti_ideal.is_some() {
            return Err(Error::param("topsis", "ideal", "give both `ideal` and `anti-ideal`, or neither"));
        }
        Ok(Topsis { distance: self.distance, fixed: self.ideal.zip(self.anti_ideal) })
    }
}

/// The checked TOPSIS method.
#[derive(Debug, Clone)]
pub struct Topsis {
    distance: Distance,
    fixed: Option<(Vec<f64>, Vec<f64>)>,
}

/// TOPSIS fitted on a reference: the weights, the ideal V+ and the anti-ideal V-.
#[derive(Debug, Clone)]
pub struct FittedTopsis {
    distance: Distance,
    weights: Vec<f64>,
    ideal: Vec<f64>,
    anti_ideal: Vec<f64>,
}

impl FittedTopsis {
    pub fn ideal(&self) -> &[f64] {
        &self.ideal
    }

    pub fn anti_ideal(&self) -> &[f64] {
        &self.anti_ideal
    }
}

impl Scorer for Topsis {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if weights.as_slice().len() != reference.ncols() {
            return Err(Error::data("topsis", "weights, orientation and columns differ in length"));
        }
        resil_core::chunked::fit_in_memory(&*self.chunked(weights).expect("chunked"), reference, cx)
    }

    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(TopsisFit { topsis: self, weights: weights.as_slice() }))
    }
}

/// TOPSIS's fit over chunks of rows: each column's extremes, in one pass.
struct TopsisFit<'a> {
    topsis: &'a Topsis,
    weights: &'a [f64],
}

impl ChunkedFit<Box<dyn FittedScorer>> for TopsisFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        // Fixed ideals need no data; otherwise each column's extremes and the row count.
        if self.topsis.fixed.is_some() {
            Vec::new()
        } else {
            vec![vec![Merge::Min, Merge::Max, Merge::Sum]]
        }
    }

    fn update(
        &self,
        _pass: usize,
        _done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        _cx: &StageContext<'_>,
    ) -> Result<()> {
        for (j, col) in chunk.columns().enumerate() {
            let (lo, hi) = col.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            state.add(j, 0, lo);
            state.add(j, 1, hi);
            state.add(j, 2, col.len() as f64);
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let (w, distance) = (self.weights, self.topsis.distance);
        if w.len() != cx.orientation.len() {
            return Err(Error::data("topsis", "weights, orientation and columns differ in length"));
        }
        if let Some((best, worst)) = &self.topsis.fixed {
            if best.len() != w.len() || worst.len() != w.len() {
                return Err(Error::param(
                    "topsis",
                    "ideal",
                    format!("fixed ideals need {} values each, got {} and {}", w.len(), best.len(), worst.len()),
                ));
            }
            let ideal = best.iter().zip(w).map(|(b, w)| b * w).collect();
            let anti_ideal = worst.iter().zip(w).map(|(b, w)| b * w).collect();
            return Ok(FittedTopsis { distance, weights: w.to_vec(), ideal, anti_ideal }.with_notes());
        }
        if w.is_empty() || states[0].get(0, 2) == 0.0 {
            return Err(Error::data("topsis", "no reference rows"));
        }
        let (mut ideal, mut anti_ideal) = (Vec::with_capacity(w.len()), Vec::with_capacity(w.len()));
        for (j, &wj) in w.iter().enumerate() {
            let (lo, hi) = (states[0].get(j, 0), states[0].get(j, 1));
            let (best, worst) = match cx.orientation[j] {
                Polarity::Benefit => (hi, lo),
                Polarity::Cost => (lo, hi),
            };
            ideal.push(wj * best);
            anti_ideal.push(wj * worst);
        }
        Ok(FittedTopsis { distance, weights: w.to_vec(), ideal, anti_ideal }.with_notes())
    }
}

impl FittedTopsis {
    /// The fitted scorer, with a warning when its ideal is its anti-ideal: then every row is as
    /// far from one as from the other, and every closeness is 0.5. Said once, at the fit, not
    /// for each row scored (a row of a chunk had been named by its place in the chunk).
    fn with_notes(self) -> Outcome<Box<dyn FittedScorer>> {
        let mut notes = Vec::new();
        if self.ideal == self.anti_ideal {
            notes.push(Diagnostic::warning(
                "topsis-degenerate",
                "topsis: the ideal is the anti-ideal (every weighted criterion is constant over the reference rows, or the fixed ideals are equal): every closeness is 0.5",
            ));
        }
        Outcome::with_notes(Box::new(self), notes)
    }
}

impl FittedScorer for FittedTopsis {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let n = data.nrows();
        let (mut d_plus, mut d_minus) = (vec![0.0; n], vec![0.0; n]);
        for (j, col) in data.columns().enumerate() {
            let (w, best, worst) = (self.weights[j], self.ideal[j], self.anti_ideal[j]);
            for (i, &r) in col.iter().enumerate() {
                let v = w * r;
                let (a, b) = ((v - best).abs(), (v - worst).abs());
                match self.distance {
                    Distance::Euclidean => {
                        d_plus[i] += a * a;
                        d_minus[i] += b * b;
                    }
                    Distance::Manhattan => {
                        d_plus[i] += a;
                        d_minus[i] += b;
                    }
                    Distance::Chebyshev => {
                        d_plus[i] = d_plus[i].max(a);
                        d_minus[i] = d_minus[i].max(b);
                    }
                }
            }
        }
        let score = d_plus
            .iter_mut()
            .zip(d_minus.iter_mut())
            .map(|(dp, dm)| {
                if self.distance == Distance::Euclidean {
                    *dp = dp.sqrt();
                    *dm = dm.sqrt();
                }
                // At both the ideal and the anti-ideal: they are one (the fit warned).
                if *dp + *dm == 0.0 {
                    0.5
                } else {
                    *dm / (*dp + *dm)
                }
            })
            .collect();
        let table = ScoreTable {
            score,
            extras: vec![("d_plus".into(), d_plus), ("d_minus".into(), d_minus)],
            direction: Direction::HigherIsBetter,
        };
        Ok(Outcome::new(table))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("ideal_best".into(), self.ideal.clone()), ("ideal_worst".into(), self.anti_ideal.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case as load};

    fn closeness(m: &Matrix, w: &[f64], orientation: &[Polarity]) -> Vec<f64> {
        let fitted = TopsisParams::default()
            .check()
            .unwrap()
            .fit(
                m,
                &Weights::normalized(w.to_vec()).unwrap(),
                &resil_core::StageContext::columns(&resil_core::IndicatorSystem::flat(orientation), orientation),
            )
            .unwrap()
            .value;
        fitted.score(m).unwrap().value.score
    }

    /// Runs a bundled scikit-criteria TOPSIS case: its matrix, optionally vector-normalised.
    #[track_caller]
    fn check_case(name: &str) {
        let case = load(name);
        let rows: Vec<Vec<f64>> = case["matrix"].as_array().unwrap().iter().map(floats).collect();
        let m = Matrix::from_rows(&rows);
        let orientation: Vec<Polarity> =
            floats(&case["types"]).iter().map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost }).collect();
        let m = match case["params"]["normalization"].as_str() {
            // Vector normalisation as resil-normalize does it, restated here so this crate stays
            // independent of its siblings: r = x / ||x||_2 per column.
            Some("vector") => {
                let cols = m
                    .columns()
                    .map(|c| {
                        let n = c.iter().map(|v| v * v).sum::<f64>().sqrt();
                        c.iter().map(|v| v / n).collect()
                    })
                    .collect();
                Matrix::from_columns(cols)
            }
            _ => m,
        };
        let got = closeness(&m, &floats(&case["weights"]), &orientation);
        let tol = case["tolerance"]["abs"].as_f64().unwrap();
        for (g, e) in got.iter().zip(floats(&case["expected"]["closeness"])) {
            assert!((g - e).abs() <= tol, "{name}: {got:?}");
        }
    }

    #[test]
    fn tzeng_huang_2011_vector_normalised() {
        // Tzeng & Huang (2011), Multiple attribute decision making, CRC; as transcribed in
        // scikit-criteria's test_TOPSIS_tzeng2011multiple: closeness 0.5037 0.6581 0.7482 0.3340.
        check_case("lit_topsis_skcriteria_tzeng2011_vector");
    }

    #[test]
    fn scikit_criteria_raw_matrix() {
        // scikit-criteria test_TOPSIS: [[1,0,3],[0,5,6]], no normalisation -> 0.14639, 0.85361.
        check_case("lit_topsis_skcriteria_raw");
    }

    #[test]
    fn cost_columns_take_the_minimum_as_ideal() {
        // Independent computation: one cost criterion (2, 4, 6): ideal 2, anti-ideal 6,
        // so closeness is (6 - x) / 4: 1, 0.5, 0.
        let m = Matrix::from_columns(vec![vec![2.0, 4.0, 6.0]]);
        assert_eq!(closeness(&m, &[1.0], &[Polarity::Cost]), vec![1.0, 0.5, 0.0]);
    }

    #[test]
    fn fixed_ideals_replace_the_reference_extremes() {
        // Ideal (2) and anti-ideal (0) fixed for one benefit column: closeness x / 2.
        let m = Matrix::from_columns(vec![vec![0.5, 1.0]]);
        let p = TopsisParams { distance: Distance::Euclidean, ideal: Some(vec![2.0]), anti_ideal: Some(vec![0.0]) };
        let f = p
            .check()
            .unwrap()
            .fit(
                &m,
                &Weights(vec![1.0]),
                &resil_core::StageContext::columns(
                    &resil_core::IndicatorSystem::flat(&[Polarity::Benefit]),
                    &[Polarity::Benefit],
                ),
            )
            .unwrap()
            .value;
        assert_eq!(f.score(&m).unwrap().value.score, vec![0.25, 0.5]);
        assert!(TopsisParams { ideal: Some(vec![1.0]), ..Default::default() }.check().is_err());
    }

    #[test]
    fn manhattan_and_chebyshev_by_hand() {
        // Weighted rows (0, 1) and (1, 0.5), ideal (1, 1), anti-ideal (0, 0.5) with weights 1, 1:
        // row 1 Manhattan D+ = 1, D- = 0.5 -> 1/3; Chebyshev D+ = 1, D- = 0.5 -> 1/3;
        // row 2 Manhattan D+ = 0.5, D- = 1 -> 2/3.
        let m = Matrix::from_rows(&[vec![0.0, 1.0], vec![1.0, 0.5]]);
        for (distance, expected) in
            [(Distance::Manhattan, [1.0 / 3.0, 2.0 / 3.0]), (Distance::Chebyshev, [1.0 / 3.0, 2.0 / 3.0])]
        {
            let f = TopsisParams { distance, ..Default::default() }
                .check()
                .unwrap()
                .fit(
                    &m,
                    &Weights(vec![1.0, 1.0]),
                    &resil_core::StageContext::columns(
                        &resil_core::IndicatorSystem::flat(&[Polarity::Benefit; 2]),
                        &[Polarity::Benefit; 2],
                    ),
                )
                .unwrap()
                .value;
            let s = f.score(&m).unwrap().value.score;
            assert!((s[0] - expected[0]).abs() < 1e-15 && (s[1] - expected[1]).abs() < 1e-15, "{distance:?}: {s:?}");
        }
    }

    #[test]
    fn identical_rows_score_one_half_with_a_warning() {
        let m = Matrix::from_columns(vec![vec![1.0, 1.0]]);
        let fitted = TopsisParams::default()
            .check()
            .unwrap()
            .fit(
                &m,
                &Weights(vec![1.0]),
                &resil_core::StageContext::columns(
                    &resil_core::IndicatorSystem::flat(&[Polarity::Benefit]),
                    &[Polarity::Benefit],
                ),
            )
            .unwrap();
        assert_eq!(fitted.notes.len(), 1);
        assert_eq!(fitted.notes[0].code, "topsis-degenerate");
        let out = fitted.value.score(&m).unwrap();
        assert_eq!(out.value.score, vec![0.5, 0.5]);
        assert!(out.notes.is_empty(), "said once, at the fit");
        // Other rows scored with those ideals are as far from the one as from the other.
        assert_eq!(fitted.value.score(&Matrix::from_columns(vec![vec![3.0]])).unwrap().value.score, vec![0.5]);
    }

    #[test]
    fn ideals_fitted_on_a_reference_apply_to_other_rows() {
        let reference = Matrix::from_columns(vec![vec![0.0, 1.0]]);
        let fitted = TopsisParams::default()
            .check()
            .unwrap()
            .fit(
                &reference,
                &Weights(vec![1.0]),
                &resil_core::StageContext::columns(
                    &resil_core::IndicatorSystem::flat(&[Polarity::Benefit]),
                    &[Polarity::Benefit],
                ),
            )
            .unwrap()
            .value;
        assert_eq!(fitted.score(&Matrix::from_columns(vec![vec![0.25]])).unwrap().value.score, vec![0.25]);
    }

    fn matrix_strategy() -> impl proptest::strategy::Strategy<Value = (Vec<Vec<f64>>, Vec<f64>)> {
        use proptest::prelude::*;
        (2usize..6, 2usize..10).prop_flat_map(|(c, n)| {
            (
                proptest::collection::vec(proptest::collection::vec(0.0f64..10.0, n), c),
                proptest::collection::vec(0.01f64..1.0, c),
            )
        })
    }

    proptest::proptest! {
        #[test]
        fn closeness_is_within_zero_and_one((cols, w) in matrix_strategy()) {
            let m = Matrix::from_columns(cols);
            let orientation = vec![Polarity::Benefit; m.ncols()];
            for c in closeness(&m, &w, &orientation) {
                proptest::prop_assert!((0.0..=1.0).contains(&c));
            }
        }

        #[test]
        fn a_better_benefit_value_never_lowers_the_score((cols, w) in matrix_strategy(), row in 0usize..10, col in 0usize..6, up in 0.0f64..5.0) {
            // Fixed weights, ideals refitted on the changed matrix.
            let m = Matrix::from_columns(cols);
            let (row, col) = (row % m.nrows(), col % m.ncols());
            let orientation = vec![Polarity::Benefit; m.ncols()];
            let before = closeness(&m, &w, &orientation)[row];
            let mut better = m.clone();
            better.set(row, col, m.get(row, col) + up);
            let after = closeness(&better, &w, &orientation)[row];
            proptest::prop_assert!(after >= before - 1e-12, "{before} -> {after}");
        }
    }
}
