//! Units (the places scored), indicators (what is measured) and the indicator hierarchy.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A longitude/latitude pair in degrees (WGS84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// A unit of analysis: a city, prefecture or country.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unit {
    /// Stable identifier (the current statistical code for the bundled data).
    pub id: String,
    pub name: String,
    pub province: String,
    /// Region, from the config's province-to-region map.
    pub region: String,
    pub seat: Option<LonLat>,
    pub centroid: Option<LonLat>,
    /// ISO3 codes of the neighbouring countries.
    pub neighbours: Vec<String>,
    /// Former codes and names under which data tables may still list the unit.
    pub aliases: Vec<String>,
    /// Excluded units are dropped before anything is fitted; the reason is reported.
    pub excluded: Option<String>,
    /// Free-form tags, kept in key order so that output is deterministic.
    pub tags: BTreeMap<String, String>,
}

impl Unit {
    pub fn is_active(&self) -> bool {
        self.excluded.is_none()
    }
}

/// Whether more of an indicator raises (+, benefit) or lowers (-, cost) the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Polarity {
    #[serde(rename = "+")]
    Benefit,
    #[serde(rename = "-")]
    Cost,
}

impl Polarity {
    /// A polarity as written on a command line or in Python: `+`, `max`, `benefit` or `-`,
    /// `min`, `cost` (surrounding blanks ignored).
    pub fn parse(text: &str) -> Option<Polarity> {
        match text.trim() {
            "+" | "max" | "benefit" => Some(Polarity::Benefit),
            "-" | "min" | "cost" => Some(Polarity::Cost),
            _ => None,
        }
    }

    /// +1 for a benefit indicator, -1 for a cost indicator.
    pub fn sign(self) -> f64 {
        match self {
            Polarity::Benefit => 1.0,
            Polarity::Cost => -1.0,
        }
    }
}

impl fmt::Display for Polarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Polarity::Benefit => "+",
            Polarity::Cost => "-",
        })
    }
}

/// How an indicator's values were made: what lets every output say whether it may be cited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Taken from a published source without change.
    Real,
    /// Computed from real sources by a stated rule.
    Derived,
    /// Assembled by hand from public knowledge; to be verified before citing.
    Compiled,
    /// Generated; never to be cited as a finding.
    Synthetic,
    /// Not declared.
    Unspecified,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Real => "real",
            Provenance::Derived => "derived",
            Provenance::Compiled => "compiled",
            Provenance::Synthetic => "synthetic",
            Provenance::Unspecified => "unspecified",
        }
    }
}

/// One indicator of the system.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    /// Unit of measurement, free text (`%`, `billion RMB`); the config key `unit`.
    pub unit: String,
    pub system: String,
    pub subsystem: String,
    pub polarity: Polarity,
    /// Id of the source that provides it.
    pub source: String,
    pub provenance: Provenance,
    /// How the values were made, in a sentence.
    pub note: String,
}

/// The indicator hierarchy (system > sub-system > indicator) with polarities, in config order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorSystem {
    indicators: Vec<Indicator>,
}

impl IndicatorSystem {
    pub fn new(indicators: Vec<Indicator>) -> Self {
        IndicatorSystem { indicators }
    }

    /// A flat system of benefit/cost criteria without hierarchy, as for a plain decision matrix.
    pub fn flat(polarities: &[Polarity]) -> Self {
        let indicators = polarities
            .iter()
            .enumerate()
            .map(|(j, &polarity)| Indicator {
                id: format!("C{}", j + 1),
                name: format!("criterion {}", j + 1),
                unit: String::new(),
                system: String::new(),
                subsystem: String::new(),
                polarity,
                source: String::new(),
                provenance: Provenance::Unspecified,
                note: String::new(),
            })
            .collect();
        IndicatorSystem { indicators }
    }

    pub fn len(&self) -> usize {
        self.indicators.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn get(&self, j: usize) -> &Indicator {
        &self.indicators[j]
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    pub fn polarities(&self) -> Vec<Polarity> {
        self.indicators.iter().map(|i| i.polarity).collect()
    }

    /// Indicators whose values are synthetic, in system order.
    pub fn synthetic(&self) -> Vec<&Indicator> {
        self.indicators.iter().filter(|i| i.provenance == Provenance::Synthetic).collect()
    }
}
