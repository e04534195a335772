//! The policy-support plugin: X25, the number of the paper's five policy conditions a unit meets
//! in a period (state-approved class-1 port; key development and opening-up pilot zone; national
//! border port, read as the 1992 open border cities; border economic co-operation zone;
//! cross-border economic co-operation zone). Reads `policy_support_compiled.csv`, one row per unit
//! and period with a 0/1 column per condition and a source note (compiled by hand: verify).
//!
//! The paper's note ("a value of 1-5 was assigned ... each corresponding to one point") leaves
//! open whether a unit meeting none scores 0 or 1: parameter `none-scores` (0 or 1, default 0);
//! a unit meeting n >= 1 conditions scores n either way.

use std::collections::BTreeMap;
use std::path::Path;

use resil_plugin_sdk::{export_plugin, read_csv, Indicator, Output, Params, Plugin, Request};

/// The five condition columns of the table.
pub const CONDITIONS: [&str; 5] =
    ["class1-port", "pilot-zone", "open-border-city", "border-econ-zone", "cross-border-zone"];

pub struct PolicySupport {
    none_scores: f64,
    /// (unit, year) -> number of conditions met
    counts: BTreeMap<(String, i32), u32>,
}

/// The score of a unit meeting `count` conditions.
pub fn score(count: u32, none_scores: f64) -> f64 {
    if count == 0 {
        none_scores
    } else {
        f64::from(count)
    }
}

impl Plugin for PolicySupport {
    const NAME: &'static str = "policy-support";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "X25: count of the five policy designations a unit holds (compiled, verify)";

    fn indicators() -> Vec<Indicator> {
        vec![Indicator::new("X25", "policy support (count of five designations)", "count")
            .with_note("from policy_support_compiled.csv, compiled by hand: verify")]
    }

    fn create(params: &Params, data_dir: &Path) -> Result<Self, String> {
        params.only(&["none-scores", "table"])?;
        let none_scores = params.number("none-scores", 0.0)?;
        if none_scores != 0.0 && none_scores != 1.0 {
            return Err(format!("parameter `none-scores` must be 0 or 1, got {none_scores}"));
        }
        let table = read_csv(&data_dir.join(params.string("table", "policy_support_compiled.csv")?))?;
        let (unit, year) = (table.column("unit")?, table.column("year")?);
        let flags: Vec<usize> = CONDITIONS.iter().map(|c| table.column(c)).collect::<Result<_, _>>()?;
        let mut counts = BTreeMap::new();
        for (line, row) in &table.rows {
            let at = |what: &str| format!("{}, line {line}: {what}", table.path);
            let y: i32 = row[year].trim().parse().map_err(|_| at(&format!("year `{}` is not a year", row[year])))?;
            let mut count = 0;
            for (&c, name) in flags.iter().zip(CONDITIONS) {
                match row[c].trim() {
                    "0" => {}
                    "1" => count += 1,
                    other => return Err(at(&format!("column `{name}` must be 0 or 1, got `{other}`"))),
                }
            }
            if counts.insert((row[unit].clone(), y), count).is_some() {
                return Err(at(&format!("second row for unit {} and year {y}", row[unit])));
            }
        }
        Ok(PolicySupport { none_scores, counts })
    }

    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        let Some(k) = request.indicator("X25") else { return Ok(()) };
        for (t, &period) in request.periods.iter().enumerate() {
            for (u, unit) in request.units.iter().enumerate() {
                match self.counts.get(&(unit.id.clone(), period)) {
                    Some(&count) => out.set(k, t, u, score(count, self.none_scores)),
                    None => out.note(format!("no designation row for unit {} in {period}: X25 left missing", unit.id)),
                }
            }
        }
        out.note("X25 counts designations compiled by hand: verify");
        Ok(())
    }
}

export_plugin!(PolicySupport);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_scores_reading() {
        assert_eq!([score(0, 0.0), score(0, 1.0), score(1, 1.0), score(3, 0.0)], [0.0, 1.0, 1.0, 3.0]);
    }

    #[test]
    fn bad_flag_names_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("policy-support-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header =
            "unit,year,class1-port,pilot-zone,open-border-city,border-econ-zone,cross-border-zone,source_note,status";
        std::fs::write(dir.join("policy_support_compiled.csv"), format!("{header}\nA,2010,1,0,0,2,0,x,y\n")).unwrap();
        let err = PolicySupport::create(&Params::default(), &dir).err().unwrap();
        assert!(err.contains("line 2: column `border-econ-zone` must be 0 or 1, got `2`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
