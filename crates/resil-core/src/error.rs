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
