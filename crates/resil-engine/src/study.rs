//! `resil run --engine`: a study's scoring stages fitted on the engine. The run hands over its
//! panel (after imputation and treatment) as a matrix; it is written as a Parquet file in a
//! scratch folder, registered as the table `matrix`, and the fit passes run as aggregate plans
//! over it, as for `resil score --engine`. The run applies the fitted stages itself.

use std::path::PathBuf;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ident, ParquetReadOptions};
use resil_core::chunked::PassState;
use resil_core::{IndicatorSystem, Matrix};
use resil_pipeline::{ChunkedStages, ScoreStages};

use crate::engine::{fit_passes, session, Engine};
use crate::functions::Job;

/// Rows per row group of the scratch file (and so per task of the engine).
const ROWS_PER_GROUP: usize = 65_536;

/// The engine a run fits its scoring stages on.
#[derive(Debug, Clone)]
pub struct EngineFit {
    engine: Engine,
    /// The engine's name as given (`datafusion`, `ballista://HOST:PORT`).
    name: String,
    /// Where the scratch Parquet file goes: a folder every executor can read (default: the
    /// system's temporary folder, which only executors on this machine can).
    scratch: Option<PathBuf>,
}

impl EngineFit {
    pub fn new(name: &str, scratch: Option<PathBuf>) -> std::result::Result<Self, String> {
        Ok(EngineFit { engine: name.parse()?, name: name.to_string(), scratch })
    }
}

impl resil_pipeline::FitEngine for EngineFit {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn fit(
        &self,
        system: &IndicatorSystem,
        stages: &ScoreStages,
        matrix: &Matrix,
        row_place: resil_core::RowPlace<'_>,
    ) -> resil_core::Result<Vec<Vec<PassState>>> {
        let place = format!("--engine {}", self.name);
        let failed = |e: &dyn std::fmt::Display| resil_core::Error::data(place.clone(), e.to_string());
        let chunked = ChunkedStages::new(system, stages)?
            .ok_or_else(|| failed(&format!("{} (those that do: docs/scale.md)", ChunkedStages::why_not(stages))))?;
        let names: Vec<String> = system.indicators().iter().map(|i| i.id.clone()).collect();
        let dir = match &self.scratch {
            Some(d) => tempfile::Builder::new().prefix("resil-run-").tempdir_in(d),
            None => tempfile::Builder::new().prefix("resil-run-").tempdir(),
        }
        .map_err(|e| failed(&format!("scratch folder: {e}")))?;
        let file = dir.path().join("matrix.parquet");
        write_parquet(&file, &names, matrix, row_place).map_err(|e| failed(&format!("{}: {e}", file.display())))?;
        let mut job = Job {
            names: names.clone(),
            polarities: system.polarities(),
            stages: stages.clone(),
            states: Vec::new(),
            stage: 0,
            pass: 0,
            outputs: Vec::new(),
            id_label: None,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| failed(&e))?;
        runtime
            .block_on(async {
                let ctx = session(&self.engine).await?;
                let path = file.to_str().ok_or_else(|| crate::engine::failed("the scratch path is not UTF-8"))?;
                ctx.register_parquet("matrix", path, ParquetReadOptions::default()).await?;
                let columns: Vec<_> = names.iter().map(ident).collect();
                fit_passes(&ctx, &chunked, &mut job, "place", &columns, &|e| e).await
            })
            .map_err(|e| failed(&e))
    }
}

/// The matrix as Parquet: a `place` column (each row's unit and period: its id, which orders the
/// engine's merge and names the row in a refusal), then one float column per indicator.
fn write_parquet(
    path: &std::path::Path,
    names: &[String],
    matrix: &Matrix,
    place: resil_core::RowPlace<'_>,
) -> datafusion::error::Result<()> {
    let mut fields = vec![Field::new("place", DataType::Utf8, false)];
    fields.extend(names.iter().map(|n| Field::new(n, DataType::Float64, true)));
    let schema = Arc::new(Schema::new(fields));
    let file = std::fs::File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None)?;
    for start in (0..matrix.nrows()).step_by(ROWS_PER_GROUP) {
        let end = (start + ROWS_PER_GROUP).min(matrix.nrows());
        let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values((start..end).map(place)))];
        columns.extend(
            (0..matrix.ncols())
                .map(|j| Arc::new(Float64Array::from(matrix.column(j)[start..end].to_vec())) as ArrayRef),
        );
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
        writer.flush()?;
    }
    writer.close()?;
    Ok(())
}
