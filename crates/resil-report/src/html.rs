//! `resil report`: one self-contained HTML page (inline SVG, nothing fetched) and each chart as a
//! standalone SVG, drawn from a run's output folder.

use std::collections::BTreeMap;
use std::path::Path;

use resil_core::{Error, Result};
use serde_json::Value;

use crate::charts;
use crate::outlines::Outlines;

fn read(dir: &Path, file: &str) -> Result<String> {
    let path = dir.join(file);
    std::fs::read_to_string(&path).map_err(|e| Error::io(path, e))
}

/// Reads `file` of the run folder: its header and rows. Every cell of the columns named in
/// `numbers` (a name ending in `*`: every column it begins) must be a number or blank, as the
/// charts read them: a cell edited into text had been drawn as a gap or a zero.
fn csv_rows(dir: &Path, file: &str, numbers: &[&str]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let text = read(dir, file)?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| Error::input(dir.join(file), Some(1), e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let numeric: Vec<usize> = (0..headers.len())
        .filter(|&c| {
            numbers.iter().any(|n| match n.strip_suffix('*') {
                Some(prefix) => headers[c].starts_with(prefix),
                None => headers[c] == *n,
            })
        })
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::input(dir.join(file), None, e.to_string()))?;
        let line = rec.position().map(|p| p.line());
        for &c in &numeric {
            let cell = rec.get(c).unwrap_or("").trim();
            if !cell.is_empty() && cell.parse::<f64>().is_err() {
                let message = format!("column `{}`: `{cell}` is not a number", headers[c]);
                return Err(Error::input(dir.join(file), line, message));
            }
        }
        rows.push(rec.iter().map(String::from).collect());
    }
    Ok((headers, rows))
}

fn col(headers: &[String], name: &str, file: &str) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::input(file, Some(1), format!("missing column `{name}`")))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Renders the report of the run in `dir`: (file name, bytes) of report.html and the charts.
pub fn render_report(dir: &Path, outlines: Option<&Path>) -> Result<Vec<(String, Vec<u8>)>> {
    crate::run_folder(dir)?;
    let manifest: Value = serde_json::from_str(&read(dir, "manifest.json")?)
        .map_err(|e| Error::input(dir.join("manifest.json"), None, e.to_string()))?;
    if manifest.get("stream").is_some() {
        // It had failed on the first file such a run does not write (units.geojson).
        return Err(Error::data(
            dir.display().to_string(),
            "a streamed run (resil run --stream) writes scores, weights, breaks and its manifest only: \
             there is nothing to draw a report from; run the study in memory for one",
        ));
    }
    let outlines = Outlines::load(outlines)?;
    let units: Value = serde_json::from_str(&read(dir, "units.geojson")?)
        .map_err(|e| Error::input(dir.join("units.geojson"), None, e.to_string()))?;
    let breaks: Value = serde_json::from_str(&read(dir, "breaks.json")?)
        .map_err(|e| Error::input(dir.join("breaks.json"), None, e.to_string()))?;
    let periods: Vec<String> =
        manifest["study"]["periods"].as_array().into_iter().flatten().map(|p| p.to_string()).collect();

    // Weights (the first scope group), in file order.
    let (wh, wrows) = csv_rows(dir, "weights.csv", &["weight"])?;
    let (wi, ws, wv, wscope) = (
        col(&wh, "indicator", "weights.csv")?,
        col(&wh, "subsystem", "weights.csv")?,
        col(&wh, "weight", "weights.csv")?,
        col(&wh, "scope", "weights.csv")?,
    );
    let first_scope = wrows.first().map(|r| r[wscope].clone()).unwrap_or_default();
    let mut weights: Vec<(String, String, f64)> = wrows
        .iter()
        .filter(|r| r[wscope] == first_scope)
        .map(|r| (r[wi].clone(), r[ws].clone(), r[wv].parse().unwrap_or(0.0)))
        .collect();
    let sub_order: Vec<String> = weights.iter().fold(Vec::new(), |mut acc, w| {
        if !acc.contains(&w.1) {
            acc.push(w.1.clone());
        }
        acc
    });
    weights.sort_by_key(|w| sub_order.iter().position(|s| *s == w.1));

    // Legend from the first breaks group.
    let labels: Vec<String> =
        breaks["labels"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
    let group = &breaks["groups"][0];
    let uppers: Vec<f64> = group["upper_bounds"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
    let lower = group["min"].as_f64().unwrap_or(0.0);
    let k = uppers.len();
    // The legend from the highest grade down.
    let legend: Vec<(String, String)> = uppers
        .iter()
        .enumerate()
        .rev()
        .map(|(g, &u)| {
            let lo = if g == 0 { lower } else { uppers[g - 1] };
            let label = labels.get(g).cloned().unwrap_or_else(|| format!("{}", g + 1));
            (charts::grade_colour(g + 1, k).to_string(), format!("{label} ({lo:.3}-{u:.3})"))
        })
        .collect();

    let mut files = Vec::new();
    let mut sections = Vec::new();
    let weights_svg = charts::weights_chart(&weights);
    sections.push(("Weights", weights_svg.clone()));
    files.push(("chart_weights.svg".to_string(), weights_svg.into_bytes()));
    for period in &periods {
        let points: Vec<charts::MapPoint> = units["features"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let c = f["geometry"]["coordinates"].as_array()?;
                let grade = f["properties"][format!("grade_{period}")].as_u64()? as usize;
                let name = f["properties"]["name"].as_str().unwrap_or("");
                Some((
                    c[0].as_f64()?,
                    c[1].as_f64()?,
                    charts::grade_colour(grade, k).to_string(),
                    format!("{name} (grade {grade})"),
                ))
            })
            .collect();
        let svg = charts::map_chart(&format!("Grades in {period}"), &outlines, &points, "Grade", &legend);
        files.push((format!("chart_map_{period}.svg"), svg.clone().into_bytes()));
        sections.push(("Map", svg));
    }
    let (rh, rrows) = csv_rows(dir, "regions.csv", &["period", "mean"])?;
    let (rr, rp, rm) =
        (col(&rh, "region", "regions.csv")?, col(&rh, "period", "regions.csv")?, col(&rh, "mean", "regions.csv")?);
    let mut by_region: BTreeMap<String, Vec<(i32, f64)>> = BTreeMap::new();
    for r in &rrows {
        by_region
            .entry(r[rr].clone())
            .or_default()
            .push((r[rp].parse().unwrap_or(0), r[rm].parse().unwrap_or(f64::NAN)));
    }
    let mut series: Vec<(String, Vec<(i32, f64)>)> = by_region.into_iter().filter(|(k, _)| k != "All").collect();
    if let Some(all) = rrows.iter().any(|r| r[rr] == "All").then(|| {
        rrows
            .iter()
            .filter(|r| r[rr] == "All")
            .map(|r| (r[rp].parse().unwrap_or(0), r[rm].parse().unwrap_or(f64::NAN)))
            .collect()
    }) {
        series.push(("All".into(), all));
    }
    let regions_svg = charts::regions_chart(&series);
    files.push(("chart_regions.svg".to_string(), regions_svg.clone().into_bytes()));
    sections.push(("Regions", regions_svg));
    let (sh, srows) = csv_rows(dir, "scores.csv", &["period", "rank"])?;
    let (su, sn, sp, sr) = (
        col(&sh, "unit", "scores.csv")?,
        col(&sh, "name", "scores.csv")?,
        col(&sh, "period", "scores.csv")?,
        col(&sh, "rank", "scores.csv")?,
    );
    if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
        let rank_in = |period: &str| -> BTreeMap<String, (String, f64)> {
            srows
                .iter()
                .filter(|r| r[sp] == *period)
                .map(|r| (r[su].clone(), (r[sn].clone(), r[sr].parse().unwrap_or(f64::NAN))))
                .collect()
        };
        let (a, b) = (rank_in(first), rank_in(last));
        let units_ranks: Vec<(String, f64, f64)> =
            a.iter().filter_map(|(id, (name, ra))| b.get(id).map(|(_, rb)| (name.clone(), *ra, *rb))).collect();
        let svg =
            charts::slope_chart(first.parse().unwrap_or(0), last.parse().unwrap_or(0), &units_ranks, units_ranks.len());
        files.push(("chart_rank_change.svg".to_string(), svg.clone().into_bytes()));
        sections.push(("Rank change", svg));
    }

    for (i, (_, svg)) in trend_charts(dir, &manifest)?.into_iter().enumerate() {
        files.push((format!("chart_trend_{}.svg", i + 1), svg.clone().into_bytes()));
        sections.push(("Trend", svg));
    }
    let mut other_config = Vec::new();
    match made_from_this_config(&dir.join("compare"), "compare.json", &manifest)? {
        Some(true) => {
            if let Some(svg) = compare_heatmap(&dir.join("compare"))? {
                files.push(("chart_compare.svg".to_string(), svg.clone().into_bytes()));
                sections.push(("Method comparison", svg));
            }
        }
        Some(false) => other_config.push(("compare/", "resil compare")),
        None => {}
    }
    let sensitivity = dir.join("sensitivity");
    match made_from_this_config(&sensitivity, "sensitivity.json", &manifest)? {
        Some(true) => {
            for (file, title, svg) in sensitivity_charts(&sensitivity, &outlines, &units, &labels)? {
                files.push((file, svg.clone().into_bytes()));
                sections.push((title, svg));
            }
        }
        Some(false) => other_config.push(("sensitivity/", "resil sensitivity")),
        None => {}
    }
    for (i, (_, svg)) in moran_charts(dir, &manifest)?.into_iter().enumerate() {
        files.push((format!("chart_moran_{}.svg", i + 1), svg.clone().into_bytes()));
        sections.push(("Moran scatter plot", svg));
    }
    let statement = manifest["data_provenance"]["statement"].as_str().unwrap_or("");
    let synthetic = manifest["data_provenance"]["contains_synthetic_data"].as_bool().unwrap_or(false);
    if synthetic {
        // Every chart saved on its own carries the warning too (the PNGs are drawn from these).
        let count = |key: &str| manifest["data_provenance"][key].as_array().map_or(0, Vec::len);
        let total = manifest["indicators"].as_array().map_or(0, Vec::len);
        let note =
            format!("SYNTHETIC DATA ({} of {total} indicators): shows the method, not findings.", count("synthetic"));
        for (_, svg) in files.iter_mut().filter(|(n, _)| n.ends_with(".svg")) {
            *svg = charts::with_note(&String::from_utf8_lossy(svg), &note).into_bytes();
        }
        for (_, svg) in sections.iter_mut() {
            *svg = charts::with_note(svg, &note);
        }
    }
    let mut html = String::new();
    html.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>resil report</title>");
    html.push_str("<style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:900px;margin:2em auto;color:#222}h2{border-bottom:1px solid #ccc}.warn{background:#fff3cd;border:1px solid #e0c36a;padding:.6em}pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:11px}svg{max-width:100%;height:auto}table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style></head><body>");
    html.push_str(&format!("<h1>{}</h1>", esc(manifest["study"]["name"].as_str().unwrap_or("resil run"))));
    if synthetic {
        html.push_str(&format!(
            "<p class=\"warn\"><strong>Synthetic data.</strong> {}. {}</p>",
            esc(statement),
            esc(&provenance_note(&manifest))
        ));
    }
    html.push_str(&format!("<h2>Summary</h2><pre>{}</pre>", esc(&read(dir, "summary.txt")?)));
    let formats = manifest["formats"].as_array();
    if formats.is_some_and(|f| f.iter().any(|f| f == "xlsx")) && dir.join(crate::WORKBOOK).is_file() {
        html.push_str(&format!(
            "<p>Every table of the run as one workbook: <a href=\"{0}\">{0}</a> (a sheet per table).</p>",
            crate::WORKBOOK
        ));
    }
    html.push_str(&indicator_table(dir)?);
    html.push_str(&published_table(dir, &manifest)?);
    for (title, svg) in &sections {
        html.push_str(&format!("<h2>{}</h2>{svg}", esc(title)));
    }
    for (folder, command) in other_config {
        html.push_str(&format!(
            "<p class=\"warn\">{folder} was made from another config than this run's (or an earlier version of \
             it), so it is not drawn here: run <code>{command}</code> again on this config.</p>"
        ));
    }
    html.push_str(&format!(
        "<h2>Manifest</h2><pre>{}</pre><p>{}</p></body></html>\n",
        esc(&serde_json::to_string_pretty(&manifest).unwrap_or_default()),
        esc(&outlines.credit())
    ));
    // Each chart also as PNG.
    let pngs = files
        .iter()
        .filter(|(name, _)| name.ends_with(".svg"))
        .map(|(name, svg)| {
            Ok((name.replace(".svg", ".png"), crate::png::svg_to_png(&String::from_utf8_lossy(svg), 2.0)?))
        })
        .collect::<Result<Vec<_>>>()?;
    files.extend(pngs);
    files.insert(0, ("report.html".to_string(), html.into_bytes()));
    Ok(files)
}

/// Per-period colours of the trend curves, earliest lightest.
const PERIOD_COLOURS: [&str; 4] = ["#9ecae1", "#4292c6", "#08519c", "#08306b"];

/// The file `<id><suffix>.csv` of the first analysis of `kind` the run's manifest lists: the
/// charts draw this run's analyses only, not files an earlier run left in the folder, and find
/// them under any id.
fn analysis_file(manifest: &Value, kind: &str, suffix: &str) -> Option<String> {
    let analyses = manifest["analyses"].as_array()?;
    let id = analyses.iter().find(|a| a["kind"] == kind)?["id"].as_str()?;
    Some(format!("{id}{suffix}.csv"))
}

/// Whether the outputs in `dir` (a folder another command wrote beside the run, with its JSON
/// `record` naming the `config` it was made from) come from the config of the run whose manifest
/// is `manifest`, as it was then (same SHA-256); `None` when `dir` holds no record.
fn made_from_this_config(dir: &Path, record: &str, manifest: &Value) -> Result<Option<bool>> {
    let path = dir.join(record);
    if !path.is_file() {
        return Ok(None);
    }
    let value: Value =
        serde_json::from_str(&read(dir, record)?).map_err(|e| Error::input(&path, None, e.to_string()))?;
    let sha = &value["config"]["sha256"];
    Ok(Some(sha.is_string() && *sha == manifest["config"]["sha256"]))
}

/// Trend charts (paper's Figure 3): per zone, the X-Z and Y-Z projections of the last period's
/// points with the fitted curves of every period. None when the run had no trend analysis.
pub(crate) fn trend_charts(dir: &Path, manifest: &Value) -> Result<Vec<(String, String)>> {
    let (Some(points), Some(curves)) =
        (analysis_file(manifest, "trend", "_points"), analysis_file(manifest, "trend", "_curves"))
    else {
        return Ok(Vec::new());
    };
    let (ph, prows) = csv_rows(dir, &points, &["x_m", "y_m", "z"])?;
    let (ch, crows) = csv_rows(dir, &curves, &["x_m", "z"])?;
    let f = |r: &Vec<String>, c: usize| r[c].parse::<f64>().unwrap_or(f64::NAN);
    let (pz, pp, pu, px, py, pv) = (
        col(&ph, "zone", "")?,
        col(&ph, "period", "")?,
        col(&ph, "unit", "")?,
        col(&ph, "x_m", "")?,
        col(&ph, "y_m", "")?,
        col(&ph, "z", "")?,
    );
    let (cz, cp, cpl, cx, cv) = (
        col(&ch, "zone", "")?,
        col(&ch, "period", "")?,
        col(&ch, "plane", "")?,
        col(&ch, "x_m", "")?,
        col(&ch, "z", "")?,
    );
    let mut zones: Vec<String> = prows.iter().map(|r| r[pz].clone()).collect();
    zones.dedup();
    let mut periods: Vec<String> = prows.iter().map(|r| r[pp].clone()).collect();
    periods.sort();
    periods.dedup();
    let last = periods.last().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for zone in zones.iter().fold(Vec::<String>::new(), |mut a, z| {
        if !a.contains(z) {
            a.push(z.clone())
        }
        a
    }) {
        for (plane, coord) in [("X-Z", px), ("Y-Z", py)] {
            let points: Vec<(f64, f64, &str, String)> = prows
                .iter()
                .filter(|r| r[pz] == zone && r[pp] == last)
                .map(|r| (f(r, coord), f(r, pv), "#fdae6b", format!("{} {last}", r[pu])))
                .collect();
            let lines: Vec<charts::Line<'_>> = periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let pts = crows
                        .iter()
                        .filter(|r| r[cz] == zone && r[cp] == *p && r[cpl] == plane)
                        .map(|r| (f(r, cx), f(r, cv)))
                        .collect();
                    (pts, PERIOD_COLOURS[i.min(PERIOD_COLOURS.len() - 1)], format!("fit {p}"))
                })
                .filter(|line: &charts::Line<'_>| !line.0.is_empty())
                .collect();
            let axis = if plane == "X-Z" { "X (m, Albers, west to east)" } else { "Y (m, Albers, south to north)" };
            let title = format!("Trend, {zone}: {plane} ({last} points)");
            out.push((title.clone(), charts::scatter_chart(&title, axis, "score", &points, &lines, false)));
        }
    }
    Ok(out)
}

/// Moran scatter plots (standardised score against its spatial lag), one per period, from the
/// run's LISA table (points coloured by LISA quadrant) or else its Moran points.
pub(crate) fn moran_charts(dir: &Path, manifest: &Value) -> Result<Vec<(String, String)>> {
    let Some(file) = analysis_file(manifest, "lisa", "").or_else(|| analysis_file(manifest, "moran", "_points")) else {
        return Ok(Vec::new());
    };
    let file = file.as_str();
    let (h, rows) = csv_rows(dir, file, &["z", "lag_z"])?;
    let (cn, cp, cz, cl) =
        (col(&h, "name", file)?, col(&h, "period", file)?, col(&h, "z", file)?, col(&h, "lag_z", file)?);
    let cq = h.iter().position(|c| c == "quadrant");
    let mut periods: Vec<String> = rows.iter().map(|r| r[cp].clone()).collect();
    periods.dedup();
    let mut out = Vec::new();
    for period in periods {
        let pts: Vec<(f64, f64, &str, String)> = rows
            .iter()
            .filter(|r| r[cp] == period)
            .map(|r| {
                let quadrant = cq.map_or("", |c| r[c].as_str());
                let colour = match quadrant {
                    "HH" => "#d7191c",
                    "LL" => "#2c7bb6",
                    "HL" => "#fdae61",
                    "LH" => "#abd9e9",
                    _ => "#888888",
                };
                (
                    r[cz].parse().unwrap_or(f64::NAN),
                    r[cl].parse().unwrap_or(f64::NAN),
                    colour,
                    format!("{} {quadrant}", r[cn]),
                )
            })
            .collect();
        // The least-squares slope of the lag on z is Moran's I under row-standardised weights.
        let n = pts.len() as f64;
        let (sx, sy) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let slope = pts.iter().map(|p| (p.0 - sx) * (p.1 - sy)).sum::<f64>()
            / pts.iter().map(|p| (p.0 - sx).powi(2)).sum::<f64>();
        let (lo, hi) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let line = vec![(lo, sy + slope * (lo - sx)), (hi, sy + slope * (hi - sx))];
        let title = format!("Moran scatter plot, {period}");
        let lines = vec![(line, "#444444", format!("slope {slope:.3}"))];
        out.push((
            title.clone(),
            charts::scatter_chart(&title, "standardised score z", "spatial lag of z", &pts, &lines, true),
        ));
    }
    Ok(out)
}

/// The heatmap of mean Spearman rho between the runs of a comparison, from its
/// compare_correlations.csv; `None` when `dir` holds none.
pub fn compare_heatmap(dir: &Path) -> Result<Option<String>> {
    if !dir.join("compare_correlations.csv").is_file() {
        return Ok(None);
    }
    let (h, rows) = csv_rows(dir, "compare_correlations.csv", &["spearman"])?;
    let (cp, ca, cb, cs) =
        (col(&h, "period", "")?, col(&h, "run_a", "")?, col(&h, "run_b", "")?, col(&h, "spearman", "")?);
    let mut names: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| r[cp] == "mean") {
        for name in [&r[ca], &r[cb]] {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let n = names.len();
    let mut m = vec![vec![1.0; n]; n];
    for r in rows.iter().filter(|r| r[cp] == "mean") {
        let (i, j) =
            (names.iter().position(|x| *x == r[ca]).unwrap_or(0), names.iter().position(|x| *x == r[cb]).unwrap_or(0));
        let v = r[cs].parse().unwrap_or(f64::NAN);
        m[i][j] = v;
        m[j][i] = v;
    }
    Ok(Some(charts::heatmap("Spearman rho of the within-period ranks (mean over periods)", &names, &m)))
}

/// The charts of `resil sensitivity` when it wrote `<run>/sensitivity`: per period the rank
/// intervals, the grade probabilities and a map of the probability of each unit's own grade;
/// then the Sobol indices of the mean absolute rank shift at the full design. (file, title, svg).
fn sensitivity_charts(
    dir: &Path,
    outlines: &Outlines,
    units: &Value,
    labels: &[String],
) -> Result<Vec<(String, &'static str, String)>> {
    use crate::sensitivity_charts as sc;
    if !dir.join("ranks.csv").is_file() {
        return Ok(Vec::new());
    }
    let (h, rows) = csv_rows(
        dir,
        "ranks.csv",
        &["nominal_rank", "median_rank", "rank_p05", "rank_p95", "p_nominal_grade", "p_grade:*"],
    )?;
    let c = |name: &str| col(&h, name, "sensitivity/ranks.csv");
    let (cu, cn, cp, cnom, cmed, c05, c95, cpn) = (
        c("unit")?,
        c("name")?,
        c("period")?,
        c("nominal_rank")?,
        c("median_rank")?,
        c("rank_p05")?,
        c("rank_p95")?,
        c("p_nominal_grade")?,
    );
    let grade_cols: Vec<usize> = (0..h.len()).filter(|&i| h[i].starts_with("p_grade:")).collect();
    let grade_labels: Vec<String> = if labels.len() == grade_cols.len() {
        labels.to_vec()
    } else {
        grade_cols.iter().map(|&i| h[i]["p_grade:".len()..].to_string()).collect()
    };
    let num = |v: &str| v.parse::<f64>().unwrap_or(f64::NAN);
    let mut periods: Vec<String> = Vec::new();
    for r in &rows {
        if !periods.contains(&r[cp]) {
            periods.push(r[cp].clone());
        }
    }
    let coords: BTreeMap<String, (f64, f64)> = units["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let c = f["geometry"]["coordinates"].as_array()?;
            Some((f["properties"]["id"].as_str()?.to_string(), (c[0].as_f64()?, c[1].as_f64()?)))
        })
        .collect();
    let mut out = Vec::new();
    for period in &periods {
        let in_period: Vec<&Vec<String>> = rows.iter().filter(|r| r[cp] == *period).collect();
        let spreads: Vec<sc::RankSpread> = in_period
            .iter()
            .map(|r| sc::RankSpread {
                name: r[cn].clone(),
                nominal: num(&r[cnom]),
                median: num(&r[cmed]),
                p05: num(&r[c05]),
                p95: num(&r[c95]),
                grades: grade_cols.iter().map(|&i| num(&r[i])).collect(),
            })
            .collect();
        out.push((
            format!("chart_rank_uncertainty_{period}.svg"),
            "Rank uncertainty",
            sc::rank_intervals(period, &spreads),
        ));
        out.push((
            format!("chart_grade_probability_{period}.svg"),
            "Grade probabilities",
            sc::grade_probabilities(period, &spreads, &grade_labels),
        ));
        let points: Vec<charts::MapPoint> = in_period
            .iter()
            .filter_map(|r| {
                let &(lon, lat) = coords.get(&r[cu])?;
                let p = num(&r[cpn]);
                Some((lon, lat, sc::probability_colour(p).to_string(), format!("{}: P(own grade) = {p:.2}", r[cn])))
            })
            .collect();
        let legend: Vec<(String, String)> =
            [(0.8, "0.8-1"), (0.6, "0.6-0.8"), (0.4, "0.4-0.6"), (0.2, "0.2-0.4"), (0.0, "0-0.2")]
                .iter()
                .map(|(p, text)| (sc::probability_colour(*p).to_string(), text.to_string()))
                .collect();
        let title = format!("Probability of the own grade in {period}");
        out.push((
            format!("chart_map_grade_probability_{period}.svg"),
            "Grade stability",
            charts::map_chart(&title, outlines, &points, "P(own grade)", &legend),
        ));
    }
    if dir.join("sobol.csv").is_file() {
        let (h, rows) = csv_rows(dir, "sobol.csv", &["base_points", "first_order*", "total*"])?;
        let c = |name: &str| col(&h, name, "sensitivity/sobol.csv");
        let (co, cf, cb) = (c("output")?, c("factor")?, c("base_points")?);
        let cols = [
            c("first_order")?,
            c("first_order_low")?,
            c("first_order_high")?,
            c("total")?,
            c("total_low")?,
            c("total_high")?,
        ];
        let full =
            rows.iter().filter(|r| r[co] == "mean_abs_rank_shift").filter_map(|r| r[cb].parse::<usize>().ok()).max();
        let bars: Vec<sc::FactorBars> = rows
            .iter()
            .filter(|r| r[co] == "mean_abs_rank_shift" && r[cb].parse::<usize>().ok() == full && !r[cols[0]].is_empty())
            .map(|r| {
                let v: Vec<f64> = cols.iter().map(|&i| num(&r[i])).collect();
                (r[cf].clone(), v[0], (v[1], v[2]), v[3], (v[4], v[5]))
            })
            .collect();
        if !bars.is_empty() {
            out.push((
                "chart_sobol.svg".into(),
                "Sensitivity: Sobol indices",
                sc::sobol_bars("mean absolute rank shift", &bars),
            ));
        }
    }
    Ok(out)
}

/// Which indicators are real, derived, compiled (to verify) and synthetic, from the manifest.
fn provenance_note(manifest: &Value) -> String {
    let p = &manifest["data_provenance"];
    let kinds = [
        ("real", "Real"),
        ("derived", "Derived from real sources"),
        ("compiled_verify", "Compiled by hand (verify)"),
        ("synthetic", "Synthetic"),
    ];
    kinds
        .iter()
        .filter_map(|(key, label)| {
            let ids: Vec<&str> = p[key].as_array()?.iter().filter_map(Value::as_str).collect();
            (!ids.is_empty()).then(|| format!("{label}: {}", ids.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn html_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table><tr>");
    for h in header {
        t.push_str(&format!("<th>{}</th>", esc(h)));
    }
    t.push_str("</tr>");
    for r in rows {
        t.push_str("<tr>");
        for c in r {
            t.push_str(&format!("<td>{}</td>", esc(c)));
        }
        t.push_str("</tr>");
    }
    t.push_str("</table>");
    t
}

/// The indicator system with units, polarity, weight (first scope) and provenance, from weights.csv.
fn indicator_table(dir: &Path) -> Result<String> {
    let (h, rows) = csv_rows(dir, "weights.csv", &["weight"])?;
    let columns = ["indicator", "name", "unit", "system", "subsystem", "polarity", "weight", "provenance"];
    let scope = col(&h, "scope", "weights.csv")?;
    let first = rows.first().map(|r| r[scope].clone()).unwrap_or_default();
    let rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r[scope] == first).collect();
    let body = pick_columns(&h, &rows, &columns, "weight", "weights.csv")?;
    Ok(format!("<h2>Indicators</h2><p>Weights fitted on scope `{}`.</p>{}", esc(&first), html_table(&columns, &body)))
}

/// `columns` of `rows`, with the numbers of column `rounded` shown to 4 decimals.
fn pick_columns(
    h: &[String],
    rows: &[Vec<String>],
    columns: &[&str],
    rounded: &str,
    file: &str,
) -> Result<Vec<Vec<String>>> {
    let idx: Vec<usize> = columns.iter().map(|c| col(h, c, file)).collect::<Result<_>>()?;
    let cell = |r: &[String], i: usize| -> String {
        match r[i].parse::<f64>() {
            Ok(v) if h[i] == rounded => format!("{v:.4}"),
            _ => r[i].clone(),
        }
    };
    Ok(rows.iter().map(|r| idx.iter().map(|&i| cell(r, i)).collect()).collect())
}

/// The `[published]` figures beside this run's (published.csv), with the reasons they differ.
fn published_table(dir: &Path, manifest: &Value) -> Result<String> {
    if manifest["published"].is_null() {
        return Ok(String::new());
    }
    let (h, rows) = csv_rows(dir, "published.csv", &[])?;
    let columns = ["id", "published", "this_run", "this_run_detail", "sentence"];
    let body = pick_columns(&h, &rows, &columns, "this_run", "published.csv")?;
    let source = manifest["published"]["source"].as_str().unwrap_or("");
    let reasons: String = manifest["published"]["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|r| format!("<li>{}</li>", esc(r)))
        .collect();
    Ok(format!(
        "<h2>Published figures beside this run</h2><p>From {}. Why they differ:</p><ul class=\"warn\">{reasons}</ul>{}",
        esc(source),
        html_table(&columns, &body)
    ))
}
