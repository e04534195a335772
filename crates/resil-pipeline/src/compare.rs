//! `resil compare`: the study run under the config's own pipeline (the baseline) and under each
//! `[[compare.variant]]` method swap, on the same data; rank agreement (Spearman, Kendall tau-b,
//! weighted Spearman, WS, Goodman-Kruskal gamma) of the within-period ranks, per period and
//! averaged, the weight similarity of each variant's weights to the baseline's, per-unit rank
//! shifts and grade changes against the baseline, as tables and a Markdown report.

use std::fmt::Write;

use resil_config::LoadedConfig;
use resil_core::{Result, Scope};
use resil_rank::RankAgreement;

use crate::analysis::AnalysisTable;
use crate::run::{run, RunResult};
use crate::sources::RunOptions;

/// The runs of a comparison, baseline first, and what they say side by side.
pub struct Comparison {
    pub names: Vec<String>,
    pub runs: Vec<RunResult>,
    pub tables: Vec<AnalysisTable>,
    pub markdown: String,
}

/// Runs the baseline and every variant of `loaded`.
pub fn compare(loaded: LoadedConfig, options: &RunOptions) -> Result<Comparison> {
    let mut names = vec!["baseline".to_string()];
    let mut runs = vec![run(loaded.clone(), options)?];
    for v in &loaded.config.compare.variants {
        names.push(v.name.clone());
        runs.push(run(loaded.with_pipeline_override(&v.pipeline)?, options)?);
    }
    let (tables, markdown) = tabulate(&names, &runs);
    Ok(Comparison { names, runs, tables, markdown })
}

use resil_core::decimal::cell as num;

fn tabulate(names: &[String], runs: &[RunResult]) -> (Vec<AnalysisTable>, String) {
    let base = &runs[0];
    let panel = &base.panel;
    let groups = Scope::PerPeriod.groups(panel);
    // Rank agreement per period of the within-period ranks, and its mean over periods.
    const K: usize = RankAgreement::NAMES.len();
    let mut corr_rows = Vec::new();
    let mut mean = vec![vec![[0.0; K]; runs.len()]; runs.len()];
    for g in &groups {
        for a in 0..runs.len() {
            for b in 0..runs.len() {
                let (ra, rb) = (&runs[a].ranks[g.rows.clone()], &runs[b].ranks[g.rows.clone()]);
                let values = RankAgreement::between(ra, rb).values();
                for (m, v) in mean[a][b].iter_mut().zip(values) {
                    *m += v / groups.len() as f64;
                }
                if a < b {
                    let mut row = vec![g.label.clone(), names[a].clone(), names[b].clone()];
                    row.extend(values.map(num));
                    corr_rows.push(row);
                }
            }
        }
    }
    for a in 0..runs.len() {
        for b in a + 1..runs.len() {
            let mut row = vec!["mean".into(), names[a].clone(), names[b].clone()];
            row.extend(mean[a][b].map(num));
            corr_rows.push(row);
        }
    }
    // Weight similarity of each variant's weights to the baseline's, scope by scope.
    let mut weight_rows = Vec::new();
    for (v, r) in runs.iter().enumerate().skip(1) {
        for (wa, wb) in base.weights.iter().zip(&r.weights) {
            if wa.label == wb.label && wa.weights.0.len() == wb.weights.0.len() {
                let similarity = resil_rank::weight_similarity(&wa.weights.0, &wb.weights.0);
                weight_rows.push(vec![wa.label.clone(), names[0].clone(), names[v].clone(), num(similarity)]);
            }
        }
    }
    // Per unit and period: rank and grade under each run, and the shift against the baseline.
    let mut header = vec!["unit".to_string(), "name".into(), "period".into()];
    for n in names {
        header.push(format!("rank:{n}"));
    }
    for n in &names[1..] {
        header.push(format!("shift:{n}"));
    }
    for n in names {
        header.push(format!("grade:{n}"));
    }
    for n in &names[1..] {
        header.push(format!("grade_changed:{n}"));
    }
    let mut unit_rows = Vec::new();
    for row in 0..panel.n_rows() {
        let unit = panel.unit_of_row(row);
        let mut cells = vec![unit.id.clone(), unit.name.clone(), panel.period_of_row(row).to_string()];
        cells.extend(runs.iter().map(|r| num(r.ranks[row])));
        cells.extend(runs[1..].iter().map(|r| num(r.ranks[row] - base.ranks[row])));
        cells.extend(runs.iter().map(|r| r.grades[row].to_string()));
        cells.extend(runs[1..].iter().map(|r| (r.grades[row] != base.grades[row]).to_string()));
        unit_rows.push(cells);
    }
    // Markdown: mean correlation matrices, then each variant's largest shifts.
    let mut md = String::new();
    let _ = writeln!(md, "# Method comparison: {}\n", base.study_name);
    if !base.synthetic_indicators().is_empty() {
        let _ = writeln!(md, "**Data warning:** the study has synthetic indicators; these comparisons show how methods differ, not findings.\n");
    }
    let titles = [
        "Spearman rho",
        "Kendall tau-b",
        "Weighted Spearman r_w",
        "WS rank similarity (row = reference)",
        "Goodman-Kruskal gamma",
    ];
    for (pick, title) in titles.iter().enumerate() {
        let _ = writeln!(md, "## {title} of the within-period ranks (mean over periods)\n");
        let _ = writeln!(md, "| | {} |", names.join(" | "));
        let _ = writeln!(md, "|---|{}", "---|".repeat(names.len()));
        for (a, name) in names.iter().enumerate() {
            let cells: Vec<String> = (0..names.len()).map(|b| format!("{:.3}", mean[a][b][pick])).collect();
            let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
        }
        let _ = writeln!(md);
    }
    if !weight_rows.is_empty() {
        let _ = writeln!(md, "## Weight similarity to the baseline (WSC, 1 = same weights)\n");
        let _ = writeln!(md, "| scope | variant | similarity |\n|---|---|---|");
        for row in &weight_rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                row[0],
                row[2],
                row[3].parse::<f64>().map_or(row[3].clone(), |v| format!("{v:.3}"))
            );
        }
        let _ = writeln!(md);
    }
    for (v, r) in runs.iter().enumerate().skip(1) {
        let shifts: Vec<(usize, f64)> = (0..panel.n_rows()).map(|row| (row, r.ranks[row] - base.ranks[row])).collect();
        let changed = (0..panel.n_rows()).filter(|&row| r.grades[row] != base.grades[row]).count();
        let moved = shifts.iter().filter(|(_, s)| *s != 0.0).count();
        let _ = writeln!(md, "## {} against the baseline\n", names[v]);
        let _ = writeln!(md, "{moved} of {} unit-periods change rank; {changed} change grade.\n", panel.n_rows());
        let mut largest = shifts.clone();
        largest.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let _ = writeln!(md, "| unit | period | rank (baseline) | rank | shift |\n|---|---|---|---|---|");
        for &(row, s) in largest.iter().take(5).filter(|(_, s)| *s != 0.0) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:+} |",
                panel.unit_of_row(row).name,
                panel.period_of_row(row),
                base.ranks[row],
                r.ranks[row],
                s
            );
        }
        let _ = writeln!(md);
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let tables = vec![
        AnalysisTable {
            name: "compare_correlations".into(),
            header: ["period", "run_a", "run_b"].iter().chain(&RankAgreement::NAMES).map(|s| s.to_string()).collect(),
            rows: corr_rows,
        },
        AnalysisTable {
            name: "compare_weights".into(),
            header: ["scope", "run_a", "run_b", "weight_similarity"].iter().map(|s| s.to_string()).collect(),
            rows: weight_rows,
        },
        AnalysisTable {
            name: "compare_units".into(),
            header: header_refs.iter().map(|s| s.to_string()).collect(),
            rows: unit_rows,
        },
    ];
    (tables, md)
}
