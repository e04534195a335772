//! Snapshots of the flagship run's outputs, floats rounded to 6 decimals (insta).

use crate::common::{round_csv, round_json, run_config};

fn flagship() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    run_config("configs/border-cities.toml", out.path(), &[]);
    out
}

fn read(dir: &tempfile::TempDir, file: &str) -> String {
    std::fs::read_to_string(dir.path().join(file)).unwrap()
}

#[test]
fn flagship_outputs() {
    let out = flagship();
    for file in [
        "scores.csv",
        "weights.csv",
        "regions.csv",
        "levels.csv",
        "indicators.csv",
        "imputed.csv",
        "diagnostics.csv",
        "regions_growth.csv",
        "moran.csv",
        "lisa.csv",
        "trend.csv",
        "trend_direction.csv",
        "transitions.csv",
        "obstacles_top.csv",
        "published.csv",
        "inequality.csv",
    ] {
        insta::assert_snapshot!(file, round_csv(&read(&out, file), 6));
    }
    insta::assert_snapshot!("summary.txt", read(&out, "summary.txt"));
    for file in ["breaks.json", "manifest.json"] {
        let mut v: serde_json::Value = serde_json::from_str(&read(&out, file)).unwrap();
        // A plugin library's bytes differ from one build and machine to the next.
        for p in v["plugins"].as_array_mut().into_iter().flatten() {
            p["library_sha256"] = "[build-dependent]".into();
        }
        insta::assert_snapshot!(file, serde_json::to_string_pretty(&round_json(&v, 6)).unwrap());
    }
    // intermediates.csv has 41 x 3 x 29 rows: snapshot the first unit-period, count the rest.
    let inter = read(&out, "intermediates.csv");
    assert_eq!(inter.lines().count(), 1 + 41 * 3 * 29);
    let head: Vec<&str> = inter.lines().take(30).collect();
    insta::assert_snapshot!("intermediates-head.csv", round_csv(&head.join("\n"), 6));
}

#[test]
fn intermediates_recompute_the_scores() {
    // Independent recomputation from the intermediate table: the normalised value from the raw
    // value and what each step learned (z = s (x - mean) / sd, s = -1 for cost indicators; then
    // r = 0.99 (z - min) / (max - min) + 0.01), and TOPSIS: D+ = ||v - V+||, D- = ||v - V-||,
    // C = D- / (D+ + D-), for every unit-period.
    let out = flagship();
    let cost: Vec<String> = csv::Reader::from_reader(read(&out, "weights.csv").as_bytes())
        .deserialize::<std::collections::BTreeMap<String, String>>()
        .map(|r| r.unwrap())
        .filter(|r| r["polarity"] == "-")
        .map(|r| r["indicator"].clone())
        .collect();
    assert_eq!(cost, ["X12", "X17", "X26", "X28", "X29"]);
    let text = read(&out, "intermediates.csv");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (weighted, best, worst, score) = (col("weighted"), col("ideal_best"), col("ideal_worst"), col("score"));
    let (value, normalized) = (col("value"), col("normalized"));
    let (mean, sd, min, max) =
        (col("normalize[0].mean"), col("normalize[0].sd"), col("normalize[1].min"), col("normalize[1].max"));
    let mut sums: std::collections::BTreeMap<(String, String), (f64, f64, f64)> = Default::default();
    for r in rows.records() {
        let r = r.unwrap();
        let f = |i: usize| r[i].parse::<f64>().unwrap();
        let sign = if cost.contains(&r[2].to_string()) { -1.0 } else { 1.0 };
        let z = sign * (f(value) - f(mean)) / f(sd);
        let expected = 0.99 * (z - f(min)) / (f(max) - f(min)) + 0.01;
        assert!(
            (expected - f(normalized)).abs() < 1e-12,
            "{} {} {}: {expected} vs {}",
            &r[0],
            &r[1],
            &r[2],
            f(normalized)
        );
        let e = sums.entry((r[0].to_string(), r[1].to_string())).or_default();
        e.0 += (f(weighted) - f(best)).powi(2);
        e.1 += (f(weighted) - f(worst)).powi(2);
        e.2 = f(score);
    }
    for ((unit, period), (dp, dm, score)) in sums {
        let c = dm.sqrt() / (dp.sqrt() + dm.sqrt());
        assert!((c - score).abs() < 1e-12, "{unit} {period}: {c} vs {score}");
    }
}
