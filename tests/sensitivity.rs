//! `resil sensitivity`: the flagship's analysis (same bytes on one and two threads, tables that
//! hold together), the estimators' invariants on whole pipelines (a factor without effect, a lone
//! factor), leave-one-out against a run without the indicator, and bad `[sensitivity]` tables
//! reported at their key paths with nothing written.

use std::path::Path;

use crate::common::{plugin_dir, resil, root};

fn sensitivity(config: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let dir = plugin_dir();
    let mut args =
        vec!["sensitivity", config.to_str().unwrap(), "--strict", "--plugin-dir", &dir, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    resil(&args)
}

fn table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn f(v: &str) -> f64 {
    v.parse().unwrap_or_else(|_| panic!("not a number: {v:?}"))
}

#[test]
fn flagship_sensitivity_is_the_same_on_one_and_two_threads_and_its_tables_hold_together() {
    let config = root().join("configs/border-cities.toml");
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    let (code, stdout, stderr) = sensitivity(&config, &one, &["--draws", "64", "--threads", "1", "--save-evaluations"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Data warning"), "{stdout}");
    assert_eq!(sensitivity(&config, &two, &["--draws", "64", "--threads", "2", "--save-evaluations"]).0, 0);
    let files =
        ["ranks.csv", "sobol.csv", "leave_one_out.csv", "evaluations.csv", "sensitivity.json", "sensitivity.md"];
    for name in files {
        let (a, b) = (std::fs::read(one.join(name)).unwrap(), std::fs::read(two.join(name)).unwrap());
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    // Another seed gives another design.
    let other = tmp.path().join("other");
    assert_eq!(sensitivity(&config, &other, &["--draws", "64", "--seed", "7"]).0, 0);
    assert_ne!(std::fs::read(one.join("ranks.csv")).unwrap(), std::fs::read(other.join("ranks.csv")).unwrap());

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(json["evaluations"], 64 * (4 + 2));
    assert_eq!(json["data_status"], "contains-synthetic");
    let (h, rows) = table(&one.join("ranks.csv"));
    assert_eq!(rows.len(), 41 * 3);
    let grades: Vec<usize> = (0..h.len()).filter(|&i| h[i].starts_with("p_grade:")).collect();
    assert_eq!(grades.len(), 5, "{h:?}");
    for r in &rows {
        let p: f64 = grades.iter().map(|&i| f(&r[i])).sum();
        assert!((p - 1.0).abs() < 1e-12, "grade probabilities of {} {} sum to {p}", r[0], r[3]);
        let (lo, med, hi) = (f(&r[col(&h, "rank_p05")]), f(&r[col(&h, "median_rank")]), f(&r[col(&h, "rank_p95")]));
        assert!(1.0 <= lo && lo <= med && med <= hi && hi <= 41.0, "{r:?}");
        let nominal_grade: usize = r[col(&h, "nominal_grade")].parse().unwrap();
        assert_eq!(r[col(&h, "p_nominal_grade")], r[grades[nominal_grade - 1]]);
        assert_eq!(r[h.len() - 1], "contains-synthetic");
    }
    // The mean over evaluations of each evaluation's mean shift is the mean over unit-periods of
    // each one's mean shift.
    let (eh, evals) = table(&one.join("evaluations.csv"));
    assert_eq!(evals.len(), 64 * 6);
    assert_eq!(evals[5][col(&eh, "matrix")], "B");
    assert_eq!(evals[2][col(&eh, "matrix")], "AB:weighting");
    assert_eq!(eh.iter().filter(|c| c.starts_with("u:weight noise:")).count(), 29);
    let by_evaluation = evals.iter().map(|r| f(&r[col(&eh, "mean_abs_rank_shift")])).sum::<f64>() / evals.len() as f64;
    let by_unit = rows.iter().map(|r| f(&r[col(&h, "mean_abs_shift")])).sum::<f64>() / rows.len() as f64;
    assert!((by_evaluation - by_unit).abs() < 1e-12, "{by_evaluation} vs {by_unit}");
    // Min-max after z-scores is min-max alone (it removes their shift and scale): evaluations
    // that differ only in that choice rank alike (docs/sensitivity.md).
    let mut pairs = 0;
    for block in evals.chunks(6) {
        let (a, ab) = (&block[0], &block[1]);
        let n = col(&eh, "normalisation");
        let mut levels = [a[n].as_str(), ab[n].as_str()];
        levels.sort();
        if levels == ["baseline", "min-max only"] {
            pairs += 1;
            let out =
                |r: &Vec<String>| (r[col(&eh, "mean_abs_rank_shift")].clone(), r[col(&eh, "grade_changes")].clone());
            assert_eq!(out(a), out(ab), "base point {}", a[1]);
        }
    }
    assert!(pairs > 0);
    // Every factor at N/4, N/2 and N; totals are never negative.
    let (h, rows) = table(&one.join("sobol.csv"));
    assert_eq!(rows.len(), 4 * 3);
    for (r, n) in rows.iter().zip([16, 16, 16, 16, 32, 32, 32, 32, 64, 64, 64, 64]) {
        assert_eq!(r[col(&h, "base_points")], n.to_string());
        assert!(f(&r[col(&h, "total")]) >= 0.0);
        assert!(f(&r[col(&h, "total_low")]) <= f(&r[col(&h, "total")]));
    }
    let (h, rows) = table(&one.join("leave_one_out.csv"));
    assert_eq!(rows.iter().filter(|r| r[0] == "indicator").count(), 29);
    assert_eq!(rows.iter().filter(|r| r[0] == "subsystem").count(), 6);
    assert!(rows.iter().all(|r| f(&r[col(&h, "max_abs_rank_shift")]) >= f(&r[col(&h, "mean_abs_rank_shift")])));
}

/// A study of 12 invented units, 2 periods and 4 indicators (two sub-systems) whose ranks move
/// with the weights, with `extra` appended to its config `study.toml`.
fn study_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut units = String::from("id,name,province\n");
    let mut wide = String::from("unit,year,X1,X2,X3,X4\n");
    let mut state: u64 = 12345;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) % 1000) as f64 / 10.0 + 1.0
    };
    for u in 0..12 {
        units.push_str(&format!("U{u},Unit {u},P{}\n", u % 3));
    }
    for year in [2010, 2020] {
        for u in 0..12 {
            wide.push_str(&format!("U{u},{year},{},{},{},{}\n", next(), next(), next(), next()));
        }
    }
    std::fs::write(dir.path().join("units.csv"), units).unwrap();
    std::fs::write(dir.path().join("wide.csv"), wide).unwrap();
    let mut config = String::from(
        r#"version = 1
[study]
name = "twelve"
periods = [2010, 2020]
units = "units.csv"

[[source]]
id = "wide"
kind = "csv"
path = "wide.csv"
period-column = "year"
"#,
    );
    for (id, sub, pol) in [("X1", "a", "+"), ("X2", "a", "-"), ("X3", "b", "+"), ("X4", "b", "+")] {
        config.push_str(&format!(
            "\n[[indicator]]\nid = \"{id}\"\nname = \"{id}\"\nsystem = \"s\"\nsubsystem = \"{sub}\"\npolarity = \"{pol}\"\nsource = \"wide\"\n"
        ));
    }
    config.push_str(
        r#"
[pipeline]
impute = { method = "linear-time" }
normalize = [{ method = "zscore" }, { method = "minmax", floor = 0.01 }]
weight = { method = "entropy" }
rank = { method = "topsis" }
classify = { method = "jenks", k = 3 }

[output]
dir = "out"
"#,
    );
    config.push_str(extra);
    std::fs::write(dir.path().join("study.toml"), config).unwrap();
    dir
}

fn sobol_rows(out: &Path, n: usize) -> Vec<(String, f64, f64, f64, f64)> {
    let (h, rows) = table(&out.join("sobol.csv"));
    rows.iter()
        .filter(|r| r[col(&h, "base_points")] == n.to_string() && r[0] == "mean_abs_rank_shift")
        .map(|r| {
            let g = |c: &str| f(&r[col(&h, c)]);
            (r[col(&h, "factor")].clone(), g("first_order"), g("total"), g("total_low"), g("total_high"))
        })
        .collect()
}

#[test]
fn a_factor_without_effect_has_zero_total_and_a_lone_factor_explains_everything() {
    // Two levels that are the same pipeline: no effect, so f(A) = f(AB) and ST = 0 exactly.
    let study = study_with(
        r#"
[sensitivity]
draws = 256
seed = 3

[[sensitivity.factor]]
name = "same"
kind = "method"
variants = ["baseline"]
level = [{ name = "topsis again", pipeline = { rank = { method = "topsis" } } }]

[[sensitivity.factor]]
name = "noise"
kind = "weights"
concentration = 3
"#,
    );
    let out = study.path().join("s");
    let (code, _, stderr) = sensitivity(&study.path().join("study.toml"), &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let rows = sobol_rows(&out, 256);
    let same = rows.iter().find(|r| r.0 == "same").unwrap();
    assert_eq!((same.1, same.2, same.3, same.4), (0.0, 0.0, 0.0, 0.0), "{rows:?}");
    let noise = rows.iter().find(|r| r.0 == "noise").unwrap();
    assert!(noise.3 <= 1.0 && 1.0 <= noise.4, "the only effective factor has ST = 1 within its interval: {rows:?}");

    // A study with one factor: S1 = ST = 1 within their intervals.
    let lone = study_with(
        r#"
[sensitivity]
draws = 256
seed = 3
leave-one-out = false

[[sensitivity.factor]]
name = "noise"
kind = "weights"
distribution = "uniform"
spread = 0.9
"#,
    );
    let out = lone.path().join("s");
    assert_eq!(sensitivity(&lone.path().join("study.toml"), &out, &[]).0, 0);
    let (h, rows) = table(&out.join("sobol.csv"));
    let r = rows.iter().find(|r| r[col(&h, "base_points")] == "256").unwrap();
    let g = |c: &str| f(&r[col(&h, c)]);
    assert!(g("first_order_low") <= 1.0 && 1.0 <= g("first_order_high"), "{r:?}");
    assert!(g("total_low") <= 1.0 && 1.0 <= g("total_high"), "{r:?}");
    assert!(!out.join("leave_one_out.csv").exists());
}

#[test]
fn leaving_an_indicator_out_shifts_ranks_as_a_run_without_it() {
    // Entropy weights are fitted column by column, so zeroing X3's weight and renormalising is a
    // run of the study without X3.
    let study = study_with(
        r#"
[sensitivity]
draws = 16

[[sensitivity.factor]]
name = "leave out"
kind = "exclude"
candidates = ["X3"]
"#,
    );
    let out = study.path().join("s");
    let (code, _, stderr) = sensitivity(&study.path().join("study.toml"), &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (h, rows) = table(&out.join("leave_one_out.csv"));
    let x3 = rows.iter().find(|r| r[1] == "X3").unwrap();

    let config = study.path().join("study.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let block = "\n[[indicator]]\nid = \"X3\"\nname = \"X3\"\nsystem = \"s\"\nsubsystem = \"b\"\npolarity = \"+\"\nsource = \"wide\"\n";
    assert!(text.contains(block));
    let without = text.replace(block, "");
    let without = &without[..without.find("[sensitivity]").unwrap()];
    std::fs::write(study.path().join("without.toml"), without).unwrap();
    let (a, b) = (study.path().join("a"), study.path().join("b"));
    for (c, o) in [("study.toml", &a), ("without.toml", &b)] {
        let (code, _, stderr) = resil(&["run", study.path().join(c).to_str().unwrap(), "--out", o.to_str().unwrap()]);
        assert_eq!(code, 0, "{c}: {stderr}");
    }
    let ranks = |dir: &Path| {
        let (h, rows) = table(&dir.join("scores.csv"));
        rows.iter().map(|r| f(&r[col(&h, "rank")])).collect::<Vec<f64>>()
    };
    let (ra, rb) = (ranks(&a), ranks(&b));
    let shifts: Vec<f64> = ra.iter().zip(&rb).map(|(x, y)| (x - y).abs()).collect();
    let mean = shifts.iter().sum::<f64>() / shifts.len() as f64;
    assert!(mean > 0.0, "the ranks move without X3");
    assert_eq!(f(&x3[col(&h, "mean_abs_rank_shift")]), mean);
    assert_eq!(f(&x3[col(&h, "max_abs_rank_shift")]), shifts.iter().cloned().fold(0.0, f64::max));
}

#[test]
fn parameter_factors_set_a_method_parameter_over_a_range() {
    let study = study_with(
        r#"
[sensitivity]
draws = 32
output = "rank"

[[sensitivity.factor]]
name = "vikor v"
kind = "parameter"
stage = "rank"
parameter = "v"
range = [0.1, 0.9]

[[sensitivity.factor]]
name = "floor"
kind = "parameter"
stage = "normalize[1]"
parameter = "floor"
values = [0.01, 0.1]
"#,
    )
    .keep();
    let config = study.join("study.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("rank = { method = \"topsis\" }", "rank = { method = \"vikor\", v = 0.5 }");
    std::fs::write(&config, text).unwrap();
    let out = study.join("s");
    let (code, _, stderr) = sensitivity(&config, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (h, rows) = table(&out.join("sobol.csv"));
    // The scalar and each of 12 units x 2 periods, per factor and base-point count.
    assert_eq!(rows.len(), (1 + 24) * 2 * 3);
    assert!(rows.iter().any(|r| r[0] == "rank" && r[col(&h, "unit")] == "U1" && r[col(&h, "period")] == "2020"));
    std::fs::remove_dir_all(&study).unwrap();
}

#[test]
fn bad_sensitivity_tables_are_reported_at_their_key_paths_and_nothing_is_written() {
    let cases: &[(&str, &str)] = &[
        ("", "sensitivity: missing"),
        ("[sensitivity]\ndraws = 16\n", "sensitivity.factor: no [[sensitivity.factor]]"),
        ("[sensitivity]\ndraw = 16\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.draw"),
        ("[sensitivity]\ndraws = 4\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.draws: must be from 8 to 1048576, got 4"),
        // 2^40 draws or resamples aborted the run (the allocator could not give them); a
        // concentration of 2^40 ran for hours; blank names made nameless rows.
        ("[sensitivity]\ndraws = 1099511627776\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.draws: must be from 8 to 1048576, got 1099511627776"),
        ("[sensitivity]\nbootstrap = 1099511627776\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.bootstrap: must be from 2 to 10000, got 1099511627776"),
        ("[sensitivity]\ndraws = 1048576\nbootstrap = 10000\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.bootstrap: 10000 resamples of 1048576 draws would hold 68.4 GiB of row numbers, above the 16.0 GiB allowed"),
        ("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\nconcentration = 1099511627776\n", "sensitivity.factor[w].concentration: must be > 0 and at most 1e6 (weights held nearly fixed), got 1099511627776"),
        ("[[sensitivity.factor]]\nname = \" \"\nkind = \"weights\"\n", "sensitivity.factor[0].name: blank"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nlevel = [{ name = \"\", pipeline = { weight = { method = \"equal\" } } }]\n", "sensitivity.factor[m].level: a level has a blank name"),
        ("[sensitivity]\ntop-k = 0\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.top-k: must be at least 1"),
        // Every period ranks 12 units, so all are in the top 12.
        ("[sensitivity]\ntop-k = 12\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.top-k: is 12, but each period ranks only 12 units"),
        ("[sensitivity]\noutput = \"score\"\n[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n", "sensitivity.output: unknown output `score`"),
        ("[[sensitivity.factor]]\nname = \"x\"\nkind = \"nonsense\"\n", "sensitivity.factor[x].kind: unknown factor kind `nonsense`"),
        ("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\nsigma = 2\n", "sensitivity.factor[w].sigma: not a key"),
        ("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\nspread = 0.2\n", "sensitivity.factor[w].spread: belongs to distribution = \"uniform\""),
        ("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\nconcentration = -1\n", "sensitivity.factor[w].concentration: must be > 0 and at most 1e6"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\", \"nope\"]\n", "sensitivity.factor[m].variants: no [[compare.variant]] named `nope`"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\n", "sensitivity.factor[m].level: a method factor needs at least two levels"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\", \"baseline\"]\n", "sensitivity.factor[m].level: two levels are named `baseline`"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nlevel = [{ name = \"baseline\", pipeline = { weight = { method = \"equal\" } } }]\n", "sensitivity.factor[m].level: two levels are named `baseline`"),
        // A misspelt stage had been ignored: the level ran as the baseline.
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nlevel = [{ name = \"e\", pipeline = { wieght = { method = \"equal\" } } }]\n", "sensitivity.factor[m].level: `e`: unknown key `wieght`: it sets nothing (stages: impute,"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nprobabilities = [0.5, 0.6]\nlevel = [{ name = \"e\", pipeline = { weight = { method = \"equal\" } } }]\n", "sensitivity.factor[m].probabilities: must sum to 1"),
        ("[[sensitivity.factor]]\nname = \"v\"\nkind = \"parameter\"\nstage = \"rank\"\nparameter = \"v\"\nrange = [0.2, 0.8]\n", "`pipeline.rank.v`: topsis has no parameter `v`"),
        ("[[sensitivity.factor]]\nname = \"v\"\nkind = \"parameter\"\nstage = \"ranking\"\nparameter = \"v\"\nrange = [0.2, 0.8]\n", "sensitivity.factor[v].stage: unknown stage `ranking`"),
        ("[[sensitivity.factor]]\nname = \"v\"\nkind = \"parameter\"\nstage = \"rank\"\nparameter = \"v\"\nrange = [0.8, 0.2]\n", "sensitivity.factor[v].range: must be [lo, hi] with lo < hi"),
        ("[[sensitivity.factor]]\nname = \"v\"\nkind = \"parameter\"\nstage = \"rank\"\nparameter = \"method\"\nvalues = [\"a\", \"b\"]\n", "sensitivity.factor[v].parameter: `method` is not a method parameter"),
        ("[[sensitivity.factor]]\nname = \"x\"\nkind = \"exclude\"\ncandidates = [\"X9\"]\n", "sensitivity.factor[x].candidates: `X9` is not an indicator"),
        ("[[sensitivity.factor]]\nname = \"x\"\nkind = \"exclude\"\ncandidates = [\"X1\", \"X2\", \"X1\"]\n", "sensitivity.factor[x].candidates: `X1` is given twice"),
        ("[[sensitivity.factor]]\nname = \"t\"\nkind = \"parameter\"\nstage = \"rank\"\nparameter = \"ties\"\nvalues = [\"min\", \"dense\", \"min\"]\n", "sensitivity.factor[t].values: \"min\" is given twice"),
        ("[[sensitivity.factor]]\nname = \"x\"\nkind = \"weights\"\n[[sensitivity.factor]]\nname = \"x\"\nkind = \"weights\"\n", "sensitivity.factor[x].name: duplicate factor name"),
        ("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nlevel = [{ name = \"odd\", pipeline = { weight = { method = \"nonsense\" } } }]\n", "sensitivity.factor[m].level: `odd`:"),
        ("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\nper = \"unit\"\n", "sensitivity.factor[w].per: unknown `unit`"),
    ];
    // A fault of the config's own pipeline is reported once, at its key, not again by every
    // method level and combination built over it.
    let study = study_with("[[sensitivity.factor]]\nname = \"m\"\nkind = \"method\"\nvariants = [\"baseline\"]\nlevel = [{ name = \"e\", pipeline = { weight = { method = \"equal\" } } }]\n");
    let config = study.path().join("study.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("floor = 0.01", "floor = 1.5")).unwrap();
    let (code, _, stderr) = resil(&["validate", config.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("1 problem found") && stderr.contains("`pipeline.normalize[1].floor`"), "{stderr}");
    // --threads 0 meant "every core" unannounced; it is refused.
    let study = study_with("[[sensitivity.factor]]\nname = \"w\"\nkind = \"weights\"\n");
    let (code, _, stderr) = sensitivity(&study.path().join("study.toml"), &study.path().join("s"), &["--threads", "0"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("invalid value '0' for '--threads <THREADS>'"), "{stderr}");
    // 1e5 threads had been started, minutes before any work.
    let (code, _, stderr) =
        sensitivity(&study.path().join("study.toml"), &study.path().join("s"), &["--threads", "100000"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("100000 is not in 1..=1024"), "{stderr}");
    // --draws out of range is named at the flag (it had been named as the config's key).
    let (code, _, stderr) = sensitivity(&study.path().join("study.toml"), &study.path().join("s"), &["--draws", "7"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value '7' for '--draws <DRAWS>': 7 is not in 8..=1048576"), "{stderr}");
    for (extra, want) in cases {
        let study = study_with(extra);
        let out = study.path().join("s");
        let (code, _, stderr) = sensitivity(&study.path().join("study.toml"), &out, &[]);
        assert_eq!(code, 1, "{extra}");
        // Errors read "<file>: `<key path>`: <message>".
        let want = match want.split_once(": ") {
            Some((key, message)) if key.starts_with("sensitivity") => format!("`{key}`: {message}"),
            _ => want.to_string(),
        };
        assert!(stderr.contains(&want), "{extra}\nwanted: {want}\ngot: {stderr}");
        assert!(!out.exists(), "{extra}: nothing is written");
        // `resil validate` finds the same problem (a study without [sensitivity] is valid).
        let (code, _, stderr) = resil(&["validate", study.path().join("study.toml").to_str().unwrap()]);
        if extra.is_empty() {
            assert_eq!(code, 0, "{stderr}");
        } else {
            assert_eq!(code, 1, "validate: {extra}");
            let message = want.rsplit_once("`: ").map_or(want.as_str(), |(_, m)| m);
            assert!(stderr.contains(message), "validate: {extra}\nwanted: {message}\ngot: {stderr}");
        }
    }
}

#[test]
fn the_report_draws_the_sensitivity_charts_of_its_run_folder() {
    let out = tempfile::tempdir().unwrap();
    crate::common::run_config("configs/border-cities.toml", out.path(), &[]);
    let config = root().join("configs/border-cities.toml");
    let (code, _, stderr) = sensitivity(&config, &out.path().join("sensitivity"), &["--draws", "32"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = resil(&["report", out.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
    let html = read("report.html");
    for period in ["2010", "2015", "2020"] {
        let intervals = read(&format!("chart_rank_uncertainty_{period}.svg"));
        assert_eq!(intervals.matches("class=\"interval\"").count(), 41);
        assert_eq!(intervals.matches("class=\"nominal\"").count(), 41);
        let grades = read(&format!("chart_grade_probability_{period}.svg"));
        assert!(grades.matches("class=\"grade\"").count() >= 41);
        let map = read(&format!("chart_map_grade_probability_{period}.svg"));
        assert_eq!(map.matches("class=\"unit\"").count(), 41);
        for svg in [&intervals, &grades, &map] {
            assert!(html.contains(&svg[..200]), "inlined in the page");
            assert!(svg.contains("SYNTHETIC DATA"), "carries the synthetic-data note");
        }
    }
    let sobol = read("chart_sobol.svg");
    assert_eq!(sobol.matches("class=\"index\"").count(), 2 * 4, "first order and total of four factors");
    assert!(html.contains("<h2>Sensitivity: Sobol indices</h2>"));
}

#[test]
fn imputation_and_integer_parameters_are_factors_too() {
    // Two cells missing; imputation by interpolation (the config's) or by the province's mean.
    let study = study_with(
        r#"
[sensitivity]
draws = 32
leave-one-out = false

[[sensitivity.factor]]
name = "imputation"
kind = "method"
variants = ["baseline"]
level = [{ name = "province mean", pipeline = { impute = { method = "group-mean", group = "province" } } }]

[[sensitivity.factor]]
name = "winmax"
kind = "parameter"
stage = "treat"
parameter = "winmax"
range = [1, 4]
"#,
    );
    let config = study.path().join("study.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "impute = { method = \"linear-time\" }",
        "impute = { method = \"linear-time\" }\ntreat = { method = \"winsorise\" }",
    );
    std::fs::write(&config, text).unwrap();
    let wide = study.path().join("wide.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&wide).unwrap().lines().map(String::from).collect();
    for i in [3, 17] {
        let mut cells: Vec<&str> = lines[i].split(',').collect();
        cells[2] = "";
        lines[i] = cells.join(",");
    }
    std::fs::write(&wide, lines.join("\n") + "\n").unwrap();
    let out = study.path().join("s");
    let (code, _, stderr) = sensitivity(&config, &out, &["--save-evaluations"]);
    assert_eq!(code, 0, "{stderr}");
    let (h, rows) = table(&out.join("evaluations.csv"));
    let levels: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[col(&h, "imputation")].as_str()).collect();
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), ["baseline", "province mean"]);
    let winmax: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[col(&h, "winmax")].as_str()).collect();
    assert_eq!(winmax.into_iter().collect::<Vec<_>>(), ["1", "2", "3", "4"]);
    let (_, sobol) = table(&out.join("sobol.csv"));
    assert!(sobol.iter().any(|r| r[3] == "imputation"));
}
