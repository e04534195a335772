//! `resil run --report` and `resil report`: one self-contained HTML page with inline SVG charts,
//! each chart as SVG, and the units as GeoJSON points.

use crate::common::{resil, run_config};

/// Counts of the elements that carry the data, per chart: a structural snapshot that survives
/// cosmetic changes but not a lost series or unit.
fn structure(svg: &str) -> String {
    let count = |needle: &str| svg.matches(needle).count();
    format!(
        "svg {} | units {} | legend {} | bars {} | series {} | outline paths {}",
        count("<svg"),
        count("class=\"unit\""),
        count("class=\"legend\""),
        count("class=\"bar\""),
        count("class=\"series\""),
        count("<path ")
    )
}

#[test]
fn report_is_self_contained_and_draws_every_chart() {
    let out = tempfile::tempdir().unwrap();
    let stdout = run_config("configs/border-cities.toml", out.path(), &["--report"]);
    assert!(stdout.contains("report.html"), "{stdout}");
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
    let html = read("report.html");
    assert!(html.contains("Synthetic data."), "the report must say the data is partly synthetic");
    assert!(html.contains("Map outlines: Natural Earth 1:110m, public domain; boundaries are illustrative."));
    // The data note names each kind of indicator; the indicator table shows units; the paper's
    // figures stand beside this run's with the reason they differ.
    for expected in [
        "Real: X9",
        "Derived from real sources: X26, X27, X28",
        "Compiled by hand (verify): X25, X29",
        "Synthetic: X1, X2,",
        "<td>Total GDP</td><td>billion RMB</td>",
        "<h2>Published figures beside this run</h2>",
        "this run's data is partly synthetic",
    ] {
        assert!(html.contains(expected), "report.html lacks `{expected}`");
    }
    for fetch in ["src=\"http", "href=\"http", "url(http", "<script src", "<link "] {
        assert!(!html.contains(fetch), "the report fetches something: {fetch}");
    }
    let mut lines = Vec::new();
    for chart in [
        "chart_weights.svg",
        "chart_map_2010.svg",
        "chart_map_2015.svg",
        "chart_map_2020.svg",
        "chart_regions.svg",
        "chart_rank_change.svg",
        // Trend charts: the X-Z and Y-Z planes of the three sample zones.
        "chart_trend_1.svg",
        "chart_trend_2.svg",
        "chart_trend_3.svg",
        "chart_trend_4.svg",
        "chart_trend_5.svg",
        "chart_trend_6.svg",
        // Moran scatter plots, one per period.
        "chart_moran_1.svg",
        "chart_moran_2.svg",
        "chart_moran_3.svg",
    ] {
        let svg = read(chart);
        assert!(html.contains(&svg[..200]), "{chart} is inlined in the page");
        assert!(svg.contains("SYNTHETIC DATA (23 of 29 indicators)"), "{chart} carries the synthetic-data note");
        let png = std::fs::read(out.path().join(chart.replace(".svg", ".png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000, "{chart}: PNG missing or empty");
        lines.push(format!("{chart}: {}", structure(&svg)));
    }
    insta::assert_snapshot!("report-structure", lines.join("\n"));
    let geo: serde_json::Value = serde_json::from_str(&read("units.geojson")).unwrap();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 41);
    assert_eq!(features[0]["geometry"]["type"], "Point");
    assert!(features[0]["properties"]["grade_2020"].as_u64().is_some());
    // `resil report` on the same folder gives the same page.
    let (code, _, stderr) = resil(&["report", out.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read("report.html"), html);
}

#[test]
fn formats_xlsx_adds_every_table_as_a_sheet_of_one_workbook() {
    use calamine::{Data, Reader};
    let dir = crate::common::mini_study();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("dir = \"out\"", "dir = \"out\"\nformats = [\"csv\", \"xlsx\"]");
    std::fs::write(&config, text).unwrap();
    let run = |out: &str| {
        let (code, _, stderr) = resil(&["run", config.to_str().unwrap(), "--strict", "--out", out, "--report"]);
        assert_eq!(code, 0, "{stderr}");
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(a.to_str().unwrap());
    run(b.to_str().unwrap());
    let bytes = std::fs::read(a.join("results.xlsx")).unwrap();
    assert_eq!(bytes, std::fs::read(b.join("results.xlsx")).unwrap(), "the same run gives the same workbook");
    let mut book = calamine::open_workbook_auto(a.join("results.xlsx")).unwrap();
    let csvs: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".csv"))
        .map(|n| n.trim_end_matches(".csv").to_string())
        .collect();
    let mut sheets = book.sheet_names();
    sheets.sort();
    let mut expected = csvs.clone();
    expected.sort();
    assert_eq!(sheets, expected, "a sheet per CSV table");
    let scores = book.worksheet_range("scores").unwrap();
    let mut reader = csv::Reader::from_path(a.join("scores.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let first: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(String::from).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    assert_eq!(scores.get_value((0, at("score"))), Some(&Data::String("score".into())));
    // Numbers are numbers, to the last bit; unit ids stay text.
    assert_eq!(scores.get_value((1, at("score"))), Some(&Data::Float(first[at("score") as usize].parse().unwrap())));
    assert_eq!(scores.get_value((1, at("unit"))), Some(&Data::String(first[at("unit") as usize].clone())));
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("<a href=\"results.xlsx\">results.xlsx</a>"), "the report links the workbook");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["formats"], serde_json::json!(["csv", "xlsx"]));
    // A CSV-only run written over it leaves the workbook there (nothing is deleted), and the
    // report no longer links it: it had linked the earlier run's workbook.
    let csv_only = std::fs::read_to_string(&config).unwrap().replace("formats = [\"csv\", \"xlsx\"]", "");
    std::fs::write(&config, &csv_only).unwrap();
    run(a.to_str().unwrap());
    assert!(a.join("results.xlsx").is_file());
    assert!(!std::fs::read_to_string(a.join("report.html")).unwrap().contains("results.xlsx"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.get("formats").is_none(), "CSV-only manifests keep their bytes");
    std::fs::write(&config, csv_only.replace("dir = \"out\"", "dir = \"out\"\nformats = [\"csv\", \"xlsx\"]")).unwrap();
    // Formats are checked: csv stays (the report and diff read it), nothing unknown.
    for (formats, message) in [
        ("[\"xlsx\"]", "`output.formats`: must include \"csv\""),
        ("[\"csv\", \"pdf\"]", "`output.formats[1]`: unknown format `pdf`"),
    ] {
        let text = std::fs::read_to_string(&config).unwrap();
        let start = text.find("formats = ").unwrap();
        let end = start + text[start..].find('\n').unwrap();
        std::fs::write(&config, format!("{}formats = {formats}{}", &text[..start], &text[end..])).unwrap();
        let (code, _, stderr) = resil(&["validate", config.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(stderr.contains(message), "{stderr}");
    }
}

#[test]
fn report_names_a_folder_that_is_not_a_run_and_checks_given_outlines() {
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = resil(&["report", empty.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not the output folder of a run (it has no manifest.json)"), "{stderr}");
    let (code, _, stderr) = resil(&["report", empty.path().join("nope").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no such folder; give the output folder of `resil run`"), "{stderr}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "nothing is written");

    let dir = crate::common::mini_study();
    let out = dir.path().join("out");
    let (code, _, stderr) =
        resil(&["run", dir.path().join("mini.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let outlines = dir.path().join("square.geojson");
    let square = r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Square"},
        "geometry": {"type": "Polygon", "coordinates": [[[100, 40], [101, 40], [101, 41], [100, 40]]]}}]}"#;
    std::fs::write(&outlines, square).unwrap();
    let (code, _, stderr) = resil(&["report", out.to_str().unwrap(), "--outlines", outlines.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Map outlines: square.geojson, given with --outlines; boundaries are illustrative."));
    assert!(!html.contains("Natural Earth"), "the bundled outlines' credit goes with them");
    let map = std::fs::read_to_string(out.join("chart_map_2020.svg")).unwrap();
    assert_eq!(map.matches("<path d=\"M").count(), 1, "the one square is drawn, and nothing else");
    assert!(
        map.contains("Boundaries are illustrative (square.geojson, given with --outlines)."),
        "the map credits them"
    );

    // A bad file is refused before anything is written, naming the feature and position.
    let before = std::fs::read(out.join("report.html")).unwrap();
    std::fs::write(&outlines, square.replace("[101, 41]", "[101, 141]")).unwrap();
    let (code, _, stderr) = resil(&["report", out.to_str().unwrap(), "--outlines", outlines.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "square.geojson: features[0] (`Square`): geometry.coordinates[0][2]: latitude 141 is outside [-90, 90]"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), before, "the earlier report is kept");

    // A number of the run's tables edited into text is named at its line and column (it had
    // been drawn as a gap or a zero); a blank cell is a missing value.
    for (file, column) in [("scores.csv", "rank"), ("regions.csv", "mean"), ("weights.csv", "weight")] {
        let path = out.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let at = lines[0].split(',').position(|h| h == column).unwrap();
        let mut cells: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        cells[at] = "abc".into();
        lines[2] = cells.join(",");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let (code, _, stderr) = resil(&["report", out.to_str().unwrap()]);
        assert_eq!(code, 1, "{file}");
        assert!(stderr.contains(&format!("{file}, line 3: column `{column}`: `abc` is not a number")), "{stderr}");
        assert_eq!(std::fs::read(out.join("report.html")).unwrap(), before, "the earlier report is kept");
        std::fs::write(&path, text).unwrap();
    }
}

#[test]
fn a_report_draws_this_runs_analyses_under_any_id_and_nothing_an_earlier_run_left() {
    // A LISA under an id of its own (its table is local.csv): its Moran plots had not been drawn,
    // as the report looked for lisa.csv only.
    let dir = crate::common::mini_study();
    let config = dir.path().join("mini.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let lisa = "\n[[analysis]]\nid = \"local\"\nkind = \"lisa\"\npoint = \"seat\"\nk = 2\npermutations = 99\n";
    std::fs::write(&config, text + lisa).unwrap();
    let (out, config) = (dir.path().join("out"), config.to_str().unwrap().to_string());
    let (code, _, stderr) = resil(&["run", &config, "--out", out.to_str().unwrap(), "--report"]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<h2>Moran scatter plot</h2>").count(), 2, "one per period");
    assert!(std::fs::read_to_string(out.join("chart_moran_1.svg")).unwrap().contains("Alpha"));

    // The flagship's run and its sensitivity analysis, then the mini study into the same folder:
    // the flagship's trend, Moran, published and sensitivity files are left there, and had been
    // drawn in the mini study's report.
    let shared = tempfile::tempdir().unwrap();
    run_config("configs/border-cities.toml", shared.path(), &[]);
    let flagship = crate::common::root().join("configs/border-cities.toml");
    let plugins = crate::common::plugin_dir();
    let sensitivity = shared.path().join("sensitivity");
    let (code, _, stderr) = resil(&[
        "sensitivity",
        flagship.to_str().unwrap(),
        "--plugin-dir",
        &plugins,
        "--draws",
        "8",
        "--out",
        sensitivity.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let compare = shared.path().join("compare");
    let (code, _, stderr) =
        resil(&["compare", flagship.to_str().unwrap(), "--plugin-dir", &plugins, "--out", compare.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    // Beside the run of their own config, both are drawn.
    let (code, _, stderr) = resil(&["report", shared.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(shared.path().join("report.html")).unwrap();
    assert!(html.contains("<h2>Method comparison</h2>") && html.contains("<h2>Rank uncertainty</h2>"));
    assert!(!html.contains("was made from another config"));
    let (code, _, stderr) = resil(&["run", &config, "--out", shared.path().to_str().unwrap(), "--report"]);
    assert_eq!(code, 0, "{stderr}");
    // The run says which of the folder's tables are not its own (it deletes nothing).
    assert!(
        stderr.contains("also holds 23 files this command did not write (inequality.csv, inequality.json, lisa.csv, lisa.json, moran.csv and 18 more): an earlier run's? Left as they are"),
        "{stderr}"
    );
    assert!(shared.path().join("trend_points.csv").is_file());
    assert!(!resil(&["run", &config, "--out", out.to_str().unwrap()]).2.contains("did not write"));
    let html = std::fs::read_to_string(shared.path().join("report.html")).unwrap();
    for earlier in
        ["<h2>Trend</h2>", "Published figures", "<h2>Rank uncertainty</h2>", "<h2>Method comparison</h2>", "Heihe"]
    {
        assert!(!html.contains(earlier), "the mini study's report draws the flagship's `{earlier}`");
    }
    assert_eq!(html.matches("<h2>Moran scatter plot</h2>").count(), 2, "the mini study's own");
    assert!(html.contains("compare/ was made from another config than this run's"));
    assert!(html.contains(
        "sensitivity/ was made from another config than this run's (or an earlier version of it), so it is not \
         drawn here: run <code>resil sensitivity</code> again on this config."
    ));
}
