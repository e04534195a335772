//! Geodesy for the dataset: GCJ-02 to WGS84 (distances are the geo-distance plugin's).

use std::f64::consts::PI;

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The published GCJ-02 offset at a WGS84 point, (dlon, dlat) in degrees.
fn gcj_offset(lon: f64, lat: f64) -> (f64, f64) {
    let mut dlat = transform_lat(lon - 105.0, lat - 35.0);
    let mut dlon = transform_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    dlat = dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    dlon = dlon * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    (dlon, dlat)
}

/// WGS84 from GCJ-02 by fixed-point iteration of the forward offset (error far below 1 m).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (mut wlon, mut wlat) = (lon, lat);
    for _ in 0..30 {
        let (dlon, dlat) = gcj_offset(wlon, wlat);
        let (nlon, nlat) = (lon - dlon, lat - dlat);
        let done = (nlon - wlon).abs() < 1e-12 && (nlat - wlat).abs() < 1e-12;
        (wlon, wlat) = (nlon, nlat);
        if done {
            break;
        }
    }
    (wlon, wlat)
}
