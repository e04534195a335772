//! The `[[sensitivity.factor]]` kinds: what each declares (checked, errors at
//! `sensitivity.factor[<name>].<key>`), how many design coordinates it takes, and what its
//! coordinates set in one evaluation: pipeline overrides (method levels, parameter values),
//! indicators left out, or weights drawn around the evaluation's own.

use std::path::Path;

use resil_config::{FactorConfig, LoadedConfig, VariantConfig};
use resil_core::{Error, IndicatorSystem, Result};
use resil_sensitivity::factors::{dirichlet_around, in_range, uniform_around, Categorical};
use serde::Deserialize;

use crate::registry::ParamSpec;

/// A factor kind as `resil methods sensitivity` and the README list it (`defaults`: every key,
/// null where there is none).
pub struct FactorKindSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
    pub defaults: fn() -> serde_json::Value,
}

const fn p(name: &'static str, doc: &'static str) -> ParamSpec {
    ParamSpec { name, doc }
}

/// The factor kinds, their keys and what they do.
pub static FACTOR_KINDS: &[FactorKindSpec] = &[
    FactorKindSpec {
        kind: "weights",
        doc: "the run's weights drawn around their fitted values, per indicator or per sub-system",
        params: &[
            p("distribution", "`dirichlet` or `uniform`"),
            p("concentration", "dirichlet: alpha_i = concentration * w_i; larger is tighter"),
            p("spread", "uniform: each weight times U(1 - spread, 1 + spread), renormalised"),
            p("per", "`indicator` or `subsystem` (sub-system totals drawn, shared within)"),
        ],
        defaults: || serde_json::json!({ "distribution": "dirichlet", "concentration": 50.0, "spread": 0.25, "per": "indicator" }),
    },
    FactorKindSpec {
        kind: "method",
        doc: "a categorical choice among pipeline variants (partial [pipeline] tables)",
        params: &[
            p("level", "[[sensitivity.factor.level]] entries: a name and a partial `pipeline` table"),
            p("variants", "names of [[compare.variant]] entries used as levels; `baseline` is the config's own"),
            p("probabilities", "one per level, summing to 1 (default: equal)"),
        ],
        defaults: || serde_json::json!({ "level": [], "variants": [], "probabilities": null }),
    },
    FactorKindSpec {
        kind: "parameter",
        doc: "one method parameter over a range or a set of values",
        params: &[
            p("stage", "`impute`, `treat`, `normalize[i]`, `weight`, `rank` or `classify`"),
            p("parameter", "the parameter's key in that stage's table"),
            p("range", "[lo, hi]: uniform on the range (integer ends: each integer equally likely)"),
            p("values", "a list of values, each equally likely (or by `probabilities`)"),
            p("probabilities", "with `values`: one per value"),
        ],
        defaults: || serde_json::json!({ "stage": null, "parameter": null, "range": null, "values": null, "probabilities": null }),
    },
    FactorKindSpec {
        kind: "exclude",
        doc: "one indicator or sub-system left out (its weight set to 0, the others renormalised, as COINr)",
        params: &[
            p("of", "`indicator` or `subsystem`"),
            p("candidates", "the ids or sub-system names that may be left out (default: all)"),
            p("keep-all", "a level that leaves nothing out"),
        ],
        defaults: || serde_json::json!({ "of": "indicator", "candidates": [], "keep-all": true }),
    },
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct WeightsKeys {
    #[serde(default)]
    distribution: Option<String>,
    concentration: Option<f64>,
    spread: Option<f64>,
    #[serde(default)]
    per: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct MethodKeys {
    #[serde(default)]
    level: Vec<VariantConfig>,
    #[serde(default)]
    variants: Vec<String>,
    probabilities: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ParameterKeys {
    stage: String,
    parameter: String,
    range: Option<[toml::Value; 2]>,
    values: Option<Vec<toml::Value>>,
    probabilities: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ExcludeKeys {
    #[serde(default)]
    of: Option<String>,
    #[serde(default)]
    candidates: Vec<String>,
    #[serde(default = "yes")]
    keep_all: bool,
}

fn yes() -> bool {
    true
}

/// How weights are drawn around an evaluation's own.
#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    Dirichlet { concentration: f64 },
    Uniform { spread: f64 },
}

/// A checked factor.
#[derive(Debug, Clone)]
pub enum FactorKind {
    /// Weights drawn per indicator, or per group of indicators (`groups[g]`: their positions).
    Weights { draw: Draw, groups: Vec<Vec<usize>> },
    /// Each level a partial `[pipeline]` table.
    Method { levels: Vec<(String, toml::Table)>, odds: Categorical },
    /// A key of one stage's table set to a value.
    Parameter { path: Vec<String>, values: ParameterValues },
    /// Each level the indicator positions left out (none for the keep-all level).
    Exclude { levels: Vec<(String, Vec<usize>)>, odds: Categorical },
}

#[derive(Debug, Clone)]
pub enum ParameterValues {
    Range(f64, f64),
    Set(Vec<toml::Value>, Categorical),
}

#[derive(Debug, Clone)]
pub struct Factor {
    pub name: String,
    pub kind: FactorKind,
}

/// What one factor's coordinates set in one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<'a> {
    /// A level of a method or exclusion factor, or of a parameter's value set.
    Level(usize),
    /// A parameter's value in its range.
    Value(f64),
    /// The coordinates of a weights factor (the weights depend on the evaluation's own).
    Weights(&'a [f64]),
}

impl Factor {
    /// The design coordinates the factor takes.
    pub fn dims(&self) -> usize {
        match &self.kind {
            FactorKind::Weights { groups, .. } => groups.len(),
            _ => 1,
        }
    }

    /// What coordinates `u` set.
    pub fn setting<'a>(&self, u: &'a [f64]) -> Setting<'a> {
        match &self.kind {
            FactorKind::Weights { .. } => Setting::Weights(u),
            FactorKind::Method { odds, .. } | FactorKind::Exclude { odds, .. } => Setting::Level(odds.level(u[0])),
            FactorKind::Parameter { values: ParameterValues::Set(_, odds), .. } => Setting::Level(odds.level(u[0])),
            FactorKind::Parameter { values: ParameterValues::Range(lo, hi), .. } => {
                Setting::Value(in_range(u[0], *lo, *hi))
            }
        }
    }

    /// Adds what `setting` changes in the `[pipeline]` table `pipeline` (method and parameter
    /// factors; the others change nothing there).
    pub fn apply_to_pipeline(&self, setting: &Setting, pipeline: &mut toml::Table) {
        match (&self.kind, setting) {
            (FactorKind::Method { levels, .. }, Setting::Level(l)) => {
                resil_config::merge(pipeline, levels[*l].1.clone())
            }
            (FactorKind::Parameter { path, values }, s) => {
                let value = match (values, s) {
                    (ParameterValues::Range(..), Setting::Value(v)) => toml::Value::Float(*v),
                    (ParameterValues::Set(set, _), Setting::Level(l)) => set[*l].clone(),
                    _ => return,
                };
                set_path(pipeline, path, value);
            }
            _ => {}
        }
    }

    /// The indicator positions `setting` leaves out.
    pub fn excluded<'a>(&'a self, setting: &Setting) -> &'a [usize] {
        match (&self.kind, setting) {
            (FactorKind::Exclude { levels, .. }, Setting::Level(l)) => &levels[*l].1,
            _ => &[],
        }
    }

    /// `weights` drawn around by the coordinates of `setting`.
    pub fn draw_weights(&self, setting: &Setting, weights: &[f64]) -> Option<Vec<f64>> {
        let (FactorKind::Weights { draw, groups }, Setting::Weights(u)) = (&self.kind, setting) else {
            return None;
        };
        let totals: Vec<f64> = groups.iter().map(|g| g.iter().map(|&j| weights[j]).sum()).collect();
        let drawn = match draw {
            Draw::Dirichlet { concentration } => dirichlet_around(&totals, *concentration, u),
            Draw::Uniform { spread } => uniform_around(&totals, *spread, u),
        };
        let mut out = weights.to_vec();
        for ((g, total), new) in groups.iter().zip(&totals).zip(&drawn) {
            for &j in g {
                out[j] = if *total > 0.0 { weights[j] * new / total } else { 0.0 };
            }
        }
        Some(out)
    }

    /// A label of `setting` for messages and tables.
    pub fn describe(&self, setting: &Setting) -> String {
        match (&self.kind, setting) {
            (FactorKind::Method { levels, .. }, Setting::Level(l)) => levels[*l].0.clone(),
            (FactorKind::Exclude { levels, .. }, Setting::Level(l)) => levels[*l].0.clone(),
            (FactorKind::Parameter { values: ParameterValues::Set(set, _), .. }, Setting::Level(l)) => {
                set[*l].to_string()
            }
            (_, Setting::Value(v)) => v.to_string(),
            _ => "drawn".into(),
        }
    }
}

/// Sets `table[path[0]][path[1]]... = value`; a path element `normalize[i]` indexes the chain.
fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let (first, rest) = path.split_first().expect("a parameter path");
    let (key, index) = match first.split_once('[') {
        Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
        None => (first.as_str(), None),
    };
    if rest.is_empty() {
        table.insert(key.to_string(), value);
        return;
    }
    let slot = table.entry(key.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let inner = match (slot, index) {
        (toml::Value::Array(items), Some(i)) => items.get_mut(i).and_then(|v| v.as_table_mut()),
        (toml::Value::Table(t), None) => Some(t),
        _ => None,
    };
    if let Some(inner) = inner {
        set_path(inner, rest, value);
    }
}

/// Checks every factor of the config's `[sensitivity]`, reporting each problem at its key path.
/// The largest Dirichlet concentration of a weights factor.
const MOST_CONCENTRATION: f64 = 1e6;

pub fn check_factors(loaded: &LoadedConfig, system: &IndicatorSystem) -> Result<Vec<Factor>> {
    let Some(cfg) = &loaded.config.sensitivity else { return Ok(Vec::new()) };
    let file = &loaded.path;
    let mut problems = Vec::new();
    let mut factors = Vec::new();
    let own_builds = super::own_pipeline_builds(loaded);
    for (i, f) in cfg.factors.iter().enumerate() {
        if f.name.trim().is_empty() {
            let message = "blank: every table tells factors apart by name";
            problems.push(Error::config(file, format!("sensitivity.factor[{i}].name"), message));
            continue;
        }
        if cfg.factors[..i].iter().any(|g| g.name == f.name) {
            problems.push(Error::config(file, format!("sensitivity.factor[{}].name", f.name), "duplicate factor name"));
            continue;
        }
        match factor(loaded, system, f, own_builds) {
            Ok(kind) => factors.push(Factor { name: f.name.clone(), kind }),
            Err(e) => problems.extend(e.into_list()),
        }
    }
    if cfg.factors.is_empty() {
        problems.push(Error::config(file, "sensitivity.factor", "no [[sensitivity.factor]]: nothing is uncertain"));
    }
    if problems.is_empty() {
        Ok(factors)
    } else {
        Err(Error::from_list(problems))
    }
}

fn keys<T: serde::de::DeserializeOwned>(file: &Path, at: &str, params: &toml::Table) -> Result<T> {
    T::deserialize(toml::Value::Table(params.clone())).map_err(|e| {
        let message = e.to_string().trim_end().to_string();
        match message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
            Some(field) => {
                Error::config(file, format!("{at}.{field}"), format!("not a key of this factor kind ({message})"))
            }
            None => Error::config(file, at, message),
        }
    })
}

/// Factor `f` checked; `own_builds`: whether the config's own pipeline builds (levels are
/// merged over it).
fn factor(loaded: &LoadedConfig, system: &IndicatorSystem, f: &FactorConfig, own_builds: bool) -> Result<FactorKind> {
    let file = loaded.path.as_path();
    let at = format!("sensitivity.factor[{}]", f.name);
    let err = |key: &str, msg: String| Error::config(file, format!("{at}.{key}"), msg);
    let odds = |levels: usize, p: &Option<Vec<f64>>| {
        Categorical::new(levels, p.as_deref()).map_err(|e| err("probabilities", param_message(e)))
    };
    match f.kind.as_str() {
        "weights" => {
            let k: WeightsKeys = keys(file, &at, &f.params)?;
            let draw = match k.distribution.as_deref().unwrap_or("dirichlet") {
                "dirichlet" => {
                    if k.spread.is_some() {
                        return Err(err(
                            "spread",
                            "belongs to distribution = \"uniform\"; dirichlet takes concentration".into(),
                        ));
                    }
                    let c = k.concentration.unwrap_or(50.0);
                    // At a million a weight's sd is about sqrt(w / 1e6): the weights hardly move.
                    // Far beyond it the gamma quantiles slow with sqrt(shape): 2^40 ran for hours.
                    if !(c > 0.0 && c <= MOST_CONCENTRATION) {
                        return Err(err(
                            "concentration",
                            format!(
                                "must be > 0 and at most {MOST_CONCENTRATION:e} (weights held nearly fixed), got {c}"
                            ),
                        ));
                    }
                    Draw::Dirichlet { concentration: c }
                }
                "uniform" => {
                    if k.concentration.is_some() {
                        return Err(err(
                            "concentration",
                            "belongs to distribution = \"dirichlet\"; uniform takes spread".into(),
                        ));
                    }
                    let s = k.spread.unwrap_or(0.25);
                    if !(0.0..1.0).contains(&s) {
                        return Err(err("spread", format!("must be in [0, 1), got {s}")));
                    }
                    Draw::Uniform { spread: s }
                }
                other => {
                    return Err(err(
                        "distribution",
                        format!("unknown distribution `{other}` (known: dirichlet, uniform)"),
                    ))
                }
            };
            let groups = match k.per.as_deref().unwrap_or("indicator") {
                "indicator" => (0..system.len()).map(|j| vec![j]).collect(),
                "subsystem" => subsystems(system).into_iter().map(|(_, g)| g).collect(),
                other => return Err(err("per", format!("unknown `{other}` (known: indicator, subsystem)"))),
            };
            Ok(FactorKind::Weights { draw, groups })
        }
        "method" => {
            let k: MethodKeys = keys(file, &at, &f.params)?;
            let mut levels = Vec::new();
            for name in &k.variants {
                if name == "baseline" {
                    levels.push((name.clone(), toml::Table::new()));
                    continue;
                }
                match loaded.config.compare.variants.iter().find(|v| v.name == *name) {
                    Some(v) => levels.push((v.name.clone(), v.pipeline.clone())),
                    None => {
                        let known: Vec<&str> = loaded.config.compare.variants.iter().map(|v| v.name.as_str()).collect();
                        return Err(err(
                            "variants",
                            format!("no [[compare.variant]] named `{name}` (known: baseline, {})", known.join(", ")),
                        ));
                    }
                }
            }
            levels.extend(k.level.into_iter().map(|v| (v.name, v.pipeline)));
            // Levels are told apart by name in every table; a repeat would also be drawn twice
            // as often.
            for (i, (name, _)) in levels.iter().enumerate() {
                if name.trim().is_empty() {
                    return Err(err(
                        "level",
                        "a level has a blank name; every table tells levels apart by name".into(),
                    ));
                }
                if levels[..i].iter().any(|(earlier, _)| earlier == name) {
                    return Err(err(
                        "level",
                        format!("two levels are named `{name}` (variants and [[level]]s together)"),
                    ));
                }
            }
            if levels.len() < 2 {
                return Err(err("level", format!("a method factor needs at least two levels, got {}", levels.len())));
            }
            // Each level must make a valid pipeline on its own (combinations are built later).
            // The config's own (no overrides) is checked, and reported, as `pipeline.*`; while
            // it fails, every level built over it would repeat its problem.
            for (name, table) in levels.iter().filter(|(_, table)| own_builds && !table.is_empty()) {
                let variant = loaded
                    .with_pipeline_override(table)
                    .map_err(|e| err("level", format!("`{name}`: {}", param_message(e))))?;
                crate::run::Methods::build(file, &variant.config.pipeline, false)
                    .map_err(|e| err("level", format!("`{name}`: {e}")))?;
            }
            let odds = odds(levels.len(), &k.probabilities)?;
            Ok(FactorKind::Method { levels, odds })
        }
        "parameter" => {
            let k: ParameterKeys = keys(file, &at, &f.params)?;
            let stage_ok = ["impute", "treat", "weight", "rank", "classify"].contains(&k.stage.as_str())
                || k.stage
                    .strip_prefix("normalize[")
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| i < loaded.config.pipeline.normalize.len());
            if !stage_ok {
                return Err(err(
                    "stage",
                    format!(
                        "unknown stage `{}` (known: impute, treat, normalize[0..{}], weight, rank, classify)",
                        k.stage,
                        loaded.config.pipeline.normalize.len()
                    ),
                ));
            }
            if ["method", "scope", "indicators"].contains(&k.parameter.as_str()) {
                return Err(err(
                    "parameter",
                    format!("`{}` is not a method parameter: use a method factor", k.parameter),
                ));
            }
            let values = match (k.range, k.values) {
                (Some(_), None) if k.probabilities.is_some() => {
                    return Err(err("probabilities", "belongs to `values`, not `range`".into()));
                }
                // Integer ends: each integer of the range equally likely (winsorisation's winmax).
                (Some([toml::Value::Integer(lo), toml::Value::Integer(hi)]), None) => {
                    if lo >= hi || hi - lo > 100_000 {
                        return Err(err("range", format!("must be [lo, hi] with lo < hi, got [{lo}, {hi}]")));
                    }
                    let set: Vec<toml::Value> = (lo..=hi).map(toml::Value::Integer).collect();
                    let o = odds(set.len(), &None)?;
                    ParameterValues::Set(set, o)
                }
                (Some([lo, hi]), None) => {
                    let (lo, hi) = match (
                        lo.as_float().or(lo.as_integer().map(|v| v as f64)),
                        hi.as_float().or(hi.as_integer().map(|v| v as f64)),
                    ) {
                        (Some(lo), Some(hi)) => (lo, hi),
                        _ => return Err(err("range", format!("must be two numbers, got [{lo}, {hi}]"))),
                    };
                    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                        return Err(err("range", format!("must be [lo, hi] with lo < hi, got [{lo}, {hi}]")));
                    }
                    ParameterValues::Range(lo, hi)
                }
                (None, Some(values)) if values.len() >= 2 => {
                    if let Some(v) = values.iter().enumerate().find_map(|(i, v)| values[..i].contains(v).then_some(v)) {
                        return Err(err("values", format!("{v} is given twice")));
                    }
                    let o = odds(values.len(), &k.probabilities)?;
                    ParameterValues::Set(values, o)
                }
                (None, Some(_)) => return Err(err("values", "needs at least two values".into())),
                _ => return Err(err("range", "give either `range = [lo, hi]` or `values = [...]`".into())),
            };
            Ok(FactorKind::Parameter { path: vec![k.stage, k.parameter], values })
        }
        "exclude" => {
            let k: ExcludeKeys = keys(file, &at, &f.params)?;
            let of = k.of.unwrap_or_else(|| "indicator".into());
            let all: Vec<(String, Vec<usize>)> = match of.as_str() {
                "indicator" => system.indicators().iter().enumerate().map(|(j, i)| (i.id.clone(), vec![j])).collect(),
                "subsystem" => subsystems(system),
                other => return Err(err("of", format!("unknown `{other}` (known: indicator, subsystem)"))),
            };
            let mut levels = Vec::new();
            if k.keep_all {
                levels.push(("none".to_string(), Vec::new()));
            }
            if k.candidates.is_empty() {
                levels.extend(all.iter().map(|(n, g)| (format!("without {n}"), g.clone())));
            } else {
                for (i, c) in k.candidates.iter().enumerate() {
                    if k.candidates[..i].contains(c) {
                        return Err(err("candidates", format!("`{c}` is given twice")));
                    }
                    match all.iter().find(|(n, _)| n == c) {
                        Some((n, g)) => levels.push((format!("without {n}"), g.clone())),
                        None => return Err(err("candidates", format!("`{c}` is not an {of} of the study"))),
                    }
                }
            }
            if levels.len() < 2 {
                return Err(err("candidates", "an exclusion factor needs at least two levels".into()));
            }
            let odds = odds(levels.len(), &None)?;
            Ok(FactorKind::Exclude { levels, odds })
        }
        other => Err(Error::config(
            file,
            format!("{at}.kind"),
            format!(
                "unknown factor kind `{other}` (known: {})",
                FACTOR_KINDS.iter().map(|k| k.kind).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// The sub-systems in order of first appearance, each with its indicators' positions.
pub fn subsystems(system: &IndicatorSystem) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (j, ind) in system.indicators().iter().enumerate() {
        match out.iter_mut().find(|(n, _)| *n == ind.subsystem) {
            Some((_, g)) => g.push(j),
            None => out.push((ind.subsystem.clone(), vec![j])),
        }
    }
    out
}

/// An error's message without its location (the caller names the key).
fn param_message(e: Error) -> String {
    match e {
        Error::Param { message, .. } | Error::Config { message, .. } => message,
        other => other.to_string(),
    }
}
