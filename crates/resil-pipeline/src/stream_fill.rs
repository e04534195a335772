//! How `resil run --stream` fills missing cells, with the imputation the config names, as the
//! run in memory would: `group-mean` (each cell the mean of its group in its period: one pass of
//! sums per group, period and indicator) and `linear-time` (each unit's own series interpolated,
//! nearest value at the ends, the fallback for a unit without any value: a pass finds the units
//! with holes, a second reads their rows, and, with a fallback other than `error`, a third takes
//! the period's cross-section). Fitted once before the scoring passes; applied by
//! [`crate::streamed::Derived`] to every chunk the later passes read.

use rayon::prelude::*;
use resil_config::StageConfig;
use resil_core::chunked::RowChunks;
use resil_core::{Error, Matrix, Result, Unit};
use resil_normalize::Fallback;

use crate::streamed::RowKeys;

/// The imputation of a streamed run, as planned from the config.
#[derive(Debug, Clone)]
pub(crate) enum Fill {
    Group(GroupFill),
    Linear(LinearFill),
}

/// The groups of `group-mean`: each unit's group (by its place in the unit list; `u32::MAX`
/// for an excluded unit, which has no rows) and the groups' names.
#[derive(Debug, Clone)]
pub(crate) struct GroupFill {
    group: String,
    unit_groups: Vec<u32>,
    names: Vec<String>,
}

/// `linear-time`'s fallback for each indicator (in the system's order).
#[derive(Debug, Clone)]
pub(crate) struct LinearFill {
    fallbacks: Vec<Fallback>,
}

/// What a [`Fill`] is fitted on: the derived panel (holes as NaN), its rows' keys, the study's
/// periods, the system's indicator ids and the unit list.
pub(crate) struct FillPanel<'a> {
    pub raw: &'a dyn RowChunks,
    pub rows: RowKeys<'a>,
    pub periods: &'a [i64],
    pub indicators: &'a [String],
    pub units: &'a [Unit],
}

/// What the fit of a [`Fill`] found: the values missing cells take.
#[derive(Debug, Clone)]
pub struct Filled {
    values: FilledValues,
    /// The cells filled.
    pub imputed: u64,
    /// How, for the run's log.
    pub how: String,
}

#[derive(Debug, Clone)]
enum FilledValues {
    /// Per group, period and indicator; each row's group through its unit.
    Group { means: Vec<f64>, periods: usize, columns: usize, unit_groups: Vec<u32> },
    /// (row, indicator, value), sorted.
    Cells(Vec<(u64, u32, f64)>),
}

impl Fill {
    /// The fill `impute` asks for; `None` for none, or without a unit list (each row's unit is
    /// looked up in it). `problems` receives what the unit list lacks (a unit without a group),
    /// `refuse` what a streamed run cannot do.
    pub(crate) fn plan(
        impute: &StageConfig,
        units: &[Unit],
        indicators: &[String],
        has_unit_list: bool,
        problems: &mut Vec<Error>,
        refuse: &mut dyn FnMut(&str, &str),
    ) -> Result<Option<Fill>> {
        let method = impute.method.as_str();
        if !matches!(method, "group-mean" | "linear-time") {
            return Ok(None);
        }
        if !has_unit_list {
            // Without a unit list there is no unit to look a row up by: a missing cell stays an
            // error (naming this), as before imputation was streamed.
            return Ok(None);
        }
        if method == "linear-time" {
            let params: resil_normalize::LinearTimeImputerParams = toml::Value::Table(impute.params.clone())
                .try_into()
                .map_err(|e| Error::param("linear-time", "", format!("{e}")))?;
            let ids: Vec<&str> = indicators.iter().map(String::as_str).collect();
            params.fallbacks_name_indicators(&ids)?;
            let fallbacks: Vec<Fallback> =
                indicators.iter().map(|id| params.fallbacks.get(id).unwrap_or(&params.fallback).clone()).collect();
            if fallbacks.contains(&Fallback::PeriodMedian) {
                refuse(
                    "pipeline.impute.fallback",
                    "period-median needs every unit's value of a period at once; use period-mean, period-min, period-max or a value",
                );
                return Ok(None);
            }
            return Ok(Some(Fill::Linear(LinearFill { fallbacks })));
        }
        let group = impute
            .params
            .get("group")
            .and_then(|g| g.as_str())
            .map_or_else(|| resil_normalize::GroupMeanImputerParams::default().group, String::from);
        let imputer = resil_normalize::GroupMeanImputerParams { group: group.clone() }.check()?;
        let (mut unit_groups, mut names) = (Vec::with_capacity(units.len()), Vec::<String>::new());
        for unit in units {
            let at = match imputer.group_of(unit).filter(|g| !g.is_empty()) {
                _ if !unit.is_active() => u32::MAX,
                Some(g) => {
                    let at = names.iter().position(|n| n == g).unwrap_or_else(|| {
                        names.push(g.to_string());
                        names.len() - 1
                    });
                    u32::try_from(at).expect("fewer than 2^32 groups")
                }
                None => {
                    problems.push(Error::data(
                        format!("unit `{}`", unit.id),
                        format!("has no `{group}` to group it by (a column of the unit list, region or province)"),
                    ));
                    u32::MAX
                }
            };
            unit_groups.push(at);
        }
        Ok(Some(Fill::Group(GroupFill { group, unit_groups, names })))
    }

    /// The values the missing cells of the panel take.
    pub(crate) fn fit(&self, panel: &FillPanel<'_>) -> Result<Filled> {
        match self {
            Fill::Group(g) => g.fit(panel),
            Fill::Linear(l) => l.fit(panel),
        }
    }
}

impl Filled {
    /// Fills the missing cells of `chunk`, whose first row is block row `first`.
    pub(crate) fn apply(&self, chunk: &mut Matrix, first: usize, rows: RowKeys<'_>) {
        match &self.values {
            FilledValues::Group { means, periods, columns, unit_groups } => {
                let units = rows.units.expect("row units given for the imputation");
                for (j, column) in chunk.columns_mut().enumerate() {
                    for (row, v) in column.iter_mut().enumerate().filter(|(_, v)| !v.is_finite()) {
                        let r = first + row;
                        let group = unit_groups[units[r] as usize] as usize;
                        *v = means[(group * periods + usize::from(rows.periods[r])) * columns + j];
                    }
                }
            }
            FilledValues::Cells(cells) => {
                let (lo, hi) = (first as u64, (first + chunk.nrows()) as u64);
                let start = cells.partition_point(|c| c.0 < lo);
                for &(row, j, v) in cells[start..].iter().take_while(|c| c.0 < hi) {
                    chunk.set((row - lo) as usize, j as usize, v);
                }
            }
        }
    }
}

/// Folds every chunk of `raw` on every core into a `T` made by `new`, with `each(part, block
/// row, indicator, value)`, and returns the parts in chunk order.
fn fold_cells<T: Send>(
    raw: &dyn RowChunks,
    new: impl Fn() -> T + Sync,
    each: impl Fn(&mut T, usize, usize, f64) + Sync,
) -> Result<Vec<T>> {
    (0..raw.count())
        .into_par_iter()
        .map(|k| {
            let mut part = new();
            raw.with_chunk(k, &mut |chunk, first| {
                for (j, column) in chunk.columns().enumerate() {
                    for (row, &v) in column.iter().enumerate() {
                        each(&mut part, first + row, j, v);
                    }
                }
                Ok(())
            })?;
            Ok(part)
        })
        .collect::<Vec<Result<T>>>()
        .into_iter()
        .collect()
}

/// Per cell of a table (group, period, indicator or period, indicator): the sum, count, least
/// and greatest of the values present, and the missing.
#[derive(Debug, Clone)]
struct Tally {
    sums: Vec<f64>,
    counts: Vec<u64>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    missing: Vec<u64>,
}

impl Tally {
    fn new(cells: usize) -> Self {
        Tally {
            sums: vec![0.0; cells],
            counts: vec![0; cells],
            mins: vec![f64::INFINITY; cells],
            maxs: vec![f64::NEG_INFINITY; cells],
            missing: vec![0; cells],
        }
    }

    fn add(&mut self, at: usize, v: f64) {
        if v.is_finite() {
            self.sums[at] += v;
            self.counts[at] += 1;
            self.mins[at] = self.mins[at].min(v);
            self.maxs[at] = self.maxs[at].max(v);
        } else {
            self.missing[at] += 1;
        }
    }

    /// Adds `other` (parts are merged in chunk order).
    fn merge(mut self, other: &Tally) -> Self {
        for a in 0..self.sums.len() {
            self.sums[a] += other.sums[a];
            self.counts[a] += other.counts[a];
            self.mins[a] = self.mins[a].min(other.mins[a]);
            self.maxs[a] = self.maxs[a].max(other.maxs[a]);
            self.missing[a] += other.missing[a];
        }
        self
    }

    fn mean(&self, at: usize) -> f64 {
        if self.counts[at] > 0 {
            self.sums[at] / self.counts[at] as f64
        } else {
            f64::NAN
        }
    }
}

impl GroupFill {
    fn fit(&self, panel: &FillPanel<'_>) -> Result<Filled> {
        let FillPanel { raw, rows, periods, indicators, .. } = *panel;
        let (np, nc) = (periods.len(), indicators.len());
        let cells = self.names.len() * np * nc;
        let units = rows.units.expect("row units given for the imputation");
        let at = |r: usize, j: usize| {
            let group = self.unit_groups[units[r] as usize] as usize;
            (group * np + usize::from(rows.periods[r])) * nc + j
        };
        let parts = fold_cells(raw, || Tally::new(cells), |t, r, j, v| t.add(at(r, j), v))?;
        let all = parts.iter().fold(Tally::new(cells), |all, p| all.merge(p));
        let problems: Vec<Error> = (0..cells)
            .filter(|&a| all.missing[a] > 0 && all.counts[a] == 0)
            .map(|a| {
                let (group, t, j) = (a / (np * nc), (a / nc) % np, a % nc);
                Error::data(
                    format!("indicator `{}`, period {}", indicators[j], periods[t]),
                    format!(
                        "no unit of the group `{}` = `{}` has a value to take the mean of ({} missing)",
                        self.group, self.names[group], all.missing[a]
                    ),
                )
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        let imputed = all.missing.iter().sum();
        Ok(Filled {
            values: FilledValues::Group {
                means: (0..cells).map(|a| all.mean(a)).collect(),
                periods: np,
                columns: nc,
                unit_groups: self.unit_groups.clone(),
            },
            imputed,
            how: format!("{imputed} missing cells took the mean of their `{}` group in their period", self.group),
        })
    }
}

impl LinearFill {
    fn fit(&self, panel: &FillPanel<'_>) -> Result<Filled> {
        let FillPanel { raw, rows, periods, indicators, units } = *panel;
        let (np, nc) = (periods.len(), indicators.len());
        let row_units = rows.units.expect("row units given for the imputation");
        // The units with a hole.
        let holey: Vec<Vec<bool>> =
            fold_cells(raw, || vec![false; units.len()], |h, r, _, v| h[row_units[r] as usize] |= !v.is_finite())?;
        let holey: Vec<bool> = (0..units.len()).map(|u| holey.iter().any(|h| h[u])).collect();
        if !holey.contains(&true) {
            return Ok(Filled {
                values: FilledValues::Cells(Vec::new()),
                imputed: 0,
                how: "no missing cell, nothing imputed".into(),
            });
        }
        // Their rows: each (unit, period)'s block row and values, NaN where missing or absent.
        let index: Vec<u32> = {
            let mut at = vec![u32::MAX; units.len()];
            (0..units.len()).filter(|&u| holey[u]).enumerate().for_each(|(k, u)| at[u] = k as u32);
            at
        };
        let count = holey.iter().filter(|&&h| h).count();
        let mut series = vec![f64::NAN; count * np * nc];
        let mut row_of = vec![u64::MAX; count * np];
        // A core's worth of chunks at a time, so that only their holey rows are held besides.
        let chunks: Vec<usize> = (0..raw.count()).collect();
        for batch in chunks.chunks(rayon::current_num_threads().max(1)) {
            let parts: Vec<Result<Vec<(usize, usize, f64)>>> = batch
                .par_iter()
                .map(|&k| {
                    let mut part = Vec::new();
                    raw.with_chunk(k, &mut |chunk, first| {
                        for (j, column) in chunk.columns().enumerate() {
                            for (row, &v) in column.iter().enumerate() {
                                if holey[row_units[first + row] as usize] {
                                    part.push((first + row, j, v));
                                }
                            }
                        }
                        Ok(())
                    })?;
                    Ok(part)
                })
                .collect();
            for part in parts {
                for (r, j, v) in part? {
                    let (k, t) = (index[row_units[r] as usize] as usize, usize::from(rows.periods[r]));
                    series[(k * np + t) * nc + j] = v;
                    row_of[k * np + t] = r as u64;
                }
            }
        }
        let times: Vec<f64> = periods.iter().map(|&p| p as f64).collect();
        let mut cells = Vec::new();
        // Per indicator, the holey units without any value: the fallback's (and a mask of them).
        let mut empty: Vec<Vec<usize>> = vec![Vec::new(); nc];
        for (u, &k) in index.iter().enumerate().filter(|(_, &k)| k != u32::MAX) {
            let k = k as usize;
            for (j, empty) in empty.iter_mut().enumerate() {
                let mut one: Vec<f64> = (0..np).map(|t| series[(k * np + t) * nc + j]).collect();
                if one.iter().all(|v| !v.is_finite()) {
                    empty.push(u);
                    continue;
                }
                for (t, _) in resil_normalize::fill_series(&times, &mut one) {
                    series[(k * np + t) * nc + j] = one[t];
                    if row_of[k * np + t] != u64::MAX {
                        cells.push((row_of[k * np + t], j as u32, one[t]));
                    }
                }
            }
        }
        let mut without = vec![false; units.len() * nc];
        for (j, e) in empty.iter().enumerate() {
            e.iter().for_each(|&u| without[u * nc + j] = true);
        }
        let mut problems = Vec::new();
        if empty.iter().any(|e| !e.is_empty()) {
            // The period's cross-section over the units with values, holes filled as above.
            let filled_at = |r: usize, j: usize| {
                let u = row_units[r] as usize;
                (holey[u]).then(|| series[(index[u] as usize * np + usize::from(rows.periods[r])) * nc + j])
            };
            let parts = fold_cells(
                raw,
                || Tally::new(np * nc),
                |t, r, j, v| {
                    if !without[row_units[r] as usize * nc + j] {
                        t.add(usize::from(rows.periods[r]) * nc + j, filled_at(r, j).unwrap_or(v));
                    }
                },
            )?;
            let across = parts.iter().fold(Tally::new(np * nc), |all, p| all.merge(p));
            for (j, units_without) in empty.iter().enumerate() {
                for &u in units_without {
                    let unit = &units[u];
                    let fallback = &self.fallbacks[j];
                    if *fallback == Fallback::Error {
                        problems.push(Error::data(
                            format!("unit `{}` ({}), indicator `{}`", unit.id, unit.name, indicators[j]),
                            "no value in any period; give the data or name a fallback in [pipeline.impute]",
                        ));
                        continue;
                    }
                    let k = index[u] as usize;
                    for (t, period) in periods.iter().enumerate() {
                        let at = t * nc + j;
                        // As in memory, even a constant needs some unit with a value in the period.
                        let v = match fallback {
                            _ if across.counts[at] == 0 => {
                                problems.push(Error::data(
                                    format!("indicator `{}`, period {period}", indicators[j]),
                                    "no unit has a value to take a fallback from",
                                ));
                                break;
                            }
                            Fallback::Value(x) => *x,
                            Fallback::PeriodMin => across.mins[at],
                            Fallback::PeriodMax => across.maxs[at],
                            _ => across.mean(at),
                        };
                        if row_of[k * np + t] != u64::MAX {
                            cells.push((row_of[k * np + t], j as u32, v));
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            problems.dedup_by(|a, b| a.to_string() == b.to_string());
            return Err(Error::from_list(problems));
        }
        cells.sort_by_key(|c| (c.0, c.1));
        let imputed = cells.len() as u64;
        Ok(Filled {
            values: FilledValues::Cells(cells),
            imputed,
            how: format!(
                "{imputed} missing cells imputed along time (interpolated inside their unit, nearest value at the ends, the fallback for a unit without any value)"
            ),
        })
    }
}
