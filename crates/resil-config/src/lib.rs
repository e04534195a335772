//! The TOML configuration of a resil study: schema types, loading, and checks that need no algorithm.
//!
//! Every relative path in a config is resolved against the config file's folder. Method names and
//! their parameters are kept as written (`method` plus a table of parameters); the pipeline's
//! registry turns them into methods, so this crate knows no algorithm.

mod schema;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use resil_core::{Error, Result};

pub use schema::{
    AnalysisConfig, ClassifyConfig, CompareConfig, Config, DiagnosticsConfig, FactorConfig, IndicatorConfig,
    OutputConfig, PipelineConfig, PluginsConfig, PublishedConfig, SensitivityConfig, SourceConfig, SourceLayout,
    StageConfig, Study, VariantConfig, PIPELINE_STAGES,
};

/// The only config version this build reads.
pub const CONFIG_VERSION: u32 = 1;

/// A parsed config with where it came from and the unknown keys found in it.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    /// The exact bytes read, for the manifest's hash.
    pub text: String,
    /// Configs this one `extends`, nearest first, with their exact text.
    pub parents: Vec<(PathBuf, String)>,
    pub config: Config,
    /// Full key paths of keys the schema does not know (`study.nmae`).
    pub unknown_keys: Vec<String>,
}

impl LoadedConfig {
    /// The folder that relative paths are resolved against.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// `p` resolved against the config's folder, with `a/../` folded away for readable messages.
    pub fn resolve(&self, p: impl AsRef<Path>) -> PathBuf {
        let p = p.as_ref();
        if p.is_absolute() {
            return p.to_path_buf();
        }
        let mut out = PathBuf::new();
        for part in self.dir().join(p).components() {
            match part {
                std::path::Component::ParentDir
                    if matches!(out.components().next_back(), Some(std::path::Component::Normal(_))) =>
                {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        if out.as_os_str().is_empty() {
            out.push(".");
        }
        out
    }
}

/// Reads and parses a config file. Under `strict`, unknown keys are errors; otherwise they are
/// returned in `unknown_keys` for the caller to warn about.
pub fn load(path: &Path, strict: bool) -> Result<LoadedConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path, strict)
}

fn parse_table(text: &str, path: &Path) -> Result<toml::Table> {
    text.parse::<toml::Table>().map_err(|e| Error::config(path, "(syntax)", e.to_string().trim_end().to_string()))
}

/// Merges `child` over `parent`: tables merge key by key, except that a table naming a `method`
/// (a pipeline stage) replaces the parent's whole, so that no parameter of another method leaks
/// in; anything else (arrays of tables included) is replaced whole.
pub fn merge(parent: &mut toml::Table, child: toml::Table) {
    for (key, value) in child {
        match (parent.get_mut(&key), value) {
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) if !c.contains_key("method") => merge(p, c),
            (_, value) => {
                parent.insert(key, value);
            }
        }
    }
}

/// Parses config text that was read from `path`, following `extends = "other.toml"` (resolved
/// against this file's folder): the other file is read first and this one merged over it.
pub fn parse(text: &str, path: &Path, strict: bool) -> Result<LoadedConfig> {
    let mut table = parse_table(text, path)?;
    let mut parents = Vec::new();
    let mut current = path.to_path_buf();
    while let Some(parent) = table.remove("extends") {
        let Some(name) = parent.as_str() else {
            return Err(Error::config(&current, "extends", "must be a file name"));
        };
        let parent_path = current.parent().unwrap_or(Path::new(".")).join(name);
        if parents.len() > 8 || parents.iter().any(|(p, _)| *p == parent_path) {
            return Err(Error::config(&current, "extends", "the chain of `extends` loops or is deeper than 8"));
        }
        let parent_text = std::fs::read_to_string(&parent_path).map_err(|e| {
            Error::config(&current, "extends", format!("cannot read `{name}` ({}): {e}", parent_path.display()))
        })?;
        let mut base = parse_table(&parent_text, &parent_path)?;
        let grandparent = base.remove("extends");
        merge(&mut base, table);
        table = base;
        if let Some(g) = grandparent {
            table.insert("extends".into(), g);
        }
        parents.push((parent_path.clone(), parent_text));
        current = parent_path;
    }
    let problems = element_problems(&table, path);
    if !problems.is_empty() {
        return Err(Error::from_list(problems));
    }
    let mut unknown = Vec::new();
    let config: Config =
        serde_ignored::deserialize(toml::Value::Table(table), |p| unknown.push(p.to_string().replace(".?", "")))
            .map_err(|e| Error::config(path, "(schema)", e.to_string().trim_end().to_string()))?;
    unknown.sort();
    if strict && !unknown.is_empty() {
        let errors = unknown.iter().map(|k| Error::config(path, k.clone(), "unknown key")).collect();
        return Err(Error::from_list(errors));
    }
    let loaded =
        LoadedConfig { path: path.to_path_buf(), text: text.to_string(), parents, config, unknown_keys: unknown };
    let problems = check(&loaded);
    if !problems.is_empty() {
        return Err(Error::from_list(problems));
    }
    Ok(loaded)
}

/// One problem per table of the config that does not fit the schema (a missing `polarity`, a
/// stage without `method`), each at its key path (`indicator[X7].polarity`), all at once: the
/// whole file is deserialised only when each part is.
fn element_problems(table: &toml::Table, path: &Path) -> Vec<Error> {
    use serde::de::DeserializeOwned;
    fn one<T: DeserializeOwned>(value: &toml::Value, key: String, path: &Path, out: &mut Vec<Error>) {
        if let Err(e) = T::deserialize(value.clone()) {
            let message = e.to_string().trim_end().to_string();
            // "missing field `polarity`": name the key itself.
            let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
            match missing {
                Some(field) => out.push(Error::config(path, format!("{key}.{field}"), "missing (required)")),
                None => out.push(Error::config(path, key, message)),
            }
        }
    }
    let mut out = Vec::new();
    let label = |t: &toml::Value, i: usize| t.get("id").and_then(|v| v.as_str()).map_or(i.to_string(), String::from);
    for (name, array) in [("indicator", "indicator"), ("source", "source")] {
        if let Some(items) = table.get(array).and_then(|v| v.as_array()) {
            for (i, item) in items.iter().enumerate() {
                let key = format!("{name}[{}]", label(item, i));
                match name {
                    "indicator" => one::<IndicatorConfig>(item, key, path, &mut out),
                    _ => one::<SourceConfig>(item, key, path, &mut out),
                }
            }
        }
    }
    match table.get("study") {
        Some(study) => one::<Study>(study, "study".into(), path, &mut out),
        None => out.push(Error::config(path, "study", "missing (required)")),
    }
    match table.get("pipeline").and_then(|v| v.as_table()) {
        Some(pipeline) => {
            for stage in ["impute", "weight", "rank"] {
                match pipeline.get(stage) {
                    Some(v) => one::<StageConfig>(v, format!("pipeline.{stage}"), path, &mut out),
                    None => out.push(Error::config(path, format!("pipeline.{stage}"), "missing (required)")),
                }
            }
            match pipeline.get("classify") {
                Some(v) => one::<ClassifyConfig>(v, "pipeline.classify".into(), path, &mut out),
                None => out.push(Error::config(path, "pipeline.classify", "missing (required)")),
            }
            match pipeline.get("normalize").and_then(|v| v.as_array()) {
                Some(steps) => {
                    for (i, step) in steps.iter().enumerate() {
                        one::<StageConfig>(step, format!("pipeline.normalize[{i}]"), path, &mut out);
                    }
                }
                None => out.push(Error::config(path, "pipeline.normalize", "missing (required): a list of steps")),
            }
        }
        None => out.push(Error::config(path, "pipeline", "missing (required)")),
    }
    out
}

/// Checks that need no data and no algorithm: version, periods, unique ids, references between
/// sections. Returns every problem found.
pub fn check(loaded: &LoadedConfig) -> Vec<Error> {
    let c = &loaded.config;
    let file = &loaded.path;
    let mut problems = Vec::new();
    let mut err = |key: String, msg: String| problems.push(Error::config(file, key, msg));
    if c.version != CONFIG_VERSION {
        err("version".into(), format!("this build reads version {CONFIG_VERSION}, the file says {}", c.version));
    }
    if c.study.periods.is_empty() {
        err("study.periods".into(), "at least one period is needed".into());
    }
    if c.study.periods.windows(2).any(|w| w[0] >= w[1]) {
        err("study.periods".into(), "periods must be strictly increasing".into());
    }
    // Thresholds out of range would flag every indicator or pair, or none, without a word.
    let d = &c.diagnostics;
    if !(d.correlation_threshold > 0.0 && d.correlation_threshold <= 1.0) {
        err(
            "diagnostics.correlation-threshold".into(),
            format!("must be in (0, 1] (|r| is compared), got {}", d.correlation_threshold),
        );
    }
    if !(d.skewness.is_finite() && d.skewness >= 0.0) {
        err(
            "diagnostics.skewness".into(),
            format!("must be a finite number >= 0 (|skewness| is compared), got {}", d.skewness),
        );
    }
    if !d.kurtosis.is_finite() {
        err("diagnostics.kurtosis".into(), format!("must be finite, got {}", d.kurtosis));
    }
    let mut formats = BTreeSet::new();
    for (i, f) in c.output.formats.iter().enumerate() {
        if !formats.insert(f.as_str()) {
            err(format!("output.formats[{i}]"), format!("`{f}` is listed twice"));
        }
    }
    // A blank study name titles every output and the report; a blank source of published
    // figures would set them beside the run uncited.
    if c.study.name.trim().is_empty() {
        err("study.name".into(), "blank: it titles every output and the report".into());
    }
    if let Some(p) = &c.published {
        if p.source.trim().is_empty() {
            err("published.source".into(), "blank: cite the publication the figures come from".into());
        }
    }
    // A blank region would group its units under a nameless region in every regional table.
    for (province, region) in &c.study.regions {
        if region.trim().is_empty() {
            err(format!("study.regions.{province}"), "empty region name".into());
        }
    }
    let mut source_ids = BTreeSet::new();
    for (i, s) in c.sources.iter().enumerate() {
        if !source_ids.insert(s.id.as_str()) {
            err(format!("source[{i}].id"), format!("duplicate source id `{}`", s.id));
        }
        match s.kind.as_str() {
            "csv" | "xlsx" | "parquet" if s.path.is_none() => {
                err(format!("source[{i}].path"), format!("a {} source needs a `path`", s.kind))
            }
            "plugin" if s.plugin.is_none() => {
                err(format!("source[{i}].plugin"), "a plugin source needs `plugin`, the plugin's name".into())
            }
            "csv" | "plugin" | "xlsx" | "parquet" => {}
            other => err(
                format!("source[{i}].kind"),
                format!("unknown source kind `{other}` (known: csv, xlsx, parquet, plugin)"),
            ),
        }
        if s.kind != "xlsx" {
            for (key, given) in [
                ("sheet", s.sheet.is_some()),
                ("period-sheets", s.period_sheets),
                ("header-row", s.header_row.is_some()),
            ] {
                if given {
                    err(
                        format!("source[{i}].{key}"),
                        format!("belongs to a workbook (kind = \"xlsx\"), not a {} source", s.kind),
                    );
                }
            }
        }
        if s.period_sheets && s.sheet.is_some() {
            err(format!("source[{i}].sheet"), "give either `sheet` or `period-sheets = true`, not both".into());
        }
        if s.header_row == Some(0) {
            err(format!("source[{i}].header-row"), "rows count from 1".into());
        }
        if s.layout == SourceLayout::Long && (s.indicator_column.is_none() || s.value_column.is_none()) {
            err(format!("source[{i}]"), "a long layout needs `indicator-column` and `value-column`".into());
        }
    }
    if c.indicators.is_empty() {
        err("indicator".into(), "at least one indicator is needed".into());
    }
    for (i, f) in c.output.formats.iter().enumerate() {
        if !["csv", "xlsx", "parquet"].contains(&f.as_str()) {
            err(format!("output.formats[{i}]"), format!("unknown format `{f}` (known: csv, xlsx, parquet)"));
        }
    }
    if !c.output.formats.iter().any(|f| f == "csv") {
        err(
            "output.formats".into(),
            "must include \"csv\": the report and `resil diff` read the CSV tables; add \"xlsx\" beside it".into(),
        );
    }
    // A sub-system belongs to one system: the hierarchy's levels are scored by name.
    let mut system_of: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for ind in &c.indicators {
        match system_of.get(ind.subsystem.as_str()) {
            Some(&sys) if sys != ind.system => err(
                format!("indicator[{}].system", ind.id),
                format!(
                    "sub-system `{}` is under system `{sys}` elsewhere and under `{}` here; a sub-system belongs to one system",
                    ind.subsystem, ind.system
                ),
            ),
            _ => {
                system_of.insert(&ind.subsystem, &ind.system);
            }
        }
    }
    let mut indicator_ids = BTreeSet::new();
    for (i, ind) in c.indicators.iter().enumerate() {
        // Blank, these would name a column, a chart's series or a level of the hierarchy with
        // nothing (a blank sub-system had been scored as a nameless level).
        for (field, value) in
            [("id", &ind.id), ("name", &ind.name), ("system", &ind.system), ("subsystem", &ind.subsystem)]
        {
            if value.trim().is_empty() {
                err(format!("indicator[{i}].{field}"), "blank: every indicator needs one".into());
            }
        }
        if !indicator_ids.insert(ind.id.as_str()) {
            err(format!("indicator[{i}].id"), format!("duplicate indicator id `{}`", ind.id));
        }
        if !source_ids.contains(ind.source.as_str()) {
            err(
                format!("indicator[{i}].source"),
                format!("indicator `{}` names source `{}`, which is not defined", ind.id, ind.source),
            );
        }
    }
    for (i, s) in c.sources.iter().enumerate() {
        for id in s.columns.keys() {
            if !indicator_ids.contains(id.as_str()) {
                err(format!("source[{i}].columns.{id}"), format!("`{id}` is not a declared indicator"));
            }
        }
    }
    let own = pipeline_problems(file, &c.pipeline, &c.indicators);
    let mut names = BTreeSet::new();
    for (i, v) in c.compare.variants.iter().enumerate() {
        if v.name.trim().is_empty() {
            err(format!("compare.variant[{i}].name"), "blank: the comparison's rows are named by it".into());
        }
        if !names.insert(v.name.as_str()) {
            err(format!("compare.variant[{i}].name"), format!("duplicate variant name `{}`", v.name));
        }
        // While the config's own pipeline fails, each variant merged over it would repeat that.
        if own.is_empty() {
            if let Err(e) = loaded.with_pipeline_override(&v.pipeline) {
                err(format!("compare.variant[{i}].pipeline"), e.to_string());
            }
        }
    }
    problems.extend(own);
    problems
}

/// The pipeline's own rules, for a config and for every pipeline merged over it (compare
/// variants, sensitivity levels, the explorer, Python's `run(pipeline=...)`): steps on some
/// indicators only where a step can be, at least one normalisation, grade labels.
pub fn pipeline_problems(file: &Path, pipeline: &PipelineConfig, indicators: &[IndicatorConfig]) -> Vec<Error> {
    let mut problems = Vec::new();
    let mut err = |key: String, msg: String| problems.push(Error::config(file, key, msg));
    // Only steps that transform columns one by one can apply to some indicators only.
    let stages_with_subsets: Vec<(String, &StageConfig)> = pipeline
        .normalize
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("pipeline.normalize[{i}]"), s))
        .chain(pipeline.treat.iter().map(|s| ("pipeline.treat".to_string(), s)))
        .collect();
    for (key, stage) in &stages_with_subsets {
        for id in &stage.indicators {
            if !indicators.iter().any(|i| i.id == *id) {
                err(format!("{key}.indicators"), format!("`{id}` is not a declared indicator"));
            }
        }
    }
    for (key, stage) in [
        ("pipeline.impute", &pipeline.impute),
        ("pipeline.weight", &pipeline.weight),
        ("pipeline.rank", &pipeline.rank),
        ("pipeline.classify", &pipeline.classify.stage),
    ] {
        if !stage.indicators.is_empty() {
            err(format!("{key}.indicators"), "only normalize and treat steps apply to some indicators only".into());
        }
    }
    if pipeline.normalize.is_empty() {
        err("pipeline.normalize".into(), "at least one normalisation step is needed".into());
    }
    let labels = &pipeline.classify.labels;
    // Grades are read by label in every table, map legend and transition matrix.
    let mut seen = BTreeSet::new();
    for (i, label) in labels.iter().enumerate() {
        if label.trim().is_empty() {
            err(format!("pipeline.classify.labels[{i}]"), "empty label".into());
        } else if !seen.insert(label.trim()) {
            err(format!("pipeline.classify.labels[{i}]"), format!("`{label}` labels two grades"));
        }
    }
    if !labels.is_empty() {
        if let Some(k) = pipeline.classify.stage.params.get("k").and_then(|v| v.as_integer()) {
            if labels.len() as i64 != k {
                err("pipeline.classify.labels".into(), format!("{} labels for k = {k} classes", labels.len()));
            }
        }
    }
    problems
}

impl LoadedConfig {
    /// This config with `overrides` merged over its pipeline (same rule as `extends`), for a
    /// method swap of `[[compare.variant]]`.
    pub fn with_pipeline_override(&self, overrides: &toml::Table) -> Result<LoadedConfig> {
        let mut table = match toml::Value::try_from(&self.config.pipeline) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(Error::config(&self.path, "pipeline", "cannot be re-read for a variant")),
        };
        merge(&mut table, overrides.clone());
        // The config's own pipeline re-read has no unknown keys, so any found is the override's:
        // a misspelt stage would leave the variant equal to the config, unseen.
        let mut unknown = Vec::new();
        let pipeline: PipelineConfig =
            serde_ignored::deserialize(toml::Value::Table(table), |p| unknown.push(p.to_string().replace(".?", "")))
                .map_err(|e| Error::config(&self.path, "compare.variant.pipeline", e.to_string()))?;
        if !unknown.is_empty() {
            let stages = PIPELINE_STAGES.join(", ");
            return Err(Error::from_list(
                unknown
                    .into_iter()
                    .map(|k| {
                        Error::config(
                            &self.path,
                            "pipeline",
                            format!("unknown key `{k}`: it sets nothing (stages: {stages})"),
                        )
                    })
                    .collect(),
            ));
        }
        let problems = pipeline_problems(&self.path, &pipeline, &self.config.indicators);
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        let mut out = self.clone();
        out.config.pipeline = pipeline;
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
