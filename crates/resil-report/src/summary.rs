//! The short summary a run prints and saves as summary.txt: the data warning first, then per
//! period the mean, spread, grade counts and best unit, the weights' top five and the regions.

use std::fmt::Write;

use resil_core::Scope;
use resil_pipeline::RunResult;

/// The summary text of a run.
pub fn summary(r: &RunResult) -> String {
    let mut s = String::new();
    let panel = &r.panel;
    let _ = writeln!(s, "resil: {}", r.study_name);
    let _ = writeln!(
        s,
        "units: {} studied, {} excluded{} | periods: {} | indicators: {}",
        panel.units().len(),
        r.excluded.len(),
        if r.excluded.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.excluded.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", "))
        },
        panel.periods().iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
        panel.system().len()
    );
    let synthetic = r.synthetic_indicators();
    if !synthetic.is_empty() {
        let _ = writeln!(
            s,
            "WARNING: {} of {} indicators are SYNTHETIC ({}). These results demonstrate the method; do not cite them as findings.",
            synthetic.len(),
            panel.system().len(),
            synthetic.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    let k = r.breaks.first().map_or(0, |b| b.breaks.k());
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<8} {:>7} {:>7} {:>7}  {:<22} best unit",
        "period",
        "mean",
        "min",
        "max",
        format!("units per grade 1..{k}")
    );
    for g in Scope::PerPeriod.groups(panel) {
        let scores = &r.scores.score[g.rows.clone()];
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let (lo, hi) = scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let mut counts = vec![0; k];
        for &grade in &r.grades[g.rows.clone()] {
            counts[grade - 1] += 1;
        }
        let best = g
            .rows
            .clone()
            .find(|&row| r.ranks[row] == 1.0)
            .map(|row| panel.unit_of_row(row).name.clone())
            .unwrap_or_default();
        let counts = counts.iter().map(usize::to_string).collect::<Vec<_>>().join(" ");
        let _ = writeln!(s, "{:<8} {:>7.4} {:>7.4} {:>7.4}  {:<22} {best}", g.label, mean, lo, hi, counts);
    }
    if let Some(first) = r.weights.first() {
        let mut order: Vec<usize> = (0..first.weights.0.len()).collect();
        order.sort_by(|&a, &b| first.weights.0[b].total_cmp(&first.weights.0[a]).then(a.cmp(&b)));
        let top: Vec<String> =
            order.iter().take(5).map(|&j| format!("{} {:.4}", panel.system().get(j).id, first.weights.0[j])).collect();
        let _ = writeln!(s, "\ntop weights ({}): {}", first.label, top.join(", "));
    }
    let _ = writeln!(s, "\n{:<12} mean by period (growth %)", "region");
    let mut current = "";
    let mut line = String::new();
    for row in &r.regions {
        if row.region != current {
            if !line.is_empty() {
                let _ = writeln!(s, "{line}");
            }
            current = &row.region;
            line = format!("{:<12}", row.region);
        }
        let growth = row.growth_percent.map(|g| format!(" ({g:+.2})")).unwrap_or_default();
        let _ = write!(line, " {}: {:.4}{growth}", row.period, row.mean);
    }
    let _ = writeln!(s, "{line}");
    if let Some(p) = &r.published {
        published(&mut s, p);
    }
    let warnings: Vec<_> = r.warnings().collect();
    let _ = writeln!(s, "\nimputed cells: {} (imputed.csv) | warnings: {}", r.imputed.len(), warnings.len());
    for w in warnings.iter().take(8) {
        let _ = writeln!(s, "  - [{}] {}", w.stage, w.diagnostic.message);
    }
    if warnings.len() > 8 {
        let _ = writeln!(s, "  ... {} more in diagnostics.csv", warnings.len() - 8);
    }
    s
}

/// The publication's figures beside this run's, with why they differ (published.csv has all).
fn published(s: &mut String, p: &resil_pipeline::PublishedComparison) {
    let _ = writeln!(s, "\npublished figures ({}) beside this run's (published.csv):", p.source);
    for reason in &p.reasons {
        let _ = writeln!(s, "  NOTE: {reason}");
    }
    let _ = writeln!(s, "  {:<28} {:>10} {:>10}", "figure", "published", "this run");
    for row in &p.rows {
        let f = &row.figure;
        let this_run = match (row.this_run, f.statistic) {
            (None, _) => "-".to_string(),
            (Some(v), resil_pipeline::Statistic::GradeCount) => format!("{v}"),
            (Some(v), _) => format!("{v:.4}"),
        };
        let detail = if row.detail.is_empty() { String::new() } else { format!("  ({})", row.detail) };
        let _ = writeln!(s, "  {:<28} {:>10} {:>10}{detail}", f.id, f.value, this_run);
    }
}
