//! Albers equal-area conic projection on an ellipsoid (Snyder 1987, Map Projections: A Working
//! Manual, USGS Professional Paper 1395, equations 14-1 to 14-6 and 3-12).

/// An ellipsoid by its semi-major axis (m) and first eccentricity squared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    pub a: f64,
    pub e2: f64,
}

impl Ellipsoid {
    pub const WGS84: Ellipsoid = Ellipsoid { a: 6_378_137.0, e2: 0.006_694_379_990_141_317 };
}

/// An Albers projection: two standard parallels, an origin, no false easting or northing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Albers {
    ellipsoid: Ellipsoid,
    lon0: f64,
    n: f64,
    c: f64,
    rho0: f64,
}

impl Albers {
    /// The projection suited to China: WGS84, standard parallels 25N and 47N, central meridian
    /// 105E, latitude of origin 0.
    pub fn china() -> Albers {
        Albers::new(Ellipsoid::WGS84, 25.0, 47.0, 0.0, 105.0)
    }

    /// Standard parallels `lat1`, `lat2`, origin (`lat0`, `lon0`), degrees.
    pub fn new(ellipsoid: Ellipsoid, lat1: f64, lat2: f64, lat0: f64, lon0: f64) -> Albers {
        let (m1, m2) = (m(ellipsoid, lat1), m(ellipsoid, lat2));
        let (q0, q1, q2) = (q(ellipsoid, lat0), q(ellipsoid, lat1), q(ellipsoid, lat2));
        let n = (m1 * m1 - m2 * m2) / (q2 - q1);
        let c = m1 * m1 + n * q1;
        let rho0 = ellipsoid.a * (c - n * q0).sqrt() / n;
        Albers { ellipsoid, lon0, n, c, rho0 }
    }

    /// (x, y) in metres of a (lon, lat) in degrees.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let rho = self.ellipsoid.a * (self.c - self.n * q(self.ellipsoid, lat)).sqrt() / self.n;
        let theta = self.n * (lon - self.lon0).to_radians();
        (rho * theta.sin(), self.rho0 - rho * theta.cos())
    }
}

/// Snyder 14-15: m = cos phi / sqrt(1 - e^2 sin^2 phi).
fn m(e: Ellipsoid, lat: f64) -> f64 {
    let s = lat.to_radians().sin();
    lat.to_radians().cos() / (1.0 - e.e2 * s * s).sqrt()
}

/// Snyder 3-12: q = (1 - e^2) [sin phi / (1 - e^2 sin^2 phi) - 1/(2e) ln((1 - e sin phi)/(1 + e sin phi))].
fn q(e: Ellipsoid, lat: f64) -> f64 {
    let s = lat.to_radians().sin();
    let ecc = e.e2.sqrt();
    (1.0 - e.e2) * (s / (1.0 - e.e2 * s * s) - (1.0 / (2.0 * ecc)) * ((1.0 - ecc * s) / (1.0 + ecc * s)).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snyders_worked_example() {
        // Snyder (1987), p. 292-293: Clarke 1866 (a = 6378206.4 m, e^2 = 0.00676866), standard
        // parallels 29.5N and 45.5N, origin 23N 96W; the point 35N 75W projects to
        // x = 1,885,472.7 m, y = 1,535,925.0 m.
        let clarke = Ellipsoid { a: 6_378_206.4, e2: 0.006_768_66 };
        let p = Albers::new(clarke, 29.5, 45.5, 23.0, -96.0);
        let (x, y) = p.project(-75.0, 35.0);
        assert!((x - 1_885_472.7).abs() < 0.1, "x = {x}");
        assert!((y - 1_535_925.0).abs() < 0.1, "y = {y}");
        assert!((p.n - 0.602_903_5).abs() < 1e-7);
    }

    #[test]
    fn central_meridian_maps_to_x_zero_and_north_is_up() {
        let p = Albers::china();
        let (x, y1) = p.project(105.0, 30.0);
        let (_, y2) = p.project(105.0, 40.0);
        assert!(x.abs() < 1e-6);
        assert!(y2 > y1);
        assert!(p.project(110.0, 30.0).0 > 0.0);
    }
}
