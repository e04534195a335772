//! The method registry: a closed set of method names per stage, each turned from its config table
//! into a checked method, with its resolved parameters recorded for the manifest.

use std::path::Path;

use resil_config::StageConfig;
use resil_core::{Classifier, Error, Imputer, Normalizer, Result, Scorer, Weighter};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Method names per stage, as written in configs.
pub struct MethodCatalog {
    pub impute: &'static [&'static str],
    pub normalize: &'static [&'static str],
    pub weight: &'static [&'static str],
    pub rank: &'static [&'static str],
    pub classify: &'static [&'static str],
}

/// Every method this build knows.
pub const METHODS: MethodCatalog = MethodCatalog {
    impute: &["linear-time"],
    normalize: &["none", "zscore", "minmax", "translate", "vector", "sum", "max", "log", "rank", "target"],
    weight: &["entropy", "fixed", "equal", "std", "cv", "critic", "ahp", "combined", "hierarchical"],
    rank: &["topsis", "vikor", "gra", "wsm", "wpm", "copras", "edas"],
    classify: &["jenks", "quantile", "equal-interval", "std-mean", "head-tail", "fixed"],
};

/// A method built from config, with its resolved parameters (defaults filled in).
pub(crate) struct Built<T: ?Sized> {
    pub method: Box<T>,
    pub params: serde_json::Value,
}

/// Context for building one stage: the config file, the stage's key path and strictness.
pub(crate) struct StageKey<'a> {
    pub file: &'a Path,
    pub key: String,
    pub strict: bool,
}

impl StageKey<'_> {
    /// Deserialises the method's parameters, collecting unknown keys as warnings (or errors
    /// under strict) with their full key path.
    fn params<P: DeserializeOwned + Serialize>(
        &self,
        stage: &StageConfig,
        skip: &[&str],
        warnings: &mut Vec<String>,
    ) -> Result<(P, serde_json::Value)> {
        let mut table = stage.params.clone();
        for k in skip {
            table.remove(*k);
        }
        let mut unknown = Vec::new();
        let params: P =
            serde_ignored::deserialize(toml::Value::Table(table), |p| unknown.push(format!("{}.{p}", self.key)))
                .map_err(|e| Error::config(self.file, &self.key, format!("method `{}`: {e}", stage.method)))?;
        if self.strict && !unknown.is_empty() {
            let errors = unknown.into_iter().map(|k| Error::config(self.file, k, "unknown key")).collect();
            return Err(Error::from_list(errors));
        }
        warnings.extend(unknown);
        let resolved = serde_json::to_value(&params).expect("parameters serialise");
        Ok((params, resolved))
    }

    fn unknown_method(&self, stage: &StageConfig, known: &[&str]) -> Error {
        Error::config(
            self.file,
            format!("{}.method", self.key),
            format!("unknown method `{}` (known: {})", stage.method, known.join(", ")),
        )
    }
}

macro_rules! build {
    ($key:expr, $stage:expr, $warnings:expr, $skip:expr, $params:ty) => {{
        let (p, resolved): ($params, _) = $key.params($stage, $skip, $warnings)?;
        (Box::new(p.check()?), resolved)
    }};
    // Methods sharing one parameter type, told apart by a variant passed to `check`.
    ($key:expr, $stage:expr, $warnings:expr, $skip:expr, $params:ty, $variant:expr) => {{
        let (p, resolved): ($params, _) = $key.params($stage, $skip, $warnings)?;
        (Box::new(p.check($variant)?), resolved)
    }};
}

pub(crate) fn imputer(key: &StageKey, stage: &StageConfig, warnings: &mut Vec<String>) -> Result<Built<dyn Imputer>> {
    let (method, params): (Box<dyn Imputer>, _) = match stage.method.as_str() {
        "linear-time" => build!(key, stage, warnings, &[], resil_normalize::LinearTimeImputerParams),
        _ => return Err(key.unknown_method(stage, METHODS.impute)),
    };
    Ok(Built { method, params })
}

pub(crate) fn normalizer(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Built<dyn Normalizer>> {
    let (method, params): (Box<dyn Normalizer>, _) = match stage.method.as_str() {
        "zscore" => build!(key, stage, warnings, &[], resil_normalize::ZScoreParams),
        "minmax" => build!(key, stage, warnings, &[], resil_normalize::MinMaxParams),
        "translate" => build!(key, stage, warnings, &[], resil_normalize::TranslateParams),
        "vector" => build!(key, stage, warnings, &[], resil_normalize::ScaleParams, resil_normalize::Divisor::Norm),
        "log" => build!(key, stage, warnings, &[], resil_normalize::LogParams),
        "rank" => build!(key, stage, warnings, &[], resil_normalize::RankParams),
        "target" => build!(key, stage, warnings, &[], resil_normalize::TargetParams),
        "none" => build!(key, stage, warnings, &[], resil_normalize::ScaleParams, resil_normalize::Divisor::One),
        "sum" => build!(key, stage, warnings, &[], resil_normalize::ScaleParams, resil_normalize::Divisor::Sum),
        "max" => build!(key, stage, warnings, &[], resil_normalize::ScaleParams, resil_normalize::Divisor::Max),
        _ => return Err(key.unknown_method(stage, METHODS.normalize)),
    };
    Ok(Built { method, params })
}

pub(crate) fn weighter(key: &StageKey, stage: &StageConfig, warnings: &mut Vec<String>) -> Result<Built<dyn Weighter>> {
    let (method, params): (Box<dyn Weighter>, _) = match stage.method.as_str() {
        "entropy" => build!(key, stage, warnings, &[], resil_weight::EntropyParams),
        "fixed" => build!(key, stage, warnings, &[], resil_weight::FixedParams),
        "equal" => build!(key, stage, warnings, &[], resil_weight::StatisticalParams, resil_weight::Statistic::Equal),
        "std" => build!(key, stage, warnings, &[], resil_weight::StatisticalParams, resil_weight::Statistic::Std),
        "cv" => build!(key, stage, warnings, &[], resil_weight::StatisticalParams, resil_weight::Statistic::Cv),
        "critic" => build!(key, stage, warnings, &[], resil_weight::StatisticalParams, resil_weight::Statistic::Critic),
        "ahp" => build!(key, stage, warnings, &[], resil_weight::AhpParams),
        "combined" => {
            let (p, resolved): (CombinedParams, _) = key.params(stage, &[], warnings)?;
            let objective = inner_weighter(key, "objective", &p.objective)?;
            let w = resil_weight::Combined { subjective: p.subjective, objective, mode: p.mode, alpha: p.alpha };
            (Box::new(w) as Box<dyn Weighter>, resolved)
        }
        "hierarchical" => {
            let (p, resolved): (HierarchicalParams, _) = key.params(stage, &[], warnings)?;
            let within = inner_weighter(key, "within", &p.within)?;
            (Box::new(resil_weight::Hierarchical { subsystems: p.subsystems, within }) as Box<dyn Weighter>, resolved)
        }
        _ => return Err(key.unknown_method(stage, METHODS.weight)),
    };
    Ok(Built { method, params })
}

/// `combined` weights: subjective weights by indicator id, an objective method, and how to mix.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct CombinedParams {
    subjective: std::collections::BTreeMap<String, f64>,
    objective: String,
    mode: resil_weight::Combination,
    alpha: f64,
}

impl Default for CombinedParams {
    fn default() -> Self {
        CombinedParams {
            subjective: Default::default(),
            objective: "entropy".into(),
            mode: Default::default(),
            alpha: 0.5,
        }
    }
}

/// `hierarchical` weights: a weight per sub-system, and the method used within each.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct HierarchicalParams {
    subsystems: std::collections::BTreeMap<String, f64>,
    within: String,
}

impl Default for HierarchicalParams {
    fn default() -> Self {
        HierarchicalParams { subsystems: Default::default(), within: "entropy".into() }
    }
}

/// A parameter-free weighter named inside `combined` or `hierarchical`.
fn inner_weighter(key: &StageKey, param: &str, name: &str) -> Result<Box<dyn Weighter>> {
    use resil_weight::{Statistic, StatisticalParams};
    Ok(match name {
        "entropy" => Box::new(resil_weight::EntropyParams::default().check()?),
        "equal" => Box::new(StatisticalParams::default().check(Statistic::Equal)?),
        "std" => Box::new(StatisticalParams::default().check(Statistic::Std)?),
        "cv" => Box::new(StatisticalParams::default().check(Statistic::Cv)?),
        "critic" => Box::new(StatisticalParams::default().check(Statistic::Critic)?),
        other => {
            return Err(Error::config(
                key.file,
                format!("{}.{param}", key.key),
                format!("`{other}` cannot be used here (known: entropy, equal, std, cv, critic)"),
            ))
        }
    })
}

/// The treatment stage: `winsorise` (COINr's rule) or `none`.
pub(crate) fn treatment(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Option<resil_normalize::TreatParams>> {
    match stage.method.as_str() {
        "none" => Ok(None),
        "winsorise" => Ok(Some(key.params::<resil_normalize::TreatParams>(stage, &[], warnings)?.0)),
        _ => Err(key.unknown_method(stage, &["winsorise", "none"])),
    }
}

/// The scorer and the tie policy of the ranks.
pub(crate) fn scorer(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<(Built<dyn Scorer>, resil_rank::TiePolicy)> {
    let ties: resil_rank::TiePolicy = match stage.params.get("ties") {
        None => resil_rank::TiePolicy::default(),
        Some(v) => {
            v.clone().try_into().map_err(|e| Error::config(key.file, format!("{}.ties", key.key), format!("{e}")))?
        }
    };
    let (method, params): (Box<dyn Scorer>, _) = match stage.method.as_str() {
        "topsis" => build!(key, stage, warnings, &["ties"], resil_rank::TopsisParams),
        "vikor" => build!(key, stage, warnings, &["ties"], resil_rank::VikorParams),
        "wsm" => build!(key, stage, warnings, &["ties"], resil_rank::WeightedParams, resil_rank::Aggregation::Sum),
        "wpm" => build!(key, stage, warnings, &["ties"], resil_rank::WeightedParams, resil_rank::Aggregation::Product),
        "gra" => build!(key, stage, warnings, &["ties"], resil_rank::DistanceParams, resil_rank::DistanceMethod::Gra),
        "copras" => {
            build!(key, stage, warnings, &["ties"], resil_rank::DistanceParams, resil_rank::DistanceMethod::Copras)
        }
        "edas" => build!(key, stage, warnings, &["ties"], resil_rank::DistanceParams, resil_rank::DistanceMethod::Edas),
        _ => return Err(key.unknown_method(stage, METHODS.rank)),
    };
    Ok((Built { method, params }, ties))
}

pub(crate) fn classifier(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Built<dyn Classifier>> {
    let (method, params): (Box<dyn Classifier>, _) = match stage.method.as_str() {
        "jenks" => build!(key, stage, warnings, &[], resil_classify::JenksParams),
        "fixed" => build!(key, stage, warnings, &[], resil_classify::FixedThresholdsParams),
        "quantile" => build!(key, stage, warnings, &[], resil_classify::SimpleParams, resil_classify::Rule::Quantile),
        "equal-interval" => {
            build!(key, stage, warnings, &[], resil_classify::SimpleParams, resil_classify::Rule::EqualInterval)
        }
        "std-mean" => build!(key, stage, warnings, &[], resil_classify::SimpleParams, resil_classify::Rule::StdMean),
        "head-tail" => build!(key, stage, warnings, &[], resil_classify::SimpleParams, resil_classify::Rule::HeadTail),
        _ => return Err(key.unknown_method(stage, METHODS.classify)),
    };
    Ok(Built { method, params })
}
