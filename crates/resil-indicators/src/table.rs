//! One reader of indicator tables, whatever holds them (a CSV file, a worksheet): the header's
//! key columns checked, then every row turned into observations, every problem reported at its
//! place (a line and column of a CSV file, a cell of a sheet), duplicates across sheets included.

use std::collections::BTreeMap;
use std::path::Path;

use resil_core::{Error, Observation, Origin, Result, SourceRequest};

use crate::parse_value;
use crate::CsvLayout;

/// Collects problems, keeping the first hundred so that a broken file does not flood the terminal.
pub(crate) struct Problems {
    list: Vec<Error>,
    more: usize,
}

impl Problems {
    pub(crate) fn new() -> Self {
        Problems { list: Vec::new(), more: 0 }
    }

    pub(crate) fn push(&mut self, e: Error) {
        if self.list.len() < 100 {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn finish(mut self, path: &Path) -> Result<()> {
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

/// Where the table is: a CSV file (rows are lines, columns named by header), or a sheet of a
/// workbook (rows and columns give a cell such as `D17`; `first_col` is the 0-based column of the
/// table's first column).
pub(crate) enum Place<'a> {
    Csv,
    Sheet {
        name: &'a str,
        first_col: u32,
    },
    /// A Parquet file: rows counted from 1 in the file, with the first row of each row group.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Parquet {
        group_starts: &'a [u64],
    },
}

impl Place<'_> {
    /// `FILE, row group G, row R`: a row of a Parquet file (R counted in the whole file).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn parquet_row(path: &Path, group_starts: &[u64], row: u64) -> String {
        let group = group_starts.iter().rposition(|&s| s <= row).unwrap_or(0);
        format!("{}, row group {group}, row {row}", path.display())
    }
}

/// Where each row's period comes from.
pub(crate) enum PeriodFrom<'a> {
    Column(&'a str),
    /// Every row of the table has this period (a sheet per period).
    Fixed(i32),
}

/// How to read one table.
pub(crate) struct TableReader<'a> {
    pub(crate) path: &'a Path,
    pub(crate) source_id: &'a str,
    pub(crate) unit_column: &'a str,
    pub(crate) period: PeriodFrom<'a>,
    pub(crate) layout: &'a CsvLayout,
    pub(crate) place: Place<'a>,
    /// The 1-based row (line) of the header.
    pub(crate) header_row: u64,
    /// Appended to a missing-column message (a CSV header with `;` in one cell).
    pub(crate) hint: &'a str,
}

/// What the tables of one source gave: observations, where each (unit, period, indicator) was
/// first seen, and the problems.
pub(crate) struct Collected {
    pub(crate) observations: Vec<Observation>,
    first_seen: BTreeMap<(usize, usize, usize), String>,
    pub(crate) problems: Problems,
}

impl Collected {
    pub(crate) fn new() -> Self {
        Collected { observations: Vec::new(), first_seen: BTreeMap::new(), problems: Problems::new() }
    }
}

/// The spreadsheet name of the 0-based column `c`: A, B, ..., Z, AA, ...
pub(crate) fn column_letters(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

impl TableReader<'_> {
    fn header_error(&self, message: String) -> Error {
        match self.place {
            Place::Csv => Error::input(self.path, Some(self.header_row), message),
            Place::Parquet { .. } => Error::input(self.path, None, format!("columns: {message}")),
            Place::Sheet { name, .. } => Error::input_sheet(self.path, name, None, Some(self.header_row), message),
        }
    }

    fn cell_error(&self, row: u64, col: usize, header: &str, message: String) -> Error {
        match self.place {
            Place::Csv => Error::input_at(self.path, row, header, message),
            Place::Parquet { group_starts } => {
                Error::data(format!("{}, column `{header}`", Place::parquet_row(self.path, group_starts, row)), message)
            }
            Place::Sheet { name, first_col } => {
                let cell = format!("{}{row}", column_letters(first_col + col as u32));
                Error::input_sheet(self.path, name, Some(cell), None, format!("column `{header}`: {message}"))
            }
        }
    }

    fn row_error(&self, row: u64, message: String) -> Error {
        match self.place {
            Place::Csv => Error::input(self.path, Some(row), message),
            Place::Parquet { group_starts } => Error::data(Place::parquet_row(self.path, group_starts, row), message),
            Place::Sheet { name, .. } => Error::input_sheet(self.path, name, None, Some(row), message),
        }
    }

    /// `line 7`, or `sheet "2015", row 7`.
    fn row_place(&self, row: u64) -> String {
        match self.place {
            Place::Csv => format!("line {row}"),
            Place::Sheet { name, .. } => format!("sheet \"{name}\", row {row}"),
            Place::Parquet { group_starts } => {
                let group = group_starts.iter().rposition(|&s| s <= row).unwrap_or(0);
                format!("row group {group}, row {row}")
            }
        }
    }

    /// Reads `rows` (each its 1-based row or line and its cells) under `headers` into `out`.
    pub(crate) fn read(
        &self,
        headers: &[String],
        rows: impl Iterator<Item = Result<(u64, Vec<String>)>>,
        request: &SourceRequest<'_>,
        out: &mut Collected,
    ) {
        let col = |name: &str| headers.iter().position(|h| h.trim() == name);
        let problems = &mut out.problems;
        let mut require = |name: &str, why: &str| {
            let c = col(name);
            if c.is_none() {
                problems.push(self.header_error(format!("missing column `{name}`{why}{}", self.hint)));
            }
            // A header twice would leave one of its columns silently unused.
            let at: Vec<String> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| h.trim() == name)
                .map(|(i, _)| match self.place {
                    Place::Csv | Place::Parquet { .. } => (i + 1).to_string(),
                    Place::Sheet { first_col, .. } => column_letters(first_col + i as u32),
                })
                .collect();
            if at.len() > 1 {
                problems.push(self.header_error(format!(
                    "column `{name}`{why} appears {} times (columns {}); rename or remove all but one",
                    at.len(),
                    at.join(", ")
                )));
            }
            c
        };
        let unit_col = require(self.unit_column, " (the unit column)");
        let period_col = match self.period {
            PeriodFrom::Column(name) => Some(require(name, " (the period column)")),
            PeriodFrom::Fixed(_) => None,
        };
        // Wide: (indicator position, column position); long: the indicator and value columns.
        let (value_cols, long_cols) = match self.layout {
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
        let Some(unit_col) = unit_col else { return };
        if matches!(period_col, Some(None))
            || value_cols.iter().any(|(_, c)| c.is_none())
            || matches!(long_cols, Some((None, _)) | Some((_, None)))
        {
            return;
        }
        let period_col = period_col.flatten();
        for row in rows {
            let (line, cells) = match row {
                Ok(r) => r,
                Err(e) => {
                    out.problems.push(e);
                    continue;
                }
            };
            let cell = |c: usize| cells.get(c).map_or("", String::as_str);
            let Some((u, t)) = self.key(line, &cells, unit_col, period_col, request, &mut out.problems) else {
                continue;
            };
            let mut values: Vec<(usize, usize)> = Vec::new();
            if let Some((Some(ic), Some(vc))) = long_cols {
                let id = cell(ic).trim();
                match request.system.position(id) {
                    Some(j) if request.indicators.contains(&j) => values.push((j, vc)),
                    Some(j) => out.problems.push(self.cell_error(
                        line,
                        ic,
                        &headers[ic],
                        format!(
                            "indicator `{id}` is declared with source `{}`, not `{}`",
                            request.system.get(j).source,
                            self.source_id
                        ),
                    )),
                    None => out.problems.push(self.cell_error(
                        line,
                        ic,
                        &headers[ic],
                        format!("unknown indicator id `{id}`"),
                    )),
                }
            } else {
                values.extend(value_cols.iter().map(|&(j, c)| (j, c.expect("checked above"))));
            }
            for (j, c) in values {
                let here = self.row_place(line);
                if let Some(first) = out.first_seen.get(&(u, t, j)) {
                    out.problems.push(self.row_error(
                        line,
                        format!(
                            "duplicate row for unit `{}`, period {}, indicator `{}` (first at {first})",
                            request.units[u].id,
                            request.periods[t],
                            request.system.get(j).id
                        ),
                    ));
                    continue;
                }
                out.first_seen.insert((u, t, j), here.clone());
                match parse_value(cell(c)) {
                    Ok(value) => out.observations.push(Observation {
                        unit: u,
                        period: t,
                        indicator: j,
                        value,
                        origin: Origin(format!("{}, {here}", self.path.display())),
                    }),
                    Err(msg) => out.problems.push(self.cell_error(line, c, &headers[c], msg)),
                }
            }
        }
    }

    /// Resolves the unit and period of a row, recording problems; `None` skips the row.
    fn key(
        &self,
        line: u64,
        cells: &[String],
        unit_col: usize,
        period_col: Option<usize>,
        request: &SourceRequest<'_>,
        problems: &mut Problems,
    ) -> Option<(usize, usize)> {
        let cell = |c: usize| cells.get(c).map_or("", String::as_str);
        let unit_key = cell(unit_col).trim();
        let Some(u) = request.unit_index.find(unit_key) else {
            problems.push(self.cell_error(
                line,
                unit_col,
                self.unit_column,
                format!("unit `{unit_key}` is not in the unit list (nor an alias of a unit)"),
            ));
            return None;
        };
        let period = match (&self.period, period_col) {
            (PeriodFrom::Fixed(p), _) => *p,
            (PeriodFrom::Column(name), Some(c)) => {
                let text = cell(c).trim();
                match text.parse::<i32>() {
                    Ok(p) => p,
                    Err(_) => {
                        problems.push(self.cell_error(line, c, name, format!("period `{text}` is not a year")));
                        return None;
                    }
                }
            }
            (PeriodFrom::Column(_), None) => return None,
        };
        // Rows for periods outside the study are not an error: a table may cover more years.
        let t = request.periods.iter().position(|&p| p == period)?;
        Some((u, t))
    }
}

#[cfg(test)]
mod tests {
    use super::column_letters;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(
            [0, 3, 25, 26, 27, 51, 52, 701, 702].map(column_letters),
            ["A", "D", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
    }
}
