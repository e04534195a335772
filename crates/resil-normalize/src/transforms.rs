//! Normalisations by transform: `log` (r = ln(x + shift), keeping each column's direction),
//! `rank` (r = the value's rank among the reference values, average ranks for ties, reversed for
//! cost columns so that a higher rank is better) and `target` (goalposts: r = (x - lo) / (hi - lo)
//! per indicator, reversed for cost columns, capped to [0, 1] unless `cap = false`).

use std::collections::BTreeMap;

use resil_core::{Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Unchecked `log` parameters: the shift added before the logarithm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LogParams {
    pub shift: f64,
}

/// Unchecked `rank` parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RankParams {}

/// Unchecked `target` parameters: goalposts [lo, hi] per indicator id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TargetParams {
    pub goalposts: BTreeMap<String, [f64; 2]>,
    pub cap: bool,
}

impl Default for TargetParams {
    fn default() -> Self {
        TargetParams { goalposts: BTreeMap::new(), cap: true }
    }
}

/// The checked transform.
#[derive(Debug, Clone)]
pub enum Transform {
    Log { shift: f64 },
    Rank,
    Target { goalposts: BTreeMap<String, [f64; 2]>, cap: bool },
}

impl LogParams {
    pub fn check(self) -> Result<Transform> {
        Ok(Transform::Log { shift: self.shift })
    }
}

impl RankParams {
    pub fn check(self) -> Result<Transform> {
        Ok(Transform::Rank)
    }
}

impl TargetParams {
    pub fn check(self) -> Result<Transform> {
        for (id, [lo, hi]) in &self.goalposts {
            if lo.is_nan() || hi.is_nan() || lo >= hi {
                return Err(Error::param(
                    "target",
                    format!("goalposts.{id}"),
                    format!("needs lo < hi, got [{lo}, {hi}]"),
                ));
            }
        }
        Ok(Transform::Target { goalposts: self.goalposts, cap: self.cap })
    }
}

/// A fitted transform: per column, what it learned.
#[derive(Debug, Clone)]
pub struct FittedTransform {
    kind: Transform,
    /// rank: sorted reference values per column; target: [lo, hi] per column.
    columns: Vec<Vec<f64>>,
    reverse: Vec<bool>,
    orientation: Vec<Polarity>,
}

impl Normalizer for Transform {
    fn fit(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let (system, orientation) = (cx.system, cx.orientation);
        let flips = !matches!(self, Transform::Log { .. });
        let mut columns = Vec::new();
        for (j, col) in reference.columns().enumerate() {
            let id = &system.get(j).id;
            match self {
                Transform::Log { shift } => {
                    if let Some(x) = col.iter().find(|&&x| x + shift <= 0.0) {
                        return Err(Error::data(
                            format!("log: indicator `{id}`"),
                            format!("value {x} + shift {shift} is not positive"),
                        ));
                    }
                    columns.push(Vec::new());
                }
                Transform::Rank => {
                    let mut s = col.to_vec();
                    s.sort_by(f64::total_cmp);
                    columns.push(s);
                }
                Transform::Target { goalposts, .. } => {
                    let g = goalposts.get(id).ok_or_else(|| {
                        Error::param("target", format!("goalposts.{id}"), "no goalposts given for this indicator")
                    })?;
                    columns.push(g.to_vec());
                }
            }
        }
        let reverse = orientation.iter().map(|&p| flips && p == Polarity::Cost).collect();
        let out_orientation = if flips { vec![Polarity::Benefit; orientation.len()] } else { orientation.to_vec() };
        Ok(Outcome::new(Box::new(FittedTransform {
            kind: self.clone(),
            columns,
            reverse,
            orientation: out_orientation,
        })))
    }
}

/// Average 1-based rank of `x` among sorted `reference` values (ties share the mean position).
fn rank_in(sorted: &[f64], x: f64) -> f64 {
    let below = sorted.partition_point(|&v| v < x);
    let equal = sorted[below..].partition_point(|&v| v == x);
    below as f64 + (equal as f64 + 1.0) / 2.0
}

impl FittedNormalizer for FittedTransform {
    fn transform(&self, data: &Matrix) -> Result<Matrix> {
        let mut out = data.clone();
        for j in 0..out.ncols() {
            let (c, rev) = (&self.columns[j], self.reverse[j]);
            for v in out.column_mut(j) {
                *v = match &self.kind {
                    Transform::Log { shift } => (*v + shift).ln(),
                    Transform::Rank => {
                        let r = rank_in(c, *v);
                        if rev {
                            c.len() as f64 + 1.0 - r
                        } else {
                            r
                        }
                    }
                    Transform::Target { cap, .. } => {
                        let (lo, hi) = (c[0], c[1]);
                        let r = if rev { (hi - *v) / (hi - lo) } else { (*v - lo) / (hi - lo) };
                        if *cap {
                            r.clamp(0.0, 1.0)
                        } else {
                            r
                        }
                    }
                };
            }
        }
        Ok(out)
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn run(t: Transform, col: Vec<f64>, p: Polarity) -> Vec<f64> {
        let m = Matrix::from_columns(vec![col]);
        let f = t.fit(&m, &resil_core::StageContext::columns(&IndicatorSystem::flat(&[p]), &[p])).unwrap().value;
        f.transform(&m).unwrap().column(0).to_vec()
    }

    #[test]
    fn log_rank_and_target_by_hand() {
        assert_eq!(
            run(LogParams { shift: 1.0 }.check().unwrap(), vec![0.0, std::f64::consts::E - 1.0], Polarity::Cost),
            vec![0.0, 1.0]
        );
        // Ranks with a tie: 10, 20, 20, 30 -> 1, 2.5, 2.5, 4; reversed for a cost column.
        assert_eq!(run(Transform::Rank, vec![10.0, 20.0, 20.0, 30.0], Polarity::Benefit), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(run(Transform::Rank, vec![10.0, 20.0, 20.0, 30.0], Polarity::Cost), vec![4.0, 2.5, 2.5, 1.0]);
        let t = TargetParams { goalposts: [("C1".to_string(), [0.0, 10.0])].into(), cap: true }.check().unwrap();
        assert_eq!(run(t, vec![-5.0, 5.0, 20.0], Polarity::Benefit), vec![0.0, 0.5, 1.0]);
        let t = TargetParams { goalposts: [("C1".to_string(), [0.0, 10.0])].into(), cap: false }.check().unwrap();
        assert_eq!(run(t, vec![5.0, 20.0], Polarity::Cost), vec![0.5, -1.0]);
    }

    #[test]
    fn clear_errors() {
        let m = Matrix::from_columns(vec![vec![-1.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit]);
        assert!(LogParams { shift: 0.0 }
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit]))
            .is_err());
        let err = TargetParams::default()
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("goalposts.C1"), "{err}");
        assert!(TargetParams { goalposts: [("C1".to_string(), [1.0, 1.0])].into(), cap: true }.check().is_err());
    }
}
