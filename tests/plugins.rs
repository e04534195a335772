//! The plugin host end to end: the real plugins listed and inspected, every misbehaviour of a
//! plugin turned into a clear error without bringing the host down, an optional failing source
//! skipped and recorded, and a new sub-system added through a plugin and config lines only.

use crate::common::{mini_study, plugin_dir, resil, root};

/// Adds a `misbehaving` plugin source (mode `mode`) with indicator BAD1 to a copy of the mini
/// study and runs it; returns (exit code, stderr, output folder holder).
fn run_misbehaving(mode: &str, optional: bool) -> (i32, String, tempfile::TempDir) {
    let dir = mini_study();
    let extra = format!(
        "\n[plugins]\ndirs = [{dir:?}]\n\n[[source]]\nid = \"bad\"\nkind = \"plugin\"\nplugin = \"misbehaving\"\noptional = {optional}\nparams = {{ mode = \"{mode}\" }}\n\n[[indicator]]\nid = \"BAD1\"\nname = \"bad\"\nsystem = \"s\"\nsubsystem = \"c\"\npolarity = \"+\"\nsource = \"bad\"\nprovenance = \"synthetic\"\n",
        dir = plugin_dir()
    );
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    // The [pipeline] table must stay last-but-output: insert the plugin lines before it.
    let text = text.replacen("[pipeline]", &format!("{extra}\n[pipeline]"), 1);
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    (code, stderr, dir)
}

#[track_caller]
fn check_fails(mode: &str, expected: &[&str]) {
    let (code, stderr, dir) = run_misbehaving(mode, false);
    assert_eq!(code, 1, "{mode}: {stderr}");
    for e in expected {
        assert!(stderr.contains(e), "{mode}: `{e}` not in:\n{stderr}");
    }
    assert!(!dir.path().join("out").exists(), "{mode}: a failed run wrote output");
}

#[test]
fn a_well_behaved_run_of_the_test_plugin() {
    let (code, stderr, dir) = run_misbehaving("ok", false);
    assert_eq!(code, 0, "{stderr}");
    let weights = std::fs::read_to_string(dir.path().join("out/weights.csv")).unwrap();
    assert!(weights.contains("BAD1"), "{weights}");
}

#[test]
fn panics_are_caught_at_the_boundary() {
    check_fails(
        "panic-create",
        &["plugin `misbehaving` 0.1.0 (source `bad`): create panicked (status 2): deliberate panic in create"],
    );
    check_fails("panic-load", &["load panicked (status 2): deliberate panic in load"]);
}

#[test]
fn error_status_carries_the_plugins_message() {
    check_fails("error", &["load failed (status 1): deliberate failure: the data is not there"]);
}

#[test]
fn output_of_the_wrong_length_is_refused() {
    check_fails(
        "wrong-length",
        &["returned 13 values and 13 presence flags for 1 indicators x 2 periods x 5 units = 10 cells"],
    );
}

#[test]
fn nan_infinite_and_bad_flags_name_indicator_unit_and_period() {
    check_fails(
        "nan",
        &["plugin `misbehaving` 0.1.0 (source `bad`): indicator `BAD1`, unit `A` (Alpha), period 2020: value is NaN"],
    );
    check_fails("inf", &["indicator `BAD1`, unit `A` (Alpha), period 2020: value is inf"]);
    check_fails("bad-flag", &["presence flag is 7, not 0 or 1"]);
}

#[test]
fn unknown_plugin_parameter_is_refused_by_the_plugin() {
    check_fails("sideways", &["create failed (status 1): parameter `mode` must be one of"]);
}

#[test]
fn wrong_abi_version_and_short_descriptor_are_refused_before_use() {
    let wrong = crate::plugin_build::misbehaving_variant("wrong-abi");
    let (code, _, stderr) = resil(&["plugins", "inspect", wrong.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("plugin ABI version 99, this resil speaks version 1; rebuild the plugin"), "{stderr}");
    let short = crate::plugin_build::misbehaving_variant("short-descriptor");
    let (code, _, stderr) = resil(&["plugins", "inspect", short.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("plugin descriptor is 16 bytes, ABI version 1 needs"), "{stderr}");
    // A file that is not a plugin at all.
    let (code, _, stderr) = resil(&["plugins", "inspect", root().join("README.md").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not a shared library"), "{stderr}");
}

#[test]
fn a_plugin_file_cut_short_is_an_error_not_a_crash() {
    // policy-support cut to 100 kB in a plugin folder of its own: `run`, `validate` and
    // `plugins inspect` name the file and say it is cut short; nothing is mapped past its end.
    let ext = std::env::consts::DLL_EXTENSION;
    let whole = std::fs::read(format!("{}/policy-support.{ext}", plugin_dir())).unwrap();
    assert!(whole.len() > 100_000);
    let folder = tempfile::tempdir().unwrap();
    let lib = folder.path().join(format!("policy-support.{ext}"));
    std::fs::write(&lib, &whole[..100_000]).unwrap();
    let (code, _, stderr) = resil(&["plugins", "inspect", lib.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{}: ", lib.display())) && stderr.contains("the file is cut short or damaged"),
        "{stderr}"
    );
    let config = root().join("configs/border-cities.toml");
    let dir = folder.path().to_str().unwrap();
    let out = folder.path().join("out");
    for args in [vec!["validate"], vec!["run", "--out", out.to_str().unwrap()]] {
        let command = args[0];
        let mut args = args.clone();
        args.extend([config.to_str().unwrap(), "--plugin-dir", dir]);
        let (code, _, stderr) = resil(&args);
        assert_eq!(code, 1, "{command}: {stderr}");
        assert!(stderr.contains("the file is cut short or damaged (rebuild the plugin)"), "{command}: {stderr}");
    }
    assert!(!out.exists());
}

#[test]
fn a_plugin_folder_given_that_is_not_there_is_refused() {
    // Accepted without a word before, even by a config with no plugin source.
    let config = root().join("configs/hdi.toml");
    for command in ["validate", "run"] {
        let (code, _, stderr) = resil(&[command, config.to_str().unwrap(), "--plugin-dir", "/nonexistent/plugins"]);
        assert_eq!(code, 1, "{command}: {stderr}");
        assert!(stderr.contains("plugin folder /nonexistent/plugins: no such folder"), "{command}: {stderr}");
    }
}

#[test]
fn an_optional_failing_source_is_skipped_and_recorded() {
    let (code, stderr, dir) = run_misbehaving("panic-load", true);
    assert_eq!(code, 0, "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap()).unwrap();
    let skipped = &manifest["skipped_sources"][0];
    assert_eq!(skipped["source"], "bad");
    assert_eq!(skipped["dropped_indicators"][0], "BAD1");
    assert!(skipped["reason"].as_str().unwrap().contains("deliberate panic in load"));
    let diagnostics = std::fs::read_to_string(dir.path().join("out/diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("source-skipped"), "{diagnostics}");
    let weights = std::fs::read_to_string(dir.path().join("out/weights.csv")).unwrap();
    assert!(!weights.contains("BAD1"));
}

#[test]
fn plugins_load_only_from_the_configured_folders() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[pipeline]",
        "[plugins]\ndirs = [\"no-plugins-here\"]\n\n[[source]]\nid = \"bad\"\nkind = \"plugin\"\nplugin = \"misbehaving\"\n\n[[indicator]]\nid = \"BAD1\"\nname = \"bad\"\nsystem = \"s\"\nsubsystem = \"c\"\npolarity = \"+\"\nsource = \"bad\"\n\n[pipeline]",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["validate", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("plugin `misbehaving`: no library misbehaving.so or libmisbehaving.so in the plugin folders"),
        "{stderr}"
    );
}

#[test]
fn list_and_inspect_the_real_plugins() {
    let (code, stdout, stderr) = resil(&["plugins", "list", "--dir", &plugin_dir()]);
    // The misbehaving and seat-geometry test plugins sit in the same folder and load fine.
    assert_eq!(code, 0, "{stderr}");
    for line in [
        "geo-distance           0.1.0    X28,X29",
        "neighbor-fragility     0.1.0    X26,X27",
        "policy-support         0.1.0    X25",
    ] {
        assert!(stdout.contains(line), "`{line}` not in:\n{stdout}");
    }
    // A folder given that is not there is named, and fails the listing (it said only "no plugin
    // libraries found").
    // `--plugin-dir`, as the other commands name the flag, is the same (it had been refused).
    let (code, same, _) = resil(&["plugins", "list", "--plugin-dir", &plugin_dir()]);
    assert_eq!((code, same), (0, stdout));
    let (code, stdout, _) = resil(&["plugins", "list", "--dir", &plugin_dir(), "--dir", "/nonexistent/plugins"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("/nonexistent/plugins (no such folder)"), "{stdout}");
    assert!(stdout.contains("policy-support"), "the folder that is there is still listed: {stdout}");
    let lib = format!("{}/neighbor-fragility.{}", plugin_dir(), std::env::consts::DLL_EXTENSION);
    let (code, stdout, _) = resil(&["plugins", "inspect", &lib]);
    assert_eq!(code, 0);
    assert!(stdout.contains("X27    Human Development Index of the neighbouring countries [index 0-1]"), "{stdout}");
}

#[test]
fn a_new_subsystem_through_a_plugin_and_config_lines_only() {
    // The flagship config, its relative paths made absolute, plus a source and two indicators:
    // the seat-geometry plugin adds a "geometry" sub-system to the border system.
    let flagship = std::fs::read_to_string(root().join("configs/border-cities.toml")).unwrap();
    let base = format!("\"{}/", root().display());
    let mut config = flagship.replace("\"../", &base);
    let added = r#"
[[source]]
id = "geometry"
kind = "plugin"
plugin = "seat-geometry"

[[indicator]]
id = "G1"
name = "latitude of the seat"
system = "border"
subsystem = "geometry"
polarity = "-"
source = "geometry"
provenance = "derived"

[[indicator]]
id = "G2"
name = "seat-centroid offset"
system = "border"
subsystem = "geometry"
polarity = "-"
source = "geometry"
provenance = "derived"
"#;
    config = config.replacen("\n[pipeline.impute]", &format!("{added}\n[pipeline.impute]"), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("with-geometry.toml");
    std::fs::write(&path, config).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = resil(&[
        "run",
        path.to_str().unwrap(),
        "--strict",
        "--plugin-dir",
        &plugin_dir(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("indicators: 31"), "{stdout}");
    let weights = std::fs::read_to_string(out.join("weights.csv")).unwrap();
    let geometry: Vec<&str> = weights.lines().filter(|l| l.contains(",border,geometry,")).collect();
    assert_eq!(geometry.len(), 2, "{weights}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"plugin\": \"seat-geometry\""), "{manifest}");
}
