//! `resil score` and `resil classify` on plain tables: the JSON contract of issue 4 and the
//! published examples through the command line.

use crate::common::resil;

fn write(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap().to_string();
    (dir, p)
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = resil(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Tzeng & Huang (2011)'s matrix, as in data/reference-cases/lit_topsis_skcriteria_tzeng2011_vector.json.
const TZENG: &str = "id,a,b,c\nA1,5,8,4\nA2,7,6,8\nA3,8,8,6\nA4,7,4,6\n";

#[test]
fn classic_topsis_and_vikor_from_the_command_line() {
    let (_d, t) = write(TZENG);
    let out = json(&["score", &t, "--normalize", "vector", "--weight", "fixed:0.3,0.4,0.3", "--method", "topsis"]);
    for (g, e) in floats(&out["scores"]).iter().zip([0.5037, 0.6581, 0.7482, 0.3340]) {
        assert!((g - e).abs() < 1e-4, "{out}");
    }
    assert_eq!(floats(&out["ranks"]), vec![3.0, 2.0, 1.0, 4.0]);
    assert_eq!(floats(&out["weights"]), vec![0.3, 0.4, 0.3]);
    // VIKOR: scores are Q (lower is better), rank 1 has the lowest Q; S and R beside.
    let out = json(&[
        "score",
        &t,
        "--normalize",
        "none",
        "--weight",
        "fixed:0.3,0.4,0.3",
        "--method",
        "vikor",
        "--param",
        "v=0.5",
    ]);
    assert_eq!(floats(&out["Q"]), vec![0.75, 0.25, 0.0, 1.0]);
    assert_eq!(floats(&out["scores"]), floats(&out["Q"]));
    assert_eq!(floats(&out["ranks"]), vec![3.0, 2.0, 1.0, 4.0]);
    for (g, e) in floats(&out["S"]).iter().zip([0.6, 0.3, 0.15, 0.65]) {
        assert!((g - e).abs() < 1e-12);
    }
    assert_eq!(out["compromise"]["solution"], serde_json::json!([2, 1]));
}

#[test]
fn levels_on_a_plain_table_name_their_one_group_all() {
    // A plain table's criteria have no sub-system or system: the level columns are named
    // `subsystem:all` and `system:all` (they were `subsystem:` and `system:`), and with equal
    // weights and the arithmetic mean both equal the score.
    let (_d, t) = write(TZENG);
    let out = json(&["score", &t, "--normalize", "minmax", "--weight", "equal", "--method", "levels"]);
    for column in ["subsystem:all", "system:all"] {
        assert_eq!(floats(&out[column]), floats(&out["scores"]), "{column}: {out}");
    }
    let (code, csv, stderr) =
        resil(&["score", &t, "--normalize", "minmax", "--weight", "equal", "--method", "levels", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(csv.lines().next(), Some("id,score,rank,subsystem:all,system:all"));
}

#[test]
fn polarity_starting_with_a_minus_works_in_both_forms() {
    let (_d, t) = write(TZENG);
    let a = json(&["score", &t, "--polarity=-,+,+", "--method", "wsm"]);
    let b = json(&["score", &t, "--polarity", "-,+,+", "--method", "wsm"]);
    assert_eq!(a, b);
    // Flipping the first criterion changes the answer.
    assert_ne!(a["scores"], json(&["score", &t, "--method", "wsm"])["scores"]);
}

#[test]
fn bad_input_is_named() {
    let (_d, t) = write("id,a,b\nx,1,oops\n");
    let (code, _, stderr) = resil(&["score", &t]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2, column `b`: `oops` is not a finite number"), "{stderr}");
    let (_d2, t2) = write(TZENG);
    let (_, _, stderr) = resil(&["score", &t2, "--weight", "fixed:0.5,0.5"]);
    assert!(stderr.contains("2 weights for 3 criteria"), "{stderr}");
    // The methods' notes read as classify's do ("Warning:" before), stdout the answer alone.
    let (_d4, flat) = write("id,a,b\nx,1,2\ny,3,2\nz,2,2\n");
    let (code, stdout, stderr) = resil(&["score", &flat]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("warning: minmax: indicator `b` has zero spread"), "{stderr}");
    assert!(serde_json::from_str::<serde_json::Value>(&stdout).is_ok(), "{stdout}");
    let (_, _, stderr) = resil(&["score", &t2, "--weight", "fixed:0.5,half,0.25"]);
    assert!(stderr.contains("--weight fixed: `half` is not a number"), "{stderr}");
    // --param weights beside --weight fixed: was overwritten without a word.
    let (code, stdout, stderr) = resil(&["score", &t2, "--weight", "fixed:0.5,0.25,0.25", "--param", "weights={C1=1}"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("--weight fixed: and --param weights both give the weights; give one"), "{stderr}");
    let (_, _, stderr) = resil(&["score", &t2, "--method", "electre"]);
    assert!(
        stderr.contains(&format!(
            "unknown method `electre` (known: {})",
            resil_pipeline::names(resil_pipeline::SCORERS).join(", ")
        )),
        "{stderr}"
    );
    let (_, _, stderr) = resil(&["score", &t2, "--normalize", "none", "--method", "wsm", "--polarity=+,-,+"]);
    assert!(stderr.contains("criterion 2 is a cost criterion"), "{stderr}");
}

/// Criteria are found by name (`--weight fixed:` maps its numbers to names, and the outputs
/// list them) and alternatives by id, so a name or an id twice is an error, with its lines:
/// blank lines and CRLF as the reader counts them, and a quoted id across two lines.
#[test]
fn a_criterion_name_or_an_alternative_id_twice_is_named() {
    for (text, wanted) in [
        ("id,a,a\nx1,1,2\nx2,3,4\n", "line 1: column `a` appears 2 times (columns 2, 3); rename or remove all but one"),
        ("id, a ,b,a\nx1,1,2,3\n", "line 1: column `a` appears 2 times (columns 2, 4)"),
        ("id,a,\nx1,1,2\n", "line 1: column 3 has no name; every criterion needs one"),
        ("id,a,b\nx1,1,2\nx2,3,4\nx1,5,6\n", "line 4: duplicate id `x1` (first on line 2)"),
        ("id,a,b\nx1,1,2\n\n,3,4\nx1,5,6\n", "line 4: empty id; every alternative needs one"),
        // The first id seen again, in file order: x2 at line 5 before x1 at line 6.
        ("id,a,b\r\nx1,1,2\r\n\r\nx2,3,4\r\nx2,5,6\r\nx1,7,8\r\n", "line 5: duplicate id `x2` (first on line 4)"),
        ("id,a,b\n\"x1\",1,2\n\"x\n2\",3,4\n\nx1,5,6\n", "line 6: duplicate id `x1` (first on line 2)"),
    ] {
        let (_d, t) = write(text);
        let (code, stdout, stderr) = resil(&["score", &t]);
        assert_eq!(code, 1, "{text:?}: {stdout}");
        assert!(stderr.contains(&format!("{t}, {wanted}")), "{text:?}: {stderr}");
    }
    // Ids that differ only in case or blanks are different ids.
    let scores = json(&["score", &write("id,a,b\nx1,1,2\nX1,3,4\nx1 ,5,6\n").1]);
    assert_eq!(scores["alternatives"].as_array().unwrap().len(), 3);
}

#[test]
fn score_writes_to_a_file_atomically_and_never_over_its_input() {
    let (dir, t) = write(TZENG);
    let (_, stdout, _) = resil(&["score", &t, "--format", "csv"]);
    let target = dir.path().join("scores.csv");
    let target = target.to_str().unwrap();
    let (code, printed, stderr) = resil(&["score", &t, "--format", "csv", "--out", target]);
    assert_eq!((code, printed.as_str()), (0, ""), "{stderr}");
    assert_eq!(std::fs::read_to_string(target).unwrap(), stdout);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    let (code, _, stderr) = resil(&["score", &t, "--out", &t]);
    assert_eq!(code, 1);
    assert!(stderr.contains("that is the input; choose another file"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&t).unwrap(), TZENG, "the input is untouched");
    let (code, _, stderr) = resil(&["score", &t, "--format", "parquet"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--format parquet needs --out FILE"), "{stderr}");
    // --out naming a folder, or a file in no folder, is said in words (they were os errors).
    let folder = std::path::Path::new(&t).parent().unwrap().to_str().unwrap().to_string();
    let (code, _, stderr) = resil(&["score", &t, "--out", &folder]);
    assert_eq!(code, 1);
    assert!(stderr.contains(&format!("{folder}: is a folder; --out names the file to write")), "{stderr}");
    let nowhere = format!("{folder}/no/such/scores.json");
    let (code, _, stderr) = resil(&["score", &t, "--out", &nowhere]);
    assert_eq!(code, 1);
    assert!(stderr.contains(&format!("{folder}/no/such: no such folder to write {nowhere} in")), "{stderr}");
}

#[test]
fn classify_contract() {
    let (_d, t) = write("name,v\na,1\nb,2\nc,3\nd,10\ne,11\nf,12\ng,20\nh,21\ni,22\n");
    let out = json(&["classify", &t, "--method", "jenks", "--k", "3", "--format", "json"]);
    assert_eq!(floats(&out["breaks"]), vec![3.0, 12.0, 22.0]);
    assert_eq!(floats(&out["classes"]), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0]);
    assert!((out["gvf"].as_f64().unwrap() - (1.0 - 6.0 / 548.0)).abs() < 1e-12);
    // fixed: k - 1 cut points; a value equal to a cut goes to the higher class.
    let out = json(&["classify", &t, "--method", "fixed", "--param", "cuts=3,12"]);
    assert_eq!(floats(&out["classes"]), vec![1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0]);
    assert_eq!(floats(&out["breaks"]), vec![3.0, 12.0, 22.0]);
    // A published cut above the largest value leaves the top class empty; the bounds still
    // ascend, the top class ending at its cut (they were 3, 30, 22).
    let (code, stdout, stderr) = resil(&["classify", &t, "--method", "fixed", "--param", "cuts=3,30"]);
    assert_eq!(code, 0, "{stderr}");
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(floats(&out["breaks"]), vec![3.0, 30.0, 30.0]);
    assert!(
        stderr.contains("1 of 3 classes hold no value (class 3): cut 30 lies above the largest value, 22"),
        "{stderr}"
    );
    let (_, _, stderr) = resil(&["classify", &t, "--method", "fixed", "--param", "cuts=-1,0,30"]);
    assert!(
        stderr.contains(
            "(class 1, 2, 4): cut 30 lies above the largest value, 22; cuts -1, 0 lie below the smallest value, 1"
        ),
        "{stderr}"
    );
    let out = json(&["classify", &t, "--method", "equal-interval", "--k", "3"]);
    assert_eq!(floats(&out["breaks"]), vec![8.0, 15.0, 22.0]);
    // --k where a method takes none, or twice, is refused (fixed's k was ignored, and the
    // --param k=2 under --k 3).
    for (args, message) in [
        (
            &["--method", "fixed", "--k", "5", "--param", "cuts=3,12"][..],
            "--k: fixed takes no k; its classes are set by k - 1 cut points",
        ),
        (&["--method", "head-tail", "--k", "3"][..], "--k: head-tail takes no k; it sets the number of classes itself"),
        (&["--method", "quantile", "--k", "3", "--param", "k=2"][..], "--k 3 and --param k both set k; give one"),
    ] {
        let (code, stdout, stderr) = resil(&[&["classify", t.as_str()][..], args].concat());
        assert_eq!((code, stdout.as_str()), (1, ""), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // Fewer classes than asked for is a note on stderr: stdout is the JSON answer alone.
    let (_d3, ties) = write("v\n1\n1\n1\n2\n");
    let (code, stdout, stderr) = resil(&["classify", &ties, "--method", "quantile", "--k", "3"]);
    assert_eq!(code, 0, "{stderr}");
    let out: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON alone");
    assert_eq!(floats(&out["breaks"]), vec![1.0, 2.0]);
    assert!(
        stderr.contains("warning: 3 classes asked, but the values give 2: equal class bounds were merged"),
        "{stderr}"
    );
    // The same without --k (the default 5), which had gone unsaid.
    let (_, _, stderr) = resil(&["classify", &ties, "--method", "quantile"]);
    assert!(stderr.contains("warning: 5 classes asked, but the values give 3"), "{stderr}");
    let (_, _, stderr) = resil(&["classify", &t, "--method", "pretty", "--k", "3"]);
    assert!(stderr.contains("note: 2 classes, not the 3 asked: the rounded step 20 gives that many"), "{stderr}");
    // Header only, and one value where a spread is needed: said, never null.
    let (_d4, empty) = write("id,v\n");
    let (code, _, stderr) = resil(&["classify", &empty]);
    assert_eq!(code, 1);
    assert!(stderr.contains("t.csv: no rows below the header line: nothing to classify"), "{stderr}");
    let (_d5, one) = write("id,v\na,1\n");
    let (code, stdout, stderr) = resil(&["classify", &one, "--method", "std-mean"]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(stderr.contains("std-mean: a sample standard deviation needs at least 2 values, got 1"), "{stderr}");
    let (_d2, t2) = write("a,b\n1,2\n3,4\n");
    let (code, _, stderr) = resil(&["classify", &t2, "--method", "jenks", "--k", "2"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("several numeric columns (a, b); name one with --value"), "{stderr}");
}

#[test]
fn classify_chooses_k_by_gadf_as_mapclassify() {
    // mapclassify 2.10.0's gadf(y, method, maxk = 15, pct): the smallest k whose GADF exceeds
    // pct, else k = 15 (tests/reference/mapclassify_classifiers.py).
    let r = resil_test_support::reference_case("mapclassify_classifiers");
    for case in r["auto_k"].as_array().unwrap() {
        let values = floats(&r["data"][case["data"].as_str().unwrap()]);
        let (_d, t) = write(&format!("v\n{}\n", values.iter().map(f64::to_string).collect::<Vec<_>>().join("\n")));
        let method = case["method"].as_str().unwrap();
        let gadf = format!("gadf={}", case["gadf_threshold"]);
        let out = json(&["classify", &t, "--method", method, "--param", "k=\"auto\"", "--param", &gadf]);
        let (got, want) = (floats(&out["breaks"]), floats(&case["bins"]));
        assert_eq!(got.len(), case["k"].as_u64().unwrap() as usize, "{case}: {got:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12, "{case}: {got:?}");
        }
        assert!((out["gadf"].as_f64().unwrap() - case["gadf"].as_f64().unwrap()).abs() < 1e-9, "{case}");
    }
    // gadf without k = "auto", and k = "auto" for a method without k, are errors.
    let (_d, t) = write("v\n1\n2\n3\n10\n20\n");
    let (code, _, stderr) = resil(&["classify", &t, "--method", "jenks", "--k", "3", "--param", "gadf=0.9"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("applies only with k = \"auto\""), "{stderr}");
    let (code, _, stderr) = resil(&["classify", &t, "--method", "head-tail", "--param", "k=\"auto\""]);
    assert_eq!(code, 1);
    assert!(stderr.contains("head-tail has no k to choose"), "{stderr}");
}

#[test]
fn a_number_of_classes_past_the_cap_is_refused_where_it_is_given() {
    // 2^40 classes had aborted quantile, equal-interval and jenks-caspall (their bounds could
    // not be allocated), and max-k = 2^40 built classifiers without end.
    let (_d, t) = write("v\n1\n2\n3\n10\n20\n");
    for method in ["jenks", "quantile", "equal-interval", "jenks-caspall", "maximum-breaks", "pretty"] {
        for k in ["1", "1001", "1099511627776"] {
            let (code, _, stderr) = resil(&["classify", &t, "--method", method, "--k", k]);
            assert_eq!(code, 1, "{method} k = {k}: {stderr}");
            assert!(stderr.contains(&format!("must be from 2 to 1000, got {k}")), "{method} k = {k}: {stderr}");
        }
        // 1000 passes the cap (jenks then wants 1000 distinct values).
        let (_, _, stderr) = resil(&["classify", &t, "--method", method, "--k", "1000"]);
        assert!(!stderr.contains("must be from"), "{method} k = 1000: {stderr}");
    }
    let (code, _, stderr) =
        resil(&["classify", &t, "--method", "jenks", "--param", "k=\"auto\"", "--param", "max-k=1099511627776"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--param max-k`: must be a whole number from 2 to 1000, got 1099511627776"), "{stderr}");
}

#[test]
fn criteria_values_too_large_to_compute_with_are_refused_by_score() {
    // 1e200 had given TOPSIS null scores, all ranked 1, and z-scores "every indicator is
    // constant"; the limit is the one `resil run` holds a panel to.
    let (_d, t) = write("id,a,b\nx,1,2\ny,3e200,4\nz,5,6\nw,7,9\n");
    // With no fit at all (no normalisation, weights given, a weighted sum), the rows are read
    // once only to check them: 1e308 had been scored 1e308.
    let no_fit = ["--normalize", "none", "--weight", "fixed:0.5,0.5", "--method", "wsm"];
    let fixed = ["--normalize", "none", "--weight", "fixed:0.5,0.5", "--method", "wpm"];
    for args in [
        &["--normalize", "none"][..],
        &["--normalize", "zscore"],
        &["--method", "vikor"],
        &["--method", "promethee2"],
        &no_fit,
        &fixed,
    ] {
        let (code, _, stderr) = resil(&[&["score", &t][..], args].concat());
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("indicator `a`, row 2: 3e200 is too large to compute with (|x| > 1e150)"),
            "{args:?}: {stderr}"
        );
    }
    let (_d, fine) = write("id,a,b\nx,1,2\ny,3e100,4\nz,5,6\nw,7,9\n");
    assert_eq!(resil(&["score", &fine]).0, 0);
    let out = json(&[&["score", &fine][..], &no_fit].concat());
    assert_eq!(floats(&out["scores"]), vec![1.5, 1.5e100 + 2.0, 5.5, 8.0]);
}

#[test]
fn values_whose_squared_deviations_overflow_are_refused_by_every_classifier() {
    // Around 1e200 the fit statistics had come out null, and Jenks had cut at infinite costs
    // (most values in its top class).
    let values: Vec<String> = (0..20).map(|i| format!("{}e200", 1 + i % 7)).collect();
    let (_d, t) = write(&format!("v\n{}\n", values.join("\n")));
    let (_d2, fine) = write(&format!("v\n{}\n", values.join("\n").replace("e200", "e70")));
    let with_k = ["jenks", "quantile", "equal-interval", "pretty", "jenks-caspall"];
    for method in with_k.iter().chain(&["std-mean", "head-tail", "box-plot"]) {
        let (code, _, stderr) = resil(&["classify", &t, "--method", method]);
        assert_eq!(code, 1, "{method}: {stderr}");
        assert!(stderr.contains("the values are too large to compute with"), "{method}: {stderr}");
        let k: &[&str] = if with_k.contains(method) { &["--k", "3"] } else { &[] };
        let (code, stdout, stderr) = resil(&[&["classify", &fine, "--method", method][..], k].concat());
        assert_eq!(code, 0, "{method}: {stderr}");
        let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(out["gvf"].is_f64(), "{method}: {out}");
    }
    let (code, _, stderr) = resil(&["classify", &t, "--method", "fixed", "--param", "cuts=[3e200]"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("fixed thresholds: the values are too large"), "{stderr}");
}

#[test]
fn classify_chooses_k_by_bic_as_ckmeans() {
    // Ckmeans.1d.dp 4.3.5 itself (tests/reference/ckmeans_bic.R)
    // over k = 2..8 of the exact Jenks classes, from the command line.
    let r = resil_test_support::reference_case("ckmeans_bic");
    let by_bic = |t: &str, extra: &str| {
        let args = ["classify", t, "--method", "jenks", "--param", "k=\"auto\"", "--param", "select=\"bic\""];
        resil(&[&args[..], &["--param", extra]].concat())
    };
    for case in r["cases"].as_array().unwrap() {
        let values = floats(&case["x"]);
        let (_d, t) = write(&format!("v\n{}\n", values.iter().map(f64::to_string).collect::<Vec<_>>().join("\n")));
        let (code, stdout, stderr) = by_bic(&t, "max-k=8");
        assert_eq!(code, 0, "{stderr}");
        let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(floats(&out["breaks"]).len() as u64, case["k"].as_u64().unwrap(), "{out}");
    }
    let (_d, t) = write("v\n1\n2\n3\n10\n20\n");
    let (code, _, stderr) = by_bic(&t, "gadf=0.9");
    assert_eq!(code, 1);
    assert!(stderr.contains("applies only with select = \"gadf\""), "{stderr}");
    let (code, _, stderr) =
        resil(&["classify", &t, "--method", "jenks", "--param", "k=\"auto\"", "--param", "select=\"aic\""]);
    assert_eq!(code, 1);
    assert!(stderr.contains("gadf | bic"), "{stderr}");
}

#[test]
fn minmax_chains_match_pymcdm() {
    // pymcdm 1.4.0 TOPSIS and WSM with minmax_normalization on a 5 x 4 matrix with one cost
    // criterion (tests/reference/pymcdm_methods.py): resil's `minmax` + `fixed` + method.
    let r = resil_test_support::reference_case("pymcdm_methods");
    let (_d, t) = matrix_table(&r["matrix"]);
    for (method, key) in [("topsis", "topsis_minmax"), ("wsm", "wsm_minmax")] {
        let out = json(&[
            "score",
            &t,
            "--polarity=-,+,+,+",
            "--normalize",
            "minmax",
            "--weight",
            "fixed:0.25,0.25,0.25,0.25",
            "--method",
            method,
        ]);
        for (g, e) in floats(&out["scores"]).iter().zip(floats(&r[key])) {
            assert!((g - e).abs() < 1e-12, "{method}: {out}");
        }
    }
}

#[test]
fn direction_keeping_chains_match_pymcdm() {
    // pymcdm 1.4.0 on the benefit columns of the same matrix: WPM on sum-normalised values with
    // weights (0.5, 0.3, 0.2), and standard-deviation weights (tests/reference/pymcdm_methods.py).
    let r = resil_test_support::reference_case("pymcdm_methods");
    let mut text = "id,c2,c3,c4\n".to_string();
    for (i, row) in r["matrix"].as_array().unwrap().iter().enumerate() {
        text += &format!("a{i},{}\n", floats(row)[1..].iter().map(f64::to_string).collect::<Vec<_>>().join(","));
    }
    let (_d, t) = write(&text);
    let out = json(&["score", &t, "--normalize", "sum", "--weight", "fixed:0.5,0.3,0.2", "--method", "wpm"]);
    for (g, e) in floats(&out["scores"]).iter().zip(floats(&r["wpm_sum"])) {
        assert!((g - e).abs() < 1e-12, "wpm: {out}");
    }
    let out = json(&["score", &t, "--normalize", "none", "--weight", "std", "--method", "wsm"]);
    for (g, e) in floats(&out["weights"]).iter().zip(floats(&r["std_weights_benefit"])) {
        assert!((g - e).abs() < 1e-12, "std weights: {out}");
    }
}

#[test]
fn parameters_a_method_does_not_take_are_refused_with_the_flag() {
    let (_d, t) = write(TZENG);
    let (code, _, stderr) = resil(&["score", &t, "--method", "edas", "--param", "rho=0.3"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--param rho`: edas has no parameter `rho`; it takes: no parameters"), "{stderr}");
    let (code, _, stderr) = resil(&["score", &t, "--method", "gra", "--param", "rho=7"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--param rho`: gra:"), "{stderr}");
    let (_d2, v) = write("v\n1\n2\n3\n10\n20\n");
    let (code, _, stderr) = resil(&["classify", &v, "--method", "head-tail", "--param", "k=9"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`--param k`: head-tail has no parameter `k`; it takes: no parameters"), "{stderr}");
    // A parameter without a name is not taken for one named "" (it was "has no parameter ``").
    for (command, file) in [("score", &t), ("classify", &v)] {
        for bad in ["=3", " =3", "k"] {
            let (code, _, stderr) = resil(&[command, file, "--param", bad]);
            assert_eq!(code, 1, "{command} {bad}");
            assert!(stderr.contains(&format!("--param `{bad}`: expected KEY=VALUE")), "{command} {bad}: {stderr}");
        }
    }
    // More classes than the values support: the classes are made, and the empty ones named.
    let (code, _, stderr) = resil(&["classify", &v, "--method", "quantile", "--k", "12"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("warning: 7 of 12 classes hold no value (class 2, 4, 5, 7, 8, 10, 11)"), "{stderr}");
}

#[test]
fn methods_lists_every_method_with_parameters_and_defaults() {
    let (code, stdout, _) = resil(&["methods", "--json"]);
    assert_eq!(code, 0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let find = |stage: &str, name: &str| list.iter().find(|m| m["stage"] == stage && m["name"] == name).cloned();
    let gra = find("rank", "gra").expect("gra listed");
    assert_eq!(gra["params"][0]["name"], "rho");
    assert_eq!(gra["defaults"]["rho"], 0.5);
    assert_eq!(find("rank", "edas").unwrap()["params"].as_array().unwrap().len(), 0);
    assert_eq!(find("normalize", "translate").unwrap()["defaults"]["shift"], 5.0);
    assert_eq!(list.len(), resil_pipeline::catalog().len());
    let (code, text, _) = resil(&["methods", "rank"]);
    assert_eq!(code, 0);
    assert!(text.contains("rank:\n  (every method) scope") && text.contains("    rho "), "{text}");
    assert!(!text.contains("jenks"), "only the stage asked for");
    let (code, _, stderr) = resil(&["methods", "ranks"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown stage `ranks`"), "{stderr}");
}

#[test]
fn both_readings_where_tools_differ() {
    // pymcdm 1.4.0 (tests/reference/pymcdm_readings.py): CRITIC on columns scaled as they are,
    // and WSM / WPM after sum normalisation with the reciprocal for cost columns.
    let r = resil_test_support::reference_case("pymcdm_readings");
    let (_d, t) = matrix_table(&r["matrix"]);
    let close = |got: &serde_json::Value, expected: &serde_json::Value, what: &str| {
        for (g, e) in floats(got).iter().zip(floats(expected)) {
            assert!((g - e).abs() < 1e-12, "{what}: {got} vs {expected}");
        }
    };
    let as_is = json(&[
        "score",
        &t,
        "--polarity=-,+,+,+",
        "--normalize",
        "none",
        "--weight",
        "critic",
        "--param",
        "cost=as-is",
    ]);
    close(&as_is["weights"], &r["critic_as_is"], "critic as-is");
    let spearman = json(&[
        "score",
        &t,
        "--polarity=-,+,+,+",
        "--normalize",
        "none",
        "--weight",
        "critic",
        "--param",
        "correlation=spearman",
    ]);
    close(&spearman["weights"], &r["critic_spearman"], "critic spearman");
    // The default reading flips the cost column before correlating: different weights.
    let flip =
        json(&["score", &t, "--polarity=-,+,+,+", "--normalize", "none", "--weight", "critic", "--method", "topsis"]);
    assert!((floats(&flip["weights"])[0] - floats(&r["critic_as_is"])[0]).abs() > 1e-3);
    for (method, key) in [("wsm", "wsm_sum_reciprocal"), ("wpm", "wpm_sum_reciprocal")] {
        let out = json(&[
            "score",
            &t,
            "--polarity=-,+,+,+",
            "--normalize",
            "sum",
            "--weight",
            "fixed:0.4,0.3,0.2,0.1",
            "--method",
            method,
            "--param",
            "cost=reciprocal",
        ]);
        close(&out["scores"], &r[key], method);
        // The default refuses the cost column.
        let (code, _, stderr) = resil(&[
            "score",
            &t,
            "--polarity=-,+,+,+",
            "--normalize",
            "sum",
            "--weight",
            "fixed:0.4,0.3,0.2,0.1",
            "--method",
            method,
        ]);
        assert_eq!(code, 1);
        assert!(stderr.contains("cost criterion"), "{stderr}");
    }
    // A key two stages' methods take must name its stage.
    let (code, _, stderr) = resil(&[
        "score",
        &t,
        "--polarity=-,+,+,+",
        "--normalize",
        "sum",
        "--weight",
        "critic",
        "--method",
        "wsm",
        "--param",
        "cost=as-is",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`cost` is a parameter of critic (weight) and wsm (method)"), "{stderr}");
}

/// A peer's raw case (`matrix`, `types`, `weights`) as a table and the `score` flags for it.
struct RawCase {
    _dir: tempfile::TempDir,
    table: String,
    columns: usize,
    polarity: String,
    weights: String,
}

/// A peer's decision matrix (rows of numbers) as a table: alternatives a0, a1, ..., criteria
/// c1, c2, ...
fn matrix_table(matrix: &serde_json::Value) -> (tempfile::TempDir, String) {
    let rows: Vec<Vec<f64>> = matrix.as_array().unwrap().iter().map(floats).collect();
    let mut text = format!("id,{}\n", (1..=rows[0].len()).map(|j| format!("c{j}")).collect::<Vec<_>>().join(","));
    for (i, row) in rows.iter().enumerate() {
        text += &format!("a{i},{}\n", row.iter().map(f64::to_string).collect::<Vec<_>>().join(","));
    }
    write(&text)
}

fn raw_case(case: &serde_json::Value) -> RawCase {
    let columns = case["matrix"][0].as_array().unwrap().len();
    let (_dir, table) = matrix_table(&case["matrix"]);
    let polarity: Vec<&str> = floats(&case["types"]).iter().map(|&x| if x > 0.0 { "+" } else { "-" }).collect();
    let polarity = format!("--polarity={}", polarity.join(","));
    let weights =
        format!("fixed:{}", floats(&case["weights"]).iter().map(f64::to_string).collect::<Vec<_>>().join(","));
    RawCase { _dir, table, columns, polarity, weights }
}

#[test]
fn prescribed_scaling_scorers_match_pymcdm() {
    // pymcdm 1.4.0 with its default normalisations on raw matrices (normalize = none), three
    // random cases with benefit and cost criteria (tests/reference/pymcdm_scorers.py).
    let r = resil_test_support::reference_case("pymcdm_scorers");
    for case in r["cases"].as_array().unwrap() {
        let RawCase { _dir, table: t, columns: m, polarity, weights } = raw_case(case);
        let bounds =
            format!("bounds={{{}}}", (1..=m).map(|j| format!("c{j} = [0, 150]")).collect::<Vec<_>>().join(", "));
        for (method, key, extra) in [
            ("aras", "aras", &[][..]),
            ("mabac", "mabac", &[][..]),
            ("mairca", "mairca", &[][..]),
            ("waspas", "waspas", &[][..]),
            ("waspas", "waspas_lambda_0.2", &["lambda=0.2"][..]),
            ("moora", "moora", &[][..]),
            ("ram", "ram", &[][..]),
            ("cocoso", "cocoso", &[][..]),
            ("cocoso", "cocoso_lambda_0.3", &["lambda=0.3"][..]),
            ("codas", "codas", &[][..]),
            ("marcos", "marcos", &[][..]),
            ("ocra", "ocra", &[][..]),
            ("probid", "probid", &[][..]),
            ("sprobid", "sprobid", &[][..]),
            ("spotis", "spotis", &[][..]),
            ("spotis", "spotis_bounds_0_150", &[bounds.as_str()][..]),
            ("aroman", "aroman", &[][..]),
            ("aroman", "aroman_beta_0.3_lambda_0.7", &["beta=0.3", "lambda=0.7"][..]),
        ] {
            let mut args =
                vec!["score", &t, &polarity, "--normalize", "none", "--weight", &weights, "--method", method];
            for p in extra {
                args.extend(["--param", p]);
            }
            let out = json(&args);
            for (g, e) in floats(&out["scores"]).iter().zip(floats(&case[key])) {
                assert!((g - e).abs() < 1e-9 * e.abs().max(1.0), "{key}: {} vs {}", out["scores"], case[key]);
            }
        }
        // MAIRCA's lower gap and SPOTIS's lower distance are better: rank 1 goes to the
        // smallest score, and the output says which way the score runs.
        for method in ["mairca", "spotis"] {
            let out = json(&["score", &t, &polarity, "--normalize", "none", "--weight", &weights, "--method", method]);
            let scores = floats(&out["scores"]);
            let best = scores.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
            assert_eq!(floats(&out["ranks"])[best], 1.0);
            assert_eq!(out["direction"], "lower-is-better", "{method}: {out}");
        }
    }
}

#[test]
fn promethee_matches_pymcdm_for_every_preference_function() {
    // pymcdm 1.4.0 PROMETHEE_II on raw matrices with per-criterion thresholds; the Gaussian
    // function by numpy from Brans' definition (tests/reference/pymcdm_promethee.py).
    let r = resil_test_support::reference_case("pymcdm_promethee");
    for case in r["cases"].as_array().unwrap() {
        let RawCase { _dir, table: t, columns: m, polarity, weights } = raw_case(case);
        let per = |key: &str| {
            let v = floats(&case[key]);
            format!("{key}={{{}}}", (0..m).map(|j| format!("c{} = {}", j + 1, v[j])).collect::<Vec<_>>().join(", "))
        };
        for (function, thresholds) in [
            ("usual", vec![]),
            ("u-shape", vec![per("q")]),
            ("v-shape", vec![per("p")]),
            ("level", vec![per("q"), per("p")]),
            ("linear", vec![per("q"), per("p")]),
            ("gaussian", vec![per("s")]),
        ] {
            let preference = format!("preference=\"{function}\"");
            let mut args =
                vec!["score", &t, &polarity, "--normalize", "none", "--weight", &weights, "--method", "promethee2"];
            args.extend(["--param", &preference]);
            for th in &thresholds {
                args.extend(["--param", th]);
            }
            let out = json(&args);
            for (g, e) in floats(&out["scores"]).iter().zip(floats(&case[function])) {
                assert!((g - e).abs() < 1e-12, "{function}: {} vs {}", out["scores"], case[function]);
            }
        }
        // A threshold the function does not take, or a missing one, is an error naming it.
        let (code, _, stderr) = resil(&["score", &t, &polarity, "--method", "promethee2", "--param", "p=1"]);
        assert_eq!(code, 1);
        assert!(stderr.contains("does not take it"), "{stderr}");
        let (code, _, stderr) = resil(&[
            "score",
            &t,
            &polarity,
            "--method",
            "promethee2",
            "--param",
            "preference=\"level\"",
            "--param",
            "q=1",
        ]);
        assert_eq!(code, 1);
        assert!(stderr.contains("`p`") || stderr.contains(" p"), "{stderr}");
    }
}

#[test]
fn objective_weights_match_pymcdm() {
    // pymcdm 1.4.0 on a raw 6 x 4 matrix with a cost criterion (tests/reference/pymcdm_weights.py),
    // through `resil score --normalize none --weight <method>`.
    let r = resil_test_support::reference_case("pymcdm_weights");
    let (_d, t) = matrix_table(&r["matrix"]);
    for method in ["merec", "gini", "variance", "lopcow", "cilos", "idocriw", "angle"] {
        let out =
            json(&["score", &t, "--polarity=+,+,-,+", "--normalize", "none", "--weight", method, "--method", "topsis"]);
        for (g, e) in floats(&out["weights"]).iter().zip(floats(&r[method])) {
            assert!((g - e).abs() < 1e-9, "{method}: {} vs pymcdm {}", out["weights"], r[method]);
        }
    }
}

#[test]
fn objective_weights_name_a_constant_column_and_refuse_all_constant() {
    // Each weighting gives a constant column weight 0 and says so, as entropy, std and cv do;
    // CILOS and IDOCRIW refuse it (pymcdm gives it the whole weight); all columns constant is an error.
    let (_d, t) = write("id,a,b,c\nx,1,5,3\ny,2,5,1\nz,3,5,2\nw,4,5,7\n");
    for method in ["gini", "merec", "angle", "std", "cv", "critic", "variance"] {
        let argv =
            ["score", t.as_str(), "--normalize", "none", "--weight", method, "--method", "topsis", "--format", "json"];
        let (code, stdout, stderr) = resil(&argv);
        assert_eq!(code, 0, "{method}: {stderr}");
        assert!(stderr.contains("indicator `b` has no spread; its weight is 0"), "{method}: {stderr}");
        let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(floats(&out["weights"])[1], 0.0, "{method}");
    }
    for method in ["cilos", "idocriw"] {
        let (code, _, stderr) = resil(&["score", t.as_str(), "--normalize", "none", "--weight", method]);
        assert!(code == 1 && stderr.contains(&format!("{method}: indicator `b`: is constant")), "{method}: {stderr}");
    }
    let (_d, flat) = write("id,a,b\nx,1,5\ny,1,5\nz,1,5\n");
    for method in ["gini", "merec", "angle"] {
        let (code, _, stderr) = resil(&["score", flat.as_str(), "--normalize", "none", "--weight", method]);
        assert!(code == 1 && stderr.contains("every indicator is constant"), "{method}: {stderr}");
    }
}

/// A stdout whose reader has gone (`resil score ... | head`), or that fails otherwise.
struct Closed(std::io::ErrorKind);

impl std::io::Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(self.0.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_reader_that_stops_early_is_not_an_error_but_a_failing_stdout_is() {
    let (_d, t) = write(TZENG);
    let argv: Vec<String> = ["resil", "score", t.as_str(), "--format", "csv"].map(String::from).to_vec();
    let mut err = Vec::new();
    // It had printed "error: Broken pipe (os error 32)".
    assert_eq!(resil_cli::main_with(&argv, &mut Closed(std::io::ErrorKind::BrokenPipe), &mut err), 0);
    assert_eq!(String::from_utf8(err).unwrap(), "");
    let mut err = Vec::new();
    assert_eq!(resil_cli::main_with(&argv, &mut Closed(std::io::ErrorKind::StorageFull), &mut err), 1);
    assert!(String::from_utf8(err).unwrap().starts_with("error: "));
}
