//! Classification of scores for resil: exact Jenks natural breaks and fixed thresholds, with GVF.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Classifier`], whose fit returns [`resil_core::Breaks`].

mod fixed;
mod jenks;

pub use fixed::{FixedThresholds, FixedThresholdsParams};
pub use jenks::{jenks_partition, Jenks, JenksParams};
