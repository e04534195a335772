//! The neighbor-fragility plugin: X26, the Fragile States Index (© The Fund for Peace), and X27,
//! the Human Development Index (UNDP HDR 2023/24, CC BY 3.0 IGO), of the countries a unit borders.
//!
//! Parameters:
//! - `combine`: how several neighbours combine: `mean` (default), `max`, or `main-partner` (the
//!   country across the unit's main crossing, from `border_crossings_compiled.csv`).
//! - `lag`: years between a study period and the index edition used (default 0: the FSI 2010
//!   edition for 2010; FSI editions describe the year before their title).
//! - `missing-hdi`: North Korea has no HDI in any UNDP release, so it is left out of X27; for a
//!   unit with no neighbour HDI left (Dandong, Baishan, Tonghua border only North Korea):
//!   `missing` (default; the cell stays missing for the imputation's fallback), `neighbour-min`
//!   (the lowest HDI of China's land neighbours that edition) or `neighbour-mean` (their mean).

use std::collections::BTreeMap;
use std::path::Path;

use resil_plugin_sdk::{export_plugin, read_csv, Indicator, Output, Params, Plugin, Request, Table};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combine {
    Mean,
    Max,
    MainPartner,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum MissingHdi {
    Missing,
    NeighbourMin,
    NeighbourMean,
}

pub struct NeighborFragility {
    combine: Combine,
    lag: i32,
    missing_hdi: MissingHdi,
    /// (iso3, year) -> FSI total
    fsi: BTreeMap<(String, i32), f64>,
    /// (iso3, year) -> HDI
    hdi: BTreeMap<(String, i32), f64>,
    /// unit id -> ISO3 of its main crossing partner
    partner: BTreeMap<String, String>,
}

/// (iso3, year) -> value of `column`, skipping empty cells (North Korea's HDI).
fn series(table: &Table, column: &str) -> Result<BTreeMap<(String, i32), f64>, String> {
    let (iso, year, value) = (table.column("iso3")?, table.column("year")?, table.column(column)?);
    let mut out = BTreeMap::new();
    for (line, r) in &table.rows {
        if r[value].trim().is_empty() {
            continue;
        }
        let at = format!("{}, line {line}", table.path);
        let y: i32 = r[year].trim().parse().map_err(|_| format!("{at}: year `{}` is not a year", r[year]))?;
        let v: f64 = r[value].trim().parse().map_err(|_| format!("{at}: `{}` is not a number", r[value]))?;
        out.insert((r[iso].clone(), y), v);
    }
    Ok(out)
}

/// Combines the values of several neighbours: mean or max; `None` when there are none.
fn combine(values: &[f64], how: Combine) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(match how {
        Combine::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => values.iter().sum::<f64>() / values.len() as f64,
    })
}

impl NeighborFragility {
    /// The combined value of `index` for a unit's neighbours in an edition year.
    fn value(
        &self,
        index: &BTreeMap<(String, i32), f64>,
        neighbours: &[String],
        partner: Option<&String>,
        year: i32,
    ) -> Option<f64> {
        let get = |iso: &String| index.get(&(iso.clone(), year)).copied();
        match self.combine {
            Combine::MainPartner => partner.and_then(get),
            how => combine(&neighbours.iter().filter_map(get).collect::<Vec<_>>(), how),
        }
    }

    /// All neighbours' HDI for an edition year, for the `missing-hdi` rule.
    fn edition_hdi(&self, year: i32) -> Vec<f64> {
        self.hdi.iter().filter(|((_, y), _)| *y == year).map(|(_, &v)| v).collect()
    }
}

impl Plugin for NeighborFragility {
    const NAME: &'static str = "neighbor-fragility";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Fragile States Index (X26) and HDI (X27) of the countries a unit borders";

    fn indicators() -> Vec<Indicator> {
        vec![
            Indicator::new("X26", "Fragile States Index of the neighbouring countries", "index 0-120")
                .with_note("Fund for Peace, fragilestatesindex.org; higher is more fragile"),
            Indicator::new("X27", "Human Development Index of the neighbouring countries", "index 0-1")
                .with_note("UNDP HDR 2023/24 time series, CC BY 3.0 IGO; North Korea has none"),
        ]
    }

    fn create(params: &Params, data_dir: &Path) -> Result<Self, String> {
        params.only(&["combine", "lag", "missing-hdi"])?;
        let combine = match params.choice("combine", &["mean", "max", "main-partner"], "mean")?.as_str() {
            "max" => Combine::Max,
            "main-partner" => Combine::MainPartner,
            _ => Combine::Mean,
        };
        let lag = params.number("lag", 0.0)?;
        if lag.fract() != 0.0 || !(0.0..=10.0).contains(&lag) {
            return Err(format!("parameter `lag` must be a whole number of years from 0 to 10, got {lag}"));
        }
        let missing_hdi =
            match params.choice("missing-hdi", &["missing", "neighbour-min", "neighbour-mean"], "missing")?.as_str() {
                "neighbour-min" => MissingHdi::NeighbourMin,
                "neighbour-mean" => MissingHdi::NeighbourMean,
                _ => MissingHdi::Missing,
            };
        let crossings = read_csv(&data_dir.join("border_crossings_compiled.csv"))?;
        let (unit, iso) = (crossings.column("unit")?, crossings.column("iso3")?);
        Ok(NeighborFragility {
            combine,
            lag: lag as i32,
            missing_hdi,
            fsi: series(&read_csv(&data_dir.join("fsi_neighbours_2006_2020.csv"))?, "fsi_total")?,
            hdi: series(&read_csv(&data_dir.join("hdi_neighbours_1990_2022.csv"))?, "hdi")?,
            partner: crossings.rows.iter().map(|(_, r)| (r[unit].clone(), r[iso].clone())).collect(),
        })
    }

    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        let (x26, x27) = (request.indicator("X26"), request.indicator("X27"));
        for (t, &period) in request.periods.iter().enumerate() {
            let edition = period - self.lag;
            for (u, unit) in request.units.iter().enumerate() {
                let partner = self.partner.get(&unit.id);
                if let Some(k) = x26 {
                    match self.value(&self.fsi, &unit.neighbours, partner, edition) {
                        Some(v) => out.set(k, t, u, v),
                        None => out.note(format!(
                            "no FSI {edition} for the neighbours of {} ({}): X26 left missing",
                            unit.id, unit.name
                        )),
                    }
                }
                if let Some(k) = x27 {
                    match self.value(&self.hdi, &unit.neighbours, partner, edition) {
                        Some(v) => out.set(k, t, u, v),
                        None => {
                            let all = self.edition_hdi(edition);
                            let fill = match self.missing_hdi {
                                MissingHdi::Missing => None,
                                MissingHdi::NeighbourMin => all.iter().copied().reduce(f64::min),
                                MissingHdi::NeighbourMean => combine(&all, Combine::Mean),
                            };
                            match fill {
                                Some(v) => {
                                    out.set(k, t, u, v);
                                    out.note(format!("{} ({}) {period}: no neighbour HDI (North Korea has none); missing-hdi rule gives {v}", unit.id, unit.name));
                                }
                                None => out.note(format!(
                                    "{} ({}) {period}: no neighbour HDI (North Korea has none); X27 left missing",
                                    unit.id, unit.name
                                )),
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

export_plugin!(NeighborFragility);

#[cfg(test)]
mod tests {
    use super::*;
    use resil_plugin_sdk::Unit;

    fn plugin(combine: Combine, lag: i32, missing_hdi: MissingHdi) -> NeighborFragility {
        let key = |iso: &str, y: i32| (iso.to_string(), y);
        NeighborFragility {
            combine,
            lag,
            missing_hdi,
            fsi: [
                (key("RUS", 2010), 79.0),
                (key("PRK", 2010), 97.8),
                (key("RUS", 2009), 77.0),
                (key("PRK", 2009), 95.0),
            ]
            .into(),
            hdi: [(key("RUS", 2010), 0.797), (key("MNG", 2010), 0.7)].into(),
            partner: [("a".to_string(), "PRK".to_string())].into(),
        }
    }

    /// X26 and X27 (NaN when missing) and the notes, for one unit in 2010.
    fn run(p: &NeighborFragility, neighbours: &[&str]) -> (Vec<f64>, Vec<String>) {
        let neighbours = neighbours.iter().map(|s| s.to_string()).collect();
        let unit =
            Unit { id: "a".into(), name: "A".into(), province: String::new(), neighbours, seat: None, centroid: None };
        let request = Request { units: vec![unit], periods: vec![2010], indicators: vec!["X26".into(), "X27".into()] };
        let mut out = Output::new(&request);
        p.load(&request, &mut out).unwrap();
        let values = (0..2).map(|k| out.get(k, 0, 0).unwrap_or(f64::NAN)).collect();
        (values, out.notes().to_vec())
    }

    #[test]
    fn mean_max_and_main_partner() {
        // RUS 79.0 and PRK 97.8 in the FSI 2010 edition.
        assert_eq!(run(&plugin(Combine::Mean, 0, MissingHdi::Missing), &["RUS", "PRK"]).0[0], (79.0 + 97.8) / 2.0);
        assert_eq!(run(&plugin(Combine::Max, 0, MissingHdi::Missing), &["RUS", "PRK"]).0[0], 97.8);
        assert_eq!(run(&plugin(Combine::MainPartner, 0, MissingHdi::Missing), &["RUS", "PRK"]).0[0], 97.8);
        // A lag of one year reads the 2009 edition.
        assert_eq!(run(&plugin(Combine::Mean, 1, MissingHdi::Missing), &["RUS", "PRK"]).0[0], 86.0);
    }

    #[test]
    fn north_korea_has_no_hdi_and_the_rule_decides() {
        // HDI of RUS and PRK: PRK is left out, the mean is RUS's alone.
        assert_eq!(run(&plugin(Combine::Mean, 0, MissingHdi::Missing), &["RUS", "PRK"]).0[1], 0.797);
        let (values, notes) = run(&plugin(Combine::Mean, 0, MissingHdi::Missing), &["PRK"]);
        assert!(values[1].is_nan());
        assert!(notes.join(" ").contains("X27 left missing"));
        assert_eq!(run(&plugin(Combine::Mean, 0, MissingHdi::NeighbourMin), &["PRK"]).0[1], 0.7);
        assert!((run(&plugin(Combine::Mean, 0, MissingHdi::NeighbourMean), &["PRK"]).0[1] - 0.7485).abs() < 1e-12);
    }
}
