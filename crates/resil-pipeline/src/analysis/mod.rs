//! The `[[analysis]]` tables of a config, run on a finished run: one file per kind (regional
//! growth between periods, global Moran's I and LISA per period, trend surfaces of sample zones,
//! grade transitions and spatial Markov, obstacle degrees), declared once in [`ANALYSES`]. Each
//! kind gives typed rows, written as CSV tables, and one JSON value.

mod geary;
mod getis_ord;
mod inequality;
mod lisa_markov;
mod mobility;
mod moran;
mod moran_bv;
mod obstacles;
mod regions;
mod spatial_gini;
mod transitions;
mod trend;

use resil_config::{AnalysisConfig, LoadedConfig};
use resil_core::{Diagnostic, Error, Result, Unit};
use resil_trend::spatial::{Metric, SpatialWeights, WeightsKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::registry::ParamSpec;
use crate::run::RunResult;

/// One analysis kind: its config name, a one-line doc, the parameters it takes, and how its
/// parameters are checked and the analysis run.
pub struct AnalysisSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
    /// The parameters' defaults, as `resil methods` shows them.
    pub defaults: fn() -> Value,
    check: fn(&Context<'_>, &mut Vec<String>) -> Result<()>,
    run: fn(&Context<'_>, &RunResult) -> Result<AnalysisResult>,
}

/// Every analysis kind this build knows: the one list the config checks, `resil methods`-style
/// listings and error messages read.
pub static ANALYSES: &[AnalysisSpec] = &[
    regions::SPEC,
    moran::MORAN,
    moran::LISA,
    geary::SPEC,
    getis_ord::SPEC,
    moran_bv::SPEC,
    trend::SPEC,
    transitions::SPEC,
    lisa_markov::SPEC,
    mobility::SPEC,
    obstacles::SPEC,
    inequality::SPEC,
    spatial_gini::SPEC,
];

/// Where an analysis's table is: the config, its index, and whether unknown keys are errors.
struct Context<'a> {
    loaded: &'a LoadedConfig,
    analysis: &'a AnalysisConfig,
    index: usize,
    strict: bool,
}

impl Context<'_> {
    fn key(&self, param: &str) -> String {
        format!("analysis[{}].{param}", self.index)
    }

    /// Parses the analysis's parameters: unknown keys are errors under strict (warnings are
    /// collected by [`check`]); values are checked against their ranges and the study.
    fn params<P: DeserializeOwned + CheckValues>(&self, warnings: &mut Vec<String>) -> Result<P> {
        let key = format!("analysis[{}]", self.index);
        let mut unknown = Vec::new();
        let p: P = serde_ignored::deserialize(toml::Value::Table(self.analysis.params.clone()), |path| {
            unknown.push(format!("{key}.{path}"))
        })
        .map_err(|e| Error::config(&self.loaded.path, &key, format!("analysis `{}`: {e}", self.analysis.kind)))?;
        if self.strict && !unknown.is_empty() {
            return Err(Error::from_list(
                unknown.into_iter().map(|k| Error::config(&self.loaded.path, k, "unknown key")).collect(),
            ));
        }
        warnings.extend(unknown);
        let problems: Vec<Error> = p
            .problems(&StudyFacts {
                periods: &self.loaded.config.study.periods,
                indicators: self.loaded.config.indicators.len(),
            })
            .into_iter()
            .map(|(param, message)| Error::config(&self.loaded.path, self.key(param), message))
            .collect();
        if problems.is_empty() {
            Ok(p)
        } else {
            Err(Error::from_list(problems))
        }
    }

    /// The parameters for a run (already checked by [`check`]).
    fn run_params<P: DeserializeOwned + CheckValues>(&self) -> Result<P> {
        self.params(&mut Vec::new())
    }
}

/// The values of an analysis's parameters checked against their ranges and the study, as
/// (parameter, message); the run would fail or mislead on any of them.
trait CheckValues {
    fn problems(&self, study: &StudyFacts<'_>) -> Vec<(&'static str, String)>;
}

/// What parameters are checked against: the study's periods and the number of indicators it
/// declares.
struct StudyFacts<'a> {
    periods: &'a [i32],
    indicators: usize,
}

/// A typed row of an analysis table: its header (the field names) and its cells as written.
trait Row {
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// How a field is written in a CSV cell: numbers in shortest round-trip form, non-finite and
/// absent values empty.
trait Cell {
    fn cell(&self) -> String;
}

impl Cell for f64 {
    fn cell(&self) -> String {
        if self.is_finite() {
            self.to_string()
        } else {
            String::new()
        }
    }
}

impl Cell for Option<f64> {
    fn cell(&self) -> String {
        self.map(|v| v.cell()).unwrap_or_default()
    }
}

impl Cell for String {
    fn cell(&self) -> String {
        self.clone()
    }
}

impl Cell for &'static str {
    fn cell(&self) -> String {
        self.to_string()
    }
}

macro_rules! integer_cells {
    ($($t:ty),*) => { $(impl Cell for $t { fn cell(&self) -> String { self.to_string() } })* };
}
integer_cells!(i32, u32, u64, usize, bool);

/// Declares a row struct whose field names are its table's header.
macro_rules! row {
    ($(#[$meta:meta])* struct $name:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        pub(crate) struct $name { $(pub $field: $ty),* }
        impl $crate::analysis::Row for $name {
            const HEADER: &'static [&'static str] = &[$(stringify!($field)),*];
            fn cells(&self) -> Vec<String> {
                vec![$($crate::analysis::Cell::cell(&self.$field)),*]
            }
        }
    };
}
pub(crate) use row;

/// A table of an analysis, written as `<name>.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisTable {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The typed rows as a table named `name` (`""`: the analysis's own, else `<id>_<name>`).
fn table<R: Row>(name: &str, rows: &[R]) -> AnalysisTable {
    AnalysisTable {
        name: name.into(),
        header: R::HEADER.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(Row::cells).collect(),
    }
}

/// Rows as JSON objects of their cells as written (header -> cell text).
fn json_rows<R: Row>(rows: &[R]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            Value::Object(R::HEADER.iter().zip(r.cells()).map(|(h, c)| (h.to_string(), Value::String(c))).collect())
        })
        .collect()
}

/// The output of one `[[analysis]]`: its tables and a JSON value (written as `<id>.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisResult {
    pub id: String,
    pub kind: String,
    pub tables: Vec<AnalysisTable>,
    pub json: Value,
    pub notes: Vec<Diagnostic>,
}

fn result(tables: Vec<AnalysisTable>, json: Value, notes: Vec<Diagnostic>) -> Result<AnalysisResult> {
    Ok(AnalysisResult { id: String::new(), kind: String::new(), tables, json, notes })
}

/// Which point stands for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PointKind {
    #[default]
    Seat,
    Centroid,
}

/// Spatial weights as configured: kNN (default k = 4), a distance band in km, or inverse
/// distance (within an optional band); great-circle distances between the units' points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WeightsParams {
    pub point: PointKind,
    pub weights: String,
    pub k: usize,
    pub band_km: Option<f64>,
    pub power: f64,
    pub row_standardise: bool,
}

impl Default for WeightsParams {
    fn default() -> Self {
        WeightsParams {
            point: PointKind::Seat,
            weights: "knn".into(),
            k: 4,
            band_km: None,
            power: 1.0,
            row_standardise: true,
        }
    }
}

/// The parameters of a global spatial statistic with permutation inference (Moran, Geary):
/// the weights, the number of permutations and their seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct PermutationTestParams {
    #[serde(flatten)]
    pub weights: WeightsParams,
    pub permutations: usize,
    pub seed: u64,
}

impl Default for PermutationTestParams {
    fn default() -> Self {
        PermutationTestParams { weights: WeightsParams::default(), permutations: 999, seed: 1 }
    }
}

impl CheckValues for PermutationTestParams {
    fn problems(&self, _: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = self.weights.problems();
        out.extend(resil_trend::permutations_problem(self.permutations).map(|p| ("permutations", p)));
        out
    }
}

/// Each unit's group for an analysis that takes `group`: its region, province, or a column of
/// the unit list (an error names the unit without it).
fn unit_groups(units: &[Unit], group: &str, kind: &str) -> Result<Vec<String>> {
    units
        .iter()
        .map(|u| match group {
            "region" => Ok(u.region.clone()),
            "province" => Ok(u.province.clone()),
            column => u.tags.get(column).cloned().ok_or_else(|| {
                let columns: Vec<&str> = u.tags.keys().map(String::as_str).collect();
                let others = if columns.is_empty() { "none".to_string() } else { columns.join(", ") };
                Error::data(
                    format!("{kind}: group = \"{column}\""),
                    format!(
                        "not region, province or a column of the unit list (unit `{}`; its other columns: {others})",
                        u.id
                    ),
                )
            }),
        })
        .collect()
}

/// The problem of an analysis of change between periods in a study of one period.
fn two_periods(kind: &str, study: &StudyFacts<'_>) -> Option<(&'static str, String)> {
    (study.periods.len() < 2)
        .then(|| ("kind", format!("{kind} needs at least two periods; the study has {:?}", study.periods)))
}

/// The problem of an empty `group` parameter.
fn group_problems(group: &str) -> Vec<(&'static str, String)> {
    if group.trim().is_empty() {
        vec![("group", "name region, province or a column of the unit list".into())]
    } else {
        Vec::new()
    }
}

/// An analysis's `own` parameters followed by the spatial-weights ones; `N` = their count + 6.
pub(super) const fn with_weights<const N: usize, const M: usize>(own: [ParamSpec; M]) -> [ParamSpec; N] {
    let mut out = [ParamSpec { name: "", doc: "" }; N];
    let mut i = 0;
    while i < M {
        out[i] = own[i];
        i += 1;
    }
    while i < N {
        out[i] = WEIGHTS_PARAMS[i - M];
        i += 1;
    }
    out
}

/// The parameters of a permutation test on spatial weights (moran's first eight: the weights,
/// `permutations`, `seed`) followed by an analysis's own `extra` ones; `N` = 8 + their count.
pub(super) const fn test_params<const N: usize, const M: usize>(extra: [ParamSpec; M]) -> [ParamSpec; N] {
    let mut out = [ParamSpec { name: "", doc: "" }; N];
    let mut i = 0;
    while i < 8 {
        out[i] = moran::PARAMS[i];
        i += 1;
    }
    let mut j = 0;
    while j < M {
        out[8 + j] = extra[j];
        j += 1;
    }
    out
}

/// The spatial-weights parameters every spatial analysis takes.
const WEIGHTS_PARAMS: [ParamSpec; 6] = [
    ParamSpec { name: "point", doc: "seat | centroid: the point that stands for a unit" },
    ParamSpec { name: "weights", doc: "knn | band | idw, on great-circle distances" },
    ParamSpec { name: "k", doc: "neighbours of kNN weights, >= 1" },
    ParamSpec { name: "band-km", doc: "distance band in km (band; optional for idw)" },
    ParamSpec { name: "power", doc: "inverse-distance power (idw)" },
    ParamSpec { name: "row-standardise", doc: "rows sum to 1 (true) or raw weights" },
];

impl WeightsParams {
    /// The problems of these parameters, by key: unknown weights, a parameter of other weights
    /// (a `k` or `power` equal to its default cannot be told from an absent one, and changes
    /// nothing), a band or power that is not positive and finite.
    fn problems(&self) -> Vec<(&'static str, String)> {
        let default = WeightsParams::default();
        let mut out = Vec::new();
        let not_for = |key: &str, value: String, owner: &str| {
            format!("{} weights take no `{key}` (got {value}); it is for {owner}", self.weights)
        };
        let positive = |v: f64| (!(v.is_finite() && v > 0.0)).then(|| format!("must be positive and finite, got {v}"));
        match self.weights.as_str() {
            "knn" | "band" | "idw" => {}
            other => out.push(("weights", format!("unknown weights `{other}` (known: knn, band, idw)"))),
        }
        let (knn, band, idw) = (self.weights == "knn", self.weights == "band", self.weights == "idw");
        if knn && self.k == 0 {
            out.push(("k", "must be at least 1".into()));
        }
        if (band || idw) && self.k != default.k {
            out.push(("k", not_for("k", self.k.to_string(), "weights = \"knn\"")));
        }
        match self.band_km {
            Some(b) if knn => out.push(("band-km", not_for("band-km", b.to_string(), "weights = \"band\" or \"idw\""))),
            Some(b) => out.extend(positive(b).map(|m| ("band-km", m))),
            None if band => out.push(("band-km", "a distance band needs `band-km`".into())),
            None => {}
        }
        if idw {
            out.extend(positive(self.power).map(|m| ("power", m)));
        } else if (knn || band) && self.power != default.power {
            out.push(("power", not_for("power", self.power.to_string(), "weights = \"idw\"")));
        }
        out
    }

    /// The weights asked for (their parameters checked by [`Self::problems`]).
    fn kind(&self) -> Result<WeightsKind> {
        match self.weights.as_str() {
            "knn" => Ok(WeightsKind::Knn(self.k)),
            "band" => self
                .band_km
                .map(WeightsKind::Band)
                .ok_or_else(|| Error::param("weights", "band-km", "a distance band needs `band-km`")),
            "idw" => Ok(WeightsKind::InverseDistance { power: self.power, band: self.band_km }),
            other => {
                Err(Error::param("weights", "weights", format!("unknown weights `{other}` (known: knn, band, idw)")))
            }
        }
    }

    fn build(&self, units: &[Unit]) -> Result<SpatialWeights> {
        let points = unit_points(units, self.point, "spatial weights")?;
        SpatialWeights::build(&points, Metric::GreatCircleKm, self.kind()?, self.row_standardise)
    }
}

/// (lon, lat) of each unit, or an error naming the units without one.
fn unit_points(units: &[Unit], kind: PointKind, what: &str) -> Result<Vec<(f64, f64)>> {
    let mut missing = Vec::new();
    let points = units
        .iter()
        .map(|u| {
            let p = match kind {
                PointKind::Seat => u.seat,
                PointKind::Centroid => u.centroid,
            };
            p.map(|p| (p.lon, p.lat)).unwrap_or_else(|| {
                missing.push(format!("{} ({})", u.id, u.name));
                (f64::NAN, f64::NAN)
            })
        })
        .collect();
    if missing.is_empty() {
        Ok(points)
    } else {
        // The kind in lowercase, the ids and names as written (ids are case-sensitive).
        let kind = format!("{kind:?}").to_lowercase();
        Err(Error::data(
            what,
            format!("units without {kind} coordinates: {}; add them to the unit list", missing.join(", ")),
        ))
    }
}

/// A warning naming the units without a neighbour under `w` (their lag is 0).
fn island_note(w: &SpatialWeights, units: &[Unit]) -> Vec<Diagnostic> {
    let islands = w.islands();
    if islands.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = islands.iter().map(|&i| units[i].id.clone()).collect();
    vec![Diagnostic::warning(
        "islands",
        format!("units without neighbours under these weights (their lag is 0): {}", names.join(", ")),
    )]
}

/// Scores of one period, in unit order.
fn period_scores(r: &RunResult, t: usize) -> &[f64] {
    let n = r.panel.units().len();
    &r.scores.score[t * n..(t + 1) * n]
}

fn spec(kind: &str) -> Option<&'static AnalysisSpec> {
    ANALYSES.iter().find(|a| a.kind == kind)
}

fn unknown_kind(loaded: &LoadedConfig, i: usize, kind: &str) -> Error {
    let known: Vec<&str> = ANALYSES.iter().map(|a| a.kind).collect();
    Error::config(
        &loaded.path,
        format!("analysis[{i}].kind"),
        format!("unknown analysis `{kind}` (known: {})", known.join(", ")),
    )
}

/// Checks every `[[analysis]]` table without running it; returns the problems, and collects
/// unknown keys as warnings (errors under strict).
pub(crate) fn check(loaded: &LoadedConfig, strict: bool, warnings: &mut Vec<String>) -> Vec<Error> {
    let mut problems = Vec::new();
    for (index, analysis) in loaded.config.analyses.iter().enumerate() {
        let Some(spec) = spec(&analysis.kind) else {
            problems.push(unknown_kind(loaded, index, &analysis.kind));
            continue;
        };
        let cx = Context { loaded, analysis, index, strict };
        if let Err(e) = (spec.check)(&cx, warnings) {
            problems.extend(e.into_list());
        }
    }
    problems
}

/// Runs every `[[analysis]]` of the config on a finished run.
pub(crate) fn run_all(loaded: &LoadedConfig, r: &RunResult) -> Result<Vec<AnalysisResult>> {
    loaded
        .config
        .analyses
        .iter()
        .enumerate()
        .map(|(index, analysis)| {
            let spec = spec(&analysis.kind).ok_or_else(|| unknown_kind(loaded, index, &analysis.kind))?;
            let cx = Context { loaded, analysis, index, strict: false };
            let id = analysis.id.clone().unwrap_or_else(|| analysis.kind.clone());
            // What the run meets (kNN's k against the units, a statistic undefined on the data)
            // is named with the analysis it stopped; config and file errors name their place.
            let mut out = (spec.run)(&cx, r).map_err(|e| match e {
                Error::Param { .. } | Error::Data { .. } | Error::Row { .. } => {
                    Error::data(format!("analysis[{index}] ({})", analysis.kind), e.to_string())
                }
                other => other,
            })?;
            for t in &mut out.tables {
                t.name = if t.name.is_empty() { id.clone() } else { format!("{id}_{}", t.name) };
            }
            out.id = id;
            out.kind = analysis.kind.clone();
            Ok(out)
        })
        .collect()
}
