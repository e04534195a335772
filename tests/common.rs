//! Helpers shared by the test modules: the repository root, the CLI in-process, rounding.

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    crate::plugin_build::repo_root()
}

/// The folder of the test-built plugins, as a string for `--plugin-dir`.
pub fn plugin_dir() -> String {
    crate::plugin_build::plugin_dir().to_str().unwrap().to_string()
}

/// Runs the `resil` command line in-process; returns (exit code, stdout, stderr).
pub fn resil(args: &[&str]) -> (i32, String, String) {
    let argv: Vec<String> = std::iter::once("resil").chain(args.iter().copied()).map(String::from).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = resil_cli::main_with(&argv, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// Rounds every number in a CSV text to `decimals` places, so snapshots survive float noise.
pub fn round_csv(text: &str, decimals: usize) -> String {
    text.lines()
        .map(|line| {
            line.split(',')
                .map(|cell| match cell.parse::<f64>() {
                    Ok(v) if cell.contains('.') || cell.contains('e') => format!("{v:.decimals$}"),
                    _ => cell.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rounds every float in a JSON value to `decimals` places.
pub fn round_json(v: &serde_json::Value, decimals: i32) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = 10f64.powi(decimals);
            serde_json::json!((n.as_f64().unwrap() * f).round() / f)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| round_json(x, decimals)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), round_json(x, decimals))).collect()),
        other => other.clone(),
    }
}

/// Copies the small test study under tests/data/mini into a fresh temporary folder.
pub fn mini_study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("tests/data/mini");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `config` (relative to the repository) with the test plugins, strictly, into `out` with
/// any `extra` arguments; returns the summary printed.
pub fn run_config(config: &str, out: &std::path::Path, extra: &[&str]) -> String {
    let c = root().join(config);
    let dir = plugin_dir();
    let mut args = vec!["run", c.to_str().unwrap(), "--strict", "--plugin-dir", &dir, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = resil(&args);
    assert_eq!(code, 0, "{config}: {stderr}");
    stdout
}

/// Closeness of every row of `m` after `normalizer` (fitted on `m`) and TOPSIS with ideals over
/// the same rows: the chain the pipeline builds for a normalise-then-TOPSIS study.
pub fn normalise_then_topsis(
    normalizer: &dyn resil_core::Normalizer,
    m: &resil_core::Matrix,
    polarity: &[resil_core::Polarity],
    weights: &[f64],
) -> Vec<f64> {
    use resil_core::{IndicatorSystem, Scorer, StageContext, Weights};
    let system = IndicatorSystem::flat(polarity);
    let norm = normalizer.fit(m, &StageContext::columns(&system, polarity)).unwrap().value;
    let r = norm.transform(m).unwrap();
    let orientation = norm.output_orientation();
    let oriented = IndicatorSystem::flat(&orientation);
    let topsis = resil_rank::TopsisParams::default()
        .check()
        .unwrap()
        .fit(&r, &Weights::normalized(weights.to_vec()).unwrap(), &StageContext::columns(&oriented, &orientation))
        .unwrap()
        .value;
    topsis.score(&r).unwrap().value.score
}
