//! Preparing a study (config -> methods, units, sources), validating it, and running it.

use std::path::{Path, PathBuf};

use resil_config::{LoadedConfig, PipelineConfig, StageConfig};
use resil_core::{
    Breaks, Classifier, Diagnostic, Error, ImputedCell, Imputer, Indicator, IndicatorSystem, Matrix, Normalizer, Panel,
    Polarity, Result, Scope, ScoreTable, Scorer, Severity, Unit, Weighter, Weights,
};
use resil_rank::TiePolicy;
use resil_trend::RegionRow;

use crate::registry::{self, Built, StageKey};
use crate::sources::{inputs, load_panel, ConfiguredSource, Inputs, LoadedPanel, RunOptions, SkippedSource};
use crate::stages::{
    analyse_and_record, classify, drop_excluded, impute, normalise, note_synthetic, rank_within_periods, score,
    score_levels, treat, weigh, RowLabels,
};

/// A stage of the pipeline with its scope.
pub(crate) struct Staged<T: ?Sized> {
    pub(crate) scope: Scope,
    pub(crate) built: Built<T>,
    /// The indicators the step applies to; empty: all.
    pub(crate) indicators: Vec<String>,
}

/// The checked methods of every stage of one pipeline: what the stages run. Built from a config's
/// `[pipeline]` without reading any data, so a sensitivity analysis builds one per draw.
pub(crate) struct Methods {
    pub(crate) imputer: Built<dyn Imputer>,
    pub(crate) treat: Option<(Scope, resil_normalize::TreatParams, Vec<String>)>,
    pub(crate) normalizers: Vec<Staged<dyn Normalizer>>,
    pub(crate) weighter: Staged<dyn Weighter>,
    pub(crate) scorer: Staged<dyn Scorer>,
    pub(crate) ties: TiePolicy,
    pub(crate) classifier: Staged<dyn Classifier>,
    pub(crate) grade_labels: Vec<String>,
    /// The config file, for errors found while running.
    pub(crate) file: PathBuf,
}

/// A study ready to run: the config turned into units, indicators, sources and checked methods.
pub struct Prepared {
    pub loaded: LoadedConfig,
    /// Every unit of the unit list, excluded ones included.
    pub units: Vec<Unit>,
    pub system: IndicatorSystem,
    sources: Vec<ConfiguredSource>,
    pub(crate) methods: Methods,
    pub grade_labels: Vec<String>,
    /// Full key paths of config keys nobody reads.
    pub unknown_keys: Vec<String>,
    /// Paths as written in the config (for the manifest) and resolved (to read).
    pub(crate) inputs: Vec<(String, String, PathBuf)>,
    /// The `[published]` figures, checked against the units and periods.
    pub published: Option<crate::published::PublishedFigures>,
    /// Where the scoring stages are fitted (`--engine`), and those stages; `None`: in memory.
    pub(crate) engine: Option<(std::sync::Arc<dyn crate::FitEngine>, crate::ScoreStages)>,
}

/// A diagnostic with the stage (and scope group) it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoggedNote {
    pub stage: String,
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// Per-indicator statistics of the imputed panel and the correlation of every pair.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorChecks {
    /// (indicator, n, mean, sd, min, max, skewness, kurtosis, skewed flag)
    pub stats: Vec<IndicatorStat>,
    /// (indicator a, indicator b, Pearson r, flagged)
    pub correlations: Vec<(String, String, f64, bool)>,
}

/// One indicator's statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorStat {
    pub id: String,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub skewness: f64,
    pub kurtosis: f64,
    pub skewed: bool,
}

fn indicator_diagnostics(panel: &Panel, cfg: &resil_config::DiagnosticsConfig, log: &mut Log) -> IndicatorChecks {
    let system = panel.system();
    let values = panel.values();
    let mut checks = IndicatorChecks::default();
    for (j, ind) in system.indicators().iter().enumerate() {
        let col = values.column(j);
        let Some(s) = resil_core::stats::column_stats(col) else { continue };
        let (skewness, kurtosis) = (resil_core::stats::skewness(col), resil_core::stats::kurtosis(col));
        let skewed = skewness.abs() > cfg.skewness && kurtosis > cfg.kurtosis;
        checks.stats.push(IndicatorStat {
            id: ind.id.clone(),
            n: s.n,
            mean: s.mean,
            sd: s.sd_sample,
            min: s.min,
            max: s.max,
            skewness,
            kurtosis,
            skewed,
        });
    }
    for a in 0..system.len() {
        for b in a + 1..system.len() {
            let r = resil_core::stats::pearson(values.column(a), values.column(b));
            let flagged = r.abs() >= cfg.correlation_threshold;
            checks.correlations.push((system.get(a).id.clone(), system.get(b).id.clone(), r, flagged));
        }
    }
    let skewed: Vec<&str> = checks.stats.iter().filter(|s| s.skewed).map(|s| s.id.as_str()).collect();
    if !skewed.is_empty() {
        let msg = format!(
            "skewed indicators (|skewness| > {} and kurtosis > {}): {}; entropy weights follow skew (indicators.csv)",
            cfg.skewness,
            cfg.kurtosis,
            skewed.join(", ")
        );
        log.extend("diagnostics", vec![Diagnostic::info("skewed", msg)]);
    }
    let pairs: Vec<String> =
        checks.correlations.iter().filter(|c| c.3).map(|c| format!("{}~{} ({:.2})", c.0, c.1, c.2)).collect();
    if !pairs.is_empty() {
        let msg = format!(
            "indicator pairs with |r| >= {}: {} (correlations.csv)",
            cfg.correlation_threshold,
            pairs.join(", ")
        );
        log.extend("diagnostics", vec![Diagnostic::warning("correlated", msg)]);
    }
    checks
}

/// A cell changed by the treatment stage, as listed in treated.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatedCell {
    pub unit: String,
    pub period: i32,
    pub indicator: String,
    pub original: f64,
    pub treated: f64,
    /// `winsorised` or `log`.
    pub how: String,
}

/// Scores of one sub-system or system: the run's scorer on its columns alone.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelScores {
    /// `subsystem` or `system`.
    pub level: String,
    pub name: String,
    pub score: Vec<f64>,
    /// Within each period, 1 = best.
    pub ranks: Vec<f64>,
}

/// The weights fitted on one scope group.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightGroup {
    pub label: String,
    pub weights: Weights,
}

/// The breaks fitted on one scope group.
#[derive(Debug, Clone, PartialEq)]
pub struct BreaksGroup {
    pub label: String,
    pub period: Option<i32>,
    pub breaks: Breaks,
}

/// A cell a normalisation step capped to its goalpost, as listed in capped.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct CappedCell {
    pub unit: String,
    pub period: i32,
    pub indicator: String,
    /// The value before, and the goalpost it counts as (both in the indicator's own units).
    pub value: f64,
    pub bound: f64,
    /// The normalisation step (`normalize[step]`).
    pub step: usize,
}

/// Per-column state a normalisation step learned on one scope group.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedState {
    /// The step's position in the chain (`normalize[step]`).
    pub step: usize,
    /// The scope group (`pooled` or a period).
    pub scope: String,
    /// The rows of that group.
    pub rows: std::ops::Range<usize>,
    /// Named per-column vectors (`mean`, `sd`, `min`, `max`, `divisor`).
    pub columns: resil_core::NamedColumns,
}

/// Everything a run produced, in memory, before anything is written.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub study_name: String,
    /// The active panel after imputation; rows are period-major.
    pub panel: Panel,
    pub excluded: Vec<Unit>,
    pub imputed: Vec<ImputedCell>,
    /// The panel's values after the normalisation chain, and their column orientation.
    pub normalized: Matrix,
    pub orientation: Vec<Polarity>,
    pub weights: Vec<WeightGroup>,
    /// For each row, the index into `weights` used to score it.
    pub row_weight_group: Vec<usize>,
    pub scores: ScoreTable,
    /// What each normalisation step learned on each scope group (z-score means and sds, min-max
    /// mins and maxs), in step order.
    pub normalizer_learned: Vec<LearnedState>,
    /// Cells capped to a goalpost by a normalisation step.
    pub capped: Vec<CappedCell>,
    /// Per scorer group: its label and the per-column references it learned (TOPSIS ideals).
    pub scorer_references: Vec<(String, resil_core::NamedColumns)>,
    /// Per scorer group: the member weights of each aggregate, for a level-by-level scorer.
    pub scorer_group_weights: Vec<(String, resil_core::GroupWeights)>,
    pub row_scorer_group: Vec<usize>,
    /// Scores of each sub-system and system, per row.
    pub levels: Vec<LevelScores>,
    /// Indicator statistics and pairwise correlations of the imputed panel.
    pub indicator_checks: IndicatorChecks,
    /// Cells changed by the treatment stage.
    pub treated: Vec<TreatedCell>,
    /// Rank of each row within its period, 1 = best.
    pub ranks: Vec<f64>,
    pub breaks: Vec<BreaksGroup>,
    /// Grade (1-based class) of each row, and the names of the grades.
    pub grades: Vec<usize>,
    pub grade_labels: Vec<String>,
    pub regions: Vec<RegionRow>,
    /// Optional sources that failed and were skipped.
    pub skipped_sources: Vec<SkippedSource>,
    /// The results of the config's `[[analysis]]` tables, in config order.
    pub analyses: Vec<crate::analysis::AnalysisResult>,
    /// The `[published]` figures beside this run's values of the same statistics.
    pub published: Option<crate::published::PublishedComparison>,
    /// Every file the run read (configs, data, figures, plugin inputs), resolved: the output
    /// folder may hold none of them.
    pub input_files: Vec<PathBuf>,
    pub notes: Vec<LoggedNote>,
    pub manifest: serde_json::Value,
    /// `[output] formats`: `csv`, and `xlsx` for a workbook of every table.
    pub output_formats: Vec<String>,
}

impl RunResult {
    /// Indicators whose values are synthetic: every output must say so.
    pub fn synthetic_indicators(&self) -> Vec<&Indicator> {
        self.panel.system().synthetic()
    }

    pub fn warnings(&self) -> impl Iterator<Item = &LoggedNote> {
        self.notes.iter().filter(|n| n.diagnostic.severity == Severity::Warning)
    }
}

fn staged<T: ?Sized>(built: Result<Built<T>>, stage: &StageConfig, problems: &mut Vec<Error>) -> Option<Staged<T>> {
    match built {
        Ok(built) => Some(Staged { scope: stage.scope, built, indicators: stage.indicators.clone() }),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    }
}

/// The methods of every stage as far as they could be checked (None: see the problems).
struct CheckedMethods {
    imputer: Option<Built<dyn Imputer>>,
    treat: Option<(Scope, resil_normalize::TreatParams, Vec<String>)>,
    normalizers: Vec<Option<Staged<dyn Normalizer>>>,
    weighter: Option<Staged<dyn Weighter>>,
    scorer: Option<(Staged<dyn Scorer>, TiePolicy)>,
    classifier: Option<Staged<dyn Classifier>>,
}

impl CheckedMethods {
    fn complete(self, pipeline: &PipelineConfig, file: &Path) -> Option<Methods> {
        let normalizers = self.normalizers.into_iter().collect::<Option<Vec<_>>>()?;
        let (scorer, ties) = self.scorer?;
        Some(Methods {
            imputer: self.imputer?,
            treat: self.treat,
            normalizers,
            weighter: self.weighter?,
            scorer,
            ties,
            classifier: self.classifier?,
            grade_labels: pipeline.classify.labels.clone(),
            file: file.to_path_buf(),
        })
    }
}

/// Checks every stage of `pipeline` (read from `file`) against the method tables.
fn stage_methods(
    file: &Path,
    p: &PipelineConfig,
    strict: bool,
    warnings: &mut Vec<String>,
    problems: &mut Vec<Error>,
) -> CheckedMethods {
    let key = |k: &str| StageKey { file, key: k.to_string(), strict };
    let imputer = registry::imputer(&key("pipeline.impute"), &p.impute, warnings)
        .map_err(|e| problems.extend(e.into_list()))
        .ok();
    let normalizers = p
        .normalize
        .iter()
        .enumerate()
        .map(|(i, s)| staged(registry::normalizer(&key(&format!("pipeline.normalize[{i}]")), s, warnings), s, problems))
        .collect();
    let weighter = staged(registry::weighter(&key("pipeline.weight"), &p.weight, warnings), &p.weight, problems);
    let scorer = match registry::scorer(&key("pipeline.rank"), &p.rank, warnings) {
        Ok((built, ties)) => Some((Staged { scope: p.rank.scope, built, indicators: Vec::new() }, ties)),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    };
    let classifier = staged(
        registry::classifier(&key("pipeline.classify"), &p.classify.stage, warnings),
        &p.classify.stage,
        problems,
    );
    if p.weight.scope == Scope::PerPeriod && p.rank.scope == Scope::Pooled {
        problems.push(Error::config(
            file,
            "pipeline.weight.scope",
            "per-period weights need per-period ideals: set pipeline.rank.scope = \"per-period\" too",
        ));
    }
    let treat = p.treat.as_ref().and_then(|t| match registry::treatment(&key("pipeline.treat"), t, warnings) {
        Ok(params) => params.map(|params| (t.scope, params, t.indicators.clone())),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    });
    CheckedMethods { imputer, treat, normalizers, weighter, scorer, classifier }
}

impl Methods {
    /// The methods of `pipeline` (a variant of the config at `file`), or every problem found.
    pub(crate) fn build(file: &Path, pipeline: &PipelineConfig, strict: bool) -> Result<Methods> {
        let (mut warnings, mut problems) = (Vec::new(), Vec::new());
        let checked = stage_methods(file, pipeline, strict, &mut warnings, &mut problems);
        match checked.complete(pipeline, file) {
            Some(m) if problems.is_empty() => Ok(m),
            _ => Err(Error::from_list(problems)),
        }
    }
}

/// Turns a loaded config into a runnable study, reporting every problem found.
pub fn prepare(loaded: LoadedConfig, options: &RunOptions) -> Result<Prepared> {
    let mut problems = Vec::new();
    let mut unknown_keys = loaded.unknown_keys.clone();
    let m = stage_methods(&loaded.path, &loaded.config.pipeline, options.strict, &mut unknown_keys, &mut problems);
    problems.extend(crate::analysis::check(&loaded, options.strict, &mut unknown_keys));
    let mut data = inputs(&loaded, options, &mut problems);
    let published = published_figures(&loaded, &mut data, &mut problems);
    let engine = options.engine.as_ref().and_then(|engine| {
        let stages = crate::ScoreStages::of_pipeline(&loaded.config.pipeline);
        if stages.is_none() {
            problems.push(Error::config(
                &loaded.path,
                "pipeline",
                format!(
                    "--engine {}: the engine fits the normalize, weight and rank stages on the whole panel; each must have scope = \"pooled\" and apply to every indicator",
                    engine.name()
                ),
            ));
        }
        Some((engine.clone(), stages?))
    });
    match m.complete(&loaded.config.pipeline, &loaded.path) {
        Some(methods) if problems.is_empty() => Ok(Prepared {
            units: data.units,
            system: data.system,
            sources: data.sources,
            methods,
            grade_labels: loaded.config.pipeline.classify.labels.clone(),
            unknown_keys,
            inputs: data.files,
            published,
            engine,
            loaded,
        }),
        _ => Err(Error::from_list(problems)),
    }
}

/// Reads and checks the `[published]` figures table (adding it to the run's inputs).
fn published_figures(
    loaded: &LoadedConfig,
    data: &mut Inputs,
    problems: &mut Vec<Error>,
) -> Option<crate::published::PublishedFigures> {
    let cfg = loaded.config.published.as_ref()?;
    let (written, resolved) = crate::published::resolved_path(loaded)?;
    data.files.push(("published figures".into(), written, resolved.clone()));
    if data.units.is_empty() {
        return None;
    }
    crate::published::load(cfg, &resolved, &data.units, &loaded.config.study.periods)
        .map_err(|e| problems.extend(e.into_list()))
        .ok()
}

impl Prepared {
    /// Reads every source into a panel of all units (excluded ones included).
    pub(crate) fn load_panel(&self) -> Result<LoadedPanel> {
        load_panel(&self.units, &self.system, &self.sources, &self.loaded.config.study.periods)
            .and_then(|panel| crate::derived::denominate(panel, &self.loaded))
    }

    /// The plugins this study loaded, by source: (source id, optional, plugin info).
    pub(crate) fn plugins(&self) -> Vec<(String, bool, resil_plugin_host::PluginInfo)> {
        self.sources
            .iter()
            .filter_map(|s| s.plugin.clone().map(|info| (s.source.id().to_string(), s.optional, info)))
            .collect()
    }
}

/// Checks a config and its data; returns every problem: config and method problems, then data
/// problems, then units that imputation cannot fill, and when there are none, whatever the run
/// itself would meet (it runs in memory, writing nothing) and an output folder holding an
/// input. So `validate` passing means `run` cannot fail on the config.
pub fn validate(loaded: LoadedConfig, options: &RunOptions) -> Vec<Error> {
    if options.stream {
        // The config and the panel file's presence; its rows are checked as the run reads them.
        return match prepare(loaded, options).and_then(|p| p.stream_plan()) {
            Ok(plan) if !plan.path.exists() => {
                vec![Error::data(plan.path.display().to_string(), "no such file or folder")]
            }
            Ok(_) => Vec::new(),
            Err(e) => e.into_list(),
        };
    }
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let m = stage_methods(&loaded.path, &loaded.config.pipeline, options.strict, &mut warnings, &mut problems);
    problems.extend(crate::analysis::check(&loaded, options.strict, &mut warnings));
    let units_ok = problems.len();
    let mut data = inputs(&loaded, options, &mut problems);
    published_figures(&loaded, &mut data, &mut problems);
    if loaded.config.sensitivity.is_some() {
        problems.extend(crate::sensitivity::check(&loaded, &data.system));
    }
    if problems.len() > units_ok || data.units.is_empty() {
        return problems;
    }
    match load_panel(&data.units, &data.system, &data.sources, &loaded.config.study.periods)
        .and_then(|panel| crate::derived::denominate(panel, &loaded))
    {
        Ok(loaded_panel) => {
            let (active, _) = loaded_panel.panel.without_excluded();
            if let Some(s) = &loaded.config.sensitivity {
                if let Err(e) = crate::sensitivity::top_k_below_units(&loaded.path, s.top_k, active.units().len()) {
                    problems.extend(e.into_list());
                }
            }
            if let Some(imputer) = m.imputer {
                if let Err(e) = crate::data_checks::check_panel(&active) {
                    problems.extend(e.into_list());
                }
                if let Err(e) = imputer.method.impute(&active) {
                    problems.extend(e.into_list());
                }
            }
        }
        Err(e) => problems.extend(e.into_list()),
    }
    if problems.is_empty() {
        let out = loaded.resolve(&loaded.config.output.dir);
        match run(loaded, options) {
            Ok(result) => {
                if let Err(e) = check_output_dir(&out, &result.input_files) {
                    problems.extend(e.into_list());
                }
            }
            Err(e) => problems.extend(e.into_list()),
        }
    }
    problems
}

/// Refuses an output folder that holds any of the run's inputs (config, data, figures), so that
/// no output can overwrite an input: `resil run study.toml --out .` beside a `scores.csv` input.
pub fn check_output_dir(dir: &std::path::Path, inputs: &[PathBuf]) -> Result<()> {
    // A folder that does not exist yet holds nothing.
    let Ok(out) = dir.canonicalize() else {
        return Ok(());
    };
    // Each file once: sources can share a file or a plugin's data folder.
    let mut seen = std::collections::BTreeSet::new();
    let inside: Vec<String> = inputs
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .filter(|p| p.starts_with(&out) && seen.insert(p.clone()))
        .map(|p| p.display().to_string())
        .collect();
    if inside.is_empty() {
        Ok(())
    } else {
        Err(Error::data(
            format!("output folder {}", dir.display()),
            format!(
                "holds inputs of the run ({}); outputs could overwrite them: write elsewhere (--out or [output] dir)",
                inside.join(", ")
            ),
        ))
    }
}

/// Runs the whole study in memory.
pub fn run(loaded: LoadedConfig, options: &RunOptions) -> Result<RunResult> {
    let prepared = prepare(loaded, options)?;
    let loaded_panel = prepared.load_panel()?;
    run_prepared(&prepared, loaded_panel)
}

/// Stages 2-4 fitted on a query engine (`--engine`): the fit passes over the whole panel run
/// there, and the run applies the fitted stages as it applies its own.
fn fit_on_engine(
    engine: &dyn crate::FitEngine,
    stages: &crate::ScoreStages,
    panel: &Panel,
    values: &resil_core::Matrix,
    log: &mut Log,
) -> Result<crate::FittedStages> {
    let name = engine.name();
    let chunked = crate::ChunkedStages::new(panel.system(), stages)?.ok_or_else(|| {
        Error::data(
            format!("--engine {name}"),
            format!("{} (those that do: docs/scale.md)", crate::ChunkedStages::why_not(stages)),
        )
    })?;
    let place = |row: usize| format!("unit `{}`, period {}", panel.unit_of_row(row).id, panel.period_of_row(row));
    let states = engine.fit(panel.system(), stages, values, &place)?;
    let mut fitted = chunked.fitted(&states, Some(&place))?;
    let mut notes = vec![Diagnostic::info(
        "engine",
        format!("{} fitted on {name} over {} rows", stages.describe(), values.nrows()),
    )];
    notes.append(&mut fitted.notes);
    log.extend("engine", notes);
    Ok(fitted)
}

pub(crate) struct Log(pub(crate) Vec<LoggedNote>);

impl Log {
    pub(crate) fn extend(&mut self, stage: &str, notes: Vec<Diagnostic>) {
        self.0.extend(notes.into_iter().map(|diagnostic| LoggedNote { stage: stage.to_string(), diagnostic }));
    }
}

pub(crate) fn stage_label(stage: &str, scope_label: &str) -> String {
    if scope_label == "pooled" {
        stage.to_string()
    } else {
        format!("{stage} ({scope_label})")
    }
}

/// The run as ARCHITECTURE.md draws it: one call per arrow, each stage a function of what the
/// earlier ones produced, every note into the log.
pub(crate) fn run_prepared(p: &Prepared, loaded_panel: LoadedPanel) -> Result<RunResult> {
    let LoadedPanel { panel: full, notes: source_notes, skipped: skipped_sources } = loaded_panel;
    let mut log = Log(source_notes);
    for k in &p.unknown_keys {
        log.extend("config", vec![Diagnostic::warning("unknown-key", format!("unknown config key `{k}` (ignored)"))]);
    }
    let (panel, excluded) = drop_excluded(full, &mut log)?;
    let m = &p.methods;
    let (panel, imputed) = impute(m, panel, &mut log)?;
    let indicator_checks = indicator_diagnostics(&panel, &p.loaded.config.diagnostics, &mut log);
    let rows = RowLabels::of(&panel);
    let (treated_values, treated) = treat(m, &panel, &mut log);
    let prefit = match &p.engine {
        Some((engine, stages)) => Some(fit_on_engine(engine.as_ref(), stages, &panel, &treated_values, &mut log)?),
        None => None,
    };
    let normalized = normalise(m, &panel, &rows, treated_values, prefit.as_ref(), &mut log)?;
    let weighting = weigh(m, &panel, &rows, &normalized, prefit.as_ref(), &mut log)?;
    let scored = score(m, &panel, &rows, &normalized, &weighting, prefit.as_ref(), &mut log)?;
    let levels = score_levels(m, &panel, &rows, &normalized, &weighting, &scored, &mut log)?;
    let ranks = rank_within_periods(m, &panel, &scored.table.score, scored.table.direction);
    let classes = classify(m, &panel, &scored.table, &mut log)?;
    let regions = resil_trend::regional_summary(
        (0..panel.n_rows()).map(|r| {
            (panel.unit_of_row(r).region.as_str(), panel.period_of_row(r), scored.table.score[r], classes.grades[r])
        }),
        classes.k(),
    );
    note_synthetic(panel.system(), &mut log);
    let result = RunResult {
        study_name: p.loaded.config.study.name.clone(),
        panel,
        excluded,
        imputed,
        normalized: normalized.data,
        orientation: normalized.orientation,
        weights: weighting.groups,
        row_weight_group: weighting.row_group,
        scores: scored.table,
        normalizer_learned: normalized.learned,
        capped: normalized.capped,
        scorer_references: scored.references,
        scorer_group_weights: scored.group_weights,
        row_scorer_group: scored.row_group,
        ranks,
        levels,
        indicator_checks,
        treated,
        breaks: classes.breaks,
        grades: classes.grades,
        grade_labels: p.grade_labels.clone(),
        regions,
        skipped_sources,
        analyses: Vec::new(),
        published: None,
        input_files: std::iter::once(p.loaded.path.clone())
            .chain(p.loaded.parents.iter().map(|(path, _)| path.clone()))
            .chain(p.inputs.iter().map(|(_, _, resolved)| resolved.clone()))
            .collect(),
        notes: log.0,
        manifest: serde_json::Value::Null,
        output_formats: p.loaded.config.output.formats.clone(),
    };
    analyse_and_record(p, result)
}

impl Prepared {
    pub(crate) fn imputer_params(&self) -> serde_json::Value {
        self.methods.imputer.params.clone()
    }

    pub(crate) fn treat_params(&self) -> serde_json::Value {
        match &self.methods.treat {
            None => serde_json::Value::Null,
            Some((scope, params, indicators)) => serde_json::json!({
                "method": "winsorise", "scope": scope.as_str(), "params": params, "indicators": indicators,
            }),
        }
    }

    pub(crate) fn normalizer_params(&self) -> Vec<serde_json::Value> {
        self.methods.normalizers.iter().map(|n| n.built.params.clone()).collect()
    }

    pub(crate) fn weighter_params(&self) -> serde_json::Value {
        self.methods.weighter.built.params.clone()
    }

    pub(crate) fn scorer_params(&self) -> serde_json::Value {
        self.methods.scorer.built.params.clone()
    }

    pub(crate) fn classifier_params(&self) -> serde_json::Value {
        self.methods.classifier.built.params.clone()
    }

    pub(crate) fn ties(&self) -> TiePolicy {
        self.methods.ties
    }
}
