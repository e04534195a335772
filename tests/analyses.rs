//! The `[[analysis]]` tables end to end: `resil spatial moran` and `geary` against esda,
//! `resil inequality` against PySAL's inequality, and the documented
//! behaviour of the edge cases (islands, zones too small for their polynomial, unknown members).

use crate::common::{mini_study, resil};

/// An esda reference case and its points and values as a table (id, value, x, y).
fn esda_table(case: &str) -> (serde_json::Value, tempfile::TempDir, String) {
    let r = resil_test_support::reference_case(case);
    let col = |k: &str| resil_test_support::floats(&r[k]);
    let (x, y, v) = (col("x"), col("y"), col("values"));
    let mut text = "id,value,x,y\n".to_string();
    for i in 0..x.len() {
        text += &format!("u{i},{},{},{}\n", v[i], x[i], y[i]);
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.csv");
    std::fs::write(&table, text).unwrap();
    let t = table.to_str().unwrap().to_string();
    (r, dir, t)
}

#[test]
fn spatial_moran_command_matches_esda() {
    // The table of data/reference-cases/esda_moran.json (PySAL esda 2.9.0), kNN k = 3.
    let (r, _dir, t) = esda_table("esda_moran");
    let t = t.as_str();
    let args = [
        "spatial",
        "moran",
        t,
        "--id",
        "id",
        "--value",
        "value",
        "--x",
        "x",
        "--y",
        "y",
        "--knn",
        "3",
        "--permutations",
        "99",
        "--seed",
        "1",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = resil(&args);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let esda = &r["cases"][0];
    for key in ["i", "expected_i", "z_norm", "p_norm", "z_rand", "p_rand"] {
        let (a, b) = (got[key].as_f64().unwrap(), esda[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-12, "{key}: {a} vs {b}");
    }
    let p_sim = got["p_sim"].as_f64().unwrap();
    assert!((0.01..=0.5).contains(&p_sim));
    assert_eq!(resil(&args).1, stdout, "same seed, same output");
    // A missing column and a bad cell are named.
    let (code, _, stderr) = resil(&["spatial", "moran", t, "--id", "id", "--value", "nope", "--x", "x", "--y", "y"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 1: missing column `nope`"), "{stderr}");
    // An id met twice is named at its second line (the first duplicate in file order).
    let text = std::fs::read_to_string(t).unwrap().replace("u4,", "u1,").replace("u7,", "u2,");
    std::fs::write(t, text).unwrap();
    let (code, _, stderr) = resil(&["spatial", "moran", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 6: duplicate id `u1`"), "{stderr}");
    // The same file with \r\n line ends and a blank line after the header: the lines named are
    // the file's (the csv crate's own count would say 6).
    let text = std::fs::read_to_string(t).unwrap().replacen('\n', "\n\n", 1).replace('\n', "\r\n");
    std::fs::write(t, text).unwrap();
    let (code, _, stderr) = resil(&["spatial", "moran", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 7: duplicate id `u1`"), "{stderr}");
    // Weights' flags out of range, or for other weights than those asked for, are refused by name.
    let (_, _fresh_dir, fresh) = esda_table("esda_moran");
    let points = ["spatial", "moran", fresh.as_str(), "--id", "id", "--value", "value", "--x", "x", "--y", "y"];
    for (extra, wanted) in [
        (&["--band=-1"][..], "parameter `band`: the distance band must be positive and finite, got -1"),
        (&["--idw", "--power=0"], "parameter `power`: the inverse-distance power must be positive and finite, got 0"),
        (&["--idw", "--idw-band=nan"], "parameter `band`: the distance band must be positive and finite, got NaN"),
        (&["--knn", "3", "--idw-band", "2"], "--idw-band: only inverse-distance weights take it; add --idw"),
        (&["--band", "2", "--power", "2"], "--power: only inverse-distance weights take it; add --idw"),
    ] {
        let (code, _, stderr) = resil(&[&points[..], extra].concat());
        assert_eq!(code, 1, "{extra:?}");
        assert!(stderr.contains(wanted), "{extra:?}: {stderr}");
    }
    // A blank id, and a latitude or longitude out of range for great-circle distances, are named
    // by line and column (they were taken, the latitude of 95 giving distances of no place).
    let dir = tempfile::tempdir().unwrap();
    for (text, wanted) in [
        (
            "id,value,lon,lat\nu1,1,100,40\n ,2,101,40\nu3,0,100,41\n",
            "line 3, column `id`: empty id; every row needs one",
        ),
        (
            "id,value,lon,lat\nu1,1,100,40\nu2,2,101,40\nu3,0,100,95\n",
            "line 4, column `lat`: 95 is not a latitude in degrees (|latitude| <= 90)",
        ),
        (
            "id,value,lon,lat\nu1,1,-181,40\nu2,2,101,40\nu3,0,100,41\n",
            "line 2, column `lon`: -181 is not a longitude in degrees",
        ),
    ] {
        let table = dir.path().join("points.csv");
        std::fs::write(&table, text).unwrap();
        let t = table.to_str().unwrap();
        let lonlat = ["--id", "id", "--value", "value", "--lon", "lon", "--lat", "lat"];
        for command in [&["spatial", "moran", t][..], &["inequality", t]] {
            let (code, _, stderr) = resil(&[command, &lonlat[..], &["--knn", "1"]].concat());
            assert_eq!(code, 1, "{command:?} {text}");
            assert!(stderr.contains(wanted), "{command:?}: {stderr}");
        }
    }
}

#[test]
fn values_too_large_for_their_sums_of_powers_are_refused_not_given_as_null() {
    // At 1e200 the squares overflow: Moran's I, Geary's C, G, local G and the bivariate I had
    // come out null (NaN) with exit 0.
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("huge.csv");
    let rows: String =
        (0..12).map(|i| format!("u{i},{}e200,{}e200,{},{}\n", 1 + i % 3, 1 + i % 4, i % 4, i / 4)).collect();
    std::fs::write(&table, format!("id,value,other,x,y\n{rows}")).unwrap();
    let t = table.to_str().unwrap();
    let common = ["--id", "id", "--value", "value", "--x", "x", "--y", "y", "--permutations", "9"];
    for (command, what) in [
        (&["spatial", "moran", t][..], "moran"),
        (&["spatial", "geary", t], "geary"),
        (&["spatial", "getis-ord", t], "getis-ord"),
        (&["spatial", "getis-ord", t, "--local"], "local getis-ord"),
        (&["spatial", "moran-bv", t, "--with", "other"], "moran-bv"),
    ] {
        let (code, stdout, stderr) = resil(&[command, &common[..]].concat());
        assert_eq!((code, stdout.as_str()), (1, ""), "{command:?}: {stderr}");
        assert!(stderr.contains(&format!("{what}: the values are too large to compute with")), "{command:?}: {stderr}");
    }
    // The same table scaled to 1e70 is computed.
    std::fs::write(&table, std::fs::read_to_string(&table).unwrap().replace("e200", "e70")).unwrap();
    let (code, _, stderr) = resil(&[&["spatial", "moran", t][..], &common[..]].concat());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn spatial_geary_command_matches_esda() {
    // esda 2.9.0's Geary (data/reference-cases/esda_geary.json), band 1.5 binary links
    // row-standardised, with the same flags as `resil spatial moran`.
    let (r, _dir, t) = esda_table("esda_geary");
    let t = t.as_str();
    let args = ["spatial", "geary", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y", "--band", "1.5"];
    let (code, stdout, stderr) = resil(&args);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let esda = &r["cases"][1];
    assert_eq!(esda["weights"], "band1.5");
    for key in ["c", "z_norm", "p_norm", "z_rand", "p_rand"] {
        let (a, b) = (got[key].as_f64().unwrap(), esda[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-12, "{key}: {a} vs {b}");
    }
    let p_sim = got["p_sim"].as_f64().unwrap();
    assert!((p_sim - esda["p_sim_9999"].as_f64().unwrap()).abs() < 0.03, "{p_sim} from 999 permutations");
    let (code, stdout, _) = resil(&[&args[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0);
    assert!(stdout.starts_with("n,c,expected_c,z_norm"), "{stdout}");
}

#[test]
fn spatial_getis_ord_command_matches_esda() {
    // esda 2.9.0's G and G_Local (data/reference-cases/esda_getis_ord.json), kNN k = 3.
    let (r, _dir, t) = esda_table("esda_getis_ord");
    let t = t.as_str();
    let base = ["spatial", "getis-ord", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y", "--knn", "3"];
    let esda = &r["cases"][0];
    assert_eq!(esda["weights"], "knn3");
    let (code, stdout, stderr) = resil(&base);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for key in ["g", "z_norm", "p_norm"] {
        let (a, b) = (got[key].as_f64().unwrap(), esda[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-12, "{key}: {a} vs {b}");
    }
    let p_sim = got["p_sim"].as_f64().unwrap();
    assert!((p_sim - esda["p_sim_9999"].as_f64().unwrap()).abs() < 0.03, "{p_sim} from 999 permutations");
    for (flags, key) in [(&["--local"][..], "plain"), (&["--local", "--star"][..], "star")] {
        let (code, stdout, stderr) = resil(&[&base[..], flags].concat());
        assert_eq!(code, 0, "{stderr}");
        let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let rows = got["local"].as_array().unwrap();
        assert_eq!(rows.len(), 12);
        for (i, (row, want)) in rows.iter().zip(resil_test_support::floats(&esda["local"][key]["z"])).enumerate() {
            assert!((row["z"].as_f64().unwrap() - want).abs() <= 1e-12, "{key} z[{i}]");
            assert_eq!(row["id"], format!("u{i}"));
        }
    }
    let (code, _, stderr) = resil(&[&base[..], &["--star"]].concat());
    assert_eq!(code, 2, "--star needs --local: {stderr}");
}

#[test]
fn getis_ord_z_that_is_zero_over_zero_is_refused_or_named_never_null() {
    let dir = tempfile::tempdir().unwrap();
    let table = |values: [u8; 5]| {
        let path = dir.path().join(format!("g{}.csv", values.map(|v| v.to_string()).concat()));
        let rows: Vec<String> =
            values.iter().enumerate().map(|(i, v)| format!("u{i},{v},{},{}", i % 2, i / 2)).collect();
        std::fs::write(&path, format!("id,value,x,y\n{}\n", rows.join("\n"))).unwrap();
        path.to_str().unwrap().to_string()
    };
    let same = table([2, 2, 2, 2, 2]);
    let args = |t: &str| -> Vec<String> {
        ["spatial", "getis-ord", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y", "--knn", "2"]
            .map(String::from)
            .to_vec()
    };
    let run = |extra: &[&str], t: &str| {
        let all: Vec<String> = args(t).into_iter().chain(extra.iter().map(|s| s.to_string())).collect();
        resil(&all.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // Every value the same: z had been written null with exit 0.
    for extra in [&[][..], &["--local"]] {
        let (code, _, stderr) = run(extra, &same);
        assert_eq!(code, 1, "{extra:?}");
        assert!(stderr.contains("every value is the same: the z-score of G is undefined (0/0)"), "{stderr}");
    }
    // Every value but one the same: that point's local z is undefined, left empty and named.
    let one = table([7, 2, 2, 2, 2]);
    let (code, stdout, stderr) = run(&["--local", "--format", "csv"], &one);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: z and p_norm are undefined (0/0, left empty) at u0: every other value"));
    let first = stdout.lines().nth(1).unwrap();
    assert!(first.starts_with("u0,") && first.contains(",0,,,"), "{first}");
}

#[test]
fn inequality_command_matches_pysal() {
    // PySAL inequality 1.1.2 on its Mexico example (data/reference-cases/pysal_inequality.json):
    // TheilD and Gini of the 1940 per-capita GDP by Hanson's regions, and TheilDSim's printed
    // p-value of the between-group part (0.4 from 999 numpy permutations; ours agree within
    // sampling error).
    let r = resil_test_support::reference_case("pysal_inequality");
    let states = r["states"].as_array().unwrap();
    let regions = resil_test_support::floats(&r["hanson98"]);
    let mut text = "id,gdp,region\n".to_string();
    for (i, row) in r["pcgdp"].as_array().unwrap().iter().enumerate() {
        text += &format!("\"{}\",{},r{}\n", states[i].as_str().unwrap(), row[0], regions[i]);
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("mexico.csv");
    std::fs::write(&table, text).unwrap();
    let t = table.to_str().unwrap();
    let args = ["inequality", t, "--id", "id", "--value", "gdp", "--group", "region", "--permutations", "4999"];
    let (code, stdout, stderr) = resil(&args);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for (key, peer) in [("theil", "theil"), ("theil_between", "between"), ("theil_within", "within"), ("gini", "gini")]
    {
        let (a, b) = (got[key].as_f64().unwrap(), r[peer][0].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-12, "{key}: {a} vs {b}");
    }
    assert_eq!(got["groups"], 5);
    let p = got["p_sim_between"].as_f64().unwrap();
    assert!((p - 0.4).abs() < 0.06, "{p}");
    assert_eq!(resil(&args).1, stdout, "same seed, same output");
    // Without a group: T and Gini only.
    let (_, stdout, _) = resil(&["inequality", t, "--id", "id", "--value", "gdp", "--format", "csv"]);
    assert!(stdout.starts_with("n,theil,theil_between"), "{stdout}");
    assert!(stdout.lines().nth(1).unwrap().contains(",,,"), "no decomposition without --group: {stdout}");
    assert!(stdout.lines().nth(1).unwrap().ends_with(",,"), "nothing permuted, no permutations or seed: {stdout}");
    // Flags that nothing would use are refused (they were ignored, and 999 permutations
    // reported).
    for (flags, message) in [
        (&["--permutations", "99"][..], "--permutations: nothing is permuted here; give --group"),
        (&["--permutations", "99", "--seed", "3"][..], "--permutations and --seed: nothing is permuted here"),
        (&["--knn", "2"][..], "--knn: spatial weights need coordinates, --lon and --lat or --x and --y"),
        (&["--idw", "--binary"][..], "--idw, --binary: spatial weights need coordinates"),
    ] {
        let (code, stdout, stderr) = resil(&[&["inequality", t, "--id", "id", "--value", "gdp"][..], flags].concat());
        assert_eq!((code, stdout.as_str()), (1, ""), "{flags:?}");
        assert!(stderr.contains(message), "{flags:?}: {stderr}");
    }
    // Past a million permutations the count is refused by the flag's parser (2^40 aborted the
    // run of a spatial statistic: their statistics could not be held).
    let (code, _, stderr) =
        resil(&["inequality", t, "--id", "id", "--value", "gdp", "--group", "region", "--permutations", "1000001"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "--permutations <PERMUTATIONS>': at most 1000000 (a pseudo p-value of 1e-6 resolution), got 1000001"
        ),
        "{stderr}"
    );
    // A negative value and a missing column are named with their line and column.
    std::fs::write(&table, "id,gdp\na,1\nb,-2\n").unwrap();
    let (code, _, stderr) = resil(&["inequality", t, "--id", "id", "--value", "gdp"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 3, column `gdp`: `-2`"), "{stderr}");
    let (code, _, stderr) = resil(&["inequality", t, "--id", "id", "--value", "gdp", "--group", "nope"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 1: missing column `nope`"), "{stderr}");
    // A blank group had made a nameless group of the decomposition; values near the largest
    // float had given null measures.
    std::fs::write(&table, "id,gdp,region\na,1,\nb,2,East\n").unwrap();
    let (code, _, stderr) = resil(&["inequality", t, "--id", "id", "--value", "gdp", "--group", "region"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2, column `region`: empty group"), "{stderr}");
    std::fs::write(&table, "id,gdp\na,1e308\nb,1e308\nc,1e308\n").unwrap();
    let (code, _, stderr) = resil(&["inequality", t, "--id", "id", "--value", "gdp"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`gdp` is too large to compute with"), "{stderr}");
}

#[test]
fn inequality_command_adds_the_spatial_gini_with_coordinates() {
    // PySAL inequality 1.1.2 Gini_Spatial on kNN k = 3 links (data/reference-cases/
    // pysal_spatial_gini.json): the parts exactly, the p-value within sampling error.
    let (r, _dir, t) = esda_table("pysal_spatial_gini");
    let t = t.as_str();
    let base = ["inequality", t, "--id", "id", "--value", "value", "--x", "x", "--y", "y", "--knn", "3"];
    let (code, stdout, stderr) = resil(&[&base[..], &["--permutations", "9999"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let case = &r["cases"][0];
    assert_eq!(case["weights"], "knn3");
    for key in ["gini", "wg", "wcg", "wcg_share", "polarization"] {
        let (a, b) = (got["spatial_gini"][key].as_f64().unwrap(), case[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{key}: {a} vs PySAL {b}");
    }
    let p = got["spatial_gini"]["p_sim"].as_f64().unwrap();
    assert!((p - case["p_sim_9999"].as_f64().unwrap()).abs() < 0.03, "{p}");
    let (_, csv, _) = resil(&[&base[..], &["--format", "csv", "--permutations", "99"]].concat());
    assert!(csv.starts_with("n,theil,theil_between,theil_within,p_sim_between,gini,groups,wg,wcg,"), "{csv}");
    // Without coordinates there is no spatial part; a bad coordinate is named by line and column.
    let (_, plain, _) = resil(&["inequality", t, "--id", "id", "--value", "value"]);
    assert!(!plain.contains("spatial_gini") && !plain.contains("permutations"), "{plain}");
    std::fs::write(t, "id,x,y,value\na,0,0,1\nb,zero,1,2\nc,1,1,3\n").unwrap();
    let (code, _, stderr) = resil(&base);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 3, column `x`: `zero`"), "{stderr}");
}

#[test]
fn analysis_edge_cases_have_clear_documented_behaviour() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let extra = r#"
[[analysis]]
kind = "moran"
id = "moran-islands"
weights = "band"
band-km = 50.0
permutations = 9

[[analysis]]
kind = "moran"
k = 2
permutations = 99

[[analysis]]
kind = "trend"
point = "seat"
order = 2
[analysis.zones]
"Two points" = ["A", "B"]
"Three points" = ["A", "Beta", "C", "Zeta", "Nowhere"]

[[analysis]]
kind = "transitions"
k = 2
min-count = 3

[[analysis]]
kind = "obstacles"
top = 2

[[analysis]]
kind = "geary"
k = 2
permutations = 99

[[analysis]]
kind = "geary"
id = "geary-islands"
weights = "band"
band-km = 50.0
"#;
    let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
    // Every unit an island: Moran's I is undefined, said in the table and the diagnostics.
    assert!(read("moran-islands.csv").contains("no point has a neighbour"), "{}", read("moran-islands.csv"));
    let diagnostics = read("diagnostics.csv");
    assert!(diagnostics.contains("islands") && diagnostics.contains("moran-undefined"), "{diagnostics}");
    assert!(read("moran.csv").lines().count() == 3);
    // Geary's C on the same weights: a row per period, and the same undefined case said alike.
    let geary = read("geary.csv");
    assert_eq!(geary.lines().count(), 3, "{geary}");
    assert!(geary.lines().next().unwrap().starts_with("period,n,c,expected_c"), "{geary}");
    assert!(read("geary-islands.csv").contains("no point has a neighbour"), "{}", read("geary-islands.csv"));
    assert!(diagnostics.contains("geary-undefined"), "{diagnostics}");
    // A zone with fewer points than a quadratic needs is skipped with its reason; excluded and
    // unknown members are left out with a warning.
    let trend = read("trend.csv");
    assert!(trend.contains("Two points,2010,,0,2,2") && trend.contains("skipped: "), "{trend}");
    assert!(trend.contains("Three points,2010,X-Z"), "{trend}");
    assert!(diagnostics.contains("`Zeta` is not a studied unit") && diagnostics.contains("`Nowhere`"), "{diagnostics}");
    // Transitions: 4 units x 1 step, every row below min-count flagged sparse.
    let transitions = read("transitions.csv");
    assert!(transitions.lines().filter(|l| l.starts_with("all,")).count() == 4);
    assert!(transitions.contains(",true,"), "{transitions}");
    assert!(read("obstacles_top.csv").lines().count() == 1 + 4 * 2 * 2);
}

#[test]
fn weights_parameters_for_other_weights_or_out_of_range_are_refused() {
    for (table, wanted) in [
        (
            "weights = \"knn\"\nband-km = 50.0",
            ".band-km`: knn weights take no `band-km` (got 50); it is for weights = \"band\" or \"idw\"",
        ),
        ("weights = \"knn\"\npower = 2.0", ".power`: knn weights take no `power` (got 2); it is for weights = \"idw\""),
        (
            "weights = \"band\"\nband-km = 50.0\nk = 3",
            ".k`: band weights take no `k` (got 3); it is for weights = \"knn\"",
        ),
        ("weights = \"band\"\nband-km = -5.0", ".band-km`: must be positive and finite, got -5"),
        ("weights = \"band\"", ".band-km`: a distance band needs `band-km`"),
        ("weights = \"idw\"\npower = 0.0", ".power`: must be positive and finite, got 0"),
        ("weights = \"knn\"\nk = 0", ".k`: must be at least 1"),
    ] {
        let dir = mini_study();
        let config = dir.path().join("mini.toml");
        let extra = format!("\n[[analysis]]\nkind = \"moran\"\npermutations = 9\n{table}\n");
        let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
        std::fs::write(&config, text).unwrap();
        // Found by `validate`, before any data is scored, and named by the analysis's key.
        let (code, _, stderr) = resil(&["validate", config.to_str().unwrap()]);
        assert_ne!(code, 0, "{table}");
        assert!(stderr.contains("`analysis[") && stderr.contains(wanted), "{table}: {stderr}");
    }
}

#[test]
fn units_without_coordinates_are_an_error_naming_them() {
    let dir = mini_study();
    let units = dir.path().join("units.csv");
    let text = std::fs::read_to_string(&units).unwrap().replace("C,Gamma,P2,102,42", "C,Gamma,P2,,");
    std::fs::write(&units, text).unwrap();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "\n[output]",
        "\n[[analysis]]\nkind = \"moran\"\nk = 2\n\n[output]",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 1);
    // Ids and names as written: they were lowercased with the message ("c (gamma)").
    assert!(stderr.contains("units without seat coordinates: C (Gamma)"), "{stderr}");
}

#[test]
fn subsystem_scores_of_a_weighted_sum_are_weighted_means_of_their_indicators() {
    // Independent computation from intermediates.csv: with wsm, a sub-system's score is
    // sum_j w_j r_ij / sum_j w_j over its indicators.
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("rank = { method = \"topsis\" }", "rank = { method = \"wsm\" }");
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
    let inter = read("intermediates.csv");
    let mut expected: std::collections::BTreeMap<(String, String), (f64, f64)> = Default::default();
    for line in inter.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c[2] == "X1" || c[2] == "X2" {
            let e = expected.entry((c[0].to_string(), c[1].to_string())).or_default();
            e.0 += c[6].parse::<f64>().unwrap();
            e.1 += c[5].parse::<f64>().unwrap();
        }
    }
    let levels = read("levels.csv");
    let mut checked = 0;
    for line in levels.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c[2] == "subsystem" && c[3] == "a" {
            let (num, den) = expected[&(c[0].to_string(), c[1].to_string())];
            assert!((c[4].parse::<f64>().unwrap() - num / den).abs() < 1e-12, "{line}");
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
}

#[test]
fn getis_ord_analysis_gives_global_and_local_tables() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let extra = "\n[[analysis]]\nkind = \"getis-ord\"\nk = 2\npermutations = 99\nseed = 4\n";
    let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
    let global = read("getis-ord.csv");
    assert_eq!(global.lines().count(), 3, "{global}");
    assert!(global.starts_with("period,n,g,expected_g,z_norm,p_norm,p_sim"), "{global}");
    let local = read("getis-ord_local.csv");
    assert_eq!(local.lines().count(), 1 + 4 * 2, "{local}");
    // Independent computation: the 2010 scores of scores.csv on kNN(2) great-circle weights.
    let scores = read("scores.csv");
    let mut values = Vec::new();
    for line in scores.lines().skip(1).filter(|l| l.contains(",2010,")) {
        values.push(line.split(',').nth(4).unwrap().parse::<f64>().unwrap());
    }
    let seats = [(100.0, 40.0), (101.0, 41.0), (102.0, 42.0), (103.0, 43.0)];
    let w = resil_trend::spatial::SpatialWeights::build(
        &seats,
        resil_trend::spatial::Metric::GreatCircleKm,
        resil_trend::spatial::WeightsKind::Knn(2),
        true,
    )
    .unwrap();
    let g = resil_trend::getis_ord::getis_ord(&values, &w, 99, 4).unwrap();
    let row: Vec<&str> = global.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], "2010");
    assert_eq!(row[2].parse::<f64>().unwrap(), g.g);
    assert_eq!(row[6].parse::<f64>().unwrap(), g.p_sim.unwrap());
    let star = resil_trend::getis_ord::local_g(&values, &w, true, 99, 4).unwrap();
    let first: Vec<&str> = local.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[4].parse::<f64>().unwrap(), star[0].g, "G*_i by default");
}

#[test]
fn bivariate_moran_command_and_analysis() {
    // esda 2.9.0's Moran_BV (data/reference-cases/esda_moran_bv.json), kNN k = 3.
    let r = resil_test_support::reference_case("esda_moran_bv");
    let col = |k: &str| resil_test_support::floats(&r[k]);
    let (x, y, v, other) = (col("x"), col("y"), col("values"), col("other"));
    let mut text = "id,value,other,x,y\n".to_string();
    for i in 0..x.len() {
        text += &format!("u{i},{},{},{},{}\n", v[i], other[i], x[i], y[i]);
    }
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(&t, text).unwrap();
    let t = t.to_str().unwrap();
    let args = [
        "spatial", "moran-bv", t, "--id", "id", "--value", "value", "--with", "other", "--x", "x", "--y", "y", "--knn",
        "3",
    ];
    let (code, stdout, stderr) = resil(&args);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let esda = &r["cases"][0];
    assert!((got["i"].as_f64().unwrap() - esda["i"].as_f64().unwrap()).abs() <= 1e-12);
    assert!((got["p_sim"].as_f64().unwrap() - esda["p_sim_9999"].as_f64().unwrap()).abs() < 0.04);
    let (code, _, stderr) = resil(&[&args[..7], &["--with", "nope", "--x", "x", "--y", "y"]].concat());
    assert_eq!(code, 1);
    assert!(stderr.contains("missing column `nope`"), "{stderr}");

    // As an analysis: against an indicator, and against the previous period's scores.
    let study = mini_study();
    let config = study.path().join("mini.toml");
    let extra = "\n[[analysis]]\nkind = \"moran-bv\"\nid = \"bv-x1\"\nk = 2\nwith = \"X1\"\npermutations = 99\n\n[[analysis]]\nkind = \"moran-bv\"\nk = 2\npermutations = 99\n";
    let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
    std::fs::write(&config, &text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(study.path().join("out").join(f)).unwrap();
    assert_eq!(read("bv-x1.csv").lines().count(), 3, "a row per period");
    let previous = read("moran-bv.csv");
    assert_eq!(previous.lines().count(), 2, "from the second period: {previous}");
    assert!(previous.lines().nth(1).unwrap().starts_with("2020,previous-score,4,"), "{previous}");
    std::fs::write(&config, text.replace("with = \"X1\"", "with = \"X9\"")).unwrap();
    let (code, _, stderr) = resil(&["validate", config.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`analysis[0].with`: `X9` is neither an indicator"), "{stderr}");
}

#[test]
fn spatial_gini_analysis_splits_the_gini_between_neighbours_and_the_rest() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let extra = "\n[[analysis]]\nkind = \"spatial-gini\"\nk = 2\npermutations = 99\n";
    let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
    let table = read("spatial-gini.csv");
    assert_eq!(table.lines().count(), 3, "{table}");
    let inequality_gini = |line: &str| line.split(',').nth(1).unwrap().parse::<f64>().unwrap();
    // Its Gini is the scores' Gini; the neighbour and other parts add up to the Gini's total.
    let scores = read("scores.csv");
    let values: Vec<f64> = scores
        .lines()
        .skip(1)
        .filter(|l| l.contains(",2010,"))
        .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    let row = table.lines().nth(1).unwrap();
    assert_eq!(inequality_gini(row), resil_trend::inequality::gini(&values));
    let cells: Vec<f64> = row.split(',').skip(2).take(2).map(|c| c.parse().unwrap()).collect();
    let mean = values.iter().sum::<f64>() / 4.0;
    assert!((cells[0] + cells[1] - inequality_gini(row) * 2.0 * 16.0 * mean).abs() < 1e-12);
}

#[test]
fn mobility_lisa_markov_and_homogeneity_analyses_report_giddys_statistics() {
    let dir = mini_study();
    let config = dir.path().join("mini.toml");
    let extra = "\n[[analysis]]\nkind = \"mobility\"\nk = 2\npermutations = 99\n\n[[analysis]]\nkind = \"lisa-markov\"\nk = 2\n\n[[analysis]]\nkind = \"transitions\"\nk = 2\n";
    let text = std::fs::read_to_string(&config).unwrap().replacen("\n[output]", &format!("{extra}\n[output]"), 1);
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
    let scores = read("scores.csv");
    let period = |p: &str| -> Vec<f64> {
        scores
            .lines()
            .skip(1)
            .filter(|l| l.contains(&format!(",{p},")))
            .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
            .collect()
    };
    // Kendall's tau of the two periods' scores, as the library computes it from scores.csv.
    let mobility = read("mobility.csv");
    assert!(mobility.starts_with("from_period,to_period,tau,tau_p,concordant,discordant,spatial_tau,"), "{mobility}");
    let row: Vec<&str> = mobility.lines().nth(1).unwrap().split(',').collect();
    let tau = resil_trend::mobility::kendall_tau(&period("2010"), &period("2020")).unwrap();
    assert_eq!((row[0], row[1]), ("2010", "2020"));
    assert_eq!(row[2].parse::<f64>().unwrap(), tau.tau);
    assert_eq!(row[4].parse::<usize>().unwrap(), tau.concordant);
    // LISA Markov: one move per unit between the two periods, over the four quadrants.
    let lisa = read("lisa-markov.csv");
    assert_eq!(lisa.lines().count(), 17, "{lisa}");
    let moves: f64 = lisa.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap()).sum();
    assert_eq!(moves, 4.0);
    let json: serde_json::Value = serde_json::from_str(&read("lisa-markov.json")).unwrap();
    assert_eq!(json["result"]["null"], "per-period");
    assert!(json["result"]["independence"]["statistic"].is_number(), "{json}");
    // The spatial Markov homogeneity tests: Q, LR and one chi-squared test per lag grade.
    let tests = read("transitions_homogeneity.csv");
    assert!(tests.starts_with("test,statistic,dof,p_value,data_status\nQ,"), "{tests}");
    assert!(tests.lines().any(|l| l.starts_with("LR,")) && tests.lines().any(|l| l.starts_with("chi2 lag-grade-1,")));
}
