//! The synthetic yearbook panel: the 23 city indicators for which no openly licensed panel
//! exists. Seeded (ChaCha8, seed 20221101), with plausible magnitudes, a shared development
//! factor per unit, regional effects and trends. Never to be cited as data.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::border_data::{Gazetteer, PERIODS};

pub const SEED: u64 = 20_221_101;

/// Regions in effect order: Northeast, North, Northwest, Tibet, Southwest (method.md section 3).
fn region_index(province: &str) -> usize {
    match province {
        "Heilongjiang" | "Jilin" | "Liaoning" => 0,
        "Inner Mongolia" | "Gansu" => 1,
        "Xinjiang" => 2,
        "Tibet" => 3,
        _ => 4,
    }
}

enum Kind {
    /// Log-normal level: base * exp(region + load d + sd e) * (1 + growth)^t.
    Level,
    /// Bounded share or rate: base + region + load d + sd e + growth t, clamped to [lo, hi].
    Bounded { lo: f64, hi: f64 },
}

struct Spec {
    id: &'static str,
    kind: Kind,
    base: f64,
    region: [f64; 5],
    load: f64,
    sd: f64,
    growth: f64,
    decimals: i32,
}

const fn level(id: &'static str, base: f64, region: [f64; 5], load: f64, sd: f64, growth: f64, decimals: i32) -> Spec {
    Spec { id, kind: Kind::Level, base, region, load, sd, growth, decimals }
}

#[allow(clippy::too_many_arguments)]
const fn bounded(
    id: &'static str,
    base: f64,
    region: [f64; 5],
    load: f64,
    sd: f64,
    growth: f64,
    lo: f64,
    hi: f64,
    decimals: i32,
) -> Spec {
    Spec { id, kind: Kind::Bounded { lo, hi }, base, region, load, sd, growth, decimals }
}

/// Magnitudes are set to look like prefecture yearbook figures of 2010-2020; data/border-cities/README.md lists them.
const SPECS: [Spec; 23] = [
    level("X1", 30000.0, [0.0, 0.35, 0.0, -0.35, -0.2], 0.35, 0.15, 0.45, 0),
    bounded("X2", 40.0, [2.0, 0.0, 0.0, 8.0, -2.0], 3.0, 6.0, 3.5, 20.0, 75.0, 2),
    level("X3", 2500.0, [-0.1, 0.3, 0.05, -0.3, -0.15], 0.4, 0.2, 0.35, 0),
    level("X4", 22000.0, [0.0, 0.4, 0.1, 0.1, -0.1], 0.3, 0.25, 0.3, 0),
    level("X5", 9000.0, [0.1, 0.2, -0.1, -0.3, -0.15], 0.3, 0.15, 0.4, 0),
    level("X6", 18000.0, [0.15, 0.2, -0.05, -0.3, -0.2], 0.35, 0.15, 0.45, 0),
    bounded("X7", 11.0, [-2.0, 0.0, 1.0, 2.0, 1.0], 0.5, 2.0, -2.5, -5.0, 20.0, 1),
    bounded("X8", 60.0, [3.0, 2.0, -5.0, -15.0, -8.0], 5.0, 6.0, 4.0, 20.0, 98.0, 2),
    level("X10", 32000.0, [-0.1, 0.05, 0.05, 0.25, 0.0], 0.1, 0.08, 0.4, 0),
    level("X11", 40.0, [0.1, 0.1, 0.1, -0.2, -0.05], 0.1, 0.15, 0.2, 1),
    bounded("X12", 3.8, [0.4, 0.0, -0.3, -1.0, 0.0], -0.2, 0.4, -0.15, 1.0, 7.0, 2),
    bounded("X13", 0.55, [0.05, 0.05, 0.0, -0.1, -0.08], 0.05, 0.08, 0.08, 0.1, 1.2, 3),
    level("X14", 1300.0, [-0.1, 0.0, 0.05, -0.1, 0.05], 0.05, 0.12, 0.02, 0),
    level("X15", 45.0, [0.2, 0.1, 0.0, -0.3, -0.1], 0.2, 0.3, 0.25, 1),
    level("X16", 8.0, [0.1, 0.1, 0.0, -0.4, -0.1], 0.3, 0.25, 0.7, 2),
    level("X17", 0.6, [0.5, 0.3, -0.3, -2.0, -0.2], 0.2, 0.6, -0.35, 3),
    bounded("X18", 34.0, [2.0, 0.0, -3.0, -8.0, 4.0], 1.5, 4.0, 2.0, 10.0, 50.0, 1),
    bounded("X19", 70.0, [5.0, 3.0, -5.0, -30.0, 0.0], 5.0, 12.0, 10.0, 5.0, 100.0, 1),
    bounded("X20", 68.0, [2.0, 5.0, -3.0, -35.0, -3.0], 5.0, 10.0, 9.0, 5.0, 99.0, 1),
    bounded("X21", 60.0, [5.0, -5.0, -10.0, -20.0, 0.0], 3.0, 15.0, 3.0, 5.0, 100.0, 1),
    level("X22", 12.0, [0.0, 0.3, 0.2, -0.6, 0.3], 0.1, 0.6, 0.0, 2),
    level("X23", 60.0, [0.0, 0.2, -0.4, -1.2, 0.0], 0.4, 0.8, 0.1, 1),
    level("X24", 8.0, [0.3, 0.3, -0.3, -0.5, 0.8], 0.2, 0.8, 0.2, 2),
];

/// A standard normal draw (Box-Muller), so that no distribution crate is needed.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The header and rows of yearbook_synthetic.csv (unit code as of the year, year, X1..X24 but X9).
pub fn yearbook(units: &[Gazetteer], code_in: &dyn Fn(&str, i32) -> String) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let development: Vec<f64> = units.iter().map(|_| normal(&mut rng)).collect();
    let idio: Vec<Vec<f64>> = units.iter().map(|_| SPECS.iter().map(|_| normal(&mut rng)).collect()).collect();
    let mut header = vec!["unit".to_string(), "year".to_string()];
    header.extend(SPECS.iter().map(|s| s.id.to_string()));
    let mut rows = Vec::new();
    for (t, &year) in PERIODS.iter().enumerate() {
        for (u, unit) in units.iter().enumerate() {
            // The four units the paper excluded lack much data; the others have rare gaps.
            let excluded = ["232700", "654200", "542500", "540500"].contains(&unit.code.as_str());
            let gap_rate = if excluded { 0.4 } else { 0.006 };
            let r = region_index(&unit.province);
            let mut row = vec![code_in(&unit.code, year), year.to_string()];
            for (i, s) in SPECS.iter().enumerate() {
                let noise = normal(&mut rng);
                let gap = rng.gen::<f64>() < gap_rate;
                let d = development[u];
                let v = match s.kind {
                    Kind::Level => {
                        let pandemic = if s.id == "X24" && year == 2020 { 0.3 } else { 1.0 };
                        s.base
                            * (s.region[r] + s.load * d + s.sd * idio[u][i] + 0.04 * noise).exp()
                            * (1.0 + s.growth).powi(t as i32)
                            * pandemic
                    }
                    Kind::Bounded { lo, hi } => (s.base
                        + s.region[r]
                        + s.load * d
                        + s.sd * idio[u][i]
                        + s.growth * t as f64
                        + 0.15 * s.sd * noise)
                        .clamp(lo, hi),
                };
                let f = 10f64.powi(s.decimals);
                row.push(if gap { String::new() } else { format!("{}", (v * f).round() / f) });
            }
            rows.push(row);
        }
    }
    (header, rows)
}
