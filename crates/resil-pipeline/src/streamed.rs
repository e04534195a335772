//! `resil run --stream`: a study whose panel is too large to hold. The panel stays on disk (one
//! wide Parquet table, read row group by row group by the caller), the scoring stages are
//! fitted in passes of mergeable statistics (`crate::chunked`), and only one number or two per
//! row is held: the score, the period, the rank and the grade. What such a run can do, and what
//! it refuses, is checked here before any data is read (docs/scale.md, "resil run --stream").

use std::path::PathBuf;

use rand::SeedableRng;
use resil_config::SourceLayout;
use resil_core::chunked::RowChunks;
use resil_core::{Diagnostic, Direction, Error, Result, Scope, UnitIndex};

use crate::chunked::ChunkedFitted;
use crate::run::{stage_label, BreaksGroup, Log, LoggedNote, Prepared};
use crate::stream_fill::{Fill, FillPanel, Filled};
use crate::ScoreStages;

/// A classify group of more scores than this is classed on a seeded sample of this many:
/// exact Jenks needs every score sorted plus k rows of the dynamic programme (about 2 GB at
/// 2e7 rows), more than a streamed run may hold.
pub const CLASSES_SAMPLE: usize = 1_000_000;

/// The seed of that sample, fixed so that a run's classes are the same on every machine.
const CLASSES_SEED: u64 = 0x5eed_c1a5;

/// What a streamed run reads: the panel file, its key columns and one column per indicator.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    pub path: PathBuf,
    pub unit_column: String,
    pub period_column: String,
    /// (indicator id, column header), in the indicator system's order.
    pub columns: Vec<(String, String)>,
    stages: ScoreStages,
    /// The unit list's index and whether each unit is active; `None`: units come from the panel.
    units: Option<(UnitIndex, Vec<bool>)>,
    /// The derived indicators: each divided, row by row, by another indicator of the same row.
    divisions: Vec<Division>,
    /// The imputation of missing cells (`group-mean`, `linear-time`); `None`: none are allowed.
    fill: Option<Fill>,
    /// The study's periods (a row's period is an index into them).
    periods: Vec<i64>,
}

/// What a streamed run knows of each row: its period (an index into the study's periods) and,
/// where a denominator or the imputation needs it, its unit's place in the unit list.
#[derive(Debug, Clone, Copy)]
pub struct RowKeys<'a> {
    pub periods: &'a [u16],
    pub units: Option<&'a [u32]>,
}

/// A derived indicator of a streamed run: column `column` divided, row by row, by another
/// column of the same row (as read) or by a number of the row's unit in the unit list, as
/// `derived::denominate` divides the panel in memory.
#[derive(Debug, Clone)]
struct Division {
    column: usize,
    by: Denominator,
    indicator: String,
    denominator: String,
}

#[derive(Debug, Clone)]
enum Denominator {
    /// An indicator's column.
    Column(usize),
    /// A column of the unit list, parsed: one number per unit (NaN where empty).
    PerUnit(Vec<f64>),
}

/// The row chunks of a streamed panel with its derived indicators divided and, with `filled`,
/// its missing cells filled: what the fit passes and the output pass read
/// ([`StreamPlan::derived`]).
pub struct Derived<'a> {
    plan: &'a StreamPlan,
    chunks: &'a dyn RowChunks,
    rows: RowKeys<'a>,
    filled: Option<&'a Filled>,
}

impl RowChunks for Derived<'_> {
    fn count(&self) -> usize {
        self.chunks.count()
    }

    fn with_chunk(&self, k: usize, f: &mut dyn FnMut(&resil_core::Matrix, usize) -> Result<()>) -> Result<()> {
        if self.plan.divisions.is_empty() && self.filled.is_none() {
            return self.chunks.with_chunk(k, f);
        }
        self.chunks.with_chunk(k, &mut |chunk, first| {
            let mut derived = chunk.clone();
            for d in &self.plan.divisions {
                for row in 0..chunk.nrows() {
                    let x = chunk.get(row, d.column);
                    let by = match &d.by {
                        Denominator::Column(k) => chunk.get(row, *k),
                        Denominator::PerUnit(values) => {
                            let units = self.rows.units.expect("row units given where a denominator needs them");
                            values[units[first + row] as usize]
                        }
                    };
                    if !x.is_finite() {
                        continue;
                    }
                    let place = || self.place(first + row).unwrap_or_else(|| format!("row {}", first + row + 1));
                    if by == 0.0 {
                        return Err(Error::data(
                            place(),
                            format!("denominator `{}` of indicator `{}` is 0", d.denominator, d.indicator),
                        ));
                    }
                    // A missing denominator leaves the cell missing, for the imputation (as in
                    // memory; without one a streamed panel has no missing cell).
                    derived.set(row, d.column, if by.is_finite() { x / by } else { f64::NAN });
                }
            }
            if let Some(filled) = self.filled {
                filled.apply(&mut derived, first, self.rows);
            }
            f(&derived, first)
        })
    }

    fn place(&self, row: usize) -> Option<String> {
        self.chunks.place(row)
    }
}

impl StreamPlan {
    /// `chunks` (the panel's indicator columns as read) with the derived indicators divided and,
    /// with `means`, the missing cells filled; `rows.units` is needed when
    /// [`Self::needs_row_units`].
    pub fn derived<'a>(
        &'a self,
        chunks: &'a dyn RowChunks,
        rows: RowKeys<'a>,
        filled: Option<&'a Filled>,
    ) -> Derived<'a> {
        Derived { plan: self, chunks, rows, filled }
    }

    /// Whether the run needs each row's unit: a denominator is a column of the unit list, or
    /// missing cells take their group's mean.
    pub fn needs_row_units(&self) -> bool {
        self.fill.is_some() || self.divisions.iter().any(|d| matches!(d.by, Denominator::PerUnit(_)))
    }

    /// This plan without its imputation, for a panel known to have no null cell; kept when a
    /// denominator from the unit list is empty somewhere (its cells would be missing).
    pub fn without_holes(self) -> StreamPlan {
        let gaps = self.divisions.iter().any(|d| match &d.by {
            Denominator::PerUnit(values) => values.iter().any(|v| !v.is_finite()),
            Denominator::Column(_) => false,
        });
        if gaps {
            self
        } else {
            StreamPlan { fill: None, ..self }
        }
    }

    /// Whether null cells are read as missing (to be imputed) rather than refused.
    pub fn imputes(&self) -> bool {
        self.fill.is_some()
    }

    /// The position in the unit list of the unit a panel row names; `None` without a list or
    /// for an unlisted unit.
    pub fn unit(&self, id: &str) -> Option<usize> {
        self.units.as_ref().and_then(|(index, _)| index.find(id))
    }

    /// Checks a panel row's unit against the unit list (any unit, when there is none).
    pub fn check_unit(&self, id: &str) -> std::result::Result<(), String> {
        let Some((index, active)) = &self.units else { return Ok(()) };
        match index.find(id) {
            None => Err(format!("unit `{id}` is not in the unit list")),
            Some(u) if !active[u] => Err(format!(
                "unit `{id}` is excluded in the unit list; a --stream run does not drop rows (remove them from the panel, or run in memory)"
            )),
            Some(_) => Ok(()),
        }
    }

    /// The index of `period` among the study's periods, or an error naming them.
    pub fn period_index(&self, periods: &[i32], period: i64) -> std::result::Result<u16, String> {
        periods.iter().position(|&p| i64::from(p) == period).map(|i| i as u16).ok_or_else(|| {
            let known: Vec<String> = periods.iter().map(i32::to_string).collect();
            format!("period {period} is not one of the study's periods ({})", known.join(", "))
        })
    }
}

/// The held outputs of a streamed run; the scorer's extras are remade from `fitted` as they are
/// written, and the units and periods read back from the panel.
pub struct StreamedRun {
    pub scores: Vec<f64>,
    pub direction: Direction,
    /// Within each period, as in memory.
    pub ranks: Vec<f64>,
    /// 1-based, as in memory.
    pub grades: Vec<u8>,
    pub breaks: Vec<BreaksGroup>,
    pub weights: Vec<f64>,
    pub fitted: ChunkedFitted,
    /// The values missing cells took (the imputation), for the output pass.
    pub filled: Option<Filled>,
    pub notes: Vec<LoggedNote>,
    pub manifest: serde_json::Value,
}

impl Prepared {
    /// The checks of a streamed run: every problem at once, each naming its config key.
    pub fn stream_plan(&self) -> Result<StreamPlan> {
        let c = &self.loaded.config;
        let file = &self.loaded.path;
        let mut problems = Vec::new();
        let mut refuse = |key: &str, why: &str| problems.push(Error::config(file, key, format!("--stream: {why}")));
        let source = match c.sources.as_slice() {
            [s] if s.kind == "parquet" && s.layout == SourceLayout::Wide => Some(s),
            _ => {
                refuse("source", "needs exactly one [[source]], kind = \"parquet\" with layout = \"wide\" (the panel on disk; plugins and other tables need the panel in memory)");
                None
            }
        };
        let (mut divisions, mut unit_cells) = (Vec::new(), Vec::new());
        for (i, ind) in c.indicators.iter().enumerate() {
            let Some(denominator) = &ind.denominator else { continue };
            let Some(column) = self.system.position(&ind.id) else { continue };
            let key = format!("indicator[{i}].denominator");
            let by = if let Some(k) = self.system.position(denominator) {
                Denominator::Column(k)
            } else if c.study.units.is_some() && self.units.iter().any(|u| u.tags.contains_key(denominator)) {
                let mut values = Vec::with_capacity(self.units.len());
                for unit in &self.units {
                    let text = unit.tags.get(denominator).map_or("", |t| t.trim());
                    values.push(match text {
                        "" | "NA" => f64::NAN,
                        _ => text.parse::<f64>().unwrap_or_else(|_| {
                            unit_cells.push(Error::data(
                                format!("unit `{}`, column `{denominator}` of the unit list", unit.id),
                                format!("`{text}` is not a number (denominator of indicator `{}`)", ind.id),
                            ));
                            f64::NAN
                        }),
                    });
                }
                Denominator::PerUnit(values)
            } else {
                let why = if c.study.units.is_some() {
                    format!("`{denominator}` is neither an indicator nor a column of the unit list")
                } else {
                    format!("`{denominator}` is not an indicator, and a run without a unit list has no unit columns")
                };
                refuse(&key, &why);
                continue;
            };
            divisions.push(Division { column, by, indicator: ind.id.clone(), denominator: denominator.clone() });
        }
        let ids: Vec<String> = self.system.indicators().iter().map(|i| i.id.clone()).collect();
        let fill =
            Fill::plan(&c.pipeline.impute, &self.units, &ids, c.study.units.is_some(), &mut unit_cells, &mut refuse)?;
        if c.pipeline.treat.is_some() {
            refuse("pipeline.treat", "winsorising needs quantiles of every column; treat the panel file first");
        }
        let stages = ScoreStages::of_pipeline(&c.pipeline);
        match &stages {
            None => refuse(
                "pipeline",
                "the normalize, weight and rank stages must each have scope = \"pooled\" and apply to every indicator",
            ),
            Some(s) if crate::ChunkedStages::new(&self.system, s)?.is_none() => refuse(
                "pipeline",
                &format!("{} (those that do: docs/scale.md); run in memory", crate::ChunkedStages::why_not(s)),
            ),
            Some(_) => {}
        }
        if !c.analyses.is_empty() {
            refuse("analysis", "the [[analysis]] tables need the panel in memory; run them on a run in memory");
        }
        if c.published.is_some() {
            refuse("published", "published figures are compared on runs in memory");
        }
        if c.diagnostics != resil_config::DiagnosticsConfig::default() {
            refuse("diagnostics", "a streamed run writes no indicator checks, so their thresholds would be unused");
        }
        if c.output.formats.iter().any(|f| f == "xlsx") {
            refuse("output.formats", "a workbook holds at most 1,048,576 rows; write csv or parquet");
        }
        let units = if c.study.units.is_some() {
            let active = self.units.iter().map(resil_core::Unit::is_active).collect();
            Some((UnitIndex::new(&self.units)?, active))
        } else {
            None
        };
        problems.extend(unit_cells);
        match (source, stages) {
            (Some(s), Some(stages)) if problems.is_empty() => Ok(StreamPlan {
                path: self.loaded.resolve(s.path.as_deref().unwrap_or_default()),
                unit_column: s.unit_column.clone(),
                period_column: s.period_column.clone(),
                columns: self
                    .system
                    .indicators()
                    .iter()
                    .map(|i| (i.id.clone(), s.columns.get(&i.id).cloned().unwrap_or_else(|| i.id.clone())))
                    .collect(),
                stages,
                units,
                divisions,
                fill,
                periods: c.study.periods.iter().map(|&p| i64::from(p)).collect(),
            }),
            _ => Err(Error::from_list(problems)),
        }
    }

    /// Runs the study over `chunks` (the panel's indicator columns in the system's order),
    /// `periods` holding each row's period index. No cell may be missing: the panel is read as
    /// it is, nothing is imputed.
    pub fn run_streamed(
        &self,
        plan: &StreamPlan,
        chunks: &mut dyn RowChunks,
        rows: RowKeys<'_>,
    ) -> Result<StreamedRun> {
        let periods = rows.periods;
        let mut log = Log(Vec::new());
        for k in &self.unknown_keys {
            log.extend(
                "config",
                vec![Diagnostic::warning("unknown-key", format!("unknown config key `{k}` (ignored)"))],
            );
        }
        if let Some((_, active)) = &plan.units {
            // The keys are unique and every unit active, so rows short of units x periods are
            // unit-periods without a row: in memory they would be imputed and scored.
            let expected = active.iter().filter(|&&a| a).count() * plan.periods.len();
            if periods.len() < expected {
                log.extend(
                    "stream",
                    vec![Diagnostic::warning(
                        "rows-absent",
                        format!(
                            "{} of the {expected} unit-periods of the unit list have no row in the panel: they are not scored (a run in memory would impute them)",
                            expected - periods.len()
                        ),
                    )],
                );
            }
        }
        let ids: Vec<String> = self.system.indicators().iter().map(|i| i.id.clone()).collect();
        let raw = plan.derived(&*chunks, rows, None);
        let panel = FillPanel { raw: &raw, rows, periods: &plan.periods, indicators: &ids, units: &self.units };
        let filled = plan.fill.as_ref().map(|fill| fill.fit(&panel)).transpose()?;
        let mut chunks = plan.derived(&*chunks, rows, filled.as_ref());
        let (score, fitted) =
            crate::score_chunked_lean(&mut chunks, &self.system, &plan.stages, false)?.expect("checked by stream_plan");
        log.extend(
            "stream",
            vec![Diagnostic::info(
                "streamed",
                format!(
                    "{} fitted over {} rows in {} chunks; {}",
                    plan.stages.describe(),
                    score.scores.len(),
                    chunks.count(),
                    filled.as_ref().map_or_else(
                        || "nothing imputed (a streamed panel has no missing cell)".into(),
                        |f| f.how.clone()
                    )
                ),
            )],
        );
        log.extend("score", score.notes);
        let groups = |scope: Scope| period_groups(scope, periods, &self.loaded.config.study.periods);
        let mut ranks = vec![0.0; score.scores.len()];
        for (_, rows) in groups(Scope::PerPeriod) {
            let values: Vec<f64> = rows.iter().map(|&r| score.scores[r as usize]).collect();
            let ranked = resil_rank::rank(&values, score.direction, self.ties());
            rows.iter().zip(ranked).for_each(|(&r, v)| ranks[r as usize] = v);
        }
        let mut grades = vec![0u8; score.scores.len()];
        let mut breaks = Vec::new();
        let classifier = &self.methods.classifier;
        for (label, rows) in groups(classifier.scope) {
            let values = sample(rows.iter().map(|&r| score.scores[r as usize]), rows.len());
            let label_of = stage_label("classify", &label.0);
            if values.len() < rows.len() {
                log.extend(
                    &label_of,
                    vec![Diagnostic::warning(
                        "classes-sampled",
                        format!(
                            "classes fitted on a seeded sample of {} of {} scores (exact classes need every score sorted; see docs/scale.md)",
                            values.len(),
                            rows.len()
                        ),
                    )],
                );
            }
            let fit = classifier.built.method.fit(&values)?;
            log.extend(&label_of, fit.notes);
            let mut held = Vec::new();
            for &r in &rows {
                let class = fit.value.class_of(score.scores[r as usize]);
                grades[r as usize] =
                    u8::try_from(class).map_err(|_| Error::data("classify", "more than 255 classes"))?;
                held.push(class);
            }
            let empty = crate::matrix::empty_classes(&fit.value, &held, rows.len());
            log.extend(&label_of, empty.into_iter().collect());
            breaks.push(BreaksGroup { label: label.0, period: label.1, breaks: fit.value });
        }
        let k = breaks.first().map_or(0, |b| b.breaks.k());
        if !self.grade_labels.is_empty() && self.grade_labels.len() != k {
            return Err(Error::config(
                &self.loaded.path,
                "pipeline.classify.labels",
                format!("{} labels for {k} classes", self.grade_labels.len()),
            ));
        }
        crate::stages::note_synthetic(&self.system, &mut log);
        let manifest = crate::manifest::build_streamed(self, plan, score.scores.len(), &score.weights, &log.0)?;
        Ok(StreamedRun {
            direction: score.direction,
            weights: score.weights,
            scores: score.scores,
            ranks,
            grades,
            breaks,
            fitted,
            filled,
            notes: log.0,
            manifest,
        })
    }
}

/// A group's label and period (as in memory), and its rows.
type Group = ((String, Option<i32>), Vec<u32>);

/// The rows of each group of `scope`: one group of every row (pooled), or one per period in the
/// study's order, each labelled as in memory.
fn period_groups(scope: Scope, periods: &[u16], study: &[i32]) -> Vec<Group> {
    match scope {
        Scope::Pooled => vec![(("pooled".to_string(), None), (0..periods.len() as u32).collect())],
        Scope::PerPeriod => {
            let mut rows = vec![Vec::new(); study.len()];
            periods.iter().enumerate().for_each(|(r, &p)| rows[p as usize].push(r as u32));
            study
                .iter()
                .zip(rows)
                .filter(|(_, rows)| !rows.is_empty())
                .map(|(&p, rows)| ((p.to_string(), Some(p)), rows))
                .collect()
        }
    }
}

/// `values` (`n` of them) whole, or a seeded sample of [`CLASSES_SAMPLE`] of them taken in row
/// order: the same rows on every machine and thread count.
fn sample(values: impl Iterator<Item = f64>, n: usize) -> Vec<f64> {
    if n <= CLASSES_SAMPLE {
        return values.collect();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(CLASSES_SEED);
    let mut picked = rand::seq::index::sample(&mut rng, n, CLASSES_SAMPLE).into_vec();
    picked.sort_unstable();
    let mut next = picked.into_iter().peekable();
    values
        .enumerate()
        .filter(|&(i, _)| {
            let hit = next.peek() == Some(&i);
            if hit {
                next.next();
            }
            hit
        })
        .map(|(_, v)| v)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_group_is_sampled_the_same_way_every_time_and_a_small_one_whole() {
        let n = CLASSES_SAMPLE + 12_345;
        let a = sample((0..n).map(|i| i as f64), n);
        let b = sample((0..n).map(|i| i as f64), n);
        assert_eq!(a.len(), CLASSES_SAMPLE);
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "in row order, no row twice");
        assert_eq!(sample((0..10).map(f64::from), 10), (0..10).map(f64::from).collect::<Vec<_>>());
    }

    #[test]
    fn period_groups_follow_the_studys_periods_and_skip_empty_ones() {
        let groups = period_groups(Scope::PerPeriod, &[1, 0, 1, 1], &[2010, 2015, 2020]);
        let labels: Vec<_> = groups.iter().map(|g| (g.0 .0.as_str(), g.1.clone())).collect();
        assert_eq!(labels, [("2010", vec![1]), ("2015", vec![0, 2, 3])]);
        assert_eq!(period_groups(Scope::Pooled, &[1, 0], &[2010, 2015])[0].1, vec![0, 1]);
    }
}
