//! The report in a real browser: headless Chromium (Debian's chromium package; .ci/run installs
//! it when missing) renders the page and every chart to PNG, and each must have drawn something.
//! Without Chromium the test is skipped with a message, except under CI, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::run_config;

#[path = "support/chromium.rs"]
mod find;
use find::chromium;

/// Screenshots `target` (a file) at `size` into `png`, in a fresh profile, without network chatter.
fn screenshot(browser: &Path, target: &Path, size: (u32, u32), png: &Path, profile: &Path) {
    let status = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", target.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("starting chromium");
    assert!(status.success(), "chromium failed on {}", target.display());
}

/// The share of pixels that are not (near) white.
fn ink(png: &Path) -> f64 {
    let pixmap = resvg::tiny_skia::Pixmap::load_png(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    let pixels = pixmap.pixels();
    let inked = pixels.iter().filter(|p| p.red() < 235 || p.green() < 235 || p.blue() < 235).count();
    inked as f64 / pixels.len() as f64
}

#[test]
fn every_chart_draws_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    let out = tempfile::tempdir().unwrap();
    let stdout = run_config("configs/border-cities.toml", out.path(), &["--report"]);
    assert!(stdout.contains("report.html"));
    let shots = tempfile::tempdir().unwrap();
    let profile = shots.path().join("profile");
    // The whole page first.
    let page = shots.path().join("report.png");
    screenshot(&browser, &out.path().join("report.html"), (1000, 4000), &page, &profile);
    assert!(ink(&page) > 0.02, "the report page rendered almost blank");
    let mut charts: Vec<PathBuf> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    charts.sort();
    assert!(charts.len() >= 15, "{charts:?}");
    for chart in charts {
        let png = shots.path().join(chart.file_name().unwrap()).with_extension("png");
        screenshot(&browser, &chart, (800, 1000), &png, &profile);
        let share = ink(&png);
        assert!(share > 0.005, "{} drew almost nothing ({:.4} of its pixels)", chart.display(), share);
    }
}
