//! Weighting methods for resil: entropy, fixed (published), equal, standard deviation,
//! coefficient of variation and CRITIC weights.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Weighter`].

mod entropy;
mod fixed;
mod statistical;
mod subjective;

pub use entropy::{Entropy, EntropyParams};
pub use fixed::{Fixed, FixedParams};
pub use statistical::{critic_information, Statistic, Statistical, StatisticalParams};
pub use subjective::{ahp, Ahp, AhpParams, AhpResult, Combination, Combined, Hierarchical};

#[cfg(test)]
pub(crate) mod reference_case {
    //! Reads the published worked examples bundled under data/reference-cases.
    pub fn load(name: &str) -> serde_json::Value {
        let path = format!("{}/../../data/reference-cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    pub fn matrix(case: &serde_json::Value) -> resil_core::Matrix {
        let rows: Vec<Vec<f64>> = case["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect())
            .collect();
        resil_core::Matrix::from_rows(&rows)
    }

    pub fn floats(v: &serde_json::Value) -> Vec<f64> {
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
    }
}
