//! Goalpost normalisation (`target`): r = (x - lo) / (hi - lo) per indicator, reversed for cost
//! columns, capped to [0, 1] unless `cap = false`, after an optional transform of values and
//! goalposts alike (the HDI's log income). The goalposts are given, so the fit reads the data only
//! to check it: one pass over chunks counts the cells beyond the goalposts for the note.

use std::collections::BTreeMap;

use resil_core::chunked::{first_failing_cell, ChunkedFit, Merge, PassState};
use resil_core::{Diagnostic, Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

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

impl TargetParams {
    pub fn check(self) -> Result<Target> {
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
        Ok(Target { goalposts: self.goalposts, cap: self.cap, transform: self.transform })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Target {
    goalposts: BTreeMap<String, [f64; 2]>,
    cap: bool,
    transform: BTreeMap<String, ValueTransform>,
}

/// Goalposts fitted to the columns of a reference: per column, [lo, hi] after the transform.
#[derive(Debug, Clone)]
pub struct FittedTarget {
    bounds: Vec<[f64; 2]>,
    /// Each column's transform, applied before the goalposts.
    transforms: Vec<Option<ValueTransform>>,
    reverse: Vec<bool>,
    cap: bool,
    orientation: Vec<Polarity>,
}

impl Target {
    /// Each column's goalposts, in the values' own units, and its transform; an indicator without
    /// goalposts is refused.
    fn columns(&self, cx: &StageContext<'_>) -> Result<Vec<([f64; 2], Option<ValueTransform>)>> {
        cx.system
            .indicators()
            .iter()
            .map(|i| {
                let bounds = self.goalposts.get(&i.id).copied().ok_or_else(|| {
                    Error::param("target", format!("goalposts.{}", i.id), "no goalposts given for this indicator")
                })?;
                Ok((bounds, self.transform.get(&i.id).copied()))
            })
            .collect()
    }
}

impl Normalizer for Target {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(TargetFit(self)))
    }
}

/// The fit over chunks: with capping or a transform, one pass that checks each value is in its
/// transform's domain and, per column, counts the cells beyond the goalposts, with the first
/// such row and the least and greatest such value (slots in this order); otherwise no pass.
struct TargetFit<'a>(&'a Target);

const BEYOND_SLOTS: [Merge; 4] = [Merge::Sum, Merge::Min, Merge::Min, Merge::Max];

impl ChunkedFit<Box<dyn FittedNormalizer>> for TargetFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        if self.0.cap || !self.0.transform.is_empty() {
            vec![BEYOND_SLOTS.to_vec()]
        } else {
            Vec::new()
        }
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
        let columns = self.0.columns(cx)?;
        if let Some((i, j)) = first_failing_cell(chunk, |j, x| columns[j].1.is_none_or(|t| t.takes(x))) {
            let t = columns[j].1.expect("only a transform refuses a value");
            return Err(Error::data(
                format!("target: {}", cx.cell(first_row + i, j)),
                format!("value {} is outside the domain of its transform {t:?}", chunk.get(i, j)).to_lowercase(),
            ));
        }
        for (j, (col, ([lo, hi], _))) in chunk.columns().zip(&columns).enumerate() {
            for (i, &x) in col.iter().enumerate().filter(|(_, &x)| x < *lo || x > *hi) {
                [1.0, (first_row + i) as f64, x, x].iter().enumerate().for_each(|(s, &v)| state.add(j, s, v));
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let columns = self.0.columns(cx)?;
        let mut notes = Vec::new();
        if self.0.cap {
            for (j, ([lo, hi], _)) in columns.iter().enumerate() {
                let beyond = states[0].get(j, 0);
                if beyond > 0.0 {
                    let (first, least, greatest) = (states[0].get(j, 1), states[0].get(j, 2), states[0].get(j, 3));
                    let which = if beyond == 1.0 {
                        format!("{} ({least})", cx.row(first as usize))
                    } else {
                        format!("the first at {}, their values from {least} to {greatest}", cx.row(first as usize))
                    };
                    notes.push(Diagnostic::info(
                        "capped",
                        format!(
                            "target: {}: {beyond} value(s) beyond the goalposts [{lo}, {hi}] capped to them: {which}",
                            cx.indicator(j)
                        ),
                    ));
                }
            }
        }
        let apply = |t: Option<ValueTransform>, x: f64| t.map_or(x, |t| t.apply(x));
        Ok(Outcome::with_notes(
            Box::new(FittedTarget {
                bounds: columns.iter().map(|&([lo, hi], t)| [apply(t, lo), apply(t, hi)]).collect(),
                transforms: columns.iter().map(|&(_, t)| t).collect(),
                reverse: cx.orientation.iter().map(|&p| p == Polarity::Cost).collect(),
                cap: self.0.cap,
                orientation: vec![Polarity::Benefit; cx.orientation.len()],
            }),
            notes,
        ))
    }
}

impl FittedNormalizer for FittedTarget {
    fn transform_in_place(&self, data: &mut Matrix) -> Result<()> {
        for j in 0..data.ncols() {
            let ([lo, hi], t, rev) = (self.bounds[j], self.transforms[j], self.reverse[j]);
            for v in data.column_mut(j) {
                let x = t.map_or(*v, |t| t.apply(*v));
                let r = if rev { (hi - x) / (hi - lo) } else { (x - lo) / (hi - lo) };
                *v = if self.cap { r.clamp(0.0, 1.0) } else { r };
            }
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }

    fn capped(&self, data: &Matrix) -> Vec<(usize, usize, f64, f64)> {
        if !self.cap {
            return Vec::new();
        }
        let mut out = Vec::new();
        for j in 0..data.ncols() {
            let ([lo, hi], t) = (self.bounds[j], self.transforms[j]);
            // The bound in the value's own units (before the transform).
            let raw_bound = |b: f64| match t {
                Some(ValueTransform::Named(NamedTransform::Log)) => b.exp(),
                Some(ValueTransform::Power { power }) => b.powf(1.0 / power),
                _ => b,
            };
            for (i, &v) in data.column(j).iter().enumerate() {
                let x = t.map_or(v, |t| t.apply(v));
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
        vec![
            ("goal_lo".into(), self.bounds.iter().map(|b| b[0]).collect()),
            ("goal_hi".into(), self.bounds.iter().map(|b| b[1]).collect()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::IndicatorSystem;

    fn run(t: Target, col: Vec<f64>, p: Polarity) -> Vec<f64> {
        let m = Matrix::from_columns(vec![col]);
        let f = t.fit(&m, &StageContext::columns(&IndicatorSystem::flat(&[p]), &[p])).unwrap().value;
        f.transform(&m).unwrap().column(0).to_vec()
    }

    #[test]
    fn goalposts_by_hand() {
        let t = TargetParams { goalposts: [("C1".to_string(), [0.0, 10.0])].into(), cap: true, ..Default::default() }
            .check()
            .unwrap();
        assert_eq!(run(t.clone(), vec![-5.0, 5.0, 20.0], Polarity::Benefit), vec![0.0, 0.5, 1.0]);
        // The note names the first capped cell in row order, and the range of the capped values.
        let m = Matrix::from_columns(vec![vec![5.0, 12.0, -5.0, 20.0]]);
        let system = IndicatorSystem::flat(&[Polarity::Benefit]);
        let cx = StageContext::columns(&system, &[Polarity::Benefit]);
        assert_eq!(
            t.fit(&m, &cx).unwrap().notes[0].message,
            "target: indicator `C1`: 3 value(s) beyond the goalposts [0, 10] capped to them: the first at row 2, their values from -5 to 20"
        );
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
        assert_eq!(
            fitted.notes[0].message,
            "target: indicator `C1`: 1 value(s) beyond the goalposts [100, 75000] capped to them: row 2 (100000)"
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
        // A value outside the transform's domain is refused, naming its cell: the first in row
        // order, then column order.
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let both_logged = TargetParams {
            goalposts: [("C1".to_string(), [1.0, 10.0]), ("C2".to_string(), [1.0, 10.0])].into(),
            cap: false,
            transform: ["C1", "C2"].map(|c| (c.to_string(), ValueTransform::Named(NamedTransform::Log))).into(),
        };
        let m = Matrix::from_rows(&[vec![2.0, 3.0], vec![4.0, 0.0], vec![-1.0, 5.0]]);
        let err = both_logged
            .check()
            .unwrap()
            .fit(&m, &StageContext::columns(&sys, &[Polarity::Benefit; 2]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("target: indicator `C2`, row 2: value 0 is outside the domain of its transform named(log)"),
            "{err}"
        );
        let orphan = TargetParams {
            transform: [("C9".to_string(), ValueTransform::Power { power: 0.5 })].into(),
            ..Default::default()
        };
        assert!(orphan.check().unwrap_err().to_string().contains("transform.C9"));
    }
}
