//! Normalisers (none, z-score, min-max with a floor shift, translation, vector, sum, max, log,
//! rank, target) and time imputation for resil.
//!
//! Each method follows the same three steps: `XParams` (serde, unchecked) -> `check()` -> a
//! valid method implementing [`resil_core::Normalizer`] -> a fitted value with getters.

mod group_impute;
mod impute;
mod log;
mod minmax;
mod rank;
mod simple;
mod target;
mod translate;
mod treat;
mod zscore;

pub use group_impute::{GroupMeanImputer, GroupMeanImputerParams};
pub use impute::{fill_series, Fallback, LinearTimeImputer, LinearTimeImputerParams};
pub use log::{FittedLog, Log, LogParams};
pub use minmax::{FittedMinMax, MinMax, MinMaxParams};
pub use rank::{FittedRank, Rank, RankParams};
pub use simple::{Divisor, FittedScale, Scale, ScaleParams};
pub use target::{FittedTarget, NamedTransform, Target, TargetParams, ValueTransform};
pub use translate::{FittedTranslate, Translate, TranslateParams};
pub use treat::{treat_column, TreatParams, TreatReport};
pub use zscore::{FittedZScore, SdKind, ZScore, ZScoreParams};
