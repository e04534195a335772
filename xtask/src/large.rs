//! `cargo xtask gen-large [ROWS] [--panel] [--out FILE]`: a synthetic decision matrix in Parquet
//! for the out-of-core measurements of `resil score --stream` (default 2e7 rows, written to
//! target/large/matrix-ROWS.parquet). An id column `a0, a1, ...` and 30 criteria drawn uniformly
//! from [1, 100) by a seeded ChaCha8 stream, row groups of 65,536 rows, Snappy; written to a
//! temporary file and renamed, so a failed run leaves no half file (a killed one leaves the
//! hidden temporary file). With `--panel`, a study panel for `resil run --stream` instead
//! (target/large/panel-ROWS.parquet): columns `unit`
//! (`a0, a0, a1, a1, ...`), `year` (2015, 2020 by turns) and the same 30 numbers, with a config
//! beside it (panel-ROWS.toml) that runs it as min-max / entropy / TOPSIS / Jenks (k = 5),
//! every fourth indicator a cost. The arrow-rs crates are behind xtask's `parquet` feature;
//! without it, `gen-large` runs xtask again with it.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};

/// Criteria per row, as in the side-by-side `topsis` task.
const CRITERIA: usize = 30;
/// Rows per row group (and per chunk of `resil score --stream`).
const GROUP_ROWS: usize = 1 << 16;

/// The study periods of a `--panel` file: each unit has a row in each, in this order.
const YEARS: [i64; 2] = [2015, 2020];

pub fn generate(rows: usize, out: &Path, panel: bool) -> anyhow::Result<()> {
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let mut fields = if panel {
        vec![Field::new("unit", DataType::Utf8, false), Field::new("year", DataType::Int64, false)]
    } else {
        vec![Field::new("id", DataType::Utf8, false)]
    };
    fields.extend((0..CRITERIA).map(|j| Field::new(format!("c{j}"), DataType::Float64, false)));
    let schema = Arc::new(Schema::new(fields));
    let tmp = dir.join(format!(".{}.tmp", out.file_name().and_then(|n| n.to_str()).unwrap_or("matrix")));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(GROUP_ROWS)
        .set_dictionary_enabled(false)
        .build();
    let file = File::create(&tmp).with_context(|| tmp.display().to_string())?;
    // A failed write (a full disk, say) removes its half file; a killed run cannot.
    write_rows(file, &schema, props, rows, panel).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    std::fs::rename(&tmp, out).with_context(|| out.display().to_string())?;
    println!("{}", out.display());
    if panel {
        let config = out.with_extension("toml");
        std::fs::write(&config, panel_config(rows, out))?;
        println!("{}", config.display());
    }
    Ok(())
}

/// The `rows` rows into `file`, row group by row group.
fn write_rows(
    file: File,
    schema: &Arc<Schema>,
    props: WriterProperties,
    rows: usize,
    panel: bool,
) -> anyhow::Result<()> {
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props))?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    for start in (0..rows).step_by(GROUP_ROWS) {
        let end = (start + GROUP_ROWS).min(rows);
        let mut columns: Vec<Vec<f64>> = (0..CRITERIA).map(|_| Vec::with_capacity(end - start)).collect();
        for _ in start..end {
            for column in &mut columns {
                column.push(rng.gen_range(1.0..100.0));
            }
        }
        let mut arrays: Vec<ArrayRef> = if panel {
            vec![
                Arc::new(StringArray::from_iter_values((start..end).map(|i| format!("a{}", i / YEARS.len())))),
                Arc::new(Int64Array::from_iter_values((start..end).map(|i| YEARS[i % YEARS.len()]))),
            ]
        } else {
            vec![Arc::new(StringArray::from_iter_values((start..end).map(|i| format!("a{i}"))))]
        };
        arrays.extend(columns.into_iter().map(|c| Arc::new(Float64Array::from(c)) as ArrayRef));
        writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
        if start / GROUP_ROWS % 32 == 31 {
            eprintln!("{end} of {rows} rows");
        }
    }
    writer.close()?;
    Ok(())
}

/// The config of a `--panel` file: its 30 columns as indicators, pooled min-max, entropy,
/// TOPSIS and five Jenks classes, written beside it.
fn panel_config(rows: usize, panel: &Path) -> String {
    let file = panel.file_name().and_then(|n| n.to_str()).unwrap_or("panel.parquet");
    let years: Vec<String> = YEARS.iter().map(i64::to_string).collect();
    let mut text = format!(
        "# Made by `cargo xtask gen-large {rows} --panel`: SYNTHETIC uniform numbers, for measuring\n\
         # `resil run --stream` on a large panel; not data about anything.\n\
         version = 1\n\n[study]\nname = \"Synthetic panel of {rows} rows (gen-large)\"\nperiods = [{}]\n\n\
         [[source]]\nid = \"panel\"\nkind = \"parquet\"\npath = \"{file}\"\nperiod-column = \"year\"\nprovenance = \"synthetic\"\n",
        years.join(", ")
    );
    for j in 0..CRITERIA {
        let polarity = if j % 4 == 3 { "-" } else { "+" };
        text += &format!(
            "\n[[indicator]]\nid = \"c{j}\"\nname = \"criterion {j}\"\nsystem = \"s{}\"\nsubsystem = \"g{}\"\npolarity = \"{polarity}\"\nsource = \"panel\"\n",
            j / 10,
            j / 5
        );
    }
    text += "\n[pipeline]\nimpute = { method = \"linear-time\" }\nnormalize = [{ method = \"minmax\" }]\n\
             weight = { method = \"entropy\" }\nrank = { method = \"topsis\" }\nclassify = { method = \"jenks\", k = 5 }\n\n\
             [output]\n";
    text += &format!("dir = \"{}-out\"\n", file.trim_end_matches(".parquet"));
    text
}
