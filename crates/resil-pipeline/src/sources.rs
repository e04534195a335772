//! Building a study's sources (CSV, workbook and Parquet tables, and plugins) and reading them into a panel; a failing
//! optional source is skipped, its indicators dropped and the skip recorded.

use std::path::PathBuf;

use resil_config::{LoadedConfig, SourceConfig, SourceLayout};
use resil_core::{
    Diagnostic, Error, Indicator, IndicatorSource, IndicatorSystem, Observation, Outcome, Panel, PanelBuilder,
    Provenance, Result, SourceRequest, Unit, UnitIndex,
};
use resil_indicators::{load_units, CsvLayout, CsvSource, SheetSource, Sheets};
use resil_plugin_host::{ForeignIndicatorSource, PluginInfo};

use crate::run::LoggedNote;

/// How a run is asked for: strictness, extra plugin folders (searched before the config's), and
/// where the scoring stages are fitted (`None`: here, in memory).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub strict: bool,
    pub plugin_dirs: Vec<PathBuf>,
    pub engine: Option<std::sync::Arc<dyn crate::FitEngine>>,
    /// `resil run --stream`: the panel stays on disk (see `crate::streamed`); the unit list is
    /// optional.
    pub stream: bool,
}

/// A source as configured: the source, whether it may fail, and its plugin if it is one.
pub(crate) struct ConfiguredSource {
    pub source: Box<dyn IndicatorSource>,
    pub optional: bool,
    pub plugin: Option<PluginInfo>,
    pub plugin_name: Option<String>,
}

/// A source skipped because it failed and was optional.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SkippedSource {
    pub source: String,
    pub plugin: Option<String>,
    pub reason: String,
    pub dropped_indicators: Vec<String>,
}

/// A source that could not be set up (a plugin that would not load), kept so that an optional
/// one is skipped at load time like any other failure.
#[derive(Debug)]
struct Unavailable {
    id: String,
    reason: String,
}

impl IndicatorSource for Unavailable {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<PathBuf> {
        Vec::new()
    }

    fn load(&self, _: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>> {
        Err(Error::data(format!("source `{}`", self.id), self.reason.clone()))
    }
}

/// The study's data side: units, indicator system, sources and the files they read.
pub(crate) struct Inputs {
    pub units: Vec<Unit>,
    pub system: IndicatorSystem,
    pub sources: Vec<ConfiguredSource>,
    /// (role, path as written, resolved path)
    pub files: Vec<(String, String, PathBuf)>,
}

/// A table source: a CSV file, a workbook or a Parquet table, in the source's layout.
fn table_source(loaded: &LoadedConfig, s: &SourceConfig, path: &str) -> Box<dyn IndicatorSource> {
    let layout = match s.layout {
        SourceLayout::Wide => CsvLayout::Wide { columns: s.columns.clone() },
        SourceLayout::Long => CsvLayout::Long {
            indicator_column: s.indicator_column.clone().unwrap_or_default(),
            value_column: s.value_column.clone().unwrap_or_default(),
        },
    };
    let (id, path, unit_column, period_column) =
        (s.id.clone(), loaded.resolve(path), s.unit_column.clone(), s.period_column.clone());
    if s.kind == "xlsx" {
        let sheets = if s.period_sheets { Sheets::PerPeriod } else { Sheets::One(s.sheet.clone()) };
        let header_row = s.header_row.unwrap_or(1);
        Box::new(SheetSource { id, path, sheets, header_row, unit_column, period_column, layout })
    } else if s.kind == "parquet" {
        #[cfg(feature = "parquet")]
        return Box::new(resil_indicators::ParquetSource { id, path, unit_column, period_column, layout });
        #[cfg(not(feature = "parquet"))]
        Box::new(Unavailable {
            id,
            reason: format!("{}: kind = \"parquet\" needs resil built with `--features parquet`", path.display()),
        })
    } else {
        Box::new(CsvSource { id, path, unit_column, period_column, layout })
    }
}

/// The plugin folders: the run's extra ones first, then the config's (resolved against it).
pub(crate) fn plugin_dirs(loaded: &LoadedConfig, options: &RunOptions) -> Vec<PathBuf> {
    options.plugin_dirs.iter().cloned().chain(loaded.config.plugins.dirs.iter().map(|d| loaded.resolve(d))).collect()
}

fn plugin_source(loaded: &LoadedConfig, s: &SourceConfig, dirs: &[PathBuf]) -> Result<ForeignIndicatorSource> {
    let name = s.plugin.clone().unwrap_or_default();
    let path = resil_plugin_host::find(dirs, &name)?;
    let plugin = resil_plugin_host::open(&path)?;
    if plugin.info.name != name {
        return Err(Error::data(
            path.display().to_string(),
            format!("the library is plugin `{}`, the config asks for `{name}`", plugin.info.name),
        ));
    }
    Ok(ForeignIndicatorSource {
        id: s.id.clone(),
        plugin,
        params: s.params.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
        data_dir: loaded.resolve(s.data_dir.as_deref().unwrap_or(".")),
    })
}

pub(crate) fn inputs(loaded: &LoadedConfig, options: &RunOptions, problems: &mut Vec<Error>) -> Inputs {
    let c = &loaded.config;
    let mut files = Vec::new();
    let units = match &c.study.units {
        Some(written) => {
            let units_path = loaded.resolve(written);
            files.push(("units".to_string(), written.clone(), units_path.clone()));
            load_units(&units_path, &c.study.regions).map_err(|e| problems.extend(e.into_list())).unwrap_or_default()
        }
        None if options.stream => Vec::new(),
        None => {
            problems.push(Error::config(
                &loaded.path,
                "study.units",
                "missing: a run in memory needs the unit list (a CSV of id, name, province); only `resil run --stream` takes its units from the panel",
            ));
            Vec::new()
        }
    };
    let system = IndicatorSystem::new(
        c.indicators
            .iter()
            .map(|i| Indicator {
                id: i.id.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                system: i.system.clone(),
                subsystem: i.subsystem.clone(),
                polarity: i.polarity,
                source: i.source.clone(),
                provenance: i
                    .provenance
                    .or_else(|| c.sources.iter().find(|s| s.id == i.source).and_then(|s| s.provenance))
                    .unwrap_or(Provenance::Unspecified),
                note: i.note.clone(),
            })
            .collect(),
    );
    let dirs = plugin_dirs(loaded, options);
    // A folder given on the command line that is not there is a typo, whether or not a plugin
    // is looked for (the config's own folders exist only once the plugins are built).
    for dir in options.plugin_dirs.iter().filter(|d| !d.is_dir()) {
        problems.push(Error::data(format!("plugin folder {}", dir.display()), "no such folder"));
    }
    let mut sources = Vec::new();
    for s in &c.sources {
        let role = format!("source:{}", s.id);
        if s.kind == "plugin" {
            match plugin_source(loaded, s, &dirs) {
                Ok(p) => {
                    let written_dir = s.data_dir.clone().unwrap_or_else(|| ".".into());
                    for f in p.inputs() {
                        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                        files.push((role.clone(), format!("{written_dir}/{name}"), f));
                    }
                    let info = p.plugin.info.clone();
                    sources.push(ConfiguredSource {
                        source: Box::new(p),
                        optional: s.optional,
                        plugin: Some(info),
                        plugin_name: s.plugin.clone(),
                    });
                }
                Err(e) if s.optional => sources.push(ConfiguredSource {
                    source: Box::new(Unavailable { id: s.id.clone(), reason: e.to_string() }),
                    optional: true,
                    plugin: None,
                    plugin_name: s.plugin.clone(),
                }),
                Err(e) => problems.extend(e.into_list()),
            }
        } else {
            let path = s.path.clone().unwrap_or_default();
            files.push((role, path.clone(), loaded.resolve(&path)));
            sources.push(ConfiguredSource {
                source: table_source(loaded, s, &path),
                optional: s.optional,
                plugin: None,
                plugin_name: None,
            });
        }
    }
    // Goalposts read from a file are inputs too (their hash goes to the manifest).
    for step in &c.pipeline.normalize {
        if let Some(toml::Value::String(file)) = step.params.get("goalposts") {
            files.push(("goalposts".into(), file.clone(), loaded.resolve(file)));
        }
    }
    Inputs { units, system, sources, files }
}

/// A panel read from every source, with the sources' notes and the skipped sources.
#[derive(Clone)]
pub(crate) struct LoadedPanel {
    pub panel: Panel,
    pub notes: Vec<LoggedNote>,
    pub skipped: Vec<SkippedSource>,
}

/// Reads every source into a panel of all units (excluded ones included).
pub(crate) fn load_panel(
    units: &[Unit],
    system: &IndicatorSystem,
    sources: &[ConfiguredSource],
    periods: &[i32],
) -> Result<LoadedPanel> {
    let index = UnitIndex::new(units)?;
    let mut builder = PanelBuilder::new(units.to_vec(), periods.to_vec(), system.clone());
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    let mut dropped = Vec::new();
    let mut counts = vec![0usize; system.len()];
    for s in sources {
        let id = s.source.id();
        let wanted: Vec<usize> = (0..system.len()).filter(|&j| system.get(j).source == id).collect();
        if wanted.is_empty() {
            continue;
        }
        let request = SourceRequest { units, unit_index: &index, periods, system, indicators: &wanted };
        match s.source.load(&request) {
            Ok(outcome) => {
                let stage = format!("source:{id}");
                notes.extend(
                    outcome.notes.into_iter().map(|diagnostic| LoggedNote { stage: stage.clone(), diagnostic }),
                );
                for obs in outcome.value {
                    if obs.value.is_finite() {
                        counts[obs.indicator] += 1;
                    }
                    builder.add(obs);
                }
            }
            Err(e) if s.optional => {
                let ids: Vec<String> = wanted.iter().map(|&j| system.get(j).id.clone()).collect();
                notes.push(LoggedNote {
                    stage: format!("source:{id}"),
                    diagnostic: Diagnostic::warning(
                        "source-skipped",
                        format!(
                            "optional source `{id}` failed and was skipped; indicators {} dropped: {e}",
                            ids.join(", ")
                        ),
                    ),
                });
                skipped.push(SkippedSource {
                    source: id.to_string(),
                    plugin: s.plugin_name.clone(),
                    reason: e.to_string(),
                    dropped_indicators: ids,
                });
                dropped.extend(wanted);
            }
            Err(e) => problems.extend(e.into_list()),
        }
    }
    if problems.is_empty() {
        for (j, &n) in counts.iter().enumerate() {
            if n == 0 && !dropped.contains(&j) {
                let ind = system.get(j);
                problems.push(Error::data(
                    format!("indicator `{}`", ind.id),
                    format!("source `{}` gave no value for it in any unit and period", ind.source),
                ));
            }
        }
    }
    match builder.build() {
        Ok(panel) if problems.is_empty() => {
            let panel = if dropped.is_empty() { panel } else { panel.without_indicators(&dropped) };
            if panel.system().is_empty() {
                return Err(Error::data("sources", "no indicator is left after skipping the failed optional sources"));
            }
            Ok(LoadedPanel { panel, notes, skipped })
        }
        Ok(_) => Err(Error::from_list(problems)),
        Err(e) => {
            problems.extend(e.into_list());
            Err(Error::from_list(problems))
        }
    }
}
