//! Methods on a plain decision matrix or a list of values, without a study config: what
//! `resil score` and `resil classify` run. Same registry, same method names as a config.

use std::path::Path;

use resil_config::StageConfig;
use resil_core::{Breaks, Diagnostic, Direction, Indicator, IndicatorSystem, Matrix, Polarity, Provenance, Result};

use crate::registry::{self, StageKey};

/// The outcome of scoring a decision matrix.
#[derive(Debug, Clone)]
pub struct MatrixScore {
    pub weights: Vec<f64>,
    pub scores: Vec<f64>,
    pub ranks: Vec<f64>,
    pub direction: Direction,
    pub extras: Vec<(String, Vec<f64>)>,
    pub notes: Vec<Diagnostic>,
}

/// A stage named on the command line by `flag` (its parameters come from `--param`).
fn key(flag: &str) -> StageKey<'static> {
    StageKey { file: Path::new("(command line)"), key: flag.to_string(), strict: true }
}

/// Criteria named by `names` with `polarities`, as a flat indicator system.
pub fn criteria(names: &[String], polarities: &[Polarity]) -> IndicatorSystem {
    IndicatorSystem::new(
        names
            .iter()
            .zip(polarities)
            .map(|(n, &p)| Indicator {
                id: n.clone(),
                name: n.clone(),
                unit: String::new(),
                system: String::new(),
                subsystem: String::new(),
                polarity: p,
                source: String::new(),
                provenance: Provenance::Unspecified,
                note: String::new(),
            })
            .collect(),
    )
}

/// Normalises `matrix` (rows = alternatives), derives weights from the normalised matrix, scores
/// and ranks it: the pipeline's stages on one pooled block.
pub fn score_matrix(
    matrix: &Matrix,
    system: &IndicatorSystem,
    normalize: &StageConfig,
    weight: &StageConfig,
    rank: &StageConfig,
) -> Result<MatrixScore> {
    let mut warnings = Vec::new();
    let normalizer = registry::normalizer(&key("--normalize"), normalize, &mut warnings)?;
    let weighter = registry::weighter(&key("--weight"), weight, &mut warnings)?;
    let (scorer, ties) = registry::scorer(&key("--method"), rank, &mut warnings)?;
    let mut notes = Vec::new();
    let fitted = normalizer.method.fit(matrix, &resil_core::StageContext::columns(system, &system.polarities()))?;
    notes.extend(fitted.notes);
    let normalized = fitted.value.transform(matrix)?;
    let orientation = fitted.value.output_orientation();
    let w = weighter.method.weights(&normalized, &resil_core::StageContext::columns(system, &orientation))?;
    notes.extend(w.notes);
    let s = scorer.method.fit(&normalized, &w.value, &resil_core::StageContext::columns(system, &orientation))?;
    notes.extend(s.notes);
    let table = s.value.score(&normalized)?;
    notes.extend(table.notes);
    let table = table.value;
    let ranks = resil_rank::rank(&table.score, table.direction, ties);
    Ok(MatrixScore {
        weights: w.value.0,
        scores: table.score,
        ranks,
        direction: table.direction,
        extras: table.extras,
        notes,
    })
}

/// Classes of `values` by the classifier `stage`: the breaks, each value's 1-based class, and
/// the classifier's notes (empty classes among them).
pub fn classify_values(values: &[f64], stage: &StageConfig) -> Result<(Breaks, Vec<usize>, Vec<Diagnostic>)> {
    let classifier = registry::classifier(&key("--method"), stage, &mut Vec::new())?;
    let fitted = classifier.method.fit(values)?;
    let breaks = fitted.value;
    let classes: Vec<usize> = values.iter().map(|&v| breaks.class_of(v)).collect();
    let mut notes = fitted.notes;
    notes.extend(empty_classes(&breaks, &classes, values.len()));
    Ok((breaks, classes, notes))
}

/// A warning when some classes hold no value (more classes asked for than the values support).
pub(crate) fn empty_classes(breaks: &Breaks, classes: &[usize], n: usize) -> Option<Diagnostic> {
    let k = breaks.k();
    let empty: Vec<String> = (1..=k).filter(|g| !classes.contains(g)).map(|g| g.to_string()).collect();
    (!empty.is_empty()).then(|| {
        Diagnostic::warning(
            "empty-classes",
            format!(
                "{} of {k} classes hold no value (class {}): {n} values do not support {k} classes; ask for fewer",
                empty.len(),
                empty.join(", ")
            ),
        )
    })
}
