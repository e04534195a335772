//! End-to-end test of the `resil` binary itself: the README's first command on the bundled data.

use std::path::Path;
use std::process::Command;

#[path = "../../../tests/support/plugins.rs"]
mod plugin_build;

fn resil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resil"))
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn run_writes_every_output_and_warns_about_synthetic_data() {
    let out = tempfile::tempdir().unwrap();
    let output = resil()
        .args(["run", "configs/border-cities.toml", "--strict", "--plugin-dir"])
        .arg(plugin_build::plugin_dir())
        .arg("--out")
        .arg(out.path())
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("41 studied, 4 excluded"), "{stdout}");
    assert!(stdout.contains("SYNTHETIC"), "{stdout}");
    for file in
        ["scores.csv", "weights.csv", "breaks.json", "regions.csv", "imputed.csv", "intermediates.csv", "manifest.json"]
    {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    let scores = std::fs::read_to_string(out.path().join("scores.csv")).unwrap();
    assert_eq!(scores.lines().count(), 1 + 41 * 3);
    assert!(!scores.contains("654200"), "Tacheng is excluded and must not be scored");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["data_provenance"]["contains_synthetic_data"], true);
    assert_eq!(manifest["plugins"].as_array().unwrap().len(), 3);
}

#[test]
fn validate_fails_with_exit_code_1_on_a_missing_file_and_help_lists_methods() {
    let output = resil().args(["validate", "no/such/config.toml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/config.toml"));
    let help = resil().args(["run", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("topsis") && text.contains("jenks") && text.contains("entropy"), "{text}");
}
