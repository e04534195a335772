//! The end-to-end test binary of resil. Each module is one concern:
//! - `browser`: the report and every chart rendered in headless Chromium, each drawing something;
//! - `analyses`: the `[[analysis]]` tables and `resil spatial moran`, edge cases included;
//! - `coinr`: conformance with COINr's ASEM index (normalisation and aggregation, 1e-9);
//! - `compare`: `resil compare` on the flagship's method swaps, `resil diff` between runs;
//! - `edge_cases`: every method combination on awkward matrices: finite results or clear errors;
//! - `flagship`: the flagship against the paper: Table 2, its weights, its published figures,
//!   the synthetic panel's magnitudes, a panel swapped by one source change;
//! - `hdi`: the UNDP HDI from its components, against the published index;
//! - `configs`: every config in configs/ runs under --strict, twice, to the same bytes;
//! - `report`: the HTML report and its SVG charts, self-contained, every chart drawn;
//! - `sensitivity`: `resil sensitivity` on the flagship and the mini study, bad tables;
//! - `snapshots`: the flagship run's outputs, floats rounded, as insta snapshots;
//! - `matrix_cli`: `resil score` and `resil classify` on plain tables;
//! - `malformed`: bad input gets an error naming file and line or key, and nothing is overwritten;
//! - `properties`: invariants of the pipeline's methods together (proptest);
//! - `reference_cases`: published worked examples through the chain the pipeline builds;
//! - `plugins`: the plugin host against the real plugins and a misbehaving one, and a new
//!   sub-system added through a plugin and config lines only;
//! - `tidy`: house rules (a `//!` line atop every file, the crate dependency rules).

mod analyses;
mod browser;
mod coinr;
mod common;
mod compare;
mod configs;
mod edge_cases;
mod flagship;
mod hdi;
mod malformed;
mod matrix_cli;
#[path = "support/plugins.rs"]
mod plugin_build;
mod plugins;
mod properties;
mod reference_cases;
mod report;
mod sensitivity;
mod snapshots;
mod tidy;
