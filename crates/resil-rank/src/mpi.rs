//! The Mazziotta-Pareto index (MPI; Mazziotta & Pareto 2016, "On a generalized non-compensatory
//! composite index for measuring socio-economic phenomena", Social Indicators Research 127),
//! used by national statistics offices (Istat's BES): each column is standardised over the
//! reference rows to z = 100 + 10 (x - mean) / sd (minus for a cost column), and a unit's index
//! is its mean z corrected by its unbalance, M_z - S_z cv (`penalty = "minus"`, for an index where
//! higher is better: unbalanced profiles are penalised) or M_z + S_z cv (`"plus"`, for an index of
//! a negative phenomenon), cv = S_z / M_z. The run's weights weight the mean and the spread (equal
//! weights give the published formula). `sd = "population"` (the defining paper) or `"sample"`
//! (n - 1, as the R package Compind computes both the standardisation and S_z).

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// The sign of the unbalance correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Penalty {
    #[default]
    Minus,
    Plus,
}

/// Which standard deviation: over n (the defining paper) or n - 1 (Compind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdReading {
    #[default]
    Population,
    Sample,
}

/// Unchecked parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct MpiParams {
    pub penalty: Penalty,
    pub sd: SdReading,
}

impl MpiParams {
    pub fn check(self) -> Result<Mpi> {
        Ok(Mpi { params: self })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Mpi {
    params: MpiParams,
}

/// Fitted: each column's mean, sd and sign, and the weights.
#[derive(Debug, Clone)]
pub struct FittedMpi {
    params: MpiParams,
    columns: Vec<(f64, f64, f64)>,
    weights: Vec<f64>,
}

impl Scorer for Mpi {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(MpiFit { mpi: self, weights: weights.as_slice() }))
    }
}

/// The MPI's fit over chunks of rows, in two passes: each column's sum, cells and extremes; then its
/// squares about the mean (a cell that is not finite leaves the column without a spread).
struct MpiFit<'a> {
    mpi: &'a Mpi,
    weights: &'a [f64],
}

impl ChunkedFit<Box<dyn FittedScorer>> for MpiFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![vec![Merge::Sum, Merge::Sum, Merge::Min, Merge::Max], vec![Merge::Sum]]
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
        for (j, c) in chunk.columns().enumerate() {
            if pass == 0 {
                state.add(j, 0, c.iter().sum());
                state.add(j, 1, c.len() as f64);
                state.add(j, 2, c.iter().copied().fold(f64::INFINITY, f64::min));
                state.add(j, 3, c.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            } else {
                let mean = done[0].get(j, 0) / done[0].get(j, 1);
                state.add(j, 0, c.iter().map(|x| (x - mean).powi(2)).sum());
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("mpi", "weights, orientation and columns differ in length"));
        }
        if self.weights.len() < 2 {
            return Err(Error::data("mpi", "needs at least two indicators (its correction is their spread)"));
        }
        let ddof = if self.mpi.params.sd == SdReading::Sample { 1.0 } else { 0.0 };
        let mut columns = Vec::new();
        for j in 0..self.weights.len() {
            let n = states[0].get(j, 1);
            let mean = states[0].get(j, 0) / n;
            let sd = (states[1].get(j, 0) / (n - ddof)).sqrt();
            // A constant column is refused as such, whatever its computed sd (an ulp off 0).
            let constant = states[0].get(j, 2) == states[0].get(j, 3);
            if constant || !(sd.is_finite() && sd > 0.0) {
                return Err(Error::data(
                    format!("mpi: {}", cx.indicator(j)),
                    "has no spread over the reference rows: its z-score is 0/0",
                ));
            }
            let sign = if cx.orientation[j] == Polarity::Cost { -1.0 } else { 1.0 };
            columns.push((mean, sd, sign));
        }
        let total: f64 = self.weights.iter().sum();
        let weights = self.weights.iter().map(|w| w / total).collect();
        Ok(Outcome::new(Box::new(FittedMpi { params: self.mpi.params.clone(), columns, weights })))
    }
}

impl FittedScorer for FittedMpi {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let m = data.ncols() as f64;
        let rows = data.nrows();
        let z: Vec<Vec<f64>> = data
            .columns()
            .zip(&self.columns)
            .map(|(c, &(mean, sd, sign))| c.iter().map(|x| 100.0 + sign * 10.0 * (x - mean) / sd).collect())
            .collect();
        let (mut mz, mut sz, mut cv, mut score) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..rows {
            let mean: f64 = z.iter().zip(&self.weights).map(|(c, w)| w * c[i]).sum();
            let mut var: f64 = z.iter().zip(&self.weights).map(|(c, w)| w * (c[i] - mean).powi(2)).sum();
            if self.params.sd == SdReading::Sample {
                var *= m / (m - 1.0);
            }
            let s = var.sqrt();
            let c = s / mean;
            let sign = if self.params.penalty == Penalty::Minus { -1.0 } else { 1.0 };
            mz.push(mean);
            sz.push(s);
            cv.push(c);
            score.push(mean + sign * s * c);
        }
        Ok(Outcome::new(ScoreTable {
            score,
            extras: vec![("m_z".into(), mz), ("s_z".into(), sz), ("cv".into(), cv)],
            direction: Direction::HigherIsBetter,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;
    use resil_test_support::{floats, reference_case};

    #[test]
    fn a_constant_column_is_refused_whatever_its_computed_spread() {
        // 0.1 three times: the mean misses 0.1 by an ulp, and the sd came out as 1.7e-17, so
        // the column was z-scored into rounding noise instead of refused.
        let m = Matrix::from_rows(&[vec![1.0, 0.1], vec![2.0, 0.1], vec![4.0, 0.1]]);
        let o = [Polarity::Benefit; 2];
        let system = IndicatorSystem::flat(&o);
        let cx = resil_core::StageContext::columns(&system, &o);
        let e = MpiParams::default().check().unwrap().fit(&m, &Weights(vec![0.5, 0.5]), &cx).unwrap_err().to_string();
        assert!(e.contains("mpi: indicator `C2`") && e.contains("has no spread"), "{e}");
    }

    fn mpi(rows: &[Vec<f64>], polarity: &[Polarity], w: &[f64], params: MpiParams) -> Vec<f64> {
        crate::fit_and_score(&params.check().unwrap(), rows, polarity, w).unwrap().score
    }

    #[test]
    fn matches_compind_and_the_population_formula() {
        // Compind 3.4's own normalise_ci(method = 1, z.mean = 100, z.std = 10) + ci_mpi (sample
        // sd) and the defining paper's population formula, run in R
        // (tests/reference/compind_mpi.R -> data/reference-cases/compind_mpi.json).
        let r = reference_case("compind_mpi");
        for case in r["cases"].as_array().unwrap() {
            let rows: Vec<Vec<f64>> = case["matrix"].as_array().unwrap().iter().map(floats).collect();
            let polarity: Vec<Polarity> = floats(&case["types"])
                .iter()
                .map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost })
                .collect();
            let w = vec![1.0; polarity.len()];
            for (penalty, sd, key) in [
                (Penalty::Minus, SdReading::Sample, "compind_pos"),
                (Penalty::Plus, SdReading::Sample, "compind_neg"),
                (Penalty::Minus, SdReading::Population, "population_minus"),
                (Penalty::Plus, SdReading::Population, "population_plus"),
            ] {
                let got = mpi(&rows, &polarity, &w, MpiParams { penalty, sd });
                for (g, e) in got.iter().zip(floats(&case[key])) {
                    assert!((g - e).abs() < 1e-9, "{key}: {got:?} vs {}", case[key]);
                }
            }
        }
    }

    proptest::proptest! {
        /// MPI- <= mean z <= MPI+, with equality for a unit whose z are all equal; the ranks do
        /// not change under a positive affine change of any column.
        #[test]
        fn the_penalty_brackets_the_mean(rows in proptest::collection::vec(proptest::collection::vec(1.0f64..100.0, 3), 4..10), a in 0.5f64..5.0, b in -10.0f64..10.0) {
            let polarity = [Polarity::Benefit, Polarity::Cost, Polarity::Benefit];
            let w = [1.0, 1.0, 1.0];
            let m = Matrix::from_rows(&rows);
            let sys = IndicatorSystem::flat(&polarity);
            let Ok(fitted) = MpiParams::default().check().unwrap().fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &polarity)) else { return Ok(()); };
            let t = fitted.value.score(&m).unwrap().value;
            let plus = mpi(&rows, &polarity, &w, MpiParams { penalty: Penalty::Plus, ..Default::default() });
            for ((minus, mean), plus) in t.score.iter().zip(&t.extras[0].1).zip(&plus) {
                proptest::prop_assert!(*minus <= mean + 1e-9 && *mean <= plus + 1e-9);
            }
            let moved: Vec<Vec<f64>> = rows.iter().map(|r| vec![a * r[0] + b, r[1], r[2]]).collect();
            let again = mpi(&moved, &polarity, &w, MpiParams::default());
            for (x, y) in again.iter().zip(&t.score) {
                proptest::prop_assert!((x - y).abs() < 1e-9);
            }
        }
    }
}
