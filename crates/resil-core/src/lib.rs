//! Core types of resil: the panel, its units and indicators, the stage traits and the one error type.
//!
//! Every method crate depends on this crate and on nothing else of the workspace, so that a
//! method can be read, tested and replaced on its own.

pub mod chunked;
pub mod decimal;
pub mod error;
pub mod matrix;
pub mod model;
pub mod panel;
pub mod scope;
pub mod source;
pub mod stage;

pub mod stats;

pub use error::{Error, Location, Result, SheetCell};
pub use matrix::Matrix;
pub use model::{Indicator, IndicatorSystem, LonLat, Polarity, Provenance, Unit};
pub use panel::{ImputedCell, Observation, Origin, Panel, PanelBuilder};
pub use scope::{Scope, ScopeGroup};
pub use source::{IndicatorSource, SourceRequest, UnitIndex};
pub use stage::{
    fit_statistics, Breaks, Classifier, CutRule, Diagnostic, Direction, FitStatistics, FittedNormalizer, FittedScorer,
    GroupWeights, Imputer, NamedColumns, Normalizer, Outcome, RowLabel, RowPlace, ScoreTable, Scorer, Severity,
    StageContext, Weighter, Weights,
};
