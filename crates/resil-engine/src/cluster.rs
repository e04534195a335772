//! A Ballista cluster that knows resil's two functions: a scheduler (it plans the jobs, so it
//! must decode `resil_pass` and `resil_score` in the plans clients send) and executors (they run
//! them). Stock `ballista-scheduler` and `ballista-executor` binaries know only DataFusion's own
//! functions; `resil-ballista scheduler` and `resil-ballista executor` are those binaries with
//! resil's functions registered, nothing else changed.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

use crate::functions::{PassUdaf, ScoreUdf};

fn resil_functions() -> (Arc<AggregateUDF>, Arc<ScalarUDF>) {
    (Arc::new(AggregateUDF::from(PassUdaf::default())), Arc::new(ScalarUDF::from(ScoreUdf::default())))
}

/// Runs a scheduler listening on `bind` until the process ends.
pub async fn run_scheduler(bind: SocketAddr) -> ballista_core::error::Result<()> {
    let config = SchedulerConfig { bind_host: bind.ip().to_string(), bind_port: bind.port(), ..Default::default() }
        .with_override_session_builder(Arc::new(|config| {
            let mut state = ballista_core::utils::default_session_builder(config)?;
            let (pass, score) = resil_functions();
            state.register_udaf(pass)?;
            state.register_udf(score)?;
            Ok(state)
        }));
    let cluster = BallistaCluster::new_from_config(&config).await?;
    ballista_scheduler::scheduler_process::start_server(cluster, bind, Arc::new(config)).await
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler, `HOST:PORT`.
    pub scheduler_host: String,
    pub scheduler_port: u16,
    /// The host this executor binds to and advertises.
    pub host: String,
    /// Its Arrow Flight port (results and shuffles) and its gRPC port.
    pub flight_port: u16,
    pub grpc_port: u16,
    /// Tasks run at once (default: the core count).
    pub concurrent_tasks: Option<usize>,
    /// Where shuffle files go (default: a temporary folder).
    pub work_dir: Option<String>,
}

/// Runs an executor until the process ends.
pub async fn run_executor(options: ExecutorOptions) -> ballista_core::error::Result<()> {
    let mut registry = BallistaFunctionRegistry::default();
    let (pass, score) = resil_functions();
    registry.aggregate_functions.insert(pass.name().to_string(), pass);
    registry.scalar_functions.insert(score.name().to_string(), score);
    let defaults = ExecutorProcessConfig::default();
    let config = ExecutorProcessConfig {
        bind_host: options.host.clone(),
        external_host: Some(options.host),
        port: options.flight_port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host,
        scheduler_port: options.scheduler_port,
        vcores: options.concurrent_tasks.unwrap_or(defaults.vcores),
        work_dir: options.work_dir,
        override_function_registry: Some(Arc::new(registry)),
        ..defaults
    };
    start_executor_process(Arc::new(config)).await
}
