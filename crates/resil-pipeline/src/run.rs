//! Preparing a study (config -> methods, units, sources), validating it, and running it.

use std::path::PathBuf;

use resil_config::{LoadedConfig, StageConfig};
use resil_core::{
    Breaks, Classifier, Diagnostic, Error, ImputedCell, Imputer, Indicator, IndicatorSystem, Matrix, Normalizer, Panel,
    Polarity, Result, RowLabel, Scope, ScoreTable, Scorer, Severity, StageContext, Unit, Weighter, Weights,
};
use resil_rank::TiePolicy;
use resil_trend::RegionRow;

use crate::registry::{self, Built, StageKey};
use crate::sources::{inputs, load_panel, ConfiguredSource, Inputs, LoadedPanel, RunOptions, SkippedSource};

/// A stage of the pipeline with its scope.
struct Staged<T: ?Sized> {
    scope: Scope,
    built: Built<T>,
}

/// A study ready to run: the config turned into units, indicators, sources and checked methods.
pub struct Prepared {
    pub loaded: LoadedConfig,
    /// Every unit of the unit list, excluded ones included.
    pub units: Vec<Unit>,
    pub system: IndicatorSystem,
    sources: Vec<ConfiguredSource>,
    imputer: Built<dyn Imputer>,
    treat: Option<(Scope, resil_normalize::TreatParams)>,
    normalizers: Vec<Staged<dyn Normalizer>>,
    weighter: Staged<dyn Weighter>,
    scorer: Staged<dyn Scorer>,
    ties: TiePolicy,
    classifier: Staged<dyn Classifier>,
    pub grade_labels: Vec<String>,
    /// Full key paths of config keys nobody reads.
    pub unknown_keys: Vec<String>,
    /// Paths as written in the config (for the manifest) and resolved (to read).
    pub(crate) inputs: Vec<(String, String, PathBuf)>,
    /// The `[published]` figures, checked against the units and periods.
    pub published: Option<crate::published::PublishedFigures>,
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
    /// Per scorer group: its label and the per-column references it learned (TOPSIS ideals).
    pub scorer_references: Vec<(String, resil_core::NamedColumns)>,
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
        Ok(built) => Some(Staged { scope: stage.scope, built }),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    }
}

/// The checked methods of every stage.
struct Methods {
    imputer: Option<Built<dyn Imputer>>,
    treat: Option<(Scope, resil_normalize::TreatParams)>,
    normalizers: Vec<Option<Staged<dyn Normalizer>>>,
    weighter: Option<Staged<dyn Weighter>>,
    scorer: Option<(Staged<dyn Scorer>, TiePolicy)>,
    classifier: Option<Staged<dyn Classifier>>,
    unknown_keys: Vec<String>,
}

fn methods(loaded: &LoadedConfig, strict: bool, problems: &mut Vec<Error>) -> Methods {
    let file = loaded.path.clone();
    let mut warnings = loaded.unknown_keys.clone();
    let key = |k: &str| StageKey { file: &file, key: k.to_string(), strict };
    let p = &loaded.config.pipeline;
    let imputer = registry::imputer(&key("pipeline.impute"), &p.impute, &mut warnings)
        .map_err(|e| problems.extend(e.into_list()))
        .ok();
    let normalizers = p
        .normalize
        .iter()
        .enumerate()
        .map(|(i, s)| {
            staged(registry::normalizer(&key(&format!("pipeline.normalize[{i}]")), s, &mut warnings), s, problems)
        })
        .collect();
    let weighter = staged(registry::weighter(&key("pipeline.weight"), &p.weight, &mut warnings), &p.weight, problems);
    let scorer = match registry::scorer(&key("pipeline.rank"), &p.rank, &mut warnings) {
        Ok((built, ties)) => Some((Staged { scope: p.rank.scope, built }, ties)),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    };
    let classifier = staged(
        registry::classifier(&key("pipeline.classify"), &p.classify.stage, &mut warnings),
        &p.classify.stage,
        problems,
    );
    if p.weight.scope == Scope::PerPeriod && p.rank.scope == Scope::Pooled {
        problems.push(Error::config(
            &file,
            "pipeline.weight.scope",
            "per-period weights need per-period ideals: set pipeline.rank.scope = \"per-period\" too",
        ));
    }
    let treat = p.treat.as_ref().and_then(|t| match registry::treatment(&key("pipeline.treat"), t, &mut warnings) {
        Ok(params) => params.map(|params| (t.scope, params)),
        Err(e) => {
            problems.extend(e.into_list());
            None
        }
    });
    problems.extend(crate::analysis::check(loaded, strict, &mut warnings));
    Methods { imputer, treat, normalizers, weighter, scorer, classifier, unknown_keys: warnings }
}

/// Turns a loaded config into a runnable study, reporting every problem found.
pub fn prepare(loaded: LoadedConfig, options: &RunOptions) -> Result<Prepared> {
    let mut problems = Vec::new();
    let m = methods(&loaded, options.strict, &mut problems);
    let mut data = inputs(&loaded, options, &mut problems);
    let published = published_figures(&loaded, &mut data, &mut problems);
    match (m.imputer, m.weighter, m.scorer, m.classifier) {
        (Some(imputer), Some(weighter), Some((scorer, ties)), Some(classifier)) if problems.is_empty() => {
            Ok(Prepared {
                units: data.units,
                system: data.system,
                sources: data.sources,
                imputer,
                treat: m.treat,
                normalizers: m.normalizers.into_iter().map(|n| n.expect("no problems")).collect(),
                weighter,
                scorer,
                ties,
                classifier,
                grade_labels: loaded.config.pipeline.classify.labels.clone(),
                unknown_keys: m.unknown_keys,
                inputs: data.files,
                published,
                loaded,
            })
        }
        _ => Err(Error::from_list(problems)),
    }
}

/// The context of the block `rows` of the panel: its row labels, with `orientation`.
fn block_context<'a>(
    system: &'a IndicatorSystem,
    orientation: &'a [Polarity],
    labels: &'a [RowLabel],
    rows: std::ops::Range<usize>,
) -> StageContext<'a> {
    StageContext { system, orientation, rows: &labels[rows] }
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
    let mut problems = Vec::new();
    let m = methods(&loaded, options.strict, &mut problems);
    let units_ok = problems.len();
    let mut data = inputs(&loaded, options, &mut problems);
    published_figures(&loaded, &mut data, &mut problems);
    if problems.len() > units_ok || data.units.is_empty() {
        return problems;
    }
    match load_panel(&data.units, &data.system, &data.sources, &loaded.config.study.periods) {
        Ok(loaded_panel) => {
            if let Some(imputer) = m.imputer {
                let (active, _) = loaded_panel.panel.without_excluded();
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
    let inside: Vec<String> = inputs
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .filter(|p| p.starts_with(&out))
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

struct Log(Vec<LoggedNote>);

impl Log {
    fn extend(&mut self, stage: &str, notes: Vec<Diagnostic>) {
        self.0.extend(notes.into_iter().map(|diagnostic| LoggedNote { stage: stage.to_string(), diagnostic }));
    }
}

fn stage_label(stage: &str, scope_label: &str) -> String {
    if scope_label == "pooled" {
        stage.to_string()
    } else {
        format!("{stage} ({scope_label})")
    }
}

fn run_prepared(p: &Prepared, loaded_panel: LoadedPanel) -> Result<RunResult> {
    let LoadedPanel { panel: full, notes: source_notes, skipped: skipped_sources } = loaded_panel;
    let mut log = Log(source_notes);
    for k in &p.unknown_keys {
        log.extend("config", vec![Diagnostic::warning("unknown-key", format!("unknown config key `{k}` (ignored)"))]);
    }
    // 0. Excluded units go before anything is fitted.
    let (panel, excluded) = full.without_excluded();
    if panel.units().is_empty() {
        return Err(Error::data("units", "every unit is excluded"));
    }
    if !excluded.is_empty() {
        let names: Vec<String> = excluded.iter().map(|u| format!("{} ({})", u.name, u.id)).collect();
        log.extend(
            "units",
            vec![Diagnostic::info("excluded-units", format!("excluded before fitting: {}", names.join(", ")))],
        );
    }
    let system = panel.system().clone();
    log.extend("data", crate::data_checks::check_panel(&panel)?);

    // 1. Imputation.
    let imputed = p.imputer.method.impute(&panel)?;
    log.extend("impute", imputed.notes);
    let (panel, imputed_cells) = imputed.value;

    // 1b. Indicator diagnostics on the imputed panel (pooled): spread, skew, redundancy.
    let indicator_checks = indicator_diagnostics(&panel, &p.loaded.config.diagnostics, &mut log);

    // 2. Normalisation chain; each step fits on its scope's reference rows.
    // 1c. Optional outlier treatment; normalisation starts from the treated values.
    let mut data = panel.values().clone();
    let mut treated = Vec::new();
    if let Some((scope, params)) = &p.treat {
        for g in scope.groups(&panel) {
            for (j, ind) in system.indicators().iter().enumerate() {
                let original = data.column(j)[g.rows.clone()].to_vec();
                let (new, report) = resil_normalize::treat_column(&original, params);
                let how = if report.log { "log".to_string() } else { "winsorised".to_string() };
                for (k, (&a, &b)) in original.iter().zip(&new).enumerate() {
                    if a != b || report.log {
                        let row = g.rows.start + k;
                        treated.push(TreatedCell {
                            unit: panel.unit_of_row(row).id.clone(),
                            period: panel.period_of_row(row),
                            indicator: ind.id.clone(),
                            original: a,
                            treated: b,
                            how: how.clone(),
                        });
                    }
                }
                data.column_mut(j)[g.rows.clone()].copy_from_slice(&new);
            }
        }
        if !treated.is_empty() {
            log.extend(
                "treat",
                vec![Diagnostic::info("treated", format!("{} cells treated (treated.csv)", treated.len()))],
            );
        }
    }

    // Every stage is told each row's unit and period, so its errors can name them.
    let labels: Vec<RowLabel> = (0..panel.n_rows())
        .map(|r| RowLabel { unit: panel.unit_of_row(r).id.clone(), period: panel.period_of_row(r) })
        .collect();
    let mut orientation = system.polarities();
    let mut normalizer_learned = Vec::new();
    for (i, step) in p.normalizers.iter().enumerate() {
        let mut out = data.clone();
        let mut next_orientation = orientation.clone();
        for g in step.scope.groups(&panel) {
            let block = data.rows(g.rows.clone());
            let fitted =
                step.built.method.fit(&block, &block_context(&system, &orientation, &labels, g.rows.clone()))?;
            log.extend(&stage_label(&format!("normalize[{i}]"), &g.label), fitted.notes);
            out.set_rows(g.rows.start, &fitted.value.transform(&block)?);
            next_orientation = fitted.value.output_orientation();
            let learned = fitted.value.learned();
            if !learned.is_empty() {
                normalizer_learned.push(LearnedState {
                    step: i,
                    scope: g.label.clone(),
                    rows: g.rows.clone(),
                    columns: learned,
                });
            }
        }
        data = out;
        orientation = next_orientation;
    }

    // 3. Weights per weight-scope group.
    let weight_groups = p.weighter.scope.groups(&panel);
    let mut weights = Vec::new();
    for g in &weight_groups {
        let w = p
            .weighter
            .built
            .method
            .weights(&data.rows(g.rows.clone()), &block_context(&system, &orientation, &labels, g.rows.clone()))?;
        log.extend(&stage_label("weight", &g.label), w.notes);
        weights.push(WeightGroup { label: g.label.clone(), weights: w.value });
    }
    let row_weight_group: Vec<usize> = (0..panel.n_rows())
        .map(|r| weight_groups.iter().position(|g| g.contains(r)).expect("groups cover rows"))
        .collect();

    // 4. Scores: the scorer fits on each rank-scope group (TOPSIS ideals) and scores its rows.
    let n = panel.n_rows();
    let mut scores =
        ScoreTable { score: vec![f64::NAN; n], extras: Vec::new(), direction: resil_core::Direction::HigherIsBetter };
    let mut scorer_references = Vec::new();
    let mut row_scorer_group = vec![0; n];
    for (gi, g) in p.scorer.scope.groups(&panel).iter().enumerate() {
        let block = data.rows(g.rows.clone());
        let w = &weights[row_weight_group[g.rows.start]].weights;
        let fitted =
            p.scorer.built.method.fit(&block, w, &block_context(&system, &orientation, &labels, g.rows.clone()))?;
        log.extend(&stage_label("rank", &g.label), fitted.notes);
        let table = fitted.value.score(&block)?;
        log.extend(&stage_label("rank", &g.label), table.notes);
        let table = table.value;
        scores.direction = table.direction;
        for (name, values) in table.extras {
            let pos = match scores.extras.iter().position(|(n, _)| *n == name) {
                Some(pos) => pos,
                None => {
                    scores.extras.push((name, vec![f64::NAN; n]));
                    scores.extras.len() - 1
                }
            };
            scores.extras[pos].1[g.rows.clone()].copy_from_slice(&values);
        }
        scores.score[g.rows.clone()].copy_from_slice(&table.score);
        row_scorer_group[g.rows.clone()].iter_mut().for_each(|x| *x = gi);
        scorer_references.push((g.label.clone(), fitted.value.column_references()));
    }

    // 4b. Scores at every level of the hierarchy: the same scorer on each sub-system's and
    // system's columns, their weights renormalised, over the same scope groups.
    let mut levels = Vec::new();
    for (level, name_of) in [("subsystem", 0usize), ("system", 1)] {
        let mut names: Vec<String> = Vec::new();
        for ind in system.indicators() {
            let name = if name_of == 0 { &ind.subsystem } else { &ind.system };
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        for name in names {
            let cols: Vec<usize> = (0..system.len())
                .filter(|&j| {
                    let ind = system.get(j);
                    (if name_of == 0 { &ind.subsystem } else { &ind.system }) == &name
                })
                .collect();
            let mut score = vec![f64::NAN; n];
            for g in p.scorer.scope.groups(&panel) {
                let block = data.rows(g.rows.clone()).select_columns(&cols);
                let w = &weights[row_weight_group[g.rows.start]].weights;
                let sub: Vec<f64> = cols.iter().map(|&j| w.0[j]).collect();
                if sub.iter().sum::<f64>() <= 0.0 {
                    log.extend(
                        "levels",
                        vec![Diagnostic::warning(
                            "zero-weight",
                            format!("{level} `{name}`: all its weights are 0; not scored"),
                        )],
                    );
                    break;
                }
                let orient: Vec<Polarity> = cols.iter().map(|&j| orientation[j]).collect();
                let level_system = IndicatorSystem::new(cols.iter().map(|&j| system.get(j).clone()).collect());
                let level_cx = block_context(&level_system, &orient, &labels, g.rows.clone());
                let fitted = p.scorer.built.method.fit(&block, &Weights::normalized(sub)?, &level_cx)?;
                let table = fitted.value.score(&block)?;
                score[g.rows.clone()].copy_from_slice(&table.value.score);
            }
            let mut ranks = vec![0.0; n];
            for g in Scope::PerPeriod.groups(&panel) {
                let r = resil_rank::rank(&score[g.rows.clone()], scores.direction, p.ties);
                ranks[g.rows.clone()].copy_from_slice(&r);
            }
            levels.push(LevelScores { level: level.to_string(), name, score, ranks });
        }
    }

    // 5. Ranks within each period, 1 = best.
    let mut ranks = vec![0.0; n];
    for g in Scope::PerPeriod.groups(&panel) {
        let r = resil_rank::rank(&scores.score[g.rows.clone()], scores.direction, p.ties);
        ranks[g.rows.clone()].copy_from_slice(&r);
    }

    // 6. Classes per classify-scope group.
    let mut breaks = Vec::new();
    let mut grades = vec![0; n];
    for g in p.classifier.scope.groups(&panel) {
        let values = &scores.score[g.rows.clone()];
        let b = p.classifier.built.method.fit(values)?;
        log.extend(&stage_label("classify", &g.label), b.notes);
        for (r, &v) in g.rows.clone().zip(values) {
            grades[r] = b.value.class_of(v);
        }
        let empty = crate::matrix::empty_classes(&b.value, &grades[g.rows.clone()], values.len());
        log.extend(&stage_label("classify", &g.label), empty.into_iter().collect());
        breaks.push(BreaksGroup { label: g.label.clone(), period: g.period, breaks: b.value });
    }
    let k = breaks[0].breaks.k();
    if !p.grade_labels.is_empty() && p.grade_labels.len() != k {
        return Err(Error::config(
            &p.loaded.path,
            "pipeline.classify.labels",
            format!("{} labels for {k} classes", p.grade_labels.len()),
        ));
    }

    // 7. Regional aggregates and growth.
    let regions = resil_trend::regional_summary(
        (0..n).map(|r| (panel.unit_of_row(r).region.as_str(), panel.period_of_row(r), scores.score[r], grades[r])),
        k,
    );

    let synthetic: Vec<String> = system.synthetic().iter().map(|i| i.id.clone()).collect();
    if !synthetic.is_empty() {
        log.extend(
            "data",
            vec![Diagnostic::warning(
                "synthetic-data",
                format!(
                    "{} of {} indicators are synthetic ({}): these results demonstrate the method and are not findings",
                    synthetic.len(),
                    system.len(),
                    synthetic.join(", ")
                ),
            )],
        );
    }
    let mut result = RunResult {
        study_name: p.loaded.config.study.name.clone(),
        panel,
        excluded,
        imputed: imputed_cells,
        normalized: data,
        orientation,
        weights,
        row_weight_group,
        scores,
        normalizer_learned,
        scorer_references,
        row_scorer_group,
        ranks,
        levels,
        indicator_checks,
        treated,
        breaks,
        grades,
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
    };
    result.analyses = crate::analysis::run_all(&p.loaded, &result)?;
    for a in &result.analyses {
        let stage = format!("analysis:{}", a.id);
        result.notes.extend(a.notes.iter().cloned().map(|diagnostic| LoggedNote { stage: stage.clone(), diagnostic }));
    }
    if let Some(figures) = &p.published {
        let c = &p.loaded.config.pipeline.classify;
        let params: Vec<String> = c.stage.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let classification = format!("{} ({})", c.stage.method, params.join(", "));
        result.published = Some(crate::published::compare(&result, figures, &classification));
    }
    result.manifest = crate::manifest::build(p, &result)?;
    Ok(result)
}

impl Prepared {
    pub(crate) fn imputer_params(&self) -> serde_json::Value {
        self.imputer.params.clone()
    }

    pub(crate) fn treat_params(&self) -> serde_json::Value {
        match &self.treat {
            None => serde_json::Value::Null,
            Some((scope, params)) => {
                serde_json::json!({ "method": "winsorise", "scope": scope.as_str(), "params": params })
            }
        }
    }

    pub(crate) fn normalizer_params(&self) -> Vec<serde_json::Value> {
        self.normalizers.iter().map(|n| n.built.params.clone()).collect()
    }

    pub(crate) fn weighter_params(&self) -> serde_json::Value {
        self.weighter.built.params.clone()
    }

    pub(crate) fn scorer_params(&self) -> serde_json::Value {
        self.scorer.built.params.clone()
    }

    pub(crate) fn classifier_params(&self) -> serde_json::Value {
        self.classifier.built.params.clone()
    }

    pub(crate) fn ties(&self) -> TiePolicy {
        self.ties
    }
}
