//! The charts of a sensitivity analysis, as COINr's `plot_uncertainty` and `plot_sensitivity`
//! draw them: each unit's nominal rank with its median and 5-95 % interval (units sorted by
//! nominal rank), the probability of each grade as stacked bars, and the first-order and total
//! Sobol indices per factor with their bootstrap intervals. Plain SVG strings.

use std::fmt::Write;

use crate::charts::{esc, grade_colour, open};

/// One unit's rank distribution in a period.
pub struct RankSpread {
    pub name: String,
    pub nominal: f64,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    /// Probability of each grade, lowest first.
    pub grades: Vec<f64>,
}

/// The 5-95 % rank interval of every unit (a bar), its median (a tick) and nominal rank (a dot),
/// units top to bottom by nominal rank; rank 1 on the left.
pub fn rank_intervals(period: &str, units: &[RankSpread]) -> String {
    let n = units.len().max(1) as f64;
    let max_rank = units.iter().map(|u| u.p95.max(u.nominal)).fold(1.0, f64::max);
    let left = name_margin(units);
    let (right, row) = (left + 450.0, 12.0);
    let (w, h) = (right + 30.0, 60.0 + row * n + 30.0);
    let x = |r: f64| left + (r - 1.0) / (max_rank - 1.0).max(1.0) * (right - left);
    let mut body = String::new();
    for (i, u) in by_nominal_rank(units).into_iter().enumerate() {
        let y = 50.0 + row * i as f64;
        name_label(&mut body, left, y + 3.5, &u.name);
        let _ = write!(
            body,
            "<line class=\"interval\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#9ecae1\" stroke-width=\"5\"><title>{}: ranks {}-{} (5-95 %), median {}, nominal {}</title></line>",
            x(u.p05),
            x(u.p95).max(x(u.p05) + 1.0),
            esc(&u.name),
            u.p05,
            u.p95,
            u.median,
            u.nominal
        );
        let _ = write!(
            body,
            "<line x1=\"{m:.1}\" x2=\"{m:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#08519c\" stroke-width=\"1.5\"/><circle class=\"nominal\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#d73027\"/>",
            y - 4.0,
            y + 4.0,
            x(u.nominal),
            m = x(u.median)
        );
    }
    let axis_y = 50.0 + row * n;
    for r in [1.0, (max_rank / 2.0).round(), max_rank] {
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555555\">{r}</text>",
            x(r),
            axis_y + 12.0
        );
    }
    let _ = write!(
        body,
        "<text x=\"{left}\" y=\"38\" font-size=\"10\" fill=\"#555555\">bar: 5-95 % of the evaluations; tick: median; dot: the config's own rank</text>"
    );
    format!(
        "{}<text x=\"10\" y=\"20\" font-size=\"14\">Rank uncertainty in {} (1 = best)</text>{body}</svg>",
        open(w, h, &format!("Rank uncertainty in {period}")),
        esc(period)
    )
}

/// The probability of each grade per unit as a stacked bar (grade colours, legend by `labels`),
/// units in the order of their nominal rank.
pub fn grade_probabilities(period: &str, units: &[RankSpread], labels: &[String]) -> String {
    let k = labels.len();
    let (left, width, row) = (name_margin(units), 420.0, 12.0);
    let n = units.len().max(1) as f64;
    let (w, h) = (left + width + 140.0, 50.0 + row * n + 20.0);
    let mut body = String::new();
    for (i, u) in by_nominal_rank(units).into_iter().enumerate() {
        let y = 40.0 + row * i as f64;
        name_label(&mut body, left, y + 9.0, &u.name);
        let mut x = left;
        for (g, &p) in u.grades.iter().enumerate() {
            if p <= 0.0 {
                continue;
            }
            let label = labels.get(g).cloned().unwrap_or_else(|| (g + 1).to_string());
            let _ = write!(
                body,
                "<rect class=\"grade\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"white\" stroke-width=\"0.3\"><title>{}: {} {:.0} %</title></rect>",
                p * width,
                row - 2.0,
                grade_colour(g + 1, k.max(u.grades.len())),
                esc(&u.name),
                esc(&label),
                p * 100.0
            );
            x += p * width;
        }
    }
    for (g, label) in labels.iter().enumerate().rev() {
        let y = 40.0 + 18.0 * (k - 1 - g) as f64;
        let lx = left + width + 14.0;
        let _ = write!(
            body,
            "<rect x=\"{lx}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#333333\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\">{}</text>",
            grade_colour(g + 1, k),
            lx + 18.0,
            y + 10.0,
            esc(label)
        );
    }
    format!(
        "{}<text x=\"10\" y=\"20\" font-size=\"14\">Probability of each grade in {}</text>{body}</svg>",
        open(w, h, &format!("Grade probabilities in {period}")),
        esc(period)
    )
}

/// One factor's indices: (name, first order, its interval, total, its interval).
pub type FactorBars = (String, f64, (f64, f64), f64, (f64, f64));

/// First-order and total Sobol indices per factor as paired bars with interval whiskers, on
/// [0, 1] (negative estimates, which sampling error gives a factor without a first-order
/// effect, are drawn at 0 and labelled with their value).
pub fn sobol_bars(output: &str, factors: &[FactorBars]) -> String {
    let (left, width, row) = (150.0, 380.0, 34.0);
    let (w, h) = (left + width + 60.0, 70.0 + row * factors.len() as f64 + 30.0);
    let x = |v: f64| left + v.clamp(0.0, 1.0) * width;
    let mut body = String::new();
    let axis_y = 50.0 + row * factors.len() as f64 + 4.0;
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            body,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"46\" y2=\"{axis_y:.1}\" stroke=\"#dddddd\"/><text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\" fill=\"#555555\">{t}</text>",
            x(t),
            axis_y + 12.0
        );
    }
    for (i, (name, s1, s1i, st, sti)) in factors.iter().enumerate() {
        let y = 50.0 + row * i as f64;
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 14.0,
            esc(name)
        );
        for (j, (v, (lo, hi), colour, what)) in
            [(*s1, *s1i, "#9ecae1", "first order"), (*st, *sti, "#08519c", "total")].into_iter().enumerate()
        {
            let yb = y + 2.0 + 12.0 * j as f64;
            let _ = write!(
                body,
                "<rect class=\"index\" x=\"{left}\" y=\"{yb:.1}\" width=\"{:.1}\" height=\"10\" fill=\"{colour}\"><title>{}: {what} {v:.3} [{lo:.3}, {hi:.3}]</title></rect>",
                x(v) - left,
                esc(name)
            );
            let _ = write!(
                body,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333333\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\">{v:.2}</text>",
                x(lo),
                x(hi),
                yb + 5.0,
                yb + 5.0,
                x(hi.max(v)) + 4.0,
                yb + 8.5
            );
        }
    }
    let _ = write!(
        body,
        "<rect x=\"{left}\" y=\"30\" width=\"10\" height=\"10\" fill=\"#9ecae1\"/><text x=\"{}\" y=\"39\">first order</text><rect x=\"{}\" y=\"30\" width=\"10\" height=\"10\" fill=\"#08519c\"/><text x=\"{}\" y=\"39\">total</text>",
        left + 14.0,
        left + 100.0,
        left + 114.0
    );
    format!(
        "{}<text x=\"10\" y=\"20\" font-size=\"14\">Sobol indices of the {}</text>{body}</svg>",
        open(w, h, "Sobol indices"),
        esc(output)
    )
}

/// Units top to bottom by nominal rank (ties by name).
fn by_nominal_rank(units: &[RankSpread]) -> Vec<&RankSpread> {
    let mut order: Vec<&RankSpread> = units.iter().collect();
    order.sort_by(|a, b| a.nominal.total_cmp(&b.nominal).then(a.name.cmp(&b.name)));
    order
}

/// A unit's name right-aligned against the plot's left edge.
fn name_label(body: &mut String, left: f64, y: f64, name: &str) {
    let _ = write!(
        body,
        "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
        left - 6.0,
        esc(name)
    );
}

/// Room on the left for the longest unit name (about 5.8 px a character at 10 px).
fn name_margin(units: &[RankSpread]) -> f64 {
    20.0 + 5.8 * units.iter().map(|u| u.name.chars().count()).max().unwrap_or(10) as f64
}

/// The colour of probability `p` in [0, 1]: light (unstable) to dark (stable).
pub fn probability_colour(p: f64) -> &'static str {
    const STEPS: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
    STEPS[((p.clamp(0.0, 1.0) * 5.0) as usize).min(4)]
}
