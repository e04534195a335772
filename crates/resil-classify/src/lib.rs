//! Classification of scores for resil: exact Jenks natural breaks, quantiles, equal intervals and
//! fixed thresholds, each with its goodness of variance fit.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Classifier`], whose fit returns [`resil_core::Breaks`].

mod fixed;
mod jenks;
mod simple;

pub use fixed::{FixedThresholds, FixedThresholdsParams};
pub use jenks::{jenks_partition, Jenks, JenksParams};
pub use simple::{percentile, Rule, Simple, SimpleParams};
