//! Scoring and ranking for resil: TOPSIS, VIKOR, weighted sum and product; ranks with a tie policy.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Scorer`] -> a fitted scorer with getters.

mod correlation;
mod distance_based;
pub mod hierarchy;
mod ranks;
mod topsis;
mod vikor;
mod wsm;

pub use correlation::{kendall_tau_b, spearman};
pub use distance_based::{DistanceMethod, DistanceParams, DistanceScorer, FittedDistance};
pub use ranks::{rank, TiePolicy};
pub use topsis::{FittedTopsis, Topsis, TopsisParams};
pub use vikor::{compromise, Compromise, FittedVikor, Vikor, VikorParams};
pub use wsm::{Aggregation, FittedWeighted, Weighted, WeightedParams};

#[cfg(test)]
pub(crate) mod reference_case {
    //! Reads the published worked examples and pinned library values under data/reference-cases.
    use serde_json::Value;

    pub fn load(name: &str) -> Value {
        let path = format!("{}/../../data/reference-cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
    }

    pub fn floats(v: &Value) -> Vec<f64> {
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
    }
}
