//! Normalisations by transform: `rank` (r = the value's rank among the reference values, average ranks for ties, reversed for
//! cost columns so that a higher rank is better) and `target` (goalposts: r = (x - lo) / (hi - lo)
//! per indicator, reversed for cost columns, capped to [0, 1] unless `cap = false`).

use std::collections::BTreeMap;

use resil_core::{Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

/// Unchecked `rank` parameters (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RankParams {}

/// A transform of an indicator's values (and its goalposts) before the goalposts apply:
/// `"log"` (natural logarithm, as the HDI's income) or `{ power = p }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ValueTransform {
    Named(NamedTransform),
    Power { power: f64 },
}

/// The transforms named by a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamedTransform {
    Log,
    None,
}

impl ValueTransform {
    fn apply(self, x: f64) -> f64 {
        match self {
            ValueTransform::Named(NamedTransform::Log) => x.ln(),
            ValueTransform::Named(NamedTransform::None) => x,
            ValueTransform::Power { power } => x.powf(power),
        }
    }

    /// Whether `x` is in the transform's domain.
    fn takes(self, x: f64) -> bool {
        match self {
            ValueTransform::Named(NamedTransform::Log) => x > 0.0,
            ValueTransform::Named(NamedTransform::None) => true,
            ValueTransform::Power { power } => x > 0.0 || (x == 0.0 && power > 0.0) || power.fract() == 0.0,
        }
    }
}

/// Unchecked `target` parameters: goalposts [lo, hi] per indicator id, values beyond them capped
/// (unless `cap = false`), and an optional transform per indicator applied to values and
/// goalposts alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TargetParams {
    pub goalposts: BTreeMap<String, [f64; 2]>,
    pub cap: bool,
    pub transform: BTreeMap<String, ValueTransform>,
}

impl Default for TargetParams {
    fn default() -> Self {
        TargetParams { goalposts: BTreeMap::new(), cap: true, transform: BTreeMap::new() }
    }
}

/// The checked transform.
#[derive(Debug, Clone)]
pub enum Transform {
    Rank,
    Target { goalposts: BTreeMap<String, [f64; 2]>, cap: bool, transform: BTreeMap<String, ValueTransform> },
}

impl RankParams {
    pub fn check(self) -> Result<Transform> {
        Ok(Transform::Rank)
    }
}

impl TargetParams {
    pub fn check(self) -> Result<Transform> {
        for (id, [lo, hi]) in &self.goalposts {
            // Infinite goalposts make every score 0/inf or NaN.
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(Error::param(
                    "target",
                    format!("goalposts.{id}"),
                    format!("needs finite lo < hi, got [{lo}, {hi}]"),
                ));
            }
            if let Some(&t) = self.transform.get(id) {
                let increasing = t.takes(*lo) && t.takes(*hi) && t.apply(*lo) < t.apply(*hi);
                if !increasing {
                    return Err(Error::param(
                        "target",
                        format!("goalposts.{id}"),
                        format!("[{lo}, {hi}] do not stay increasing under the transform {t:?}").to_lowercase(),
                    ));
                }
            }
        }
        if let Some(id) = self.transform.keys().find(|id| !self.goalposts.contains_key(*id)) {
            return Err(Error::param(
                "target",
                format!("transform.{id}"),
                "a transform needs the indicator's goalposts",
            ));
        }
        if let Some((id, ValueTransform::Power { power })) = self
            .transform
            .iter()
            .find(|(_, t)| matches!(t, ValueTransform::Power { power } if !power.is_finite() || *power <= 0.0))
        {
            return Err(Error::param("target", format!("transform.{id}.power"), format!("must be > 0, got {power}")));
        }
        Ok(Transform::Target { goalposts: self.goalposts, cap: self.cap, transform: self.transform })
    }
}

/// A fitted transform: per column, what it learned.
#[derive(Debug, Clone)]
pub struct FittedTransform {
    kind: Transform,
    /// rank: sorted reference values per column; target: [lo, hi] per column (transformed).
    columns: Vec<Vec<f64>>,
    /// target: each column's transform, applied before the goalposts.
    transforms: Vec<Option<ValueTransform>>,
    reverse: Vec<bool>,
    orientation: Vec<Polarity>,
}

impl Normalizer for Transform {
    fn fit(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let (system, orientation) = (cx.system, cx.orientation);
        let mut columns = Vec::new();
        let mut transforms = Vec::new();
        let mut notes = Vec::new();
        for (j, col) in reference.columns().enumerate() {
            let id = &system.get(j).id;
            match self {
                Transform::Rank => {
                    let mut s = col.to_vec();
                    s.sort_by(f64::total_cmp);
                    columns.push(s);
                }
                Transform::Target { goalposts, transform, cap } => {
                    let [lo, hi] = *goalposts.get(id).ok_or_else(|| {
                        Error::param("target", format!("goalposts.{id}"), "no goalposts given for this indicator")
                    })?;
                    let t = transform.get(id).copied();
                    if let Some(t) = t {
                        if let Some(i) = col.iter().position(|&x| !t.takes(x)) {
                            return Err(Error::data(
                                format!("target: {}", cx.cell(i, j)),
                                format!("value {} is outside the domain of its transform {t:?}", col[i]).to_lowercase(),
                            ));
                        }
                    }
                    // Cells beyond the goalposts are capped to them: say how many, and where.
                    let beyond: Vec<usize> = (0..col.len()).filter(|&i| col[i] < lo || col[i] > hi).collect();
                    if *cap && !beyond.is_empty() {
                        let shown: Vec<String> =
                            beyond.iter().take(3).map(|&i| format!("{} ({})", cx.row(i), col[i])).collect();
                        notes.push(resil_core::Diagnostic::info(
                            "capped",
                            format!(
                                "target: indicator `{id}`: {} value(s) beyond the goalposts [{lo}, {hi}] capped to them: {}{}",
                                beyond.len(),
                                shown.join(", "),
                                if beyond.len() > 3 { ", ..." } else { "" }
                            ),
                        ));
                    }
                    let tr = |x: f64| t.map_or(x, |t| t.apply(x));
                    columns.push(vec![tr(lo), tr(hi)]);
                    transforms.push(t);
                }
            }
        }
        let reverse = orientation.iter().map(|&p| p == Polarity::Cost).collect();
        let out_orientation = vec![Polarity::Benefit; orientation.len()];
        transforms.resize(columns.len(), None);
        Ok(Outcome::with_notes(
            Box::new(FittedTransform {
                kind: self.clone(),
                columns,
                transforms,
                reverse,
                orientation: out_orientation,
            }),
            notes,
        ))
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
                        let x = self.transforms[j].map_or(*v, |t| t.apply(*v));
                        let r = if rev { (hi - x) / (hi - lo) } else { (x - lo) / (hi - lo) };
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

    fn capped(&self, data: &Matrix) -> Vec<(usize, usize, f64, f64)> {
        let Transform::Target { cap: true, .. } = &self.kind else { return Vec::new() };
        let mut out = Vec::new();
        for j in 0..data.ncols() {
            let (lo, hi) = (self.columns[j][0], self.columns[j][1]);
            for (i, &v) in data.column(j).iter().enumerate() {
                let x = self.transforms[j].map_or(v, |t| t.apply(v));
                // Report the bound in the value's own units (before the transform).
                let raw_bound = |b: f64| match self.transforms[j] {
                    Some(ValueTransform::Named(NamedTransform::Log)) => b.exp(),
                    Some(ValueTransform::Power { power }) => b.powf(1.0 / power),
                    _ => b,
                };
                if x < lo {
                    out.push((i, j, v, raw_bound(lo)));
                } else if x > hi {
                    out.push((i, j, v, raw_bound(hi)));
                }
            }
        }
        out
    }

    fn learned(&self) -> resil_core::NamedColumns {
        match self.kind {
            Transform::Target { .. } => vec![
                ("goal_lo".into(), self.columns.iter().map(|c| c[0]).collect()),
                ("goal_hi".into(), self.columns.iter().map(|c| c[1]).collect()),
            ],
            _ => Vec::new(),
        }
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
    fn rank_and_target_by_hand() {
        // Ranks with a tie: 10, 20, 20, 30 -> 1, 2.5, 2.5, 4; reversed for a cost column.
        assert_eq!(run(Transform::Rank, vec![10.0, 20.0, 20.0, 30.0], Polarity::Benefit), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(run(Transform::Rank, vec![10.0, 20.0, 20.0, 30.0], Polarity::Cost), vec![4.0, 2.5, 2.5, 1.0]);
        let t = TargetParams { goalposts: [("C1".to_string(), [0.0, 10.0])].into(), cap: true, ..Default::default() }
            .check()
            .unwrap();
        assert_eq!(run(t, vec![-5.0, 5.0, 20.0], Polarity::Benefit), vec![0.0, 0.5, 1.0]);
        let t = TargetParams { goalposts: [("C1".to_string(), [0.0, 10.0])].into(), cap: false, ..Default::default() }
            .check()
            .unwrap();
        assert_eq!(run(t, vec![5.0, 20.0], Polarity::Cost), vec![0.5, -1.0]);
    }

    #[test]
    fn clear_errors() {
        let m = Matrix::from_columns(vec![vec![-1.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit]);
        let err = TargetParams::default()
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("goalposts.C1"), "{err}");
        assert!(TargetParams { goalposts: [("C1".to_string(), [1.0, 1.0])].into(), cap: true, ..Default::default() }
            .check()
            .is_err());
        // Infinite goalposts and shifts were taken, and gave NaN scores.
        for goalposts in [[f64::NEG_INFINITY, 1.0], [0.0, f64::INFINITY]] {
            let params = TargetParams { goalposts: [("C1".to_string(), goalposts)].into(), ..Default::default() };
            let err = params.check().expect_err("refused").to_string();
            assert!(err.contains("parameter `goalposts.C1`: needs finite lo < hi"), "{err}");
        }
    }

    #[test]
    fn goalposts_with_a_log_transform_and_caps_give_the_hdi_income_index() {
        // UNDP HDR technical notes: income index = (ln GNI - ln 100) / (ln 75000 - ln 100),
        // capped at 1 (GNI above 75,000 counts as 75,000). By hand for GNI 10,000 and 100,000.
        let params = TargetParams {
            goalposts: [("C1".to_string(), [100.0, 75000.0])].into(),
            cap: true,
            transform: [("C1".to_string(), ValueTransform::Named(NamedTransform::Log))].into(),
        };
        let sys = IndicatorSystem::flat(&[Polarity::Benefit]);
        let m = Matrix::from_rows(&[vec![10000.0], vec![100000.0]]);
        let fitted = params.check().unwrap().fit(&m, &StageContext::columns(&sys, &[Polarity::Benefit])).unwrap();
        assert!(
            fitted.notes[0].message.contains("1 value(s) beyond the goalposts [100, 75000] capped"),
            "{:?}",
            fitted.notes
        );
        let r = fitted.value.transform(&m).unwrap();
        let expected = (10000f64.ln() - 100f64.ln()) / (75000f64.ln() - 100f64.ln());
        assert!((r.get(0, 0) - expected).abs() < 1e-15);
        assert_eq!(r.get(1, 0), 1.0);
        assert_eq!(fitted.value.learned()[1].1, vec![75000f64.ln()]);
        // A transform needs goalposts that stay increasing, and values in its domain.
        let bad = TargetParams {
            goalposts: [("C1".to_string(), [0.0, 10.0])].into(),
            cap: true,
            transform: [("C1".to_string(), ValueTransform::Named(NamedTransform::Log))].into(),
        };
        assert!(bad.check().unwrap_err().to_string().contains("goalposts.C1"));
        let orphan = TargetParams {
            transform: [("C9".to_string(), ValueTransform::Power { power: 0.5 })].into(),
            ..Default::default()
        };
        assert!(orphan.check().unwrap_err().to_string().contains("transform.C9"));
    }
}
