//! The weighted sum (simple additive weighting) and the weighted product: WSM = sum_j w_j r_ij,
//! WPM = prod_j r_ij^w_j. Both need benefit-aligned columns (a normaliser that flips cost
//! columns, such as minmax or zscore); WPM also needs positive values.

use resil_core::chunked::{ChunkedFit, NoData};
use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// What the weighted sum and product do with a cost column (one whose direction no normaliser
/// flipped): tools disagree, so both readings are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeightedCost {
    /// Refuse: ask for a normaliser that flips cost columns (resil's default).
    #[default]
    Refuse,
    /// Replace r by (1/r) / sum(1/r) over the reference rows: after `sum` normalisation this is
    /// pymcdm's `sum_normalization(x, cost=True)`, (1/x) / sum(1/x).
    Reciprocal,
}

/// Unchecked parameters: the reading for cost columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WeightedParams {
    pub cost: WeightedCost,
}

/// Sum or product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Sum,
    Product,
}

impl WeightedParams {
    pub fn check(self, aggregation: Aggregation) -> Result<Weighted> {
        Ok(Weighted { aggregation, cost: self.cost })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Weighted {
    aggregation: Aggregation,
    cost: WeightedCost,
}

/// Fitted: the weights, and for each cost column read as reciprocal the sum of 1/r over the
/// reference rows (None for the others).
#[derive(Debug, Clone)]
pub struct FittedWeighted {
    aggregation: Aggregation,
    weights: Vec<f64>,
    reciprocal_sums: Vec<Option<f64>>,
}

fn name(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Sum => "wsm",
        Aggregation::Product => "wpm",
    }
}

impl Scorer for Weighted {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let orientation = cx.orientation;
        let mut reciprocal_sums = vec![None; orientation.len()];
        if self.cost == WeightedCost::Reciprocal {
            for (j, _) in orientation.iter().enumerate().filter(|(_, &p)| p == Polarity::Cost) {
                let col = reference.column(j);
                if let Some(i) = col.iter().position(|&x| x.is_nan() || x <= 0.0) {
                    return Err(Error::data(
                        format!("{}: {}", name(self.aggregation), cx.cell(i, j)),
                        format!("value {} must be positive for the reciprocal reading of a cost column", col[i]),
                    ));
                }
                reciprocal_sums[j] = Some(col.iter().map(|x| 1.0 / x).sum());
            }
        } else {
            return self.refusing_costs(weights, cx);
        }
        Ok(Outcome::new(Box::new(FittedWeighted {
            aggregation: self.aggregation,
            weights: weights.0.clone(),
            reciprocal_sums,
        })))
    }

    /// The weighted sum reads no data when it refuses cost columns, so it fits over chunks of
    /// any size (the product stays in memory: its errors name rows of the whole block).
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        (self.aggregation == Aggregation::Sum && self.cost == WeightedCost::Refuse)
            .then(|| Box::new(NoData(move |cx: &StageContext<'_>| self.refusing_costs(weights, cx))) as Box<_>)
    }
}

impl Weighted {
    /// The fit that refuses cost columns: the weights alone.
    fn refusing_costs(&self, weights: &Weights, cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if let Some(j) = cx.orientation.iter().position(|&p| p == Polarity::Cost) {
            return Err(Error::data(
                name(self.aggregation),
                format!("criterion {} is a cost criterion: normalise with a method that flips cost columns (minmax, zscore) first", j + 1),
            ));
        }
        Ok(Outcome::new(Box::new(FittedWeighted {
            aggregation: self.aggregation,
            weights: weights.0.clone(),
            reciprocal_sums: vec![None; cx.orientation.len()],
        })))
    }
}

impl FittedScorer for FittedWeighted {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let n = data.nrows();
        let mut score = vec![if self.aggregation == Aggregation::Sum { 0.0 } else { 1.0 }; n];
        for (j, col) in data.columns().enumerate() {
            for (i, &x) in col.iter().enumerate() {
                let x = match self.reciprocal_sums[j] {
                    Some(sum) => (1.0 / x) / sum,
                    None => x,
                };
                match self.aggregation {
                    Aggregation::Sum => score[i] += self.weights[j] * x,
                    Aggregation::Product => {
                        if x <= 0.0 {
                            return Err(Error::data(
                                "wpm",
                                format!(
                                    "row {}, criterion {}: value {x} must be positive (use a floor or translate)",
                                    i + 1,
                                    j + 1
                                ),
                            ));
                        }
                        score[i] *= x.powf(self.weights[j]);
                    }
                }
            }
        }
        Ok(Outcome::new(ScoreTable { score, extras: Vec::new(), direction: Direction::HigherIsBetter }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: Aggregation, m: &Matrix, w: &[f64]) -> Vec<f64> {
        let f = WeightedParams::default()
            .check(a)
            .unwrap()
            .fit(
                m,
                &Weights(w.to_vec()),
                &resil_core::StageContext::columns(
                    &resil_core::IndicatorSystem::flat(&vec![Polarity::Benefit; m.ncols()]),
                    &vec![Polarity::Benefit; m.ncols()],
                ),
            )
            .unwrap()
            .value;
        f.score(m).unwrap().value.score
    }

    #[test]
    fn sum_and_product_by_hand() {
        // Rows (0.5, 1) and (1, 0.25) with weights (0.5, 0.5): sums 0.75, 0.625; products
        // sqrt(0.5) and sqrt(0.25) = 0.5.
        let m = Matrix::from_rows(&[vec![0.5, 1.0], vec![1.0, 0.25]]);
        assert_eq!(score(Aggregation::Sum, &m, &[0.5, 0.5]), vec![0.75, 0.625]);
        let p = score(Aggregation::Product, &m, &[0.5, 0.5]);
        assert!((p[0] - 0.5f64.sqrt()).abs() < 1e-15 && (p[1] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn cost_columns_are_refused() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0]]);
        let err = WeightedParams::default()
            .check(Aggregation::Sum)
            .unwrap()
            .fit(
                &m,
                &Weights(vec![0.5, 0.5]),
                &resil_core::StageContext::columns(
                    &resil_core::IndicatorSystem::flat(&[Polarity::Benefit, Polarity::Cost]),
                    &[Polarity::Benefit, Polarity::Cost],
                ),
            )
            .unwrap_err();
        assert!(err.to_string().contains("criterion 2 is a cost criterion"), "{err}");
    }
}
