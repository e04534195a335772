//! The panel: units x periods x indicators, and the builder that assembles it from observations.

use std::collections::BTreeMap;

use crate::{Error, IndicatorSystem, Matrix, Result, Unit};

/// Where an observation came from, for error messages: `data/x.csv, line 12` or a plugin name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(pub String);

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One value read by a source, already resolved to panel positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub unit: usize,
    pub period: usize,
    pub indicator: usize,
    /// NaN for a cell that is present but empty.
    pub value: f64,
    pub origin: Origin,
}

/// A cell filled in by imputation, as listed in `imputed.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImputedCell {
    pub unit: String,
    pub period: i32,
    pub indicator: String,
    pub value: f64,
    /// `interpolated`, `nearest` or `fallback:<rule>`.
    pub method: String,
}

/// Units x periods x indicators. Rows are period-major (all units of the first period, then all
/// of the second, ...), so that a period is a contiguous block of rows and splitting by scope
/// is a slice.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    units: Vec<Unit>,
    periods: Vec<i32>,
    system: IndicatorSystem,
    values: Matrix,
}

impl Panel {
    pub fn new(units: Vec<Unit>, periods: Vec<i32>, system: IndicatorSystem, values: Matrix) -> Self {
        assert_eq!(values.nrows(), units.len() * periods.len(), "rows must be units x periods");
        assert_eq!(values.ncols(), system.len(), "columns must be the indicators");
        Panel { units, periods, system, values }
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn periods(&self) -> &[i32] {
        &self.periods
    }

    pub fn system(&self) -> &IndicatorSystem {
        &self.system
    }

    pub fn values(&self) -> &Matrix {
        &self.values
    }

    pub fn n_rows(&self) -> usize {
        self.values.nrows()
    }

    pub fn row_of(&self, unit: usize, period: usize) -> usize {
        period * self.units.len() + unit
    }

    pub fn unit_of_row(&self, row: usize) -> &Unit {
        &self.units[row % self.units.len()]
    }

    pub fn period_of_row(&self, row: usize) -> i32 {
        self.periods[row / self.units.len()]
    }

    pub fn get(&self, unit: usize, period: usize, indicator: usize) -> f64 {
        self.values.get(self.row_of(unit, period), indicator)
    }

    /// The same panel with other values (after imputation, say).
    pub fn with_values(&self, values: Matrix) -> Panel {
        Panel::new(self.units.clone(), self.periods.clone(), self.system.clone(), values)
    }

    /// The panel without the indicators at `drop` (positions in the system).
    pub fn without_indicators(&self, drop: &[usize]) -> Panel {
        let keep: Vec<usize> = (0..self.system.len()).filter(|j| !drop.contains(j)).collect();
        let system = IndicatorSystem::new(keep.iter().map(|&j| self.system.get(j).clone()).collect());
        let values = Matrix::from_columns(keep.iter().map(|&j| self.values.column(j).to_vec()).collect());
        let values = if keep.is_empty() { Matrix::filled(self.n_rows(), 0, 0.0) } else { values };
        Panel::new(self.units.clone(), self.periods.clone(), system, values)
    }

    /// Drops excluded units; returns the active panel and the dropped units.
    pub fn without_excluded(&self) -> (Panel, Vec<Unit>) {
        let keep: Vec<usize> = (0..self.units.len()).filter(|&u| self.units[u].is_active()).collect();
        let dropped = self.units.iter().filter(|u| !u.is_active()).cloned().collect();
        let mut values = Matrix::filled(keep.len() * self.periods.len(), self.system.len(), f64::NAN);
        for t in 0..self.periods.len() {
            for (new_u, &old_u) in keep.iter().enumerate() {
                for j in 0..self.system.len() {
                    values.set(t * keep.len() + new_u, j, self.get(old_u, t, j));
                }
            }
        }
        let units = keep.iter().map(|&u| self.units[u].clone()).collect();
        (Panel::new(units, self.periods.clone(), self.system.clone(), values), dropped)
    }
}

/// Collects observations into a panel, refusing a second value for the same cell.
#[derive(Debug)]
pub struct PanelBuilder {
    units: Vec<Unit>,
    periods: Vec<i32>,
    system: IndicatorSystem,
    cells: BTreeMap<(usize, usize, usize), (f64, Origin)>,
    problems: Vec<Error>,
}

impl PanelBuilder {
    pub fn new(units: Vec<Unit>, periods: Vec<i32>, system: IndicatorSystem) -> Self {
        PanelBuilder { units, periods, system, cells: BTreeMap::new(), problems: Vec::new() }
    }

    /// Adds one observation; a duplicate cell is recorded as a problem naming both origins.
    pub fn add(&mut self, obs: Observation) {
        let key = (obs.unit, obs.period, obs.indicator);
        if let Some((_, first)) = self.cells.get(&key) {
            self.problems.push(Error::data(
                obs.origin.to_string(),
                format!(
                    "duplicate value for unit `{}`, period {}, indicator `{}` (first given at {first})",
                    self.units[obs.unit].id,
                    self.periods[obs.period],
                    self.system.get(obs.indicator).id
                ),
            ));
            return;
        }
        self.cells.insert(key, (obs.value, obs.origin));
    }

    /// The panel, or every duplicate found.
    pub fn build(self) -> Result<Panel> {
        if !self.problems.is_empty() {
            return Err(Error::from_list(self.problems));
        }
        let n_units = self.units.len();
        let mut values = Matrix::filled(n_units * self.periods.len(), self.system.len(), f64::NAN);
        for ((u, t, j), (v, _)) in self.cells {
            values.set(t * n_units + u, j, v);
        }
        Ok(Panel::new(self.units, self.periods, self.system, values))
    }
}
