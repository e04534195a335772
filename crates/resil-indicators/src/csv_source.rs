//! A CSV table of indicator values, in wide (a column per indicator) or long (a row per value) layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use resil_core::{Error, IndicatorSource, Observation, Origin, Outcome, Result, SourceRequest};

use crate::parse_value;
use crate::units::csv_error;

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

/// Collects problems, keeping the first hundred so that a broken file does not flood the terminal.
struct Problems {
    list: Vec<Error>,
    more: usize,
}

impl Problems {
    fn push(&mut self, e: Error) {
        if self.list.len() < 100 {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self, path: &Path) -> Result<()> {
        if self.more > 0 {
            self.list.push(Error::input(path, None, format!("and {} more problems", self.more)));
        }
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::from_list(self.list))
        }
    }
}

impl CsvSource {
    /// Resolves the unit and period of a record, recording problems; `None` skips the row.
    fn key(
        &self,
        record: &csv::StringRecord,
        line: u64,
        unit_col: usize,
        period_col: usize,
        request: &SourceRequest<'_>,
        problems: &mut Problems,
    ) -> Option<(usize, usize)> {
        let unit_key = record.get(unit_col).unwrap_or("").trim();
        let Some(u) = request.unit_index.find(unit_key) else {
            problems.push(Error::input_at(
                &self.path,
                line,
                &self.unit_column,
                format!("unit `{unit_key}` is not in the unit list (nor an alias of a unit)"),
            ));
            return None;
        };
        let period_cell = record.get(period_col).unwrap_or("").trim();
        let Ok(period) = period_cell.parse::<i32>() else {
            problems.push(Error::input_at(
                &self.path,
                line,
                &self.period_column,
                format!("period `{period_cell}` is not a year"),
            ));
            return None;
        };
        // Rows for periods outside the study are not an error: a table may cover more years.
        let t = request.periods.iter().position(|&p| p == period)?;
        Some((u, t))
    }
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
        let mut reader = csv::ReaderBuilder::new().from_path(path).map_err(|e| csv_error(path, e))?;
        let headers = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        let col = |name: &str| headers.iter().position(|h| h.trim() == name);
        let mut problems = Problems { list: Vec::new(), more: 0 };

        // One header cell holding `;` or tabs: another delimiter, not missing columns.
        let hint = match headers.iter().collect::<Vec<_>>().as_slice() {
            [only] if only.contains(';') => {
                "; the header is one cell with `;` in it: resil reads comma-separated files (save as CSV with commas)"
            }
            [only] if only.contains('\t') => {
                "; the header is one cell with tabs in it: resil reads comma-separated files (save as CSV with commas)"
            }
            _ => "",
        };
        let mut require = |name: &str, why: &str| {
            let c = col(name);
            if c.is_none() {
                problems.push(Error::input(path, Some(1), format!("missing column `{name}`{why}{hint}")));
            }
            // A header twice would leave one of its columns silently unused.
            let at: Vec<String> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| h.trim() == name)
                .map(|(i, _)| (i + 1).to_string())
                .collect();
            if at.len() > 1 {
                problems.push(Error::input(
                    path,
                    Some(1),
                    format!(
                        "column `{name}`{why} appears {} times (columns {}); rename or remove all but one",
                        at.len(),
                        at.join(", ")
                    ),
                ));
            }
            c
        };
        let unit_col = require(&self.unit_column, " (the unit column)");
        let period_col = require(&self.period_column, " (the period column)");
        // Wide: (indicator position, column position); long: the indicator and value columns.
        let (value_cols, long_cols) = match &self.layout {
            CsvLayout::Wide { columns } => {
                let cols: Vec<(usize, Option<usize>)> = request
                    .indicators
                    .iter()
                    .map(|&j| {
                        let id = &request.system.get(j).id;
                        let header = columns.get(id).unwrap_or(id);
                        (j, require(header, &format!(" for indicator `{id}`")))
                    })
                    .collect();
                (cols, None)
            }
            CsvLayout::Long { indicator_column, value_column } => {
                (Vec::new(), Some((require(indicator_column, ""), require(value_column, ""))))
            }
        };
        // A missing column was recorded as a problem: report the header problems alone.
        let (Some(unit_col), Some(period_col)) = (unit_col, period_col) else {
            return problems.finish(path).map(|()| Outcome::new(Vec::new()));
        };
        if value_cols.iter().any(|(_, c)| c.is_none()) || matches!(long_cols, Some((None, _)) | Some((_, None))) {
            return problems.finish(path).map(|()| Outcome::new(Vec::new()));
        }
        let mut observations = Vec::new();
        let mut first_line: BTreeMap<(usize, usize, usize), u64> = BTreeMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    problems.push(csv_error(path, e));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            let Some((u, t)) = self.key(&record, line, unit_col, period_col, request, &mut problems) else { continue };
            let mut cells: Vec<(usize, String, &str)> = Vec::new();
            if let Some((Some(ic), Some(vc))) = long_cols {
                let id = record.get(ic).unwrap_or("").trim();
                match request.system.position(id) {
                    Some(j) if request.indicators.contains(&j) => {
                        cells.push((j, headers[vc].to_string(), record.get(vc).unwrap_or("")))
                    }
                    Some(j) => problems.push(Error::input_at(
                        path,
                        line,
                        &headers[ic],
                        format!(
                            "indicator `{id}` is declared with source `{}`, not `{}`",
                            request.system.get(j).source,
                            self.id
                        ),
                    )),
                    None => {
                        problems.push(Error::input_at(path, line, &headers[ic], format!("unknown indicator id `{id}`")))
                    }
                }
            } else {
                for &(j, c) in &value_cols {
                    let c = c.expect("checked above");
                    cells.push((j, headers[c].to_string(), record.get(c).unwrap_or("")));
                }
            }
            for (j, column, cell) in cells {
                if let Some(first) = first_line.insert((u, t, j), line) {
                    problems.push(Error::input(
                        path,
                        Some(line),
                        format!(
                            "duplicate row for unit `{}`, period {}, indicator `{}` (first at line {first})",
                            request.units[u].id,
                            request.periods[t],
                            request.system.get(j).id
                        ),
                    ));
                    continue;
                }
                match parse_value(cell) {
                    Ok(value) => observations.push(Observation {
                        unit: u,
                        period: t,
                        indicator: j,
                        value,
                        origin: Origin(format!("{}, line {line}", path.display())),
                    }),
                    Err(msg) => problems.push(Error::input_at(path, line, column, msg)),
                }
            }
        }
        problems.finish(path)?;
        Ok(Outcome::new(observations))
    }
}
