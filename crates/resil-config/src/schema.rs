//! The serde types of the config file, kebab-case keys, one struct per table.

use std::collections::BTreeMap;

use resil_core::{Polarity, Provenance, Scope};
use serde::{Deserialize, Serialize};

/// The whole config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    pub version: u32,
    pub study: Study,
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceConfig>,
    #[serde(rename = "indicator", default)]
    pub indicators: Vec<IndicatorConfig>,
    pub pipeline: PipelineConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub plugins: PluginsConfig,
    #[serde(rename = "analysis", default)]
    pub analyses: Vec<AnalysisConfig>,
    #[serde(default)]
    pub compare: CompareConfig,
    #[serde(default)]
    pub diagnostics: DiagnosticsConfig,
    #[serde(default)]
    pub published: Option<PublishedConfig>,
    #[serde(default)]
    pub sensitivity: Option<SensitivityConfig>,
}

/// `[sensitivity]`: the uncertain choices of the study (`[[sensitivity.factor]]`) that
/// `resil sensitivity` samples on a Saltelli design, and how the results are summarised. The
/// factors' own keys are checked by resil-pipeline's `sensitivity` module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct SensitivityConfig {
    /// Base points N of the design: N (k + 2) evaluations for k factors.
    pub draws: usize,
    /// Seeds the design's digital shift and the bootstrap.
    pub seed: u64,
    /// The output whose Sobol indices are estimated: `mean-rank-shift` (one scalar per
    /// evaluation) or `rank` (that, and the rank of every unit and period).
    pub output: String,
    /// Report the probability of a rank at or above this.
    pub top_k: usize,
    /// Bootstrap resamples for the indices' intervals, and their level.
    pub bootstrap: usize,
    pub confidence: f64,
    /// Also re-run the config's own pipeline without each indicator and each sub-system.
    pub leave_one_out: bool,
    /// Where `resil sensitivity` writes (default: `<output dir>/sensitivity`).
    pub dir: Option<String>,
    #[serde(rename = "factor")]
    pub factors: Vec<FactorConfig>,
}

impl Default for SensitivityConfig {
    fn default() -> Self {
        SensitivityConfig {
            draws: 512,
            seed: 1,
            output: "mean-rank-shift".into(),
            top_k: 10,
            bootstrap: 200,
            confidence: 0.95,
            leave_one_out: true,
            dir: None,
            factors: Vec::new(),
        }
    }
}

/// `[[sensitivity.factor]]`: one uncertain input: a `name`, a `kind` (`weights`, `method`,
/// `parameter`, `exclude`) and the kind's own keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FactorConfig {
    pub name: String,
    pub kind: String,
    #[serde(flatten)]
    pub params: toml::Table,
}

/// `[published]`: figures a publication reports for this study (a CSV table: id, statistic,
/// period, base_period, region, units, grade, value, measure, sentence), which every run shows
/// beside its own values of the same statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PublishedConfig {
    /// The figures table.
    pub figures: String,
    /// The publication, as it should be cited.
    pub source: String,
    /// A further reason the run's values differ from the publication's, shown with them.
    #[serde(default)]
    pub note: String,
}

/// `[diagnostics]`: thresholds of the indicator checks written to indicators.csv and
/// correlations.csv (entropy weights follow skew and redundancy, so both are worth a look).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct DiagnosticsConfig {
    /// Flag pairs of indicators with |Pearson r| at or above this.
    pub correlation_threshold: f64,
    /// Flag indicators with |skewness| above `skewness` and kurtosis above `kurtosis` (COINr's rule).
    pub skewness: f64,
    pub kurtosis: f64,
}

impl Default for DiagnosticsConfig {
    fn default() -> Self {
        DiagnosticsConfig { correlation_threshold: 0.9, skewness: 2.0, kurtosis: 3.5 }
    }
}

/// `[compare]`: method swaps that `resil compare` runs beside the config's own pipeline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CompareConfig {
    /// Where `resil compare` writes (default: `<output dir>/compare`).
    pub dir: Option<String>,
    #[serde(rename = "variant", default)]
    pub variants: Vec<VariantConfig>,
}

/// `[[compare.variant]]`: a name and a partial `[pipeline]` merged over the config's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct VariantConfig {
    pub name: String,
    #[serde(default)]
    pub pipeline: toml::Table,
}

/// `[[analysis]]`: an analysis of the run's results: `kind` (regions, moran, lisa, trend,
/// transitions, obstacles), an optional `id` naming its output files (default: the kind), and
/// the analysis's own parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AnalysisConfig {
    pub kind: String,
    pub id: Option<String>,
    #[serde(flatten)]
    pub params: toml::Table,
}

/// `[plugins]`: the only folders plugin libraries are loaded from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PluginsConfig {
    #[serde(default)]
    pub dirs: Vec<String>,
}

/// `[study]`: what is studied, when, and where the unit list is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Study {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub periods: Vec<i32>,
    /// CSV of units: id, name, province and optional coordinates, neighbours, aliases, excluded.
    /// Required in memory; `resil run --stream` takes the units from the panel when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Province -> region; when empty, a unit's region is its province.
    #[serde(default)]
    pub regions: BTreeMap<String, String>,
}

/// How a CSV source lays out its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceLayout {
    /// One row per unit and period, one column per indicator.
    #[default]
    Wide,
    /// One row per unit, period and indicator.
    Long,
}

/// `[[source]]`: where indicator values come from: a CSV table (`kind = "csv"`, `path`), a
/// workbook (`kind = "xlsx"`, also .xls and .ods: `path`, `sheet` or `period-sheets`,
/// `header-row`), a Parquet table (`kind = "parquet"`, `path`: a file or a folder of files; needs
/// resil built with `--features parquet`) or a plugin (`kind = "plugin"`, `plugin`, `data-dir`,
/// `params`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SourceConfig {
    pub id: String,
    pub kind: String,
    /// CSV: the table.
    pub path: Option<String>,
    /// Plugin: its name (the library `NAME.so` or `libNAME.so` in a plugin folder).
    pub plugin: Option<String>,
    /// Plugin: the folder it reads its tables from.
    pub data_dir: Option<String>,
    /// Plugin: its parameters, checked by the plugin.
    #[serde(default)]
    pub params: toml::Table,
    /// A failing optional source is skipped (its indicators dropped) and the skip recorded.
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub layout: SourceLayout,
    /// Workbook: the sheet to read (default: the first), with a period column.
    pub sheet: Option<String>,
    /// Workbook: read every sheet named by a period of the study, each row of it that period.
    #[serde(default)]
    pub period_sheets: bool,
    /// Workbook: the 1-based row of the header, below any title rows (default 1).
    pub header_row: Option<u64>,
    #[serde(default = "default_unit_column")]
    pub unit_column: String,
    #[serde(default = "default_period_column")]
    pub period_column: String,
    pub indicator_column: Option<String>,
    pub value_column: Option<String>,
    /// Wide layout: indicator id -> column header, where they differ.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// How the file was made, for the manifest.
    #[serde(default)]
    pub note: String,
    /// The provenance of every indicator the source provides, unless the indicator names its own:
    /// swapping a synthetic table for a real one is then one `[[source]]` change.
    pub provenance: Option<Provenance>,
}

fn default_unit_column() -> String {
    "unit".into()
}

fn default_period_column() -> String {
    "period".into()
}

/// `[[indicator]]`: one indicator of the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct IndicatorConfig {
    pub id: String,
    pub name: String,
    /// Unit of measurement, free text (`%`, `billion RMB`).
    #[serde(default)]
    pub unit: String,
    pub system: String,
    pub subsystem: String,
    pub polarity: Polarity,
    pub source: String,
    /// Divide every value by this: another indicator's id, or a numeric column of the unit list
    /// (`Den_GDP`), so that per-capita rates need no preprocessing.
    pub denominator: Option<String>,
    /// How the values were made; when absent, the source's `provenance`.
    pub provenance: Option<Provenance>,
    #[serde(default)]
    pub note: String,
}

/// A pipeline stage: a method name, its scope, and the method's own parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct StageConfig {
    pub method: String,
    #[serde(default)]
    pub scope: Scope,
    /// normalize and treat steps: the indicators the step applies to (default: all); the others
    /// pass through unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// Every other key of the table: the method's parameters, checked by the method.
    #[serde(flatten)]
    pub params: toml::Table,
}

/// `[pipeline.classify]`: a stage plus the grade labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ClassifyConfig {
    /// Grade names from the lowest class up; empty for numbers only.
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(flatten)]
    pub stage: StageConfig,
}

/// The keys of `[pipeline]`, the stages in the order they run.
pub const PIPELINE_STAGES: [&str; 6] = ["impute", "treat", "normalize", "weight", "rank", "classify"];

/// `[pipeline]`: the stages in the order they run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PipelineConfig {
    pub impute: StageConfig,
    /// Optional outlier treatment before normalisation (`method = "winsorise"`).
    pub treat: Option<StageConfig>,
    /// A chain of normalisation steps, applied in order (z-score, then min-max, say).
    pub normalize: Vec<StageConfig>,
    pub weight: StageConfig,
    pub rank: StageConfig,
    pub classify: ClassifyConfig,
}

/// `[output]`: where the run writes, and in which formats (`csv` always; `xlsx` adds every
/// table as a sheet of one workbook, results.xlsx; `parquet`, with resil built with that feature,
/// every table also as `<table>.parquet`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct OutputConfig {
    pub dir: String,
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
}

fn default_formats() -> Vec<String> {
    vec!["csv".into()]
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig { dir: "out".into(), formats: default_formats() }
    }
}
