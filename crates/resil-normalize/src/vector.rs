//! Vector normalisation r = x / ||x||_2 of classic TOPSIS (Hwang & Yoon 1981); it keeps each
//! column's direction, so the scorer chooses ideals by polarity.

use resil_core::{Diagnostic, FittedNormalizer, IndicatorSystem, Matrix, Normalizer, Outcome, Polarity, Result};
use serde::{Deserialize, Serialize};

/// Unchecked parameters of vector normalisation (none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct VectorParams {}

impl VectorParams {
    pub fn check(self) -> Result<Vector> {
        Ok(Vector {})
    }
}

/// The checked vector normalisation.
#[derive(Debug, Clone)]
pub struct Vector {}

/// Vector normalisation fitted on a reference: the column norms.
#[derive(Debug, Clone)]
pub struct FittedVector {
    norms: Vec<f64>,
    orientation: Vec<Polarity>,
}

impl FittedVector {
    pub fn norms(&self) -> &[f64] {
        &self.norms
    }
}

impl Normalizer for Vector {
    fn fit(
        &self,
        reference: &Matrix,
        system: &IndicatorSystem,
        orientation: &[Polarity],
    ) -> Result<Outcome<Box<dyn FittedNormalizer>>> {
        let norms: Vec<f64> = reference
            .columns()
            .map(|c| c.iter().filter(|v| v.is_finite()).map(|v| v * v).sum::<f64>().sqrt())
            .collect();
        let notes = norms
            .iter()
            .enumerate()
            .filter(|(_, &n)| n == 0.0)
            .map(|(j, _)| {
                Diagnostic::warning("constant-column", format!("vector: indicator `{}` is all zero", system.get(j).id))
            })
            .collect();
        Ok(Outcome::with_notes(Box::new(FittedVector { norms, orientation: orientation.to_vec() }), notes))
    }
}

impl FittedNormalizer for FittedVector {
    fn transform(&self, data: &Matrix) -> Result<Matrix> {
        let mut out = data.clone();
        for (j, &norm) in self.norms.iter().enumerate() {
            out.column_mut(j).iter_mut().for_each(|v| *v = if norm == 0.0 { 0.0 } else { *v / norm });
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

    #[test]
    fn columns_get_unit_norm_and_keep_their_polarity() {
        // (3, 4) has norm 5.
        let m = Matrix::from_columns(vec![vec![3.0, 4.0]]);
        let fitted = VectorParams::default()
            .check()
            .unwrap()
            .fit(&m, &IndicatorSystem::flat(&[Polarity::Cost]), &[Polarity::Cost])
            .unwrap()
            .value;
        assert_eq!(fitted.transform(&m).unwrap().column(0), &[0.6, 0.8]);
        assert_eq!(fitted.output_orientation(), vec![Polarity::Cost]);
    }
}
