//! Fixed thresholds (published grades): a value equal to a cut point goes to the higher class.

use resil_core::{Breaks, Classifier, CutRule, Error, Outcome, Result};
use serde::{Deserialize, Serialize};

/// Unchecked parameters: the k-1 cut points, strictly increasing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct FixedThresholdsParams {
    pub cuts: Vec<f64>,
}

impl FixedThresholdsParams {
    pub fn check(self) -> Result<FixedThresholds> {
        if self.cuts.is_empty() {
            return Err(Error::param("fixed", "cuts", "needs at least one cut point"));
        }
        if self.cuts.iter().any(|c| !c.is_finite()) || self.cuts.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::param(
                "fixed",
                "cuts",
                format!("must be finite and strictly increasing, got {:?}", self.cuts),
            ));
        }
        Ok(FixedThresholds { cuts: self.cuts })
    }
}

/// The checked fixed thresholds.
#[derive(Debug, Clone)]
pub struct FixedThresholds {
    cuts: Vec<f64>,
}

impl Classifier for FixedThresholds {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        if reference.is_empty() || reference.iter().any(|v| !v.is_finite()) {
            return Err(Error::data("fixed thresholds", "reference values must be present and finite"));
        }
        crate::spread_computable("fixed thresholds", reference)?;
        Ok(Outcome::new(Breaks::new(self.cuts.clone(), CutRule::LowerInclusive, reference)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_table_3_grades() {
        // method.md section 2.5: cut points 0.2865, 0.3235, 0.3625, 0.4095; equal goes higher.
        let b = FixedThresholdsParams { cuts: vec![0.2865, 0.3235, 0.3625, 0.4095] }
            .check()
            .unwrap()
            .fit(&[0.25, 0.5])
            .unwrap()
            .value;
        let grade = |x| b.class_of(x);
        assert_eq!(
            [grade(0.2449), grade(0.2865), grade(0.30), grade(0.3625), grade(0.4095), grade(0.5048)],
            [1, 2, 2, 4, 5, 5]
        );
    }

    #[test]
    fn unsorted_cuts_are_refused() {
        assert!(FixedThresholdsParams { cuts: vec![0.3, 0.2] }.check().is_err());
        assert!(FixedThresholdsParams { cuts: vec![] }.check().is_err());
    }
}
