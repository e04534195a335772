//! The polygons the report's maps draw under the units: Natural Earth's, bundled, or a GeoJSON
//! given with `resil report --outlines`, checked feature by feature so that a bad file is an
//! error naming the feature and position, never a blank or wrong map.

use std::path::Path;

use resil_core::{Error, Result};
use serde_json::Value;

/// The Natural Earth outlines bundled with resil (public domain), used unless replaced.
const BUNDLED: &str = include_str!("../../../data/geo/ne_110m_countries_china_region.geojson");

/// At most this many problems are listed; a wholly wrong file would otherwise list thousands.
const MAX_PROBLEMS: usize = 10;

/// Map outlines and where they come from, which every map and the report's page credit.
pub(crate) struct Outlines {
    pub(crate) geojson: Value,
    pub(crate) source: String,
}

impl Outlines {
    pub(crate) fn bundled() -> Outlines {
        Outlines {
            geojson: serde_json::from_str(BUNDLED).expect("the bundled outlines are valid GeoJSON"),
            source: "Natural Earth 1:110m, public domain".into(),
        }
    }

    /// The report page's line on the outlines.
    pub(crate) fn credit(&self) -> String {
        format!("Map outlines: {}; boundaries are illustrative.", self.source)
    }

    /// The outlines in `path` (a GeoJSON FeatureCollection of Polygons and MultiPolygons), or the
    /// bundled ones when there is none.
    pub(crate) fn load(path: Option<&Path>) -> Result<Outlines> {
        let Some(path) = path else { return Ok(Outlines::bundled()) };
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let geojson: Value = serde_json::from_str(&text).map_err(|e| Error::input(path, None, e.to_string()))?;
        let problems = problems(&geojson);
        if !problems.is_empty() {
            return Err(Error::from_list(problems.into_iter().map(|p| Error::input(path, None, p)).collect()));
        }
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Outlines { geojson, source: format!("{name}, given with --outlines") })
    }
}

/// Everything that keeps `geojson` from being drawn as outlines, by key path.
fn problems(geojson: &Value) -> Vec<String> {
    if geojson["type"] != "FeatureCollection" {
        return vec![format!("type: must be \"FeatureCollection\", got {}", geojson["type"])];
    }
    let Some(features) = geojson["features"].as_array().filter(|f| !f.is_empty()) else {
        return vec!["features: must be a non-empty array of polygon features".into()];
    };
    let mut problems = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        if problems.len() >= MAX_PROBLEMS {
            problems.truncate(MAX_PROBLEMS);
            problems.push(format!("(further features not checked; {} in all)", features.len()));
            break;
        }
        let name = feature["properties"]["name"].as_str().or(feature["properties"]["NAME"].as_str());
        let at = match name {
            Some(name) => format!("features[{i}] (`{name}`)"),
            None => format!("features[{i}]"),
        };
        let geometry = &feature["geometry"];
        let coordinates = &geometry["coordinates"];
        let polygons: Vec<(String, &Value)> = match geometry["type"].as_str() {
            Some("Polygon") => vec![(String::new(), coordinates)],
            Some("MultiPolygon") => match coordinates.as_array().filter(|p| !p.is_empty()) {
                Some(polygons) => polygons.iter().enumerate().map(|(p, v)| (format!("[{p}]"), v)).collect(),
                None => {
                    problems.push(format!("{at}: geometry.coordinates: a MultiPolygon needs at least one polygon"));
                    continue;
                }
            },
            other => {
                let got = other.map_or_else(|| "no geometry type".to_string(), |t| format!("a {t}"));
                problems.push(format!("{at}: geometry.type: outlines are Polygons or MultiPolygons, got {got}"));
                continue;
            }
        };
        for (p, polygon) in polygons {
            if let Some(problem) = polygon_problem(polygon) {
                problems.push(format!("{at}: geometry.coordinates{p}{problem}"));
            }
        }
    }
    problems
}

/// The first fault of one polygon's rings, as a key-path tail and a message.
fn polygon_problem(polygon: &Value) -> Option<String> {
    let Some(rings) = polygon.as_array().filter(|r| !r.is_empty()) else {
        return Some(": a polygon is a non-empty array of rings".into());
    };
    for (r, ring) in rings.iter().enumerate() {
        let Some(points) = ring.as_array() else { return Some(format!("[{r}]: a ring is an array of positions")) };
        if points.len() < 3 {
            return Some(format!("[{r}]: a ring needs at least 3 positions, got {}", points.len()));
        }
        for (q, point) in points.iter().enumerate() {
            let lon = point[0].as_f64().filter(|x| x.is_finite());
            let lat = point[1].as_f64().filter(|y| y.is_finite());
            // The numbers as the file writes them: 1e308 had been printed with all its 309 digits.
            let message = match (lon, lat) {
                (Some(lon), _) if !(-180.0..=180.0).contains(&lon) => {
                    format!("longitude {} is outside [-180, 180]", point[0])
                }
                (_, Some(lat)) if !(-90.0..=90.0).contains(&lat) => {
                    format!("latitude {} is outside [-90, 90]", point[1])
                }
                (Some(_), Some(_)) => continue,
                _ => format!("a position is [longitude, latitude] in numbers, got {point}"),
            };
            return Some(format!("[{r}][{q}]: {message}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn collection(geometry: Value) -> Value {
        json!({ "type": "FeatureCollection", "features": [
            { "type": "Feature", "properties": { "name": "Square" },
              "geometry": { "type": "Polygon", "coordinates": [[[100, 40], [101, 40], [101, 41], [100, 40]]] } },
            { "type": "Feature", "properties": { "name": "Odd" }, "geometry": geometry },
        ]})
    }

    #[test]
    fn the_bundled_outlines_pass_their_own_check() {
        assert_eq!(problems(&Outlines::bundled().geojson), Vec::<String>::new());
    }

    #[test]
    fn each_fault_is_named_by_feature_and_position() {
        let square = json!([[[100, 40], [101, 40], [101, 41], [100, 40]]]);
        let cases = [
            (json!({ "type": "Polygon", "coordinates": square }), None),
            (json!({ "type": "MultiPolygon", "coordinates": [square] }), None),
            (
                json!({ "type": "LineString", "coordinates": [[0, 0], [1, 1]] }),
                Some("features[1] (`Odd`): geometry.type: outlines are Polygons or MultiPolygons, got a LineString"),
            ),
            (
                Value::Null,
                Some(
                    "features[1] (`Odd`): geometry.type: outlines are Polygons or MultiPolygons, got no geometry type",
                ),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [1, 1]]] }),
                Some("features[1] (`Odd`): geometry.coordinates[0]: a ring needs at least 3 positions, got 2"),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [] }),
                Some("geometry.coordinates: a polygon is a non-empty array of rings"),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [1, 1], ["east", 2]]] }),
                Some("geometry.coordinates[0][2]: a position is [longitude, latitude] in numbers, got [\"east\",2]"),
            ),
            (json!({ "type": "Polygon", "coordinates": [[[0, 0], [1]]] }), Some("a ring needs at least 3 positions")),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2]]] }),
                Some("geometry.coordinates[0][2]: a position is [longitude, latitude] in numbers, got [2]"),
            ),
            (
                json!({ "type": "MultiPolygon", "coordinates": [square, [[[0, 0], [200, 1], [0, 1]]]] }),
                Some("geometry.coordinates[1][0][1]: longitude 200 is outside [-180, 180]"),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [1, 95], [0, 1]]] }),
                Some("geometry.coordinates[0][1]: latitude 95 is outside [-90, 90]"),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [1e308, 5], [0, -2.5e200]]] }),
                Some("geometry.coordinates[0][1]: longitude 1e+308 is outside [-180, 180]"),
            ),
            (
                json!({ "type": "Polygon", "coordinates": [[[0, 0], [0, -2.5e200], [1, 1]]] }),
                Some("geometry.coordinates[0][1]: latitude -2.5e+200 is outside [-90, 90]"),
            ),
            (
                json!({ "type": "MultiPolygon", "coordinates": [] }),
                Some("geometry.coordinates: a MultiPolygon needs at least one polygon"),
            ),
        ];
        for (geometry, want) in cases {
            let got = problems(&collection(geometry.clone()));
            match want {
                None => assert!(got.is_empty(), "{geometry}: {got:?}"),
                Some(want) => assert!(got.len() == 1 && got[0].contains(want), "{geometry}: {got:?}"),
            }
        }
        assert_eq!(problems(&json!({ "type": "Feature" })), ["type: must be \"FeatureCollection\", got \"Feature\""]);
        assert_eq!(
            problems(&json!({ "type": "FeatureCollection", "features": [] })),
            ["features: must be a non-empty array of polygon features"]
        );
    }

    #[test]
    fn a_wholly_wrong_file_lists_ten_problems_and_says_so() {
        let features: Vec<Value> = (0..50).map(|_| json!({ "type": "Feature", "geometry": null })).collect();
        let got = problems(&json!({ "type": "FeatureCollection", "features": features }));
        assert_eq!(got.len(), MAX_PROBLEMS + 1);
        assert_eq!(got.last().unwrap(), "(further features not checked; 50 in all)");
    }
}
