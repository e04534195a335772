//! The unit list: a CSV with one row per unit.
//!
//! Required columns: `id`, `name`, `province`. Optional: `seat_lon`, `seat_lat`, `centroid_lon`,
//! `centroid_lat` (WGS84 degrees), `neighbours` and `aliases` (`;`-separated), `excluded` (the
//! reason; empty = studied). Any other column is kept as a tag.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use resil_core::{Error, LonLat, Result, Unit};

use crate::{parse_value, CsvLines};

const KNOWN: [&str; 10] = [
    "id",
    "name",
    "province",
    "seat_lon",
    "seat_lat",
    "centroid_lon",
    "centroid_lat",
    "neighbours",
    "aliases",
    "excluded",
];

/// Reads the unit list; `regions` maps province to region (a unit's region is its province when
/// the map is empty). Returns every problem found.
pub fn load_units(path: &Path, regions: &BTreeMap<String, String>) -> Result<Vec<Unit>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| csv_error(path, e, &mut lines))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let mut problems = Vec::new();
    for required in ["id", "name", "province"] {
        if col(required).is_none() {
            problems.push(Error::input(path, Some(1), format!("missing column `{required}`")));
        }
    }
    if !problems.is_empty() {
        return Err(Error::from_list(problems));
    }
    let mut units = Vec::new();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_error(path, e, &mut lines));
                continue;
            }
        };
        let line = lines.line(record.position());
        let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        let mut number = |name: &str| -> Option<f64> {
            let cell = get(name);
            // WGS84 degrees: longitudes in [-180, 180], latitudes in [-90, 90].
            let limit = if name.ends_with("_lat") { 90.0 } else { 180.0 };
            match parse_value(&cell) {
                Ok(v) if v.is_nan() => None,
                Ok(v) if v.abs() > limit => {
                    problems.push(Error::input_at(
                        path,
                        line,
                        name,
                        format!(
                            "{v} is not a WGS84 {} (|value| <= {limit}); swapped columns?",
                            if limit == 90.0 { "latitude" } else { "longitude" }
                        ),
                    ));
                    None
                }
                Ok(v) => Some(v),
                Err(msg) => {
                    problems.push(Error::input_at(path, line, name, msg));
                    None
                }
            }
        };
        let read: Vec<Option<f64>> =
            ["seat_lon", "seat_lat", "centroid_lon", "centroid_lat"].iter().map(|name| number(name)).collect();
        // Half a point would be dropped as none: name the half that is missing.
        let mut pair = |point: &str, lon: Option<f64>, lat: Option<f64>| match (lon, lat) {
            (Some(lon), Some(lat)) => Some(LonLat { lon, lat }),
            (Some(_), None) | (None, Some(_)) => {
                let (given, empty) = if lon.is_some() { ("lon", "lat") } else { ("lat", "lon") };
                if get(&format!("{point}_{empty}")).is_empty() {
                    let message =
                        format!("{point}_{given} is given but {point}_{empty} is empty; give both or neither");
                    problems.push(Error::input_at(path, line, format!("{point}_{empty}"), message));
                }
                None
            }
            (None, None) => None,
        };
        let seat = pair("seat", read[0], read[1]);
        let centroid = pair("centroid", read[2], read[3]);
        let id = get("id");
        if id.is_empty() {
            problems.push(Error::input_at(path, line, "id", "empty unit id"));
            continue;
        }
        if !seen.insert(id.clone()) {
            problems.push(Error::input_at(path, line, "id", format!("duplicate unit id `{id}`")));
            continue;
        }
        let province = get("province");
        let region = if regions.is_empty() {
            province.clone()
        } else if let Some(r) = regions.get(&province) {
            r.clone()
        } else {
            problems.push(Error::input_at(
                path,
                line,
                "province",
                format!("province `{province}` of unit `{id}` is not in the config's [study.regions] map"),
            ));
            String::new()
        };
        let list =
            |name: &str| get(name).split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        let excluded = Some(get("excluded")).filter(|s| !s.is_empty());
        let tags = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !KNOWN.contains(&h.trim()))
            .map(|(i, h)| (h.trim().to_string(), record.get(i).unwrap_or("").to_string()))
            .collect();
        units.push(Unit {
            name: get("name"),
            province,
            region,
            seat,
            centroid,
            neighbours: list("neighbours"),
            aliases: list("aliases"),
            excluded,
            tags,
            id,
        });
    }
    if !problems.is_empty() {
        return Err(Error::from_list(problems));
    }
    if units.is_empty() {
        return Err(Error::input(path, None, "no units"));
    }
    Ok(units)
}

/// A CSV reader's error in words: the file and line, and what to do about it.
pub fn csv_error(path: &Path, e: csv::Error, lines: &mut CsvLines<'_>) -> Error {
    let line = e.position().map(|p| lines.line(Some(p)));
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        csv::ErrorKind::Utf8 { err, .. } => Error::input(
            path,
            line,
            format!(
                "field {} is not valid UTF-8 (after byte {}); save the file as UTF-8",
                err.field() + 1,
                err.valid_up_to()
            ),
        ),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => Error::input(
            path,
            line,
            format!("{len} fields where the header has {expected_len}; check the delimiter (comma) and quoting"),
        ),
        _ => Error::input(path, line, format!("malformed CSV: {message}")),
    }
}
