//! Aggregation up an indicator hierarchy by weighted arithmetic means, ignoring missing values:
//! the aggregation of COINr's `arith_mean`, with which the ASEM conformance test checks it.

/// The weighted arithmetic mean of the finite `values` (NaN = missing, left out with its weight);
/// NaN when none is finite or their weights sum to 0.
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> f64 {
    let (mut sum, mut total) = (0.0, 0.0);
    for (&v, &w) in values.iter().zip(weights) {
        if v.is_finite() {
            sum += w * v;
            total += w;
        }
    }
    if total > 0.0 {
        sum / total
    } else {
        f64::NAN
    }
}

/// A group of the level below: its name, the positions of its members, and their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub members: Vec<usize>,
    pub weights: Vec<f64>,
}

/// Aggregates `columns` (one per member of the level below, each with one value per row) into
/// one column per group, row by row.
pub fn aggregate(columns: &[Vec<f64>], groups: &[Group]) -> Vec<Vec<f64>> {
    let rows = columns.first().map_or(0, Vec::len);
    groups
        .iter()
        .map(|g| {
            (0..rows)
                .map(|i| {
                    let values: Vec<f64> = g.members.iter().map(|&m| columns[m][i]).collect();
                    weighted_mean(&values, &g.weights)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_drop_out_with_their_weight() {
        assert_eq!(weighted_mean(&[1.0, f64::NAN, 4.0], &[1.0, 5.0, 2.0]), 3.0);
        assert!(weighted_mean(&[f64::NAN], &[1.0]).is_nan());
        let cols = vec![vec![1.0, 2.0], vec![3.0, f64::NAN]];
        let g = Group { name: "g".into(), members: vec![0, 1], weights: vec![1.0, 1.0] };
        assert_eq!(aggregate(&cols, &[g]), vec![vec![2.0, 2.0]]);
    }
}
