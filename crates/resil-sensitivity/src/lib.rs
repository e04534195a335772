//! Variance-based sensitivity analysis on plain numbers: the Saltelli (2010) design on a Sobol
//! sequence (`design`), the first-order and total Sobol indices with bootstrap intervals
//! (`estimators`), and the maps from a design's unit coordinates to the values of factors
//! (`factors`: a level of a categorical choice, a value in a range, weights around given ones).
//! The pipeline (resil-pipeline's `sensitivity`) turns a config's factors into these.

pub mod design;
pub mod estimators;
pub mod factors;

pub use design::{Design, Side};
pub use estimators::{first_base_points, sobol_indices, Bootstrap, FactorIndices};
