//! The geo-distance plugin: X28, the great-circle distance in km from a unit's point (seat or
//! centroid: parameter `point`) to its provincial capital, and X29, to the foreign city across its
//! main border crossing. Reads `provincial_capitals.csv` (derived from DataV) and
//! `border_crossings_compiled.csv` (compiled by hand: verify) from the data folder.

use std::collections::BTreeMap;
use std::path::Path;

use resil_plugin_sdk::{export_plugin, read_csv, Indicator, Output, Params, Plugin, Request};

/// Mean Earth radius (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Haversine distance in km between two (lon, lat) points in degrees.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

pub struct GeoDistance {
    use_centroid: bool,
    /// province -> capital (lon, lat)
    capitals: BTreeMap<String, (f64, f64)>,
    /// unit id -> crossing city (lon, lat)
    crossings: BTreeMap<String, (f64, f64)>,
}

fn number(cell: &str, what: &str) -> Result<f64, String> {
    cell.trim().parse().map_err(|_| format!("{what}: `{cell}` is not a number"))
}

/// Reads (key column, lon, lat) from a table in the data folder.
fn points(dir: &Path, file: &str, key: &str) -> Result<BTreeMap<String, (f64, f64)>, String> {
    let t = read_csv(&dir.join(file))?;
    let (k, lon, lat) = (t.column(key)?, t.column("lon")?, t.column("lat")?);
    t.rows
        .iter()
        .map(|(line, r)| {
            let at = format!("{}, line {line}", t.path);
            Ok((r[k].clone(), (number(&r[lon], &at)?, number(&r[lat], &at)?)))
        })
        .collect()
}

impl Plugin for GeoDistance {
    const NAME: &'static str = "geo-distance";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "great-circle distances to the provincial capital (X28) and the foreign crossing city (X29)";

    fn indicators() -> Vec<Indicator> {
        vec![
            Indicator::new("X28", "distance to the provincial capital", "km")
                .with_note("haversine, R = 6371.0088 km; capitals derived from DataV centres"),
            Indicator::new("X29", "distance to the foreign border-crossing city", "km")
                .with_note("haversine to the crossing city of border_crossings_compiled.csv (compiled, verify)"),
        ]
    }

    fn create(params: &Params, data_dir: &Path) -> Result<Self, String> {
        params.only(&["point"])?;
        let point = params.choice("point", &["seat", "centroid"], "seat")?;
        Ok(GeoDistance {
            use_centroid: point == "centroid",
            capitals: points(data_dir, "provincial_capitals.csv", "province")?,
            crossings: points(data_dir, "border_crossings_compiled.csv", "unit")?,
        })
    }

    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        let (x28, x29) = (request.indicator("X28"), request.indicator("X29"));
        for (u, unit) in request.units.iter().enumerate() {
            let Some(from) = (if self.use_centroid { unit.centroid } else { unit.seat }) else { continue };
            let capital = self.capitals.get(&unit.province).map(|&c| great_circle_km(from, c));
            let crossing = self.crossings.get(&unit.id).map(|&c| great_circle_km(from, c));
            if x29.is_some() && crossing.is_none() {
                out.note(format!("no crossing city for unit {} ({}): X29 left missing", unit.id, unit.name));
            }
            for t in 0..request.periods.len() {
                if let (Some(k), Some(d)) = (x28, capital) {
                    out.set(k, t, u, d);
                }
                if let (Some(k), Some(d)) = (x29, crossing) {
                    out.set(k, t, u, d);
                }
            }
        }
        out.note("X29 uses crossing cities compiled by hand: verify");
        Ok(())
    }
}

export_plugin!(GeoDistance);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_meridian_is_2_pi_r_over_360() {
        // Independent computation: on a sphere, 1 degree of latitude is 2 pi R / 360 = 111.1951 km.
        let d = great_circle_km((100.0, 10.0), (100.0, 11.0));
        assert!((d - 2.0 * std::f64::consts::PI * EARTH_RADIUS_KM / 360.0).abs() < 1e-9);
        // A quarter of the equator.
        assert!((great_circle_km((0.0, 0.0), (90.0, 0.0)) - std::f64::consts::PI * EARTH_RADIUS_KM / 2.0).abs() < 1e-9);
        assert_eq!(great_circle_km((5.0, 5.0), (5.0, 5.0)), 0.0);
    }

    #[test]
    fn unknown_parameter_is_refused() {
        let p = Params::new([("pont".to_string(), "\"seat\"".to_string())].into());
        let err = GeoDistance::create(&p, Path::new(".")).err().unwrap();
        assert!(err.contains("unknown parameter `pont`"), "{err}");
    }
}
