//! The client side: a session on DataFusion or Ballista, the table registered, the fit passes
//! run as aggregate plans one after another, then the apply pass as a projection streamed back.

use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, AsArray};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::{AggregateUDF, Expr, ScalarUDF};
use datafusion::prelude::{ident, lit, CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use resil_core::chunked::PassState;
use resil_core::Polarity;
use resil_pipeline::{ChunkedStages, MatrixScore, ScoreStages};

use crate::functions::{ids_of, matrix_of, Bits, Job, PassUdaf, ScoreUdf};

/// A merged state's values, to send with a job.
fn bits(state: &PassState) -> Bits {
    Bits(state.values().to_vec())
}

/// Where the passes run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// A DataFusion session in this process, on every core.
    DataFusion,
    /// A Ballista scheduler and one executor started in this process, on localhost.
    #[cfg(feature = "ballista")]
    BallistaStandalone,
    /// A running Ballista cluster: `ballista://HOST:PORT` (its scheduler).
    #[cfg(feature = "ballista")]
    Ballista(String),
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "datafusion" => Ok(Engine::DataFusion),
            #[cfg(feature = "ballista")]
            "ballista" => Ok(Engine::BallistaStandalone),
            #[cfg(feature = "ballista")]
            url if url.starts_with("ballista://") => {
                Ok(Engine::Ballista(format!("df://{}", &url["ballista://".len()..])))
            }
            #[cfg(not(feature = "ballista"))]
            s if s.starts_with("ballista") => {
                Err(format!("`{s}`: Ballista needs resil built with `--features ballista`"))
            }
            other => Err(format!("`{other}`: not an engine (datafusion, ballista, ballista://HOST:PORT)")),
        }
    }
}

/// The table to score: the first column names the alternatives, the others are the criteria.
#[derive(Debug, Clone)]
pub enum Input {
    /// A `.parquet` file or a folder of them.
    Parquet(PathBuf),
    /// A CSV file with a header row.
    Csv(PathBuf),
}

impl Input {
    pub fn of(path: &Path) -> Self {
        if path.is_dir() || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
            Input::Parquet(path.to_path_buf())
        } else {
            Input::Csv(path.to_path_buf())
        }
    }
}

/// The scores, with the ids in the same order (sorted by id: the engine reads the partitions in
/// any order).
#[derive(Debug)]
pub struct EngineScore {
    pub names: Vec<String>,
    pub ids: Vec<String>,
    pub score: MatrixScore,
}

/// Partitions of every plan: fixed, so that the partial sums (and so the last bits of the
/// results) do not depend on the machine's core count.
const PARTITIONS: usize = 8;

/// A session with resil's two functions, on `engine`.
pub async fn session(engine: &Engine) -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_target_partitions(PARTITIONS)
        .with_round_robin_repartition(false)
        .with_information_schema(false);
    #[cfg(feature = "ballista")]
    let config = if matches!(engine, Engine::DataFusion) {
        config
    } else {
        use ballista::prelude::SessionConfigExt;
        let mut c = SessionConfig::new_with_ballista()
            .with_target_partitions(PARTITIONS)
            .with_round_robin_repartition(false)
            .with_ballista_standalone_parallelism(2);
        c.options_mut().execution.target_partitions = PARTITIONS;
        c
    };
    let local =
        SessionContext::new_with_state(SessionStateBuilder::new().with_config(config).with_default_features().build());
    local.register_udaf(AggregateUDF::from(PassUdaf::default()));
    local.register_udf(ScalarUDF::from(ScoreUdf::default()));
    match engine {
        Engine::DataFusion => Ok(local),
        #[cfg(feature = "ballista")]
        Engine::BallistaStandalone => {
            use ballista::prelude::SessionContextExt;
            SessionContext::standalone_with_state(local.state()).await
        }
        #[cfg(feature = "ballista")]
        Engine::Ballista(url) => {
            use ballista::prelude::SessionContextExt;
            SessionContext::remote_with_state(url, local.state()).await
        }
    }
}

pub(crate) fn failed(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(e.to_string())
}

/// The criteria's polarities and the stages, made once the criteria's names are read.
#[derive(Debug, Clone)]
pub struct Setup {
    pub polarities: Vec<Polarity>,
    pub stages: ScoreStages,
}

/// Makes the [`Setup`] from the criteria's names (the table's columns after the first).
pub type MakeSetup<'a> = dyn Fn(&[String]) -> std::result::Result<Setup, String> + 'a;

/// Runs every fit pass of `stages` as an aggregate plan over the table `matrix` (ids in column
/// `id`, criteria in `columns`), one after another; the merged states of every pass of every
/// stage. `job` carries the stages; its states, stage and pass are set here.
pub(crate) async fn fit_passes(
    ctx: &SessionContext,
    stages: &ChunkedStages,
    job: &mut Job,
    id: &str,
    columns: &[Expr],
    in_file: &dyn Fn(DataFusionError) -> DataFusionError,
) -> Result<Vec<Vec<PassState>>> {
    let pass_udaf = AggregateUDF::from(PassUdaf::default());
    let mut complete: Vec<Vec<PassState>> = Vec::new();
    let mut fitted = stages.fitted(&complete, None).map_err(failed)?;
    for stage in 0..stages.stage_count() {
        let mut done: Vec<PassState> = Vec::new();
        for (pass, slots) in stages.passes(stage, &fitted).iter().enumerate() {
            job.stage = stage;
            job.pass = pass;
            job.states = complete.iter().map(|s| s.iter().map(bits).collect()).collect();
            job.states.push(done.iter().map(bits).collect());
            let mut args = vec![lit(job.to_literal()), ident(id)];
            args.extend(columns.iter().cloned());
            let plan = ctx.table("matrix").await?.aggregate(vec![], vec![pass_udaf.call(args).alias("state")])?;
            let batches = plan.collect().await.map_err(in_file)?;
            let state = batches
                .iter()
                .find(|b| b.num_rows() > 0)
                .map(|b| b.column(0).as_string::<i32>().value(0).to_string())
                .ok_or_else(|| failed("an aggregate without a row"))?;
            let values: Bits = serde_json::from_str(&state).map_err(failed)?;
            done.push(PassState::from_parts(slots, values.0).ok_or_else(|| failed("a pass state of the wrong size"))?);
        }
        complete.push(done);
        fitted = stages.fitted(&complete, None).map_err(failed)?;
    }
    Ok(complete)
}

/// Scores `input` on `engine`.
pub fn score(engine: &Engine, input: &Input, setup: &MakeSetup<'_>) -> Result<EngineScore> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let ctx = session(engine).await?;
        score_on(&ctx, input, setup).await
    })
}

/// [`score`] in a session already made (see [`session`]).
pub async fn score_on(ctx: &SessionContext, input: &Input, setup: &MakeSetup<'_>) -> Result<EngineScore> {
    let place = match input {
        Input::Parquet(p) => {
            let path = p.to_str().ok_or_else(|| failed(format!("{}: not UTF-8", p.display())))?;
            ctx.register_parquet("matrix", path, ParquetReadOptions::default()).await?;
            p
        }
        Input::Csv(p) => {
            let path = p.to_str().ok_or_else(|| failed(format!("{}: not UTF-8", p.display())))?;
            ctx.register_csv("matrix", path, CsvReadOptions::new().schema_infer_max_records(100_000)).await?;
            p
        }
    };
    let in_file = |e: DataFusionError| failed(format!("{}: {e}", place.display()));
    let schema = ctx.table("matrix").await.map_err(in_file)?.schema().clone();
    let fields: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let Some((id, names)) = fields.split_first() else {
        return Err(failed(format!("{}: no columns", place.display())));
    };
    if names.is_empty() {
        return Err(failed(format!("{}: no criteria after the id column `{id}`", place.display())));
    }
    let names = names.to_vec();
    let Setup { polarities, stages: score_stages } = setup(&names).map_err(failed)?;
    let system = resil_pipeline::criteria(&names, &polarities);
    let stages = ChunkedStages::new(&system, &score_stages).map_err(failed)?.ok_or_else(|| {
        failed(format!("--engine: {} (those that do: docs/scale.md)", ChunkedStages::why_not(&score_stages)))
    })?;
    let mut job = Job {
        names: names.clone(),
        polarities,
        stages: score_stages,
        states: Vec::new(),
        stage: 0,
        pass: 0,
        outputs: Vec::new(),
        id_label: Some(id.clone()),
    };
    let columns: Vec<Expr> = names.iter().map(ident).collect();
    let complete = fit_passes(ctx, &stages, &mut job, id, &columns, &in_file).await?;
    let fitted = stages.fitted(&complete, None).map_err(failed)?;
    // The scorer's outputs and direction, from the first row scored here.
    let mut id_and_columns = vec![ident(id)];
    id_and_columns.extend(columns.iter().cloned());
    let first = ctx.table("matrix").await?.select(id_and_columns.clone())?.limit(0, Some(1))?.collect().await?;
    let first = first
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| failed(format!("{}: no rows to score", place.display())))?;
    let first_id = ids_of(first.column(0))?;
    let name_first = |row: usize| job.row_name(&first_id[row]);
    let probe =
        stages.apply(&fitted, &matrix_of(&first.columns()[1..], &names)?, 0, Some(&name_first)).map_err(failed)?.value;
    job.outputs = std::iter::once("score".to_string()).chain(probe.extras.iter().map(|(n, _)| n.clone())).collect();
    job.stage = stages.stage_count();
    job.pass = 0;
    job.states = complete.iter().map(|s| s.iter().map(bits).collect()).collect();
    let mut args = vec![lit(job.to_literal())];
    args.extend(id_and_columns);
    let score_udf = ScalarUDF::from(ScoreUdf::default());
    let plan = ctx.table("matrix").await?.select(vec![ident(id), score_udf.call(args).alias("r")])?;
    let mut stream = plan.execute_stream().await.map_err(in_file)?;
    let mut ids = Vec::new();
    let mut outputs: Vec<Vec<f64>> = vec![Vec::new(); job.outputs.len()];
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(in_file)?;
        ids.extend(ids_of(batch.column(0))?);
        let r = batch.column(1).as_struct();
        for (k, out) in outputs.iter_mut().enumerate() {
            let values = r.column(k).as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            out.extend((0..values.len()).map(|i| if values.is_null(i) { f64::NAN } else { values.value(i) }));
        }
    }
    // Rows in id order: the engine's order depends on how it read the partitions.
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let ids: Vec<String> = order.iter().map(|&i| std::mem::take(&mut ids[i])).collect();
    let mut outputs = outputs.into_iter().map(|v| order.iter().map(|&i| v[i]).collect::<Vec<f64>>());
    let scores = outputs.next().expect("score first");
    let extras: Vec<(String, Vec<f64>)> = job.outputs[1..].iter().cloned().zip(outputs).collect();
    let ranks = stages.rank(&scores, probe.direction);
    let weights = fitted.weights().expect("fitted").0.clone();
    Ok(EngineScore {
        names,
        ids,
        score: MatrixScore { weights, scores, ranks, direction: probe.direction, extras, notes: fitted.notes },
    })
}
