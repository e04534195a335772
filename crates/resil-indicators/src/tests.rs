//! Tests of the unit list and CSV sources against malformed input.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use resil_core::{Indicator, IndicatorSource, IndicatorSystem, Polarity, Provenance, SourceRequest, UnitIndex};

use crate::{load_units, CsvLayout, CsvSource};

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
    p
}

fn system() -> IndicatorSystem {
    let ind = |id: &str, source: &str| Indicator {
        id: id.into(),
        name: id.into(),
        unit: String::new(),
        system: "s".into(),
        subsystem: "b".into(),
        polarity: Polarity::Benefit,
        source: source.into(),
        provenance: Provenance::Real,
        note: String::new(),
    };
    IndicatorSystem::new(vec![ind("X1", "t"), ind("X2", "t"), ind("X3", "other")])
}

const UNITS: &str = "id,name,province,aliases,excluded,seat_lon,seat_lat\n1,A,P,old1;OldA,,100,40\n2,B,P,,no data,,\n";

/// Reads `source` for indicators X1 and X2 of the units UNITS in 2010 and 2020; the error text
/// (with `dir` as DIR) or the values.
fn read(source: &dyn IndicatorSource, dir: &tempfile::TempDir) -> Result<Vec<(usize, usize, usize, f64)>, String> {
    let units = load_units(&file(dir, "units.csv", UNITS), &BTreeMap::new()).unwrap();
    let index = UnitIndex::new(&units).unwrap();
    let sys = system();
    let request =
        SourceRequest { units: &units, unit_index: &index, periods: &[2010, 2020], system: &sys, indicators: &[0, 1] };
    source
        .load(&request)
        .map(|obs| obs.value.into_iter().map(|o| (o.unit, o.period, o.indicator, o.value)).collect())
        .map_err(|e| e.to_string().replace(&dir.path().display().to_string(), "DIR"))
}

/// Loads `table` as source `t` for indicators X1 and X2; returns the error text or the values.
fn load(layout: CsvLayout, table: &str) -> Result<Vec<(usize, usize, usize, f64)>, String> {
    let dir = tempfile::tempdir().unwrap();
    let source = CsvSource {
        id: "t".into(),
        path: file(&dir, "t.csv", table),
        unit_column: "unit".into(),
        period_column: "year".into(),
        layout,
    };
    read(&source, &dir)
}

fn wide() -> CsvLayout {
    CsvLayout::Wide { columns: BTreeMap::new() }
}

fn long() -> CsvLayout {
    CsvLayout::Long { indicator_column: "indicator".into(), value_column: "value".into() }
}

#[track_caller]
fn check_err(layout: CsvLayout, table: &str, expected: &[&str]) {
    let err = load(layout, table).unwrap_err();
    for e in expected {
        assert!(err.contains(e), "`{e}` not in: {err}");
    }
}

#[test]
fn units_carry_aliases_exclusion_and_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let units = load_units(&file(&dir, "u.csv", UNITS), &[("P".to_string(), "R".to_string())].into()).unwrap();
    assert_eq!(units[0].aliases, ["old1", "OldA"]);
    assert_eq!(units[0].region, "R");
    assert_eq!(units[0].seat.unwrap().lon, 100.0);
    assert_eq!(units[1].excluded.as_deref(), Some("no data"));
    assert!(units[1].seat.is_none());
}

#[test]
fn unit_list_problems_are_all_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = "id,name,province,seat_lon,seat_lat\n1,A,P,abc,1\n1,B,Q,,\n";
    let err =
        load_units(&file(&dir, "u.csv", text), &[("P".to_string(), "R".to_string())].into()).unwrap_err().to_string();
    assert!(err.contains("u.csv, line 2, column `seat_lon`: non-numeric value `abc`"), "{err}");
    assert!(err.contains("line 3, column `id`: duplicate unit id `1`"), "{err}");
    let err = load_units(&file(&dir, "v.csv", "id,name\n1,A\n"), &BTreeMap::new()).unwrap_err().to_string();
    assert!(err.contains("v.csv, line 1: missing column `province`"), "{err}");
}

#[test]
fn wide_table_joins_by_alias_and_skips_other_years() {
    let got = load(wide(), "unit,year,X1,X2\nold1,2010,1.5,\n2,2020,3,4\n1,2005,9,9\n").unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], (0, 0, 0, 1.5));
    assert!(got[1].3.is_nan(), "empty cell is missing");
}

#[test]
fn long_table_reads_values() {
    let got = load(long(), "unit,year,indicator,value\nA,2020,X2,7\n").unwrap();
    assert_eq!(got, vec![(0, 1, 1, 7.0)]);
}

#[test]
fn missing_column_names_file_and_column() {
    check_err(wide(), "unit,year,X1\n1,2010,1\n", &["DIR/t.csv, line 1: missing column `X2` for indicator `X2`"]);
    check_err(long(), "unit,year,indicator\n", &["missing column `value`"]);
}

#[test]
fn non_numeric_cell_names_line_and_column() {
    check_err(wide(), "unit,year,X1,X2\n1,2010,1,abc\n", &["t.csv, line 2, column `X2`: non-numeric value `abc`"]);
}

#[test]
fn lines_are_the_file_s_with_crlf_ends_and_blank_lines() {
    // Spreadsheet exports end lines with \r\n; blank lines are skipped. The csv crate's own
    // record positions would say lines 1 and 2 here.
    check_err(
        wide(),
        "unit,year,X1,X2\r\n1,2010,1,abc\r\n\r\n1,2010,5,6\r\n",
        &[
            "t.csv, line 2, column `X2`: non-numeric value `abc`",
            "line 4: duplicate row for unit `1`, period 2010, indicator `X1` (first at line 2)",
        ],
    );
    check_err(
        wide(),
        "unit,year,X1,X2\r\n1,2010,1,2\r\n\r\n1,2020\r\n",
        &["t.csv, line 4: 2 fields where the header has 4"],
    );
    let dir = tempfile::tempdir().unwrap();
    let units = "id,name,province,seat_lon,seat_lat\r\n1,A,P,1,1\r\n\r\n2,B,P,abc,1\r\n";
    let err = load_units(&file(&dir, "u.csv", units), &BTreeMap::new()).unwrap_err().to_string();
    assert!(err.contains("u.csv, line 4, column `seat_lon`: non-numeric value `abc`"), "{err}");
}

#[test]
fn duplicate_unit_period_row_names_both_lines() {
    check_err(
        wide(),
        "unit,year,X1,X2\n1,2010,1,2\nold1,2010,1,2\n",
        &["line 3: duplicate row for unit `1`, period 2010, indicator `X1` (first at line 2)"],
    );
}

#[test]
fn unknown_indicator_and_unknown_unit_are_named() {
    check_err(
        long(),
        "unit,year,indicator,value\n1,2010,X9,1\n9,2010,X1,1\n1,2010,X3,1\n",
        &[
            "line 2, column `indicator`: unknown indicator id `X9`",
            "line 3, column `unit`: unit `9` is not in the unit list",
            "line 4, column `indicator`: indicator `X3` is declared with source `other`, not `t`",
            "3 problems",
        ],
    );
}

#[test]
fn non_year_period_is_an_error() {
    check_err(wide(), "unit,year,X1,X2\n1,twenty,1,2\n", &["line 2, column `year`: period `twenty` is not a year"]);
}

/// A workbook written by `make` (rust_xlsxwriter) read as source `t` for X1 and X2 with `sheets`
/// and `header_row`; the error text or the values.
fn load_book(
    sheets: crate::Sheets,
    header_row: u64,
    make: impl FnOnce(&mut rust_xlsxwriter::Workbook),
) -> Result<Vec<(usize, usize, usize, f64)>, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    make(&mut book);
    book.save(&path).unwrap();
    let source = crate::SheetSource {
        id: "t".into(),
        path,
        sheets,
        header_row,
        unit_column: "unit".into(),
        period_column: "year".into(),
        layout: wide(),
    };
    read(&source, &dir)
}

#[test]
fn a_sheet_with_a_title_a_merged_header_an_offset_and_trailing_empty_rows() {
    let got = load_book(crate::Sheets::One(Some("panel".into())), 3, |book| {
        let ws = book.add_worksheet().set_name("panel").unwrap();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        // Title merged over B1:E1, a group label merged over D2:E2, the header on row 3 from B.
        ws.merge_range(0, 1, 0, 4, "Border panel (invented)", &bold).unwrap();
        ws.merge_range(1, 3, 1, 4, "indicators", &bold).unwrap();
        for (c, h) in ["unit", "year", "X1", "X2"].iter().enumerate() {
            ws.write_string(2, 1 + c as u16, *h).unwrap();
        }
        ws.write_string(3, 1, "1").unwrap();
        ws.write_number(3, 2, 2010).unwrap();
        ws.write_number(3, 3, 1.5).unwrap();
        ws.write_number(3, 4, 0.1 + 0.2).unwrap();
        ws.write_number(4, 1, 1).unwrap(); // a unit id typed as a number
        ws.write_number(4, 2, 2020).unwrap();
        ws.write_string(4, 3, "").unwrap();
        ws.write_number(4, 4, -3).unwrap();
        // Formatted but empty rows below the data.
        ws.write_blank(7, 1, &bold).unwrap();
        ws.write_blank(8, 3, &bold).unwrap();
    })
    .unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], (0, 0, 0, 1.5));
    assert_eq!(got[1], (0, 0, 1, 0.1 + 0.2), "numbers read to the last bit");
    assert!(got[2].3.is_nan() && got[2].1 == 1, "an empty cell is missing");
    assert_eq!(got[3], (0, 1, 1, -3.0));
}

#[test]
fn a_sheet_per_period_and_errors_that_name_workbook_sheet_and_cell() {
    let per_period = |bad: bool| {
        load_book(crate::Sheets::PerPeriod, 1, |book| {
            book.add_worksheet().set_name("README").unwrap().write_string(0, 0, "notes, not data").unwrap();
            for (year, x1) in [("2010", 1.0), ("2020", 2.0), ("2030", 9.0)] {
                let ws = book.add_worksheet().set_name(year).unwrap();
                for (c, h) in ["unit", "X1", "X2"].iter().enumerate() {
                    ws.write_string(0, c as u16, *h).unwrap();
                }
                ws.write_string(1, 0, "OldA").unwrap();
                ws.write_number(1, 1, x1).unwrap();
                if bad && year == "2020" {
                    ws.write_string(1, 2, "n/a").unwrap();
                } else {
                    ws.write_number(1, 2, 7.0).unwrap();
                }
            }
        })
    };
    // 2030 is not a period of the study and README is not a period: both left alone.
    assert_eq!(per_period(false).unwrap(), vec![(0, 0, 0, 1.0), (0, 0, 1, 7.0), (0, 1, 0, 2.0), (0, 1, 1, 7.0)]);
    assert_eq!(
        per_period(true).unwrap_err(),
        "DIR/data.xlsx, sheet \"2020\", cell C2: column `X2`: non-numeric value `n/a`"
    );
    // A date where a number belongs (a spreadsheet's reading of "3.12") had counted as its serial
    // number, 46093; a boolean and a spreadsheet error are refused too.
    let cell = |write: &dyn Fn(&mut rust_xlsxwriter::Worksheet)| {
        load_book(crate::Sheets::One(None), 1, |book| {
            let ws = book.add_worksheet();
            for (c, h) in ["unit", "year", "X1", "X2"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            ws.write_string(1, 0, "OldA").unwrap();
            ws.write_number(1, 1, 2010).unwrap();
            ws.write_number(1, 2, 1.0).unwrap();
            write(ws);
        })
        .unwrap_err()
    };
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 12).unwrap();
    let morning = date.clone().and_hms(8, 30, 0).unwrap();
    let as_date = rust_xlsxwriter::Format::new().set_num_format("d mmm");
    let got = cell(&|ws| {
        ws.write_datetime_with_format(1, 3, &date, &as_date).unwrap();
    });
    assert_eq!(got, "DIR/data.xlsx, sheet \"Sheet1\", cell D2: column `X2`: non-numeric value `2026-03-12`");
    let got = cell(&|ws| {
        ws.write_datetime_with_format(1, 3, &morning, &as_date).unwrap();
    });
    assert!(got.ends_with("cell D2: column `X2`: non-numeric value `2026-03-12 08:30:00`"), "{got}");
    let got = cell(&|ws| {
        ws.write_boolean(1, 3, true).unwrap();
    });
    assert!(got.ends_with("cell D2: column `X2`: non-numeric value `true`"), "{got}");
    let missing = load_book(crate::Sheets::One(Some("2015".into())), 1, |book| {
        book.add_worksheet().set_name("data").unwrap();
    });
    assert_eq!(missing.unwrap_err(), "DIR/data.xlsx: no sheet named \"2015\" (sheets: \"data\")");
    let no_periods = load_book(crate::Sheets::PerPeriod, 1, |book| {
        book.add_worksheet().set_name("data").unwrap();
    });
    assert!(no_periods.unwrap_err().contains("no sheet is named by a period of the study (2010, 2020)"));
    let header = load_book(crate::Sheets::One(None), 1, |book| {
        let ws = book.add_worksheet();
        for (c, h) in ["unit", "year", "X1"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "9").unwrap();
        ws.write_number(1, 1, 2010).unwrap();
    });
    let text = header.unwrap_err();
    assert!(text.contains("DIR/data.xlsx, sheet \"Sheet1\", row 1: missing column `X2` for indicator `X2`"), "{text}");
    let unit = load_book(crate::Sheets::One(None), 1, |book| {
        let ws = book.add_worksheet();
        for (c, h) in ["unit", "year", "X1", "X2"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "9").unwrap();
        ws.write_number(1, 1, 2010).unwrap();
    });
    assert!(unit.unwrap_err().contains("sheet \"Sheet1\", cell A2: column `unit`: unit `9` is not in the unit list"));
}

/// Parquet sources read like the CSV they would be saved as: same values, and problems named
/// by file, row group, row and column.
#[cfg(feature = "parquet")]
mod parquet_tables {
    use std::sync::Arc;

    use ::parquet::arrow::ArrowWriter;
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;
    use crate::ParquetSource;

    /// A row group: units, years, X1 (nullable), X2 as text.
    type Group<'a> = (Vec<&'a str>, Vec<i64>, Vec<Option<f64>>, Vec<&'a str>);

    /// Writes row groups to `name` in `dir`.
    fn write(dir: &tempfile::TempDir, name: &str, groups: &[Group<'_>]) -> PathBuf {
        let schema = Arc::new(Schema::new(vec![
            Field::new("unit", DataType::Utf8, false),
            Field::new("year", DataType::Int64, false),
            Field::new("X1", DataType::Float64, true),
            Field::new("X2", DataType::Utf8, true),
        ]));
        let path = dir.path().join(name);
        let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema.clone(), None).unwrap();
        for (units, years, x1, x2) in groups {
            let arrays: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from(units.clone())),
                Arc::new(Int64Array::from(years.clone())),
                Arc::new(Float64Array::from(x1.clone())),
                Arc::new(StringArray::from(x2.clone())),
            ];
            writer.write(&RecordBatch::try_new(schema.clone(), arrays).unwrap()).unwrap();
            writer.flush().unwrap();
        }
        writer.close().unwrap();
        path
    }

    fn source(path: PathBuf) -> ParquetSource {
        ParquetSource { id: "t".into(), path, unit_column: "unit".into(), period_column: "year".into(), layout: wide() }
    }

    #[test]
    fn a_parquet_table_reads_like_its_csv() {
        let dir = tempfile::tempdir().unwrap();
        let groups = vec![
            (vec!["old1", "2"], vec![2010, 2020], vec![Some(1.5), Some(3.0)], vec!["", "4"]),
            (vec!["1"], vec![2005], vec![Some(9.0)], vec!["9"]),
        ];
        let path = write(&dir, "t.parquet", &groups);
        let csv = load(wide(), "unit,year,X1,X2\nold1,2010,1.5,\n2,2020,3,4\n1,2005,9,9\n").unwrap();
        let got = read(&source(path), &dir).unwrap();
        assert_eq!(format!("{got:?}"), format!("{csv:?}"), "NaN for the missing cell in both");
    }

    #[test]
    fn problems_name_the_file_row_group_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let groups = vec![
            (vec!["1"], vec![2010], vec![Some(1.0)], vec!["2"]),
            (vec!["2", "1"], vec![2020, 2020], vec![None, Some(1.0)], vec!["3", "abc"]),
        ];
        let err = read(&source(write(&dir, "bad.parquet", &groups)), &dir).unwrap_err();
        assert!(err.contains("DIR/bad.parquet, row group 1, row 3, column `X2`: non-numeric value `abc`"), "{err}");
        std::fs::write(dir.path().join("not.parquet"), "unit,year\n").unwrap();
        let err = read(&source(dir.path().join("not.parquet")), &dir).unwrap_err();
        assert!(err.contains("not.parquet: not a readable Parquet file"), "{err}");
    }
}
