//! Analyses of scores in space and time: regional aggregates and growth, spatial autocorrelation
//! (Moran's I, LISA), trend surfaces of sample zones (Albers projection, polynomial fits), grade
//! transitions (Markov and spatial Markov) and obstacle degrees. Every function works on plain
//! slices, so that it can be rerun on any table, not only a resil run.

pub mod albers;
pub mod ergodic;
pub mod geary;
pub mod getis_ord;
mod grid;
pub mod homogeneity;
pub mod inequality;
mod kdtree;
pub mod mobility;
pub mod moran_bv;
pub mod obstacles;
mod permutation_count;
mod regions;
mod shuffle;
pub mod spatial;
pub mod transitions;
pub mod trend;

pub use regions::{growth_between, growth_percent, regional_summary, RegionRow, ALL_REGIONS};
