//! Z-score standardisation, z = s_j (x - mean_j) / sd_j, with sample or population sd.

use resil_core::{Diagnostic, Error, FittedNormalizer, Matrix, Normalizer, Outcome, Polarity, Result, StageContext};
use serde::{Deserialize, Serialize};

use resil_core::chunked::{ChunkedFit, StatsFit};
use resil_core::stats::ColumnStats;

/// Which standard deviation divides: sample (n - 1) or population (n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdKind {
    #[default]
    Sample,
    Population,
}

/// Unchecked parameters of the z-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ZScoreParams {
    pub sd: SdKind,
    /// Multiply cost columns by -1, so that higher is better in every output column.
    pub apply_polarity: bool,
}

impl Default for ZScoreParams {
    fn default() -> Self {
        ZScoreParams { sd: SdKind::Sample, apply_polarity: true }
    }
}

impl ZScoreParams {
    pub fn check(self) -> Result<ZScore> {
        Ok(ZScore { params: self })
    }
}

/// The checked z-score method.
#[derive(Debug, Clone)]
pub struct ZScore {
    params: ZScoreParams,
}

/// A z-score fitted on a reference: the means and sds it learned.
#[derive(Debug, Clone)]
pub struct FittedZScore {
    means: Vec<f64>,
    sds: Vec<f64>,
    signs: Vec<f64>,
    orientation: Vec<Polarity>,
}

impl FittedZScore {
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    pub fn sds(&self) -> &[f64] {
        &self.sds
    }
}

impl ZScore {
    /// The fitted method from each reference column's statistics: the fit in memory and over
    /// chunks of rows alike.
    fn fitted_from(
        &self,
        stats: Vec<ColumnStats>,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let (system, orientation) = (cx.system, cx.orientation);
        let mut notes = Vec::new();
        let sds = stats
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let sd = match self.params.sd {
                    SdKind::Sample => s.sd_sample,
                    SdKind::Population => s.sd_population,
                };
                if sd == 0.0 {
                    notes.push(Diagnostic::warning(
                        "constant-column",
                        format!("zscore: indicator `{}` has zero spread; its z-scores are set to 0", system.get(j).id),
                    ));
                }
                sd
            })
            .collect();
        if orientation.len() != stats.len() {
            return Err(Error::data("zscore", "orientation length differs from the column count"));
        }
        let flip = self.params.apply_polarity;
        let fitted = FittedZScore {
            means: stats.iter().map(|s| s.mean).collect(),
            sds,
            signs: orientation.iter().map(|p| if flip { p.sign() } else { 1.0 }).collect(),
            orientation: if flip { vec![Polarity::Benefit; orientation.len()] } else { orientation.to_vec() },
        };
        Ok(Outcome::with_notes(Box::new(fitted), notes))
    }
}

impl Normalizer for ZScore {
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Box<dyn FittedNormalizer>> + '_>> {
        Some(Box::new(StatsFit {
            method: "zscore",
            spread: true,
            build: |stats, cx: &StageContext<'_>| self.fitted_from(stats, cx),
        }))
    }
}

impl FittedNormalizer for FittedZScore {
    fn transform_in_place(&self, out: &mut Matrix) -> Result<()> {
        for j in 0..out.ncols() {
            let (mean, sd, sign) = (self.means[j], self.sds[j], self.signs[j]);
            for v in out.column_mut(j) {
                *v = if sd == 0.0 { 0.0 } else { sign * (*v - mean) / sd };
            }
        }
        Ok(())
    }

    fn output_orientation(&self) -> Vec<Polarity> {
        self.orientation.clone()
    }

    fn learned(&self) -> resil_core::NamedColumns {
        vec![("mean".into(), self.means.clone()), ("sd".into(), self.sds.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::Polarity::{Benefit, Cost};
    use resil_core::{IndicatorSystem, Polarity};

    #[track_caller]
    fn check(params: ZScoreParams, columns: Vec<Vec<f64>>, polarity: &[Polarity], expected: Vec<Vec<f64>>) {
        let m = Matrix::from_columns(columns);
        let system = IndicatorSystem::flat(polarity);
        let fitted =
            params.check().unwrap().fit(&m, &resil_core::StageContext::columns(&system, polarity)).unwrap().value;
        let out = fitted.transform(&m).unwrap();
        for (j, col) in expected.iter().enumerate() {
            for (i, e) in col.iter().enumerate() {
                assert!((out.get(i, j) - e).abs() < 1e-12, "cell ({i},{j}): {} vs {e}", out.get(i, j));
            }
        }
        assert_eq!(fitted.output_orientation(), vec![Benefit; polarity.len()]);
    }

    #[test]
    fn sample_sd_flips_cost_columns() {
        // 2, 4, 6: mean 4, sample sd 2 (hand computation).
        check(
            ZScoreParams::default(),
            vec![vec![2.0, 4.0, 6.0], vec![2.0, 4.0, 6.0]],
            &[Benefit, Cost],
            vec![vec![-1.0, 0.0, 1.0], vec![1.0, 0.0, -1.0]],
        );
    }

    #[test]
    fn population_sd() {
        // 2, 4, 6: population sd sqrt(8/3).
        let s = (8.0f64 / 3.0).sqrt();
        check(
            ZScoreParams { sd: SdKind::Population, apply_polarity: true },
            vec![vec![2.0, 4.0, 6.0]],
            &[Benefit],
            vec![vec![-2.0 / s, 0.0, 2.0 / s]],
        );
    }

    #[test]
    fn constant_column_is_zero_and_flagged() {
        let m = Matrix::from_columns(vec![vec![3.0, 3.0, 3.0]]);
        let out = ZScoreParams::default()
            .check()
            .unwrap()
            .fit(&m, &resil_core::StageContext::columns(&IndicatorSystem::flat(&[Benefit]), &[Benefit]))
            .unwrap();
        assert_eq!(out.notes[0].code, "constant-column");
        assert_eq!(out.value.transform(&m).unwrap().column(0), &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn applies_reference_statistics_to_other_rows() {
        let reference = Matrix::from_columns(vec![vec![2.0, 4.0, 6.0]]);
        let fitted = ZScoreParams::default()
            .check()
            .unwrap()
            .fit(&reference, &resil_core::StageContext::columns(&IndicatorSystem::flat(&[Benefit]), &[Benefit]))
            .unwrap()
            .value;
        let other = Matrix::from_columns(vec![vec![8.0]]);
        assert_eq!(fitted.transform(&other).unwrap().column(0), &[2.0]);
    }

    proptest::proptest! {
        #[test]
        fn standardised_columns_have_mean_0_and_sd_1(col in proptest::collection::vec(-1e6f64..1e6, 3..40)) {
            let spread = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - col.iter().cloned().fold(f64::INFINITY, f64::min);
            proptest::prop_assume!(spread > 1e-3);
            let m = Matrix::from_columns(vec![col]);
            let fitted = ZScoreParams::default().check().unwrap().fit(&m, &resil_core::StageContext::columns(&IndicatorSystem::flat(&[Benefit]), &[Benefit])).unwrap().value;
            let z = fitted.transform(&m).unwrap();
            let s = resil_core::stats::column_stats(z.column(0)).unwrap();
            proptest::prop_assert!(s.mean.abs() < 1e-9);
            proptest::prop_assert!((s.sd_sample - 1.0).abs() < 1e-9);
        }
    }
}
