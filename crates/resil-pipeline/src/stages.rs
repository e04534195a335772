//! The stages of a run, one function per arrow of ARCHITECTURE.md's diagram: each takes what
//! the earlier stages produced and the prepared methods, writes its notes to the log, and returns
//! its own product. `run::run_prepared` calls them in order.

use resil_core::{
    Diagnostic, Error, ImputedCell, IndicatorSystem, Matrix, Panel, Polarity, Result, RowLabel, Scope, ScoreTable,
    StageContext, Unit, Weights,
};

use crate::run::{
    stage_label, BreaksGroup, CappedCell, LearnedState, LevelScores, Log, LoggedNote, Methods, Prepared, RunResult,
    TreatedCell, WeightGroup,
};

/// The unit and period of every row of the active panel, for the stages' contexts.
pub(crate) struct RowLabels(Vec<RowLabel>);

impl RowLabels {
    pub(crate) fn of(panel: &Panel) -> Self {
        RowLabels(
            (0..panel.n_rows())
                .map(|r| RowLabel { unit: panel.unit_of_row(r).id.clone(), period: panel.period_of_row(r) })
                .collect(),
        )
    }

    /// The context of the block `rows`, with `system` and `orientation`.
    fn context<'a>(
        &'a self,
        system: &'a IndicatorSystem,
        orientation: &'a [Polarity],
        rows: std::ops::Range<usize>,
    ) -> StageContext<'a> {
        StageContext { system, orientation, rows: &self.0[rows], place: None }
    }
}

/// Stage 0: Excluded units go before anything is fitted; the panel's data questions are asked.
pub(crate) fn drop_excluded(full: Panel, log: &mut Log) -> Result<(Panel, Vec<Unit>)> {
    let (panel, excluded) = full.without_excluded();
    if panel.units().is_empty() {
        return Err(Error::data("units", "every unit is excluded"));
    }
    if !excluded.is_empty() {
        let names: Vec<String> = excluded.iter().map(|u| format!("{} ({})", u.name, u.id)).collect();
        log.extend(
            "units",
            vec![Diagnostic::info("excluded-units", format!("excluded before fitting: {}", names.join(", ")))],
        );
    }
    log.extend("data", crate::data_checks::check_panel(&panel)?);
    Ok((panel, excluded))
}

/// Stage 1: Imputation: the panel with every gap filled, and the cells filled.
pub(crate) fn impute(m: &Methods, panel: Panel, log: &mut Log) -> Result<(Panel, Vec<ImputedCell>)> {
    let imputed = m.imputer.method.impute(&panel)?;
    log.extend("impute", imputed.notes);
    Ok(imputed.value)
}

/// Stage 1c: Optional outlier treatment per scope group: the values normalisation starts from, and
/// every cell changed.
pub(crate) fn treat(m: &Methods, panel: &Panel, log: &mut Log) -> (Matrix, Vec<TreatedCell>) {
    let mut data = panel.values().clone();
    let mut treated = Vec::new();
    let Some((scope, params, only)) = &m.treat else { return (data, treated) };
    for g in scope.groups(panel) {
        for (j, ind) in panel.system().indicators().iter().enumerate() {
            if !only.is_empty() && !only.contains(&ind.id) {
                continue;
            }
            let original = data.column(j)[g.rows.clone()].to_vec();
            let (new, report) = resil_normalize::treat_column(&original, params);
            let how = if report.log { "log".to_string() } else { "winsorised".to_string() };
            for (k, (&a, &b)) in original.iter().zip(&new).enumerate() {
                if a != b || report.log {
                    let row = g.rows.start + k;
                    treated.push(TreatedCell {
                        unit: panel.unit_of_row(row).id.clone(),
                        period: panel.period_of_row(row),
                        indicator: ind.id.clone(),
                        original: a,
                        treated: b,
                        how: how.clone(),
                    });
                }
            }
            data.column_mut(j)[g.rows.clone()].copy_from_slice(&new);
        }
    }
    if !treated.is_empty() {
        log.extend(
            "treat",
            vec![Diagnostic::info("treated", format!("{} cells treated (treated.csv)", treated.len()))],
        );
    }
    (data, treated)
}

/// The normalised values, their column orientation, and what each step learned.
pub(crate) struct Normalized {
    pub(crate) data: Matrix,
    pub(crate) orientation: Vec<Polarity>,
    pub(crate) learned: Vec<LearnedState>,
    pub(crate) capped: Vec<CappedCell>,
}

/// Stage 2: The normalisation chain; each step fits on its scope's reference rows and hands the next
/// step its output orientation (polarity applied once).
pub(crate) fn normalise(
    m: &Methods,
    panel: &Panel,
    rows: &RowLabels,
    mut data: Matrix,
    prefit: Option<&crate::FittedStages>,
    log: &mut Log,
) -> Result<Normalized> {
    let system = panel.system();
    let mut orientation = system.polarities();
    let mut learned = Vec::new();
    let mut capped = Vec::new();
    for (i, step) in m.normalizers.iter().enumerate() {
        // A step may apply to some indicators only: it sees their columns, the rest pass through.
        let cols: Vec<usize> = if step.indicators.is_empty() {
            (0..system.len()).collect()
        } else {
            step.indicators.iter().filter_map(|id| system.position(id)).collect()
        };
        let step_system = IndicatorSystem::new(cols.iter().map(|&j| system.get(j).clone()).collect());
        let step_orientation: Vec<Polarity> = cols.iter().map(|&j| orientation[j]).collect();
        let mut out = data.clone();
        let mut next_orientation = orientation.clone();
        for g in step.scope.groups(panel) {
            let block = data.rows(g.rows.clone()).select_columns(&cols);
            let cx = rows.context(&step_system, &step_orientation, g.rows.clone());
            // Fitted here, or on the engine (pooled, every indicator: one group, every column).
            let own;
            let fitted: &dyn resil_core::FittedNormalizer = match prefit {
                Some(p) => p.normalizer(i),
                None => {
                    let f = step.built.method.fit(&block, &cx)?;
                    log.extend(&stage_label(&format!("normalize[{i}]"), &g.label), f.notes);
                    own = f.value;
                    own.as_ref()
                }
            };
            let transformed = fitted.transform(&block)?;
            for (r, k, value, bound) in fitted.capped(&block) {
                let row = g.rows.start + r;
                capped.push(CappedCell {
                    unit: panel.unit_of_row(row).id.clone(),
                    period: panel.period_of_row(row),
                    indicator: system.get(cols[k]).id.clone(),
                    value,
                    bound,
                    step: i,
                });
            }
            for (k, &j) in cols.iter().enumerate() {
                out.column_mut(j)[g.rows.clone()].copy_from_slice(transformed.column(k));
            }
            for (k, p) in fitted.output_orientation().into_iter().enumerate() {
                next_orientation[cols[k]] = p;
            }
            // Learned state over every indicator: NaN for those the step does not touch.
            let columns: resil_core::NamedColumns = fitted
                .learned()
                .into_iter()
                .map(|(name, values)| {
                    let mut full = vec![f64::NAN; system.len()];
                    for (k, &j) in cols.iter().enumerate() {
                        full[j] = values[k];
                    }
                    (name, full)
                })
                .collect();
            if !columns.is_empty() {
                learned.push(LearnedState { step: i, scope: g.label.clone(), rows: g.rows.clone(), columns });
            }
        }
        data = out;
        orientation = next_orientation;
    }
    Ok(Normalized { data, orientation, learned, capped })
}

/// The weights of each weight-scope group and the group of each row.
#[derive(Clone)]
pub(crate) struct Weighting {
    pub(crate) groups: Vec<WeightGroup>,
    pub(crate) row_group: Vec<usize>,
}

impl Weighting {
    fn of_row(&self, row: usize) -> &Weights {
        &self.groups[self.row_group[row]].weights
    }
}

/// Stage 3: Weights per weight-scope group.
pub(crate) fn weigh(
    m: &Methods,
    panel: &Panel,
    rows: &RowLabels,
    n: &Normalized,
    prefit: Option<&crate::FittedStages>,
    log: &mut Log,
) -> Result<Weighting> {
    let groups = m.weighter.scope.groups(panel);
    let mut weights = Vec::new();
    for g in &groups {
        if let Some(w) = prefit.and_then(crate::FittedStages::weights) {
            weights.push(WeightGroup { label: g.label.clone(), weights: w.clone() });
            continue;
        }
        let cx = rows.context(panel.system(), &n.orientation, g.rows.clone());
        let w = m.weighter.built.method.weights(&n.data.rows(g.rows.clone()), &cx)?;
        log.extend(&stage_label("weight", &g.label), w.notes);
        weights.push(WeightGroup { label: g.label.clone(), weights: w.value });
    }
    let row_group =
        (0..panel.n_rows()).map(|r| groups.iter().position(|g| g.contains(r)).expect("groups cover rows")).collect();
    Ok(Weighting { groups: weights, row_group })
}

/// The scores of every row, the references each scorer group learned, the group of each row.
pub(crate) struct Scored {
    pub(crate) table: ScoreTable,
    pub(crate) references: Vec<(String, resil_core::NamedColumns)>,
    /// Per scorer group: the member weights of each aggregate (level-by-level scorers).
    pub(crate) group_weights: Vec<(String, resil_core::GroupWeights)>,
    pub(crate) row_group: Vec<usize>,
}

/// Stage 4: Scores: the scorer fits on each rank-scope group (TOPSIS ideals) and scores its rows.
pub(crate) fn score(
    m: &Methods,
    panel: &Panel,
    rows: &RowLabels,
    normalized: &Normalized,
    weighting: &Weighting,
    prefit: Option<&crate::FittedStages>,
    log: &mut Log,
) -> Result<Scored> {
    let n = panel.n_rows();
    let mut scores =
        ScoreTable { score: vec![f64::NAN; n], extras: Vec::new(), direction: resil_core::Direction::HigherIsBetter };
    let mut references = Vec::new();
    let mut group_weights = Vec::new();
    let mut row_group = vec![0; n];
    for (gi, g) in m.scorer.scope.groups(panel).iter().enumerate() {
        let block = normalized.data.rows(g.rows.clone());
        let cx = rows.context(panel.system(), &normalized.orientation, g.rows.clone());
        let own;
        let fitted: &dyn resil_core::FittedScorer = match prefit.and_then(crate::FittedStages::scorer) {
            Some(f) => f,
            None => {
                let f = m.scorer.built.method.fit(&block, weighting.of_row(g.rows.start), &cx)?;
                log.extend(&stage_label("rank", &g.label), f.notes);
                own = f.value;
                own.as_ref()
            }
        };
        let table = fitted.score(&block).map_err(|e| e.name_rows(0, &cx))?;
        log.extend(&stage_label("rank", &g.label), table.notes);
        let table = table.value;
        scores.direction = table.direction;
        for (name, values) in table.extras {
            let pos = match scores.extras.iter().position(|(n, _)| *n == name) {
                Some(pos) => pos,
                None => {
                    scores.extras.push((name, vec![f64::NAN; n]));
                    scores.extras.len() - 1
                }
            };
            scores.extras[pos].1[g.rows.clone()].copy_from_slice(&values);
        }
        scores.score[g.rows.clone()].copy_from_slice(&table.score);
        row_group[g.rows.clone()].iter_mut().for_each(|x| *x = gi);
        references.push((g.label.clone(), fitted.column_references()));
        group_weights.push((g.label.clone(), fitted.group_weights()));
    }
    Ok(Scored { table: scores, references, group_weights, row_group })
}

/// Stage 4b: Scores at every level of the hierarchy: the same scorer on each sub-system's and
/// system's columns, their weights renormalised, over the same scope groups.
pub(crate) fn score_levels(
    m: &Methods,
    panel: &Panel,
    rows: &RowLabels,
    normalized: &Normalized,
    weighting: &Weighting,
    scored: &Scored,
    log: &mut Log,
) -> Result<Vec<LevelScores>> {
    let direction = scored.table.direction;
    let system = panel.system();
    let n = panel.n_rows();
    let mut levels = Vec::new();
    for (level, name_of) in [("subsystem", 0usize), ("system", 1)] {
        let group_of = |j: usize| {
            let ind = system.get(j);
            if name_of == 0 {
                &ind.subsystem
            } else {
                &ind.system
            }
        };
        let mut names: Vec<String> = Vec::new();
        for j in 0..system.len() {
            if !names.contains(group_of(j)) {
                names.push(group_of(j).clone());
            }
        }
        for name in names {
            // A scorer that aggregates level by level has scored this level already.
            let own = scored.table.extras.iter().find(|(n, _)| *n == resil_rank::level_column(level, &name));
            if let Some((_, score)) = own {
                let ranks = rank_within_periods(m, panel, score, direction);
                levels.push(LevelScores { level: level.to_string(), name, score: score.clone(), ranks });
                continue;
            }
            let cols: Vec<usize> = (0..system.len()).filter(|&j| *group_of(j) == name).collect();
            let level_system = IndicatorSystem::new(cols.iter().map(|&j| system.get(j).clone()).collect());
            let orient: Vec<Polarity> = cols.iter().map(|&j| normalized.orientation[j]).collect();
            let mut score = vec![f64::NAN; n];
            for g in m.scorer.scope.groups(panel) {
                let block = normalized.data.rows(g.rows.clone()).select_columns(&cols);
                let sub: Vec<f64> = cols.iter().map(|&j| weighting.of_row(g.rows.start).0[j]).collect();
                if sub.iter().sum::<f64>() <= 0.0 {
                    log.extend(
                        "levels",
                        vec![Diagnostic::warning(
                            "zero-weight",
                            format!("{level} `{name}`: all its weights are 0; not scored"),
                        )],
                    );
                    break;
                }
                let cx = rows.context(&level_system, &orient, g.rows.clone());
                let fitted = m.scorer.built.method.fit(&block, &Weights::normalized(sub)?, &cx)?;
                let table = fitted.value.score(&block).map_err(|e| e.name_rows(0, &cx))?;
                score[g.rows.clone()].copy_from_slice(&table.value.score);
            }
            let ranks = rank_within_periods(m, panel, &score, direction);
            levels.push(LevelScores { level: level.to_string(), name, score, ranks });
        }
    }
    Ok(levels)
}

/// Stage 5: Ranks within each period, 1 = best.
pub(crate) fn rank_within_periods(
    m: &Methods,
    panel: &Panel,
    score: &[f64],
    direction: resil_core::Direction,
) -> Vec<f64> {
    let mut ranks = vec![0.0; panel.n_rows()];
    for g in Scope::PerPeriod.groups(panel) {
        ranks[g.rows.clone()].copy_from_slice(&resil_rank::rank(&score[g.rows.clone()], direction, m.ties));
    }
    ranks
}

/// The breaks of each classify-scope group and the grade of each row.
pub(crate) struct Classes {
    pub(crate) breaks: Vec<BreaksGroup>,
    pub(crate) grades: Vec<usize>,
}

impl Classes {
    pub(crate) fn k(&self) -> usize {
        self.breaks[0].breaks.k()
    }
}

/// Stage 6: Classes per classify-scope group; empty classes and a label count that does not match get
/// a warning or an error.
pub(crate) fn classify(m: &Methods, panel: &Panel, scores: &ScoreTable, log: &mut Log) -> Result<Classes> {
    let mut breaks = Vec::new();
    let mut grades = vec![0; panel.n_rows()];
    for g in m.classifier.scope.groups(panel) {
        let values = &scores.score[g.rows.clone()];
        let b = m.classifier.built.method.fit(values)?;
        log.extend(&stage_label("classify", &g.label), b.notes);
        for (r, &v) in g.rows.clone().zip(values) {
            grades[r] = b.value.class_of(v);
        }
        let empty = crate::matrix::empty_classes(&b.value, &grades[g.rows.clone()], values.len());
        log.extend(&stage_label("classify", &g.label), empty.into_iter().collect());
        breaks.push(BreaksGroup { label: g.label.clone(), period: g.period, breaks: b.value });
    }
    let classes = Classes { breaks, grades };
    let k = classes.k();
    if !m.grade_labels.is_empty() && m.grade_labels.len() != k {
        return Err(Error::config(
            &m.file,
            "pipeline.classify.labels",
            format!("{} labels for {k} classes", m.grade_labels.len()),
        ));
    }
    Ok(classes)
}

/// Every run on synthetic indicators says so in its log (and so in every output).
pub(crate) fn note_synthetic(system: &IndicatorSystem, log: &mut Log) {
    let synthetic: Vec<String> = system.synthetic().iter().map(|i| i.id.clone()).collect();
    if synthetic.is_empty() {
        return;
    }
    log.extend(
        "data",
        vec![Diagnostic::warning(
            "synthetic-data",
            format!(
                "{} of {} indicators are synthetic ({}): these results demonstrate the method and are not findings",
                synthetic.len(),
                system.len(),
                synthetic.join(", ")
            ),
        )],
    );
}

/// Stage 8: The `[[analysis]]` tables, the `[published]` figures beside the run's, then the manifest.
pub(crate) fn analyse_and_record(p: &Prepared, mut result: RunResult) -> Result<RunResult> {
    result.analyses = crate::analysis::run_all(&p.loaded, &result)?;
    for a in &result.analyses {
        let stage = format!("analysis:{}", a.id);
        result.notes.extend(a.notes.iter().cloned().map(|diagnostic| LoggedNote { stage: stage.clone(), diagnostic }));
    }
    if let Some(figures) = &p.published {
        let c = &p.loaded.config.pipeline.classify;
        let params: Vec<String> = c.stage.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let classification = format!("{} ({})", c.stage.method, params.join(", "));
        result.published = Some(crate::published::compare(&result, figures, &classification));
    }
    result.manifest = crate::manifest::build(p, &result)?;
    Ok(result)
}
