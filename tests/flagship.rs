//! The flagship is the paper's study: its config against Table 2 row by row, the paper-weights
//! preset against Table 2's weights, the synthetic panel's magnitudes and coherence, the
//! published figures beside the run's, and a panel swapped by one `[[source]]` change.

use std::collections::BTreeMap;

use crate::common::{root, run_config};

fn csv_maps(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

fn table2() -> Vec<BTreeMap<String, String>> {
    csv_maps(&root().join("data/border-cities/paper-table2.csv"))
}

#[test]
fn flagship_indicators_are_table_2_row_by_row() {
    let loaded = resil_config::load(&root().join("configs/border-cities.toml"), true).unwrap();
    let table = table2();
    assert_eq!(table.len(), 29);
    assert_eq!(loaded.config.indicators.len(), table.len(), "one [[indicator]] per row of Table 2");
    for (i, (ind, row)) in loaded.config.indicators.iter().zip(&table).enumerate() {
        let place = format!("indicator {} (Table 2 row {})", ind.id, i + 1);
        assert_eq!(ind.id, row["id"], "{place}: id");
        assert_eq!(ind.name, row["name"], "{place}: name");
        assert_eq!(ind.unit, row["unit"], "{place}: unit");
        assert_eq!(ind.system, row["system"], "{place}: system");
        assert_eq!(ind.subsystem, row["subsystem"], "{place}: sub-system");
        assert_eq!(ind.polarity.to_string(), row["polarity"], "{place}: polarity");
    }
}

#[test]
fn paper_weights_preset_scores_with_table_2_weights_and_table_3_grades() {
    let out = tempfile::tempdir().unwrap();
    run_config("configs/paper-weights.toml", out.path(), &[]);
    let weights = csv_maps(&out.path().join("weights.csv"));
    let printed: BTreeMap<String, f64> =
        table2().iter().map(|r| (r["id"].clone(), r["weight"].parse().unwrap())).collect();
    let sum: f64 = printed.values().sum();
    assert!((sum - 1.0002).abs() < 1e-12, "Table 2's weights as printed sum to 1.0002, got {sum}");
    assert_eq!(weights.len(), 29);
    for w in &weights {
        let ours: f64 = w["weight"].parse().unwrap();
        let theirs = printed[&w["indicator"]];
        assert!((ours - theirs).abs() < 1e-4, "{}: {ours} vs Table 2's {theirs}", w["indicator"]);
        // Renormalised exactly: each printed weight divided by the printed sum.
        assert!((ours - theirs / sum).abs() < 1e-15, "{}", w["indicator"]);
        assert!(!w["unit"].is_empty(), "{}: weights.csv shows the unit", w["indicator"]);
    }
    let diagnostics = std::fs::read_to_string(out.path().join("diagnostics.csv")).unwrap();
    assert!(
        diagnostics.contains("weights-renormalised") && diagnostics.contains("sum to 1.0002 (+0.000200 from 1)"),
        "{diagnostics}"
    );
    let breaks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("breaks.json")).unwrap()).unwrap();
    assert_eq!(breaks["groups"][0]["cuts"], serde_json::json!([0.2865, 0.3235, 0.3625, 0.4095]));
}

#[test]
fn compare_shows_what_the_entropy_weights_change() {
    let out = tempfile::tempdir().unwrap();
    let config = root().join("configs/paper-weights.toml");
    let dir = crate::common::plugin_dir();
    let (code, stdout, stderr) = crate::common::resil(&[
        "compare",
        config.to_str().unwrap(),
        "--strict",
        "--plugin-dir",
        &dir,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("entropy-weights"), "{stdout}");
    let md = std::fs::read_to_string(out.path().join("compare.md")).unwrap();
    assert!(md.contains("## entropy-weights against the baseline"), "{md}");
    assert!(md.contains(" of 123 unit-periods change rank;"), "{md}");
    assert_eq!(csv_maps(&out.path().join("compare_units.csv")).len(), 41 * 3);
}

/// Total population per study year as the generator takes it: the census counts of 2010 and
/// 2020 and their geometric mean for 2015.
fn population() -> BTreeMap<(String, i32), f64> {
    let mut pop = BTreeMap::new();
    for r in csv_maps(&root().join("data/border-cities/raw/census_border_units_2010_2020.csv")) {
        let (a, b): (f64, f64) = (r["popu_2010"].parse().unwrap(), r["popu_2020"].parse().unwrap());
        for (year, v) in [(2010, a), (2015, (a * b).sqrt()), (2020, b)] {
            pop.insert((r["city_code"].clone(), year), v);
        }
    }
    pop
}

#[test]
fn synthetic_panel_has_plausible_magnitudes_and_hangs_together() {
    let units = csv_maps(&root().join("data/border-cities/units.csv"));
    // The yearbook is keyed by the code of the year: map old codes (aliases) to today's.
    let current = |code: &str| -> String {
        units
            .iter()
            .find(|u| u["id"] == code || u["aliases"].split(';').any(|a| a == code))
            .map(|u| u["id"].clone())
            .unwrap_or_else(|| panic!("unit {code} not in units.csv"))
    };
    let pop = population();
    let rows = csv_maps(&root().join("data/border-cities/yearbook_synthetic.csv"));
    assert_eq!(rows.len(), 45 * 3);
    // (indicator, lowest, highest) in Table 2's units, for prefectures of 2010-2020.
    let ranges = [
        ("X1", 1.0, 800.0),
        ("X2", 5_000.0, 250_000.0),
        ("X4", 10.0, 80.0),
        ("X6", 0.0, 10.0),
        ("X7", 5.0, 30.0),
        ("X11", -2.0, 3.0),
        ("X12", 0.5, 8.0),
        ("X13", 0.0, 1.5),
        ("X14", 10.0, 120.0),
        ("X16", 0.0, 100.0),
        ("X18", 0.0, 60.0),
        ("X19", 0.0, 100.0),
        ("X21", 0.0, 100.0),
        ("X22", 0.0, 60.0),
        ("X24", 0.0, 5.0),
    ];
    let mut by_year: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for r in &rows {
        let unit = current(&r["unit"]);
        let year: i32 = r["year"].parse().unwrap();
        let get = |id: &str| r[id].parse::<f64>().ok();
        for (id, lo, hi) in ranges {
            if let Some(v) = get(id) {
                assert!((lo..=hi).contains(&v), "{id} of {unit} in {year}: {v} outside [{lo}, {hi}]");
            }
        }
        let p = pop[&(unit.clone(), year)];
        if let (Some(gdp), Some(per_capita)) = (get("X1"), get("X2")) {
            // Total GDP (billion RMB) = GDP per capita x population, within the rounding of X1.
            assert!((gdp - per_capita * p / 1e9).abs() <= 0.005 + 1e-9, "{unit} {year}: X1 {gdp} vs X2 x pop");
            by_year.entry(year).or_default().push(gdp);
            if let Some(savings) = get("X3") {
                let ratio = savings / gdp;
                assert!((0.2..4.0).contains(&ratio), "{unit} {year}: savings / GDP = {ratio}");
            }
            if let Some(trade) = get("X22") {
                // Trade in billion USD scales with GDP in billion RMB (a few to 100 % of GDP).
                let share = trade * 6.5 / gdp;
                assert!((0.0..1.5).contains(&share), "{unit} {year}: trade / GDP = {share}");
            }
        }
        if let Some(students) = get("X10") {
            let per_person = students / p;
            assert!((0.0..0.06).contains(&per_person), "{unit} {year}: undergraduates per person {per_person}");
        }
        if let Some(traffic) = get("X15") {
            let trips = traffic * 1e6 / p;
            assert!((0.5..80.0).contains(&trips), "{unit} {year}: road trips per person {trips}");
        }
    }
    // A trend: the median GDP grows from period to period.
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let medians: Vec<f64> = by_year.values_mut().map(median).collect();
    assert!(medians.windows(2).all(|w| w[1] > w[0]), "median GDP by year: {medians:?}");
    assert!((10.0..200.0).contains(&medians[0]), "median GDP 2010: {}", medians[0]);
}

#[test]
fn run_shows_the_papers_figures_beside_its_own() {
    let out = tempfile::tempdir().unwrap();
    let summary = run_config("configs/border-cities.toml", out.path(), &[]);
    assert!(summary.contains("published figures (Sui, Peng & Wu (2022)"), "{summary}");
    assert!(summary.contains("partly synthetic (23 of 29 indicators)"), "{summary}");
    let rows = csv_maps(&out.path().join("published.csv"));
    let figures = csv_maps(&root().join("data/border-cities/paper-figures.csv"));
    assert_eq!(rows.len(), figures.len());
    let by_id: BTreeMap<&str, &BTreeMap<String, String>> = rows.iter().map(|r| (r["id"].as_str(), r)).collect();
    // The paper's own values, as its text gives them.
    for (id, value) in [
        ("mean-2010", "0.3174"),
        ("mean-2015", "0.3323"),
        ("mean-2020", "0.3397"),
        ("growth-2010-2015", "4.694"),
        ("growth-2015-2020", "2.227"),
        ("north-2010", "0.3222"),
        ("northeast-2010", "0.3128"),
        ("southwest-2010", "0.3053"),
        ("northwest-2010", "0.3043"),
        ("tibet-2010", "0.2604"),
        ("north-2020", "0.3514"),
        ("highest", "0.5048"),
        ("lowest", "0.2449"),
        ("highest-grade-2020", "5"),
        ("higher-grade-2020", "9"),
    ] {
        assert_eq!(by_id[id]["published"], value, "{id}");
        assert!(!by_id[id]["sentence"].is_empty(), "{id} carries its sentence");
    }
    // The paper's figures agree with each other: its growth rates follow from its means.
    let growth = |a: f64, b: f64| (b / a - 1.0) * 100.0;
    assert!((growth(0.3174, 0.3323) - 4.694).abs() < 0.001);
    assert!((growth(0.3323, 0.3397) - 2.227).abs() < 0.001);
    // This run's values are this run's: the means from regions.csv, growth from the means.
    let regions = csv_maps(&out.path().join("regions.csv"));
    let mean = |region: &str, period: &str| -> f64 {
        regions.iter().find(|r| r["region"] == region && r["period"] == period).unwrap()["mean"].parse().unwrap()
    };
    let this = |id: &str| -> f64 { by_id[id]["this_run"].parse().unwrap() };
    assert!((this("mean-2010") - mean("All", "2010")).abs() < 1e-12);
    assert!((this("tibet-2010") - mean("Tibet", "2010")).abs() < 1e-12);
    assert!((this("growth-2015-2020") - growth(mean("All", "2015"), mean("All", "2020"))).abs() < 1e-12);
    assert!((this("north-change-2015-2020") - (mean("North", "2020") - mean("North", "2015"))).abs() < 1e-12);
    let scores = csv_maps(&out.path().join("scores.csv"));
    let score = |unit: &str, period: &str| -> f64 {
        scores.iter().find(|r| r["unit"] == unit && r["period"] == period).unwrap()["score"].parse().unwrap()
    };
    assert_eq!(this("baotou-2020"), score("150200", "2020"));
    let four = ["230300", "231000", "222400", "210600"].iter().map(|u| score(u, "2020")).sum::<f64>() / 4.0;
    assert!((this("northeast-four-2020") - four).abs() < 1e-12);
    let max = scores.iter().map(|r| r["score"].parse::<f64>().unwrap()).fold(f64::MIN, f64::max);
    assert_eq!(this("highest"), max);
    assert!(!by_id["highest"]["this_run_detail"].is_empty(), "the maximum says whose it is");
    let grade5_2020 = scores.iter().filter(|r| r["period"] == "2020" && r["grade"] == "5").count();
    assert_eq!(this("highest-grade-2020"), grade5_2020 as f64);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["published"]["count"], figures.len());
    assert!(manifest["inputs"].as_array().unwrap().iter().any(|i| i["role"] == "published figures"));
}

/// The flagship config's text with its `../` paths made absolute, to be written anywhere.
fn flagship_anywhere() -> String {
    std::fs::read_to_string(root().join("configs/border-cities.toml"))
        .unwrap()
        .replace("\"../", &format!("\"{}/", root().display()))
}

#[test]
fn bad_published_figures_are_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let figures = dir.path().join("figures.csv");
    std::fs::write(
        &figures,
        "id,statistic,period,base_period,region,units,grade,value,measure,sentence\n\
         a,mean,2011,,All,,,0.3,BCR,s\n\
         b,median,2010,,All,,,0.3,BCR,s\n\
         c,unit-score,2010,,,Atlantis,,0.3,BCR,s\n\
         d,mean,2010,,Antarctica,,,x,BCR,s\n\
         e,growth-percent,2015,,All,,,1,%,s\n\
         a,mean,2010,,All,,,0.3,BCR,s\n\
         ,mean,2010,,All,,,0.3,BCR,s\n",
    )
    .unwrap();
    let config = dir.path().join("study.toml");
    let flagship = flagship_anywhere();
    let line = format!("figures = \"{}/data/border-cities/paper-figures.csv\"", root().display());
    assert!(flagship.contains(&line));
    std::fs::write(&config, flagship.replace(&line, "figures = \"figures.csv\"")).unwrap();
    let (code, stdout, stderr) =
        crate::common::resil(&["validate", config.to_str().unwrap(), "--plugin-dir", &crate::common::plugin_dir()]);
    let all = format!("{stdout}{stderr}");
    assert_ne!(code, 0, "{all}");
    for expected in [
        "figures.csv, line 2, column `period`: `2011` is not a period of the study",
        "figures.csv, line 3, column `statistic`: unknown statistic `median`",
        "figures.csv, line 4, column `units`: unknown unit `Atlantis`",
        "figures.csv, line 5, column `region`: no studied unit is in region `Antarctica`",
        "figures.csv, line 5, column `value`: `x` is not a number",
        "figures.csv, line 6, column `base_period`: statistic `growth-percent` needs a base period",
        // Figures are named by id: a repeat, or none, was taken.
        "figures.csv, line 7, column `id`: `a` is also the id on line 2",
        "figures.csv, line 8, column `id`: empty id; every figure needs one",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}

#[test]
fn another_panel_is_one_source_change() {
    // A stand-in for the real yearbook panel: the bundled one with every value changed, in a
    // folder of its own, declared real. The flagship config changes in its `yearbook` source only.
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("yearbook_real.csv");
    let text = std::fs::read_to_string(root().join("data/border-cities/yearbook_synthetic.csv")).unwrap();
    let changed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return line.to_string();
            }
            line.split(',')
                .enumerate()
                .map(|(j, c)| match c.parse::<f64>() {
                    Ok(v) if j >= 2 => format!("{}", v * (1.0 + 0.01 * ((i * 7 + j * 3) % 11) as f64)),
                    _ => c.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    std::fs::write(&panel, changed.join("\n")).unwrap();
    let flagship = flagship_anywhere();
    let source = format!(
        "path = \"{}/data/border-cities/yearbook_synthetic.csv\"\nlayout = \"wide\"\nunit-column = \"unit\"\nperiod-column = \"year\"\nprovenance = \"synthetic\"",
        root().display()
    );
    assert!(flagship.contains(&source), "the flagship's yearbook source as the data README shows it");
    let swapped = flagship.replace(
        &source,
        &format!(
            "path = \"{}\"\nlayout = \"wide\"\nunit-column = \"unit\"\nperiod-column = \"year\"\nprovenance = \"real\"",
            panel.display()
        ),
    );
    assert_eq!(swapped.lines().count(), flagship.lines().count(), "two lines of one [[source]] change");
    let config = dir.path().join("study.toml");
    std::fs::write(&config, swapped).unwrap();
    let out = tempfile::tempdir().unwrap();
    let summary = run_config(config.to_str().unwrap(), out.path(), &[]);
    assert!(!summary.contains("SYNTHETIC"), "no indicator is synthetic any more:\n{summary}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["data_provenance"]["contains_synthetic_data"], false);
    assert_eq!(manifest["data_provenance"]["real"].as_array().unwrap().len(), 24, "X1-X24");
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
    assert!(read("manifest.json").contains("yearbook_real.csv"));
    // Different numbers in, different scores out.
    let bundled = tempfile::tempdir().unwrap();
    run_config("configs/border-cities.toml", bundled.path(), &[]);
    assert_ne!(read("scores.csv"), std::fs::read_to_string(bundled.path().join("scores.csv")).unwrap());
}

/// The paper's weights appear as a sensitivity level in the flagship config and in
/// bench/sensitivity.toml; both are held to configs/paper-weights.toml (itself held to Table 2).
#[test]
fn sensitivity_levels_carry_the_papers_weights() {
    let table = |path: &str| -> toml::Table { std::fs::read_to_string(root().join(path)).unwrap().parse().unwrap() };
    let preset = table("configs/paper-weights.toml")["pipeline"]["weight"]["weights"].clone();
    for path in ["configs/border-cities.toml", "bench/sensitivity.toml"] {
        let config = table(path);
        let levels: Vec<&toml::Value> = config["sensitivity"]["factor"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f.get("level").and_then(|l| l.as_array()))
            .flatten()
            .filter(|l| l["name"].as_str() == Some("paper-weights"))
            .collect();
        assert_eq!(levels.len(), 1, "{path}: one paper-weights level");
        assert_eq!(levels[0]["pipeline"]["weight"]["weights"], preset, "{path}");
    }
}

/// The yearbook panel read from its workbook (one sheet per year, a merged title row, the header
/// on row 2) gives the same run as the CSV file, to the byte.
#[test]
fn the_workbook_panel_gives_the_csv_run() {
    let (csv, xlsx) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_config("configs/border-cities.toml", csv.path(), &[]);
    run_config("configs/border-cities-xlsx.toml", xlsx.path(), &[]);
    for file in ["scores.csv", "weights.csv", "breaks.json", "intermediates.csv", "imputed.csv", "levels.csv"] {
        let (a, b) = (std::fs::read(csv.path().join(file)).unwrap(), std::fs::read(xlsx.path().join(file)).unwrap());
        assert!(a == b, "{file} differs between the CSV and the workbook run");
    }
    let manifest = std::fs::read_to_string(xlsx.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("yearbook_synthetic.xlsx"), "the workbook is an input of the run");
}

/// The flagship's scoring stages as `resil score` flags (a chain of two normalisations, on the
/// chunked path of `resil score`) give its run's weights and scores, from the run's own
/// imputed values (intermediates.csv): one code path for a study and a plain matrix.
#[test]
fn the_flagships_scoring_is_one_resil_score_with_a_normalisation_chain() {
    let out = tempfile::tempdir().unwrap();
    run_config("configs/border-cities.toml", out.path(), &[]);
    let cells = csv_maps(&out.path().join("intermediates.csv"));
    let indicators: Vec<String> = table2().iter().map(|r| r["id"].clone()).collect();
    let polarity: Vec<String> = table2().iter().map(|r| r["polarity"].clone()).collect();
    // One row per unit and period, in the run's row order, one column per indicator.
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for c in &cells {
        let id = format!("{}@{}", c["unit"], c["period"]);
        if rows.last().map(|(last, _)| last != &id).unwrap_or(true) {
            rows.push((id.clone(), Vec::new()));
        }
        let row = rows.last_mut().unwrap();
        assert_eq!(c["indicator"], indicators[row.1.len()], "{id}: indicators in Table 2's order");
        row.1.push(c["value"].clone());
    }
    let mut text = format!("id,{}\n", indicators.join(","));
    for (id, values) in &rows {
        text.push_str(&format!("{id},{}\n", values.join(",")));
    }
    let matrix = out.path().join("flagship-matrix.csv");
    std::fs::write(&matrix, text).unwrap();
    let (code, stdout, stderr) = crate::common::resil(&[
        "score",
        matrix.to_str().unwrap(),
        &format!("--polarity={}", polarity.join(",")),
        "--normalize",
        "zscore",
        "--normalize",
        "minmax",
        "--param",
        "sd=sample",
        "--param",
        "floor=0.01",
        "--weight",
        "entropy",
        "--method",
        "topsis",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let floats =
        |v: &serde_json::Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect() };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
    let scores = csv_maps(&out.path().join("scores.csv"));
    assert_eq!(scores.len(), rows.len());
    for ((s, (id, _)), got) in scores.iter().zip(&rows).zip(floats(&got["scores"])) {
        assert_eq!(format!("{}@{}", s["unit"], s["period"]), *id);
        assert!(close(s["score"].parse().unwrap(), got), "{id}: {} vs {got}", s["score"]);
    }
    let weights = csv_maps(&out.path().join("weights.csv"));
    for (id, got) in indicators.iter().zip(floats(&got["weights"])) {
        let w = weights.iter().find(|r| &r["indicator"] == id).unwrap();
        assert!(close(w["weight"].parse().unwrap(), got), "{id}");
    }
    // A key both steps take must name its step.
    let two_minmax = |param: &str| {
        crate::common::resil(&[
            "score",
            matrix.to_str().unwrap(),
            "--normalize",
            "minmax",
            "--normalize",
            "minmax",
            "--param",
            param,
        ])
    };
    let (code, _, stderr) = two_minmax("floor=0.01");
    assert_ne!(code, 0);
    assert!(stderr.contains("minmax (normalize[0]) and minmax (normalize[1])"), "{stderr}");
    let (code, _, stderr) = two_minmax("normalize[1].floor=0.01");
    assert_eq!(code, 0, "{stderr}");
}

/// Fits like a query engine, as an independent driver of the chunked passes: rows in chunks of
/// seven, each chunk folded on its own, the partial states merged in chunk order.
#[derive(Debug)]
struct SevenRowChunks;

impl resil_pipeline::FitEngine for SevenRowChunks {
    fn name(&self) -> String {
        "seven-row-chunks".into()
    }

    fn fit(
        &self,
        system: &resil_core::IndicatorSystem,
        stages: &resil_pipeline::ScoreStages,
        matrix: &resil_core::Matrix,
        place: resil_core::RowPlace<'_>,
    ) -> resil_core::Result<Vec<Vec<resil_core::chunked::PassState>>> {
        use resil_core::chunked::PassState;
        let chunked = resil_pipeline::ChunkedStages::new(system, stages)?.expect("chunked methods");
        let mut complete: Vec<Vec<PassState>> = Vec::new();
        for stage in 0..chunked.stage_count() {
            let fitted = chunked.fitted(&complete, Some(place))?;
            let mut done: Vec<PassState> = Vec::new();
            for (pass, slots) in chunked.passes(stage, &fitted).iter().enumerate() {
                let mut merged = PassState::new(slots, matrix.ncols());
                for first in (0..matrix.nrows()).step_by(7) {
                    let chunk = matrix.rows(first..(first + 7).min(matrix.nrows()));
                    let mut part = PassState::new(slots, matrix.ncols());
                    chunked.fold(&fitted, stage, pass, &done, &chunk, first, &mut part, Some(place))?;
                    merged.merge(&part);
                }
                done.push(merged);
            }
            complete.push(done);
        }
        Ok(complete)
    }
}

/// `resil run --engine`'s hook: the flagship with its scoring stages fitted elsewhere (here by
/// the chunk driver above; resil-engine's tests do it on DataFusion and Ballista) gives the
/// in-memory run's weights, scores, learned states and grades, and the manifest names the
/// engine. A study whose stages are not all pooled is refused before anything is read.
#[test]
fn the_flagship_run_with_its_scoring_fitted_elsewhere_equals_the_in_memory_run() {
    let config = root().join("configs/border-cities.toml");
    let plugins = vec![std::path::PathBuf::from(crate::common::plugin_dir())];
    let options = |engine: Option<std::sync::Arc<dyn resil_pipeline::FitEngine>>| resil_pipeline::RunOptions {
        strict: true,
        plugin_dirs: plugins.clone(),
        engine,
        stream: false,
    };
    let load = || resil_config::load(&config, true).unwrap();
    let here = resil_pipeline::run(load(), &options(None)).unwrap();
    let there = resil_pipeline::run(load(), &options(Some(std::sync::Arc::new(SevenRowChunks)))).unwrap();
    // Relative to the value: the learned means and sds are in the indicators' units.
    let close = |a: &[f64], b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * (1.0 + x.abs()))
    };
    assert!(close(&here.weights[0].weights.0, &there.weights[0].weights.0));
    assert!(close(&here.scores.score, &there.scores.score));
    assert!(close(here.normalized.as_slice(), there.normalized.as_slice()));
    for (a, b) in here.normalizer_learned.iter().zip(&there.normalizer_learned) {
        assert_eq!((a.step, &a.scope), (b.step, &b.scope));
        for ((na, va), (nb, vb)) in a.columns.iter().zip(&b.columns) {
            assert!(na == nb && close(va, vb), "{na}");
        }
    }
    assert_eq!(here.grades, there.grades);
    assert_eq!(here.ranks, there.ranks);
    assert_eq!(there.manifest["engine"]["name"], "seven-row-chunks");
    assert_eq!(there.manifest["engine"]["fitted"], "zscore+minmax / entropy / topsis");
    assert!(here.manifest.get("engine").is_none(), "an in-memory manifest keeps its bytes");
    assert!(there.notes.iter().any(|n| n.stage == "engine"), "the log says where the stages were fitted");
    // Per-period ideals cannot be fitted on the whole panel at once.
    let per_period = resil_config::load(&root().join("configs/per-period-ideals.toml"), true).unwrap();
    let e = resil_pipeline::run(per_period, &options(Some(std::sync::Arc::new(SevenRowChunks)))).unwrap_err();
    assert!(e.to_string().contains("--engine seven-row-chunks") && e.to_string().contains("pooled"), "{e}");
}
