//! A Parquet table of indicator values (cargo feature `parquet`, arrow-rs): a `.parquet` file or
//! a folder of them read in name order, in wide or long layout like a CSV source. Cells are read
//! as a CSV file would hold them (numbers in shortest round-trip form, nulls empty, so missing)
//! and go through the same table reader; problems name the file, the row group, the row within
//! the file and the column.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt32Type, UInt64Type};
use arrow_array::Array;
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use resil_core::{Error, IndicatorSource, Observation, Outcome, Result, SourceRequest};

use crate::table::{Collected, PeriodFrom, Place, TableReader};
use crate::CsvLayout;

/// A Parquet indicator source.
#[derive(Debug, Clone)]
pub struct ParquetSource {
    pub id: String,
    pub path: PathBuf,
    pub unit_column: String,
    pub period_column: String,
    pub layout: CsvLayout,
}

/// The files of a Parquet `path`: itself, or a folder's `.parquet` files in name order (a folder
/// without any is an error). `resil score` lists its matrices with it too.
pub fn parquet_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::input(path, None, "a folder without .parquet files"));
    }
    Ok(files)
}

/// Cell `i` of `array` as text, as a CSV file would hold it.
fn text(array: &dyn Array, i: usize) -> std::result::Result<String, String> {
    if array.is_null(i) {
        return Ok(String::new());
    }
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => array.as_string_view().value(i).to_string(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(i).to_string(),
        DataType::Float32 => array.as_primitive::<Float32Type>().value(i).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(i).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(i).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(i).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(i).to_string(),
        other => return Err(format!("a {other} column, not text or numbers")),
    })
}

/// One Parquet file as text: the header, the rows (each its 1-based row in the file and its
/// cells) and the first row of each row group.
struct FileText {
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
    group_starts: Vec<u64>,
}

impl ParquetSource {
    fn read_file(&self, file: &Path) -> Result<FileText> {
        let handle = File::open(file).map_err(|e| Error::io(file, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(handle)
            .map_err(|e| Error::input(file, None, format!("not a readable Parquet file: {e}")))?;
        let headers: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        // The first row (1-based) of each row group, for the errors.
        let mut group_starts = Vec::new();
        let mut next = 1u64;
        for group in builder.metadata().row_groups() {
            group_starts.push(next);
            next += group.num_rows() as u64;
        }
        let reader = builder.build().map_err(|e| Error::input(file, None, format!("cannot be read: {e}")))?;
        let mut rows = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| Error::input(file, None, format!("cannot be decoded: {e}")))?;
            let first = rows.len() as u64 + 1;
            for i in 0..batch.num_rows() {
                let cells = (0..batch.num_columns())
                    .map(|c| {
                        text(batch.column(c).as_ref(), i).map_err(|m| {
                            let row = first + i as u64;
                            let place = Place::parquet_row(file, &group_starts, row);
                            Error::data(format!("{place}, column `{}`", headers[c]), m)
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                rows.push((first + i as u64, cells));
            }
        }
        Ok(FileText { headers, rows, group_starts })
    }
}

impl IndicatorSource for ParquetSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<PathBuf> {
        parquet_files(&self.path).unwrap_or_else(|_| vec![self.path.clone()])
    }

    fn load(&self, request: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>> {
        let mut out = Collected::new();
        for file in parquet_files(&self.path)? {
            let FileText { headers, rows, group_starts } = self.read_file(&file)?;
            let table = TableReader {
                path: &file,
                source_id: &self.id,
                unit_column: &self.unit_column,
                period: PeriodFrom::Column(&self.period_column),
                layout: &self.layout,
                place: Place::Parquet { group_starts: &group_starts },
                header_row: 0,
                hint: "",
            };
            table.read(&headers, rows.into_iter().map(Ok), request, &mut out);
        }
        out.problems.finish(&self.path)?;
        Ok(Outcome::new(out.observations))
    }
}
