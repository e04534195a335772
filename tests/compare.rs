//! `resil compare` on the flagship's method swaps (snapshot) and `resil diff` between runs.

use crate::common::{plugin_dir, resil, root, round_csv, run_config};

fn run_to(config: &str, out: &std::path::Path) {
    run_config(config, out, &[]);
}

#[test]
fn compare_never_writes_into_a_folder_holding_an_input() {
    // It wrote its six files beside the config.
    let dir = crate::common::mini_study();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[[compare.variant]]\nname = \"eq\"\npipeline = {{ weight = {{ method = \"equal\" }} }}\n"),
    )
    .unwrap();
    let before = std::fs::read_dir(dir.path()).unwrap().count();
    let (code, _, stderr) = resil(&["compare", config.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("holds inputs of the run") && stderr.contains("mini.toml"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), before, "nothing written");
}

#[test]
fn flagship_method_swaps() {
    let out = tempfile::tempdir().unwrap();
    let config = root().join("configs/border-cities.toml");
    let (code, stdout, stderr) = resil(&[
        "compare",
        config.to_str().unwrap(),
        "--strict",
        "--plugin-dir",
        &plugin_dir(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("| baseline | 1.000 |"), "{stdout}");
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
    insta::assert_snapshot!("compare.md", read("compare.md"));
    insta::assert_snapshot!("compare_correlations.csv", round_csv(&read("compare_correlations.csv"), 6));
    let heatmap = read("chart_compare.svg");
    assert_eq!(
        heatmap.matches("class=\"cell\"").count(),
        9 * 9,
        "a cell per pair of the nine runs (baseline and eight swaps)"
    );
    assert!(out.path().join("chart_compare.png").is_file());
    // The record of what it was made from: the report draws it beside a run of this config only.
    let record: serde_json::Value = serde_json::from_str(&read("compare.json")).unwrap();
    assert_eq!(record["config"]["path"], "border-cities.toml");
    assert_eq!(record["config"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(record["runs"].as_array().unwrap().len(), 9);
    // The per-period-ideals swap is the same study as configs/per-period-ideals.toml: its ranks
    // in compare_units.csv agree with that config's own run.
    let own = tempfile::tempdir().unwrap();
    run_to("configs/per-period-ideals.toml", own.path());
    let scores = std::fs::read_to_string(own.path().join("scores.csv")).unwrap();
    let units = read("compare_units.csv");
    let header: Vec<&str> = units.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "rank:per-period-ideals").unwrap();
    for (u, s) in units.lines().skip(1).zip(scores.lines().skip(1)) {
        let (u, s): (Vec<&str>, Vec<&str>) = (u.split(',').collect(), s.split(',').collect());
        assert_eq!((u[0], u[col]), (s[0], s[5]));
    }
}

#[test]
fn diff_passes_for_equal_runs_and_fails_past_the_tolerance() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_to("configs/border-cities.toml", a.path());
    run_to("configs/border-cities.toml", b.path());
    run_to("configs/per-period-ideals.toml", c.path());
    let (pa, pb, pc) = (a.path().to_str().unwrap(), b.path().to_str().unwrap(), c.path().to_str().unwrap());
    let (code, stdout, _) = resil(&["diff", pa, pb]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("within tolerance"), "{stdout}");
    // A tolerance below 0 made equal runs "different"; NaN too.
    for bad in ["--tolerance=-1", "--tolerance=NaN"] {
        let (code, _, stderr) = resil(&["diff", pa, pb, bad]);
        assert_eq!(code, 1, "{bad}");
        assert!(stderr.contains("--tolerance: must be a finite number >= 0, got"), "{bad}: {stderr}");
    }
    // A score or weight turned NaN differs past any tolerance (its delta, NaN, had been passed
    // over by the maximum: "within tolerance").
    for (file, column) in [("scores.csv", "score"), ("weights.csv", "weight")] {
        let nan = tempfile::tempdir().unwrap();
        for f in ["manifest.json", "scores.csv", "weights.csv"] {
            std::fs::copy(b.path().join(f), nan.path().join(f)).unwrap();
        }
        let text = std::fs::read_to_string(nan.path().join(file)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let at = lines[0].split(',').position(|h| h == column).unwrap();
        let mut cells: Vec<&str> = lines[1].split(',').collect();
        cells[at] = "NaN";
        lines[1] = cells.join(",");
        std::fs::write(nan.path().join(file), lines.join("\n") + "\n").unwrap();
        let (code, stdout, _) = resil(&["diff", pa, nan.path().to_str().unwrap(), "--tolerance", "1"]);
        assert_eq!(code, 1, "{file}: {stdout}");
        assert!(stdout.contains("1 differ (max |delta| inf)") && stdout.contains("DIFFERENT"), "{file}: {stdout}");
    }
    // A row repeated had replaced the first unseen.
    let twice = tempfile::tempdir().unwrap();
    for f in ["manifest.json", "scores.csv", "weights.csv"] {
        std::fs::copy(b.path().join(f), twice.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(twice.path().join("scores.csv")).unwrap();
    let second = text.lines().nth(1).unwrap().to_string();
    std::fs::write(twice.path().join("scores.csv"), format!("{text}{second}\n")).unwrap();
    let (code, _, stderr) = resil(&["diff", pa, twice.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let last = text.lines().count() + 1;
    assert!(
        stderr.contains(&format!("scores.csv, line {last}: `")) && stderr.contains("has a row already"),
        "{stderr}"
    );
    // A folder that is not a run's is named as such (it was "weights.csv: No such file").
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = resil(&["diff", pa, empty.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not the output folder of a run (it has no manifest.json)"), "{stderr}");
    // Equal runs agree perfectly on every coefficient.
    let (_, json, _) = resil(&["diff", pa, pb, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let periods = v["report"]["rank_agreement"].as_array().unwrap();
    assert_eq!(periods.len(), 3, "{json}");
    for p in periods {
        for key in ["spearman", "kendall_tau_b", "weighted_spearman", "ws", "gamma"] {
            assert!((p[key].as_f64().unwrap() - 1.0).abs() < 1e-12, "{key}: {p}");
        }
    }
    for s in v["report"]["weight_similarity"].as_array().unwrap() {
        assert!((s["weight_similarity"].as_f64().unwrap() - 1.0).abs() < 1e-12, "{s}");
    }
    let (code, stdout, _) = resil(&["diff", pa, pc]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("DIFFERENT past tolerance") && stdout.contains("ranks: "), "{stdout}");
    let (code, stdout, _) = resil(&["diff", pa, pc, "--tolerance", "1", "--format", "json"]);
    assert_eq!(code, 0, "scores are closeness values in [0, 1]: {stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v["report"]["rank_shifts"].as_array().unwrap().len() > 10);
    // Per-period ideals move ranks: agreement is high but below 1 in some period.
    let periods = v["report"]["rank_agreement"].as_array().unwrap();
    assert!(periods.iter().any(|p| p["spearman"].as_f64().unwrap() < 1.0), "{stdout}");
    assert!(periods.iter().all(|p| p["ws"].as_f64().unwrap() > 0.0 && p["gamma"].as_f64().unwrap() > 0.0));
}
