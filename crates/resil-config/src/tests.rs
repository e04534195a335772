//! Tests of config parsing: unknown keys, strictness, cross-references.

use std::path::Path;

use super::*;

const MINIMAL: &str = r#"
version = 1
[study]
name = "t"
periods = [2010, 2020]
units = "units.csv"
[[source]]
id = "s"
kind = "csv"
path = "v.csv"
[[indicator]]
id = "X1"
name = "x"
system = "a"
subsystem = "b"
polarity = "+"
source = "s"
[pipeline]
impute = { method = "linear-time" }
normalize = [{ method = "minmax", floor = 0.01 }]
weight = { method = "entropy" }
rank = { method = "topsis" }
classify = { method = "jenks", k = 2, labels = ["low", "high"] }
"#;

#[track_caller]
fn check_err(text: &str, strict: bool, expected: &[&str]) {
    let err = parse(text, Path::new("c.toml"), strict).unwrap_err().to_string();
    for e in expected {
        assert!(err.contains(e), "`{e}` not in: {err}");
    }
}

#[test]
fn minimal_config_parses_with_method_parameters_kept() {
    let c = parse(MINIMAL, Path::new("dir/c.toml"), true).unwrap();
    assert_eq!(c.config.pipeline.normalize[0].params["floor"].as_float(), Some(0.01));
    assert_eq!(c.resolve("units.csv"), Path::new("dir/units.csv"));
    assert_eq!(c.resolve("../data/u.csv"), Path::new("data/u.csv"));
    assert_eq!(c.resolve("./../../u.csv"), Path::new("../u.csv"));
    assert_eq!(c.config.pipeline.classify.labels, ["low", "high"]);
}

#[test]
fn unknown_keys_are_warnings_with_full_path_or_errors_under_strict() {
    let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nnmae = 1");
    let c = parse(&text, Path::new("c.toml"), false).unwrap();
    assert_eq!(c.unknown_keys, ["study.nmae"]);
    check_err(&text, true, &["c.toml: `study.nmae`: unknown key"]);
}

#[test]
fn every_cross_reference_problem_is_reported() {
    let text = MINIMAL
        .replace("source = \"s\"", "source = \"nope\"")
        .replace("periods = [2010, 2020]", "periods = [2020, 2010]");
    check_err(&text, true, &["indicator[0].source", "`nope`", "study.periods", "2 problems"]);
    let text =
        MINIMAL.replace("units = \"units.csv\"", "units = \"units.csv\"\n[study.regions]\nA = \"North\"\nB = \" \"");
    check_err(&text, true, &["c.toml: `study.regions.B`: empty region name"]);
    // A blank study name titled the outputs with nothing; a blank source left published
    // figures uncited.
    let text =
        format!("{}[published]\nfigures = \"p.csv\"\nsource = \" \"\n", MINIMAL.replace("name = \"t\"", "name = \"\""));
    check_err(
        &text,
        true,
        &["c.toml: `study.name`: blank: it titles", "c.toml: `published.source`: blank: cite the publication"],
    );
    // Blank indicator fields had named a column, a series or a level of the hierarchy with
    // nothing; a blank variant name, the comparison's rows.
    let text = MINIMAL
        .replace("id = \"X1\"", "id = \" \"")
        .replace("name = \"x\"", "name = \"\"")
        .replace("system = \"a\"", "system = \" \"")
        .replace("subsystem = \"b\"", "subsystem = \"\"")
        + "[[compare.variant]]\nname = \" \"\npipeline = { weight = { method = \"equal\" } }\n";
    check_err(
        &text,
        true,
        &[
            "c.toml: `indicator[0].id`: blank: every indicator needs one",
            "c.toml: `indicator[0].name`: blank",
            "c.toml: `indicator[0].system`: blank",
            "c.toml: `indicator[0].subsystem`: blank",
            "c.toml: `compare.variant[0].name`: blank: the comparison's rows are named by it",
        ],
    );
    let text = MINIMAL.replace("labels = [\"low\", \"high\"]", "labels = [\"low\", \"low\"]");
    check_err(&text, true, &["c.toml: `pipeline.classify.labels[1]`: `low` labels two grades"]);
    let text = MINIMAL.replace("labels = [\"low\", \"high\"]", "labels = [\" \", \"high\"]");
    check_err(&text, true, &["c.toml: `pipeline.classify.labels[0]`: empty label"]);
    let text = format!("{MINIMAL}[diagnostics]\ncorrelation-threshold = 1.5\nskewness = -1\nkurtosis = nan\n[output]\ndir = \"out\"\nformats = [\"csv\", \"csv\"]\n");
    check_err(
        &text,
        true,
        &[
            "`diagnostics.correlation-threshold`: must be in (0, 1] (|r| is compared), got 1.5",
            "`diagnostics.skewness`: must be a finite number >= 0 (|skewness| is compared), got -1",
            "`diagnostics.kurtosis`: must be finite, got NaN",
            "`output.formats[1]`: `csv` is listed twice",
        ],
    );
    // A variant is held to the pipeline's own rules (an empty normalisation chain was taken);
    // a fault of the config's own pipeline is reported once, not again by each variant.
    let variant = format!("{MINIMAL}[[compare.variant]]\nname = \"v\"\npipeline = {{ normalize = [] }}\n");
    check_err(
        &variant,
        true,
        &["`compare.variant[0].pipeline`: ", "`pipeline.normalize`: at least one normalisation step is needed"],
    );
    // A misspelt stage had been ignored: the variant ran as the config itself, unseen.
    let typo =
        format!("{MINIMAL}[[compare.variant]]\nname = \"v\"\npipeline = {{ wieght = {{ method = \"equal\" }} }}\n");
    check_err(
        &typo,
        false,
        &[
            "`compare.variant[0].pipeline`: ",
            "`pipeline`: unknown key `wieght`: it sets nothing (stages: impute, treat, normalize, weight, rank, classify)",
        ],
    );
    let both =
        format!("{MINIMAL}[[compare.variant]]\nname = \"v\"\npipeline = {{ weight = {{ method = \"equal\" }} }}\n")
            .replace("labels = [\"low\", \"high\"]", "labels = [\"low\", \"low\"]");
    let err = parse(&both, Path::new("c.toml"), true).unwrap_err().to_string();
    assert!(err.contains("`pipeline.classify.labels[1]`") && !err.contains("compare.variant"), "{err}");
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    check_err("version = \n", true, &["c.toml", "line 1"]);
}

#[test]
fn label_count_must_match_k() {
    check_err(&MINIMAL.replace("k = 2", "k = 3"), true, &["pipeline.classify.labels", "2 labels for k = 3"]);
}

#[test]
fn extends_merges_tables_and_replaces_arrays() {
    let dir = std::env::temp_dir().join(format!("resil-config-extends-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.toml"), MINIMAL).unwrap();
    let child = "extends = \"base.toml\"\n[pipeline.weight]\nmethod = \"fixed\"\nweights = { X1 = 1.0 }\n[[pipeline.normalize]]\nmethod = \"vector\"\n";
    let c = parse(child, &dir.join("child.toml"), true).unwrap();
    assert_eq!(c.config.pipeline.weight.method, "fixed");
    assert_eq!(c.config.pipeline.normalize.len(), 1);
    assert_eq!(c.config.pipeline.normalize[0].method, "vector");
    assert_eq!(c.config.study.name, "t");
    assert_eq!(c.parents.len(), 1);
    // A stage naming a method replaces the parent's stage whole: jenks's k does not leak into fixed.
    let child = "extends = \"base.toml\"\n[pipeline.classify]\nmethod = \"fixed\"\ncuts = [0.5]\n";
    let c = parse(child, &dir.join("child.toml"), true).unwrap();
    assert!(c.config.pipeline.classify.stage.params.get("k").is_none());
    let err = parse("extends = \"nope.toml\"\n", &dir.join("c.toml"), true).unwrap_err().to_string();
    assert!(err.contains("nope.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
