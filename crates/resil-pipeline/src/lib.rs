//! The resil run: builds methods from the config (the registry), loads the panel, runs every
//! stage in order over its scope, and keeps a log and a manifest of what ran.
//!
//! This is the one crate that knows every method crate; each method crate knows only resil-core.

mod analysis;
mod chunked;
mod compare;
mod data_checks;
mod derived;
mod explore;
mod manifest;
mod matrix;
mod published;
mod registry;
mod run;
mod sensitivity;
mod sources;
mod stages;
mod stream_fill;
mod streamed;

pub use analysis::{AnalysisResult, AnalysisSpec, AnalysisTable, PointKind, WeightsParams, ANALYSES};
pub use chunked::{
    concat_tables, score_chunked, score_chunked_lean, ChunkedFitted, ChunkedStages, FitEngine, FittedStages,
    MatrixChunks, RowBlocks,
};
pub use compare::{compare, Comparison};
pub use explore::{Explorer, RegionView, RowView, View, WeightView, EXPLORER_STAGES};
pub use matrix::{classify_values, criteria, pooled_stage, route_params, score_matrix, MatrixScore, ScoreStages};
pub use published::{FigureComparison, PublishedComparison, PublishedFigure, PublishedFigures, Statistic};
pub use registry::{
    catalog, names, stage_params, MethodDoc, MethodSpec, ParamSpec, CLASSIFIERS, IMPUTERS, NORMALIZERS, SCORERS,
    TREATMENTS, WEIGHTERS,
};
pub use resil_rank::compromise as vikor_compromise;
pub use run::{
    check_output_dir, prepare, run, validate, BreaksGroup, CappedCell, IndicatorChecks, IndicatorStat, LearnedState,
    LevelScores, LoggedNote, Prepared, RunResult, TreatedCell, WeightGroup,
};
pub use sensitivity::{
    sensitivity, Factor, FactorKind, SensitivityOptions, SensitivityResult, Timings, FACTOR_KINDS, FEWEST_DRAWS,
    MOST_DRAWS,
};
pub use sources::{RunOptions, SkippedSource};
pub use stream_fill::Filled;
pub use streamed::{Derived, RowKeys, StreamPlan, StreamedRun, CLASSES_SAMPLE};
