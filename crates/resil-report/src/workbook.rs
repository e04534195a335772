//! `[output] formats = ["csv", "xlsx"]`: every CSV table of a run as a sheet of one workbook,
//! results.xlsx (rust_xlsxwriter): the header row bold and frozen, columns fitted to their text,
//! numbers as numbers (identifiers such as unit codes stay text), and a fixed creation date so
//! that the same run gives the same bytes.

use resil_core::{Error, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// The workbook's file name in the run folder.
pub const WORKBOOK: &str = "results.xlsx";

/// Rows an Excel sheet holds, its header row included.
const SHEET_ROWS: usize = 1_048_576;

/// Columns that hold identifiers: text even when they look like numbers (`231100`).
pub(crate) fn is_identifier(header: &str) -> bool {
    header == "id" || header == "unit" || header.ends_with("_unit") || header == "indicator" || header == "removed"
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`), unique in the book;
/// `piece` 2, 3, ... of a table longer than a sheet is `name (2)`, `name (3)`, ...
fn sheet_name(file: &str, piece: usize, taken: &mut Vec<String>) -> String {
    let stem = file.strip_suffix(".csv").unwrap_or(file);
    let continued = if piece > 1 { format!(" ({piece})") } else { String::new() };
    let clean: String = stem
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31 - continued.len())
        .chain(continued.chars())
        .collect();
    let mut name = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!("~{n}");
        name = format!("{}{suffix}", clean.chars().take(31 - suffix.len()).collect::<String>());
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The workbook of the CSV files among `files` (name, bytes), in their order. A table longer
/// than a sheet goes on over as many sheets as it needs, each with the header row.
pub fn workbook(files: &[(String, Vec<u8>)], note: &str) -> Result<Vec<u8>> {
    workbook_in(files, note, SHEET_ROWS)
}

/// [`workbook`] with sheets of at most `sheet_rows` rows.
fn workbook_in(files: &[(String, Vec<u8>)], note: &str, sheet_rows: usize) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::data("xlsx output", e.to_string());
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created).set_comment(note));
    let bold = Format::new().set_bold();
    let mut taken = Vec::new();
    for (file, bytes) in files.iter().filter(|(f, _)| f.ends_with(".csv")) {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::data(file.clone(), e.to_string()))?;
        let Some((head, body)) = rows.split_first() else { continue };
        let header: Vec<String> = head.iter().map(String::from).collect();
        let pieces: Vec<&[csv::StringRecord]> =
            if body.is_empty() { vec![body] } else { body.chunks(sheet_rows - 1).collect() };
        for (p, piece) in pieces.into_iter().enumerate() {
            let sheet = book.add_worksheet();
            sheet.set_name(sheet_name(file, p + 1, &mut taken)).map_err(fail)?;
            for (c, cell) in head.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, cell, &bold).map_err(fail)?;
            }
            for (r, record) in piece.iter().enumerate() {
                for (c, cell) in record.iter().enumerate().filter(|(_, cell)| !cell.is_empty()) {
                    let (row, col) = (r as u32 + 1, c as u16);
                    match cell.parse::<f64>() {
                        Ok(v) if v.is_finite() && !header.get(c).is_some_and(|h| is_identifier(h)) => {
                            sheet.write_number(row, col, v).map_err(fail)?
                        }
                        _ => sheet.write_string(row, col, cell).map_err(fail)?,
                    };
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(fail)?;
            sheet.autofit();
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("scores.csv", 1, &mut taken), "scores");
        assert_eq!(
            sheet_name("transitions_spatial_markov_by_lag.csv", 1, &mut taken),
            "transitions_spatial_markov_by_l"
        );
        assert_eq!(
            sheet_name("transitions_spatial_markov_by_lag_2.csv", 1, &mut taken),
            "transitions_spatial_markov_by~2"
        );
        assert_eq!(sheet_name("a[1]:b.csv", 1, &mut taken), "a_1__b");
        assert_eq!(sheet_name("scores.csv", 2, &mut taken), "scores (2)");
        assert_eq!(
            sheet_name("transitions_spatial_markov_by_lag.csv", 12, &mut taken),
            "transitions_spatial_markov (12)"
        );
    }

    #[test]
    fn a_table_longer_than_a_sheet_goes_on_over_sheets_with_its_header() {
        let table = "unit,score\n".to_string() + &(1..=7).map(|i| format!("{i:06},0.{i}\n")).collect::<String>();
        let files = vec![("scores.csv".to_string(), table.into_bytes()), ("empty.csv".to_string(), b"a,b\n".to_vec())];
        // Sheets of 4 rows: the header and 3 of the 7 rows each.
        let bytes = workbook_in(&files, "note", 4).unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let names = book.sheet_names();
        assert_eq!(names, ["scores", "scores (2)", "scores (3)", "empty"]);
        let mut text = |name: &str| -> Vec<Vec<String>> {
            let range = book.worksheet_range(name).unwrap();
            range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
        };
        assert_eq!(text("scores"), [["unit", "score"], ["000001", "0.1"], ["000002", "0.2"], ["000003", "0.3"]]);
        assert_eq!(text("scores (3)"), [["unit", "score"], ["000007", "0.7"]]);
        assert_eq!(text("empty"), [["a", "b"]]);
    }
}
