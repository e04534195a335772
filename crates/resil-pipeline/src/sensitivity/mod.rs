//! `resil sensitivity`: uncertainty and sensitivity analysis of a whole study. The study is
//! prepared once (config checked, sources and plugins read, excluded units dropped); the
//! `[[sensitivity.factor]]`s are sampled on a Saltelli design; every distinct pipeline the design
//! asks for is built once, every distinct imputation run once, and then each evaluation runs
//! treat -> normalise -> weigh (weights drawn, indicators left out) -> score -> rank -> classify
//! in memory, in parallel, in design order, so results depend on the seed only. Out come the rank
//! and grade distributions of every unit (`tables::uncertainty`), the Sobol indices of the chosen
//! output with bootstrap intervals at N/4, N/2 and N (`tables::sobol`), and the rank shifts when
//! each indicator and sub-system is left out (`tables::leave_one_out`).

mod factors;
mod tables;

use std::collections::BTreeMap;

use rayon::prelude::*;
use resil_config::{LoadedConfig, PipelineConfig, SensitivityConfig};
use resil_core::{Error, Panel, Result};
use resil_sensitivity::{Bootstrap, Design};

use crate::analysis::AnalysisTable;
use crate::run::{prepare, run_prepared, Log, Methods, RunResult};
use crate::sources::RunOptions;
use crate::stages::{
    classify, drop_excluded, impute, normalise, rank_within_periods, score, treat, weigh, Normalized, RowLabels,
    Weighting,
};

pub use factors::{Factor, FactorKind, Setting, FACTOR_KINDS};

/// Settings of the command line that take the place of the config's.
#[derive(Debug, Clone, Default)]
pub struct SensitivityOptions {
    pub draws: Option<usize>,
    pub seed: Option<u64>,
    /// Also tabulate every evaluation (`sensitivity_evaluations`): its matrix in the design,
    /// each factor's setting, the weights factors' coordinates and the outputs.
    pub save_evaluations: bool,
}

/// Where the time went (seconds), for stderr only: never in a compared file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Config, sources, plugins, the nominal run, the design and every distinct pipeline.
    pub prepare: f64,
    /// The evaluations.
    pub evaluate: f64,
    /// The tables: distributions, Sobol indices with their bootstrap, leave-one-out.
    pub summarise: f64,
}

/// The analysis, in memory: the config's own run, the settings used, and the tables.
pub struct SensitivityResult {
    /// The study under its own pipeline (the nominal ranks and grades).
    pub run: RunResult,
    pub settings: SensitivityConfig,
    pub factors: Vec<Factor>,
    /// The number of whole-pipeline evaluations.
    pub evaluations: usize,
    /// `sensitivity_ranks`, `sensitivity_sobol`, `sensitivity_leave_one_out`.
    pub tables: Vec<AnalysisTable>,
    /// Settings, factors and headline figures, for sensitivity.json and the report.
    pub json: serde_json::Value,
    pub markdown: String,
    pub timings: Timings,
}

/// What one evaluation gives: the rank and grade of every row of the active panel.
pub(crate) struct Evaluation {
    pub(crate) ranks: Vec<f64>,
    pub(crate) grades: Vec<usize>,
}

/// Runs the analysis `[sensitivity]` of `loaded` declares; `progress` is told of each finished
/// evaluation (from any thread).
pub fn sensitivity(
    loaded: LoadedConfig,
    options: &RunOptions,
    cli: &SensitivityOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<SensitivityResult> {
    let started = std::time::Instant::now();
    let settings = settings(&loaded, cli)?;
    let prepared = prepare(loaded, options)?;
    let loaded_panel = prepared.load_panel()?;
    let nominal_input = loaded_panel.clone();
    let (panel, _) = drop_excluded(loaded_panel.panel, &mut Log(Vec::new()))?;
    top_k_below_units(&prepared.loaded.path, settings.top_k, panel.units().len())?;
    let run = run_prepared(&prepared, nominal_input)?;
    let factors = factors::check_factors(&prepared.loaded, panel.system())?;
    let study = Study::new(&prepared.loaded, panel, &prepared.methods, options.strict)?;

    let dims: Vec<usize> = factors.iter().map(Factor::dims).collect();
    held_within_bounds(&prepared.loaded.path, settings.draws, &dims, run.ranks.len())?;
    let design = Design::new(settings.draws, &dims, Some(settings.seed))
        .map_err(|e| Error::config(&prepared.loaded.path, "sensitivity.factor", e.to_string()))?;
    let plan = Plan::new(&design, &factors, &study)?;
    let prepared_at = started.elapsed().as_secs_f64();
    let evaluations: Vec<Evaluation> = (0..design.evaluations())
        .into_par_iter()
        .map(|e| {
            let out = plan.evaluate(e, &design, &factors, &study);
            progress();
            out
        })
        .collect::<Result<_>>()?;
    let evaluated_at = started.elapsed().as_secs_f64();

    let nominal = Evaluation { ranks: run.ranks.clone(), grades: run.grades.clone() };
    let k = run.breaks.first().map_or(0, |b| b.breaks.k());
    let mut tables = vec![tables::uncertainty(&run, &nominal, &evaluations, &settings, k)];
    let file = &prepared.loaded.path;
    let boot = |n: usize| {
        Bootstrap::new(n, settings.bootstrap, settings.confidence, settings.seed.wrapping_add(n as u64))
            .map_err(|e| Error::config(file, "sensitivity", e.to_string()))
    };
    let boots = [design.n() / 4, design.n() / 2, design.n()].map(boot);
    let boots: Vec<Bootstrap> = boots.into_iter().collect::<Result<_>>()?;
    let sobol = tables::sobol(&run, &nominal, &evaluations, &factors, &settings, &boots);
    let loo = if settings.leave_one_out { Some(tables::leave_one_out(&study, &run, &nominal)?) } else { None };
    tables.push(sobol.table);
    tables.extend(loo);
    if cli.save_evaluations {
        tables.push(tables::evaluations(&design, &factors, &nominal, &evaluations));
    }
    let json = tables::summary_json(&run, &settings, &factors, design.evaluations(), &sobol.headline);
    let markdown = tables::markdown(&run, &settings, &factors, design.evaluations(), &tables);
    let timings = Timings {
        prepare: prepared_at,
        evaluate: evaluated_at - prepared_at,
        summarise: started.elapsed().as_secs_f64() - evaluated_at,
    };
    Ok(SensitivityResult { run, settings, factors, evaluations: design.evaluations(), tables, json, markdown, timings })
}

/// Every problem of the config's `[sensitivity]` (settings and factors), for `resil validate`.
pub(crate) fn check(loaded: &LoadedConfig, system: &resil_core::IndicatorSystem) -> Vec<Error> {
    let mut problems = Vec::new();
    if let Err(e) = settings(loaded, &SensitivityOptions::default()) {
        problems.extend(e.into_list());
    }
    match factors::check_factors(loaded, system) {
        Ok(factors) => problems.extend(check_combinations(loaded, &factors)),
        Err(e) => problems.extend(e.into_list()),
    }
    problems
}

/// Builds the pipeline of every combination of the method factors' levels and the parameter
/// factors' values (a range's two ends), as the design will meet them; a combination a method
/// refuses (a parameter the chosen scorer does not take) is reported with the levels that make it.
fn check_combinations(loaded: &LoadedConfig, factors: &[Factor]) -> Vec<Error> {
    // A config whose own pipeline fails is reported as `pipeline.*`; each combination would
    // repeat that.
    if !own_pipeline_builds(loaded) {
        return Vec::new();
    }
    let choices: Vec<(usize, Vec<Setting>)> = factors
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match &f.kind {
            FactorKind::Method { levels, .. } => Some((i, (0..levels.len()).map(Setting::Level).collect())),
            FactorKind::Parameter { values: factors::ParameterValues::Range(lo, hi), .. } => {
                Some((i, vec![Setting::Value(*lo), Setting::Value(*hi)]))
            }
            FactorKind::Parameter { values: factors::ParameterValues::Set(v, _), .. } => {
                Some((i, (0..v.len()).map(Setting::Level).collect()))
            }
            _ => None,
        })
        .collect();
    let total: usize = choices.iter().map(|(_, c)| c.len()).product();
    let Ok(toml::Value::Table(base)) = toml::Value::try_from(&loaded.config.pipeline) else { return Vec::new() };
    let mut problems = Vec::new();
    // Beyond a few thousand combinations the design's own build reports the first failure.
    for n in 0..total.min(4096) {
        let (mut rest, mut table, mut names) = (n, base.clone(), Vec::new());
        for (i, options) in &choices {
            let setting = &options[rest % options.len()];
            rest /= options.len();
            factors[*i].apply_to_pipeline(setting, &mut table);
            names.push(format!("{} = {}", factors[*i].name, factors[*i].describe(setting)));
        }
        let built = toml::Value::Table(table)
            .try_into::<PipelineConfig>()
            .map_err(|e| Error::config(&loaded.path, "sensitivity", e.to_string()))
            .and_then(|p| Methods::build(&loaded.path, &p, false));
        if let Err(e) = built {
            problems.push(Error::data(format!("sensitivity: the pipeline with {}", names.join(", ")), e.to_string()));
            break;
        }
    }
    problems
}

/// The most base draws of the design: 2^20 Sobol points (SALib's examples use 2^10 to 2^14);
/// far beyond it a count is a typo (2^40 aborted the run, its design could not be held).
pub const MOST_DRAWS: usize = 1 << 20;

/// The fewest base draws: below 8 the Sobol indices' estimators have nothing to vary.
pub const FEWEST_DRAWS: usize = 8;

/// The most bootstrap resamples of the Sobol indices' confidence intervals (SALib's default is
/// 100); each holds a row number for every draw.
const MOST_BOOTSTRAP: usize = 10_000;

/// The most bytes an analysis may hold for its evaluations and resamples, 16 GiB: refused
/// before the work starts rather than found out by the allocator's abort, whatever the machine.
const MOST_BYTES_HELD: usize = 16 << 30;

/// The bytes of the bootstrap's resamples: for base samples of n/4, n/2 and n draws, a u32
/// row number each.
fn resample_bytes(draws: usize, bootstrap: usize) -> usize {
    bootstrap.saturating_mul((draws / 4).saturating_add(draws / 2).saturating_add(draws)).saturating_mul(4)
}

/// Refuses a design whose evaluations (each a rank, f64, and a grade, usize, of every row) and
/// two matrices of coordinates (f64) would hold more than [`MOST_BYTES_HELD`].
fn held_within_bounds(file: &std::path::Path, draws: usize, dims: &[usize], rows: usize) -> Result<()> {
    let evaluations = draws.saturating_mul(dims.len() + 2);
    let coordinates: usize = dims.iter().sum();
    let held = evaluations
        .saturating_mul(rows)
        .saturating_mul(16)
        .saturating_add(draws.saturating_mul(coordinates).saturating_mul(16));
    if held <= MOST_BYTES_HELD {
        return Ok(());
    }
    Err(Error::config(
        file,
        "sensitivity.draws",
        format!(
            "{draws} draws make {evaluations} evaluations of {rows} ranked rows, {} held, above the {} allowed; lower draws",
            gib(held),
            gib(MOST_BYTES_HELD)
        ),
    ))
}

fn gib(bytes: usize) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// The config's `[sensitivity]` with the command line's draws and seed, checked.
fn settings(loaded: &LoadedConfig, cli: &SensitivityOptions) -> Result<SensitivityConfig> {
    let file = &loaded.path;
    let Some(mut s) = loaded.config.sensitivity.clone() else {
        return Err(Error::config(
            file,
            "sensitivity",
            "missing: declare [sensitivity] and its [[sensitivity.factor]]s",
        ));
    };
    let mut problems: Vec<Error> = loaded
        .unknown_keys
        .iter()
        .filter(|k| k.starts_with("sensitivity."))
        .map(|k| Error::config(file, k.clone(), "unknown key of [sensitivity]"))
        .collect();
    s.draws = cli.draws.unwrap_or(s.draws);
    s.seed = cli.seed.unwrap_or(s.seed);
    if !(FEWEST_DRAWS..=MOST_DRAWS).contains(&s.draws) {
        problems.push(Error::config(
            file,
            "sensitivity.draws",
            format!("must be from {FEWEST_DRAWS} to {MOST_DRAWS}, got {}", s.draws),
        ));
    }
    if !["mean-rank-shift", "rank"].contains(&s.output.as_str()) {
        problems.push(Error::config(
            file,
            "sensitivity.output",
            format!("unknown output `{}` (known: mean-rank-shift, rank)", s.output),
        ));
    }
    if s.top_k == 0 {
        problems.push(Error::config(file, "sensitivity.top-k", "must be at least 1"));
    }
    if !(2..=MOST_BOOTSTRAP).contains(&s.bootstrap) {
        problems.push(Error::config(
            file,
            "sensitivity.bootstrap",
            format!("must be from 2 to {MOST_BOOTSTRAP}, got {}", s.bootstrap),
        ));
    } else if s.draws <= MOST_DRAWS && resample_bytes(s.draws, s.bootstrap) > MOST_BYTES_HELD {
        problems.push(Error::config(
            file,
            "sensitivity.bootstrap",
            format!(
                "{} resamples of {} draws would hold {} of row numbers, above the {} allowed; lower bootstrap or draws",
                s.bootstrap,
                s.draws,
                gib(resample_bytes(s.draws, s.bootstrap)),
                gib(MOST_BYTES_HELD)
            ),
        ));
    }
    if !(s.confidence > 0.0 && s.confidence < 1.0) {
        problems.push(Error::config(
            file,
            "sensitivity.confidence",
            format!("must be in (0, 1), got {}", s.confidence),
        ));
    }
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(Error::from_list(problems))
    }
}

/// Whether the config's own pipeline builds. While it fails (reported as `pipeline.*`), the
/// method levels and combinations merged over it are not checked: each would repeat it.
pub(crate) fn own_pipeline_builds(loaded: &LoadedConfig) -> bool {
    Methods::build(&loaded.path, &loaded.config.pipeline, false).is_ok()
}

/// `top-k` must leave a unit out of the top k in a period, or `p_top_k` is 1 for every row
/// and says nothing. The panel is balanced, so every period ranks `units` units.
pub(crate) fn top_k_below_units(file: &std::path::Path, top_k: usize, units: usize) -> Result<()> {
    if top_k < units {
        return Ok(());
    }
    let given = if top_k == SensitivityConfig::default().top_k { " (the default)" } else { "" };
    Err(Error::config(
        file,
        "sensitivity.top-k",
        format!(
            "is {top_k}{given}, but each period ranks only {units} units, so every rank would be in the \
             top {top_k}; set it below {units}"
        ),
    ))
}

/// The study prepared once: the active panel before imputation, its row labels, the config's
/// pipeline as a TOML table (factors' overrides are merged over it), and its own methods.
pub(crate) struct Study<'a> {
    pub(crate) panel: Panel,
    pub(crate) rows: RowLabels,
    pipeline: toml::Table,
    loaded: &'a LoadedConfig,
    pub(crate) methods: &'a Methods,
    strict: bool,
}

impl<'a> Study<'a> {
    fn new(loaded: &'a LoadedConfig, panel: Panel, methods: &'a Methods, strict: bool) -> Result<Study<'a>> {
        let pipeline = match toml::Value::try_from(&loaded.config.pipeline) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(Error::config(&loaded.path, "pipeline", "cannot be re-read for a sensitivity analysis")),
        };
        Ok(Study { rows: RowLabels::of(&panel), panel, pipeline, loaded, methods, strict })
    }

    /// The methods of the config's pipeline with `overrides` merged over it.
    fn methods_with(&self, overrides: toml::Table) -> Result<Methods> {
        let pipeline: PipelineConfig = toml::Value::Table(overrides)
            .try_into()
            .map_err(|e: toml::de::Error| Error::config(&self.loaded.path, "sensitivity", e.to_string()))?;
        Methods::build(&self.loaded.path, &pipeline, self.strict)
    }

    /// The front of the pipeline `m`, up to the fitted weights: imputation, treatment,
    /// normalisation, weighting. Evaluations that share these stages share this.
    fn front(&self, m: &Methods) -> Result<Front> {
        let mut log = Log(Vec::new());
        let (panel, _) = impute(m, self.panel.clone(), &mut log)?;
        let (values, _) = treat(m, &panel, &mut log);
        let normalized = normalise(m, &panel, &self.rows, values, None, &mut log)?;
        let weighting = weigh(m, &panel, &self.rows, &normalized, None, &mut log)?;
        Ok(Front { panel, normalized, weighting })
    }

    /// The rest of one evaluation: the front's weights passed through `adjust`, then the scores,
    /// ranks and grades of pipeline `m`.
    pub(crate) fn finish(
        &self,
        m: &Methods,
        front: &Front,
        adjust: impl Fn(&[f64]) -> Result<Vec<f64>>,
    ) -> Result<Evaluation> {
        let mut log = Log(Vec::new());
        let mut weighting = front.weighting.clone();
        for g in &mut weighting.groups {
            g.weights = resil_core::Weights::normalized(adjust(&g.weights.0)?)?;
        }
        let panel = &front.panel;
        let scored = score(m, panel, &self.rows, &front.normalized, &weighting, None, &mut log)?;
        let ranks = rank_within_periods(m, panel, &scored.table.score, scored.table.direction);
        let grades = classify(m, panel, &scored.table, &mut log)?.grades;
        Ok(Evaluation { ranks, grades })
    }
}

/// What the stages before scoring produced: the imputed panel, its normalised values and the
/// fitted weights.
pub(crate) struct Front {
    panel: Panel,
    normalized: Normalized,
    weighting: Weighting,
}

/// Zeroes the weights at `excluded` and renormalises; an error when none is left.
pub(crate) fn without(weights: &[f64], excluded: &[usize]) -> Result<Vec<f64>> {
    let mut w = weights.to_vec();
    for &j in excluded {
        w[j] = 0.0;
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err(Error::data("sensitivity", "every weight left is 0 once the indicators are left out"));
    }
    Ok(w)
}

/// Every distinct pipeline the design asks for, built before any evaluation, and every distinct
/// front (the stages up to the weights) computed once.
struct Plan {
    /// Per evaluation: its pipeline.
    pipeline_of: Vec<usize>,
    /// Per pipeline: the methods and its front.
    pipelines: Vec<(Methods, usize)>,
    fronts: Vec<Front>,
}

impl Plan {
    fn new(design: &Design, factors: &[Factor], study: &Study) -> Result<Plan> {
        let mut keys: BTreeMap<Vec<u64>, usize> = BTreeMap::new();
        let mut first_of: Vec<usize> = Vec::new();
        let mut pipeline_of = Vec::with_capacity(design.evaluations());
        for e in 0..design.evaluations() {
            let key: Vec<u64> = factors
                .iter()
                .enumerate()
                .filter(|(_, f)| matches!(f.kind, FactorKind::Method { .. } | FactorKind::Parameter { .. }))
                .map(|(i, _)| match setting(design, factors, e, i) {
                    Setting::Level(l) => l as u64,
                    Setting::Value(v) => v.to_bits(),
                    Setting::Weights(_) => 0,
                })
                .collect();
            let next = keys.len();
            let id = *keys.entry(key).or_insert(next);
            if id == first_of.len() {
                first_of.push(e);
            }
            pipeline_of.push(id);
        }
        let built: Vec<(Methods, String)> = first_of
            .par_iter()
            .map(|&e| {
                let mut table = study.pipeline.clone();
                for (i, f) in factors.iter().enumerate() {
                    f.apply_to_pipeline(&setting(design, factors, e, i), &mut table);
                }
                // The stages before scoring, as written: pipelines that agree on them share a front.
                let front_key = ["impute", "treat", "normalize", "weight"]
                    .map(|k| table.get(k).map_or(String::new(), |v| v.to_string()))
                    .join("\n");
                let methods = study.methods_with(table).map_err(|err| {
                    Error::data(
                        format!("sensitivity: the pipeline with {}", describe(design, factors, e)),
                        err.to_string(),
                    )
                })?;
                Ok((methods, front_key))
            })
            .collect::<Result<_>>()?;
        let mut front_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut front_first: Vec<usize> = Vec::new();
        let pipelines_front: Vec<usize> = built
            .iter()
            .enumerate()
            .map(|(p, (_, key))| {
                let next = front_of.len();
                let id = *front_of.entry(key.clone()).or_insert(next);
                if id == front_first.len() {
                    front_first.push(p);
                }
                id
            })
            .collect();
        let fronts: Vec<Front> = front_first.par_iter().map(|&p| study.front(&built[p].0)).collect::<Result<_>>()?;
        let pipelines = built.into_iter().map(|(m, _)| m).zip(pipelines_front).collect();
        Ok(Plan { pipeline_of, pipelines, fronts })
    }

    fn evaluate(&self, e: usize, design: &Design, factors: &[Factor], study: &Study) -> Result<Evaluation> {
        let (methods, front) = &self.pipelines[self.pipeline_of[e]];
        let settings: Vec<Setting> = (0..factors.len()).map(|i| setting(design, factors, e, i)).collect();
        let excluded: Vec<usize> =
            factors.iter().zip(&settings).flat_map(|(f, s)| f.excluded(s).iter().copied()).collect();
        let adjust = |w: &[f64]| {
            let mut w = w.to_vec();
            for (f, s) in factors.iter().zip(&settings) {
                if let Some(drawn) = f.draw_weights(s, &w) {
                    w = drawn;
                }
            }
            without(&w, &excluded)
        };
        study.finish(methods, &self.fronts[*front], adjust).map_err(|err| {
            Error::data(format!("sensitivity: evaluation {e} ({})", describe(design, factors, e)), err.to_string())
        })
    }
}

pub(crate) fn setting<'d>(design: &'d Design, factors: &[Factor], e: usize, i: usize) -> Setting<'d> {
    let (side, j) = design.side(e, i);
    factors[i].setting(design.coordinates(side, j, i))
}

/// `name = level` of every factor at evaluation `e`, for messages.
fn describe(design: &Design, factors: &[Factor], e: usize) -> String {
    factors
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} = {}", f.name, f.describe(&setting(design, factors, e, i))))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_too_large_to_hold_is_refused_before_it_is_built() {
        let file = std::path::Path::new("study.toml");
        // The flagship at its default: 512 draws, 4 factors of 30 coordinates, 123 rows.
        assert!(held_within_bounds(file, 512, &[29, 1, 1, 1], 123).is_ok());
        // 2^20 draws of 43 factors over 24 rows: 47 M evaluations, 16.9 GiB of ranks and grades
        // and 0.7 GiB of coordinates.
        let err = held_within_bounds(file, 1 << 20, &[1; 43], 24).unwrap_err().to_string();
        assert!(err.contains("`sensitivity.draws`: 1048576 draws make 47185920 evaluations of 24 ranked rows, 17.5 GiB held, above the 16.0 GiB allowed; lower draws"), "{err}");
        // Just under the bound; and no overflow however large the counts.
        assert!(held_within_bounds(file, 1 << 20, &[1; 38], 24).is_ok());
        assert!(held_within_bounds(file, usize::MAX, &[usize::MAX], usize::MAX).is_err());
    }

    #[test]
    fn resamples_are_counted_for_the_three_base_sizes() {
        // n/4 + n/2 + n row numbers of 4 bytes per resample.
        assert_eq!(resample_bytes(512, 200), 200 * (128 + 256 + 512) * 4);
        assert_eq!(resample_bytes(usize::MAX, usize::MAX), usize::MAX);
    }
}
