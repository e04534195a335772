//! The synthetic yearbook panel: the 23 city indicators of Table 2 (Sui, Peng & Wu 2022) for
//! which no openly licensed panel exists, each in its Table 2 unit. Seeded (ChaCha8, seed
//! 20221101): one development factor per unit, regional effects, a trend over the three years,
//! and the real census population, so that the indicators hang together (total GDP = GDP per
//! capita x population; savings, trade and foreign investment scale with GDP; enrolment and
//! traffic with population). Never to be cited as data.

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

/// Yuan per US dollar, yearly average (State Administration of Foreign Exchange, rounded):
/// converts GDP to the dollar scale of trade (X22) and foreign investment (X23).
const RMB_PER_USD: [f64; 3] = [6.77, 6.23, 6.90];

/// What a level indicator is proportional to.
#[derive(Clone, Copy)]
enum Scale {
    /// A level of its own (a share, a rate, a density).
    Own,
    /// Persons: the value is a rate per person (the real census population, 2015 interpolated).
    Population,
    /// Total GDP in billion RMB (X1): the value is a ratio to GDP.
    Gdp,
    /// Total GDP in billion US dollars.
    GdpUsd,
}

enum Kind {
    /// Log-normal level: scale * base * exp(region + load d + sd e + 0.04 noise) * trend[t].
    Level { scale: Scale, trend: [f64; 3] },
    /// Bounded share or rate: base + region + load d + sd e + step t + 0.15 sd noise, in [lo, hi].
    Bounded { step: f64, lo: f64, hi: f64 },
}

struct Spec {
    id: &'static str,
    kind: Kind,
    base: f64,
    /// Additive effect per region (Northeast, North, Northwest, Tibet, Southwest), on the log
    /// scale for levels.
    region: [f64; 5],
    /// Loading on the unit's development factor d ~ N(0, 1).
    load: f64,
    /// Spread of the unit's own effect e ~ N(0, 1), fixed over the years.
    sd: f64,
    decimals: i32,
}

#[allow(clippy::too_many_arguments)]
const fn level(
    id: &'static str,
    scale: Scale,
    base: f64,
    region: [f64; 5],
    load: f64,
    sd: f64,
    trend: [f64; 3],
    decimals: i32,
) -> Spec {
    Spec { id, kind: Kind::Level { scale, trend }, base, region, load, sd, decimals }
}

#[allow(clippy::too_many_arguments)]
const fn bounded(
    id: &'static str,
    base: f64,
    region: [f64; 5],
    load: f64,
    sd: f64,
    step: f64,
    lo: f64,
    hi: f64,
    decimals: i32,
) -> Spec {
    Spec { id, kind: Kind::Bounded { step, lo, hi }, base, region, load, sd, decimals }
}

/// X2, GDP per capita (RMB per person) in 2010 by region, and its growth per five years by
/// region (nominal; the Northeast slows after 2015, the Southwest catches up).
const GDP_PER_CAPITA_2010: f64 = 24_000.0;
const GDP_PER_CAPITA_REGION: [f64; 5] = [0.15, 0.45, 0.05, -0.25, -0.35];
const GDP_PER_CAPITA_GROWTH: [f64; 5] = [1.22, 1.27, 1.38, 1.45, 1.50];
const GDP_PER_CAPITA_LOAD: f64 = 0.35;
const GDP_PER_CAPITA_SD: f64 = 0.15;

/// The other 22 synthetic indicators (X1 = X2 x population is derived, X9 is real). Magnitudes
/// follow national figures of the China Statistical Yearbook scaled to prefectures;
/// data/border-cities/README.md lists the resulting ranges.
const SPECS: [Spec; 21] = [
    level("X3", Scale::Gdp, 0.75, [0.2, -0.1, 0.0, -0.3, -0.1], 0.1, 0.2, [1.0, 1.2, 1.45], 2),
    bounded("X4", 38.0, [2.0, -4.0, -2.0, 8.0, -2.0], 2.0, 5.0, 3.5, 20.0, 75.0, 2),
    level("X5", Scale::Gdp, 0.10, [0.0, -0.3, -0.2, 0.6, 0.4], 0.1, 0.5, [1.0, 1.6, 1.3], 2),
    level("X6", Scale::Own, 0.9, [0.0, 0.1, 0.1, -0.6, -0.1], 0.3, 0.4, [1.0, 1.05, 1.1], 2),
    bounded("X7", 16.0, [-2.0, -2.0, 2.0, 0.0, 2.0], 0.5, 2.0, 0.3, 8.0, 25.0, 2),
    level("X8", Scale::Gdp, 0.45, [0.1, 0.4, 0.0, -0.6, -0.1], 0.1, 0.3, [1.0, 0.9, 0.7], 2),
    level("X10", Scale::Population, 0.006, [0.1, 0.0, -0.2, -0.7, -0.1], 0.4, 0.5, [1.0, 1.15, 1.3], 0),
    bounded("X11", 0.5, [-0.45, -0.2, 0.6, 0.6, 0.2], -0.05, 0.15, -0.1, -0.8, 2.0, 2),
    bounded("X12", 3.6, [0.4, 0.0, -0.3, -0.8, 0.0], -0.2, 0.4, -0.1, 1.0, 6.5, 2),
    bounded("X13", 0.45, [0.05, 0.05, 0.0, -0.1, -0.08], 0.05, 0.08, 0.08, 0.1, 1.2, 3),
    bounded("X14", 38.0, [4.0, 4.0, 6.0, -4.0, -2.0], 2.0, 5.0, 7.0, 15.0, 90.0, 1),
    level("X15", Scale::Population, 14.0e-6, [0.1, 0.0, 0.0, -0.5, 0.1], 0.2, 0.35, [1.0, 0.85, 0.55], 2),
    bounded("X16", 18.0, [2.0, 2.0, 0.0, -8.0, -3.0], 4.0, 5.0, 28.0, 2.0, 98.0, 1),
    level("X17", Scale::Own, 0.8, [0.4, 0.5, -0.6, -2.5, -0.3], 0.2, 0.6, [1.0, 0.85, 0.4], 3),
    bounded("X18", 33.0, [2.0, 0.0, -3.0, -6.0, 4.0], 1.5, 4.0, 2.0, 10.0, 48.0, 1),
    bounded("X19", 70.0, [5.0, 3.0, -5.0, -30.0, 0.0], 5.0, 12.0, 12.0, 5.0, 100.0, 1),
    bounded("X20", 7.0, [0.5, 0.5, -0.5, -2.5, 0.0], 0.7, 1.5, 0.8, 1.5, 18.0, 2),
    bounded("X21", 60.0, [5.0, -5.0, -10.0, -20.0, 0.0], 3.0, 15.0, 3.0, 5.0, 100.0, 1),
    level("X22", Scale::GdpUsd, 0.08, [0.0, 0.3, 0.2, -0.6, 0.3], 0.1, 0.6, [1.0, 1.1, 1.0], 3),
    level("X23", Scale::GdpUsd, 6.0, [0.2, 0.0, -0.6, -1.5, 0.0], 0.3, 0.7, [1.0, 1.1, 0.9], 2),
    level("X24", Scale::Own, 0.12, [0.3, 0.3, -0.3, -0.5, 0.4], 0.2, 0.6, [1.0, 1.3, 0.6], 3),
];

/// A standard normal draw (Box-Muller), so that no distribution crate is needed.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Whether a cell is left empty.
fn gap(rng: &mut ChaCha8Rng, rate: f64) -> bool {
    rng.gen::<f64>() < rate
}

fn rounded(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// The total resident population of a unit in each study year: the census counts of 2010 and
/// 2020, and their geometric mean for 2015 (no census). The tests recompute it the same way.
pub fn population_by_period(census_2010: f64, census_2020: f64) -> [f64; 3] {
    [census_2010, (census_2010 * census_2020).sqrt(), census_2020]
}

/// The header and rows of yearbook_synthetic.csv (unit code as of the year, year, X1..X24 but
/// X9). `population[u]` is unit u's total population per period.
pub fn yearbook(
    units: &[Gazetteer],
    population: &[[f64; 3]],
    code_in: &dyn Fn(&str, i32) -> String,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let development: Vec<f64> = units.iter().map(|_| normal(&mut rng)).collect();
    // One own effect per unit for X2 and for each spec.
    let idio: Vec<Vec<f64>> = units.iter().map(|_| (0..=SPECS.len()).map(|_| normal(&mut rng)).collect()).collect();
    let mut header = vec!["unit".to_string(), "year".to_string(), "X1".to_string(), "X2".to_string()];
    header.extend(SPECS.iter().map(|s| s.id.to_string()));
    let mut rows = Vec::new();
    for (t, &year) in PERIODS.iter().enumerate() {
        for (u, unit) in units.iter().enumerate() {
            // The four units the paper excluded lack much data; the others have rare gaps.
            let excluded = ["232700", "654200", "542500", "540500"].contains(&unit.code.as_str());
            let gap_rate = if excluded { 0.4 } else { 0.006 };
            let r = region_index(&unit.province);
            let d = development[u];
            let pop = population[u][t];
            let noise = normal(&mut rng);
            let per_capita = rounded(
                GDP_PER_CAPITA_2010
                    * (GDP_PER_CAPITA_REGION[r]
                        + GDP_PER_CAPITA_LOAD * d
                        + GDP_PER_CAPITA_SD * idio[u][SPECS.len()]
                        + 0.04 * noise)
                        .exp()
                    * GDP_PER_CAPITA_GROWTH[r].powi(t as i32),
                0,
            );
            // Total GDP in billion RMB from the rounded per-capita value, so the two agree.
            let gdp = rounded(per_capita * pop / 1e9, 2);
            let mut row = vec![code_in(&unit.code, year), year.to_string()];
            let (gap_gdp, gap_per_capita) = (gap(&mut rng, gap_rate), gap(&mut rng, gap_rate));
            row.push(if gap_gdp { String::new() } else { gdp.to_string() });
            row.push(if gap_per_capita { String::new() } else { per_capita.to_string() });
            for (i, s) in SPECS.iter().enumerate() {
                let noise = normal(&mut rng);
                let v = match s.kind {
                    Kind::Level { scale, trend } => {
                        let by = match scale {
                            Scale::Own => 1.0,
                            Scale::Population => pop,
                            Scale::Gdp => gdp,
                            Scale::GdpUsd => gdp / RMB_PER_USD[t],
                        };
                        by * s.base * (s.region[r] + s.load * d + s.sd * idio[u][i] + 0.04 * noise).exp() * trend[t]
                    }
                    Kind::Bounded { step, lo, hi } => {
                        (s.base + s.region[r] + s.load * d + s.sd * idio[u][i] + step * t as f64 + 0.15 * s.sd * noise)
                            .clamp(lo, hi)
                    }
                };
                row.push(if gap(&mut rng, gap_rate) { String::new() } else { rounded(v, s.decimals).to_string() });
            }
            rows.push(row);
        }
    }
    (header, rows)
}
