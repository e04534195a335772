//! resil's scoring stages (normalise, weigh, score) run by a query engine: Apache DataFusion on
//! one machine, or an Apache Ballista cluster (feature `ballista`). Empty without the features.
//!
//! Each fit pass of [`resil_pipeline::ChunkedStages`] is one DataFusion aggregate plan over the
//! table (the aggregate `resil_pass`, folding record batches into merged column statistics), and
//! the apply pass is one projection (the scalar function `resil_score`). Both functions are
//! stateless: what they fold or apply travels in the plan as a literal (the job: the stages'
//! configs and the merged states of the passes done), so a Ballista executor rebuilds the fitted
//! stages itself, with the same code as the in-memory and chunked paths.

#[cfg(feature = "ballista")]
pub mod cluster;
#[cfg(feature = "datafusion")]
mod engine;
#[cfg(feature = "datafusion")]
mod functions;
#[cfg(feature = "datafusion")]
mod study;

#[cfg(feature = "datafusion")]
pub use engine::{score, score_on, session, Engine, EngineScore, Input, MakeSetup, Setup};
#[cfg(feature = "datafusion")]
pub use functions::{PassUdaf, ScoreUdf};
#[cfg(feature = "datafusion")]
pub use study::EngineFit;
