//! The live explorer's engine (`resil serve`): the study is prepared once (config checked,
//! sources and plugins read, excluded units dropped), then each request's pipeline, the config's
//! `[pipeline]` with some stages replaced, is built by the method tables (the same checks and
//! messages as the CLI) and run through the same stage functions as `resil run`, without the
//! analyses: scores, ranks, grades, the shift of every rank from the config's own run, regional
//! means and grade counts. What was found is saved as the config's text with its `[pipeline]`
//! replaced, which `resil run` reproduces to the bit.

use std::path::{Path, PathBuf};

use resil_config::{LoadedConfig, PipelineConfig};
use resil_core::{Direction, Error, Panel, Result};
use serde::Serialize;

use crate::run::{prepare, Log, Methods, Prepared};
use crate::sources::RunOptions;
use crate::stages::{classify, drop_excluded, impute, normalise, rank_within_periods, score, treat, weigh, RowLabels};

/// The stages a request may replace, in pipeline order: all of them.
pub const EXPLORER_STAGES: [&str; 6] = resil_config::PIPELINE_STAGES;

/// One stage of a `[pipeline]` table as one line of TOML (empty when not written).
fn stage_text(pipeline: &toml::Table, stage: &str) -> String {
    pipeline.get(stage).map_or(String::new(), |v| v.to_string())
}

/// A study prepared for exploring.
pub struct Explorer {
    prepared: Prepared,
    /// The active panel (excluded units dropped), before imputation.
    panel: Panel,
    rows: RowLabels,
    /// The config's own `[pipeline]`, every key written out.
    pipeline: toml::Table,
    baseline: View,
}

/// One unit in one period under an explored pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowView {
    pub unit: String,
    pub name: String,
    pub region: String,
    /// The unit's seat (or centroid) as (lon, lat), for the map; `None` without coordinates.
    pub point: Option<(f64, f64)>,
    pub period: i32,
    pub score: f64,
    pub rank: f64,
    pub grade: usize,
    /// The rank in the config's own run, and how many places this pipeline moves the unit up.
    pub baseline_rank: f64,
    pub shift: f64,
}

/// An indicator's weight (the first weight group: the pooled weights, or the first period's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightView {
    pub id: String,
    pub name: String,
    pub subsystem: String,
    pub system: String,
    pub weight: f64,
}

/// A region's mean score and units per grade in one period (`All` last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionView {
    pub region: String,
    pub period: i32,
    pub mean: f64,
    pub grade_counts: Vec<usize>,
}

/// What one explored pipeline gives.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct View {
    pub periods: Vec<i32>,
    pub rows: Vec<RowView>,
    pub weights: Vec<WeightView>,
    /// How many weight groups there are (per-period weights give one per period).
    pub weight_groups: usize,
    pub regions: Vec<RegionView>,
    pub k: usize,
    pub grade_labels: Vec<String>,
    pub lower_is_better: bool,
    /// Names of the indicators with synthetic values: every view made from them says so.
    pub synthetic: Vec<String>,
    /// The explored `[pipeline]`, as it would be saved.
    pub pipeline_toml: String,
    /// Stage by stage, where it differs from the config: (stage, config's, explored).
    pub diff: Vec<(String, String, String)>,
}

impl Explorer {
    /// Prepares `loaded` once.
    pub fn prepare(loaded: LoadedConfig, options: &RunOptions) -> Result<Explorer> {
        let prepared = prepare(loaded, options)?;
        let loaded_panel = prepared.load_panel()?;
        let (panel, _) = drop_excluded(loaded_panel.panel, &mut Log(Vec::new()))?;
        let pipeline = match toml::Value::try_from(&prepared.loaded.config.pipeline) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(Error::config(&prepared.loaded.path, "pipeline", "cannot be written out for exploring")),
        };
        let rows = RowLabels::of(&panel);
        let mut explorer = Explorer {
            prepared,
            panel,
            rows,
            pipeline,
            // Until the config's own run is in, each rank is its own baseline.
            baseline: View::default(),
        };
        explorer.baseline = explorer.evaluate(&toml::Table::new())?;
        Ok(explorer)
    }

    /// The config's own run.
    pub fn baseline(&self) -> &View {
        &self.baseline
    }

    pub fn study_name(&self) -> &str {
        &self.prepared.loaded.config.study.name
    }

    /// The config's own stages, as JSON tables.
    pub fn config_pipeline(&self) -> serde_json::Value {
        serde_json::to_value(&self.pipeline).expect("a TOML table is JSON")
    }

    /// The config's own stages, each as one line of TOML.
    pub fn config_stage_text(&self) -> std::collections::BTreeMap<String, String> {
        EXPLORER_STAGES.iter().map(|s| (s.to_string(), stage_text(&self.pipeline, s))).collect()
    }

    /// The config this explorer was prepared from.
    pub fn config_path(&self) -> &Path {
        &self.prepared.loaded.path
    }

    /// The config's `[pipeline]` with each stage of `overrides` replaced (only stage names).
    fn merged(&self, overrides: &toml::Table) -> Result<toml::Table> {
        let file = &self.prepared.loaded.path;
        let mut table = self.pipeline.clone();
        for (stage, value) in overrides {
            if !EXPLORER_STAGES.contains(&stage.as_str()) {
                return Err(Error::config(
                    file,
                    format!("pipeline.{stage}"),
                    format!("not a stage the explorer sets (stages: {})", EXPLORER_STAGES.join(", ")),
                ));
            }
            table.insert(stage.clone(), value.clone());
        }
        Ok(table)
    }

    /// Scores, ranks and grades under the config's pipeline with `overrides`, checked by the
    /// method tables as `resil run` checks a config (strictly: unknown keys are errors).
    pub fn evaluate(&self, overrides: &toml::Table) -> Result<View> {
        let file = &self.prepared.loaded.path;
        let table = self.merged(overrides)?;
        let pipeline: PipelineConfig = toml::Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| Error::config(file, "pipeline", e.to_string()))?;
        let problems = resil_config::pipeline_problems(file, &pipeline, &self.prepared.loaded.config.indicators);
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        let m = Methods::build(file, &pipeline, true)?;
        let mut log = Log(Vec::new());
        let (panel, _) = impute(&m, self.panel.clone(), &mut log)?;
        let (values, _) = treat(&m, &panel, &mut log);
        let normalized = normalise(&m, &panel, &self.rows, values, None, &mut log)?;
        let weighting = weigh(&m, &panel, &self.rows, &normalized, None, &mut log)?;
        let scored = score(&m, &panel, &self.rows, &normalized, &weighting, None, &mut log)?;
        let ranks = rank_within_periods(&m, &panel, &scored.table.score, scored.table.direction);
        let classes = classify(&m, &panel, &scored.table, &mut log)?;
        let k = classes.k();
        let rows: Vec<RowView> = (0..panel.n_rows())
            .map(|r| {
                let unit = panel.unit_of_row(r);
                let baseline_rank = self.baseline.rows.get(r).map_or(ranks[r], |b| b.rank);
                RowView {
                    unit: unit.id.clone(),
                    name: unit.name.clone(),
                    region: unit.region.clone(),
                    point: unit.seat.or(unit.centroid).map(|p| (p.lon, p.lat)),
                    period: panel.period_of_row(r),
                    score: scored.table.score[r],
                    rank: ranks[r],
                    grade: classes.grades[r],
                    baseline_rank,
                    shift: baseline_rank - ranks[r],
                }
            })
            .collect();
        let regions =
            resil_trend::regional_summary(rows.iter().map(|r| (r.region.as_str(), r.period, r.score, r.grade)), k)
                .into_iter()
                .map(|g| RegionView { region: g.region, period: g.period, mean: g.mean, grade_counts: g.grade_counts })
                .collect();
        let weights = panel
            .system()
            .indicators()
            .iter()
            .zip(weighting.groups[0].weights.as_slice())
            .map(|(i, &w)| WeightView {
                id: i.id.clone(),
                name: i.name.clone(),
                subsystem: i.subsystem.clone(),
                system: i.system.clone(),
                weight: w,
            })
            .collect();
        let diff = EXPLORER_STAGES
            .iter()
            .filter(|s| stage_text(&self.pipeline, s) != stage_text(&table, s))
            .map(|s| (s.to_string(), stage_text(&self.pipeline, s), stage_text(&table, s)))
            .collect();
        let mut section = toml::Table::new();
        section.insert("pipeline".into(), toml::Value::Table(table));
        Ok(View {
            periods: panel.periods().to_vec(),
            rows,
            weights,
            weight_groups: weighting.groups.len(),
            regions,
            k,
            grade_labels: m.grade_labels.clone(),
            lower_is_better: scored.table.direction == Direction::LowerIsBetter,
            synthetic: panel.system().synthetic().iter().map(|i| i.id.clone()).collect(),
            pipeline_toml: toml::to_string(&section).map_err(|e| Error::config(file, "pipeline", e.to_string()))?,
            diff,
        })
    }

    /// The config's text with its `[pipeline]` replaced by the explored one (other tables and
    /// their comments kept), checked by evaluating it first.
    pub fn config_text(&self, overrides: &toml::Table) -> Result<String> {
        let view = self.evaluate(overrides)?;
        let file = &self.prepared.loaded.path;
        let mut doc: toml_edit::DocumentMut = self
            .prepared
            .loaded
            .text
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::config(file, "", e.to_string()))?;
        let explored: toml_edit::DocumentMut = view
            .pipeline_toml
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::config(file, "pipeline", e.to_string()))?;
        let mut explored = explored["pipeline"].clone();
        for_each_table(&mut explored, &mut |t| {
            // As a config is written by hand: a blank line above each table, its method first.
            t.decor_mut().set_prefix("\n");
            t.sort_values_by(|a, _, b, _| (a.get() != "method", a.get()).cmp(&(b.get() != "method", b.get())));
        });
        // The new [pipeline], stage by stage in pipeline order: a stage left as the config has it
        // keeps the config's own text (its comments, its form), or stays out when the config
        // takes it from the one it `extends`; a changed stage is written out as a table.
        let as_value = |e: toml::ser::Error| Error::config(file, "pipeline", e.to_string());
        let before = toml::Value::try_from(&self.prepared.loaded.config.pipeline).map_err(as_value)?;
        let after: toml::Table =
            toml::from_str(&view.pipeline_toml).map_err(|e| Error::config(file, "pipeline", e.to_string()))?;
        let inherits = !self.prepared.loaded.parents.is_empty();
        let own = doc.get("pipeline").and_then(|p| p.as_table());
        let mut root = toml_edit::Table::new();
        root.set_implicit(true);
        for stage in resil_config::PIPELINE_STAGES {
            if before.get(stage) == after.get("pipeline").and_then(|p| p.get(stage)) {
                match own.and_then(|t| t.get_key_value(stage)) {
                    Some((key, item)) => {
                        root.insert_formatted(key, item.clone());
                        continue;
                    }
                    None if inherits => continue,
                    None => {}
                }
            }
            if let Some(item) = explored.get(stage) {
                root.insert(stage, item.clone());
            }
        }
        // Stages kept inline (`impute = { ... }`) need the `[pipeline]` line, with its comments.
        if root.iter().any(|(_, item)| item.is_value()) {
            root.set_implicit(false);
            if let Some(own) = own {
                *root.decor_mut() = own.decor().clone();
            }
        }
        let mut pipeline = toml_edit::Item::Table(root);
        place_pipeline(&mut doc, &mut pipeline);
        doc.insert("pipeline", pipeline);
        Ok(doc.to_string())
    }

    /// Writes the explored config beside the original as `<stem>-explored.toml` (or `-2`, `-3`,
    /// ...: an existing file is never replaced), atomically; returns its path.
    pub fn save(&self, overrides: &toml::Table) -> Result<PathBuf> {
        let text = self.config_text(overrides)?;
        let path = &self.prepared.loaded.path;
        let dir = path.parent().unwrap_or(Path::new("."));
        let stem = path.file_stem().map_or("config".into(), |s| s.to_string_lossy().into_owned());
        let io = |e: std::io::Error, p: &Path| Error::data(p.display().to_string(), e.to_string());
        for n in 1..1000 {
            let name = if n == 1 { format!("{stem}-explored.toml") } else { format!("{stem}-explored-{n}.toml") };
            let target = dir.join(name);
            if target.exists() {
                continue;
            }
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io(e, dir))?;
            std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| io(e, &target))?;
            match tmp.persist_noclobber(&target) {
                Ok(_) => return Ok(target),
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e.error, &target)),
            }
        }
        Err(Error::data(dir.display().to_string(), "999 explored configs already: remove some"))
    }
}

/// Calls `f` on `item` if it is a table and on every table under it (arrays of tables too), in
/// document order.
fn for_each_table(item: &mut toml_edit::Item, f: &mut dyn FnMut(&mut toml_edit::Table)) {
    match item {
        toml_edit::Item::Table(t) => {
            f(t);
            for (_, child) in t.iter_mut() {
                for_each_table(child, f);
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                f(t);
                for (_, child) in t.iter_mut() {
                    for_each_table(child, f);
                }
            }
        }
        _ => {}
    }
}

/// Numbers the tables of `pipeline` (some parsed from a document of their own, so numbered from 0)
/// in pipeline order into the place of `doc`'s `[pipeline]`, or after its last table, moving the
/// tables after that place down: tables are written in the order of their numbers, and equal
/// numbers had put the explored stages between `[study]`, `[[source]]` and `[[indicator]]` tables.
fn place_pipeline(doc: &mut toml_edit::DocumentMut, pipeline: &mut toml_edit::Item) {
    let mut old = Vec::new();
    if let Some(item) = doc.as_table_mut().get_mut("pipeline") {
        for_each_table(item, &mut |t| old.extend(t.position()));
    }
    doc.remove("pipeline");
    let mut rest = Vec::new();
    for (_, item) in doc.as_table_mut().iter_mut() {
        for_each_table(item, &mut |t| rest.extend(t.position()));
    }
    let Some(root) = pipeline.as_table_mut() else { return };
    let mut slots = 0;
    for (_, item) in root.iter_mut() {
        for_each_table(item, &mut |_| slots += 1);
    }
    let (anchor, shift_from) = match old.iter().min() {
        Some(&first) => (first, first),
        None => (rest.iter().max().map_or(1, |m| m + 1), usize::MAX),
    };
    for (_, item) in doc.as_table_mut().iter_mut() {
        for_each_table(item, &mut |t| {
            if let Some(p) = t.position().filter(|&p| p >= shift_from) {
                t.set_position(p + slots + 1);
            }
        });
    }
    root.set_position(anchor);
    let mut next = anchor + 1;
    for stage in resil_config::PIPELINE_STAGES {
        if let Some(item) = root.get_mut(stage) {
            for_each_table(item, &mut |t| {
                t.set_position(next);
                next += 1;
            });
        }
    }
}
