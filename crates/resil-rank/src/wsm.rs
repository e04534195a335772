//! The weighted sum (simple additive weighting) and the weighted product: WSM = sum_j w_j r_ij,
//! WPM = prod_j r_ij^w_j. Both need benefit-aligned columns (a normaliser that flips cost
//! columns, such as minmax or zscore); WPM also needs positive values.

use resil_core::chunked::{ChunkedFit, Merge, PassState};
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
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        Some(Box::new(WeightedFit { method: self, weights: weights.as_slice() }))
    }
}

/// The fit over chunks of rows. The weighted sum that refuses cost columns reads no data; the
/// reciprocal reading sums 1/r of each cost column, and the product checks that every value is
/// positive, in one pass, so that a bad cell is named by its row in the whole block.
struct WeightedFit<'a> {
    method: &'a Weighted,
    weights: &'a [f64],
}

impl WeightedFit<'_> {
    fn reads_data(&self) -> bool {
        self.method.cost == WeightedCost::Reciprocal || self.method.aggregation == Aggregation::Product
    }

    /// The refusing reading's error for a cost column, before any data is read.
    fn refuse_costs(&self, cx: &StageContext<'_>) -> Result<()> {
        match cx.orientation.iter().position(|&p| p == Polarity::Cost) {
            Some(j) if self.method.cost == WeightedCost::Refuse => Err(Error::data(
                name(self.method.aggregation),
                format!("criterion {} is a cost criterion: normalise with a method that flips cost columns (minmax, zscore) first", j + 1),
            )),
            _ => Ok(()),
        }
    }

    /// Whether column `j` is read as reciprocal.
    fn reciprocal(&self, j: usize, cx: &StageContext<'_>) -> bool {
        self.method.cost == WeightedCost::Reciprocal && cx.orientation[j] == Polarity::Cost
    }
}

impl ChunkedFit<Box<dyn FittedScorer>> for WeightedFit<'_> {
    fn passes(&self, _ncols: usize) -> Vec<Vec<Merge>> {
        if self.reads_data() {
            vec![vec![Merge::Sum]]
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
        self.refuse_costs(cx)?;
        let product = self.method.aggregation == Aggregation::Product;
        let checked = |j: usize| self.reciprocal(j, cx) || product;
        let bad = resil_core::chunked::first_failing_cell(chunk, |j, x| !checked(j) || x > 0.0);
        if let Some((i, j)) = bad {
            let why = if self.reciprocal(j, cx) {
                "for the reciprocal reading of a cost column"
            } else {
                "(use a floor or translate)"
            };
            return Err(Error::data(
                format!("{}: {}", name(self.method.aggregation), cx.cell(first_row + i, j)),
                format!("value {} must be positive {why}", chunk.column(j)[i]),
            ));
        }
        for j in (0..chunk.ncols()).filter(|&j| self.reciprocal(j, cx)) {
            state.add(j, 0, chunk.column(j).iter().map(|x| 1.0 / x).sum());
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        self.refuse_costs(cx)?;
        let reciprocal_sums =
            (0..cx.orientation.len()).map(|j| self.reciprocal(j, cx).then(|| states[0].get(j, 0))).collect();
        Ok(Outcome::new(Box::new(FittedWeighted {
            aggregation: self.method.aggregation,
            weights: self.weights.to_vec(),
            reciprocal_sums,
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
                            return Err(Error::row(
                                "wpm",
                                i,
                                Some(j),
                                format!("value {x} must be positive (use a floor or translate)"),
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

    #[test]
    fn the_product_names_the_first_non_positive_cell_in_row_order() {
        // Column 2 turns bad at row 2, column 1 at row 3: row order names column 2's cell.
        let m = Matrix::from_rows(&[vec![0.5, 1.0], vec![1.0, 0.0], vec![-1.0, 0.5]]);
        let system = resil_core::IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let cx = resil_core::StageContext::columns(&system, &[Polarity::Benefit; 2]);
        let method = WeightedParams::default().check(Aggregation::Product).unwrap();
        let err = method.fit(&m, &Weights(vec![0.5, 0.5]), &cx).unwrap_err().to_string();
        assert!(err.contains(&cx.cell(1, 1)) && err.contains("value 0 must be positive"), "{err}");
        // The weighted sum takes the same values.
        assert!(WeightedParams::default()
            .check(Aggregation::Sum)
            .unwrap()
            .fit(&m, &Weights(vec![0.5, 0.5]), &cx)
            .is_ok());
    }
}
