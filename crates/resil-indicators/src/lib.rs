//! Indicator sources for resil: the unit list, CSV tables, workbooks (.xlsx, .xls, .ods) and, with
//! the `parquet` feature, Parquet tables, in wide and long layouts.
//!
//! Every problem is reported with the file, line and column it was found at, and a source reports
//! all the problems of a file, not only the first.

mod csv_lines;
mod csv_source;
#[cfg(feature = "parquet")]
mod parquet_source;
mod sheet_source;
mod table;
mod units;

pub use csv_lines::CsvLines;
pub use csv_source::{CsvLayout, CsvSource};
#[cfg(feature = "parquet")]
pub use parquet_source::{parquet_files, ParquetSource};
pub use sheet_source::{SheetSource, Sheets};
pub use units::{csv_error, load_units};

/// Parses a cell as a number: empty, `NA` and `NaN` are missing (NaN); anything else must be a
/// finite number.
pub(crate) fn parse_value(cell: &str) -> Result<f64, String> {
    let t = cell.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("nan") {
        return Ok(f64::NAN);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) => Err(format!("value `{t}` is not finite ({v})")),
        Err(_) => Err(format!("non-numeric value `{t}`")),
    }
}

#[cfg(test)]
mod tests;
