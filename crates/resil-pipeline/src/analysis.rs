//! The `[[analysis]]` tables of a config, run on a finished run: regional growth between periods,
//! global Moran's I and LISA per period, trend surfaces of sample zones, grade transitions
//! (Markov and spatial Markov) and obstacle degrees. Each gives CSV tables and one JSON value.

use std::collections::BTreeMap;

use resil_config::{AnalysisConfig, LoadedConfig};
use resil_core::{Diagnostic, Error, IndicatorSystem, Normalizer, Result, Unit, UnitIndex};
use resil_trend::spatial::{self, Metric, SpatialWeights, WeightsKind};
use resil_trend::{albers::Albers, obstacles, transitions, trend};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::run::RunResult;

/// Every analysis kind this build knows.
pub const ANALYSES: [&str; 6] = ["regions", "moran", "lisa", "trend", "transitions", "obstacles"];

/// A table of an analysis, written as `<name>.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisTable {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
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

fn num(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

fn table(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> AnalysisTable {
    AnalysisTable { name: name.into(), header: header.iter().map(|s| s.to_string()).collect(), rows }
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

impl WeightsParams {
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
        Err(Error::data(
            what,
            format!("units without {kind:?} coordinates: {}; add them to the unit list", missing.join(", "))
                .to_lowercase(),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RegionsParams {
    /// Pairs of periods to give growth between; default: first to last.
    pairs: Vec<[i32; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct MoranParams {
    #[serde(flatten)]
    weights: WeightsParams,
    permutations: usize,
    seed: u64,
    /// LISA: the false-discovery rate for `significant`.
    alpha: f64,
}

impl Default for MoranParams {
    fn default() -> Self {
        MoranParams { weights: WeightsParams::default(), permutations: 999, seed: 1, alpha: 0.05 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct TrendParams {
    point: PointKind,
    order: usize,
    rotation: f64,
    direction_search: bool,
    curve_points: usize,
    /// Zone name -> unit ids, names or aliases.
    zones: BTreeMap<String, Vec<String>>,
}

impl Default for TrendParams {
    fn default() -> Self {
        TrendParams {
            point: PointKind::Centroid,
            order: 2,
            rotation: 0.0,
            direction_search: true,
            curve_points: 50,
            zones: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct TransitionsParams {
    min_count: usize,
    spatial: bool,
    #[serde(flatten)]
    weights: WeightsParams,
}

impl Default for TransitionsParams {
    fn default() -> Self {
        TransitionsParams { min_count: 5, spatial: true, weights: WeightsParams::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct ObstaclesParams {
    top: usize,
}

impl Default for ObstaclesParams {
    fn default() -> Self {
        ObstaclesParams { top: 3 }
    }
}

/// Parses an analysis's parameters; unknown keys are warnings, or errors under strict.
fn params<P: DeserializeOwned>(
    loaded: &LoadedConfig,
    a: &AnalysisConfig,
    i: usize,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<P> {
    let key = format!("analysis[{i}]");
    let mut unknown = Vec::new();
    let p =
        serde_ignored::deserialize(toml::Value::Table(a.params.clone()), |path| unknown.push(format!("{key}.{path}")))
            .map_err(|e| Error::config(&loaded.path, &key, format!("analysis `{}`: {e}", a.kind)))?;
    if strict && !unknown.is_empty() {
        return Err(Error::from_list(
            unknown.into_iter().map(|k| Error::config(&loaded.path, k, "unknown key")).collect(),
        ));
    }
    warnings.extend(unknown);
    Ok(p)
}

/// The values of an analysis's parameters checked against their ranges and the study, as
/// (parameter, message); the run would fail or mislead on any of them.
trait CheckValues {
    fn problems(&self, periods: &[i32]) -> Vec<(&'static str, String)>;
}

impl CheckValues for RegionsParams {
    fn problems(&self, periods: &[i32]) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for [from, to] in &self.pairs {
            for p in [from, to] {
                if !periods.contains(p) {
                    out.push(("pairs", format!("{p} is not a period of the study ({periods:?})")));
                }
            }
            if from >= to {
                out.push(("pairs", format!("[{from}, {to}]: the first period must come before the second")));
            }
        }
        out
    }
}

impl CheckValues for MoranParams {
    fn problems(&self, _: &[i32]) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            out.push(("alpha", format!("must be in (0, 1), got {}", self.alpha)));
        }
        out
    }
}

impl CheckValues for TrendParams {
    fn problems(&self, _: &[i32]) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !(1..=3).contains(&self.order) {
            out.push(("order", format!("must be 1, 2 or 3 (a polynomial trend of that order), got {}", self.order)));
        }
        if self.curve_points < 2 {
            out.push(("curve-points", format!("must be at least 2, got {}", self.curve_points)));
        }
        if !self.rotation.is_finite() {
            out.push(("rotation", "must be a finite angle in degrees".to_string()));
        }
        out
    }
}

impl CheckValues for TransitionsParams {
    fn problems(&self, _: &[i32]) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

impl CheckValues for ObstaclesParams {
    fn problems(&self, _: &[i32]) -> Vec<(&'static str, String)> {
        if self.top == 0 {
            vec![("top", "must be at least 1".to_string())]
        } else {
            Vec::new()
        }
    }
}

/// Parses an analysis's parameters and checks their values; every problem at its key path.
fn checked<P: DeserializeOwned + CheckValues>(
    loaded: &LoadedConfig,
    a: &AnalysisConfig,
    i: usize,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<P> {
    let p: P = params(loaded, a, i, strict, warnings)?;
    let problems: Vec<Error> = p
        .problems(&loaded.config.study.periods)
        .into_iter()
        .map(|(param, message)| Error::config(&loaded.path, format!("analysis[{i}].{param}"), message))
        .collect();
    if problems.is_empty() {
        Ok(p)
    } else {
        Err(Error::from_list(problems))
    }
}

/// Checks every `[[analysis]]` table without running it; returns the problems.
pub(crate) fn check(loaded: &LoadedConfig, strict: bool, warnings: &mut Vec<String>) -> Vec<Error> {
    let mut problems = Vec::new();
    for (i, a) in loaded.config.analyses.iter().enumerate() {
        let r = match a.kind.as_str() {
            "regions" => checked::<RegionsParams>(loaded, a, i, strict, warnings).map(|_| ()),
            "moran" | "lisa" => {
                checked::<MoranParams>(loaded, a, i, strict, warnings).and_then(|p| p.weights.kind().map(|_| ()))
            }
            "trend" => checked::<TrendParams>(loaded, a, i, strict, warnings).map(|_| ()),
            "transitions" => {
                checked::<TransitionsParams>(loaded, a, i, strict, warnings).and_then(|p| p.weights.kind().map(|_| ()))
            }
            "obstacles" => checked::<ObstaclesParams>(loaded, a, i, strict, warnings).map(|_| ()),
            other => Err(Error::config(
                &loaded.path,
                format!("analysis[{i}].kind"),
                format!("unknown analysis `{other}` (known: {})", ANALYSES.join(", ")),
            )),
        };
        if let Err(e) = r {
            problems.extend(e.into_list());
        }
    }
    problems
}

/// Runs every `[[analysis]]` of the config on a finished run.
pub(crate) fn run_all(loaded: &LoadedConfig, r: &RunResult) -> Result<Vec<AnalysisResult>> {
    let mut ignored = Vec::new();
    loaded
        .config
        .analyses
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let id = a.id.clone().unwrap_or_else(|| a.kind.clone());
            let mut out = match a.kind.as_str() {
                "regions" => regions(r, params(loaded, a, i, false, &mut ignored)?)?,
                "moran" => moran(r, params(loaded, a, i, false, &mut ignored)?)?,
                "lisa" => lisa(r, params(loaded, a, i, false, &mut ignored)?)?,
                "trend" => trend_zones(r, params(loaded, a, i, false, &mut ignored)?)?,
                "transitions" => grade_transitions(r, params(loaded, a, i, false, &mut ignored)?)?,
                "obstacles" => obstacle_degrees(r, params(loaded, a, i, false, &mut ignored)?)?,
                other => {
                    return Err(Error::config(
                        &loaded.path,
                        format!("analysis[{i}].kind"),
                        format!("unknown analysis `{other}`"),
                    ))
                }
            };
            for t in &mut out.tables {
                t.name = if t.name.is_empty() { id.clone() } else { format!("{id}_{}", t.name) };
            }
            out.id = id;
            out.kind = a.kind.clone();
            Ok(out)
        })
        .collect()
}

fn result(tables: Vec<AnalysisTable>, json: Value, notes: Vec<Diagnostic>) -> Result<AnalysisResult> {
    Ok(AnalysisResult { id: String::new(), kind: String::new(), tables, json, notes })
}

/// Scores of one period, in unit order.
fn period_scores(r: &RunResult, t: usize) -> &[f64] {
    let n = r.panel.units().len();
    &r.scores.score[t * n..(t + 1) * n]
}

fn regions(r: &RunResult, p: RegionsParams) -> Result<AnalysisResult> {
    let periods = r.panel.periods();
    let pairs = if p.pairs.is_empty() { vec![[periods[0], periods[periods.len() - 1]]] } else { p.pairs };
    let mut rows = Vec::new();
    for [from, to] in &pairs {
        for pp in [from, to] {
            if !periods.contains(pp) {
                return Err(Error::param("regions", "pairs", format!("{pp} is not a period of the study")));
            }
        }
        for (region, a, b, g) in resil_trend::growth_between(&r.regions, *from, *to) {
            rows.push(vec![region, from.to_string(), to.to_string(), num(a), num(b), num(g)]);
        }
    }
    let json = json!({ "growth": rows.iter().map(|row| json!({ "region": row[0], "from": row[1], "to": row[2], "mean_from": row[3], "mean_to": row[4], "growth_percent": row[5] })).collect::<Vec<_>>() });
    result(
        vec![table("growth", &["region", "from", "to", "mean_from", "mean_to", "growth_percent"], rows)],
        json,
        Vec::new(),
    )
}

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

/// The standardised values (population sd; 0 when constant) and their spatial lag.
fn standardised_with_lag(values: &[f64], w: &SpatialWeights) -> (Vec<f64>, Vec<f64>) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let z: Vec<f64> = values.iter().map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 }).collect();
    let lag = w.lag(&z);
    (z, lag)
}

fn moran(r: &RunResult, p: MoranParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.weights.build(units)?;
    let mut rows = Vec::new();
    let mut out = Vec::new();
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        match spatial::moran(period_scores(r, t), &w, p.permutations, p.seed) {
            Ok(m) => {
                rows.push(vec![
                    period.to_string(),
                    m.n.to_string(),
                    num(m.i),
                    num(m.expected_i),
                    num(m.z_norm),
                    num(m.p_norm),
                    num(m.z_rand),
                    num(m.p_rand),
                    opt(m.p_sim),
                    m.permutations.to_string(),
                    m.seed.to_string(),
                    String::new(),
                ]);
                out.push(json!({ "period": period, "result": m }));
            }
            Err(e) => {
                notes.push(Diagnostic::warning("moran-undefined", format!("moran, period {period}: {e}")));
                rows.push(vec![
                    period.to_string(),
                    units.len().to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    p.permutations.to_string(),
                    p.seed.to_string(),
                    e.to_string(),
                ]);
                out.push(json!({ "period": period, "error": e.to_string() }));
            }
        }
    }
    let header = [
        "period",
        "n",
        "i",
        "expected_i",
        "z_norm",
        "p_norm",
        "z_rand",
        "p_rand",
        "p_sim",
        "permutations",
        "seed",
        "status",
    ];
    // The Moran scatter plot's points: each unit's standardised score and its spatial lag.
    let mut points = Vec::new();
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let (z, lag) = standardised_with_lag(period_scores(r, t), &w);
        for (u, unit) in units.iter().enumerate() {
            points.push(vec![unit.id.clone(), unit.name.clone(), period.to_string(), num(z[u]), num(lag[u])]);
        }
    }
    let tables = vec![table("", &header, rows), table("points", &["unit", "name", "period", "z", "lag_z"], points)];
    result(tables, json!({ "weights": p.weights, "periods": out }), notes)
}

fn lisa(r: &RunResult, p: MoranParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let w = p.weights.build(units)?;
    let mut rows = Vec::new();
    let mut notes = island_note(&w, units);
    for (t, &period) in r.panel.periods().iter().enumerate() {
        let values = period_scores(r, t);
        // The Moran scatter plot's coordinates: the standardised score and its spatial lag.
        let (z, lag) = standardised_with_lag(values, &w);
        match spatial::local_moran(values, &w, p.permutations, p.seed) {
            Ok(local) => {
                for (u, l) in local.iter().enumerate() {
                    rows.push(vec![
                        units[u].id.clone(),
                        units[u].name.clone(),
                        period.to_string(),
                        num(values[u]),
                        num(z[u]),
                        num(lag[u]),
                        num(l.i),
                        format!("{:?}", l.quadrant),
                        num(l.p_sim),
                        num(l.q_fdr),
                        (l.q_fdr <= p.alpha).to_string(),
                    ]);
                }
            }
            Err(e) => notes.push(Diagnostic::warning("lisa-undefined", format!("lisa, period {period}: {e}"))),
        }
    }
    let header =
        ["unit", "name", "period", "score", "z", "lag_z", "local_i", "quadrant", "p_sim", "q_fdr", "significant"];
    let json = json!({ "weights": p.weights, "alpha": p.alpha, "rows": rows.iter().map(|row| header.iter().zip(row).map(|(h, v)| (h.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()).collect::<Vec<_>>() });
    result(vec![table("", &header, rows)], json, notes)
}

fn trend_zones(r: &RunResult, p: TrendParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let index = UnitIndex::new(units)?;
    let projection = Albers::china();
    let mut fits = Vec::new();
    let mut curves = Vec::new();
    let mut points_rows = Vec::new();
    let mut directions = Vec::new();
    let mut notes = Vec::new();
    let mut json_zones = Vec::new();
    for (zone, members) in &p.zones {
        let mut idx = Vec::new();
        for m in members {
            match index.find(m) {
                Some(u) => idx.push(u),
                None => notes.push(Diagnostic::warning(
                    "zone-member",
                    format!("trend zone `{zone}`: `{m}` is not a studied unit (excluded or unknown); left out"),
                )),
            }
        }
        let zone_units: Vec<Unit> = idx.iter().map(|&u| units[u].clone()).collect();
        let pts: Vec<(f64, f64)> = unit_points(&zone_units, p.point, &format!("trend zone `{zone}`"))?
            .iter()
            .map(|&(lon, lat)| projection.project(lon, lat))
            .collect();
        for (t, &period) in r.panel.periods().iter().enumerate() {
            let z: Vec<f64> = idx.iter().map(|&u| period_scores(r, t)[u]).collect();
            for (k, &u) in idx.iter().enumerate() {
                points_rows.push(vec![
                    zone.clone(),
                    period.to_string(),
                    units[u].id.clone(),
                    num(pts[k].0),
                    num(pts[k].1),
                    num(z[k]),
                ]);
            }
            match trend::fit_planes(&pts, &z, p.order, p.rotation) {
                Ok((xz, yz)) => {
                    for (plane, fit, coord) in [("X-Z", &xz, 0usize), ("Y-Z", &yz, 1usize)] {
                        let along: Vec<f64> = pts
                            .iter()
                            .map(|&q| {
                                let r = trend::rotate(q, p.rotation);
                                if coord == 0 {
                                    r.0
                                } else {
                                    r.1
                                }
                            })
                            .collect();
                        let (lo, hi) =
                            along.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
                        let mut row = vec![
                            zone.clone(),
                            period.to_string(),
                            plane.into(),
                            num(p.rotation),
                            fit.order.to_string(),
                            fit.n.to_string(),
                            opt(fit.r2),
                            opt(fit.aicc),
                            num(fit.centre),
                            num(fit.scale),
                        ];
                        row.extend((0..4).map(|k| fit.coef_scaled.get(k).copied().map(num).unwrap_or_default()));
                        row.extend((0..4).map(|k| fit.coef_original.get(k).copied().map(num).unwrap_or_default()));
                        row.push("ok".into());
                        fits.push(row);
                        for (x, zc) in fit.curve(lo, hi, p.curve_points) {
                            curves.push(vec![zone.clone(), period.to_string(), plane.into(), num(x), num(zc)]);
                        }
                        json_zones.push(json!({ "zone": zone, "period": period, "plane": plane, "fit": fit }));
                    }
                    if p.direction_search {
                        if let Ok((angle, r2)) = trend::direction_search(&pts, &z, p.order) {
                            directions.push(vec![zone.clone(), period.to_string(), angle.to_string(), num(r2)]);
                        }
                    }
                }
                Err(e) => {
                    notes.push(Diagnostic::warning(
                        "trend-skipped",
                        format!("trend zone `{zone}`, period {period}: {e}"),
                    ));
                    let mut row = vec![
                        zone.clone(),
                        period.to_string(),
                        String::new(),
                        num(p.rotation),
                        p.order.to_string(),
                        idx.len().to_string(),
                    ];
                    row.extend(std::iter::repeat_n(String::new(), 12));
                    row.push(format!("skipped: {e}"));
                    fits.push(row);
                }
            }
        }
    }
    let header = [
        "zone", "period", "plane", "rotation", "order", "n", "r2", "aicc", "centre_m", "scale_m", "b0", "b1", "b2",
        "b3", "a0", "a1", "a2", "a3", "status",
    ];
    let json = json!({ "projection": "Albers equal-area, WGS84, standard parallels 25N 47N, central meridian 105E, origin latitude 0", "point": p.point, "order": p.order, "rotation": p.rotation, "fits": json_zones });
    result(
        vec![
            table("", &header, fits),
            table("curves", &["zone", "period", "plane", "x_m", "z"], curves),
            table("points", &["zone", "period", "unit", "x_m", "y_m", "z"], points_rows),
            table("direction", &["zone", "period", "best_angle", "r2"], directions),
        ],
        json,
        notes,
    )
}

fn grade_transitions(r: &RunResult, p: TransitionsParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let n = units.len();
    let k = r.breaks[0].breaks.k();
    let periods = r.panel.periods();
    let grades: Vec<Vec<usize>> = (0..periods.len()).map(|t| r.grades[t * n..(t + 1) * n].to_vec()).collect();
    let mut rows = Vec::new();
    let push = |rows: &mut Vec<Vec<String>>, name: &str, m: &transitions::TransitionMatrix| {
        for i in 0..k {
            for j in 0..k {
                rows.push(vec![
                    name.into(),
                    (i + 1).to_string(),
                    (j + 1).to_string(),
                    m.counts[i][j].to_string(),
                    opt(m.probabilities[i][j]),
                    m.sparse_rows.contains(&i).to_string(),
                ]);
            }
        }
    };
    let pooled = transitions::transitions(&grades, k, p.min_count);
    push(&mut rows, "all", &pooled);
    let mut notes = Vec::new();
    let mut json_spatial = Vec::new();
    if p.spatial {
        let w = p.weights.build(units)?;
        notes.extend(island_note(&w, units));
        // The neighbours' lag of the score, classed with the same breaks as the scores.
        let lag_classes: Vec<Vec<usize>> = (0..periods.len())
            .map(|t| {
                let breaks = &r
                    .breaks
                    .iter()
                    .find(|b| b.period.is_none() || b.period == Some(periods[t]))
                    .expect("breaks cover every period")
                    .breaks;
                w.lag(period_scores(r, t)).iter().map(|&l| breaks.class_of(l)).collect()
            })
            .collect();
        for (c, m) in
            transitions::spatial_markov(&grades, &lag_classes, k, p.min_count, &w.islands()).iter().enumerate()
        {
            push(&mut rows, &format!("lag-grade-{}", c + 1), m);
            json_spatial.push(json!({ "lag_grade": c + 1, "matrix": m }));
        }
    }
    let header = ["table", "from_grade", "to_grade", "count", "probability", "sparse_row"];
    result(
        vec![table("", &header, rows)],
        json!({ "min_count": p.min_count, "pooled": pooled, "spatial": json_spatial }),
        notes,
    )
}

fn obstacle_degrees(r: &RunResult, p: ObstaclesParams) -> Result<AnalysisResult> {
    // r: pooled min-max in [0, 1], benefit-aligned, without the floor, whatever the run used.
    let system: &IndicatorSystem = r.panel.system();
    let values = r.panel.values();
    let minmax = resil_normalize::MinMaxParams { floor: 0.0, apply_polarity: true, scale: 1.0 }.check()?;
    let fitted = minmax.fit(values, system, &system.polarities())?.value;
    let unit_scaled = fitted.transform(values)?;
    let subsystems: Vec<&str> = system.indicators().iter().map(|i| i.subsystem.as_str()).collect();
    let systems: Vec<&str> = system.indicators().iter().map(|i| i.system.as_str()).collect();
    let (mut rows, mut top_rows) = (Vec::new(), Vec::new());
    for row in 0..r.panel.n_rows() {
        let unit = r.panel.unit_of_row(row);
        let period = r.panel.period_of_row(row).to_string();
        let o = obstacles::obstacle_row(&unit_scaled.row(row), r.weights[r.row_weight_group[row]].weights.as_slice());
        for (j, ind) in system.indicators().iter().enumerate() {
            rows.push(vec![unit.id.clone(), period.clone(), "indicator".into(), ind.id.clone(), num(o[j])]);
        }
        for (level, groups) in [("subsystem", &subsystems), ("system", &systems)] {
            for (g, v) in obstacles::by_group(&o, groups) {
                rows.push(vec![unit.id.clone(), period.clone(), level.into(), g, num(v)]);
            }
        }
        for (rank, j) in obstacles::largest(&o, p.top).into_iter().enumerate() {
            top_rows.push(vec![
                unit.id.clone(),
                unit.name.clone(),
                period.clone(),
                (rank + 1).to_string(),
                system.get(j).id.clone(),
                system.get(j).name.clone(),
                num(o[j]),
            ]);
        }
    }
    result(
        vec![
            table("", &["unit", "period", "level", "name", "obstacle_degree"], rows),
            table(
                "top",
                &["unit", "name", "period", "rank", "indicator", "indicator_name", "obstacle_degree"],
                top_rows.clone(),
            ),
        ],
        json!({ "top": p.top, "reference": "pooled min-max of the imputed panel, [0, 1], no floor", "top_obstacles": top_rows }),
        Vec::new(),
    )
}
