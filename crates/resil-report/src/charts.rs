//! SVG charts of a run, drawn from its output files: weights by sub-system, a map per period,
//! regional means by period, and a rank slope chart. Plain SVG strings, no network resources.

use std::fmt::Write;

use resil_trend::albers::Albers;
use serde_json::Value;

use crate::outlines::Outlines;

/// Grade colours, light to dark (ColorBrewer YlGnBu), so that the order reads at a glance.
const GRADE_COLOURS: [&str; 7] = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"];

/// The colour of grade `g` (1-based) of `k`.
pub fn grade_colour(g: usize, k: usize) -> &'static str {
    if k <= 1 {
        return GRADE_COLOURS[3];
    }
    let pos = (g.saturating_sub(1)) * (GRADE_COLOURS.len() - 1) / (k - 1);
    GRADE_COLOURS[pos.min(GRADE_COLOURS.len() - 1)]
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub(crate) fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\" role=\"img\"><title>{}</title><rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>",
        esc(title)
    )
}

/// Height of the note strip [`with_note`] adds under a chart.
const NOTE_HEIGHT: f64 = 22.0;

/// The chart `svg` (as made by this module) with a line of `note` under it, so that a chart
/// pasted on its own into a paper still carries the data warning.
pub fn with_note(svg: &str, note: &str) -> String {
    let Some((w, h)) = svg
        .split_once("viewBox=\"0 0 ")
        .and_then(|(_, rest)| rest.split_once('"'))
        .and_then(|(dims, _)| dims.split_once(' '))
        .and_then(|(w, h)| Some((w.parse::<f64>().ok()?, h.parse::<f64>().ok()?)))
    else {
        return svg.to_string();
    };
    let h2 = h + NOTE_HEIGHT;
    let body = svg
        .replacen(
            &format!("viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\""),
            &format!("viewBox=\"0 0 {w} {h2}\" width=\"{w}\" height=\"{h2}\""),
            1,
        )
        .replacen(
            &format!("<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>"),
            &format!("<rect width=\"{w}\" height=\"{h2}\" fill=\"white\"/>"),
            1,
        );
    let body = body.strip_suffix("</svg>").unwrap_or(&body);
    // The white strip hides whatever the chart drew past its old bottom (map outlines).
    format!(
        "{body}<rect x=\"0\" y=\"{h}\" width=\"{w}\" height=\"{NOTE_HEIGHT}\" fill=\"white\"/><text x=\"8\" y=\"{}\" font-size=\"10\" fill=\"#8a4b00\">{}</text></svg>",
        h + 15.0,
        esc(note)
    )
}

/// Horizontal bars of the weights, grouped by sub-system. `rows` are (indicator, sub-system, weight).
pub fn weights_chart(rows: &[(String, String, f64)]) -> String {
    let bar_h = 14.0;
    let mut y = 30.0;
    let max = rows.iter().map(|r| r.2).fold(0.0, f64::max).max(1e-12);
    let mut body = String::new();
    let mut current = "";
    for (id, sub, w) in rows {
        if sub != current {
            y += 8.0;
            let _ = write!(body, "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{}</text>", y + 10.0, esc(sub));
            y += 16.0;
            current = sub;
        }
        let len = 380.0 * w / max;
        let _ = write!(
            body,
            "<text x=\"150\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"156\" y=\"{:.1}\" width=\"{len:.2}\" height=\"{:.1}\" fill=\"#2c7fb8\"/><text x=\"{:.1}\" y=\"{:.1}\">{w:.4}</text>",
            y + 10.0,
            esc(id),
            y,
            bar_h - 3.0,
            160.0 + len,
            y + 10.0
        );
        y += bar_h;
    }
    let h = y + 20.0;
    format!(
        "{}<text x=\"10\" y=\"18\" font-size=\"14\">Weights by sub-system</text>{body}</svg>",
        open(600.0, h, "Weights by sub-system")
    )
}

/// A point of a map: lon, lat, fill colour, tooltip.
pub type MapPoint = (f64, f64, String, String);

/// A map: outlines (GeoJSON polygons) and the units as points in their colours, with a legend
/// (`legend_title`, then (colour, text) from the top down).
pub fn map_chart(
    title: &str,
    outlines: &Outlines,
    points: &[MapPoint],
    legend_title: &str,
    legend: &[(String, String)],
) -> String {
    let albers = Albers::china();
    let (w, h) = (720.0, 520.0);
    // Frame: the units' extent with a margin, in projected metres.
    let proj: Vec<(f64, f64)> = points.iter().map(|p| albers.project(p.0, p.1)).collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in &proj {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let margin = 0.08 * (x1 - x0).max(y1 - y0);
    let (x0, x1, y0, y1) = (x0 - margin, x1 + margin, y0 - margin, y1 + margin);
    let scale = ((w - 180.0) / (x1 - x0)).min((h - 60.0) / (y1 - y0));
    let to_px = |(x, y): (f64, f64)| (10.0 + (x - x0) * scale, 40.0 + (y1 - y) * scale);
    let mut body = String::new();
    let _ = write!(body, "<g class=\"outlines\" stroke=\"#b0b0b0\" stroke-width=\"0.6\">");
    for f in outlines.geojson["features"].as_array().into_iter().flatten() {
        let geom = &f["geometry"];
        let polys: Vec<&Value> = match geom["type"].as_str() {
            Some("Polygon") => vec![&geom["coordinates"]],
            Some("MultiPolygon") => geom["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
            _ => Vec::new(),
        };
        for poly in polys {
            let mut d = String::new();
            for ring in poly.as_array().into_iter().flatten() {
                for (i, pt) in ring.as_array().into_iter().flatten().enumerate() {
                    let (lon, lat) = (pt[0].as_f64().unwrap_or(0.0), pt[1].as_f64().unwrap_or(0.0));
                    let (px, py) = to_px(albers.project(lon, lat));
                    let _ = write!(d, "{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
            // China a shade darker than its neighbours, so that the border reads.
            let fill = if f["properties"]["ISO_A3"] == "CHN" { "#e3e3e3" } else { "#f6f6f6" };
            let _ = write!(body, "<path d=\"{d}\" fill=\"{fill}\"/>");
        }
    }
    body.push_str("</g>");
    let k = legend.len();
    for (p, &(x, y)) in points.iter().zip(&proj) {
        let (px, py) = to_px((x, y));
        let _ = write!(
            body,
            "<circle class=\"unit\" cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"5\" fill=\"{}\" stroke=\"#333333\" stroke-width=\"0.7\"><title>{}</title></circle>",
            p.2,
            esc(&p.3),
        );
    }
    // The legend box fits its longest line (about 6.5 px a character at 11 px).
    let longest = legend.iter().map(|(_, t)| t.chars().count()).max().unwrap_or(10).max(legend_title.len()) as f64;
    let box_w = 32.0 + 6.5 * longest;
    let lx = w - box_w - 4.0;
    let _ = write!(
        body,
        "<rect x=\"{}\" y=\"44\" width=\"{box_w}\" height=\"{}\" fill=\"white\" fill-opacity=\"0.9\"/>",
        lx - 6.0,
        30.0 + 20.0 * k as f64
    );
    let _ = write!(body, "<text x=\"{lx}\" y=\"60\" font-weight=\"bold\">{}</text>", esc(legend_title));
    for (i, (colour, text)) in legend.iter().enumerate() {
        let y = 70.0 + i as f64 * 20.0;
        let _ = write!(
            body,
            "<rect class=\"legend\" x=\"{lx}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{colour}\" stroke=\"#333333\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\">{}</text>",
            lx + 20.0,
            y + 11.0,
            esc(text)
        );
    }
    let _ = write!(
        body,
        "<rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"20\" fill=\"white\" fill-opacity=\"0.9\"/>",
        h - 20.0
    );
    let _ = write!(
        body,
        "<text x=\"10\" y=\"{}\" font-size=\"9\" fill=\"#555555\">Boundaries are illustrative ({}). Albers equal-area, 25N/47N, 105E.</text>",
        h - 8.0,
        esc(&outlines.source)
    );
    // Title and note last, over the outlines, on a white band.
    format!(
        "{}{body}<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"30\" fill=\"white\" fill-opacity=\"0.9\"/><text x=\"10\" y=\"21\" font-size=\"14\">{}</text></svg>",
        open(w, h, title),
        esc(title)
    )
}

/// A line per region of its mean score by period. `series` are (region, [(period, mean)]).
pub fn regions_chart(series: &[(String, Vec<(i32, f64)>)]) -> String {
    let (w, h) = (600.0, 360.0);
    let periods: Vec<i32> = {
        let mut p: Vec<i32> = series.iter().flat_map(|s| s.1.iter().map(|x| x.0)).collect();
        p.sort();
        p.dedup();
        p
    };
    let values = series.iter().flat_map(|s| s.1.iter().map(|x| x.1));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let pad = 0.05 * (hi - lo).max(1e-9);
    let (lo, hi) = (lo - pad, hi + pad);
    let x_of = |p: i32| {
        60.0 + (w - 200.0) * periods.iter().position(|&q| q == p).unwrap_or(0) as f64
            / (periods.len().max(2) - 1) as f64
    };
    let y_of = |v: f64| 30.0 + (h - 70.0) * (hi - v) / (hi - lo);
    let mut body = String::new();
    for i in 0..=4 {
        let v = lo + (hi - lo) * i as f64 / 4.0;
        let (y, ty) = (y_of(v), y_of(v) + 4.0);
        let _ = write!(body, "<line x1=\"60\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/><text x=\"55\" y=\"{ty:.1}\" text-anchor=\"end\">{v:.3}</text>", w - 140.0);
    }
    for &p in &periods {
        let _ = write!(body, "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{p}</text>", x_of(p), h - 20.0);
    }
    // End labels, pushed apart so that they never overlap.
    let mut labels: Vec<(f64, String)> = Vec::new();
    let palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
    for (i, (region, pts)) in series.iter().enumerate() {
        let colour = if region == "All" { "#000000" } else { palette[i % palette.len()] };
        let d: Vec<String> = pts.iter().map(|&(p, v)| format!("{:.1},{:.1}", x_of(p), y_of(v))).collect();
        let dash = if region == "All" { " stroke-dasharray=\"5,3\"" } else { "" };
        let _ = write!(
            body,
            "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
            d.join(" ")
        );
        if let Some(&(_, v)) = pts.last() {
            labels.push((y_of(v), format!("<tspan fill=\"{colour}\">{}</tspan>", esc(region))));
        }
    }
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last = f64::NEG_INFINITY;
    for (y, label) in labels {
        let y = y.max(last + 13.0);
        last = y;
        let _ = write!(body, "<text x=\"{}\" y=\"{:.1}\">{label}</text>", w - 132.0, y + 4.0);
    }
    format!(
        "{}<text x=\"10\" y=\"18\" font-size=\"14\">Mean score by region and period</text>{body}</svg>",
        open(w, h, "Mean score by region and period")
    )
}

/// Ranks in the first and last period, one line per unit; the five largest rises and falls are
/// coloured and named. `units` are (name, first rank, last rank); `n` the number of units.
/// A unit's name without its administrative suffix, for labels.
fn short_name(name: &str) -> &str {
    let cut = [
        " Autonomous",
        " Prefecture",
        " League",
        " Korean",
        " Dai ",
        " Lisu",
        " Kirghiz",
        " Kazakh",
        " Mongol",
        " Hui",
        " Zhuang",
        " Hani",
        " (",
    ]
    .iter()
    .filter_map(|s| name.find(s))
    .min()
    .unwrap_or(name.len());
    &name[..cut]
}

pub fn slope_chart(first: i32, last: i32, units: &[(String, f64, f64)], n: usize) -> String {
    let (w, h) = (620.0, 40.0 + 12.0 * n as f64 + 30.0);
    let y_of = |r: f64| 40.0 + 12.0 * (r - 1.0);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| (units[b].1 - units[b].2).total_cmp(&(units[a].1 - units[a].2)).then(a.cmp(&b)));
    let risers: Vec<usize> = order.iter().copied().take(5).filter(|&i| units[i].1 > units[i].2).collect();
    let fallers: Vec<usize> = order.iter().rev().copied().take(5).filter(|&i| units[i].1 < units[i].2).collect();
    let mut body = String::new();
    let _ = write!(body, "<text x=\"150\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">{first}</text><text x=\"450\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">{last}</text>");
    for r in [1.0, n as f64] {
        let _ = write!(
            body,
            "<text x=\"140\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555555\">rank {r}</text>",
            y_of(r) + 4.0
        );
    }
    let mut labels: Vec<(f64, String)> = Vec::new();
    for (i, (name, a, b)) in units.iter().enumerate() {
        let (colour, width) = if risers.contains(&i) {
            ("#1a9850", 2.0)
        } else if fallers.contains(&i) {
            ("#d73027", 2.0)
        } else {
            ("#bbbbbb", 1.0)
        };
        let _ = write!(body, "<line class=\"unit\" x1=\"150\" x2=\"450\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"{width}\"><title>{}: {a} to {b}</title></line>", y_of(*a), y_of(*b), esc(name));
        if colour != "#bbbbbb" {
            labels
                .push((y_of(*b), format!("<tspan fill=\"{colour}\">{} ({:+})</tspan>", esc(short_name(name)), a - b)));
        }
    }
    // Labels pushed apart so that they never overlap.
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut previous = f64::NEG_INFINITY;
    for (y, label) in labels {
        let y = y.max(previous + 13.0);
        previous = y;
        let _ = write!(body, "<text x=\"456\" y=\"{:.1}\">{label}</text>", y + 4.0);
    }
    format!(
        "{}<text x=\"10\" y=\"16\" font-size=\"14\">Rank change, {first} to {last} (1 = best)</text>{body}</svg>",
        open(w, h, "Rank change")
    )
}

/// A line of a scatter chart: its points, colour and legend label.
pub type Line<'a> = (Vec<(f64, f64)>, &'a str, String);

/// A scatter chart with optional lines: `points` (x, y, colour, tooltip), `lines` (points,
/// colour, legend label). Axes span the data with a margin; labels name the axes.
pub fn scatter_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64, &str, String)],
    lines: &[Line<'_>],
    cross_at_zero: bool,
) -> String {
    let (w, h) = (460.0, 340.0);
    let xs = points.iter().map(|p| p.0).chain(lines.iter().flat_map(|l| l.0.iter().map(|p| p.0)));
    let ys = points.iter().map(|p| p.1).chain(lines.iter().flat_map(|l| l.0.iter().map(|p| p.1)));
    let span = |it: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) =
            it.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let pad = 0.06 * (hi - lo).max(1e-9);
        (lo - pad, hi + pad)
    };
    let (x0, x1) = span(&mut xs.into_iter());
    let (y0, y1) = span(&mut ys.into_iter());
    let (l, r, t, b) = (60.0, w - 110.0, 34.0, h - 44.0);
    let px = |x: f64| l + (r - l) * (x - x0) / (x1 - x0);
    let py = |y: f64| b - (b - t) * (y - y0) / (y1 - y0);
    let mut body = String::new();
    let _ = write!(
        body,
        "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999999\"/>",
        r - l,
        b - t
    );
    for i in 0..=4 {
        let (xv, yv) = (x0 + (x1 - x0) * i as f64 / 4.0, y0 + (y1 - y0) * i as f64 / 4.0);
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
            px(xv),
            b + 13.0,
            tick(xv)
        );
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"9\">{}</text>",
            l - 4.0,
            py(yv) + 3.0,
            tick(yv)
        );
    }
    if cross_at_zero && x0 < 0.0 && x1 > 0.0 && y0 < 0.0 && y1 > 0.0 {
        let _ = write!(body, "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{t}\" y2=\"{b}\" stroke=\"#cccccc\"/><line x1=\"{l}\" x2=\"{r}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#cccccc\"/>", px(0.0), px(0.0), py(0.0), py(0.0));
    }
    for (pts, colour, _) in lines {
        let d: Vec<String> = pts
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = write!(
            body,
            "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            d.join(" ")
        );
    }
    for (x, y, colour, tip) in points {
        let _ = write!(body, "<circle class=\"unit\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\" stroke=\"#333333\" stroke-width=\"0.6\"><title>{}</title></circle>", px(*x), py(*y), esc(tip));
    }
    for (i, (_, colour, label)) in lines.iter().enumerate() {
        let y = t + 12.0 + 16.0 * i as f64;
        let _ = write!(body, "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{}</text>", r + 8.0, r + 26.0, r + 30.0, y + 4.0, esc(label));
    }
    let _ = write!(
        body,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (l + r) / 2.0,
        h - 8.0,
        esc(x_label)
    );
    let _ = write!(
        body,
        "<text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text>",
        (t + b) / 2.0,
        (t + b) / 2.0,
        esc(y_label)
    );
    format!("{}<text x=\"10\" y=\"20\" font-size=\"13\">{}</text>{body}</svg>", open(w, h, title), esc(title))
}

/// A short tick label: scientific for large magnitudes (metres), 3 decimals otherwise.
fn tick(v: f64) -> String {
    if v.abs() >= 1e4 {
        format!("{:.0}", v / 1000.0) + "k"
    } else {
        format!("{v:.3}")
    }
}

/// A heatmap of a square matrix (rank correlations between runs), values in [-1, 1].
pub fn heatmap(title: &str, names: &[String], values: &[Vec<f64>]) -> String {
    let n = names.len();
    let cell = 44.0;
    let left = 10.0 + 7.0 * names.iter().map(|s| s.chars().count()).max().unwrap_or(8) as f64;
    let (w, h) = (
        left + cell * n as f64 + 20.0,
        70.0 + cell * n as f64 + 7.0 * names.iter().map(|s| s.chars().count()).max().unwrap_or(8) as f64,
    );
    let mut body = String::new();
    for (i, row) in values.iter().enumerate() {
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            40.0 + cell * (i as f64 + 0.5) + 4.0,
            esc(&names[i])
        );
        for (j, &v) in row.iter().enumerate() {
            // White at 0, deepening blue towards 1, red towards -1.
            let t = v.clamp(-1.0, 1.0);
            let (r, g, b) = if t >= 0.0 {
                (255.0 - 222.0 * t, 255.0 - 153.0 * t, 255.0 - 83.0 * t)
            } else {
                (255.0 + 40.0 * t, 255.0 + 200.0 * t, 255.0 + 200.0 * t)
            };
            let text = if t > 0.6 { "white" } else { "#222222" };
            let (x, y) = (left + cell * j as f64, 40.0 + cell * i as f64);
            let _ = write!(
                body,
                "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({:.0},{:.0},{:.0})\" stroke=\"white\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{text}\">{v:.2}</text>",
                r, g, b, x + cell / 2.0, y + cell / 2.0 + 4.0
            );
        }
    }
    for (j, name) in names.iter().enumerate() {
        let x = left + cell * (j as f64 + 0.5);
        let y = 46.0 + cell * n as f64;
        let _ =
            write!(body, "<text x=\"{x:.1}\" y=\"{y:.1}\" transform=\"rotate(45 {x:.1} {y:.1})\">{}</text>", esc(name));
    }
    format!("{}<text x=\"10\" y=\"20\" font-size=\"13\">{}</text>{body}</svg>", open(w, h, title), esc(title))
}
