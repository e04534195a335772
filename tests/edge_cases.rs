//! Every combination of normalisation, weighting and scoring method on awkward matrices
//! (a constant column, a single alternative, zeros, negatives, ties): each gives finite weights,
//! scores and ranks, or a clear error; never a silent NaN.

use resil_config::StageConfig;
use resil_core::{Matrix, Polarity, Scope};
use resil_pipeline::{NORMALIZERS, SCORERS, WEIGHTERS};

fn stage(method: &str, params: &[(&str, toml::Value)]) -> StageConfig {
    StageConfig {
        method: method.into(),
        scope: Scope::Pooled,
        indicators: Vec::new(),
        params: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
    }
}

/// Parameters a method cannot do without, for a 3-criterion matrix named c1..c3.
fn required(method: &str) -> Vec<(&'static str, toml::Value)> {
    let by_id = |v: f64| {
        toml::Value::Table(["c1", "c2", "c3"].iter().map(|k| (k.to_string(), toml::Value::Float(v))).collect())
    };
    match method {
        "fixed" => vec![("weights", by_id(1.0))],
        "ahp" => vec![(
            "matrix",
            toml::Value::try_from(vec![vec![1.0, 2.0, 4.0], vec![0.5, 1.0, 2.0], vec![0.25, 0.5, 1.0]]).unwrap(),
        )],
        "combined" => vec![("subjective", by_id(1.0))],
        "hierarchical" => {
            vec![("subsystems", toml::Value::Table([("s".to_string(), toml::Value::Float(1.0))].into_iter().collect()))]
        }
        "target" => vec![(
            "goalposts",
            toml::Value::Table(
                ["c1", "c2", "c3"]
                    .iter()
                    .map(|k| (k.to_string(), toml::Value::try_from([-10.0, 10.0]).unwrap()))
                    .collect(),
            ),
        )],
        "translate" => vec![("shift", toml::Value::Float(20.0))],
        _ => Vec::new(),
    }
}

#[test]
fn no_method_combination_gives_a_silent_nan() {
    let matrices: Vec<(&str, Matrix)> = vec![
        ("constant column", Matrix::from_rows(&[vec![1.0, 5.0, 2.0], vec![2.0, 5.0, 3.0], vec![3.0, 5.0, 1.0]])),
        ("single alternative", Matrix::from_rows(&[vec![1.0, 2.0, 3.0]])),
        ("zeros", Matrix::from_rows(&[vec![0.0, 1.0, 2.0], vec![0.0, 3.0, 0.0], vec![1.0, 2.0, 0.0]])),
        ("negatives", Matrix::from_rows(&[vec![-1.0, 2.0, -3.0], vec![2.0, -1.0, 1.0], vec![0.5, 0.5, 2.0]])),
        ("ties", Matrix::from_rows(&[vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0], vec![2.0, 1.0, 1.0]])),
    ];
    let names: Vec<String> = ["c1", "c2", "c3"].iter().map(|s| s.to_string()).collect();
    let mut system =
        resil_pipeline::criteria(&names, &[Polarity::Benefit, Polarity::Cost, Polarity::Benefit]).indicators().to_vec();
    system.iter_mut().for_each(|i| i.subsystem = "s".into());
    let system = resil_core::IndicatorSystem::new(system);
    let (mut ok, mut refused) = (0, 0);
    for (what, m) in &matrices {
        for n in resil_pipeline::names(NORMALIZERS) {
            for w in resil_pipeline::names(WEIGHTERS) {
                for s in resil_pipeline::names(SCORERS) {
                    let stages = resil_pipeline::ScoreStages {
                        normalize: vec![stage(n, &required(n))],
                        weight: stage(w, &required(w)),
                        rank: stage(s, &[]),
                    };
                    let result = resil_pipeline::score_matrix(m, &system, &stages);
                    match result {
                        Ok(r) => {
                            ok += 1;
                            let finite = r.weights.iter().chain(&r.scores).chain(&r.ranks).all(|v| v.is_finite())
                                && r.extras.iter().all(|(_, v)| v.iter().all(|x| x.is_finite()));
                            assert!(finite, "{what}: {n} + {w} + {s} gave a non-finite value: {r:?}");
                            assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{what}: {n} + {w} + {s}");
                        }
                        Err(e) => {
                            refused += 1;
                            assert!(!e.to_string().trim().is_empty(), "{what}: {n} + {w} + {s}: empty error");
                        }
                    }
                }
            }
        }
    }
    assert!(ok > 100 && refused > 10, "{ok} ran, {refused} refused");
}
