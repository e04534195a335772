//! Scoring a decision matrix chunk by chunk: each stage's fit as passes of mergeable statistics
//! over row chunks (`resil_core::chunked`), folded on every core and merged in chunk order, and
//! the scores applied chunk by chunk, so the normalised matrix is never held whole. The methods
//! are the in-memory ones (their in-memory fit is the same code on one chunk); a method without
//! a chunked fit makes [`score_chunked`] answer `None`, and the caller scores in memory.

use rayon::prelude::*;
use resil_core::chunked::{PassState, RowChunks};
use resil_core::{FittedNormalizer, IndicatorSystem, Matrix, Outcome, Result, RowPlace, StageContext, Weights};

use crate::matrix::{key, MatrixScore, ScoreStages};
use crate::registry;

/// The rows of an in-memory matrix, `rows_per_chunk` at a time.
pub struct MatrixChunks<'a> {
    pub matrix: &'a Matrix,
    pub rows_per_chunk: usize,
}

impl RowChunks for MatrixChunks<'_> {
    fn count(&self) -> usize {
        self.matrix.nrows().div_ceil(self.rows_per_chunk.max(1))
    }

    fn with_chunk(&self, k: usize, f: &mut dyn FnMut(&Matrix, usize) -> Result<()>) -> Result<()> {
        let size = self.rows_per_chunk.max(1);
        let first = k * size;
        f(&self.matrix.rows(first..(first + size).min(self.matrix.nrows())), first)
    }
}

/// A matrix held as consecutive row blocks (as a file is read): each block is a chunk.
#[derive(Debug, Default)]
pub struct RowBlocks {
    blocks: Vec<Matrix>,
    /// The first row of each block.
    firsts: Vec<usize>,
    nrows: usize,
}

impl RowBlocks {
    pub fn push(&mut self, block: Matrix) {
        if block.nrows() > 0 {
            self.firsts.push(self.nrows);
            self.nrows += block.nrows();
            self.blocks.push(block);
        }
    }

    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// The blocks as one matrix (for methods that need the whole matrix in memory).
    pub fn into_matrix(self) -> Matrix {
        let ncols = self.blocks.first().map_or(0, Matrix::ncols);
        let columns = (0..ncols)
            .map(|j| {
                let mut column = Vec::with_capacity(self.nrows);
                self.blocks.iter().for_each(|b| column.extend_from_slice(b.column(j)));
                column
            })
            .collect();
        Matrix::from_columns(columns)
    }
}

impl RowChunks for RowBlocks {
    fn count(&self) -> usize {
        self.blocks.len()
    }

    fn with_chunk(&self, k: usize, f: &mut dyn FnMut(&Matrix, usize) -> Result<()>) -> Result<()> {
        f(&self.blocks[k], self.firsts[k])
    }

    fn rewrite_chunks(&mut self, f: &(dyn Fn(&mut Matrix) -> Result<()> + Sync)) -> Option<Result<()>> {
        Some(self.blocks.par_iter_mut().try_for_each(f))
    }
}

/// The stages of a scoring (each step of the normalisation chain, weigh, score) built once,
/// fitted stage by stage from merged statistics and applied chunk by chunk. Every step is a
/// function of the merged states of the passes before it, so that the passes can run anywhere:
/// on this machine's cores ([`score_chunked`]) or as the aggregates of a query engine, whose
/// workers rebuild the fitted stages from the states they are sent. Stages are numbered in
/// order: the normalisation steps, then the weighting, then the scorer.
pub struct ChunkedStages {
    system: IndicatorSystem,
    polarities: Vec<resil_core::Polarity>,
    normalizers: Vec<Box<dyn resil_core::Normalizer>>,
    weighter: Box<dyn resil_core::Weighter>,
    scorer: Box<dyn resil_core::Scorer>,
    ties: resil_rank::TiePolicy,
}

/// The stages fitted so far (from the merged states of their passes), with their notes.
pub struct FittedStages {
    normalizers: Vec<Box<dyn FittedNormalizer>>,
    /// The columns' orientation before each normalisation step, and after the last.
    orientations: Vec<Vec<resil_core::Polarity>>,
    weights: Option<Weights>,
    scorer: Option<Box<dyn resil_core::FittedScorer>>,
    /// The chunks hold normalised values already (normalised once, in place).
    in_place: bool,
    pub notes: Vec<resil_core::Diagnostic>,
}

/// Runs the fit passes of a study's scoring stages somewhere else: a query engine
/// (`resil-engine`), for `resil run --engine`. The run applies the fitted stages itself.
pub trait FitEngine: Send + Sync + std::fmt::Debug {
    /// Where the passes run (`datafusion`, `ballista://HOST:PORT`), for the log and manifest.
    fn name(&self) -> String;

    /// The merged states of every pass of every stage of `stages` (in [`ChunkedStages`]'
    /// order), fitted on the rows of `matrix`, whose columns are `system`'s indicators; a row a
    /// method refuses is named by `place`.
    fn fit(
        &self,
        system: &IndicatorSystem,
        stages: &ScoreStages,
        matrix: &Matrix,
        place: RowPlace<'_>,
    ) -> Result<Vec<Vec<PassState>>>;
}

impl FittedStages {
    /// Normalisation step `step`, fitted.
    pub(crate) fn normalizer(&self, step: usize) -> &dyn FittedNormalizer {
        self.normalizers[step].as_ref()
    }

    /// The scorer, fitted (once every stage is).
    pub(crate) fn scorer(&self) -> Option<&dyn resil_core::FittedScorer> {
        self.scorer.as_deref()
    }

    /// `chunk` through the first `steps` normalisation steps (borrowed as it is when the chunks
    /// were normalised in place).
    fn normalize<'a>(&self, chunk: &'a Matrix, steps: usize) -> Result<std::borrow::Cow<'a, Matrix>> {
        let mut out = std::borrow::Cow::Borrowed(chunk);
        if self.in_place {
            return Ok(out);
        }
        for n in &self.normalizers[..steps] {
            out = std::borrow::Cow::Owned(n.transform(&out)?);
        }
        Ok(out)
    }

    /// A held chunk through the whole (fitted) chain, written over itself.
    fn normalize_in_place(&self, chunk: &mut Matrix) -> Result<()> {
        self.normalizers.iter().try_for_each(|n| n.transform_in_place(chunk))
    }

    /// `chunk` through the whole (fitted) chain.
    fn normalize_all<'a>(&self, chunk: &'a Matrix) -> Result<std::borrow::Cow<'a, Matrix>> {
        self.normalize(chunk, self.normalizers.len())
    }

    fn orientation(&self) -> &[resil_core::Polarity] {
        self.orientations.last().expect("the input orientation at least")
    }

    /// The fitted weights (once the weighting stage is fitted).
    pub fn weights(&self) -> Option<&Weights> {
        self.weights.as_ref()
    }
}

impl ChunkedStages {
    /// The stages of `stages` over `system`; `None` when a method has no fit over chunks (it
    /// needs the whole matrix in memory).
    pub fn new(system: &IndicatorSystem, stages: &ScoreStages) -> Result<Option<Self>> {
        let mut warnings = Vec::new();
        if stages.normalize.is_empty() {
            return Err(resil_core::Error::data("--normalize", "no normalisation given"));
        }
        let normalizers = (0..stages.normalize.len())
            .map(|i| {
                Ok(registry::normalizer(&key(&stages.normalize_flag(i)), &stages.normalize[i], &mut warnings)?.method)
            })
            .collect::<Result<Vec<_>>>()?;
        let weighter = registry::weighter(&key("--weight"), &stages.weight, &mut warnings)?.method;
        let (scorer, ties) = registry::scorer(&key("--method"), &stages.rank, &mut warnings)?;
        let all = normalizers.iter().all(|n| n.chunked().is_some())
            && weighter.chunked().is_some()
            && scorer.method.chunked(&Weights(Vec::new())).is_some();
        Ok(all.then(|| ChunkedStages {
            system: system.clone(),
            polarities: system.polarities(),
            normalizers,
            weighter,
            scorer: scorer.method,
            ties,
        }))
    }

    /// Why `stages` have no fit over chunks, for a refusal once [`Self::new`] answered `None`: the
    /// methods without one, each with its stage ("`rank` (normalize) and `vikor` (rank) need the
    /// whole matrix in memory: they have no fit over chunks").
    pub fn why_not(stages: &ScoreStages) -> String {
        let mut warnings = Vec::new();
        let mut whole = Vec::new();
        for (i, stage) in stages.normalize.iter().enumerate() {
            let method = registry::normalizer(&key(&stages.normalize_flag(i)), stage, &mut warnings);
            if method.is_ok_and(|m| m.method.chunked().is_none()) {
                whole.push(format!("`{}` (normalize)", stage.method));
            }
        }
        if registry::weighter(&key("--weight"), &stages.weight, &mut warnings)
            .is_ok_and(|w| w.method.chunked().is_none())
        {
            whole.push(format!("`{}` (weight)", stages.weight.method));
        }
        let scorer = registry::scorer(&key("--method"), &stages.rank, &mut warnings);
        if scorer.is_ok_and(|(s, _)| s.method.chunked(&Weights(Vec::new())).is_none()) {
            whole.push(format!("`{}` (rank)", stages.rank.method));
        }
        whole.dedup();
        match whole.split_last() {
            None => format!("{} do not all fit over chunks", stages.describe()),
            Some((only, [])) => format!("{only} needs the whole matrix in memory: it has no fit over chunks"),
            Some((last, rest)) => {
                format!("{} and {last} need the whole matrix in memory: they have no fit over chunks", rest.join(", "))
            }
        }
    }

    pub fn ncols(&self) -> usize {
        self.system.len()
    }

    /// How many stages: the normalisation steps, the weighting and the scorer.
    pub fn stage_count(&self) -> usize {
        self.normalizers.len() + 2
    }

    /// The stages fitted from `states[stage]`, the merged states of every pass of each stage done
    /// (a prefix of the stages: the first stage whose states are missing and those after it are
    /// not fitted). `place` names a row in the notes of a fit (a capped value's first row).
    pub fn fitted(&self, states: &[Vec<PassState>], place: Option<RowPlace<'_>>) -> Result<FittedStages> {
        let mut f = FittedStages {
            normalizers: Vec::new(),
            orientations: vec![self.polarities.clone()],
            weights: None,
            scorer: None,
            in_place: false,
            notes: Vec::new(),
        };
        let steps = self.normalizers.len();
        for (step, done) in states.iter().take(steps).enumerate() {
            let cx = StageContext::columns(&self.system, f.orientation()).placed(place);
            let fitted = self.normalizers[step].chunked().expect("checked in new").finish(done, &cx)?;
            f.notes.extend(fitted.notes);
            f.orientations.push(fitted.value.output_orientation());
            f.normalizers.push(fitted.value);
        }
        if let Some(done) = states.get(steps) {
            let cx = StageContext::columns(&self.system, f.orientation()).placed(place);
            let w = self.weighter.chunked().expect("checked in new").finish(done, &cx)?;
            f.notes.extend(w.notes);
            f.weights = Some(w.value);
        }
        if let (Some(done), Some(w)) = (states.get(steps + 1), &f.weights) {
            let cx = StageContext::columns(&self.system, f.orientation()).placed(place);
            let s = self.scorer.chunked(w).expect("checked in new").finish(done, &cx)?;
            f.notes.extend(s.notes);
            f.scorer = Some(s.value);
        }
        Ok(f)
    }

    /// The slots of each pass of `stage`, given the stages before it fitted. When no stage has a
    /// pass (no normalisation, fixed weights, a weighted sum), the scorer gets one with nothing to
    /// merge: the rows are then read once before they are scored, to check their size ([`Self::fold`]).
    pub fn passes(&self, stage: usize, fitted: &FittedStages) -> Vec<Vec<resil_core::chunked::Merge>> {
        let own = self.own_passes(stage, fitted);
        if own.is_empty()
            && stage + 1 == self.stage_count()
            && (0..stage).all(|s| self.own_passes(s, fitted).is_empty())
        {
            return vec![Vec::new()];
        }
        own
    }

    /// The passes the method of `stage` folds.
    fn own_passes(&self, stage: usize, fitted: &FittedStages) -> Vec<Vec<resil_core::chunked::Merge>> {
        let steps = self.normalizers.len();
        if stage < steps {
            self.normalizers[stage].chunked().expect("checked in new").passes(self.ncols())
        } else if stage == steps {
            self.weighter.chunked().expect("checked in new").passes(self.ncols())
        } else {
            let w = fitted.weights.as_ref().expect("weights fitted before the scorer");
            self.scorer.chunked(w).expect("checked in new").passes(self.ncols())
        }
    }

    /// Folds a raw chunk (rows `first_row..` of the matrix) into `state` of pass `pass` of
    /// `stage`; `done` holds the merged states of that stage's earlier passes; `place` names a
    /// row in errors (`None`: by its number).
    #[allow(clippy::too_many_arguments)]
    pub fn fold(
        &self,
        fitted: &FittedStages,
        stage: usize,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        place: Option<RowPlace<'_>>,
    ) -> Result<()> {
        // The first pass to read the rows (the first of the first stage that has passes) checks
        // their size as it reads them, whichever driver runs it: no pass of its own, as a file on
        // disk would be decoded once more.
        if pass == 0 && (0..stage).all(|s| self.passes(s, fitted).is_empty()) {
            let name = |row: usize| place.map_or_else(|| format!("row {}", row + 1), |p| p(row));
            crate::data_checks::check_block(chunk, first_row, &self.system, &name)?;
            if self.own_passes(stage, fitted).is_empty() {
                return Ok(()); // the pass that only checks (see `passes`)
            }
        }
        let steps = self.normalizers.len();
        if stage < steps {
            let input = fitted.normalize(chunk, stage)?;
            let cx = StageContext::columns(&self.system, &fitted.orientations[stage]).placed(place);
            let method = self.normalizers[stage].chunked().expect("checked in new");
            return method.update(pass, done, &input, first_row, state, &cx);
        }
        let normalized = fitted.normalize_all(chunk)?;
        let cx = StageContext::columns(&self.system, fitted.orientation()).placed(place);
        if stage == steps {
            return self.weighter.chunked().expect("checked in new").update(
                pass,
                done,
                &normalized,
                first_row,
                state,
                &cx,
            );
        }
        let w = fitted.weights.as_ref().expect("weights fitted before the scorer");
        self.scorer.chunked(w).expect("checked in new").update(pass, done, &normalized, first_row, state, &cx)
    }

    /// Scores a raw chunk, rows `first_row..` of the matrix, with every stage fitted; a row the
    /// scorer refuses is named by `place` (`None`: by its number).
    pub fn apply(
        &self,
        fitted: &FittedStages,
        chunk: &Matrix,
        first_row: usize,
        place: Option<RowPlace<'_>>,
    ) -> Result<Outcome<resil_core::ScoreTable>> {
        let normalized = fitted.normalize_all(chunk)?;
        let cx = StageContext::columns(&self.system, fitted.orientation()).placed(place);
        fitted.scorer.as_ref().expect("scorer fitted last").score(&normalized).map_err(|e| e.name_rows(first_row, &cx))
    }

    /// The ranks of the whole score column.
    pub fn rank(&self, scores: &[f64], direction: resil_core::Direction) -> Vec<f64> {
        resil_rank::rank(scores, direction, self.ties)
    }
}

/// The stages fitted over chunks, ready to score any chunk again: what a caller that does not
/// hold the scorer's extras (TOPSIS's distances, ...) for every row uses to remake them chunk by
/// chunk as it writes them.
pub struct ChunkedFitted {
    stages: ChunkedStages,
    fitted: FittedStages,
    /// The names of the scorer's extras, once a chunk has been scored.
    extra_names: Vec<String>,
}

impl ChunkedFitted {
    /// The names of the scorer's extras, in the order [`Self::apply`] gives them.
    pub fn extra_names(&self) -> &[String] {
        &self.extra_names
    }

    /// The scorer's outputs for a raw chunk: its scores and extras.
    pub fn apply(&self, chunk: &Matrix) -> Result<Outcome<resil_core::ScoreTable>> {
        self.stages.apply(&self.fitted, chunk, 0, None)
    }
}

/// Fits every stage of `score_stages` over `chunks`, pass by pass (the chunks held in memory are
/// normalised once, in place, when the normalisation chain is fitted). `None` when a stage's
/// method needs the whole matrix in memory.
fn fit_chunked(
    chunks: &mut dyn RowChunks,
    system: &IndicatorSystem,
    score_stages: &ScoreStages,
) -> Result<Option<ChunkedFitted>> {
    let Some(stages) = ChunkedStages::new(system, score_stages)? else { return Ok(None) };
    let ncols = stages.ncols();
    let steps = score_stages.normalize.len();
    let mut states: Vec<Vec<PassState>> = Vec::new();
    let mut fitted = stages.fitted(&states, None)?;
    let mut in_place = false;
    for stage in 0..stages.stage_count() {
        if stage == steps {
            // Normalised once where the chunks are held in memory, else on the fly at every pass.
            let chain = &fitted;
            if let Some(done) = chunks.rewrite_chunks(&|m| chain.normalize_in_place(m)) {
                done?;
                in_place = true;
                fitted.in_place = true;
            }
        }
        let mut done: Vec<PassState> = Vec::new();
        let place = |row: usize| chunks.place(row).unwrap_or_else(|| format!("row {}", row + 1));
        for (pass, slots) in stages.passes(stage, &fitted).iter().enumerate() {
            let fold = |k: usize| {
                let mut state = PassState::new(slots, ncols);
                chunks.with_chunk(k, &mut |chunk, first| {
                    stages.fold(&fitted, stage, pass, &done, chunk, first, &mut state, Some(&place))
                })?;
                Ok(state)
            };
            // Every chunk folded, then the first error by chunk order: the same error on any
            // number of threads.
            let parts: Vec<Result<PassState>> = (0..chunks.count()).into_par_iter().map(fold).collect();
            let parts = parts.into_iter().collect::<Result<Vec<PassState>>>()?;
            let mut merged = PassState::new(slots, ncols);
            parts.iter().for_each(|s| merged.merge(s));
            done.push(merged);
        }
        states.push(done);
        fitted = stages.fitted(&states, Some(&place))?;
        fitted.in_place = in_place;
    }
    Ok(Some(ChunkedFitted { stages, fitted, extra_names: Vec::new() }))
}

/// [`crate::score_matrix`] over `chunks` (rows = alternatives, `system.len()` columns):
/// normalise, weigh, fit the scorer, score and rank without holding the normalised matrix.
/// `None` when a stage's method needs the whole matrix in memory.
pub fn score_chunked(
    chunks: &mut dyn RowChunks,
    system: &IndicatorSystem,
    score_stages: &ScoreStages,
) -> Result<Option<MatrixScore>> {
    Ok(score_chunks(chunks, system, score_stages, true, true)?.map(|(score, _)| score))
}

/// [`score_chunked`] holding the scores and ranks only: the extras are left empty, and the
/// fitted stages come back to remake them chunk by chunk ([`ChunkedFitted::apply`]). For
/// matrices whose outputs are written as they are made. With `rank_all_rows` false the ranks
/// are left empty too, for a caller that ranks rows by groups of its own (a panel's periods).
pub fn score_chunked_lean(
    chunks: &mut dyn RowChunks,
    system: &IndicatorSystem,
    score_stages: &ScoreStages,
    rank_all_rows: bool,
) -> Result<Option<(MatrixScore, ChunkedFitted)>> {
    score_chunks(chunks, system, score_stages, false, rank_all_rows)
}

/// The fit, then every chunk scored on its own and concatenated in chunk order (with the
/// extras, or scores only), then the ranks (or none).
fn score_chunks(
    chunks: &mut dyn RowChunks,
    system: &IndicatorSystem,
    score_stages: &ScoreStages,
    with_extras: bool,
    with_ranks: bool,
) -> Result<Option<(MatrixScore, ChunkedFitted)>> {
    let Some(mut fit) = fit_chunked(chunks, system, score_stages)? else { return Ok(None) };
    let mut notes = std::mem::take(&mut fit.fitted.notes);
    // A row the scorer refuses is named by its place, as the fit's refusals are.
    let place = |row: usize| chunks.place(row).unwrap_or_else(|| format!("row {}", row + 1));
    let tables = (0..chunks.count())
        .into_par_iter()
        .map(|k| {
            let mut table = None;
            chunks.with_chunk(k, &mut |chunk, first| {
                let mut t = fit.stages.apply(&fit.fitted, chunk, first, Some(&place))?;
                if !with_extras {
                    // Only the names are kept: the values are remade as they are written.
                    t.value.extras.iter_mut().for_each(|(_, v)| *v = Vec::new());
                }
                table = Some(t);
                Ok(())
            })?;
            Ok(table.expect("with_chunk calls back"))
        })
        .collect::<Vec<Result<_>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let mut table = concat_tables(tables, &mut notes)?;
    fit.extra_names = table.extras.iter().map(|(n, _)| n.clone()).collect();
    if !with_extras {
        table.extras.clear();
    }
    let ranks = if with_ranks { fit.stages.rank(&table.score, table.direction) } else { Vec::new() };
    let score = MatrixScore {
        weights: fit.fitted.weights.clone().expect("fitted").0,
        scores: table.score,
        ranks,
        direction: table.direction,
        extras: table.extras,
        notes,
    };
    Ok(Some((score, fit)))
}

/// The chunks' score tables as one, in chunk order: reserved whole, then filled as each chunk's
/// table is dropped, so the scores are never held twice. Errors on no rows.
pub fn concat_tables(
    tables: Vec<Outcome<resil_core::ScoreTable>>,
    notes: &mut Vec<resil_core::Diagnostic>,
) -> Result<resil_core::ScoreTable> {
    let rows: usize = tables.iter().map(|t| t.value.score.len()).sum();
    let mut parts = tables.into_iter();
    let first = parts.next().map(|t| {
        notes.extend(t.notes);
        t.value
    });
    let Some(mut table) = first else { return Err(resil_core::Error::data("--method", "no rows to score")) };
    table.score.reserve_exact(rows - table.score.len());
    for (_, values) in &mut table.extras {
        values.reserve_exact(rows - values.len());
    }
    for t in parts {
        notes.extend(t.notes);
        table.score.extend(t.value.score);
        for ((_, all), (_, more)) in table.extras.iter_mut().zip(t.value.extras) {
            all.extend(more);
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{criteria, pooled_stage, score_matrix};
    use resil_core::Polarity;

    fn stage(method: &str, params: &str) -> resil_config::StageConfig {
        pooled_stage(method, params.parse::<toml::Table>().unwrap())
    }

    proptest::proptest! {
        /// The chunked path equals the in-memory path (to 1e-12) on random matrices cut into
        /// chunks of random size: weights, scores and ranks, for each chunked pipeline.
        #[test]
        fn chunked_scores_equal_the_in_memory_scores(
            cols in proptest::collection::vec(proptest::collection::vec(0.01f64..1000.0, 2..120), 1..6),
            rows_per_chunk in 1usize..50,
            cost_first in proptest::bool::ANY,
        ) {
            let n = cols.iter().map(Vec::len).min().unwrap();
            let matrix = Matrix::from_columns(cols.iter().map(|c| c[..n].to_vec()).collect());
            let names: Vec<String> = (0..matrix.ncols()).map(|j| format!("c{j}")).collect();
            let mut polarities = vec![Polarity::Benefit; names.len()];
            polarities[0] = if cost_first { Polarity::Cost } else { Polarity::Benefit };
            // Two sub-systems, for the hierarchical weights: the even columns and the odd ones.
            let system = resil_core::IndicatorSystem::new(
                criteria(&names, &polarities)
                    .indicators()
                    .iter()
                    .enumerate()
                    .map(|(j, i)| resil_core::Indicator { subsystem: ["even", "odd"][j % 2].into(), ..i.clone() })
                    .collect(),
            );
            let fixed = format!("weights = {{ {} }}", names.iter().enumerate().map(|(j, c)| format!("{c} = {}", j + 1)).collect::<Vec<_>>().join(", "));
            let order = format!("order = [{}]", names.iter().rev().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "));
            let subjective = fixed.replace("weights =", "objective = \"entropy\"\nsubjective =");
            // A consistent comparison matrix, a_ij = (i + 1) / (j + 1).
            let n_cols = names.len();
            let goalposts = |lo: f64, hi: f64| format!("goalposts = {{ {} }}", names.iter().map(|c| format!("{c} = [{lo:?}, {hi:?}]")).collect::<Vec<_>>().join(", "));
            let ahp = format!("matrix = [{}]", (0..n_cols).map(|i| format!("[{}]", (0..n_cols).map(|j| format!("{:?}", (i + 1) as f64 / (j + 1) as f64)).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>().join(", "));
            for (normalize, weight, rank) in [
                (vec![stage("minmax", "")], stage("entropy", ""), stage("topsis", "")),
                (vec![stage("minmax", "floor = 0.01")], stage("entropy", ""), stage("topsis", "distance = \"manhattan\"")),
                (vec![stage("zscore", "")], stage("fixed", &fixed), stage("topsis", "")),
                (vec![stage("zscore", "")], stage("std", ""), stage("topsis", "")),
                (vec![stage("minmax", "")], stage("cv", ""), stage("topsis", "")),
                (vec![stage("minmax", "")], stage("equal", ""), stage("wsm", "")),
                (vec![stage("vector", "")], stage("equal", ""), stage("wsm", "")),
                // The weighted product: positive after a floor; refused at min-max's zeros, the
                // same cell named either way; the reciprocal reading of an unflipped cost column.
                (vec![stage("minmax", "floor = 0.01")], stage("entropy", ""), stage("wpm", "")),
                (vec![stage("minmax", "")], stage("equal", ""), stage("wpm", "")),
                (vec![stage("sum", "")], stage("equal", ""), stage("wpm", "cost = \"reciprocal\"")),
                (vec![stage("sum", "")], stage("critic", ""), stage("wsm", "cost = \"reciprocal\"")),
                (vec![stage("minmax", "")], stage("critic", ""), stage("topsis", "")),
                (vec![stage("vector", "")], stage("critic", "cost = \"as-is\""), stage("topsis", "")),
                // Weights that read no data, and subjective weights combined with entropy's.
                (vec![stage("minmax", "")], stage("roc", &order), stage("topsis", "")),
                (vec![stage("vector", "")], stage("ahp", &ahp), stage("wsm", "")),
                (vec![stage("minmax", "floor = 0.01")], stage("combined", &subjective), stage("topsis", "")),
                // VIKOR: S and R ranges over every row, in a second pass.
                (vec![stage("minmax", "")], stage("entropy", ""), stage("vikor", "")),
                (vec![stage("none", "")], stage("critic", ""), stage("vikor", "v = 0.3")),
                // Scorers that scale by a column summary of one pass; min-max's zeros are refused
                // where a scorer needs positive values, at the same cell however the rows are cut.
                (vec![stage("none", "")], stage("entropy", ""), stage("aras", "")),
                (vec![stage("minmax", "")], stage("equal", ""), stage("aras", "")),
                (vec![stage("none", "")], stage("cv", ""), stage("mairca", "")),
                (vec![stage("none", "")], stage("equal", ""), stage("waspas", "lambda = 0.3")),
                (vec![stage("none", "")], stage("std", ""), stage("ram", "")),
                (vec![stage("none", "")], stage("entropy", ""), stage("marcos", "")),
                (vec![stage("none", "")], stage("equal", ""), stage("moora", "")),
                (vec![stage("none", "")], stage("critic", ""), stage("spotis", "")),
                // Distance from the average or the ideal: reference-wide constants over the rows.
                (vec![stage("none", "")], stage("entropy", ""), stage("edas", "")),
                (vec![stage("none", "")], stage("equal", ""), stage("copras", "")),
                (vec![stage("minmax", "")], stage("equal", ""), stage("copras", "")),
                (vec![stage("none", "")], stage("std", ""), stage("gra", "rho = 0.3")),
                // Reference-wide constants over the rows after a column summary.
                (vec![stage("none", "")], stage("entropy", ""), stage("mabac", "")),
                (vec![stage("none", "")], stage("equal", ""), stage("ocra", "")),
                (vec![stage("none", "")], stage("critic", ""), stage("cocoso", "lambda = 0.7")),
                (vec![stage("none", "")], stage("entropy", ""), stage("aroman", "")),
                (vec![stage("none", "")], stage("equal", ""), stage("mpi", "")),
                // Sub-system weights times weights within each (one sub-system when one column).
                (vec![stage("minmax", "floor = 0.01")], stage("hierarchical", "within = \"entropy\"\nsubsystems = { even = 2, odd = 1 }"), stage("topsis", "")),
                (vec![stage("none", "")], stage("hierarchical", "within = \"critic\"\nsubsystems = { even = 1, odd = 1 }"), stage("vikor", "")),
                // Objective weights of pymcdm's, fitted over chunks in two or three passes.
                (vec![stage("none", "")], stage("variance", ""), stage("topsis", "")),
                (vec![stage("none", "")], stage("lopcow", ""), stage("vikor", "")),
                (vec![stage("none", "")], stage("angle", ""), stage("aras", "")),
                (vec![stage("none", "")], stage("merec", ""), stage("topsis", "")),
                (vec![stage("minmax", "")], stage("merec", ""), stage("topsis", "")),
                // PCA: the correlation matrix from co-moments merged over the chunks; varimax to
                // its fixed point, so a matrix equal to rounding gives weights equal to rounding.
                (vec![stage("none", "")], stage("pca", ""), stage("topsis", "")),
                (vec![stage("minmax", "")], stage("pca", ""), stage("wsm", "")),
                // CILOS: the rows of each column's greatest value, gathered in a fourth pass;
                // IDOCRIW with entropy's passes beside CILOS's; min-max's zeros refused.
                (vec![stage("none", "")], stage("cilos", ""), stage("topsis", "")),
                (vec![stage("none", "")], stage("idocriw", ""), stage("vikor", "")),
                (vec![stage("minmax", "")], stage("cilos", ""), stage("wsm", "")),
                // Level-by-level means with given weights: no pass; a geometric mean refuses the
                // negative values of uncapped goalposts at the same row (its place) however the
                // rows are cut.
                (vec![stage("minmax", "")], stage("entropy", ""), stage("levels", "")),
                (vec![stage("minmax", "floor = 0.01")], stage("equal", ""), stage("levels", "subsystem = { function = \"geometric\" }\nindex = { function = \"harmonic\", weights = \"equal\" }")),
                (vec![stage("target", &format!("{}\ncap = false", goalposts(500.0, 900.0)))], stage("equal", ""), stage("levels", "subsystem = { function = \"geometric\" }")),
                // A level's own weighting method or scorer, fitted over chunks on each chunk's inputs
                // at that level (the chunk aggregated through the levels fitted before it).
                (vec![stage("minmax", "floor = 0.01")], stage("equal", ""), stage("levels", "subsystem = { weights = { method = \"entropy\" } }")),
                (vec![stage("minmax", "")], stage("entropy", ""), stage("levels", "subsystem = { function = \"topsis\", weights = { method = \"critic\" } }\nsystem = { weights = { method = \"entropy\" } }")),
                (vec![stage("none", "")], stage("equal", ""), stage("levels", "subsystem = { function = \"geometric\", weights = { method = \"cv\" } }\nindex = { function = \"vikor\", params = { v = 0.3 } }")),
                (vec![stage("zscore", "")], stage("std", ""), stage("levels", "subsystem = { function = \"mabac\" }\nsystem = { function = \"wsm\", weights = { method = \"pca\" } }")),
                // Shifts that read the data only to check it: refused at the same cell (log) or
                // column (translate) however the rows are cut.
                (vec![stage("zscore", ""), stage("translate", "shift = 2.5")], stage("entropy", ""), stage("topsis", "")),
                (vec![stage("log", "shift = -1")], stage("std", ""), stage("topsis", "")),
                // Goalposts, read only to check the values and count those capped: capped and not,
                // after a log of the first column; refused at min-max's exact zeros, outside the
                // log's domain, the same cell named either way.
                (vec![stage("target", &goalposts(100.0, 900.0))], stage("entropy", ""), stage("topsis", "")),
                (vec![stage("target", &format!("{}\ncap = false", goalposts(100.0, 900.0)))], stage("equal", ""), stage("wsm", "")),
                (vec![stage("target", &format!("{}\ntransform = {{ c0 = \"log\" }}", goalposts(1.0, 900.0)))], stage("critic", ""), stage("topsis", "")),
                (vec![stage("minmax", ""), stage("target", &format!("{}\ntransform = {{ c0 = \"log\" }}", goalposts(0.5, 1.0)))], stage("equal", ""), stage("wsm", "")),
                // The flagship's chain: z-scores, then min-max with a floor.
                (vec![stage("zscore", "sd = \"sample\""), stage("minmax", "floor = 0.01")], stage("entropy", ""), stage("topsis", "")),
            ] {
                let stages = ScoreStages { normalize, weight, rank };
                let whole = score_matrix(&matrix, &system, &stages);
                // Chunks normalised on the fly (a view of the matrix) and in place (row blocks).
                let mut chunks = MatrixChunks { matrix: &matrix, rows_per_chunk };
                let parts = score_chunked(&mut chunks, &system, &stages);
                let mut blocks = RowBlocks::default();
                for k in 0..chunks.count() {
                    chunks.with_chunk(k, &mut |m, _| {
                        blocks.push(m.clone());
                        Ok(())
                    }).unwrap();
                }
                let in_place = score_chunked(&mut blocks, &system, &stages);
                match (&parts, &in_place) {
                    (Ok(Some(a)), Ok(Some(b))) => proptest::prop_assert_eq!((&a.weights, &a.scores), (&b.weights, &b.scores)),
                    (Err(a), Err(b)) => proptest::prop_assert_eq!(a.to_string(), b.to_string()),
                    _ => proptest::prop_assert!(false, "on the fly and in place differ"),
                }
                match (whole, parts) {
                    (Ok(a), Ok(Some(b))) => {
                        let close = |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| (p - q).abs() <= 1e-12 * (1.0 + p.abs()));
                        proptest::prop_assert!(close(&a.weights, &b.weights), "{:?} vs {:?}", a.weights, b.weights);
                        proptest::prop_assert!(close(&a.scores, &b.scores), "{:?} vs {:?}", a.scores, b.scores);
                        // The same notes (a capped count, a zero weight), naming the same rows.
                        let messages = |s: &crate::MatrixScore| s.notes.iter().map(|d| d.message.clone()).collect::<Vec<_>>();
                        proptest::prop_assert_eq!(messages(&a), messages(&b));
                        for ((na, va), (nb, vb)) in a.extras.iter().zip(&b.extras) {
                            proptest::prop_assert!(na == nb && close(va, vb));
                        }
                    }
                    // The same refusal either way (a constant column for entropy, ...).
                    (Err(a), Err(b)) => proptest::prop_assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => proptest::prop_assert!(false, "{:?} vs {:?}", a.map(|s| s.scores), b.map(|s| s.map(|s| s.scores))),
                }
            }
        }
    }

    #[test]
    fn row_blocks_are_chunks_and_join_back() {
        let mut blocks = RowBlocks::default();
        blocks.push(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]));
        blocks.push(Matrix::from_rows(&[]));
        blocks.push(Matrix::from_rows(&[vec![5.0, 6.0]]));
        let mut seen = Vec::new();
        for k in 0..blocks.count() {
            blocks
                .with_chunk(k, &mut |m, first| {
                    seen.push((first, m.nrows()));
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(seen, vec![(0, 2), (2, 1)]);
        assert_eq!(blocks.into_matrix(), Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]));
    }

    #[test]
    fn one_chunk_gives_the_in_memory_bits_and_unchunked_methods_answer_none() {
        let matrix = Matrix::from_rows(&[vec![1.0, 9.0], vec![4.0, 2.0], vec![7.0, 5.0], vec![3.0, 3.0]]);
        let system = criteria(&["a".into(), "b".into()], &[Polarity::Benefit, Polarity::Cost]);
        let stages = ScoreStages {
            normalize: vec![stage("minmax", "")],
            weight: stage("entropy", ""),
            rank: stage("topsis", ""),
        };
        let whole = score_matrix(&matrix, &system, &stages).unwrap();
        let one =
            score_chunked(&mut MatrixChunks { matrix: &matrix, rows_per_chunk: 4 }, &system, &stages).unwrap().unwrap();
        assert_eq!((whole.weights, whole.scores, whole.ranks), (one.weights, one.scores, one.ranks));
        // CRITIC on Spearman correlations needs each whole column's ranks: no chunked fit.
        let critic = score_chunked(
            &mut MatrixChunks { matrix: &matrix, rows_per_chunk: 2 },
            &system,
            &ScoreStages { weight: stage("critic", "correlation = \"spearman\""), ..stages },
        );
        assert!(critic.unwrap().is_none());
        // The refusal names each method without a fit over chunks, by its stage.
        let whole = ScoreStages {
            normalize: vec![stage("minmax", ""), stage("rank", "")],
            weight: stage("gini", ""),
            rank: stage("promethee2", ""),
        };
        assert_eq!(
            ChunkedStages::why_not(&whole),
            "`rank` (normalize), `gini` (weight) and `promethee2` (rank) need the whole matrix in memory: they have no fit over chunks"
        );
        // A level's method's notes are kept, said of its group, in memory and over chunks alike:
        // entropy at the sub-system level on a constant member.
        let flat =
            Matrix::from_rows(&[vec![1.0, 5.0, 2.0], vec![4.0, 5.0, 7.0], vec![2.0, 5.0, 3.0], vec![9.0, 5.0, 1.0]]);
        let abc = criteria(&["a".into(), "b".into(), "c".into()], &[Polarity::Benefit; 3]);
        let entropy_level = ScoreStages {
            normalize: vec![stage("none", "")],
            weight: stage("equal", ""),
            rank: stage("levels", "subsystem = { weights = { method = \"entropy\" } }"),
        };
        let note = "levels: weights of the subsystem level: entropy: indicator `b` has no spread in the reference rows; its weight is 0";
        let whole = score_matrix(&flat, &abc, &entropy_level).unwrap();
        let chunked = score_chunked(&mut MatrixChunks { matrix: &flat, rows_per_chunk: 3 }, &abc, &entropy_level);
        for notes in [whole.notes, chunked.unwrap().unwrap().notes] {
            assert!(notes.iter().any(|d| d.message == note), "{notes:?}");
        }
        // Levels fit over chunks unless a level is `bod` or its method has no fit over chunks.
        for (levels, chunked) in [
            ("subsystem = { weights = { method = \"entropy\" } }\nindex = { function = \"topsis\" }", true),
            ("index = { function = \"bod\" }", false),
            ("subsystem = { weights = { method = \"gini\" } }", false),
            ("index = { function = \"promethee2\" }", false),
        ] {
            let stages = ScoreStages {
                normalize: vec![stage("minmax", "")],
                weight: stage("equal", ""),
                rank: stage("levels", levels),
            };
            let fit = score_chunked(&mut MatrixChunks { matrix: &matrix, rows_per_chunk: 2 }, &system, &stages);
            assert_eq!(fit.unwrap().is_some(), chunked, "{levels}");
        }
    }
}
