//! A CSV table of indicator values, in wide (a column per indicator) or long (a row per value) layout.

use std::collections::BTreeMap;
use std::path::PathBuf;

use resil_core::{Error, IndicatorSource, Observation, Outcome, Result, SourceRequest};

use crate::table::{Collected, PeriodFrom, Place, TableReader};
use crate::units::csv_error;
use crate::CsvLines;

/// The layout of a CSV source and the names of its key columns.
#[derive(Debug, Clone, PartialEq)]
pub enum CsvLayout {
    /// One row per unit and period; `columns` maps indicator id to header where they differ.
    Wide { columns: BTreeMap<String, String> },
    /// One row per unit, period and indicator.
    Long { indicator_column: String, value_column: String },
}

/// A CSV indicator source.
#[derive(Debug, Clone)]
pub struct CsvSource {
    pub id: String,
    pub path: PathBuf,
    pub unit_column: String,
    pub period_column: String,
    pub layout: CsvLayout,
}

impl IndicatorSource for CsvSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }

    fn load(&self, request: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>> {
        let path = &self.path;
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut lines = CsvLines::new(&bytes);
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let headers: Vec<String> =
            reader.headers().map_err(|e| csv_error(path, e, &mut lines))?.iter().map(String::from).collect();
        // One header cell holding `;` or tabs: another delimiter, not missing columns.
        let hint = match headers.as_slice() {
            [only] if only.contains(';') => {
                "; the header is one cell with `;` in it: resil reads comma-separated files (save as CSV with commas)"
            }
            [only] if only.contains('\t') => {
                "; the header is one cell with tabs in it: resil reads comma-separated files (save as CSV with commas)"
            }
            _ => "",
        };
        let table = TableReader {
            path,
            source_id: &self.id,
            unit_column: &self.unit_column,
            period: PeriodFrom::Column(&self.period_column),
            layout: &self.layout,
            place: Place::Csv,
            header_row: 1,
            hint,
        };
        let rows = reader.records().map(|record| {
            let record = record.map_err(|e| csv_error(path, e, &mut lines))?;
            let line = lines.line(record.position());
            Ok((line, record.iter().map(String::from).collect()))
        });
        let mut out = Collected::new();
        table.read(&headers, rows, request, &mut out);
        out.problems.finish(path)?;
        Ok(Outcome::new(out.observations))
    }
}
