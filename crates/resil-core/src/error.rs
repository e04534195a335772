//! The one error type shared across the stage seams; every variant names where the problem is.

use std::fmt;
use std::path::PathBuf;

/// Result alias used across resil.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in an input file a problem is: the file and, when known, the 1-based line and column;
/// in a workbook, the sheet and the cell (`D17`) or row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub column: Option<String>,
    /// In a workbook: the sheet, and the cell when known (boxed: errors stay small).
    pub sheet: Option<Box<SheetCell>>,
}

/// A sheet of a workbook and, when known, a cell of it (`D17`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCell {
    pub sheet: String,
    pub cell: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet \"{}\"", sheet.sheet)?;
        }
        if let Some(cell) = self.sheet.as_ref().and_then(|s| s.cell.as_ref()) {
            write!(f, ", cell {cell}")?;
        } else if let Some(line) = self.line {
            let what = if self.sheet.is_some() { "row" } else { "line" };
            write!(f, ", {what} {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        Ok(())
    }
}

/// Every error of resil. Messages are lowercase and name the file, line, key, unit, period or
/// indicator they concern.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A problem in an input data file.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },
    /// A problem in the configuration, at a full key path such as `pipeline.weight.method`.
    #[error("{file}: `{key}`: {message}")]
    Config { file: PathBuf, key: String, message: String },
    /// A method parameter that fails its check.
    #[error("{method}: parameter `{param}`: {message}")]
    Param { method: String, param: String, message: String },
    /// A problem in the data as a method sees it (all values of an indicator missing, say).
    #[error("{context}: {message}")]
    Data { context: String, message: String },
    /// A row a fitted method refused in the block it was given (a scorer's refusal at score
    /// time), by its place in that block: the caller, who knows what the rows are, names it
    /// ([`Error::name_rows`]); unnamed, it reads `spotis: row 3, column 2: ...`.
    #[error("{method}: row {}{}: {message}", row + 1, column.map_or_else(String::new, |c| format!(", column {}", c + 1)))]
    Row { method: String, row: usize, column: Option<usize>, message: String },
    /// A file could not be read or written. The OS error is part of the message, not a
    /// `source`, so that a chain printer (anyhow's `{:#}`) does not repeat it.
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: std::io::Error },
    /// Several independent problems, reported together.
    #[error("{} problems:\n{}", .0.len(), list(.0))]
    Many(Vec<Error>),
}

fn list(errors: &[Error]) -> String {
    errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n")
}

impl Error {
    pub fn input(file: impl Into<PathBuf>, line: Option<u64>, message: impl Into<String>) -> Self {
        Error::Input {
            location: Location { file: file.into(), line, column: None, sheet: None },
            message: message.into(),
        }
    }

    /// A problem in a workbook: its sheet, and the cell (`D17`) or the 1-based row when known.
    pub fn input_sheet(
        file: impl Into<PathBuf>,
        sheet: impl Into<String>,
        cell: Option<String>,
        row: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            location: Location {
                file: file.into(),
                line: row,
                column: None,
                sheet: Some(Box::new(SheetCell { sheet: sheet.into(), cell })),
            },
            message: message.into(),
        }
    }

    pub fn input_at(
        file: impl Into<PathBuf>,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            location: Location { file: file.into(), line: Some(line), column: Some(column.into()), sheet: None },
            message: message.into(),
        }
    }

    pub fn config(file: impl Into<PathBuf>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config { file: file.into(), key: key.into(), message: message.into() }
    }

    pub fn param(method: impl Into<String>, param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Param { method: method.into(), param: param.into(), message: message.into() }
    }

    pub fn data(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Data { context: context.into(), message: message.into() }
    }

    /// Row `row` (and column `column`) of the block a method was given refused: see [`Error::Row`].
    pub fn row(method: impl Into<String>, row: usize, column: Option<usize>, message: impl Into<String>) -> Self {
        Error::Row { method: method.into(), row, column, message: message.into() }
    }

    /// An [`Error::Row`] with its row named by `cx` (the block's row `i` being `cx`'s row
    /// `first + i`), and its column by the indicator; any other error as it is.
    pub fn name_rows(self, first: usize, cx: &crate::StageContext<'_>) -> Self {
        match self {
            Error::Row { method, row, column, message } => {
                let place = column.map_or_else(|| cx.row(first + row), |j| cx.cell(first + row, j));
                Error::Data { context: format!("{method}: {place}"), message }
            }
            other => other,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), error: source }
    }

    /// One error from a list: the error itself when there is one, `Many` otherwise.
    pub fn from_list(mut errors: Vec<Error>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            Error::Many(errors)
        }
    }

    /// The individual problems, flattening `Many`.
    pub fn into_list(self) -> Vec<Error> {
        match self {
            Error::Many(list) => list.into_iter().flat_map(Error::into_list).collect(),
            other => vec![other],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IndicatorSystem, Polarity, RowLabel, StageContext};

    #[test]
    fn a_refused_row_is_named_by_whoever_knows_the_rows() {
        let system = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let labels: Vec<RowLabel> =
            [("A", 2010), ("B", 2010), ("A", 2020)].map(|(u, p)| RowLabel { unit: u.into(), period: p }).to_vec();
        let cx = StageContext { system: &system, orientation: &[Polarity::Benefit; 2], rows: &labels, place: None };
        let refused = || Error::row("spotis", 1, Some(1), "value 12 lies outside the bounds [0, 10]");
        // Unnamed, by its place in the block; named, the block starting at the context's row 1.
        assert_eq!(refused().to_string(), "spotis: row 2, column 2: value 12 lies outside the bounds [0, 10]");
        assert_eq!(
            refused().name_rows(1, &cx).to_string(),
            "spotis: indicator `C2`, unit `A`, period 2020: value 12 lies outside the bounds [0, 10]"
        );
        let whole_row = Error::row("probid", 0, None, "the row lies on the best positive ideals");
        assert_eq!(
            whole_row.name_rows(0, &cx).to_string(),
            "probid: unit `A`, period 2010: the row lies on the best positive ideals"
        );
        // Any other error passes as it is.
        assert_eq!(Error::data("x", "y").name_rows(2, &cx).to_string(), "x: y");
    }
}
