//! A workbook of indicator values (.xlsx, .xls, .ods, read by calamine): one sheet with a period
//! column, or one sheet per period (named by the period), in wide or long layout. A sheet may
//! start anywhere and have title rows above its header (`header_row`); merged header cells keep
//! their text in the first column; empty rows (trailing ones included) are skipped. Problems name
//! the workbook, the sheet and the cell.

use std::path::PathBuf;

use calamine::{open_workbook_auto, Data, Range, Reader};
use resil_core::{Error, IndicatorSource, Observation, Outcome, Result, SourceRequest};

use crate::table::{Collected, PeriodFrom, Place, TableReader};
use crate::CsvLayout;

/// Which sheets a workbook source reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Sheets {
    /// One sheet (`None`: the first), with a period column.
    One(Option<String>),
    /// Every sheet named by a period of the study, that period for each of its rows.
    PerPeriod,
}

/// A workbook indicator source.
#[derive(Debug, Clone)]
pub struct SheetSource {
    pub id: String,
    pub path: PathBuf,
    pub sheets: Sheets,
    /// The 1-based row of the header (title rows above it are skipped).
    pub header_row: u64,
    pub unit_column: String,
    pub period_column: String,
    pub layout: CsvLayout,
}

/// A cell as text, as a CSV file would hold it: numbers in shortest round-trip form, spreadsheet
/// errors as their code (`#N/A`), dates as dates (`2026-03-12`), all three then refused by the
/// value parser. A date had been read as its serial number: "3.12" that a spreadsheet turned
/// into 12 March counted as 46093. Durations stay numbers of days.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            let time = if (h, mi, s) == (0, 0, 0) { String::new() } else { format!(" {h:02}:{mi:02}:{s:02}") };
            format!("{y:04}-{mo:02}-{day:02}{time}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

impl SheetSource {
    fn read_sheet(
        &self,
        name: &str,
        range: &Range<Data>,
        period: PeriodFrom<'_>,
        request: &SourceRequest<'_>,
        out: &mut Collected,
    ) {
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let rows: Vec<(u64, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| (u64::from(row0) + i as u64 + 1, r.iter().map(text).collect()))
            .collect();
        let Some(header_at) = rows.iter().position(|(r, _)| *r == self.header_row) else {
            out.problems.push(Error::input_sheet(
                &self.path,
                name,
                None,
                Some(self.header_row),
                format!("no header: the sheet's cells start at row {} (header-row = {})", row0 + 1, self.header_row),
            ));
            return;
        };
        let headers = &rows[header_at].1;
        let table = TableReader {
            path: &self.path,
            source_id: &self.id,
            unit_column: &self.unit_column,
            period,
            layout: &self.layout,
            place: Place::Sheet { name, first_col: col0 },
            header_row: self.header_row,
            hint: "",
        };
        let body = rows[header_at + 1..]
            .iter()
            .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
            .map(|(r, cells)| Ok((*r, cells.clone())));
        table.read(headers, body, request, out);
    }
}

impl IndicatorSource for SheetSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }

    fn load(&self, request: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>> {
        let path = &self.path;
        let mut book =
            open_workbook_auto(path).map_err(|e| Error::input(path, None, format!("not a readable workbook: {e}")))?;
        let names = book.sheet_names();
        let chosen: Vec<(String, PeriodFrom<'_>)> = match &self.sheets {
            Sheets::One(name) => {
                let name = match name {
                    Some(n) if names.contains(n) => n.clone(),
                    Some(n) => {
                        return Err(Error::input(
                            path,
                            None,
                            format!("no sheet named \"{n}\" (sheets: {})", quoted(&names)),
                        ))
                    }
                    None => {
                        names.first().cloned().ok_or_else(|| Error::input(path, None, "the workbook has no sheet"))?
                    }
                };
                vec![(name, PeriodFrom::Column(&self.period_column))]
            }
            Sheets::PerPeriod => {
                let chosen: Vec<(String, PeriodFrom<'_>)> = names
                    .iter()
                    .filter_map(|n| {
                        let p = n.trim().parse::<i32>().ok()?;
                        request.periods.contains(&p).then(|| (n.clone(), PeriodFrom::Fixed(p)))
                    })
                    .collect();
                if chosen.is_empty() {
                    let periods: Vec<String> = request.periods.iter().map(|p| p.to_string()).collect();
                    return Err(Error::input(
                        path,
                        None,
                        format!(
                            "no sheet is named by a period of the study ({}); sheets: {}",
                            periods.join(", "),
                            quoted(&names)
                        ),
                    ));
                }
                chosen
            }
        };
        let mut out = Collected::new();
        for (name, period) in chosen {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| Error::input_sheet(path, &name, None, None, format!("cannot be read: {e}")))?;
            self.read_sheet(&name, &range, period, request, &mut out);
        }
        out.problems.finish(path)?;
        Ok(Outcome::new(out.observations))
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}
