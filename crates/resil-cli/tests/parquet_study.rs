//! Studies and Parquet (cargo feature `parquet`): a source that is a Parquet table gives the
//! scores of the same study read from the CSV the table was made from, and `formats = ["csv",
//! "parquet"]` writes every table of the run as Parquet too, with the CSV's values.
#![cfg(feature = "parquet")]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

fn mini() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/mini"))
}

/// wide.csv (unit, year, X1, X2) as a Parquet file of two row groups, empty cells as nulls.
fn wide_as_parquet(to: &Path) {
    let mut reader = csv::Reader::from_path(mini().join("wide.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let number = |r: &csv::StringRecord, c: usize| r[c].trim().parse::<f64>().ok();
    let schema = Arc::new(Schema::new(vec![
        Field::new("unit", DataType::Utf8, false),
        Field::new("year", DataType::Int64, false),
        Field::new("X1", DataType::Float64, true),
        Field::new("X2", DataType::Float64, true),
    ]));
    let mut writer = ArrowWriter::try_new(std::fs::File::create(to).unwrap(), schema.clone(), None).unwrap();
    let half = rows.len() / 2;
    for part in [&rows[..half], &rows[half..]] {
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(part.iter().map(|r| r[0].to_string()))),
            Arc::new(Int64Array::from_iter_values(part.iter().map(|r| r[1].trim().parse::<i64>().unwrap()))),
            Arc::new(Float64Array::from(part.iter().map(|r| number(r, 2)).collect::<Vec<_>>())),
            Arc::new(Float64Array::from(part.iter().map(|r| number(r, 3)).collect::<Vec<_>>())),
        ];
        writer.write(&RecordBatch::try_new(schema.clone(), arrays).unwrap()).unwrap();
        writer.flush().unwrap();
    }
    writer.close().unwrap();
}

fn run(config: &Path, out: &Path) -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_resil")).arg("run").arg(config).arg("--out").arg(out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::read_to_string(out.join("scores.csv")).unwrap()
}

#[test]
fn a_parquet_source_scores_like_the_csv_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["mini.toml", "units.csv", "wide.csv", "long.csv"] {
        std::fs::copy(mini().join(name), dir.path().join(name)).unwrap();
    }
    wide_as_parquet(&dir.path().join("wide.parquet"));
    let config = std::fs::read_to_string(dir.path().join("mini.toml")).unwrap();
    let swapped =
        config.replacen("kind = \"csv\"\npath = \"wide.csv\"", "kind = \"parquet\"\npath = \"wide.parquet\"", 1);
    assert_ne!(swapped, config, "the wide source is swapped");
    std::fs::write(dir.path().join("parquet.toml"), swapped).unwrap();
    let from_csv = run(&dir.path().join("mini.toml"), &dir.path().join("out-csv"));
    let from_parquet = run(&dir.path().join("parquet.toml"), &dir.path().join("out-parquet"));
    assert_eq!(from_parquet, from_csv);
}

#[test]
fn a_run_writes_its_tables_as_parquet_with_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["mini.toml", "units.csv", "wide.csv", "long.csv"] {
        std::fs::copy(mini().join(name), dir.path().join(name)).unwrap();
    }
    let config = std::fs::read_to_string(dir.path().join("mini.toml")).unwrap();
    let with_parquet = config.replacen("[output]\n", "[output]\nformats = [\"csv\", \"parquet\"]\n", 1);
    assert_ne!(with_parquet, config);
    std::fs::write(dir.path().join("mini.toml"), with_parquet).unwrap();
    let out = dir.path().join("out");
    let scores = run(&dir.path().join("mini.toml"), &out);
    let file = std::fs::File::open(out.join("scores.parquet")).unwrap();
    let batches: Vec<RecordBatch> = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut csv = csv::Reader::from_reader(scores.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let names: Vec<String> = batches[0].schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, header);
    let score_col = header.iter().position(|h| h == "score").expect("a score column");
    let scores_parquet =
        arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Float64Type>(batches[0].column(score_col));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(scores_parquet.value(i), row[score_col].parse::<f64>().unwrap(), "row {i}");
    }
}
