//! Imputation along time: linear interpolation inside a unit, nearest value at the ends, and a
//! named fallback for a unit that has no value at all for an indicator.

use std::collections::BTreeMap;

use resil_core::{Diagnostic, Error, ImputedCell, Imputer, Outcome, Panel, Result};
use serde::{Deserialize, Serialize};

/// What fills an indicator for a unit with no value in any period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    /// Refuse: the unit needs data (the default).
    Error,
    /// The mean of the other units in the same period.
    PeriodMean,
    /// The median of the other units in the same period.
    PeriodMedian,
    /// The lowest value of the other units in the same period (a conservative choice).
    PeriodMin,
    /// The highest value of the other units in the same period.
    PeriodMax,
    /// A constant.
    Value(f64),
}

impl Fallback {
    fn name(&self) -> String {
        match self {
            Fallback::Error => "error".into(),
            Fallback::PeriodMean => "period-mean".into(),
            Fallback::PeriodMedian => "period-median".into(),
            Fallback::PeriodMin => "period-min".into(),
            Fallback::PeriodMax => "period-max".into(),
            Fallback::Value(v) => format!("value {v}"),
        }
    }
}

/// Unchecked parameters: a default fallback and per-indicator fallbacks by indicator id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LinearTimeImputerParams {
    pub fallback: Fallback,
    pub fallbacks: BTreeMap<String, Fallback>,
}

impl Default for LinearTimeImputerParams {
    fn default() -> Self {
        LinearTimeImputerParams { fallback: Fallback::Error, fallbacks: BTreeMap::new() }
    }
}

impl LinearTimeImputerParams {
    pub fn check(self) -> Result<LinearTimeImputer> {
        for (id, f) in std::iter::once((&"(default)".to_string(), &self.fallback)).chain(&self.fallbacks) {
            if let Fallback::Value(v) = f {
                if !v.is_finite() {
                    return Err(Error::param("linear-time", format!("fallbacks.{id}"), "value must be finite"));
                }
            }
        }
        Ok(LinearTimeImputer { params: self })
    }

    /// Refuses a per-indicator fallback for an id that is not among `indicators` (a typo would
    /// leave the indicator meant on the default fallback).
    pub fn fallbacks_name_indicators(&self, indicators: &[&str]) -> Result<()> {
        let unknown: Vec<Error> = self
            .fallbacks
            .keys()
            .filter(|id| !indicators.contains(&id.as_str()))
            .map(|id| Error::param("linear-time", format!("fallbacks.{id}"), "not an indicator of the study"))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::from_list(unknown))
        }
    }
}

/// The checked imputer.
#[derive(Debug, Clone)]
pub struct LinearTimeImputer {
    params: LinearTimeImputerParams,
}

/// Fills `values` (one per period, NaN = missing) at `times` by linear interpolation between the
/// nearest observed periods, or the nearest observed value at either end. Returns the filled
/// positions with how each was filled; an all-missing series is left as it is.
pub fn fill_series(times: &[f64], values: &mut [f64]) -> Vec<(usize, &'static str)> {
    let known: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_finite()).collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else { return Vec::new() };
    let mut filled = Vec::new();
    for i in 0..values.len() {
        if values[i].is_finite() {
            continue;
        }
        if i < first {
            values[i] = values[first];
            filled.push((i, "nearest"));
        } else if i > last {
            values[i] = values[last];
            filled.push((i, "nearest"));
        } else {
            let lo = *known.iter().rev().find(|&&k| k < i).expect("a known value before i");
            let hi = *known.iter().find(|&&k| k > i).expect("a known value after i");
            let f = (times[i] - times[lo]) / (times[hi] - times[lo]);
            values[i] = values[lo] + f * (values[hi] - values[lo]);
            filled.push((i, "interpolated"));
        }
    }
    filled
}

fn cross_section(fallback: &Fallback, values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(match fallback {
        Fallback::Error => return None,
        Fallback::PeriodMean => v.iter().sum::<f64>() / v.len() as f64,
        Fallback::PeriodMedian => {
            let m = v.len() / 2;
            if v.len() % 2 == 1 {
                v[m]
            } else {
                (v[m - 1] + v[m]) / 2.0
            }
        }
        Fallback::PeriodMin => v[0],
        Fallback::PeriodMax => v[v.len() - 1],
        Fallback::Value(x) => *x,
    })
}

impl Imputer for LinearTimeImputer {
    fn impute(&self, panel: &Panel) -> Result<Outcome<(Panel, Vec<ImputedCell>)>> {
        let ids: Vec<&str> = panel.system().indicators().iter().map(|i| i.id.as_str()).collect();
        self.params.fallbacks_name_indicators(&ids)?;
        let (n_units, periods) = (panel.units().len(), panel.periods());
        let times: Vec<f64> = periods.iter().map(|&p| f64::from(p)).collect();
        let mut values = panel.values().clone();
        let mut cells = Vec::new();
        let mut problems = Vec::new();
        for (j, indicator) in panel.system().indicators().iter().enumerate() {
            let mut empty_units = Vec::new();
            for u in 0..n_units {
                let mut series: Vec<f64> = (0..periods.len()).map(|t| panel.get(u, t, j)).collect();
                if series.iter().all(|v| !v.is_finite()) {
                    empty_units.push(u);
                    continue;
                }
                for (t, how) in fill_series(&times, &mut series) {
                    values.set(panel.row_of(u, t), j, series[t]);
                    cells.push(ImputedCell {
                        unit: panel.units()[u].id.clone(),
                        period: periods[t],
                        indicator: indicator.id.clone(),
                        value: series[t],
                        method: how.into(),
                    });
                }
            }
            let fallback = self.params.fallbacks.get(&indicator.id).unwrap_or(&self.params.fallback);
            for &u in &empty_units {
                let unit = &panel.units()[u];
                if *fallback == Fallback::Error {
                    problems.push(Error::data(
                        format!("unit `{}` ({}), indicator `{}`", unit.id, unit.name, indicator.id),
                        "no value in any period; give the data or name a fallback in [pipeline.impute]",
                    ));
                    continue;
                }
                for (t, &period) in periods.iter().enumerate() {
                    let others: Vec<f64> = (0..n_units)
                        .filter(|o| !empty_units.contains(o))
                        .map(|o| values.get(panel.row_of(o, t), j))
                        .collect();
                    let Some(v) = cross_section(fallback, &others) else {
                        problems.push(Error::data(
                            format!("indicator `{}`, period {period}", indicator.id),
                            "no unit has a value to take a fallback from",
                        ));
                        break;
                    };
                    values.set(panel.row_of(u, t), j, v);
                    cells.push(ImputedCell {
                        unit: unit.id.clone(),
                        period,
                        indicator: indicator.id.clone(),
                        value: v,
                        method: format!("fallback:{}", fallback.name()),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        // Indicator, unit and period in panel order, fallbacks beside the interpolations.
        let position = |c: &ImputedCell| {
            let j = panel.system().position(&c.indicator);
            let u = panel.units().iter().position(|u| u.id == c.unit);
            (j, u, c.period)
        };
        cells.sort_by_key(position);
        let notes = if cells.is_empty() {
            Vec::new()
        } else {
            vec![Diagnostic::info("imputed", format!("{} cells imputed (listed in imputed.csv)", cells.len()))]
        };
        Ok(Outcome::with_notes((panel.with_values(values), cells), notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Matrix, Polarity, Unit};

    #[track_caller]
    fn check(times: &[f64], input: &[f64], expected: &[f64], how: &[(usize, &str)]) {
        let mut v = input.to_vec();
        let filled = fill_series(times, &mut v);
        for (a, e) in v.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12 || (a.is_nan() && e.is_nan()), "{v:?} vs {expected:?}");
        }
        assert_eq!(filled, how);
    }

    #[test]
    fn interpolates_on_the_year_axis() {
        // 2010 -> 10, 2020 -> 30: 2015 is halfway, 20; 2012 is 14 (unequal spacing).
        check(&[2010.0, 2015.0, 2020.0], &[10.0, f64::NAN, 30.0], &[10.0, 20.0, 30.0], &[(1, "interpolated")]);
        check(&[2010.0, 2012.0, 2020.0], &[10.0, f64::NAN, 30.0], &[10.0, 14.0, 30.0], &[(1, "interpolated")]);
    }

    #[test]
    fn nearest_value_at_the_ends() {
        check(
            &[1.0, 2.0, 3.0, 4.0],
            &[f64::NAN, 5.0, 7.0, f64::NAN],
            &[5.0, 5.0, 7.0, 7.0],
            &[(0, "nearest"), (3, "nearest")],
        );
        check(&[1.0, 2.0], &[f64::NAN, f64::NAN], &[f64::NAN, f64::NAN], &[]);
    }

    fn panel(values: Vec<Vec<f64>>) -> Panel {
        // two units, two periods, one indicator; values[t][u]
        let units = vec![
            Unit { id: "a".into(), name: "A".into(), ..Unit::default() },
            Unit { id: "b".into(), name: "B".into(), ..Unit::default() },
        ];
        let col: Vec<f64> = values.into_iter().flatten().collect();
        Panel::new(
            units,
            vec![2010, 2020],
            IndicatorSystem::flat(&[Polarity::Benefit]),
            Matrix::from_columns(vec![col]),
        )
    }

    #[test]
    fn a_unit_without_any_value_is_an_error_naming_unit_and_indicator() {
        let p = panel(vec![vec![1.0, f64::NAN], vec![2.0, f64::NAN]]);
        let err = LinearTimeImputerParams::default().check().unwrap().impute(&p).unwrap_err().to_string();
        assert!(err.contains("unit `b` (B)") && err.contains("`C1`"), "{err}");
    }

    #[test]
    fn a_named_fallback_fills_and_is_listed() {
        let p = panel(vec![vec![1.0, f64::NAN], vec![2.0, f64::NAN]]);
        let params = LinearTimeImputerParams {
            fallback: Fallback::Error,
            fallbacks: [("C1".to_string(), Fallback::PeriodMin)].into(),
        };
        let out = params.check().unwrap().impute(&p).unwrap().value;
        assert_eq!(out.0.values().column(0), &[1.0, 1.0, 2.0, 2.0]);
        assert_eq!(out.1.len(), 2);
        assert_eq!(out.1[0].method, "fallback:period-min");
        // A fallback for an id the study lacks (a typo of C1) is refused, not left unused.
        let typo = LinearTimeImputerParams {
            fallback: Fallback::PeriodMax,
            fallbacks: [("C1".to_string(), Fallback::PeriodMin), ("Cl".to_string(), Fallback::PeriodMin)].into(),
        };
        let err = typo.check().unwrap().impute(&p).unwrap_err().to_string();
        assert!(err.contains("parameter `fallbacks.Cl`: not an indicator of the study"), "{err}");
    }
}
