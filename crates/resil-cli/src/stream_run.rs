//! `resil run CONFIG --stream` (cargo feature `parquet`): a study whose panel is one wide Parquet
//! table too large to hold. The keys (unit and period columns) are read once to check them; the
//! scoring stages are fitted in passes over the row groups; scores, ranks and grades are held,
//! and scores.csv (and scores.parquet) are written row group by row group with the units and
//! periods read back and the scorer's extras remade. What the run refuses is checked by
//! `resil_pipeline::Prepared::stream_plan` before any data is read.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt8Array};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;
use resil_core::chunked::RowChunks;
use resil_pipeline::{Prepared, RowKeys, StreamPlan, StreamedRun};

use crate::parquet_matrix::{open_panel_on_disk, OnDisk, PanelKeys};
use crate::repeats;

/// Runs `prepared` with its panel on disk and writes its outputs into `dir`; returns the files
/// written and a short summary.
pub fn run(prepared: &Prepared, dir: &Path) -> anyhow::Result<(Vec<std::path::PathBuf>, String)> {
    let plan = prepared.stream_plan()?;
    // Before the passes, so that a bad output folder fails at once, not after the whole panel.
    let mut inputs: Vec<std::path::PathBuf> = vec![prepared.loaded.path.clone(), plan.path.clone()];
    inputs.extend(prepared.loaded.parents.iter().map(|(p, _)| p.clone()));
    inputs.extend(prepared.loaded.config.study.units.iter().map(|u| prepared.loaded.resolve(u)));
    resil_pipeline::check_output_dir(dir, &inputs)?;
    let mut disk =
        open_panel_on_disk(&plan.path, &plan.unit_column, &plan.period_column, &plan.columns, plan.imputes())?;
    // A panel whose files record no null (and no empty denominator) needs no imputation passes.
    let plan = if disk.null_cells() == Some(0) { plan.without_holes() } else { plan };
    let (periods, row_units) = checked_keys(prepared, &plan, &disk)?;
    let keys = RowKeys { periods: &periods, units: row_units.as_deref() };
    let run = prepared.run_streamed(&plan, &mut disk, keys);
    disk.finish_progress();
    let run = run?;
    let status = data_status(prepared);
    let formats = &prepared.loaded.config.output.formats;
    let mut names = vec!["scores.csv", "weights.csv", "breaks.json", "manifest.json"];
    if formats.iter().any(|f| f == "parquet") {
        names.push("scores.parquet");
    }
    let units = Units { prepared, plan: &plan };
    let written = resil_report::write_staged(dir, &names, |staging| {
        let fail = |e: anyhow::Error| resil_core::Error::data("scores", format!("{e:#}"));
        let rows = Rows { prepared, plan: &plan, disk: &disk, keys, run: &run, units: &units, status: &status };
        rows.write_csv(&staging.join("scores.csv")).map_err(fail)?;
        if names.contains(&"scores.parquet") {
            rows.write_parquet(&staging.join("scores.parquet")).map_err(fail)?;
        }
        let weights = resil_report::weights_csv(&prepared.system, [("pooled", run.weights.as_slice())])?;
        let breaks = resil_report::breaks_json(
            &run.manifest["pipeline"]["classify"],
            &prepared.grade_labels,
            &run.breaks,
            &status,
        );
        let mut manifest = serde_json::to_vec_pretty(&run.manifest).expect("json values serialise");
        manifest.push(b'\n');
        for (name, bytes) in [("weights.csv", weights), ("breaks.json", breaks), ("manifest.json", manifest)] {
            let path = staging.join(name);
            std::fs::write(&path, bytes).map_err(|e| resil_core::Error::io(&path, e))?;
        }
        Ok(())
    })?;
    Ok((written, summary(prepared, &run)))
}

/// Every row's period index (and its unit's place in the unit list, when a denominator is one of
/// its columns), after checking every unit against the unit list (when there is one), every
/// period against the study's, and that no unit and period appear twice.
fn checked_keys(prepared: &Prepared, plan: &StreamPlan, disk: &OnDisk) -> anyhow::Result<(Vec<u16>, Option<Vec<u32>>)> {
    let study = &prepared.loaded.config.study.periods;
    let with_units = plan.needs_row_units();
    let checked = disk.keys_of_groups(|keys: &PanelKeys| {
        let mut periods = Vec::with_capacity(keys.periods.len());
        let mut hashes = Vec::with_capacity(keys.periods.len());
        let mut units = Vec::new();
        for (i, &period) in keys.periods.iter().enumerate() {
            let id = keys.ids.get(i);
            plan.check_unit(id).map_err(|why| anyhow::anyhow!("{}: {why}", (keys.place)(i)))?;
            if with_units {
                let unit = plan.unit(id).expect("checked against the unit list");
                units.push(u32::try_from(unit).expect("fewer than 2^32 units"));
            }
            periods
                .push(plan.period_index(study, period).map_err(|why| anyhow::anyhow!("{}: {why}", (keys.place)(i)))?);
            hashes.push(key_hash(id, period));
        }
        Ok((periods, hashes, units))
    })?;
    let rows: usize = checked.iter().map(|(p, _, _)| p.len()).sum();
    let (mut periods, mut hashes) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    let mut row_units = with_units.then(|| Vec::with_capacity(rows));
    for (p, h, u) in checked {
        periods.extend(p);
        hashes.extend(h);
        if let Some(all) = &mut row_units {
            all.extend(u);
        }
    }
    // Duplicates by their hashes (8 bytes a row, dropped before the passes).
    let hash = |keys: &PanelKeys, i: usize| key_hash(keys.ids.get(i), keys.periods[i]);
    let key = |keys: &PanelKeys, i: usize| (keys.ids.get(i).trim().to_string(), keys.periods[i]);
    if let Some(((id, period), first, again)) = disk.first_repeat(&repeats::repeated(hashes), hash, key)? {
        bail!("{again}: unit `{id}`, period {period} is also on {first}");
    }
    Ok((periods, row_units))
}

fn key_hash(id: &str, period: i64) -> u64 {
    repeats::stable_hash(&(id.trim(), period))
}

fn data_status(prepared: &Prepared) -> String {
    if prepared.system.synthetic().is_empty() { "no-synthetic-indicators" } else { "contains-synthetic" }.into()
}

/// Names and regions of the unit list's units, when there is one.
struct Units<'a> {
    prepared: &'a Prepared,
    plan: &'a StreamPlan,
}

impl<'a> Units<'a> {
    /// (name, region) of the unit a row names; empty without a unit list.
    fn describe(&self, id: &str) -> (&'a str, &'a str) {
        match self.plan.unit(id) {
            Some(u) => (&self.prepared.units[u].name, &self.prepared.units[u].region),
            None => ("", ""),
        }
    }
}

/// The rows of scores.csv / scores.parquet, made one row group at a time.
struct Rows<'a> {
    prepared: &'a Prepared,
    plan: &'a StreamPlan,
    disk: &'a OnDisk,
    keys: RowKeys<'a>,
    run: &'a StreamedRun,
    units: &'a Units<'a>,
    status: &'a str,
}

/// One row group's outputs: its keys and the scorer's extras.
struct Block {
    range: std::ops::Range<usize>,
    ids: crate::csv_matrix::Ids,
    periods: Vec<i64>,
    extras: Vec<Vec<f64>>,
}

impl Rows<'_> {
    fn header(&self) -> Vec<String> {
        let mut header: Vec<String> =
            ["unit", "name", "region", "period", "score", "rank", "grade", "grade_label"].map(String::from).to_vec();
        header.extend(self.run.fitted.extra_names().iter().cloned());
        header.push("data_status".into());
        header
    }

    /// Every row group's block, made a core's worth at a time and handed to `write` in order.
    fn for_each_block(&self, mut write: impl FnMut(Block) -> anyhow::Result<()>) -> anyhow::Result<()> {
        let blocks = self.disk.blocks();
        let batch = rayon::current_num_threads().max(1);
        for first in (0..blocks.len()).step_by(batch) {
            let made = (first..(first + batch).min(blocks.len()))
                .into_par_iter()
                .map(|k| {
                    let (ids, periods) = self.disk.keys(k)?;
                    let mut extras = Vec::new();
                    self.plan.derived(self.disk, self.keys, self.run.filled.as_ref()).with_chunk(
                        k,
                        &mut |chunk, _| {
                            extras = self.run.fitted.apply(chunk)?.value.extras.into_iter().map(|(_, v)| v).collect();
                            Ok(())
                        },
                    )?;
                    Ok(Block { range: blocks[k].clone(), ids, periods, extras })
                })
                .collect::<anyhow::Result<Vec<Block>>>()?;
            made.into_iter().try_for_each(&mut write)?;
        }
        Ok(())
    }

    fn label(&self, grade: u8) -> &str {
        self.prepared.grade_labels.get(usize::from(grade).wrapping_sub(1)).map_or("", String::as_str)
    }

    fn write_csv(&self, path: &Path) -> anyhow::Result<()> {
        let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
        w.write_record(self.header())?;
        let num = resil_core::decimal::cell;
        self.for_each_block(|b| {
            for (i, row) in b.range.clone().enumerate() {
                let id = b.ids.get(i);
                let (name, region) = self.units.describe(id);
                let grade = self.run.grades[row];
                let mut cells = vec![
                    id.to_string(),
                    name.to_string(),
                    region.to_string(),
                    b.periods[i].to_string(),
                    num(self.run.scores[row]),
                    self.run.ranks[row].to_string(),
                    grade.to_string(),
                    self.label(grade).to_string(),
                ];
                cells.extend(b.extras.iter().map(|e| num(e[i])));
                cells.push(self.status.to_string());
                w.write_record(&cells)?;
            }
            Ok(())
        })?;
        w.into_inner().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?.flush()?;
        Ok(())
    }

    fn write_parquet(&self, path: &Path) -> anyhow::Result<()> {
        let text = |name: &str| Field::new(name, DataType::Utf8, false);
        let number = |name: &str| Field::new(name, DataType::Float64, true);
        let mut fields = vec![
            text("unit"),
            text("name"),
            text("region"),
            Field::new("period", DataType::Int64, false),
            number("score"),
            number("rank"),
            Field::new("grade", DataType::UInt8, false),
            text("grade_label"),
        ];
        fields.extend(self.run.fitted.extra_names().iter().map(|n| number(n)));
        fields.push(text("data_status"));
        let schema = Arc::new(Schema::new(fields));
        let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .set_max_row_group_size(1 << 20)
            .build();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props))?;
        self.for_each_block(|b| {
            let described: Vec<(&str, &str)> = (0..b.ids.len()).map(|i| self.units.describe(b.ids.get(i))).collect();
            let grades = &self.run.grades[b.range.clone()];
            let mut arrays: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from_iter_values((0..b.ids.len()).map(|i| b.ids.get(i)))),
                Arc::new(StringArray::from_iter_values(described.iter().map(|d| d.0))),
                Arc::new(StringArray::from_iter_values(described.iter().map(|d| d.1))),
                Arc::new(Int64Array::from(b.periods)),
                Arc::new(Float64Array::from(self.run.scores[b.range.clone()].to_vec())),
                Arc::new(Float64Array::from(self.run.ranks[b.range.clone()].to_vec())),
                Arc::new(UInt8Array::from(grades.to_vec())),
                Arc::new(StringArray::from_iter_values(grades.iter().map(|&g| self.label(g)))),
            ];
            arrays.extend(b.extras.into_iter().map(|v| Arc::new(Float64Array::from(v)) as ArrayRef));
            arrays.push(Arc::new(StringArray::from_iter_values(std::iter::repeat_n(self.status, grades.len()))));
            writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
            Ok(())
        })?;
        writer.close()?;
        Ok(())
    }
}

/// What the run printed: rows, method, weights, classes, warnings.
fn summary(prepared: &Prepared, run: &StreamedRun) -> String {
    let mut s = format!("{}\n", prepared.loaded.config.study.name);
    s += &format!("{} rows streamed; {}\n", run.scores.len(), run.manifest["study"]["periods"]);
    let mut weights: Vec<(&str, f64)> =
        prepared.system.indicators().iter().map(|i| i.id.as_str()).zip(run.weights.iter().copied()).collect();
    weights.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = weights.iter().take(5).map(|(id, w)| format!("{id} {w:.4}")).collect();
    s += &format!("largest weights: {}\n", top.join(", "));
    for g in &run.breaks {
        let cuts: Vec<String> = g.breaks.cuts.iter().map(|c| format!("{c:.4}")).collect();
        s += &format!("classes ({}): cuts {}\n", g.label, cuts.join(", "));
    }
    for n in run.notes.iter().filter(|n| n.diagnostic.severity != resil_core::Severity::Info) {
        s += &format!("{}: {}\n", n.stage, n.diagnostic.message);
    }
    s
}
