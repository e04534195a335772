//! `[output] formats = ["csv", "parquet"]` (cargo feature `parquet`): every CSV table of a run
//! also as `<table>.parquet` beside it, for tools that read columns (pandas, polars, DuckDB,
//! Arrow). A column is Float64 when every cell is empty or a finite number and it is not an
//! identifier (`unit` codes stay text, as in results.xlsx); otherwise text. Empty cells are
//! nulls. Nothing in the file depends on the time, so the same run gives the same bytes.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use resil_core::{Error, Result};

use crate::workbook::is_identifier;

/// The Parquet files of the CSV files among `files` (name, bytes), in their order.
pub fn tables(files: &[(String, Vec<u8>)]) -> Result<Vec<(String, Vec<u8>)>> {
    files
        .iter()
        .filter_map(|(name, bytes)| name.strip_suffix(".csv").map(|stem| (name, stem, bytes)))
        .map(|(name, stem, bytes)| Ok((format!("{stem}.parquet"), table(name, bytes)?)))
        .collect()
}

/// One CSV table as Parquet bytes.
fn table(name: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let fail = |e: String| Error::data(format!("{name} as Parquet"), e);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = reader.headers().map_err(|e| fail(e.to_string()))?.iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> =
        reader.records().collect::<std::result::Result<_, _>>().map_err(|e| fail(e.to_string()))?;
    let cell = |r: &csv::StringRecord, c: usize| r.get(c).unwrap_or("").to_string();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (c, h) in header.iter().enumerate() {
        let numbers: Option<Vec<Option<f64>>> = (!is_identifier(h))
            .then(|| {
                rows.iter()
                    .map(|r| match cell(r, c).trim() {
                        "" => Some(None),
                        t => t.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some),
                    })
                    .collect()
            })
            .flatten();
        match numbers {
            Some(values) => {
                fields.push(Field::new(h, DataType::Float64, true));
                arrays.push(Arc::new(Float64Array::from(values)));
            }
            None => {
                let texts: Vec<Option<String>> =
                    rows.iter().map(|r| Some(cell(r, c)).filter(|t| !t.is_empty())).collect();
                fields.push(Field::new(h, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(texts)));
            }
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| fail(e.to_string()))?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| fail(e.to_string()))?;
    writer.write(&batch).map_err(|e| fail(e.to_string()))?;
    writer.close().map_err(|e| fail(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn numbers_stay_numbers_codes_stay_text_and_empty_cells_are_null() {
        let csv = b"unit,name,period,score\n231100,Heihe,2010,0.25\n232700,Daxing'anling,2010,\n".to_vec();
        let files = vec![("scores.csv".to_string(), csv), ("manifest.json".to_string(), b"{}".to_vec())];
        let out = tables(&files).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "scores.parquet");
        assert_eq!(tables(&files).unwrap(), out, "the same bytes every time");
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &out[0].1).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file.reopen().unwrap()).unwrap().build().unwrap();
        let batch = reader.map(|b| b.unwrap()).next().unwrap();
        let types: Vec<String> =
            batch.schema().fields().iter().map(|f| format!("{}:{}", f.name(), f.data_type())).collect();
        assert_eq!(types, vec!["unit:Utf8", "name:Utf8", "period:Float64", "score:Float64"]);
        assert_eq!(batch.column(0).as_string::<i32>().value(0), "231100");
        let score = batch.column(3).as_primitive::<Float64Type>();
        assert_eq!((score.value(0), score.is_null(1)), (0.25, true));
    }
}
