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
    assert!(html.contains("boundaries are illustrative"));
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
