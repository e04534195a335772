//! The UNDP Human Development Index from its components: configs/hdi.toml against the published
//! HDI of the 191 countries complete in 2010, 2015, 2020 and 2022 (UNDP HDR 2023/24), and against
//! the technical notes' formula computed here independently.

use std::collections::BTreeMap;

use crate::common::{root, run_config};

fn rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    csv::Reader::from_path(path).unwrap().deserialize().map(|r| r.unwrap()).collect()
}

/// The HDR 2023/24 technical notes' HDI: goalposts (life expectancy 20-85, expected schooling
/// 0-18, mean schooling 0-15, ln GNI per capita ln 100 - ln 75,000), each index capped to [0, 1],
/// education the mean of its two, the HDI the geometric mean of the three dimensions.
fn hdi(le: f64, eys: f64, mys: f64, gni: f64) -> f64 {
    let index = |x: f64, lo: f64, hi: f64| ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    let health = index(le, 20.0, 85.0);
    let education = (index(eys, 0.0, 18.0) + index(mys, 0.0, 15.0)) / 2.0;
    let income = index(gni.ln(), 100f64.ln(), 75000f64.ln());
    (health * education * income).powf(1.0 / 3.0)
}

#[test]
fn hdi_config_reproduces_the_published_index() {
    let out = tempfile::tempdir().unwrap();
    let summary = run_config("configs/hdi.toml", out.path(), &[]);
    assert!(!summary.contains("SYNTHETIC"), "real data: {summary}");
    let published: BTreeMap<(String, String), f64> = rows(&root().join("data/hdi/hdi_published.csv"))
        .into_iter()
        .map(|r| ((r["unit"].clone(), r["year"].clone()), r["hdi"].parse().unwrap()))
        .collect();
    let components: BTreeMap<(String, String), f64> = rows(&root().join("data/hdi/hdi_components.csv"))
        .into_iter()
        .map(|r| {
            let f = |k: &str| r[k].parse::<f64>().unwrap();
            ((r["unit"].clone(), r["year"].clone()), hdi(f("LE"), f("EYS"), f("MYS"), f("GNIPC")))
        })
        .collect();
    let scores = rows(&out.path().join("scores.csv"));
    assert_eq!(scores.len(), 764, "191 countries x 4 years");
    let mut worst: (f64, String) = (0.0, String::new());
    for s in &scores {
        let key = (s["unit"].clone(), s["period"].clone());
        let ours: f64 = s["score"].parse().unwrap();
        let off = (ours - published[&key]).abs();
        if off > worst.0 {
            worst = (off, format!("{key:?}: {ours} vs published {}", published[&key]));
        }
        assert!((ours - components[&key]).abs() < 1e-12, "{key:?}: {ours} vs the formula's {}", components[&key]);
    }
    assert!(worst.0 <= 5e-4, "published HDI is rounded to 3 decimals; largest gap {}", worst.1);
    // Ranks within each year: those of the unrounded formula, exactly (ties share the best rank).
    for year in ["2010", "2015", "2020", "2022"] {
        let formula: Vec<(&String, f64)> =
            components.iter().filter(|((_, y), _)| y == year).map(|((u, _), v)| (u, *v)).collect();
        for s in scores.iter().filter(|s| s["period"] == year) {
            let v = components[&(s["unit"].clone(), year.to_string())];
            let expected_rank = 1 + formula.iter().filter(|(_, w)| *w > v).count();
            assert_eq!(s["rank"], expected_rank.to_string(), "{} {year}", s["unit"]);
        }
    }
    // Levels: each dimension index is in levels.csv and in scores.csv.
    let levels = std::fs::read_to_string(out.path().join("levels.csv")).unwrap();
    for dimension in ["health", "education", "income"] {
        assert!(levels.contains(&format!(",subsystem,{dimension},")), "levels.csv lacks {dimension}");
    }
    let header = std::fs::read_to_string(out.path().join("scores.csv")).unwrap();
    assert!(header.lines().next().unwrap().contains("subsystem:education"), "{}", header.lines().next().unwrap());
    // The manifest records each level's function (the rank parameters) and member weights.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
    let groups = &manifest["aggregation_weights"][0]["groups"];
    assert_eq!(groups["subsystem:education"], serde_json::json!({ "EYS": 0.5, "MYS": 0.5 }));
    assert_eq!(manifest["pipeline"]["rank"]["params"]["system"]["function"], "geometric");
    // Every capped cell is listed, with the goalpost it counts as.
    let capped = rows(&out.path().join("capped.csv"));
    assert!(!capped.is_empty());
    for c in &capped {
        let (value, bound): (f64, f64) = (c["value"].parse().unwrap(), c["counted_as"].parse().unwrap());
        match c["indicator"].as_str() {
            "GNIPC" => assert!(value > 75000.0 && (bound - 75000.0).abs() < 1e-6, "{c:?}"),
            "EYS" => assert!(value > 18.0 && bound == 18.0, "{c:?}"),
            "MYS" => assert!(value > 15.0 && bound == 15.0, "{c:?}"),
            "LE" => assert!(!(20.0..=85.0).contains(&value), "{c:?}"),
            other => panic!("{other}"),
        }
    }
    // Values beyond the goalposts (schooling above 18 years, income above 75,000) are capped, and said so.
    let diagnostics = std::fs::read_to_string(out.path().join("diagnostics.csv")).unwrap();
    assert!(diagnostics.contains("indicator `GNIPC`") && diagnostics.contains("capped to them"), "{diagnostics}");
}

#[test]
fn goalposts_can_come_from_a_csv_file() {
    // The same study with its goalposts in a file: the same scores; a bad cell names file, line
    // and column.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goalposts.csv"),
        "indicator,lo,hi\nLE,20,85\nEYS,0,18\nMYS,0,15\nGNIPC,100,75000\n",
    )
    .unwrap();
    let inline = "goalposts = { LE = [20, 85], EYS = [0, 18], MYS = [0, 15], GNIPC = [100, 75000] }";
    let text = std::fs::read_to_string(root().join("configs/hdi.toml"))
        .unwrap()
        .replace("\"../", &format!("\"{}/", root().display()));
    assert!(text.contains(inline));
    std::fs::write(dir.path().join("hdi.toml"), text.replace(inline, "goalposts = \"goalposts.csv\"")).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_config("configs/hdi.toml", a.path(), &[]);
    run_config(dir.path().join("hdi.toml").to_str().unwrap(), b.path(), &[]);
    let scores = |d: &std::path::Path| std::fs::read_to_string(d.join("scores.csv")).unwrap();
    assert_eq!(scores(a.path()), scores(b.path()));
    let manifest = std::fs::read_to_string(b.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"role\": \"goalposts\""), "the goalposts file is a hashed input");
    std::fs::write(dir.path().join("goalposts.csv"), "indicator,lo,hi\nLE,20,eighty-five\n").unwrap();
    let (code, _, stderr) = crate::common::resil(&["validate", dir.path().join("hdi.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("goalposts.csv, line 2, column `hi`: `eighty-five` is not a number"), "{stderr}");
}
