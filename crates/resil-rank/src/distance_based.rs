//! Scorers that measure distance from the average or the ideal on the raw criteria:
//! EDAS (Keshavarz Ghorabaee et al. 2015), COPRAS (Zavadskas & Kaklauskas 1996) and grey
//! relational analysis (GRA, Deng 1982). Each reads each column's direction from its orientation.
//!
//! Readings: COPRAS follows Zavadskas: Q_i = S+_i + (min S- * sum S-) / (S-_i * sum(min S- / S-));
//! pymcdm 1.4.0 computes S+_i + S-_i instead (its expression simplifies to that), so it is not a
//! reference here; with no cost criterion Q = S+. GRA scales each column from its worst (0) to
//! its best (1) value over the reference rows, takes the ideal as reference sequence and
//! Delta min / max over all reference cells; grade = sum_j w_j xi_ij.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::stats::zero_within_rounding;

use crate::prescribed::{fold_summaries, summaries, Summary, SUMMARY_SLOTS};
use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// Which method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMethod {
    Edas,
    Copras,
    Gra,
}

/// Unchecked parameters: `rho`, GRA's distinguishing coefficient (default 0.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct DistanceParams {
    pub rho: f64,
}

impl Default for DistanceParams {
    fn default() -> Self {
        DistanceParams { rho: 0.5 }
    }
}

impl DistanceParams {
    pub fn check(self, method: DistanceMethod) -> Result<DistanceScorer> {
        if !(self.rho > 0.0 && self.rho <= 1.0) {
            return Err(Error::param("gra", "rho", format!("must be in (0, 1], got {}", self.rho)));
        }
        Ok(DistanceScorer { method, rho: self.rho })
    }
}

/// The checked scorer.
#[derive(Debug, Clone)]
pub struct DistanceScorer {
    method: DistanceMethod,
    rho: f64,
}

/// Fitted state: per-column reference values and, for COPRAS and GRA, reference-wide constants.
#[derive(Debug, Clone)]
pub struct FittedDistance {
    method: DistanceMethod,
    weights: Vec<f64>,
    orientation: Vec<Polarity>,
    /// EDAS: column averages; COPRAS: column sums; GRA: worst value per column.
    a: Vec<f64>,
    /// GRA: best value per column.
    b: Vec<f64>,
    /// EDAS: max SP and max SN; COPRAS: min S- and sum of min S- / S-; GRA: Delta min, Delta max.
    c: (f64, f64),
    /// COPRAS: the sum of S- over the reference rows.
    sum_minus: f64,
    rho: f64,
}

fn name(m: DistanceMethod) -> &'static str {
    match m {
        DistanceMethod::Edas => "edas",
        DistanceMethod::Copras => "copras",
        DistanceMethod::Gra => "gra",
    }
}

impl FittedDistance {
    /// EDAS's (SP, SN) or COPRAS's (S+, S-) of each row.
    fn sums(&self, data: &Matrix) -> (Vec<f64>, Vec<f64>) {
        let n = data.nrows();
        let (mut p, mut q) = (vec![0.0; n], vec![0.0; n]);
        for (j, col) in data.columns().enumerate() {
            let (w, a, benefit) = (self.weights[j], self.a[j], self.orientation[j] == Polarity::Benefit);
            for (i, &x) in col.iter().enumerate() {
                match self.method {
                    DistanceMethod::Edas => {
                        let d = if benefit { (x - a) / a } else { (a - x) / a };
                        p[i] += w * d.max(0.0);
                        q[i] += w * (-d).max(0.0);
                    }
                    _ => {
                        let v = w * x / a;
                        if benefit {
                            p[i] += v
                        } else {
                            q[i] += v
                        }
                    }
                }
            }
        }
        (p, q)
    }

    fn gra_deltas(&self, data: &Matrix) -> Vec<Vec<f64>> {
        data.columns()
            .enumerate()
            .map(|(j, col)| {
                let (worst, best) = (self.a[j], self.b[j]);
                col.iter()
                    .map(|&x| if best == worst { 0.0 } else { 1.0 - (x - worst) / (best - worst) }.abs())
                    .collect()
            })
            .collect()
    }
}

impl Scorer for DistanceScorer {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(DistanceFit { scorer: self, weights: weights.as_slice() }))
    }
}

/// The fit over chunks of rows. A first pass of each column's sum, least and greatest value and
/// rows gives the per-column references (EDAS's averages, COPRAS's sums, GRA's worst and best);
/// then the reference-wide constants, which are extremes and sums over the rows of what each row
/// scores (in column 0's slots: they are not a column's): EDAS's max SP and SN; COPRAS's min and
/// sum of S-, then (a third pass) the sum of min S- / S-; GRA's Delta min and max.
struct DistanceFit<'a> {
    scorer: &'a DistanceScorer,
    weights: &'a [f64],
}

impl DistanceFit<'_> {
    /// The method fitted as far as the first pass's state goes.
    fn fitted(&self, columns: &PassState, cx: &StageContext<'_>) -> FittedDistance {
        let m = self.weights.len();
        let summaries = summaries(columns, m);
        let mut f = FittedDistance {
            method: self.scorer.method,
            weights: self.weights.to_vec(),
            orientation: cx.orientation.to_vec(),
            a: Vec::with_capacity(m),
            b: Vec::new(),
            c: (0.0, 0.0),
            sum_minus: 0.0,
            rho: self.scorer.rho,
        };
        for (j, &Summary { min: lo, max: hi, sum, rows, .. }) in summaries.iter().enumerate() {
            let rows = rows as f64;
            match self.scorer.method {
                // A constant column's average is its value, exactly (the sum over n can miss
                // it by an ulp, and then every distance to it was rounding noise).
                DistanceMethod::Edas => f.a.push(if lo == hi { lo } else { sum / rows }),
                DistanceMethod::Copras => f.a.push(sum),
                DistanceMethod::Gra => {
                    let (best, worst) = if cx.orientation[j] == Polarity::Benefit { (hi, lo) } else { (lo, hi) };
                    f.a.push(worst);
                    f.b.push(best);
                }
            }
        }
        f
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for DistanceFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        let columns = SUMMARY_SLOTS.to_vec();
        match self.scorer.method {
            DistanceMethod::Edas => vec![columns, vec![Merge::Max, Merge::Max]],
            DistanceMethod::Copras => vec![columns, vec![Merge::Min, Merge::Sum], vec![Merge::Sum]],
            DistanceMethod::Gra => vec![columns, vec![Merge::Min, Merge::Max]],
        }
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
        if pass == 0 {
            return fold_summaries(name(self.scorer.method), false, chunk, first_row, state, cx);
        }
        let f = self.fitted(&done[0], cx);
        let mut fold = |values: &mut dyn Iterator<Item = f64>, slot: usize| values.for_each(|x| state.add(0, slot, x));
        match (self.scorer.method, pass) {
            (DistanceMethod::Gra, _) => {
                for column in f.gra_deltas(chunk) {
                    fold(&mut column.iter().copied(), 0);
                    fold(&mut column.iter().copied(), 1);
                }
            }
            (DistanceMethod::Edas, _) => {
                let (p, q) = f.sums(chunk);
                fold(&mut p.into_iter(), 0);
                fold(&mut q.into_iter(), 1);
            }
            (_, 1) => {
                let (_, q) = f.sums(chunk);
                fold(&mut q.iter().copied(), 0);
                state.add(0, 1, q.iter().sum());
            }
            _ => {
                let (_, q) = f.sums(chunk);
                let min = done[1].get(0, 0);
                state.add(0, 0, q.iter().map(|s| min / s).sum());
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let (method, m) = (self.scorer.method, name(self.scorer.method));
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data(m, "weights, orientation and columns differ in length"));
        }
        let columns = summaries(&states[0], self.weights.len());
        if columns.first().is_none_or(|c| c.rows < 2) {
            return Err(Error::data(m, "needs at least 2 alternatives"));
        }
        let mut f = self.fitted(&states[0], cx);
        let constants = &states[1];
        match method {
            DistanceMethod::Edas | DistanceMethod::Copras => {
                for (j, &Summary { min: lo, max: hi, rows, .. }) in columns.iter().enumerate() {
                    if method == DistanceMethod::Copras && lo <= 0.0 {
                        return Err(Error::data(m, format!("criterion {}: COPRAS needs positive values", j + 1)));
                    }
                    let why = match method {
                        DistanceMethod::Edas if zero_within_rounding(f.a[j], rows, lo, hi) => {
                            "its average is 0 (within rounding), and every distance divides by it: EDAS needs values on a ratio scale (raw, or min-max), not z-scores"
                        }
                        _ if f.a[j] == 0.0 => "its sum is 0",
                        _ => continue,
                    };
                    return Err(Error::data(m, format!("criterion {}: {why}", j + 1)));
                }
                if method == DistanceMethod::Edas {
                    f.c = (constants.get(0, 0).max(0.0), constants.get(0, 1).max(0.0));
                } else {
                    let min = constants.get(0, 0);
                    f.sum_minus = constants.get(0, 1);
                    if f.sum_minus > 0.0 && min <= 0.0 {
                        return Err(Error::data(
                            m,
                            "an alternative has S- = 0 while others do not: COPRAS's cost term is undefined",
                        ));
                    }
                    f.c = (min, if f.sum_minus > 0.0 { states[2].get(0, 0) } else { 0.0 });
                }
            }
            DistanceMethod::Gra => f.c = (constants.get(0, 0), constants.get(0, 1)),
        }
        Ok(Outcome::new(Box::new(f)))
    }
}

impl FittedScorer for FittedDistance {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let table = match self.method {
            DistanceMethod::Edas => {
                let (sp, sn) = self.sums(data);
                let nsp: Vec<f64> = sp.iter().map(|s| if self.c.0 > 0.0 { s / self.c.0 } else { 0.0 }).collect();
                let nsn: Vec<f64> = sn.iter().map(|s| if self.c.1 > 0.0 { 1.0 - s / self.c.1 } else { 1.0 }).collect();
                let score = nsp.iter().zip(&nsn).map(|(a, b)| (a + b) / 2.0).collect();
                ScoreTable {
                    score,
                    extras: vec![("NSP".into(), nsp), ("NSN".into(), nsn)],
                    direction: Direction::HigherIsBetter,
                }
            }
            DistanceMethod::Copras => {
                let (sp, sm) = self.sums(data);
                // Without a weighted cost criterion (S- all 0) Q is S+.
                let has_cost = self.sum_minus > 0.0;
                let q: Vec<f64> = sp
                    .iter()
                    .zip(&sm)
                    .map(|(p, m)| if has_cost { p + self.c.0 * self.sum_minus / (m * self.c.1) } else { *p })
                    .collect();
                ScoreTable {
                    score: q,
                    extras: vec![("S_plus".into(), sp), ("S_minus".into(), sm)],
                    direction: Direction::HigherIsBetter,
                }
            }
            DistanceMethod::Gra => {
                let d = self.gra_deltas(data);
                let (dmin, dmax) = self.c;
                let n = data.nrows();
                let mut score = vec![0.0; n];
                for (j, col) in d.iter().enumerate() {
                    for (i, &delta) in col.iter().enumerate() {
                        let xi = if dmax == 0.0 { 1.0 } else { (dmin + self.rho * dmax) / (delta + self.rho * dmax) };
                        score[i] += self.weights[j] * xi;
                    }
                }
                ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }
            }
        };
        Ok(Outcome::new(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case as load};

    fn run(method: DistanceMethod, m: &Matrix, w: &[f64], o: &[Polarity]) -> ScoreTable {
        let f = DistanceParams::default()
            .check(method)
            .unwrap()
            .fit(m, &Weights(w.to_vec()), &resil_core::StageContext::columns(&resil_core::IndicatorSystem::flat(o), o))
            .unwrap()
            .value;
        f.score(m).unwrap().value
    }

    #[test]
    fn edas_refuses_an_average_of_zero_within_rounding_and_takes_a_constant_columns_value() {
        // Z-scores' averages come out as 1e-17 (here 0.1 + 0.2 - 0.3): every distance divided by
        // that was rounding noise. Refused, as an exact 0 is.
        let o = [Polarity::Benefit; 2];
        let system = resil_core::IndicatorSystem::flat(&o);
        let cx = resil_core::StageContext::columns(&system, &o);
        let edas = DistanceParams::default().check(DistanceMethod::Edas).unwrap();
        let centred = Matrix::from_columns(vec![vec![1.0, 2.0, 4.0], vec![0.1, 0.2, -0.3]]);
        let e = edas.fit(&centred, &Weights(vec![0.5, 0.5]), &cx).unwrap_err().to_string();
        assert!(e.contains("criterion 2: its average is 0 (within rounding)"), "{e}");
        // A constant column's average is its value: no distance at all, not 1e-16 of one.
        let constant = Matrix::from_columns(vec![vec![1.0, 2.0, 4.0], vec![0.1, 0.1, 0.1]]);
        let t = run(DistanceMethod::Edas, &constant, &[0.5, 0.5], &o);
        let only_first = run(DistanceMethod::Edas, &Matrix::from_columns(vec![vec![1.0, 2.0, 4.0]]), &[0.5], &o[..1]);
        assert_eq!(t.score, only_first.score);
    }

    #[test]
    fn edas_matches_pymcdm() {
        // pymcdm 1.4.0 EDAS on a 5 x 4 matrix (tests/reference/pymcdm_methods.py).
        let r = load("pymcdm_methods");
        let rows: Vec<Vec<f64>> = r["matrix"].as_array().unwrap().iter().map(floats).collect();
        let o: Vec<Polarity> =
            floats(&r["types"]).iter().map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost }).collect();
        let got = run(DistanceMethod::Edas, &Matrix::from_rows(&rows), &floats(&r["weights"]), &o).score;
        for (g, e) in got.iter().zip(floats(&r["edas"])) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn copras_by_hand() {
        // Benefit column (1, 3), cost column (2, 2), weights 0.5 each: S+ = (0.125, 0.375),
        // S- = (0.25, 0.25); Q = S+ + (0.25 * 0.5) / (0.25 * 2) = S+ + 0.25.
        let m = Matrix::from_columns(vec![vec![1.0, 3.0], vec![2.0, 2.0]]);
        let t = run(DistanceMethod::Copras, &m, &[0.5, 0.5], &[Polarity::Benefit, Polarity::Cost]);
        assert_eq!(t.score, vec![0.375, 0.625]);
    }

    #[test]
    fn gra_by_hand() {
        // Scaled values: column 1 (0, 1), column 2 (cost 1, 3 -> 1, 0): Delta = (1, 0; 0, 1),
        // Delta min 0, max 1, rho 0.5: xi = 0.5 / (Delta + 0.5) = (1/3, 1; 1, 1/3); equal weights
        // give 2/3 for both rows.
        let m = Matrix::from_columns(vec![vec![2.0, 4.0], vec![1.0, 3.0]]);
        let t = run(DistanceMethod::Gra, &m, &[0.5, 0.5], &[Polarity::Benefit, Polarity::Cost]);
        assert!((t.score[0] - 2.0 / 3.0).abs() < 1e-15 && (t.score[1] - 2.0 / 3.0).abs() < 1e-15);
        let t = run(DistanceMethod::Gra, &m, &[0.75, 0.25], &[Polarity::Benefit, Polarity::Cost]);
        assert!((t.score[1] - (0.75 + 0.25 / 3.0)).abs() < 1e-15);
    }
}
