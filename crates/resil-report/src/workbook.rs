//! `[output] formats = ["csv", "xlsx"]`: every CSV table of a run as a sheet of one workbook,
//! results.xlsx (rust_xlsxwriter): the header row bold and frozen, columns fitted to their text,
//! numbers as numbers (identifiers such as unit codes stay text), and a fixed creation date so
//! that the same run gives the same bytes.

use resil_core::{Error, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// The workbook's file name in the run folder.
pub const WORKBOOK: &str = "results.xlsx";

/// Columns that hold identifiers: text even when they look like numbers (`231100`).
pub(crate) fn is_identifier(header: &str) -> bool {
    header == "id" || header == "unit" || header.ends_with("_unit") || header == "indicator" || header == "removed"
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`), unique in the book.
fn sheet_name(file: &str, taken: &mut Vec<String>) -> String {
    let stem = file.strip_suffix(".csv").unwrap_or(file);
    let clean: String = stem.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(31).collect();
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

/// The workbook of the CSV files among `files` (name, bytes), in their order.
pub fn workbook(files: &[(String, Vec<u8>)], note: &str) -> Result<Vec<u8>> {
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
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(file, &mut taken)).map_err(fail)?;
        let header: Vec<String> = rows.first().map(|r| r.iter().map(String::from).collect()).unwrap_or_default();
        for (r, record) in rows.iter().enumerate() {
            for (c, cell) in record.iter().enumerate() {
                let (row, col) = (r as u32, c as u16);
                if r == 0 {
                    sheet.write_string_with_format(row, col, cell, &bold).map_err(fail)?;
                } else if cell.is_empty() {
                    continue;
                } else {
                    match cell.parse::<f64>() {
                        Ok(v) if v.is_finite() && !header.get(c).is_some_and(|h| is_identifier(h)) => {
                            sheet.write_number(row, col, v).map_err(fail)?
                        }
                        _ => sheet.write_string(row, col, cell).map_err(fail)?,
                    };
                }
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet.autofit();
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("scores.csv", &mut taken), "scores");
        assert_eq!(sheet_name("transitions_spatial_markov_by_lag.csv", &mut taken), "transitions_spatial_markov_by_l");
        assert_eq!(
            sheet_name("transitions_spatial_markov_by_lag_2.csv", &mut taken),
            "transitions_spatial_markov_by~2"
        );
        assert_eq!(sheet_name("a[1]:b.csv", &mut taken), "a_1__b");
    }
}
