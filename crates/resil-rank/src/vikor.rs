//! VIKOR (Opricovic 1998; Opricovic & Tzeng 2004, 2007): group utility S, individual regret R and
//! the compromise index Q = v (S - S*) / (S- - S*) + (1 - v) (R - R*) / (R- - R*); lower Q is
//! better. VIKOR scales each criterion itself, from its best to its worst value over the
//! reference rows, choosing them by the column's orientation, so it needs no normaliser.

use resil_core::chunked::{ChunkedFit, Merge, PassState};

use crate::prescribed::{fold_summaries, summaries, SUMMARY_SLOTS};
use resil_core::{
    Diagnostic, Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext,
    Weights,
};
use serde::{Deserialize, Serialize};

/// Unchecked parameters: `v`, the weight of the strategy of the majority of criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct VikorParams {
    pub v: f64,
}

impl Default for VikorParams {
    fn default() -> Self {
        VikorParams { v: 0.5 }
    }
}

impl VikorParams {
    pub fn check(self) -> Result<Vikor> {
        if !(0.0..=1.0).contains(&self.v) {
            return Err(Error::param("vikor", "v", format!("must be in [0, 1], got {}", self.v)));
        }
        Ok(Vikor { v: self.v })
    }
}

/// The checked VIKOR method.
#[derive(Debug, Clone)]
pub struct Vikor {
    v: f64,
}

/// VIKOR fitted on a reference: best and worst per criterion, and the reference ranges of S and R.
#[derive(Debug, Clone)]
pub struct FittedVikor {
    v: f64,
    weights: Vec<f64>,
    best: Vec<f64>,
    worst: Vec<f64>,
    s_range: (f64, f64),
    r_range: (f64, f64),
}

impl FittedVikor {
    fn s_r(&self, data: &Matrix) -> (Vec<f64>, Vec<f64>) {
        let n = data.nrows();
        let (mut s, mut r) = (vec![0.0f64; n], vec![0.0f64; n]);
        for (j, col) in data.columns().enumerate() {
            let span = self.best[j] - self.worst[j];
            for (i, &x) in col.iter().enumerate() {
                let d = if span == 0.0 { 0.0 } else { self.weights[j] * (self.best[j] - x) / span };
                s[i] += d;
                r[i] = r[i].max(d);
            }
        }
        (s, r)
    }
}

impl Scorer for Vikor {
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(VikorFit { vikor: self, weights: weights.as_slice() }))
    }
}

/// VIKOR's fit over chunks of rows, in two passes: each column's summary (extremes, rows); then,
/// with the best and worst values they give, the extremes of S and R over the rows.
struct VikorFit<'a> {
    vikor: &'a Vikor,
    weights: &'a [f64],
}

/// The slots of the second pass, filled in column 0 only: S and R are a row's, not a column's.
const S_R_SLOTS: [Merge; 4] = [Merge::Min, Merge::Max, Merge::Min, Merge::Max];

impl VikorFit<'_> {
    /// VIKOR fitted as far as the first pass's state goes (S and R ranges still empty).
    fn fitted(&self, columns: &PassState, cx: &StageContext<'_>) -> FittedVikor {
        let (best, worst) = summaries(columns, self.weights.len())
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let (lo, hi) = (c.min, c.max);
                if cx.orientation[j] == Polarity::Benefit {
                    (hi, lo)
                } else {
                    (lo, hi)
                }
            })
            .unzip();
        FittedVikor {
            v: self.vikor.v,
            weights: self.weights.to_vec(),
            best,
            worst,
            s_range: (0.0, 0.0),
            r_range: (0.0, 0.0),
        }
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for VikorFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![SUMMARY_SLOTS.to_vec(), S_R_SLOTS.to_vec()]
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
            return fold_summaries("vikor", false, chunk, first_row, state, cx);
        }
        let (s, r) = self.fitted(&done[0], cx).s_r(chunk);
        for (slot, values) in [(0, &s), (2, &r)] {
            for &x in values.iter() {
                state.add(0, slot, x);
                state.add(0, slot + 1, x);
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if self.weights.len() != cx.orientation.len() {
            return Err(Error::data("vikor", "weights, orientation and columns differ in length"));
        }
        if summaries(&states[0], self.weights.len()).first().is_none_or(|c| c.rows < 2) {
            return Err(Error::data("vikor", "needs at least 2 alternatives"));
        }
        let mut fitted = self.fitted(&states[0], cx);
        let mut notes = Vec::new();
        for j in 0..self.weights.len() {
            if fitted.best[j] == fitted.worst[j] {
                notes.push(Diagnostic::warning(
                    "constant-column",
                    format!("vikor: criterion {} is constant; it contributes 0", j + 1),
                ));
            }
        }
        let sr = &states[1];
        fitted.s_range = (sr.get(0, 0), sr.get(0, 1));
        fitted.r_range = (sr.get(0, 2), sr.get(0, 3));
        if fitted.s_range.0 == fitted.s_range.1 || fitted.r_range.0 == fitted.r_range.1 {
            notes.push(Diagnostic::warning(
                "vikor-degenerate",
                "vikor: S or R is the same for every reference alternative; its part of Q is 0",
            ));
        }
        Ok(Outcome::with_notes(Box::new(fitted), notes))
    }
}

impl FittedScorer for FittedVikor {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let (s, r) = self.s_r(data);
        let part = |x: f64, (lo, hi): (f64, f64)| if hi > lo { (x - lo) / (hi - lo) } else { 0.0 };
        let q: Vec<f64> = s
            .iter()
            .zip(&r)
            .map(|(&si, &ri)| self.v * part(si, self.s_range) + (1.0 - self.v) * part(ri, self.r_range))
            .collect();
        Ok(Outcome::new(ScoreTable {
            score: q,
            extras: vec![("S".into(), s), ("R".into(), r)],
            direction: Direction::LowerIsBetter,
        }))
    }

    fn column_references(&self) -> resil_core::NamedColumns {
        vec![("ideal_best".into(), self.best.clone()), ("ideal_worst".into(), self.worst.clone())]
    }
}

/// VIKOR's compromise conditions on the best alternative by Q (Opricovic & Tzeng 2004).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compromise {
    /// C1: Q(second) - Q(first) >= DQ = 1 / (m - 1).
    pub acceptable_advantage: bool,
    /// C2: the first by Q is also first by S or by R.
    pub acceptable_stability: bool,
    /// 0-based alternatives of the compromise solution: the first alone when both hold; the first
    /// two when only C2 fails; all those with Q(a) - Q(first) < DQ when C1 fails.
    pub solution: Vec<usize>,
}

/// The compromise conditions for `q`, `s`, `r` of m >= 2 alternatives.
pub fn compromise(q: &[f64], s: &[f64], r: &[f64]) -> Compromise {
    let m = q.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| q[a].total_cmp(&q[b]).then(a.cmp(&b)));
    let dq = 1.0 / (m as f64 - 1.0);
    let first = order[0];
    let c1 = m < 2 || q[order[1]] - q[first] >= dq;
    let min_of = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let c2 = s[first] == min_of(s) || r[first] == min_of(r);
    let solution = if c1 && c2 {
        vec![first]
    } else if c1 {
        order[..2].to_vec()
    } else {
        order.iter().copied().filter(|&a| q[a] - q[first] < dq).collect()
    };
    Compromise { acceptable_advantage: c1, acceptable_stability: c2, solution }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_test_support::{floats, reference_case as load};

    #[track_caller]
    fn check_case(name: &str) {
        let case = load(name);
        let rows: Vec<Vec<f64>> = case["matrix"].as_array().unwrap().iter().map(floats).collect();
        let m = Matrix::from_rows(&rows);
        let o: Vec<Polarity> =
            floats(&case["types"]).iter().map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost }).collect();
        let v = case["params"]["v"].as_f64().unwrap();
        let fitted = VikorParams { v }
            .check()
            .unwrap()
            .fit(
                &m,
                &Weights(floats(&case["weights"])),
                &resil_core::StageContext::columns(&resil_core::IndicatorSystem::flat(&o), &o),
            )
            .unwrap()
            .value;
        let t = fitted.score(&m).unwrap().value;
        let tol = case["tolerance"]["abs"].as_f64().unwrap();
        for (name, got) in [("Q", &t.score), ("S", &t.extras[0].1), ("R", &t.extras[1].1)] {
            for (g, e) in got.iter().zip(floats(&case["expected"][name])) {
                assert!((g - e).abs() <= tol, "{name}: {got:?}");
            }
        }
    }

    #[test]
    fn opricovic_tzeng_2007_four_weightings() {
        // Opricovic & Tzeng (2007), EJOR 178(2) 514-529, Table 3 with the weight sets W1-W4, as
        // transcribed in scikit-criteria's test_VIKOR_opricovic2007extended (published to 3 dp).
        for w in 1..=4 {
            check_case(&format!("lit_vikor_skcriteria_opricovic2007_W{w}"));
        }
    }

    #[test]
    fn tzeng_example() {
        // scikit-criteria test_VIKOR: Q 0.75, 0.25, 0, 1; S 0.6, 0.3, 0.15, 0.65; R 0.3, 0.2, 0.15, 0.4.
        check_case("lit_vikor_skcriteria_tzeng");
    }

    #[test]
    fn compromise_conditions_by_hand() {
        // Q = (0, 0.2, 1): DQ = 0.5, Q2 - Q1 = 0.2 < DQ: C1 fails, the compromise is {0, 1}.
        let c = compromise(&[0.0, 0.2, 1.0], &[0.1, 0.2, 0.9], &[0.1, 0.3, 0.5]);
        assert!(!c.acceptable_advantage && c.acceptable_stability);
        assert_eq!(c.solution, vec![0, 1]);
        let c = compromise(&[0.0, 0.75, 1.0], &[0.1, 0.2, 0.9], &[0.1, 0.3, 0.5]);
        assert_eq!(c.solution, vec![0]);
    }
}
