//! Dev-only helpers for resil's tests, one copy for every crate: the reference cases under
//! `data/reference-cases` (published worked examples, peer libraries' outputs with the scripts
//! that made them) read as JSON, and their arrays as floats or a matrix. Only `[dev-dependencies]`
//! name this crate.

use std::path::PathBuf;

use serde_json::Value;

/// The folder of the bundled reference cases.
pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/reference-cases")
}

/// The reference case `name` (a file `data/reference-cases/<name>.json`, or a path under that
/// folder with its extension), parsed; panics naming the file when it is missing or malformed.
pub fn reference_case(name: &str) -> Value {
    let file = if name.contains('.') { name.to_string() } else { format!("{name}.json") };
    let path = reference_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON array of numbers as floats; panics naming what is not a number.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or_else(|| panic!("not a number: {x}")))
        .collect()
}

/// The case's `matrix` (an array of rows) as a resil matrix.
pub fn matrix(case: &Value) -> resil_core::Matrix {
    let rows: Vec<Vec<f64>> = case["matrix"].as_array().expect("a `matrix` array of rows").iter().map(floats).collect();
    resil_core::Matrix::from_rows(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_bundled_case() {
        let case = reference_case("lit_entropy_skcriteria_simple");
        assert!(case.is_object());
        assert!(std::panic::catch_unwind(|| reference_case("no-such-case")).is_err());
        assert_eq!(floats(&serde_json::json!([1, 2.5])), vec![1.0, 2.5]);
    }
}
