//! The method registry: one declaration per method of every stage (its config name, a one-line
//! doc, the parameters it takes, and how it is built from its config table). The method lists
//! of `--help`, `resil methods`, the "known: ..." of every error and the README's method tables
//! all derive from these tables; a new method is one file in its method crate plus one entry here.

use std::path::Path;

use resil_config::StageConfig;
use resil_core::{Classifier, Error, Imputer, Normalizer, Result, Scorer, Weighter};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A parameter a method takes: its config name and what it means (range and default in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub doc: &'static str,
}

/// One method of a stage.
pub struct MethodSpec<T: ?Sized> {
    pub name: &'static str,
    pub doc: &'static str,
    /// Every parameter the method takes; any other key in its table is an error.
    pub params: &'static [ParamSpec],
    /// The parameters' defaults, as the manifest records them.
    pub defaults: fn() -> serde_json::Value,
    build: fn(&StageKey, &StageConfig, &mut Vec<String>) -> Result<Built<T>>,
}

/// A method built from config, with its resolved parameters.
pub(crate) struct Built<T: ?Sized> {
    pub method: Box<T>,
    pub params: serde_json::Value,
}

/// Context for building one stage: where its table is (config file and key path, or the
/// command line) and strictness.
pub(crate) struct StageKey<'a> {
    pub file: &'a Path,
    /// Key path of the stage's table (`pipeline.rank`), or on the command line the flag that
    /// names the method (`--method`).
    pub key: String,
    pub strict: bool,
}

impl StageKey<'_> {
    fn on_command_line(&self) -> bool {
        self.key.starts_with("--")
    }

    /// Where the method name is written: `pipeline.rank.method` or `--method`.
    fn method_place(&self) -> String {
        if self.on_command_line() {
            self.key.clone()
        } else {
            format!("{}.method", self.key)
        }
    }

    /// Where a parameter is written: `pipeline.rank.rho` or `--param rho`.
    pub(crate) fn param_place(&self, param: &str) -> String {
        if self.on_command_line() {
            format!("--param {param}")
        } else {
            format!("{}.{param}", self.key)
        }
    }

    /// Deserialises the method's parameters: a key the method does not take is an error naming
    /// what it takes; nested unknown keys are warnings (errors under strict).
    fn params<T: ?Sized, P: DeserializeOwned + Serialize>(
        &self,
        spec: &MethodSpec<T>,
        stage: &StageConfig,
        warnings: &mut Vec<String>,
    ) -> Result<(P, serde_json::Value)> {
        let table = stage.params.clone();
        let takes: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
        let foreign: Vec<Error> = table
            .keys()
            .filter(|k| !takes.contains(&k.as_str()))
            .map(|k| {
                let list = if takes.is_empty() { "no parameters".to_string() } else { takes.join(", ") };
                Error::config(
                    self.file,
                    self.param_place(k),
                    format!("{} has no parameter `{k}`; it takes: {list}", spec.name),
                )
            })
            .collect();
        if !foreign.is_empty() {
            return Err(Error::from_list(foreign));
        }
        let mut unknown = Vec::new();
        let params: P =
            serde_ignored::deserialize(toml::Value::Table(table), |p| unknown.push(self.param_place(&p.to_string())))
                .map_err(|e| Error::config(self.file, &self.key, format!("method `{}`: {e}", stage.method)))?;
        if self.strict && !unknown.is_empty() {
            let errors = unknown.into_iter().map(|k| Error::config(self.file, k, "unknown key")).collect();
            return Err(Error::from_list(errors));
        }
        warnings.extend(unknown);
        // The manifest records only what the method takes (a shared parameter type may hold more).
        let mut resolved = serde_json::to_value(&params).expect("parameters serialise");
        if let Some(map) = resolved.as_object_mut() {
            map.retain(|k, _| takes.contains(&k.as_str()));
        }
        Ok((params, resolved))
    }

    /// A method's check failing on a parameter becomes an error at that parameter's place.
    fn locate<M>(&self, checked: Result<M>) -> Result<M> {
        checked.map_err(|e| {
            Error::from_list(
                e.into_list()
                    .into_iter()
                    .map(|e| match e {
                        Error::Param { method, param, message } => {
                            Error::config(self.file, self.param_place(&param), format!("{method}: {message}"))
                        }
                        other => other,
                    })
                    .collect(),
            )
        })
    }

    fn unknown_method<T: ?Sized>(&self, stage: &StageConfig, table: &[MethodSpec<T>]) -> Error {
        Error::config(
            self.file,
            self.method_place(),
            format!("unknown method `{}` (known: {})", stage.method, names(table).join(", ")),
        )
    }
}

/// The names of a stage's methods, in table order.
pub fn names<T: ?Sized>(table: &[MethodSpec<T>]) -> Vec<&'static str> {
    table.iter().map(|m| m.name).collect()
}

/// The entry `name` of `table`, for a build function to find its own declaration.
fn spec<'a, T: ?Sized>(table: &'a [MethodSpec<T>], name: &str) -> &'a MethodSpec<T> {
    table.iter().find(|m| m.name == name).expect("a method is in its own table")
}

fn build<T: ?Sized>(
    table: &[MethodSpec<T>],
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Built<T>> {
    match table.iter().find(|m| m.name == stage.method) {
        Some(spec) => (spec.build)(key, stage, warnings),
        None => Err(key.unknown_method(stage, table)),
    }
}

macro_rules! p {
    ($name:literal, $doc:literal) => {
        ParamSpec { name: $name, doc: $doc }
    };
}

/// A table entry whose parameters are the type `$params`, checked by `check($variant)`.
macro_rules! method {
    ($table:ident, $name:literal, $doc:literal, [$($param:expr),* $(,)?], $params:ty $(, $variant:expr)?) => {
        MethodSpec {
            name: $name,
            doc: $doc,
            params: &[$($param),*],
            defaults: || serde_json::to_value(<$params>::default()).expect("parameters serialise"),
            build: |key, stage, warnings| {
                let (p, params): ($params, _) = key.params(spec($table, $name), stage, warnings)?;
                Ok(Built { method: Box::new(key.locate(p.check($($variant)?))?), params })
            },
        }
    };
}

pub static IMPUTERS: &[MethodSpec<dyn Imputer>] = &[
    method!(
    IMPUTERS,
    "linear-time",
    "linear interpolation on the year axis inside a unit, nearest value at the ends",
    [
        p!("fallback", "for a unit with no value at all: error | period-mean | period-median | period-min | period-max | { value = x }"),
        p!("fallbacks", "the same per indicator: { X27 = \"period-min\" }"),
    ],
    resil_normalize::LinearTimeImputerParams
),
    method!(
        IMPUTERS,
        "group-mean",
        "the mean of the unit's group in the same period (COINr's indgroup_mean)",
        [p!("group", "region | province | a column of the unit list (Group_EurAsia)")],
        resil_normalize::GroupMeanImputerParams
    ),
];

pub static NORMALIZERS: &[MethodSpec<dyn Normalizer>] = &[
    method!(
        NORMALIZERS,
        "none",
        "values as they are; polarity left to the scorer",
        [],
        resil_normalize::ScaleParams,
        resil_normalize::Divisor::One
    ),
    method!(
        NORMALIZERS,
        "zscore",
        "z = (x - mean) / sd; flips cost columns",
        [p!("sd", "sample | population"), p!("apply-polarity", "flip cost columns"),],
        resil_normalize::ZScoreParams
    ),
    method!(
        NORMALIZERS,
        "minmax",
        "r = (x - min) / (max - min); flips cost columns",
        [
            p!("floor", "r = (1 - floor) r + floor, in [0, 1)"),
            p!("scale", "multiply by this, > 0 (100 for COINr's 0-100)"),
            p!("apply-polarity", "flip cost columns"),
        ],
        resil_normalize::MinMaxParams
    ),
    method!(
        NORMALIZERS,
        "translate",
        "r = x + shift; keeps each column's direction",
        [p!("shift", "the constant A added")],
        resil_normalize::TranslateParams
    ),
    method!(
        NORMALIZERS,
        "vector",
        "r = x / ||x||_2 (classic TOPSIS); keeps each column's direction",
        [],
        resil_normalize::ScaleParams,
        resil_normalize::Divisor::Norm
    ),
    method!(
        NORMALIZERS,
        "sum",
        "r = x / sum x; keeps each column's direction",
        [],
        resil_normalize::ScaleParams,
        resil_normalize::Divisor::Sum
    ),
    method!(
        NORMALIZERS,
        "max",
        "r = x / max x; keeps each column's direction",
        [],
        resil_normalize::ScaleParams,
        resil_normalize::Divisor::Max
    ),
    method!(
        NORMALIZERS,
        "log",
        "r = ln(x + shift); keeps each column's direction",
        [p!("shift", "added before the logarithm, x + shift > 0")],
        resil_normalize::LogParams
    ),
    method!(
        NORMALIZERS,
        "rank",
        "average rank among the reference values; flips cost columns",
        [],
        resil_normalize::RankParams
    ),
    MethodSpec {
        name: "target",
        doc: "distance to goalposts, (x - lo) / (hi - lo); flips cost columns",
        params: &[
            p!(
                "goalposts",
                "{ X1 = [lo, hi] } for every indicator, lo < hi; or a CSV file with columns indicator, lo, hi"
            ),
            p!("cap", "cap values beyond the goalposts to them (a note counts them)"),
            p!("transform", "{ X4 = \"log\" } or { X4 = { power = 0.5 } }: applied to values and goalposts first"),
        ],
        defaults: || serde_json::to_value(resil_normalize::TargetParams::default()).expect("parameters serialise"),
        build: |key, stage, warnings| {
            // Goalposts from a CSV file (relative to the config) become the table they stand for.
            let mut stage = stage.clone();
            if let Some(toml::Value::String(file)) = stage.params.get("goalposts").cloned() {
                stage.params.insert("goalposts".into(), toml::Value::Table(goalposts_file(key, &file)?));
            }
            let (p, params): (resil_normalize::TargetParams, _) =
                key.params(spec(NORMALIZERS, "target"), &stage, warnings)?;
            Ok(Built { method: Box::new(key.locate(p.check())?), params })
        },
    },
];

/// Reads goalposts from a CSV file (columns `indicator`, `lo`, `hi`) named in a config, resolved
/// against the config's folder; every problem names the file and line.
fn goalposts_file(key: &StageKey, file: &str) -> Result<toml::Table> {
    let path = key.file.parent().unwrap_or(Path::new(".")).join(file);
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::config(key.file, key.param_place("goalposts"), format!("{}: {e}", path.display())))?;
    let mut lines = resil_indicators::CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| Error::input(&path, Some(1), e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Error::input(&path, Some(1), format!("missing column `{name}`")))
    };
    let (id, lo, hi) = (col("indicator")?, col("lo")?, col("hi")?);
    let mut table = toml::Table::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| resil_indicators::csv_error(&path, e, &mut lines))?;
        let line = lines.line(record.position());
        let number = |c: usize, name: &str| -> Result<f64> {
            record.get(c).unwrap_or("").trim().parse::<f64>().map_err(|_| {
                Error::input_at(&path, line, name, format!("`{}` is not a number", record.get(c).unwrap_or("")))
            })
        };
        match (number(lo, "lo"), number(hi, "hi")) {
            (Ok(l), Ok(h)) => {
                table.insert(
                    record.get(id).unwrap_or("").trim().to_string(),
                    toml::Value::Array(vec![l.into(), h.into()]),
                );
            }
            (a, b) => problems.extend(a.err().into_iter().chain(b.err())),
        }
    }
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(Error::from_list(problems))
    }
}

pub static WEIGHTERS: &[MethodSpec<dyn Weighter>] = &[
    method!(
        WEIGHTERS,
        "entropy",
        "Shannon entropy of each column (non-negative values)",
        [],
        resil_weight::EntropyParams
    ),
    method!(
        WEIGHTERS,
        "fixed",
        "given weights, renormalised to sum 1 with a note",
        [
            p!("weights", "{ X1 = 0.05, ... } for every indicator, >= 0"),
            p!("tolerance", "warn when the sum is off 1 by more, >= 0"),
        ],
        resil_weight::FixedParams
    ),
    method!(WEIGHTERS, "equal", "1 / n each", [], resil_weight::StatisticalParams, resil_weight::Statistic::Equal),
    method!(
        WEIGHTERS,
        "std",
        "population sd of each column",
        [],
        resil_weight::StatisticalParams,
        resil_weight::Statistic::Std
    ),
    method!(
        WEIGHTERS,
        "cv",
        "sd / |mean| of each column",
        [],
        resil_weight::StatisticalParams,
        resil_weight::Statistic::Cv
    ),
    method!(
        WEIGHTERS,
        "critic",
        "CRITIC (Diakoulaki et al. 1995): contrast times conflict",
        [
            p!(
                "cost",
                "flip: scale cost columns from worst to best (scikit-criteria) | as-is: from min to max (pymcdm)"
            ),
            p!("correlation", "pearson | spearman (on average ranks)"),
        ],
        resil_weight::StatisticalParams,
        resil_weight::Statistic::Critic
    ),
    method!(
        WEIGHTERS,
        "merec",
        "MEREC: the removal effect of each criterion on a log performance measure (as pymcdm)",
        [],
        resil_weight::MerecParams
    ),
    method!(
        WEIGHTERS,
        "lopcow",
        "logarithmic percentage change of min-max scaled columns (as pymcdm)",
        [],
        resil_weight::LopcowParams
    ),
    method!(WEIGHTERS, "cilos", "criterion impact loss (as pymcdm)", [], resil_weight::CilosParams, false),
    method!(WEIGHTERS, "idocriw", "CILOS times entropy weights (as pymcdm)", [], resil_weight::CilosParams, true),
    method!(
        WEIGHTERS,
        "angle",
        "angle of each sum-normalised column to the uniform vector (as pymcdm)",
        [],
        resil_weight::AngleParams
    ),
    method!(WEIGHTERS, "gini", "the Gini coefficient of each criterion (as pymcdm)", [], resil_weight::GiniParams),
    method!(
        WEIGHTERS,
        "variance",
        "the sample variance of each column min-max scaled to [0, 1] (as pymcdm)",
        [],
        resil_weight::StatisticalParams,
        resil_weight::Statistic::Variance
    ),
    method!(
        WEIGHTERS,
        "pca",
        "principal components as the OECD/JRC Handbook: factors, varimax, scaled squared loadings",
        [p!("min-eigenvalue", "keep the factors whose eigenvalue exceeds this, >= 0")],
        resil_weight::PcaParams
    ),
    method!(
        WEIGHTERS,
        "roc",
        "rank order centroid of an importance order",
        [p!("order", "the indicators, the most important first")],
        resil_weight::RankOrderParams,
        resil_weight::RankRule::Centroid
    ),
    method!(
        WEIGHTERS,
        "rs",
        "rank sum of an importance order",
        [p!("order", "the indicators, the most important first")],
        resil_weight::RankOrderParams,
        resil_weight::RankRule::Sum
    ),
    method!(
        WEIGHTERS,
        "rr",
        "rank reciprocal of an importance order",
        [p!("order", "the indicators, the most important first")],
        resil_weight::RankOrderParams,
        resil_weight::RankRule::Reciprocal
    ),
    method!(
        WEIGHTERS,
        "bwm",
        "best-worst method, linear model (Rezaei 2016); xi and the input-based consistency ratio reported",
        [
            p!("best", "the most important indicator"),
            p!("worst", "the least important indicator"),
            p!("best-to-others", "{ X1 = a, ... }: how much the best is preferred to each (>= 1; the best itself 1)"),
            p!(
                "others-to-worst",
                "{ X1 = a, ... }: how much each is preferred to the worst (>= 1; the worst itself 1)"
            ),
        ],
        resil_weight::BwmParams
    ),
    method!(
        WEIGHTERS,
        "ahp",
        "principal eigenvector of a pairwise comparison matrix",
        [
            p!("matrix", "n x n reciprocal comparisons of the indicators in config order"),
            p!("allow-inconsistent", "accept a consistency ratio above 0.1"),
        ],
        resil_weight::AhpParams
    ),
    MethodSpec {
        name: "combined",
        doc: "subjective weights mixed with an objective method",
        params: &[
            p!("subjective", "{ X1 = ... } for every indicator"),
            p!("objective", "entropy | equal | std | cv | critic"),
            p!("mode", "multiplicative | linear"),
            p!("alpha", "linear mix alpha s + (1 - alpha) o, in [0, 1]"),
        ],
        defaults: || serde_json::to_value(CombinedParams::default()).expect("parameters serialise"),
        build: |key, stage, warnings| {
            let (p, params): (CombinedParams, _) = key.params(spec(WEIGHTERS, "combined"), stage, warnings)?;
            let objective = inner_weighter(key, "objective", &p.objective)?;
            // An alpha set beside the multiplicative mix is refused, not left unused.
            let alpha = stage.params.contains_key("alpha").then_some(p.alpha);
            let w = key.locate(resil_weight::Combined::new(p.subjective, objective, p.mode, alpha))?;
            // The manifest records an alpha only for the linear mix, which uses it.
            let mut params = params;
            if let (None, Some(map)) = (w.alpha(), params.as_object_mut()) {
                map.remove("alpha");
            }
            Ok(Built { method: Box::new(w), params })
        },
    },
    MethodSpec {
        name: "hierarchical",
        doc: "a weight per sub-system times weights within each",
        params: &[
            p!("subsystems", "{ name = weight } for every sub-system"),
            p!("within", "entropy | equal | std | cv | critic"),
        ],
        defaults: || serde_json::to_value(HierarchicalParams::default()).expect("parameters serialise"),
        build: |key, stage, warnings| {
            let (p, params): (HierarchicalParams, _) = key.params(spec(WEIGHTERS, "hierarchical"), stage, warnings)?;
            let within = inner_weighter(key, "within", &p.within)?;
            let w = key.locate(resil_weight::Hierarchical::new(p.subsystems, within))?;
            Ok(Built { method: Box::new(w), params })
        },
    },
];

pub static SCORERS: &[MethodSpec<dyn Scorer>] = &[
    method!(
        SCORERS,
        "topsis",
        "closeness to the ideal, D- / (D+ + D-)",
        [
            p!("distance", "euclidean | manhattan | chebyshev"),
            p!("ideal", "fixed ideal, normalised values in column order"),
            p!("anti-ideal", "fixed anti-ideal, normalised values in column order"),
        ],
        resil_rank::TopsisParams
    ),
    method!(
        SCORERS,
        "vikor",
        "compromise ranking Q (lower is better), S and R beside",
        [p!("v", "weight of the majority rule, in [0, 1]")],
        resil_rank::VikorParams
    ),
    method!(
        SCORERS,
        "gra",
        "grey relational grade to the ideal",
        [p!("rho", "distinguishing coefficient, in (0, 1]")],
        resil_rank::DistanceParams,
        resil_rank::DistanceMethod::Gra
    ),
    method!(
        SCORERS,
        "wsm",
        "weighted sum (benefit-aligned columns)",
        [p!(
            "cost",
            "refuse: a cost column is an error | reciprocal: (1/r) / sum(1/r), pymcdm's sum normalisation of costs"
        )],
        resil_rank::WeightedParams,
        resil_rank::Aggregation::Sum
    ),
    method!(
        SCORERS,
        "wpm",
        "weighted product (positive, benefit-aligned columns)",
        [p!(
            "cost",
            "refuse: a cost column is an error | reciprocal: (1/r) / sum(1/r), pymcdm's sum normalisation of costs"
        )],
        resil_rank::WeightedParams,
        resil_rank::Aggregation::Product
    ),
    method!(
        SCORERS,
        "copras",
        "COPRAS (Zavadskas & Kaklauskas), positive values",
        [],
        resil_rank::DistanceParams,
        resil_rank::DistanceMethod::Copras
    ),
    method!(
        SCORERS,
        "edas",
        "distances from the average solution (as pymcdm)",
        [],
        resil_rank::DistanceParams,
        resil_rank::DistanceMethod::Edas
    ),
    method!(SCORERS, "aras", "additive ratio assessment: utility degree against the optimal alternative (as pymcdm)", [], resil_rank::ArasParams),
    method!(SCORERS, "mabac", "distance from the border approximation area (as pymcdm)", [], resil_rank::MabacParams),
    method!(SCORERS, "mairca", "total gap between theoretical and real ratings; lower is better (as pymcdm)", [], resil_rank::MaircaParams),
    method!(
        SCORERS,
        "waspas",
        "lambda * weighted sum + (1 - lambda) * weighted product of linear-scaled values (as pymcdm)",
        [p!("lambda", "the weight of the sum, in [0, 1]")],
        resil_rank::WaspasParams
    ),
    method!(SCORERS, "moora", "MOORA ratio system: vector-normalised benefits minus costs (as pymcdm)", [], resil_rank::MooraParams),
    method!(SCORERS, "ram", "root assessment: (2 + S+)^(1 / (2 + S-)) of sum-normalised values (as pymcdm)", [], resil_rank::RamParams),
    method!(
        SCORERS,
        "cocoso",
        "combined compromise solution of three appraisal scores (as pymcdm)",
        [p!("lambda", "the balance of the sum against the product, in [0, 1]")],
        resil_rank::CocosoParams
    ),
    method!(
        SCORERS,
        "codas",
        "Euclidean and (from tau on) taxicab distances from the negative-ideal, against every alternative (as pymcdm)",
        [p!("tau", "the Euclidean gap from which taxicab distances count (default 0.02)")],
        resil_rank::CodasParams
    ),
    method!(SCORERS, "marcos", "utility against the ideal and anti-ideal solutions (as pymcdm), positive values", [], resil_rank::MarcosParams),
    method!(SCORERS, "ocra", "operational competitiveness: shifted benefit and cost ratings (as pymcdm), positive values", [], resil_rank::OcraParams),
    method!(SCORERS, "probid", "distances to the m positive ideals sorted best to worst and to their average (as pymcdm)", [], resil_rank::ProbidParams),
    method!(SCORERS, "sprobid", "simpler PROBID: best quarter against worst quarter of the ideals (as pymcdm)", [], resil_rank::SprobidParams),
    method!(
        SCORERS,
        "spotis",
        "weighted distance from the ideal point of the bounds; lower is better, no rank reversal with given bounds (as pymcdm)",
        [p!("bounds", "per indicator [min, max], e.g. { X1 = [0, 100] }; the others take the data's range")],
        resil_rank::SpotisParams
    ),
    method!(
        SCORERS,
        "promethee2",
        "PROMETHEE II net outranking flow (as pymcdm; phi+ and phi- beside)",
        [
            p!("preference", "usual (default) | u-shape (q) | v-shape (p) | level (q, p) | linear (q, p) | gaussian (s)"),
            p!("q", "indifference threshold: one number, or { X1 = q, ... } per indicator"),
            p!("p", "preference threshold: one number, or per indicator"),
            p!("s", "the Gaussian's inflection point: one number, or per indicator")
        ],
        resil_rank::PrometheeParams
    ),
    method!(
        SCORERS,
        "aroman",
        "AROMAN: min-max and vector scaling averaged, L^lambda + A^(1 - lambda) over cost and benefit sums (as pymcdm)",
        [
            p!("beta", "share of min-max scaling in the average, in [0, 1] (default 0.5)"),
            p!("lambda", "exponent balancing cost (L) against benefit (A) sums, in [0, 1] (default 0.5)")
        ],
        resil_rank::AromanParams
    ),
    method!(
        SCORERS,
        "mpi",
        "Mazziotta-Pareto index: mean of 100 +- 10 z-scores corrected by the unit's unbalance, M_z -+ S_z cv",
        [
            p!("penalty", "minus: M_z - S_z cv, for an index where higher is better (default) | plus: M_z + S_z cv, for a negative phenomenon"),
            p!("sd", "population: over n, as the defining paper (default) | sample: over n - 1, as Compind"),
        ],
        resil_rank::MpiParams
    ),
    MethodSpec {
        name: "levels",
        doc: "level by level: each sub-system, system and the index aggregate the level below",
        params: &[
            p!("subsystem", "indicators -> sub-system: { function (arithmetic | geometric | harmonic | power | minimum | bod | any scorer: topsis, vikor, ...), p, share, weight-share, params (the scorer's), weights }"),
            p!("system", "sub-systems -> system: { function, p, share, params, weights (run | equal | { member = w } | { method = \"critic\", cost = \"as-is\", ... }) }"),
            p!("index", "systems -> index: { function, p, share, params, weights }; a lower-is-better scorer (vikor, spotis, mairca) only here"),
        ],
        defaults: || serde_json::to_value(resil_rank::LevelsParams::default()).expect("parameters serialise"),
        build: |key, stage, warnings| {
            let (p, params): (resil_rank::LevelsParams, _) = key.params(spec(SCORERS, "levels"), stage, warnings)?;
            // A level whose weights a weighting method fits, or that an MCDA scorer aggregates,
            // gets that method from its own table, with its parameters checked there.
            let level_stage = |m: &resil_rank::LevelMethod, place: &str| -> Result<(StageKey, StageConfig)> {
                let params = toml::Table::try_from(&m.params)
                    .map_err(|e| Error::config(key.file, key.param_place(&format!("{}.{place}", m.level)), e.to_string()))?;
                let level_key = StageKey { file: key.file, key: key.param_place(&format!("{}.{place}", m.level)), strict: key.strict };
                Ok((level_key, StageConfig { method: m.method.clone(), scope: Default::default(), indicators: Vec::new(), params }))
            };
            let weighters = p
                .weight_methods()
                .iter()
                .map(|m| {
                    let (level_key, stage) = level_stage(m, "weights")?;
                    Ok(build(WEIGHTERS, &level_key, &stage, warnings)?.method)
                })
                .collect::<Result<Vec<_>>>()?;
            let scorers = p
                .scorer_methods()
                .iter()
                .map(|m| {
                    if !SCORERS.iter().any(|s| s.name == m.method && s.name != "levels") {
                        let means = resil_rank::Mean::mean_names();
                        let scorers = names(SCORERS).into_iter().filter(|n| *n != "levels");
                        return Err(Error::config(
                            key.file,
                            key.param_place(&format!("{}.function", m.level)),
                            format!(
                                "unknown function `{}` (known: {})",
                                m.method,
                                means.chain(scorers).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                    let (level_key, stage) = level_stage(m, "params")?;
                    Ok(build(SCORERS, &level_key, &stage, warnings)?.method)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Built { method: Box::new(key.locate(p.check_with(weighters, scorers))?), params })
        },
    },
];

pub static CLASSIFIERS: &[MethodSpec<dyn Classifier>] = &[
    method!(
        CLASSIFIERS,
        "jenks",
        "exact Jenks natural breaks",
        [p!("k", "number of classes, 2 to 1000")],
        resil_classify::JenksParams
    ),
    method!(
        CLASSIFIERS,
        "quantile",
        "equal counts per class (as mapclassify)",
        [p!("k", "number of classes, 2 to 1000")],
        resil_classify::SimpleParams,
        resil_classify::Rule::Quantile
    ),
    method!(
        CLASSIFIERS,
        "equal-interval",
        "equal widths between min and max (as mapclassify)",
        [p!("k", "number of classes, 2 to 1000")],
        resil_classify::SimpleParams,
        resil_classify::Rule::EqualInterval
    ),
    method!(
        CLASSIFIERS,
        "std-mean",
        "mean +- 1 and 2 sample sd (as mapclassify); six classes at most",
        [],
        resil_classify::SimpleParams,
        resil_classify::Rule::StdMean
    ),
    method!(
        CLASSIFIERS,
        "head-tail",
        "Jiang's head/tail breaks; the data set the number of classes",
        [],
        resil_classify::SimpleParams,
        resil_classify::Rule::HeadTail
    ),
    method!(
        CLASSIFIERS,
        "percentiles",
        "upper bounds at given percentiles (as mapclassify)",
        [p!("pct", "increasing percentiles ending at 100 (default [1, 10, 50, 90, 99, 100])")],
        resil_classify::PercentilesParams
    ),
    method!(
        CLASSIFIERS,
        "box-plot",
        "fences and quartiles: outliers in the first and last classes (as mapclassify)",
        [p!("hinge", "the fences' multiple of the inter-quartile range (default 1.5)")],
        resil_classify::BoxPlotParams
    ),
    method!(
        CLASSIFIERS,
        "maximum-breaks",
        "cuts at the midpoints of the k - 1 largest gaps (as mapclassify)",
        [p!("k", "number of classes, 2 to 1000")],
        resil_classify::MaximumBreaksParams
    ),
    method!(
        CLASSIFIERS,
        "pretty",
        "round-number bounds near k classes (as mapclassify and R's pretty)",
        [p!("k", "number of classes asked for, 2 to 1000; the rounding sets the actual number")],
        resil_classify::PrettyParams
    ),
    method!(
        CLASSIFIERS,
        "jenks-caspall",
        "quantile start, values moved to the nearest class median until none moves (as mapclassify)",
        [p!("k", "number of classes, 2 to 1000")],
        resil_classify::JenksCaspallParams
    ),
    method!(
        CLASSIFIERS,
        "fixed",
        "published thresholds; a value equal to a cut goes up",
        [p!("cuts", "k - 1 increasing cut points")],
        resil_classify::FixedThresholdsParams
    ),
];

/// The treatment stage's methods: COINr's winsorisation, or none.
pub static TREATMENTS: &[MethodSpec<dyn TreatmentMethod>] = &[
    MethodSpec {
        name: "none",
        doc: "no treatment",
        params: &[],
        defaults: || serde_json::json!({}),
        build: |key, stage, warnings| {
            let (_, params): (NoParams, _) = key.params(spec(TREATMENTS, "none"), stage, warnings)?;
            Ok(Built { method: Box::new(NoTreatment), params })
        },
    },
    MethodSpec {
        name: "winsorise",
        doc: "COINr's rule: winsorise skewed indicators step by step, else log-transform",
        params: &[
            p!("winmax", "most points winsorised per indicator, >= 0"),
            p!("skewness", "|skewness| above which an indicator is treated"),
            p!("kurtosis", "excess kurtosis above which an indicator is treated"),
            p!("log", "log-transform what winsorising cannot fix"),
        ],
        defaults: || serde_json::to_value(resil_normalize::TreatParams::default()).expect("parameters serialise"),
        build: |key, stage, warnings| {
            let (p, params): (resil_normalize::TreatParams, _) =
                key.params(spec(TREATMENTS, "winsorise"), stage, warnings)?;
            Ok(Built { method: Box::new(key.locate(p.check())?), params })
        },
    },
];

/// What the treatment stage builds: the winsorisation parameters, or nothing to do.
pub trait TreatmentMethod {
    fn params(&self) -> Option<resil_normalize::TreatParams>;
}

struct NoTreatment;

#[derive(Serialize, serde::Deserialize)]
struct NoParams {}

impl TreatmentMethod for NoTreatment {
    fn params(&self) -> Option<resil_normalize::TreatParams> {
        None
    }
}

impl TreatmentMethod for resil_normalize::TreatParams {
    fn params(&self) -> Option<resil_normalize::TreatParams> {
        Some(self.clone())
    }
}

/// Parameters of a stage rather than of its method: every method of the stage takes them.
pub fn stage_params(stage: &str) -> &'static [ParamSpec] {
    const SCOPE: ParamSpec = p!("scope", "pooled (one fit over every period) | per-period");
    match stage {
        "normalize" | "treat" => {
            &[SCOPE, p!("indicators", "the indicators the step applies to (default: all); the others pass through")]
        }
        "weight" => &[SCOPE],
        "rank" => &[SCOPE, p!("ties", "min | average | dense: how tied scores rank")],
        "classify" => &[
            SCOPE,
            p!("labels", "grade names from the lowest class up, one per class"),
            p!("select", "with k = \"auto\": gadf (the smallest k whose GADF exceeds `gadf`; default) | bic (the largest BIC of the classes as a Gaussian mixture, as Ckmeans.1d.dp)"),
            p!("gadf", "with k = \"auto\" and select = \"gadf\": the threshold (default 0.8)"),
            p!("max-k", "with k = \"auto\": the largest k tried, at most 1000 (default 15)"),
        ],
        _ => &[],
    }
}

/// A stage's methods as documentation: what `resil methods` prints.
#[derive(Debug, Clone, Serialize)]
pub struct MethodDoc {
    pub stage: &'static str,
    pub name: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
    pub defaults: serde_json::Value,
}

fn docs<'a, T: ?Sized>(stage: &'static str, table: &'a [MethodSpec<T>]) -> impl Iterator<Item = MethodDoc> + 'a {
    table.iter().map(move |m| MethodDoc { stage, name: m.name, doc: m.doc, params: m.params, defaults: (m.defaults)() })
}

/// Every method of every stage, in pipeline order, then the analysis kinds (stage `analysis`) and
/// the sensitivity factor kinds (stage `sensitivity`): the one list `--help`, `resil methods` and the README's method tables come from.
pub fn catalog() -> Vec<MethodDoc> {
    docs("impute", IMPUTERS)
        .chain(docs("treat", TREATMENTS))
        .chain(docs("normalize", NORMALIZERS))
        .chain(docs("weight", WEIGHTERS))
        .chain(docs("rank", SCORERS))
        .chain(docs("classify", CLASSIFIERS))
        .chain(crate::analysis::ANALYSES.iter().map(|a| MethodDoc {
            stage: "analysis",
            name: a.kind,
            doc: a.doc,
            params: a.params,
            defaults: (a.defaults)(),
        }))
        .chain(crate::sensitivity::FACTOR_KINDS.iter().map(|k| MethodDoc {
            stage: "sensitivity",
            name: k.kind,
            doc: k.doc,
            params: k.params,
            defaults: (k.defaults)(),
        }))
        .collect()
}

pub(crate) fn imputer(key: &StageKey, stage: &StageConfig, warnings: &mut Vec<String>) -> Result<Built<dyn Imputer>> {
    build(IMPUTERS, key, stage, warnings)
}

pub(crate) fn normalizer(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Built<dyn Normalizer>> {
    build(NORMALIZERS, key, stage, warnings)
}

pub(crate) fn weighter(key: &StageKey, stage: &StageConfig, warnings: &mut Vec<String>) -> Result<Built<dyn Weighter>> {
    build(WEIGHTERS, key, stage, warnings)
}

/// The treatment stage: `winsorise` (COINr's rule) or `none`.
pub(crate) fn treatment(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Option<resil_normalize::TreatParams>> {
    Ok(build(TREATMENTS, key, stage, warnings)?.method.params())
}

/// The scorer and the tie policy of the ranks.
pub(crate) fn scorer(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<(Built<dyn Scorer>, resil_rank::TiePolicy)> {
    let ties: resil_rank::TiePolicy = match stage.params.get("ties") {
        None => resil_rank::TiePolicy::default(),
        Some(v) => v
            .clone()
            .try_into()
            .map_err(|e| Error::config(key.file, key.param_place("ties"), format!("{e} (min | average | dense)")))?,
    };
    // `ties` belongs to the stage (every scorer's ranks), not to the scorer.
    let mut own = stage.clone();
    own.params.remove("ties");
    Ok((build(SCORERS, key, &own, warnings)?, ties))
}

pub(crate) fn classifier(
    key: &StageKey,
    stage: &StageConfig,
    warnings: &mut Vec<String>,
) -> Result<Built<dyn Classifier>> {
    let auto = stage.params.get("k").and_then(toml::Value::as_str) == Some("auto");
    if !auto {
        if let Some(p) = AUTO_K_PARAMS.iter().find(|p| stage.params.contains_key(**p)) {
            return Err(Error::config(key.file, key.param_place(p), "applies only with k = \"auto\""));
        }
        return build(CLASSIFIERS, key, stage, warnings);
    }
    let spec =
        CLASSIFIERS.iter().find(|m| m.name == stage.method).ok_or_else(|| key.unknown_method(stage, CLASSIFIERS))?;
    if !spec.params.iter().any(|p| p.name == "k") {
        return Err(Error::config(key.file, key.param_place("k"), format!("{} has no k to choose", spec.name)));
    }
    let number = |name: &str, default: f64| -> Result<f64> {
        match stage.params.get(name) {
            None => Ok(default),
            Some(v) => v
                .as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .ok_or_else(|| Error::config(key.file, key.param_place(name), format!("must be a number, got {v}"))),
        }
    };
    let (threshold, max_k) = (number("gadf", 0.8)?, number("max-k", 15.0)?);
    let select = match stage.params.get("select") {
        None => "gadf",
        Some(v) => v
            .as_str()
            .filter(|s| ["gadf", "bic"].contains(s))
            .ok_or_else(|| Error::config(key.file, key.param_place("select"), format!("gadf | bic, got {v}")))?,
    };
    if select == "bic" && stage.params.contains_key("gadf") {
        return Err(Error::config(key.file, key.param_place("gadf"), "applies only with select = \"gadf\""));
    }
    // Each k up to max-k is a classifier built and fitted: 2^40 of them had never ended.
    let most = resil_classify::MOST_CLASSES;
    if !(max_k >= 2.0 && max_k <= most as f64 && max_k.fract() == 0.0) {
        return Err(Error::config(
            key.file,
            key.param_place("max-k"),
            format!("must be a whole number from 2 to {most}, got {max_k}"),
        ));
    }
    let mut candidates = Vec::new();
    let mut params = serde_json::Value::Null;
    for k in 2..=max_k as usize {
        let mut own = stage.clone();
        own.params.retain(|name, _| !AUTO_K_PARAMS.contains(&name));
        own.params.insert("k".into(), toml::Value::Integer(k as i64));
        let built = build(CLASSIFIERS, key, &own, warnings)?;
        if params.is_null() {
            params = built.params;
        }
        candidates.push((k, built.method));
    }
    if let Some(map) = params.as_object_mut() {
        map.insert("k".into(), "auto".into());
        map.insert("select".into(), select.into());
        if select == "gadf" {
            map.insert("gadf".into(), threshold.into());
        }
        map.insert("max-k".into(), (max_k as u64).into());
    }
    let selection =
        if select == "bic" { resil_classify::Selection::Bic } else { resil_classify::Selection::Gadf(threshold) };
    let method = resil_classify::AutoK::new(candidates, selection)
        .map_err(|e| Error::config(key.file, key.param_place("gadf"), e.to_string()))?;
    Ok(Built { method: Box::new(method), params })
}

/// The classify-stage keys that steer `k = "auto"`.
const AUTO_K_PARAMS: [&str; 3] = ["select", "gadf", "max-k"];

/// `combined` weights: subjective weights by indicator id, an objective method, and how to mix.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct CombinedParams {
    subjective: std::collections::BTreeMap<String, f64>,
    objective: String,
    mode: resil_weight::Combination,
    /// Used only by the linear mix.
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

/// The parameter-free weighters that `combined` and `hierarchical` can name.
const INNER_WEIGHTERS: [&str; 5] = ["entropy", "equal", "std", "cv", "critic"];

/// A parameter-free weighter named inside `combined` or `hierarchical`.
fn inner_weighter(key: &StageKey, param: &str, name: &str) -> Result<Box<dyn Weighter>> {
    if !INNER_WEIGHTERS.contains(&name) {
        return Err(Error::config(
            key.file,
            key.param_place(param),
            format!("`{name}` cannot be used here (known: {})", INNER_WEIGHTERS.join(", ")),
        ));
    }
    let stage = StageConfig {
        method: name.to_string(),
        scope: Default::default(),
        indicators: Vec::new(),
        params: toml::Table::new(),
    };
    Ok(build(WEIGHTERS, key, &stage, &mut Vec::new())?.method)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every declared parameter is a field of the method's parameter type (by its defaults), so
    /// the declaration and the type cannot drift apart; a type's field a method does not
    /// declare is one it does not take (a shared type).
    #[test]
    fn declared_parameters_exist_in_the_parameter_types() {
        for m in catalog() {
            let fields: Vec<String> = m.defaults.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            for p in m.params {
                assert!(
                    fields.iter().any(|f| f == p.name),
                    "{}.{}: `{}` is not a field ({fields:?})",
                    m.stage,
                    m.name,
                    p.name
                );
            }
            assert!(!m.doc.is_empty() && m.params.iter().all(|p| !p.doc.is_empty()), "{}: undocumented", m.name);
        }
    }

    /// The methods without a fit over chunks are exactly those docs/scale.md names, each there in
    /// its "Not chunked" paragraph, so that the documented list cannot drift from the code.
    #[test]
    fn the_methods_without_a_fit_over_chunks_are_those_documented() {
        // The parameters a method cannot be built without (the others: their defaults).
        let needed = |name: &str| {
            match name {
            "fixed" => "weights = { a = 1.0 }",
            "roc" | "rs" | "rr" => "order = [\"a\"]",
            "bwm" => "best = \"a\"\nworst = \"b\"\nbest-to-others = { a = 1.0, b = 2.0 }\nothers-to-worst = { a = 2.0, b = 1.0 }",
            "ahp" => "matrix = [[1.0]]",
            "combined" => "objective = \"entropy\"\nsubjective = { a = 1.0 }",
            "hierarchical" => "within = \"entropy\"\nsubsystems = { s = 1.0 }",
            "target" => "goalposts = { a = [0.0, 1.0] }",
            _ => "",
        }
        };
        let key = StageKey { file: std::path::Path::new("test"), key: "pipeline".into(), strict: true };
        let stage = |name: &str| StageConfig {
            method: name.to_string(),
            scope: Default::default(),
            indicators: Vec::new(),
            params: needed(name).parse().unwrap(),
        };
        let mut whole = Vec::new();
        for m in NORMALIZERS {
            let built =
                build(NORMALIZERS, &key, &stage(m.name), &mut Vec::new()).unwrap_or_else(|e| panic!("{}: {e}", m.name));
            if built.method.chunked().is_none() {
                whole.push(m.name);
            }
        }
        for m in WEIGHTERS {
            let built =
                build(WEIGHTERS, &key, &stage(m.name), &mut Vec::new()).unwrap_or_else(|e| panic!("{}: {e}", m.name));
            if built.method.chunked().is_none() {
                whole.push(m.name);
            }
        }
        for m in SCORERS {
            let built =
                build(SCORERS, &key, &stage(m.name), &mut Vec::new()).unwrap_or_else(|e| panic!("{}: {e}", m.name));
            if built.method.chunked(&resil_core::Weights(Vec::new())).is_none() {
                whole.push(m.name);
            }
        }
        assert_eq!(whole, ["rank", "gini", "codas", "probid", "sprobid", "promethee2"]);
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scale.md")).unwrap();
        let paragraph = doc.split("\n\n").find(|p| p.starts_with("Not chunked")).expect("the paragraph");
        for name in whole {
            assert!(paragraph.contains(&format!("`{name}`")), "docs/scale.md does not say why `{name}` is not chunked");
        }
    }

    #[test]
    fn names_are_unique_per_stage() {
        let all = catalog();
        for m in &all {
            assert_eq!(all.iter().filter(|x| x.stage == m.stage && x.name == m.name).count(), 1, "{}", m.name);
        }
    }
}
