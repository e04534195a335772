//! Methods on a plain decision matrix or a list of values, without a study config: what
//! `resil score` and `resil classify` run. Same registry, same method names as a config.

use std::path::Path;

use resil_config::StageConfig;
use resil_core::{
    Breaks, Diagnostic, Direction, Error, Indicator, IndicatorSystem, Matrix, Polarity, Provenance, Result,
};

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

/// The stages of scoring a plain matrix, each on one pooled block: a normalisation chain (each
/// step fitted on the output of the one before, as a study's `[[pipeline.normalize]]`), a
/// weighting and a scorer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreStages {
    pub normalize: Vec<StageConfig>,
    pub weight: StageConfig,
    pub rank: StageConfig,
}

impl ScoreStages {
    /// The command-line flag of normalisation step `i` in messages: `--normalize`, or
    /// `--normalize[i]` in a chain.
    pub fn normalize_flag(&self, i: usize) -> String {
        if self.normalize.len() == 1 {
            "--normalize".to_string()
        } else {
            format!("--normalize[{i}]")
        }
    }

    /// A study's scoring stages, when each fits on the whole (pooled) panel and applies to every
    /// indicator: the stages a chunked path or a query engine can run. `None` otherwise.
    pub fn of_pipeline(p: &resil_config::PipelineConfig) -> Option<ScoreStages> {
        let whole = |s: &StageConfig| s.scope == resil_core::Scope::Pooled && s.indicators.is_empty();
        let all = p.normalize.iter().all(whole) && whole(&p.weight) && whole(&p.rank) && !p.normalize.is_empty();
        all.then(|| ScoreStages { normalize: p.normalize.clone(), weight: p.weight.clone(), rank: p.rank.clone() })
    }

    /// The methods, as `zscore+minmax / entropy / topsis`.
    pub fn describe(&self) -> String {
        let chain: Vec<&str> = self.normalize.iter().map(|s| s.method.as_str()).collect();
        format!("{} / {} / {}", chain.join("+"), self.weight.method, self.rank.method)
    }
}

/// A stage named on the command line by `flag` (its parameters come from `--param`).
pub(crate) fn key(flag: &str) -> StageKey<'static> {
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

/// A stage of `method` with `params` on one pooled block: how plain tables are scored and classified.
pub fn pooled_stage(method: &str, params: toml::Table) -> StageConfig {
    StageConfig { method: method.to_string(), scope: resil_core::Scope::Pooled, indicators: Vec::new(), params }
}

/// Sends each parameter (key, value) to the stage whose method takes the key, by the registry's
/// declarations: `stages` are (name, registry stage, method name). `stage.key` is explicit; a key
/// two stages' methods take must be; a key no method here takes goes to the last stage, whose
/// check names what its method takes. `what` names the parameters in messages (`--param`).
pub fn route_params(
    params: &[(String, toml::Value)],
    stages: &[(&str, &str, &str)],
    what: &str,
) -> Result<Vec<toml::Table>> {
    let catalog = registry::catalog();
    let takes = |(_, stage, method): &(&str, &str, &str), key: &str| {
        let own =
            catalog.iter().any(|m| m.stage == *stage && m.name == *method && m.params.iter().any(|p| p.name == key));
        own || registry::stage_params(stage).iter().any(|p| p.name == key && p.name != "scope")
    };
    let mut tables = vec![toml::Table::new(); stages.len()];
    for (full, value) in params {
        let shown = format!("{full}={value}");
        let (i, key) = match full.split_once('.') {
            Some((s, k)) => match stages.iter().position(|(name, ..)| *name == s) {
                Some(i) => (i, k),
                None => {
                    return Err(Error::data(
                        format!("{what} `{shown}`"),
                        format!(
                            "no stage `{s}` here (stages: {})",
                            stages.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                        ),
                    ))
                }
            },
            None => {
                let takers: Vec<usize> = (0..stages.len()).filter(|&i| takes(&stages[i], full)).collect();
                match takers.as_slice() {
                    [i] => (*i, full.as_str()),
                    [] => (stages.len() - 1, full.as_str()),
                    many => {
                        return Err(Error::data(
                            format!("{what} `{shown}`"),
                            format!(
                                "`{full}` is a parameter of {}; write `<stage>.{full}=...`",
                                many.iter()
                                    .map(|&i| format!("{} ({})", stages[i].2, stages[i].0))
                                    .collect::<Vec<_>>()
                                    .join(" and ")
                            ),
                        ))
                    }
                }
            }
        };
        tables[i].insert(key.to_string(), value.clone());
    }
    Ok(tables)
}

/// Normalises `matrix` (rows = alternatives) through the chain, derives weights from the
/// normalised matrix, scores and ranks it: the pipeline's stages on one pooled block.
pub fn score_matrix(matrix: &Matrix, system: &IndicatorSystem, stages: &ScoreStages) -> Result<MatrixScore> {
    let mut warnings = Vec::new();
    if stages.normalize.is_empty() {
        return Err(Error::data("--normalize", "no normalisation given"));
    }
    let normalizers = (0..stages.normalize.len())
        .map(|i| registry::normalizer(&key(&stages.normalize_flag(i)), &stages.normalize[i], &mut warnings))
        .collect::<Result<Vec<_>>>()?;
    let weighter = registry::weighter(&key("--weight"), &stages.weight, &mut warnings)?;
    let (scorer, ties) = registry::scorer(&key("--method"), &stages.rank, &mut warnings)?;
    crate::data_checks::check_block(matrix, 0, system, &|row| format!("row {}", row + 1))?;
    let mut notes = Vec::new();
    let mut orientation = system.polarities();
    let mut normalized = std::borrow::Cow::Borrowed(matrix);
    for normalizer in &normalizers {
        let fitted = normalizer.method.fit(&normalized, &resil_core::StageContext::columns(system, &orientation))?;
        notes.extend(fitted.notes);
        normalized = std::borrow::Cow::Owned(fitted.value.transform(&normalized)?);
        orientation = fitted.value.output_orientation();
    }
    let cx = resil_core::StageContext::columns(system, &orientation);
    let w = weighter.method.weights(&normalized, &cx)?;
    notes.extend(w.notes);
    let s = scorer.method.fit(&normalized, &w.value, &cx)?;
    notes.extend(s.notes);
    let table = s.value.score(&normalized).map_err(|e| e.name_rows(0, &cx))?;
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
    let mut held = vec![false; k + 1];
    for &c in classes {
        if let Some(h) = held.get_mut(c) {
            *h = true;
        }
    }
    let empty: Vec<String> = (1..=k).filter(|&g| !held[g]).map(|g| g.to_string()).collect();
    // Given cuts (published grades) can lie outside the values; more classes than values can't.
    let outside = |side: fn(f64, &Breaks) -> bool| -> Option<String> {
        let cuts: Vec<String> = breaks.cuts.iter().filter(|&&c| side(c, breaks)).map(f64::to_string).collect();
        match cuts.len() {
            0 => None,
            1 => Some(format!("cut {} lies", cuts[0])),
            _ => Some(format!("cuts {} lie", cuts.join(", "))),
        }
    };
    let above = outside(|c, b| c > b.max).map(|c| format!("{c} above the largest value, {}", breaks.max));
    let below = outside(|c, b| c < b.min).map(|c| format!("{c} below the smallest value, {}", breaks.min));
    let why = match (above, below) {
        (None, None) => format!("{n} values do not support {k} classes; ask for fewer"),
        (Some(a), Some(b)) => format!("{a}; {b}"),
        (Some(one), None) | (None, Some(one)) => one,
    };
    (!empty.is_empty()).then(|| {
        Diagnostic::warning(
            "empty-classes",
            format!("{} of {k} classes hold no value (class {}): {why}", empty.len(), empty.join(", ")),
        )
    })
}
