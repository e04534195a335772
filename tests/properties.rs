//! Invariants of the methods as the pipeline chains them (proptest): pooled min-max with a floor,
//! fixed weights, TOPSIS with pooled ideals.

use proptest::prelude::*;
use resil_core::{Matrix, Polarity};

/// Closeness of every row after min-max (floor 0.01, pooled) and TOPSIS (pooled ideals).
fn scores(m: &Matrix, polarity: &[Polarity], w: &[f64]) -> Vec<f64> {
    let minmax = resil_normalize::MinMaxParams { floor: 0.01, apply_polarity: true, scale: 1.0 }.check().unwrap();
    crate::common::normalise_then_topsis(&minmax, m, polarity, w)
}

fn study() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<bool>, Vec<f64>)> {
    (2usize..6, 3usize..12).prop_flat_map(|(c, n)| {
        (
            proptest::collection::vec(proptest::collection::vec(0.0f64..100.0, n), c),
            proptest::collection::vec(any::<bool>(), c),
            proptest::collection::vec(0.01f64..1.0, c),
        )
    })
}

proptest! {
    #[test]
    fn closeness_stays_in_unit_interval((cols, benefit, w) in study()) {
        let polarity: Vec<Polarity> = benefit.iter().map(|&b| if b { Polarity::Benefit } else { Polarity::Cost }).collect();
        for c in scores(&Matrix::from_columns(cols), &polarity, &w) {
            prop_assert!((0.0..=1.0).contains(&c));
        }
    }

    #[test]
    fn with_fixed_weights_a_better_value_never_lowers_a_score(
        (cols, benefit, w) in study(), row in 0usize..12, col in 0usize..6, step in 0.0f64..50.0
    ) {
        // "Better" is higher for a benefit indicator and lower for a cost indicator; the whole
        // chain is refitted on the changed panel, as a rerun would be.
        let polarity: Vec<Polarity> = benefit.iter().map(|&b| if b { Polarity::Benefit } else { Polarity::Cost }).collect();
        let m = Matrix::from_columns(cols);
        let (row, col) = (row % m.nrows(), col % m.ncols());
        let before = scores(&m, &polarity, &w)[row];
        let mut better = m.clone();
        better.set(row, col, m.get(row, col) + polarity[col].sign() * step);
        let after = scores(&better, &polarity, &w)[row];
        prop_assert!(after >= before - 1e-12, "{before} -> {after}");
    }
}

proptest! {
    /// Every parameter-free weighting method gives non-negative weights summing to 1 on any
    /// positive matrix (or a clear error), whatever the criteria's directions.
    #[test]
    fn every_weighting_method_gives_a_distribution(
        rows in proptest::collection::vec(proptest::collection::vec(0.5f64..100.0, 4), 4..10),
        cost in 0usize..4,
    ) {
        let polarity: Vec<Polarity> = (0..4).map(|j| if j == cost { Polarity::Cost } else { Polarity::Benefit }).collect();
        let names: Vec<String> = (0..4).map(|j| format!("c{j}")).collect();
        let system = resil_pipeline::criteria(&names, &polarity);
        let m = Matrix::from_rows(&rows);
        let stage = |method: &str| resil_config::StageConfig {
            method: method.into(),
            scope: Default::default(),
            indicators: Vec::new(),
            params: Default::default(),
        };
        for method in resil_pipeline::names(resil_pipeline::WEIGHTERS) {
            if ["fixed", "ahp", "combined", "hierarchical"].contains(&method) {
                continue;
            }
            let stages = resil_pipeline::ScoreStages { normalize: vec![stage("none")], weight: stage(method), rank: stage("topsis") };
            if let Ok(out) = resil_pipeline::score_matrix(&m, &system, &stages) {
                prop_assert!(out.weights.iter().all(|&w| w >= 0.0), "{method}: {:?}", out.weights);
                prop_assert!((out.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{method}: {:?}", out.weights);
            }
        }
    }
}
