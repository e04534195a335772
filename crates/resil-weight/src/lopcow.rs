//! LOPCOW weights (LOgarithmic Percentage Change-driven Objective Weighting, Ecer & Pamucar 2022),
//! as pymcdm 1.4.0 on the raw matrix: min-max scaling by orientation, then
//! PV_j = |ln(RMS_j / sd_j) * 100| with RMS the root mean square and sd the sample standard
//! deviation of the scaled column; weights PV / sum PV.

use resil_core::chunked::{fold_moments, moments_at, ChunkedFit, Merge, PassState, MOMENT_SLOTS};
use resil_core::{Error, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Unchecked parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LopcowParams {}

impl LopcowParams {
    pub fn check(self) -> Result<Lopcow> {
        Ok(Lopcow)
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Lopcow;

impl Weighter for Lopcow {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(LopcowFit))
    }
}

/// LOPCOW over chunks of rows, in three passes: each column's moments (its extremes scale it);
/// the sums of the scaled values and of their squares; their squares about their mean.
struct LopcowFit;

impl LopcowFit {
    /// Column `j` of `chunk` min-max scaled by its orientation, from the first pass's extremes.
    fn scaled<'a>(
        j: usize,
        column: &'a [f64],
        done: &[PassState],
        cx: &StageContext<'_>,
    ) -> impl Iterator<Item = f64> + 'a {
        let m = moments_at(&done[0], j);
        let cost = cx.orientation[j] == Polarity::Cost;
        column.iter().map(move |x| if cost { (m.max - x) / (m.max - m.min) } else { (x - m.min) / (m.max - m.min) })
    }
}

impl ChunkedFit<Weights> for LopcowFit {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        vec![MOMENT_SLOTS.to_vec(), vec![Merge::Sum, Merge::Sum], vec![Merge::Sum]]
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        _first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        if pass == 0 {
            fold_moments(chunk, state);
            return Ok(());
        }
        for (j, column) in chunk.columns().enumerate() {
            if pass == 1 {
                let (sum, squares) = Self::scaled(j, column, done, cx).fold((0.0, 0.0), |(s, q), r| (s + r, q + r * r));
                state.add(j, 0, sum);
                state.add(j, 1, squares);
            } else {
                let mean = done[1].get(j, 0) / done[0].get(j, 0);
                state.add(j, 0, Self::scaled(j, column, done, cx).map(|r| (r - mean) * (r - mean)).sum());
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let n = if cx.system.is_empty() { 0 } else { states[0].get(0, 0) as usize };
        if n < 2 {
            return Err(Error::data("lopcow", "needs at least 2 alternatives"));
        }
        let mut pv = Vec::with_capacity(cx.system.len());
        for j in 0..cx.system.len() {
            let m = moments_at(&states[0], j);
            if m.n != n || m.max <= m.min {
                return Err(Error::data(format!("lopcow: {}", cx.indicator(j)), "needs finite, non-constant values"));
            }
            let rms = (states[1].get(j, 1) / n as f64).sqrt();
            let sd = (states[2].get(j, 0) / (n - 1) as f64).sqrt();
            pv.push(((rms / sd).ln() * 100.0).abs());
        }
        Ok(Outcome::new(Weights::normalized(pv)?))
    }
}
