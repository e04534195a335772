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

/// The indicators of the GII as a two-level hierarchy: sub-systems are each gender's dimension
/// (female health: 10/MMR and 1/ABR; empowerment: PR and SE; labour: LFPR; the male health
/// dimension is 1), systems group them by gender (`genders`) or by dimension (`dimensions`).
fn gii_system(by_gender: bool) -> resil_core::IndicatorSystem {
    let members = [
        ("MMR10", "f-health", "female", "health"),
        ("ABR1", "f-health", "female", "health"),
        ("PR_F", "f-empowerment", "female", "empowerment"),
        ("SE_F", "f-empowerment", "female", "empowerment"),
        ("LFPR_F", "f-labour", "female", "labour"),
        ("ONE", "m-health", "male", "health"),
        ("PR_M", "m-empowerment", "male", "empowerment"),
        ("SE_M", "m-empowerment", "male", "empowerment"),
        ("LFPR_M", "m-labour", "male", "labour"),
    ];
    resil_core::IndicatorSystem::new(
        members
            .iter()
            .map(|&(id, sub, gender, dimension)| resil_core::Indicator {
                id: id.into(),
                name: id.into(),
                unit: String::new(),
                system: if by_gender { gender } else { dimension }.into(),
                subsystem: sub.into(),
                polarity: resil_core::Polarity::Benefit,
                source: String::new(),
                provenance: resil_core::Provenance::Real,
                note: String::new(),
            })
            .collect(),
    )
}

/// The `levels` scorer with these three functions (equal weights at every level) on `rows`.
fn levels(system: &resil_core::IndicatorSystem, functions: [resil_rank::LevelSpec; 3], rows: &[Vec<f64>]) -> Vec<f64> {
    use resil_core::{Matrix, Scorer, StageContext, Weights};
    let [subsystem, system_level, index] = functions;
    let params = resil_rank::LevelsParams { subsystem, system: system_level, index };
    let m = Matrix::from_rows(rows);
    let polarity = system.polarities();
    let fitted = params
        .check()
        .unwrap()
        .fit(&m, &Weights(vec![1.0 / 9.0; 9]), &StageContext::columns(system, &polarity))
        .unwrap()
        .value;
    fitted.score(&m).unwrap().value.score
}

fn level(function: &str, p: Option<f64>) -> resil_rank::LevelSpec {
    resil_rank::LevelSpec {
        function: resil_rank::Mean::from(function.to_string()),
        p,
        weights: resil_rank::LevelWeights::Named("equal".into()),
        ..Default::default()
    }
}

#[test]
fn harmonic_and_power_levels_reproduce_the_published_gender_inequality_index() {
    // A published example of the harmonic mean (and of the power mean with p = -1): the UNDP
    // Gender Inequality Index (HDR 2023/24 technical notes), GII = 1 - HARM(G_F, G_M) / G_F,M,
    // with G_F and G_M the geometric means of each gender's health, empowerment and labour
    // dimensions (geometric within each dimension: health sqrt(10/MMR x 1/ABR), with MMR
    // truncated to [10, 1000], male health 1; empowerment sqrt(PR x SE)), HARM their harmonic
    // mean, and G_F,M the geometric mean of the dimensions' arithmetic means over the genders.
    // Each step is a `levels` function; the published GII of every country-year of data/hdi/gii.csv
    // (rounded to 3 decimals) is met within 5e-4.
    let rows = rows(&root().join("data/hdi/gii.csv"));
    assert!(rows.len() > 600, "{} country-years", rows.len());
    let inputs: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            let f = |k: &str| r[k].parse::<f64>().unwrap();
            let share = |k: &str| f(k) / 100.0;
            vec![
                10.0 / f("MMR").clamp(10.0, 1000.0),
                1.0 / f("ABR"),
                share("PR_F"),
                share("SE_F"),
                share("LFPR_F"),
                1.0,
                share("PR_M"),
                share("SE_M"),
                share("LFPR_M"),
            ]
        })
        .collect();
    let (genders, dimensions) = (gii_system(true), gii_system(false));
    let harm = levels(&genders, [level("geometric", None), level("geometric", None), level("harmonic", None)], &inputs);
    let power =
        levels(&genders, [level("geometric", None), level("geometric", None), level("power", Some(-1.0))], &inputs);
    let pooled =
        levels(&dimensions, [level("geometric", None), level("arithmetic", None), level("geometric", None)], &inputs);
    let mut worst: f64 = 0.0;
    for (i, r) in rows.iter().enumerate() {
        let published: f64 = r["GII"].parse().unwrap();
        let gii = 1.0 - harm[i] / pooled[i];
        assert!((harm[i] - power[i]).abs() < 1e-12, "{}: harmonic {} vs power -1 {}", r["unit"], harm[i], power[i]);
        worst = worst.max((gii - published).abs());
        assert!((gii - published).abs() <= 5e-4, "{} {}: GII {gii} vs published {published}", r["unit"], r["year"]);
    }
    assert!(worst > 1e-4, "the published values are rounded; a gap of {worst} is suspiciously small");
}
