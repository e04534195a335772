//! Malformed input: every case gets an error naming the file and the line or key, `validate`
//! reports every problem at once, and a failed run leaves earlier outputs as they were.

use std::path::Path;

use crate::common::{mini_study, resil};

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Applies `edits` to a fresh copy of the mini study and checks that `validate` and `run` both
/// fail with every expected fragment in their error output.
#[track_caller]
fn check(edits: &[(&str, &str, &str)], expected: &[&str]) {
    let dir = mini_study();
    for (file, from, to) in edits {
        edit(dir.path(), file, from, to);
    }
    let config = dir.path().join("mini.toml");
    let config = config.to_str().unwrap();
    for args in [vec!["validate", config, "--strict"], vec!["run", config, "--strict"]] {
        let (code, _, stderr) = resil(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        for e in expected {
            assert!(stderr.contains(e), "{args:?}: `{e}` not in:\n{stderr}");
        }
    }
    assert!(!dir.path().join("out").exists(), "a failed run wrote output");
}

#[test]
fn the_mini_study_itself_is_valid() {
    let dir = mini_study();
    let (code, stdout, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("4 studied, 1 excluded (Zeta)"), "{stdout}");
    let imputed = std::fs::read_to_string(dir.path().join("out/imputed.csv")).unwrap();
    assert!(imputed.contains("B,2020,X1,20,nearest"), "{imputed}");
    let scores = std::fs::read_to_string(dir.path().join("out/scores.csv")).unwrap();
    assert!(!scores.contains("Zeta"), "the excluded unit, which has no data at all, is dropped before imputation");
}

#[test]
fn missing_column() {
    check(
        &[("wide.csv", "unit,year,X1,X2", "unit,year,X1,Xtwo")],
        &["wide.csv, line 1: missing column `X2` for indicator `X2`"],
    );
}

#[test]
fn non_numeric_cell() {
    check(
        &[("wide.csv", "C,2010,30,3", "C,2010,thirty,3")],
        &["wide.csv, line 4, column `X1`: non-numeric value `thirty`"],
    );
}

#[test]
fn duplicate_unit_period_row() {
    check(
        &[("wide.csv", "B,2010,20,4", "B,2010,20,4\nB,2010,21,4")],
        &["wide.csv, line 4: duplicate row for unit `B`, period 2010, indicator `X1` (first at line 3)"],
    );
}

#[test]
fn unknown_indicator_id() {
    check(
        &[("long.csv", "D,2020,X3,5", "D,2020,X33,5")],
        &["long.csv, line 9, column `indicator`: unknown indicator id `X33`"],
    );
}

#[test]
fn unit_missing_from_the_unit_list() {
    check(
        &[("long.csv", "D,2020,X3,5", "Q,2020,X3,5")],
        &["long.csv, line 9, column `unit`: unit `Q` is not in the unit list"],
    );
}

#[test]
fn validate_reports_every_problem_not_only_the_first() {
    let dir = mini_study();
    edit(dir.path(), "wide.csv", "C,2010,30,3", "C,2010,thirty,3");
    edit(dir.path(), "long.csv", "D,2020,X3,5", "Q,2020,X3,5");
    edit(dir.path(), "mini.toml", "method = \"entropy\"", "method = \"entropi\"");
    let (code, _, stderr) = resil(&["validate", dir.path().join("mini.toml").to_str().unwrap(), "--strict"]);
    assert_eq!(code, 1);
    for e in [
        "3 problems found",
        "non-numeric value `thirty`",
        "unit `Q`",
        "`pipeline.weight.method`: unknown method `entropi` (known: entropy, fixed, equal",
    ] {
        assert!(stderr.contains(e), "`{e}` not in:\n{stderr}");
    }
}

#[test]
fn a_unit_without_any_value_needs_a_fallback() {
    check(
        &[("long.csv", "D,2010,X3,3", "D,2010,X3,"), ("long.csv", "D,2020,X3,5", "D,2020,X3,")],
        &["unit `D` (Delta), indicator `X3`: no value in any period"],
    );
}

#[test]
fn unknown_config_key_warns_with_its_path_and_fails_under_strict() {
    let dir = mini_study();
    edit(dir.path(), "mini.toml", "name = \"mini\"", "name = \"mini\"\ntitel = \"x\"");
    let config = dir.path().join("mini.toml");
    let config = config.to_str().unwrap();
    let (code, _, stderr) = resil(&["run", config]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("unknown config key `study.titel`"), "{stderr}");
    let diagnostics = std::fs::read_to_string(dir.path().join("out/diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("study.titel"), "{diagnostics}");
    let (code, _, stderr) = resil(&["validate", config, "--strict"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`study.titel`: unknown key"), "{stderr}");
}

#[test]
fn a_parameter_the_method_does_not_take_is_an_error_even_without_strict() {
    for (from, to, expected) in [
        (
            "floor = 0.01",
            "flor = 0.01",
            "`pipeline.normalize[1].flor`: minmax has no parameter `flor`; it takes: floor, scale, apply-polarity",
        ),
        (
            "method = \"topsis\"",
            "method = \"edas\", rho = 0.3",
            "`pipeline.rank.rho`: edas has no parameter `rho`; it takes: no parameters",
        ),
        (
            "method = \"jenks\", k = 2",
            "method = \"head-tail\", k = 9",
            "`pipeline.classify.k`: head-tail has no parameter `k`; it takes: no parameters",
        ),
        ("method = \"topsis\"", "method = \"gra\", rho = 7", "`pipeline.rank.rho`: gra: "),
    ] {
        let dir = mini_study();
        edit(dir.path(), "mini.toml", from, to);
        let config = dir.path().join("mini.toml");
        for command in ["run", "validate"] {
            let (code, _, stderr) = resil(&[command, config.to_str().unwrap()]);
            assert_eq!(code, 1, "{to}: {stderr}");
            assert!(stderr.contains(expected), "{command} {to}: `{expected}` not in\n{stderr}");
        }
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn a_failed_run_leaves_earlier_outputs_untouched() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let config = config.to_str().unwrap();
    assert_eq!(resil(&["run", config]).0, 0);
    let before = std::fs::read(dir.path().join("out/scores.csv")).unwrap();
    edit(dir.path(), "wide.csv", "C,2010,30,3", "C,2010,thirty,3");
    let (code, _, stderr) = resil(&["run", config]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no output was written"), "{stderr}");
    assert_eq!(std::fs::read(dir.path().join("out/scores.csv")).unwrap(), before);
    let inputs_kept = std::fs::read_to_string(dir.path().join("wide.csv")).unwrap();
    assert!(inputs_kept.contains("thirty"), "inputs are never rewritten");
}

#[test]
fn an_output_folder_holding_an_input_is_refused_and_the_input_kept() {
    // The study's folder as output, with an input table called scores.csv.
    let dir = mini_study();
    std::fs::rename(dir.path().join("wide.csv"), dir.path().join("scores.csv")).unwrap();
    edit(dir.path(), "mini.toml", "path = \"wide.csv\"", "path = \"scores.csv\"");
    let before = std::fs::read(dir.path().join("scores.csv")).unwrap();
    let config = dir.path().join("mini.toml");
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("holds inputs of the run") && stderr.contains("scores.csv"), "{stderr}");
    assert_eq!(std::fs::read(dir.path().join("scores.csv")).unwrap(), before, "the input is untouched");
}

#[test]
fn outputs_that_cannot_all_be_placed_leave_the_earlier_run_whole() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let config = config.to_str().unwrap();
    assert_eq!(resil(&["run", config]).0, 0);
    let out = dir.path().join("out");
    let scores = std::fs::read(out.join("scores.csv")).unwrap();
    std::fs::remove_file(out.join("summary.txt")).unwrap();
    std::fs::create_dir(out.join("summary.txt")).unwrap();
    edit(dir.path(), "wide.csv", "C,2010,30,3", "C,2010,31,3");
    let (code, _, stderr) = resil(&["run", config]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("summary.txt: is a folder"), "{stderr}");
    assert_eq!(std::fs::read(out.join("scores.csv")).unwrap(), scores, "scores.csv is the earlier run's");
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn more_classes_than_scores_support_get_a_warning() {
    // 4 units x 2 periods = 8 scores, 12 quantile classes: the empty ones are named.
    let dir = mini_study();
    edit(dir.path(), "mini.toml", "method = \"jenks\", k = 2", "method = \"quantile\", k = 12");
    let (code, stdout, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("classes hold no value"), "{stdout}");
    let diagnostics = std::fs::read_to_string(dir.path().join("out/diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("empty-classes"), "{diagnostics}");
}
