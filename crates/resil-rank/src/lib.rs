//! Scoring and ranking for resil: TOPSIS, and ranks within groups with a tie policy.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Scorer`] -> a fitted scorer with getters.

mod ranks;
mod topsis;

pub use ranks::{rank, TiePolicy};
pub use topsis::{FittedTopsis, Topsis, TopsisParams};
