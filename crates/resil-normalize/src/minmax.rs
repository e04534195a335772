//! Min-max scaling to [floor, 1]: r = (1 - floor) (x - min) / (max - min) + floor, reversed for cost columns.
//!
//! With floor = 0.01 this is method.md's reading (a): r = 0.99 r + 0.01, which keeps every value
//! positive for the entropy step.

use resil_core::{Diagnostic, Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

use resil_core::chunked::{ChunkedFit, StatsFit};
use resil_core::stats::ColumnStats;

/// Unchecked parameters of min-max scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct MinMaxParams {
    /// The value the worst reference observation maps to; 0 for plain min-max.
    pub floor: f64,
    /// Reverse cost columns, so that higher is better in every output column.
    pub apply_polarity: bool,
    /// Multiplies the result: 100 gives COINr's 0-100 scale.
    pub scale: f64,
}

impl Default for MinMaxParams {
    fn default() -> Self {
        MinMaxParams { floor: 0.0, apply_polarity: true, scale: 1.0 }
    }
}

impl MinMaxParams {
    pub fn check(self) -> Result<MinMax> {
        if !(self.floor >= 0.0 && self.floor < 1.0) {
            return Err(Error::param("minmax", "floor", format!("must be in [0, 1), got {}", self.floor)));
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::param("minmax", "scale", format!("must be positive, got {}", self.scale)));
        }
        Ok(MinMax { params: self })
    }
}

/// The checked min-max method.
#[derive(Debug, Clone)]
pub struct MinMax {
    params: MinMaxParams,
}

/// Min-max fitted on a reference: its minima and maxima.
#[derive(Debug, Clone)]
pub struct FittedMinMax {
    mins: Vec<f64>,
    maxs: Vec<f64>,
    reverse: Vec<bool>,
    floor: f64,
    scale: f64,
    orientation: Vec<Polarity>,
}

impl FittedMinMax {
    pub fn mins(&self) -> &[f64] {
        &self.mins
    }

    pub fn maxs(&self) -> &[f64] {
        &self.maxs
    }
}

impl MinMax {
    /// The fitted method from each reference column's statistics: the fit in memory and over
    /// chunks of rows alike.
    fn fitted_from(
        &self,
        stats: Vec<ColumnStats>,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let (system, orientation) = (cx.system, cx.orientation);
        let notes = stats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.max == s.min)
            .map(|(j, _)| {
                Diagnostic::warning(
                    "constant-column",
                    format!(
                        "minmax: indicator `{}` has zero spread; every value is set to the floor {}",
                        system.get(j).id,
                        self.params.floor
                    ),
                )
            })
            .collect();
        let flip = self.params.apply_polarity;
        let fitted = FittedMinMax {
            mins: stats.iter().map(|s| s.min).collect(),
            maxs: stats.iter().map(|s| s.max).collect(),
            reverse: orientation.iter().map(|&p| flip && p == Polarity::Cost).collect(),
            floor: self.params.floor,
            scale: self.params.scale,
            orientation: if flip { vec![Polarity::Benefit; orientation.len()] } else { orientation.to_vec() },
        };
        Ok(Outcome::with_notes(Box::new(fitted), notes))
    }
}

impl Normalizer for MinMax {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(StatsFit {
            method: "minmax",
            spread: false,
            build: |stats, cx: &StageContext<'_>| self.fitted_from(stats, cx),
        }))
    }
}

impl FittedNormalizer for FittedMinMax {
    fn transform_in_place(&self, out: &mut Matrix) -> Result<()> {
        for j in 0..out.ncols() {
            let (lo, hi, floor) = (self.mins[j], self.maxs[j], self.floor);
            let range = hi - lo;
            for v in out.column_mut(j) {
                let unit = if range == 0.0 {
                    0.0
                } else if self.reverse[j] {
                    (hi - *v) / range
                } else {
                    (*v - lo) / range
                };
                *v = self.scale * ((1.0 - floor) * unit + floor);
            }
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }

    fn learned(&self) -> resil_core::NamedColumns {
        vec![("min".into(), self.mins.clone()), ("max".into(), self.maxs.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::Polarity::{Benefit, Cost};
    use resil_core::{IndicatorSystem, Polarity};

    fn fit(floor: f64, m: &Matrix, polarity: &[Polarity]) -> Box<dyn FittedNormalizer> {
        MinMaxParams { floor, apply_polarity: true, scale: 1.0 }
            .check()
            .unwrap()
            .fit(m, &resil_core::StageContext::columns(&IndicatorSystem::flat(polarity), polarity))
            .unwrap()
            .value
    }

    #[test]
    fn floor_shift_of_method_md() {
        // method.md 2(a): r = 0.99 (x - min) / (max - min) + 0.01; cost columns reversed.
        let m = Matrix::from_columns(vec![vec![10.0, 15.0, 20.0], vec![10.0, 15.0, 20.0]]);
        let out = fit(0.01, &m, &[Benefit, Cost]).transform(&m).unwrap();
        assert_eq!(out.column(0), &[0.01, 0.505, 1.0]);
        assert_eq!(out.column(1), &[1.0, 0.505, 0.01]);
    }

    #[test]
    fn minmax_of_z_equals_minmax_of_x() {
        // method.md 2: under reading (a) the z-score step changes nothing downstream.
        use crate::ZScoreParams;
        let m = Matrix::from_columns(vec![vec![3.0, 9.5, 1.25, 7.0], vec![100.0, 40.0, 55.0, 90.0]]);
        let pol = [Benefit, Cost];
        let sys = IndicatorSystem::flat(&pol);
        let z = ZScoreParams::default()
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&sys, &pol))
            .unwrap()
            .value;
        let zm = z.transform(&m).unwrap();
        let via_z = fit(0.01, &zm, &z.output_orientation()).transform(&zm).unwrap();
        let direct = fit(0.01, &m, &pol).transform(&m).unwrap();
        for (a, b) in via_z.as_slice().iter().zip(direct.as_slice()) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn floor_out_of_range_is_refused() {
        let err = MinMaxParams { floor: 1.0, apply_polarity: true, scale: 1.0 }.check().unwrap_err().to_string();
        assert!(err.contains("floor"), "{err}");
    }

    #[test]
    fn constant_column_goes_to_floor_and_is_flagged() {
        let m = Matrix::from_columns(vec![vec![5.0, 5.0]]);
        let out = MinMaxParams { floor: 0.01, apply_polarity: true, scale: 1.0 }
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&IndicatorSystem::flat(&[Benefit]), &[Benefit]))
            .unwrap();
        assert_eq!(out.notes[0].code, "constant-column");
        assert_eq!(out.value.transform(&m).unwrap().column(0), &[0.01, 0.01]);
    }

    proptest::proptest! {
        #[test]
        fn reference_maps_into_floor_one(col in proptest::collection::vec(-1e6f64..1e6, 2..40), floor in 0.0f64..0.5) {
            let m = Matrix::from_columns(vec![col]);
            let r = fit(floor, &m, &[Cost]).transform(&m).unwrap();
            for &v in r.column(0) {
                proptest::prop_assert!(v >= floor - 1e-12 && v <= 1.0 + 1e-12);
            }
        }
    }
}
