//! The tables of a sensitivity analysis: each unit's rank and grade distribution over the
//! evaluations (`sensitivity_ranks`), the Sobol indices of the chosen output per factor at N/4,
//! N/2 and N base points (`sensitivity_sobol`), the rank shifts when each indicator and
//! sub-system is left out (`sensitivity_leave_one_out`), and a JSON and Markdown summary.

use std::fmt::Write;

use rayon::prelude::*;
use resil_config::SensitivityConfig;
use resil_core::Result;
use resil_sensitivity::{first_base_points, sobol_indices, Bootstrap, Design, FactorIndices};

use super::factors::{subsystems, Factor, FactorKind, ParameterValues};
use super::{setting, without, Evaluation, Study};
use crate::analysis::AnalysisTable;
use crate::run::RunResult;

use resil_core::decimal::cell as num;

pub(crate) fn mean_abs_shift(e: &Evaluation, nominal: &Evaluation) -> f64 {
    e.ranks.iter().zip(&nominal.ranks).map(|(a, b)| (a - b).abs()).sum::<f64>() / e.ranks.len() as f64
}

fn grade_name(run: &RunResult, g: usize) -> String {
    run.grade_labels.get(g - 1).cloned().unwrap_or_else(|| g.to_string())
}

/// Per unit and period: the nominal rank, the rank's median, mean and 5-95 % interval over every
/// evaluation, the probability of a rank within the top k, the mean absolute shift from the
/// nominal rank, and the probability of each grade.
pub(super) fn uncertainty(
    run: &RunResult,
    nominal: &Evaluation,
    evals: &[Evaluation],
    s: &SensitivityConfig,
    k: usize,
) -> AnalysisTable {
    let classes = evals.iter().flat_map(|e| e.grades.iter().copied()).max().unwrap_or(0).max(k);
    let mut header: Vec<String> =
        ["unit", "name", "region", "period", "nominal_rank", "median_rank", "mean_rank", "rank_p05", "rank_p95"]
            .iter()
            .map(|h| h.to_string())
            .collect();
    header.push(format!("p_top_{}", s.top_k));
    header.extend(["mean_abs_shift", "nominal_grade", "p_nominal_grade"].map(String::from));
    header.extend((1..=classes).map(|g| format!("p_grade:{}", grade_name(run, g))));
    let n = evals.len() as f64;
    let rows = (0..run.panel.n_rows())
        .map(|row| {
            let unit = run.panel.unit_of_row(row);
            let mut ranks: Vec<f64> = evals.iter().map(|e| e.ranks[row]).collect();
            ranks.sort_by(f64::total_cmp);
            let mean = ranks.iter().sum::<f64>() / n;
            let top = ranks.iter().filter(|&&r| r <= s.top_k as f64).count() as f64 / n;
            let shift = ranks.iter().map(|r| (r - nominal.ranks[row]).abs()).sum::<f64>() / n;
            let mut counts = vec![0usize; classes + 1];
            for e in evals {
                counts[e.grades[row]] += 1;
            }
            let p_grade: Vec<f64> = counts.iter().map(|&c| c as f64 / n).collect();
            let g = nominal.grades[row];
            let mut cells = vec![
                unit.id.clone(),
                unit.name.clone(),
                unit.region.clone(),
                run.panel.period_of_row(row).to_string(),
                num(nominal.ranks[row]),
                num(resil_classify::percentile(&ranks, 50.0)),
                num(mean),
                num(resil_classify::percentile(&ranks, 5.0)),
                num(resil_classify::percentile(&ranks, 95.0)),
                num(top),
                num(shift),
                g.to_string(),
                num(p_grade[g]),
            ];
            cells.extend(p_grade[1..].iter().map(|&p| num(p)));
            cells
        })
        .collect();
    AnalysisTable { name: "sensitivity_ranks".into(), header, rows }
}

/// The Sobol table and the headline indices (the scalar output at N).
pub(super) struct Sobol {
    pub(super) table: AnalysisTable,
    pub(super) headline: Vec<Option<FactorIndices>>,
}

/// First-order and total indices per factor of the mean absolute rank shift (and, for
/// `output = "rank"`, of every unit's rank in every period), at N/4, N/2 and N base points, with
/// their bootstrap intervals.
pub(super) fn sobol(
    run: &RunResult,
    nominal: &Evaluation,
    evals: &[Evaluation],
    factors: &[Factor],
    s: &SensitivityConfig,
    boots: &[Bootstrap],
) -> Sobol {
    let kf = factors.len();
    let mut outputs: Vec<(String, String, String, Vec<f64>)> = vec![(
        "mean_abs_rank_shift".into(),
        String::new(),
        String::new(),
        evals.iter().map(|e| mean_abs_shift(e, nominal)).collect(),
    )];
    if s.output == "rank" {
        for row in 0..run.panel.n_rows() {
            outputs.push((
                "rank".into(),
                run.panel.unit_of_row(row).id.clone(),
                run.panel.period_of_row(row).to_string(),
                evals.iter().map(|e| e.ranks[row]).collect(),
            ));
        }
    }
    // Per output: its rows, and its indices at N.
    type Estimated = (Vec<Vec<String>>, Vec<Option<FactorIndices>>);
    let per_output: Vec<Estimated> = outputs
        .par_iter()
        .map(|(output, unit, period, y)| {
            let mut rows = Vec::new();
            let mut at_n = vec![None; kf];
            for boot in boots {
                let n = boot.n();
                let estimate = sobol_indices(first_base_points(y, n, kf), n, kf, boot);
                for (i, f) in factors.iter().enumerate() {
                    let mut row = vec![output.clone(), unit.clone(), period.clone(), f.name.clone(), n.to_string()];
                    match &estimate {
                        Some(ix) => {
                            let x = ix[i];
                            row.extend(
                                [
                                    x.first,
                                    x.first - x.first_conf,
                                    x.first + x.first_conf,
                                    x.total,
                                    x.total - x.total_conf,
                                    x.total + x.total_conf,
                                ]
                                .map(num),
                            );
                            row.push(String::new());
                            if n == boots[boots.len() - 1].n() {
                                at_n[i] = Some(x);
                            }
                        }
                        None => {
                            row.extend(std::iter::repeat_n(String::new(), 6));
                            row.push("constant output: no variance to apportion".into());
                        }
                    }
                    rows.push(row);
                }
            }
            (rows, at_n)
        })
        .collect();
    let headline = per_output[0].1.clone();
    let header = [
        "output",
        "unit",
        "period",
        "factor",
        "base_points",
        "first_order",
        "first_order_low",
        "first_order_high",
        "total",
        "total_low",
        "total_high",
        "note",
    ]
    .map(String::from)
    .to_vec();
    let rows = per_output.into_iter().flat_map(|(rows, _)| rows).collect();
    Sobol { table: AnalysisTable { name: "sensitivity_sobol".into(), header, rows }, headline }
}

/// The config's own pipeline without each indicator, then without each sub-system (weights
/// zeroed and the rest renormalised): the mean and largest absolute rank shift, where the largest
/// lies, and the unit-periods that change grade.
pub(super) fn leave_one_out(study: &Study, run: &RunResult, nominal: &Evaluation) -> Result<AnalysisTable> {
    let system = study.panel.system();
    let mut removals: Vec<(&str, String, String, Vec<usize>)> = system
        .indicators()
        .iter()
        .enumerate()
        .map(|(j, i)| ("indicator", i.id.clone(), i.name.clone(), vec![j]))
        .collect();
    removals.extend(subsystems(system).into_iter().map(|(name, g)| ("subsystem", name.clone(), name, g)));
    let front = study.front(study.methods)?;
    let rows = removals
        .par_iter()
        .map(|(level, id, name, drop)| {
            let e = study.finish(study.methods, &front, |w| without(w, drop))?;
            let shifts: Vec<f64> = e.ranks.iter().zip(&nominal.ranks).map(|(a, b)| (a - b).abs()).collect();
            let (at, max) =
                shifts.iter().enumerate().fold((0, 0.0), |acc, (r, &s)| if s > acc.1 { (r, s) } else { acc });
            let changed = e.grades.iter().zip(&nominal.grades).filter(|(a, b)| a != b).count();
            let (unit, period) = if max > 0.0 {
                (run.panel.unit_of_row(at).id.clone(), run.panel.period_of_row(at).to_string())
            } else {
                (String::new(), String::new())
            };
            Ok(vec![
                level.to_string(),
                id.clone(),
                name.clone(),
                num(shifts.iter().sum::<f64>() / shifts.len() as f64),
                num(max),
                unit,
                period,
                changed.to_string(),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    let header = [
        "removed_level",
        "removed",
        "name",
        "mean_abs_rank_shift",
        "max_abs_rank_shift",
        "max_shift_unit",
        "max_shift_period",
        "grade_changes",
    ]
    .map(String::from)
    .to_vec();
    Ok(AnalysisTable { name: "sensitivity_leave_one_out".into(), header, rows })
}

fn factor_json(f: &Factor) -> serde_json::Value {
    let (kind, levels): (&str, Vec<String>) = match &f.kind {
        FactorKind::Weights { groups, .. } => ("weights", vec![format!("{} coordinates", groups.len())]),
        FactorKind::Method { levels, .. } => ("method", levels.iter().map(|l| l.0.clone()).collect()),
        FactorKind::Exclude { levels, .. } => ("exclude", levels.iter().map(|l| l.0.clone()).collect()),
        FactorKind::Parameter { path, values } => (
            "parameter",
            match values {
                ParameterValues::Range(lo, hi) => vec![format!("{} in [{lo}, {hi}]", path.join("."))],
                ParameterValues::Set(v, _) => v.iter().map(|x| format!("{} = {x}", path.join("."))).collect(),
            },
        ),
    };
    serde_json::json!({ "name": f.name, "kind": kind, "levels": levels, "coordinates": f.dims() })
}

/// Settings, factors, the number of evaluations and the headline indices.
pub(super) fn summary_json(
    run: &RunResult,
    s: &SensitivityConfig,
    factors: &[Factor],
    evaluations: usize,
    headline: &[Option<FactorIndices>],
) -> serde_json::Value {
    let indices: Vec<serde_json::Value> = factors
        .iter()
        .zip(headline)
        .map(|(f, x)| match x {
            Some(x) => serde_json::json!({
                "factor": f.name, "first_order": x.first, "first_order_conf": x.first_conf,
                "total": x.total, "total_conf": x.total_conf,
            }),
            None => serde_json::json!({ "factor": f.name, "note": "constant output" }),
        })
        .collect();
    let synthetic: Vec<&str> = run.synthetic_indicators().iter().map(|i| i.id.as_str()).collect();
    serde_json::json!({
        "study": run.study_name,
        "tool": run.manifest["tool"],
        "config": run.manifest["config"],
        "design": "Saltelli (2010) on a digitally shifted Sobol sequence (Joe-Kuo D6)",
        "estimators": "first order: Saltelli et al. (2010); total: Jansen (1999); outputs standardised (SALib)",
        "draws": s.draws, "seed": s.seed, "evaluations": evaluations,
        "output": s.output, "top_k": s.top_k, "bootstrap": s.bootstrap, "confidence": s.confidence,
        "factors": factors.iter().map(factor_json).collect::<Vec<_>>(),
        "mean_abs_rank_shift_indices": indices,
        "synthetic_indicators": synthetic,
    })
}

/// A short Markdown account: the design, the headline indices, the least stable units and the
/// indicators whose removal moves the ranking most.
pub(super) fn markdown(
    run: &RunResult,
    s: &SensitivityConfig,
    factors: &[Factor],
    evaluations: usize,
    tables: &[AnalysisTable],
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Sensitivity analysis: {}\n", run.study_name);
    if !run.synthetic_indicators().is_empty() {
        let _ = writeln!(
            md,
            "**Data warning:** the study has synthetic indicators; this shows how the method's choices matter, not findings.\n"
        );
    }
    let names: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
    let _ = writeln!(
        md,
        "{evaluations} whole-pipeline evaluations: N = {} base points of a Saltelli design over {} factors ({}), seed {}.\n",
        s.draws,
        factors.len(),
        names.join(", "),
        s.seed
    );
    let sobol = tables.iter().find(|t| t.name == "sensitivity_sobol");
    if let Some(t) = sobol {
        let _ = writeln!(md, "## Sobol indices of the mean absolute rank shift (N = {})\n", s.draws);
        let _ = writeln!(md, "| factor | first order | 95 % interval | total | interval |\n|---|---|---|---|---|");
        let full = s.draws.to_string();
        for row in t.rows.iter().filter(|r| r[0] == "mean_abs_rank_shift" && r[4] == full) {
            let f = |i: usize| row[i].parse::<f64>().map_or("-".to_string(), |v| format!("{v:.3}"));
            let _ = writeln!(md, "| {} | {} | [{}, {}] | {} | [{}, {}] |", row[3], f(5), f(6), f(7), f(8), f(9), f(10));
        }
        let _ = writeln!(md);
    }
    if let Some(t) = tables.iter().find(|t| t.name == "sensitivity_ranks") {
        let width = |r: &Vec<String>| r[8].parse::<f64>().unwrap_or(0.0) - r[7].parse::<f64>().unwrap_or(0.0);
        let mut rows: Vec<&Vec<String>> = t.rows.iter().collect();
        rows.sort_by(|a, b| width(b).total_cmp(&width(a)).then(a[0].cmp(&b[0])).then(a[3].cmp(&b[3])));
        let _ = writeln!(md, "## Least stable ranks (widest 5-95 % interval)\n");
        let _ = writeln!(md, "| unit | period | nominal rank | 5-95 % | P(nominal grade) |\n|---|---|---|---|---|");
        let short = |v: &str| v.parse::<f64>().map_or(v.to_string(), |x| format!("{x:.3}"));
        for r in rows.iter().take(5) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {}-{} | {} |",
                r[1],
                r[3],
                r[4],
                short(&r[7]),
                short(&r[8]),
                short(&r[12])
            );
        }
        let _ = writeln!(md);
    }
    if let Some(t) = tables.iter().find(|t| t.name == "sensitivity_leave_one_out") {
        let mut rows: Vec<&Vec<String>> = t.rows.iter().filter(|r| r[0] == "indicator").collect();
        let shift = |r: &Vec<String>| r[3].parse::<f64>().unwrap_or(0.0);
        rows.sort_by(|a, b| shift(b).total_cmp(&shift(a)).then(a[1].cmp(&b[1])));
        let _ = writeln!(md, "## Indicators whose removal moves the ranking most\n");
        let _ = writeln!(md, "| indicator | mean shift | largest | grade changes |\n|---|---|---|---|");
        for r in rows.iter().take(5) {
            let _ = writeln!(md, "| {} {} | {:.3} | {} | {} |", r[1], r[2], shift(r), r[4], r[7]);
        }
        let _ = writeln!(md);
    }
    md
}

/// Every evaluation: its base point and matrix (`A`, `B`, or `AB:<factor>`), each factor's
/// setting, the coordinates of each weights factor (`u:<factor>:<i>`), and the outputs (the
/// mean absolute rank shift, the unit-periods whose grade differs from the nominal one).
pub(super) fn evaluations(
    design: &Design,
    factors: &[Factor],
    nominal: &Evaluation,
    evals: &[Evaluation],
) -> AnalysisTable {
    let mut header = vec!["evaluation".to_string(), "base_point".into(), "matrix".into()];
    header.extend(factors.iter().map(|f| f.name.clone()));
    for f in factors {
        if let FactorKind::Weights { groups, .. } = &f.kind {
            header.extend((1..=groups.len()).map(|i| format!("u:{}:{i}", f.name)));
        }
    }
    header.extend(["mean_abs_rank_shift", "grade_changes"].map(String::from));
    let k = factors.len();
    let rows = evals
        .iter()
        .enumerate()
        .map(|(e, out)| {
            let r = e % (k + 2);
            let matrix = match r {
                0 => "A".to_string(),
                r if r == k + 1 => "B".to_string(),
                r => format!("AB:{}", factors[r - 1].name),
            };
            let mut row = vec![e.to_string(), (e / (k + 2)).to_string(), matrix];
            let settings: Vec<_> = (0..k).map(|i| setting(design, factors, e, i)).collect();
            row.extend(factors.iter().zip(&settings).map(|(f, s)| f.describe(s)));
            for (i, f) in factors.iter().enumerate() {
                if matches!(f.kind, FactorKind::Weights { .. }) {
                    let (side, j) = design.side(e, i);
                    row.extend(design.coordinates(side, j, i).iter().map(|u| num(*u)));
                }
            }
            row.push(num(mean_abs_shift(out, nominal)));
            row.push(out.grades.iter().zip(&nominal.grades).filter(|(a, b)| a != b).count().to_string());
            row
        })
        .collect();
    AnalysisTable { name: "sensitivity_evaluations".into(), header, rows }
}
