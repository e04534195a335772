//! Analyses of scores in space and time: regional means and growth, spatial autocorrelation
//! (Moran's I, LISA), trend surfaces, grade transitions and obstacle degrees.

mod regions;
pub mod albers;
pub mod spatial;
pub mod trend;

pub use regions::{growth_percent, regional_means, RegionRow, ALL_REGIONS};
