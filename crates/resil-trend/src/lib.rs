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

/// The most random permutations a permutation test takes. A pseudo p-value resolves 1/(N+1), so
/// a million already resolves 1e-6; far beyond it a count is a typo, and the statistics of the
/// permutations (8 bytes each) could not even be held (2^40 of them aborted the run).
pub const MOST_PERMUTATIONS: usize = 1_000_000;

/// The problem with `permutations`, if it is more than [`MOST_PERMUTATIONS`].
pub fn permutations_problem(permutations: usize) -> Option<String> {
    (permutations > MOST_PERMUTATIONS)
        .then(|| format!("at most {MOST_PERMUTATIONS} (a pseudo p-value of 1e-6 resolution), got {permutations}"))
}

/// Refuses values whose sums of powers (squares, fourth powers) pass the largest float: the
/// statistic would come out NaN and be written as null. Values above about 1e75 do that.
pub(crate) fn power_sums_finite(what: &str, sums: &[f64]) -> resil_core::Result<()> {
    if sums.iter().all(|s| s.is_finite()) {
        Ok(())
    } else {
        Err(resil_core::Error::data(
            what,
            "the values are too large to compute with (their sums of powers overflow): rescale them",
        ))
    }
}

pub use regions::{growth_between, growth_percent, regional_summary, RegionRow, ALL_REGIONS};
