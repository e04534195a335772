//! Malformed input: every case gets an error naming the file and the line or key, `validate`
//! reports every problem at once, and a failed run leaves earlier outputs as they were.

use std::path::Path;

use crate::common::{mini_study, resil, root};

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
fn weights_given_in_the_config_are_checked_where_they_stand() {
    let combined = "subjective = { X1 = 1, X2 = 1, X3 = 1 }";
    for (to, expected) in [
        (
            format!("method = \"combined\", {combined}, mode = \"linear\", alpha = 2"),
            "`pipeline.weight.alpha`: combined: must be in [0, 1], got 2",
        ),
        // An alpha beside the multiplicative mix had been taken and silently unused.
        (format!("method = \"combined\", {combined}, alpha = 0.3"), "applies only with mode = \"linear\""),
        (
            "method = \"combined\", subjective = { X1 = 1, X2 = -1, X3 = 1 }".into(),
            "`pipeline.weight.subjective.X2`: combined: must be finite and >= 0, got -1",
        ),
        (
            "method = \"hierarchical\", subsystems = { a = 1e308, b = 1e308 }".into(),
            "`pipeline.weight.subsystems`: hierarchical: need a weight per sub-system, some positive, with a finite sum",
        ),
        (
            "method = \"hierarchical\", subsystems = { a = 0, b = 0 }".into(),
            "`pipeline.weight.subsystems`: hierarchical: need a weight per sub-system, some positive",
        ),
        (
            "method = \"hierarchical\", subsystems = { a = nan, b = 1 }".into(),
            "`pipeline.weight.subsystems.a`: hierarchical: must be finite and >= 0, got NaN",
        ),
    ] {
        check(&[("mini.toml", "method = \"entropy\"", &to)], &[expected]);
    }
    // The linear mix without an alpha mixes half and half, and its manifest says so.
    let dir = mini_study();
    edit(
        dir.path(),
        "mini.toml",
        "method = \"entropy\"",
        &format!("method = \"combined\", {combined}, mode = \"linear\""),
    );
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"alpha\": 0.5"), "{manifest}");
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

#[test]
fn analysis_parameters_are_checked_by_validate_with_their_key_paths() {
    check(
        &[(
            "mini.toml",
            "[output]",
            "[[analysis]]\nkind = \"regions\"\npairs = [[2010, 2099]]\n\n[[analysis]]\nkind = \"trend\"\norder = 7\nrotation = 1e308\ncurve-points = 20000\nzones = { east = [\"C\"], west = [] }\n\n[[analysis]]\nkind = \"obstacles\"\ntop = 0\n\n[[analysis]]\nkind = \"obstacles\"\ntop = 4\n\n[output]",
        )],
        &[
            "`analysis[0].pairs`: 2099 is not a period of the study ([2010, 2020])",
            "`analysis[1].order`: must be 1, 2 or 3",
            // A curve of 20,000 points, a zone without units and (below) no zones at all were
            // taken: the last two wrote empty tables.
            "`analysis[1].curve-points`: must be from 2 to 10000, got 20000",
            "`analysis[1].rotation`: must be an angle from -360 to 360 degrees, got 1e308",
            "`analysis[1].zones`: zone `west` lists no units",
            "`analysis[2].top`: must be from 1 to the 3 indicators, got 0",
            // It was accepted, and listed every indicator.
            "`analysis[3].top`: must be from 1 to the 3 indicators, got 4",
        ],
    );
    check(
        &[("mini.toml", "[output]", "[[analysis]]\nkind = \"trend\"\npoint = \"seat\"\n\n[output]")],
        &["`analysis[0].zones`: no zones: name at least one"],
    );
    // 2^40 permutations aborted the run (the statistics could not be held); a lisa of as many
    // ran on for hours.
    check(
        &[(
            "mini.toml",
            "[output]",
            "[[analysis]]\nkind = \"moran\"\npermutations = 1099511627776\n\n[[analysis]]\nkind = \"inequality\"\npermutations = 1000001\n\n[output]",
        )],
        &[
            "`analysis[0].permutations`: at most 1000000 (a pseudo p-value of 1e-6 resolution), got 1099511627776",
            "`analysis[1].permutations`: at most 1000000 (a pseudo p-value of 1e-6 resolution), got 1000001",
        ],
    );
    // Treatment thresholds out of range are named at their key (they treated every indicator,
    // or none).
    check(
        &[("mini.toml", "[output]", "[pipeline.treat]\nmethod = \"winsorise\"\nskewness = -1\n\n[output]")],
        &["`pipeline.treat.skewness`: winsorise: must be a finite number >= 0, got -1"],
    );
    // A group column the unit list lacks is found by validate's run in memory.
    check(
        &[("mini.toml", "[output]", "[[analysis]]\nkind = \"inequality\"\ngroup = \"nope\"\n\n[output]")],
        &["analysis[0] (inequality): inequality: group = \"nope\": not region, province or a column of the unit list (unit `A`; its other columns: none)"],
    );
    // Analyses of change in a study of one period are refused (transitions wrote a matrix of
    // zeros); the regions' growth is left out with a note (it was 0 % from 2010 to 2010).
    check(
        &[
            ("mini.toml", "periods = [2010, 2020]", "periods = [2010]"),
            (
                "mini.toml",
                "[output]",
                "[[analysis]]\nkind = \"transitions\"\nspatial = false\n\n[[analysis]]\nkind = \"lisa-markov\"\nk = 2\n\n[[analysis]]\nkind = \"mobility\"\nk = 2\n\n[output]",
            ),
        ],
        &[
            "`analysis[0].kind`: transitions needs at least two periods; the study has [2010]",
            "`analysis[1].kind`: lisa-markov needs at least two periods",
            "`analysis[2].kind`: mobility needs at least two periods",
        ],
    );
    let dir = mini_study();
    edit(dir.path(), "mini.toml", "periods = [2010, 2020]", "periods = [2010]");
    edit(dir.path(), "mini.toml", "[output]", "[[analysis]]\nkind = \"regions\"\n\n[output]");
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let growth = std::fs::read_to_string(dir.path().join("out/regions_growth.csv")).unwrap();
    assert_eq!(growth.lines().count(), 1, "a header alone: {growth}");
    let diagnostics = std::fs::read_to_string(dir.path().join("out/diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("regions: one period (2010), so no growth"), "{diagnostics}");
    // What a run meets is named with the analysis it stopped: kNN's default k = 4 of 4 units.
    check(
        &[(
            "mini.toml",
            "[output]",
            "[[analysis]]\nkind = \"regions\"\n\n[[analysis]]\nkind = \"mobility\"\n\n[output]",
        )],
        &["analysis[1] (mobility): spatial weights: parameter `knn`: k must be from 1 to 3 for 4 points, got 4"],
    );
}

// The bad-input catalogue of issue 12: each case with the message a user acts on.

#[test]
fn config_problems_are_all_reported_with_their_key_paths() {
    // Three problems in three tables: every one is reported, each at its place.
    check(
        &[
            ("mini.toml", "polarity = \"-\"\n", ""),
            ("mini.toml", "id = \"long\"\nkind = \"csv\"\n", "id = \"long\"\n"),
            ("mini.toml", "rank = { method = \"topsis\" }", "rank = { ties = \"min\" }"),
        ],
        &[
            "3 problems",
            "`indicator[X2].polarity`: missing (required)",
            "`source[long].kind`: missing (required)",
            "`pipeline.rank.method`: missing (required)",
        ],
    );
}

#[test]
fn a_bad_extends_says_it_came_from_extends() {
    check(
        &[("mini.toml", "version = 1", "version = 1\nextends = \"base.toml\"")],
        &["`extends`: cannot read `base.toml`", "No such file or directory"],
    );
}

#[test]
fn a_subsystem_under_two_systems_is_refused() {
    check(
        &[("mini.toml", "name = \"two\"\nsystem = \"s\"", "name = \"two\"\nsystem = \"t\"")],
        &["`indicator[X2].system`: sub-system `a` is under system `s` elsewhere and under `t` here"],
    );
}

#[test]
fn a_latitude_out_of_range_names_the_cell() {
    check(
        &[("units.csv", "B,Beta,P1,101,41", "B,Beta,P1,101,142")],
        &["units.csv, line 3, column `seat_lat`: 142 is not a WGS84 latitude (|value| <= 90); swapped columns?"],
    );
}

#[test]
fn half_a_point_names_the_empty_cell() {
    // A longitude without its latitude was dropped, as if the unit had no seat.
    check(
        &[("units.csv", "B,Beta,P1,101,41", "B,Beta,P1,101,")],
        &["units.csv, line 3, column `seat_lat`: seat_lon is given but seat_lat is empty; give both or neither"],
    );
    check(
        &[("units.csv", "B,Beta,P1,101,41", "B,Beta,P1,,41")],
        &["units.csv, line 3, column `seat_lon`: seat_lat is given but seat_lon is empty"],
    );
}

#[test]
fn a_duplicated_column_header_is_refused() {
    check(
        &[("wide.csv", "unit,year,X1,X2", "unit,year,X1,X1")],
        &["wide.csv, line 1: column `X1` for indicator `X1` appears 2 times (columns 3, 4)"],
    );
}

#[test]
fn a_non_utf8_byte_names_line_and_field() {
    let dir = mini_study();
    let path = dir.path().join("wide.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(7).position(|w| w == b"C,2010,").unwrap() + 7;
    bytes.insert(at, 0xff);
    std::fs::write(&path, bytes).unwrap();
    let (code, _, stderr) = resil(&["validate", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("wide.csv, line 4: field 3 is not valid UTF-8"), "{stderr}");
    assert!(!stderr.contains("Utf8Error"), "no debug output: {stderr}");
}

#[test]
fn a_folder_where_a_file_should_be_is_named_once() {
    let dir = mini_study();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    edit(dir.path(), "mini.toml", "path = \"wide.csv\"", "path = \"data\"");
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    let expected = format!("{}: Is a directory (os error 21)", dir.path().join("data").display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(stderr.matches("os error 21").count(), 1, "the OS error once: {stderr}");
}

#[test]
fn a_semicolon_separated_file_gets_a_hint() {
    let dir = mini_study();
    let text = std::fs::read_to_string(dir.path().join("wide.csv")).unwrap().replace(',', ";");
    std::fs::write(dir.path().join("wide.csv"), text).unwrap();
    let (code, _, stderr) = resil(&["validate", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("the header is one cell with `;` in it: resil reads comma-separated files"), "{stderr}");
}

#[test]
fn values_too_large_to_compute_with_are_named() {
    check(
        &[("wide.csv", "C,2010,30,3", "C,2010,1e308,3"), ("wide.csv", "D,2010,40,2", "D,2010,-1e308,2")],
        &[
            "indicator `X1`, unit `C`, period 2010: 1e308 is too large to compute with",
            "indicator `X1`, unit `D`, period 2010: -1e308 is too large",
        ],
    );
}

#[test]
fn a_period_without_any_data_is_refused() {
    // 2030 is added to the study: no table has a value for it.
    check(
        &[("mini.toml", "periods = [2010, 2020]", "periods = [2010, 2020, 2030]")],
        &["period 2030: no value for any indicator and unit: its scores would be imputation only"],
    );
}

#[test]
fn periods_outside_an_indicators_data_are_named() {
    // X3 has no value in 2020 for any unit: its 2020 values are copies of 2010.
    let dir = mini_study();
    let long = std::fs::read_to_string(dir.path().join("long.csv")).unwrap();
    let kept: Vec<&str> = long.lines().filter(|l| !l.contains(",2020,")).collect();
    std::fs::write(dir.path().join("long.csv"), kept.join("\n")).unwrap();
    let (code, stdout, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "indicator `X3` has no value for any unit in 2020: imputation copies the nearest year (2010) into them"
        ),
        "{stdout}"
    );
}

#[test]
fn a_one_unit_panel_is_questioned() {
    let dir = mini_study();
    let units = std::fs::read_to_string(dir.path().join("units.csv")).unwrap();
    let one: Vec<&str> =
        units.lines().filter(|l| l.starts_with("id,") || l.starts_with("A,") || l.starts_with("Z,")).collect();
    std::fs::write(dir.path().join("units.csv"), one.join("\n")).unwrap();
    for file in ["wide.csv", "long.csv"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let kept: Vec<&str> =
            text.lines().filter(|l| l.starts_with("unit,") || l.starts_with("A,") || l.starts_with("A-old,")).collect();
        std::fs::write(dir.path().join(file), kept.join("\n")).unwrap();
    }
    edit(dir.path(), "mini.toml", "weight = { method = \"entropy\" }", "weight = { method = \"equal\" }");
    let (code, stdout, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("the panel has one unit (A): its scores compare it only with itself across periods"),
        "{stdout}"
    );
}

/// A stage table drawn from the registry: a method name (sometimes unknown) and parameters drawn
/// from each method's declared ones with good and bad values (and now and then a foreign key).
fn stage_strategy(table: Vec<(&'static str, Vec<&'static str>)>) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let values = prop_oneof![
        Just("0".to_string()),
        Just("0.01".to_string()),
        Just("0.5".to_string()),
        Just("2".to_string()),
        Just("-1".to_string()),
        Just("7".to_string()),
        Just("\"sample\"".to_string()),
        Just("true".to_string()),
    ];
    let n = table.len();
    // Mostly known methods with few parameters; an unknown method or a foreign key now and then.
    (0..4 * n, proptest::collection::vec((0usize..12, values), 0..2)).prop_map(move |(m, params)| {
        let (name, declared) = if m == 4 * n - 1 { ("no-such-method", vec![]) } else { table[m % n].clone() };
        let mut keys: Vec<String> = Vec::new();
        let mut text = format!("{{ method = \"{name}\"");
        for (i, v) in params {
            let Some(key) = declared.get(i).copied().or((i == 11).then_some("rho")) else { continue };
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_string());
                text.push_str(&format!(", {key} = {v}"));
            }
        }
        text.push_str(" }");
        text
    })
}

fn declared<T: ?Sized>(table: &[resil_pipeline::MethodSpec<T>]) -> Vec<(&'static str, Vec<&'static str>)> {
    table.iter().map(|m| (m.name, m.params.iter().map(|p| p.name).collect())).collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// `validate` passing means `run` cannot fail, and a config `run` refuses fails `validate`.
    #[test]
    fn validate_passes_exactly_when_run_succeeds(
        normalize in stage_strategy(declared(resil_pipeline::NORMALIZERS)),
        weight in stage_strategy(declared(resil_pipeline::WEIGHTERS)),
        rank in stage_strategy(declared(resil_pipeline::SCORERS)),
        classify in stage_strategy(declared(resil_pipeline::CLASSIFIERS)),
    ) {
        let dir = mini_study();
        let path = dir.path().join("mini.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find("[pipeline]").unwrap();
        let end = text.find("[output]").unwrap();
        let pipeline = format!(
            "[pipeline]\nimpute = {{ method = \"linear-time\" }}\nnormalize = [{normalize}]\nweight = {weight}\nrank = {rank}\nclassify = {classify}\n\n"
        );
        std::fs::write(&path, format!("{}{pipeline}{}", &text[..start], &text[end..])).unwrap();
        let config = path.to_str().unwrap();
        let (validated, vout, verr) = resil(&["validate", config]);
        let (ran, _, rerr) = resil(&["run", config]);
        proptest::prop_assert_eq!(
            validated == 0,
            ran == 0,
            "{}\nvalidate: {}{}\nrun: {}",
            pipeline,
            vout,
            verr,
            rerr
        );
    }
}

#[test]
fn a_method_error_names_indicator_unit_and_period() {
    // Entropy on z-scores (negative values): the error names the cell, not a row number.
    check(
        &[(
            "mini.toml",
            "normalize = [{ method = \"zscore\" }, { method = \"minmax\", floor = 0.01 }]",
            "normalize = [{ method = \"zscore\" }]",
        )],
        &["entropy: indicator `X1`, unit `A`, period 2010: value", "is negative or missing"],
    );
}

#[test]
fn a_normalisation_step_can_apply_to_some_indicators() {
    // log on X1 only, then min-max on everything: X1 is min-max of ln x, X2 and X3 as without
    // the log step; an unknown id, and `indicators` on a stage that cannot take it, are errors.
    let read = |dir: &Path| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(dir.join("out/intermediates.csv")).unwrap();
        text.lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect()
    };
    let plain = mini_study();
    edit(
        plain.path(),
        "mini.toml",
        "normalize = [{ method = \"zscore\" }, { method = \"minmax\", floor = 0.01 }]",
        "normalize = [{ method = \"minmax\" }]",
    );
    assert_eq!(resil(&["run", plain.path().join("mini.toml").to_str().unwrap()]).0, 0);
    let logged = mini_study();
    edit(
        logged.path(),
        "mini.toml",
        "normalize = [{ method = \"zscore\" }, { method = \"minmax\", floor = 0.01 }]",
        "normalize = [{ method = \"log\", indicators = [\"X1\"] }, { method = \"minmax\" }]",
    );
    let (code, _, stderr) = resil(&["run", logged.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (a, b) = (read(plain.path()), read(logged.path()));
    let x1: Vec<(f64, f64)> =
        b.iter().filter(|r| r[2] == "X1").map(|r| (r[3].parse().unwrap(), r[4].parse().unwrap())).collect();
    let (lo, hi) = x1.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), (x, _)| (l.min(x.ln()), h.max(x.ln())));
    for (x, r) in &x1 {
        assert!((r - (x.ln() - lo) / (hi - lo)).abs() < 1e-12, "X1 {x}: {r}");
    }
    for (ra, rb) in a.iter().zip(&b).filter(|(r, _)| r[2] != "X1") {
        assert_eq!(ra[4], rb[4], "{} {} {} untouched by the log step", ra[0], ra[1], ra[2]);
    }
    check(
        &[(
            "mini.toml",
            "normalize = [{ method = \"zscore\" }",
            "normalize = [{ method = \"zscore\", indicators = [\"X9\"] }",
        )],
        &["`pipeline.normalize[0].indicators`: `X9` is not a declared indicator"],
    );
    check(
        &[(
            "mini.toml",
            "weight = { method = \"entropy\" }",
            "weight = { method = \"entropy\", indicators = [\"X1\"] }",
        )],
        &["`pipeline.weight.indicators`: only normalize and treat steps apply to some indicators only"],
    );
}

#[test]
fn a_levels_weights_can_be_fitted_by_a_weighting_method() {
    // The system level's weights by entropy on the sub-system scores (pooled): recomputed here
    // from levels.csv by the defining formula, and the index is their weighted mean.
    let dir = mini_study();
    edit(
        dir.path(),
        "mini.toml",
        "rank = { method = \"topsis\" }",
        "rank = { method = \"levels\", system = { weights = { method = \"entropy\" } } }",
    );
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("out/levels.csv")).unwrap();
    let mut by_sub: std::collections::BTreeMap<String, Vec<(String, f64)>> = Default::default();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c[2] == "subsystem" {
            by_sub.entry(c[3].to_string()).or_default().push((format!("{},{}", c[0], c[1]), c[4].parse().unwrap()));
        }
    }
    let entropy_d = |x: &[f64]| {
        let sum: f64 = x.iter().sum();
        let e: f64 = -x.iter().map(|v| v / sum).map(|p| if p > 0.0 { p * p.ln() } else { 0.0 }).sum::<f64>()
            / (x.len() as f64).ln();
        1.0 - e
    };
    let d: Vec<f64> = by_sub.values().map(|v| entropy_d(&v.iter().map(|(_, x)| *x).collect::<Vec<_>>())).collect();
    let w: Vec<f64> = d.iter().map(|x| x / d.iter().sum::<f64>()).collect();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap()).unwrap();
    let fitted = &manifest["aggregation_weights"][0]["groups"]["system:s"];
    for (k, name) in by_sub.keys().enumerate() {
        assert!((fitted[name].as_f64().unwrap() - w[k]).abs() < 1e-12, "{name}: {fitted}");
    }
    let scores = std::fs::read_to_string(dir.path().join("out/scores.csv")).unwrap();
    for line in scores.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let key = format!("{},{}", c[0], c[3]);
        let expected: f64 =
            by_sub.values().zip(&w).map(|(v, wk)| wk * v.iter().find(|(k, _)| *k == key).unwrap().1).sum();
        assert!((c[4].parse::<f64>().unwrap() - expected).abs() < 1e-12, "{line}");
    }
    check(
        &[(
            "mini.toml",
            "rank = { method = \"topsis\" }",
            "rank = { method = \"levels\", system = { weights = { method = \"entropi\" } } }",
        )],
        &["`pipeline.rank.system.weights.method`: unknown method `entropi`"],
    );
}

#[test]
fn a_level_takes_any_scorer_and_weighting_method_with_their_parameters() {
    // The system level scored by TOPSIS (Manhattan distance) with CRITIC (Spearman) weights on
    // the sub-system scores equals `resil score` run on those scores with the same methods.
    let dir = mini_study();
    edit(
        dir.path(),
        "mini.toml",
        "rank = { method = \"topsis\" }",
        "rank = { method = \"levels\", system = { function = \"topsis\", params = { distance = \"manhattan\" }, \
         weights = { method = \"critic\", correlation = \"spearman\" } } }",
    );
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let levels = std::fs::read_to_string(dir.path().join("out/levels.csv")).unwrap();
    let mut table: std::collections::BTreeMap<String, [f64; 2]> = Default::default();
    let mut system: std::collections::BTreeMap<String, f64> = Default::default();
    for line in levels.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let key = format!("{}_{}", c[0], c[1]);
        match (c[2], c[3]) {
            ("subsystem", "a") => table.entry(key).or_default()[0] = c[4].parse().unwrap(),
            ("subsystem", "b") => table.entry(key).or_default()[1] = c[4].parse().unwrap(),
            ("system", _) => drop(system.insert(key, c[4].parse().unwrap())),
            _ => {}
        }
    }
    let csv: String = std::iter::once("row,a,b".to_string())
        .chain(table.iter().map(|(k, v)| format!("{k},{},{}", v[0], v[1])))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("subsystems.csv"), csv).unwrap();
    let (code, stdout, stderr) = resil(&[
        "score",
        dir.path().join("subsystems.csv").to_str().unwrap(),
        "--normalize",
        "none",
        "--weight",
        "critic",
        "--param",
        "weight.correlation=spearman",
        "--param",
        "method.distance=manhattan",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut header = stdout.lines().next().unwrap().split(',');
    let score_col = header.position(|h| h == "score").unwrap();
    let mut compared = 0;
    for line in stdout.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let expected: f64 = c[score_col].parse().unwrap();
        assert!((system[c[0]] - expected).abs() < 1e-12, "{}: {} vs resil score {expected}", c[0], system[c[0]]);
        compared += 1;
    }
    assert_eq!(compared, table.len());
    // The parameters are used, not dropped: the Euclidean default gives other scores.
    let plain = mini_study();
    edit(
        plain.path(),
        "mini.toml",
        "rank = { method = \"topsis\" }",
        "rank = { method = \"levels\", system = { function = \"topsis\", weights = { method = \"critic\", correlation = \"spearman\" } } }",
    );
    let (code, _, stderr) = resil(&["run", plain.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(std::fs::read_to_string(plain.path().join("out/levels.csv")).unwrap(), levels);
    fn levels_rank(to: &str) -> [(&str, &str, &str); 1] {
        [("mini.toml", "rank = { method = \"topsis\" }", to)]
    }
    check(
        &levels_rank("rank = { method = \"levels\", system = { function = \"topsis\", params = { v = 0.3 } } }"),
        &["`pipeline.rank.system.params.v`: topsis has no parameter `v`; it takes: distance, ideal, anti-ideal"],
    );
    check(
        &levels_rank("rank = { method = \"levels\", system = { function = \"topsys\" } }"),
        &["`pipeline.rank.system.function`: unknown function `topsys` (known: arithmetic, geometric, harmonic, power, minimum, bod, topsis,"],
    );
    check(
        &levels_rank("rank = { method = \"levels\", system = { function = \"geometric\", params = { v = 0.3 } } }"),
        &["`pipeline.rank.system.params.v`: levels: only a scorer function takes `params`, not geometric"],
    );
    check(
        &levels_rank(
            "rank = { method = \"levels\", index = { weights = { method = \"critic\", cost = \"upside-down\" } } }",
        ),
        &["`pipeline.rank.index.weights"],
    );
    // A lower-is-better scorer below the index is found when the run fits it.
    let lower = mini_study();
    let (_, _, to) =
        levels_rank("rank = { method = \"levels\", system = { function = \"vikor\", params = { v = 0.3 } } }")[0];
    edit(lower.path(), "mini.toml", "rank = { method = \"topsis\" }", to);
    let (code, _, stderr) = resil(&["run", lower.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    for e in ["system.function", "vikor's score is lower-is-better", "use it at the index level"] {
        assert!(stderr.contains(e), "`{e}` not in {stderr}");
    }
    assert!(!lower.path().join("out").exists());
}

#[test]
fn best_worst_weights_from_the_config_with_their_consistency() {
    // Fully consistent comparisons (X1 twice X2, four times X3) give 4/7, 2/7, 1/7 and xi = 0.
    let dir = mini_study();
    edit(
        dir.path(),
        "mini.toml",
        "weight = { method = \"entropy\" }",
        "weight = { method = \"bwm\", best = \"X1\", worst = \"X3\", best-to-others = { X1 = 1, X2 = 2, X3 = 4 }, \
         others-to-worst = { X1 = 4, X2 = 2, X3 = 1 } }",
    );
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let weights = std::fs::read_to_string(dir.path().join("out/weights.csv")).unwrap();
    for (line, expected) in weights.lines().skip(1).zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
        let w: f64 = line.split(',').nth(7).unwrap().parse().unwrap();
        assert!((w - expected).abs() < 1e-9, "{line}");
    }
    let diagnostics = std::fs::read_to_string(dir.path().join("out/diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("bwm: xi 0.0000"), "{diagnostics}");
    check(
        &[(
            "mini.toml",
            "weight = { method = \"entropy\" }",
            "weight = { method = \"bwm\", best = \"X1\", worst = \"X9\", best-to-others = { X1 = 1, X2 = 0.5 }, others-to-worst = { X1 = 4 } }",
        )],
        &["`pipeline.weight.best-to-others.X2`: bwm: must be >= 1, got 0.5"],
    );
}

#[test]
fn workbook_keys_are_checked_where_they_are_written() {
    check(
        &[("mini.toml", "path = \"wide.csv\"\n", "path = \"wide.csv\"\nsheet = \"2010\"\nheader-row = 0\n")],
        &[
            "`source[0].sheet`: belongs to a workbook (kind = \"xlsx\"), not a csv source",
            "`source[0].header-row`: belongs to a workbook",
            "`source[0].header-row`: rows count from 1",
        ],
    );
    check(
        &[(
            "mini.toml",
            "kind = \"csv\"\npath = \"wide.csv\"\n",
            "kind = \"xlsx\"\nsheet = \"a\"\nperiod-sheets = true\n",
        )],
        &[
            "`source[0].path`: a xlsx source needs a `path`",
            "`source[0].sheet`: give either `sheet` or `period-sheets = true`",
        ],
    );
    // A CSV file named as a workbook: the reader says it cannot read it, naming the file.
    check(
        &[("mini.toml", "kind = \"csv\"\npath = \"wide.csv\"\n", "kind = \"xlsx\"\npath = \"wide.csv\"\n")],
        &["wide.csv: not a readable workbook"],
    );
}

#[test]
fn a_parquet_source_in_a_build_without_parquet_says_how_to_get_it() {
    let dir = mini_study();
    edit(dir.path(), "mini.toml", "kind = \"csv\"\npath = \"wide.csv\"", "kind = \"parquet\"\npath = \"wide.parquet\"");
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let expected = if resil_cli::PARQUET {
        // A build with the feature fails on the missing file instead.
        "wide.parquet: No such file"
    } else {
        "wide.parquet: kind = \"parquet\" needs resil built with `--features parquet`"
    };
    assert!(stderr.contains(expected), "{stderr}");
    assert!(!dir.path().join("out").exists(), "a failed run wrote output");
}

#[test]
fn parquet_output_in_a_build_without_parquet_says_how_to_get_it() {
    let dir = mini_study();
    edit(dir.path(), "mini.toml", "[output]\n", "[output]\nformats = [\"csv\", \"parquet\"]\n");
    let (code, _, stderr) = resil(&["run", dir.path().join("mini.toml").to_str().unwrap()]);
    if resil_cli::PARQUET {
        assert_eq!(code, 0, "{stderr}");
        assert!(dir.path().join("out/scores.parquet").is_file());
    } else {
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("output.formats: \"parquet\" needs resil built with `--features parquet`"), "{stderr}");
        assert!(!dir.path().join("out").exists(), "a failed run wrote output");
    }
}

#[test]
fn an_engine_in_a_build_without_it_says_how_to_get_it_and_stream_is_refused_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.csv");
    std::fs::write(&m, "id,a,b\nx,1,2\ny,3,1\nz,2,5\n").unwrap();
    let m = m.to_str().unwrap();
    let (code, _, stderr) = resil(&["score", m, "--engine", "datafusion", "--stream"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--engine reads the file itself; drop --stream"), "{stderr}");
    if !resil_cli::ENGINE {
        let (code, _, stderr) = resil(&["score", m, "--engine", "datafusion"]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("needs resil built with `--features datafusion`"), "{stderr}");
        let config = root().join("configs/border-cities.toml");
        let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--engine", "datafusion"]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("--engine datafusion: needs resil built with `--features datafusion`"), "{stderr}");
    }
    // A scratch folder is for an engine only.
    let config = root().join("configs/border-cities.toml");
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--engine-scratch", "/tmp"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--engine <ENGINE>"), "{stderr}");
}
