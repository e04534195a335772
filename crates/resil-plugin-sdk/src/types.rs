//! The safe types a plugin author works with: parameters, the request, the output.

use std::collections::BTreeMap;

/// An indicator a plugin declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub measure: String,
    pub note: String,
}

impl Indicator {
    pub fn new(id: &str, name: &str, measure: &str) -> Self {
        Indicator { id: id.into(), name: name.into(), measure: measure.into(), note: String::new() }
    }

    pub fn with_note(mut self, note: &str) -> Self {
        self.note = note.into();
        self
    }
}

/// The source's parameters from the config, values as TOML text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    pub fn new(values: BTreeMap<String, String>) -> Self {
        Params { values }
    }

    /// Refuses any key not in `known`, naming it.
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.values.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown parameter `{k}` (known: {})", known.join(", "))),
            None => Ok(()),
        }
    }

    /// A string parameter (TOML `"text"`), or `default`.
    pub fn string(&self, key: &str, default: &str) -> Result<String, String> {
        match self.values.get(key) {
            None => Ok(default.to_string()),
            Some(v) => v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(String::from)
                .ok_or_else(|| format!("parameter `{key}` must be a string, got {v}")),
        }
    }

    /// A number parameter, or `default`.
    pub fn number(&self, key: &str, default: f64) -> Result<f64, String> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("parameter `{key}` must be a number, got {v}")),
        }
    }

    /// A string parameter that must be one of `choices`.
    pub fn choice(&self, key: &str, choices: &[&str], default: &str) -> Result<String, String> {
        let v = self.string(key, default)?;
        if choices.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(format!("parameter `{key}` must be one of {}, got `{v}`", choices.join(", ")))
        }
    }
}

/// A unit as the plugin sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub province: String,
    pub neighbours: Vec<String>,
    /// (lon, lat) in WGS84 degrees.
    pub seat: Option<(f64, f64)>,
    pub centroid: Option<(f64, f64)>,
}

/// What resil asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub units: Vec<Unit>,
    pub periods: Vec<i32>,
    /// The requested indicator ids, in the order the output is indexed by.
    pub indicators: Vec<String>,
}

impl Request {
    /// The position of an indicator in the output, if it was requested.
    pub fn indicator(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i == id)
    }
}

/// The values a plugin returns: one cell per requested indicator, period and unit; unset cells
/// are missing. Notes go to the run's diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub(crate) n_units: usize,
    pub(crate) n_periods: usize,
    pub(crate) values: Vec<f64>,
    pub(crate) present: Vec<u8>,
    pub(crate) notes: Vec<String>,
}

impl Output {
    pub fn new(request: &Request) -> Self {
        let n = request.indicators.len() * request.periods.len() * request.units.len();
        Output {
            n_units: request.units.len(),
            n_periods: request.periods.len(),
            values: vec![f64::NAN; n],
            present: vec![0; n],
            notes: Vec::new(),
        }
    }

    /// Sets indicator `k` (its position in the request), period `t`, unit `u`.
    pub fn set(&mut self, k: usize, t: usize, u: usize, value: f64) {
        let cell = (k * self.n_periods + t) * self.n_units + u;
        self.values[cell] = value;
        self.present[cell] = 1;
    }

    /// The value of a cell, `None` when it is unset (for the plugin's own tests).
    pub fn get(&self, k: usize, t: usize, u: usize) -> Option<f64> {
        let cell = (k * self.n_periods + t) * self.n_units + u;
        (self.present[cell] == 1).then_some(self.values[cell])
    }

    /// The notes added so far.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Adds a line to the run's diagnostics (a fallback applied, say).
    pub fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Raw access for tests of the host's defences: replaces the value buffer as is.
    #[doc(hidden)]
    pub fn replace_values_for_tests(&mut self, values: Vec<f64>, present: Vec<u8>) {
        self.values = values;
        self.present = present;
    }
}
