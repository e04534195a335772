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

/// Loads `table` as source `t` for indicators X1 and X2; returns the error text or the values.
fn load(layout: CsvLayout, table: &str) -> Result<Vec<(usize, usize, usize, f64)>, String> {
    let dir = tempfile::tempdir().unwrap();
    let units = load_units(&file(&dir, "units.csv", UNITS), &BTreeMap::new()).unwrap();
    let index = UnitIndex::new(&units).unwrap();
    let sys = system();
    let source = CsvSource {
        id: "t".into(),
        path: file(&dir, "t.csv", table),
        unit_column: "unit".into(),
        period_column: "year".into(),
        layout,
    };
    let request =
        SourceRequest { units: &units, unit_index: &index, periods: &[2010, 2020], system: &sys, indicators: &[0, 1] };
    source
        .load(&request)
        .map(|obs| obs.value.into_iter().map(|o| (o.unit, o.period, o.indicator, o.value)).collect())
        .map_err(|e| e.to_string().replace(&dir.path().display().to_string(), "DIR"))
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
