//! Analyses of scores in space and time: regional means by period and their growth.

mod regions;

pub use regions::{growth_percent, regional_means, RegionRow, ALL_REGIONS};
