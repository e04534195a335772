//! The run manifest: what ran on what, so that a result can be reproduced and compared.
//! It holds hashes, versions and parameters, never a wall-clock time.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use resil_core::{Error, IndicatorSystem, Provenance, Result};

use crate::run::{Prepared, RunResult};

/// Hashed as it is read, so that a panel of gigabytes is never held.
fn sha256_file(path: &std::path::Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The config files and every input file, each with its hash.
fn inputs(p: &Prepared) -> Result<Vec<Value>> {
    let mut inputs = p
        .loaded
        .parents
        .iter()
        .map(|(path, text)| {
            let name = path.file_name().map(|f| f.to_string_lossy().to_string());
            json!({ "role": "config (extended)", "path": name, "sha256": sha256_hex(text.as_bytes()) })
        })
        .collect::<Vec<_>>();
    for (role, written, resolved) in &p.inputs {
        inputs.push(json!({ "role": role, "path": written, "sha256": sha256_file(resolved)? }));
    }
    Ok(inputs)
}

/// Which indicators are synthetic, compiled, derived or real, with the statement every output
/// made from synthetic ones carries.
fn data_provenance(system: &IndicatorSystem) -> Value {
    let by_provenance = |prov: Provenance| -> Vec<&str> {
        system.indicators().iter().filter(|i| i.provenance == prov).map(|i| i.id.as_str()).collect()
    };
    let synthetic = by_provenance(Provenance::Synthetic);
    json!({
        "contains_synthetic_data": !synthetic.is_empty(),
        "statement": if synthetic.is_empty() {
            "no indicator is marked synthetic".to_string()
        } else {
            format!("{} of {} indicators are synthetic; results made from them demonstrate the method and must not be cited as findings", synthetic.len(), system.len())
        },
        "synthetic": synthetic,
        "compiled_verify": by_provenance(Provenance::Compiled),
        "derived": by_provenance(Provenance::Derived),
        "real": by_provenance(Provenance::Real),
        "unspecified": by_provenance(Provenance::Unspecified),
    })
}

fn indicators(p: &Prepared, system: &IndicatorSystem) -> Vec<Value> {
    let c = &p.loaded.config;
    system.indicators().iter().map(|i| json!({
        "denominator": c.indicators.iter().find(|x| x.id == i.id).and_then(|x| x.denominator.clone()),
        "id": i.id, "name": i.name, "unit": i.unit, "system": i.system, "subsystem": i.subsystem,
        "polarity": i.polarity.to_string(), "source": i.source, "provenance": i.provenance.as_str(), "note": i.note,
    })).collect()
}

/// Every stage's method, scope and checked parameters.
fn pipeline(p: &Prepared) -> Value {
    let pipe = &p.loaded.config.pipeline;
    let stage = |built_params: &Value, scope: &str, method: &str| json!({ "method": method, "scope": scope, "params": built_params });
    json!({
        "impute": stage(&p.imputer_params(), "pooled", &pipe.impute.method),
        "treat": p.treat_params(),
        "normalize": pipe.normalize.iter().zip(p.normalizer_params()).map(|(s, params)| {
            let mut step = stage(&params, s.scope.as_str(), &s.method);
            if !s.indicators.is_empty() {
                step["indicators"] = json!(s.indicators);
            }
            step
        }).collect::<Vec<_>>(),
        "weight": stage(&p.weighter_params(), pipe.weight.scope.as_str(), &pipe.weight.method),
        "rank": { "method": pipe.rank.method, "scope": pipe.rank.scope.as_str(), "params": p.scorer_params(), "ties": format!("{:?}", p.ties()).to_lowercase() },
        "classify": { "method": pipe.classify.stage.method, "scope": pipe.classify.stage.scope.as_str(), "params": p.classifier_params(), "labels": pipe.classify.labels },
    })
}

fn config(p: &Prepared) -> Value {
    json!({ "path": p.loaded.path.file_name().map(|f| f.to_string_lossy().to_string()), "sha256": sha256_hex(p.loaded.text.as_bytes()) })
}

/// The manifest of a streamed run (`resil run --stream`): the same keys as a run in memory
/// where it has them, and `stream` saying what the run held and skipped.
pub(crate) fn build_streamed(
    p: &Prepared,
    plan: &crate::StreamPlan,
    rows: usize,
    weights: &[f64],
    notes: &[crate::LoggedNote],
) -> Result<Value> {
    let c = &p.loaded.config;
    let system = &p.system;
    Ok(json!({
        "tool": { "name": "resil", "version": env!("CARGO_PKG_VERSION") },
        "study": { "name": c.study.name, "periods": c.study.periods, "rows": rows },
        "config": config(p),
        "inputs": inputs(p)?,
        "data_provenance": data_provenance(system),
        "indicators": indicators(p, system),
        "pipeline": pipeline(p),
        "weights": system.indicators().iter().zip(weights).map(|(i, w)| (i.id.clone(), json!(w))).collect::<serde_json::Map<String, Value>>(),
        "stream": {
            "panel": plan.path.file_name().map(|f| f.to_string_lossy().to_string()),
            "units": if c.study.units.is_some() { "checked against the unit list" } else { "taken from the panel" },
            "imputed": "nothing: a streamed panel may have no missing cell",
            "classes_sample": crate::streamed::CLASSES_SAMPLE,
            "not_written": ["imputed.csv", "intermediates.csv", "capped.csv", "levels.csv", "indicators.csv", "correlations.csv", "regions.csv", "the [[analysis]] tables"],
        },
        "seed": null,
        "counts": { "warnings": notes.iter().filter(|n| n.diagnostic.severity == resil_core::Severity::Warning).count() },
        "diagnostics": notes,
    }))
}

pub(crate) fn build(p: &Prepared, r: &RunResult) -> Result<Value> {
    let c = &p.loaded.config;
    let plugins = p
        .plugins()
        .into_iter()
        .map(|(source, optional, info)| {
            Ok(json!({
                "source": source,
                "plugin": info.name,
                "version": info.version,
                "library": info.path.file_name().map(|f| f.to_string_lossy().to_string()),
                "library_sha256": sha256_file(&info.path)?,
                "optional": optional,
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let system = r.panel.system();
    let mut manifest = json!({
        "tool": { "name": "resil", "version": env!("CARGO_PKG_VERSION") },
        "study": {
            "name": c.study.name,
            "periods": c.study.periods,
            "units_active": r.panel.units().len(),
            "units_excluded": r.excluded.iter().map(|u| json!({ "id": u.id, "name": u.name, "reason": u.excluded })).collect::<Vec<_>>(),
        },
        "config": config(p),
        "inputs": inputs(p)?,
        "data_provenance": data_provenance(system),
        "indicators": indicators(p, system),
        "pipeline": pipeline(p),
        "learned": r.normalizer_learned.iter().map(|l| json!({
            "step": format!("normalize[{}]", l.step),
            "scope": l.scope,
            "indicators": system.indicators().iter().enumerate().map(|(j, ind)| {
                let stats: serde_json::Map<String, Value> = l.columns.iter().map(|(n, v)| (n.clone(), json!(v[j]))).collect();
                (ind.id.clone(), Value::Object(stats))
            }).collect::<serde_json::Map<String, Value>>(),
        })).collect::<Vec<_>>(),
        "aggregation_weights": r.scorer_group_weights.iter().filter(|(_, g)| !g.is_empty()).map(|(scope, groups)| json!({
            "scope": scope,
            "groups": groups.iter().map(|(name, members)| {
                (name.clone(), Value::Object(members.iter().map(|(m, w)| (m.clone(), json!(w))).collect()))
            }).collect::<serde_json::Map<String, Value>>(),
        })).collect::<Vec<_>>(),
        "plugins": plugins,
        "analyses": c.analyses.iter().zip(&r.analyses).map(|(a, res)| json!({ "id": res.id, "kind": a.kind, "params": a.params })).collect::<Vec<_>>(),
        "skipped_sources": r.skipped_sources,
        "published": r.published.as_ref().map(|p| json!({ "source": p.source, "figures": p.path, "count": p.rows.len(), "reasons": p.reasons })),
        "seed": null,
        "counts": { "imputed_cells": r.imputed.len(), "warnings": r.warnings().count() },
        "diagnostics": r.notes,
    });
    // Only where an engine fitted the scoring stages, so that in-memory manifests keep their bytes.
    if let Some((engine, stages)) = &p.engine {
        manifest["engine"] = json!({ "name": engine.name(), "fitted": stages.describe() });
    }
    // Only beyond CSV, for the same reason: the report links a workbook the run lists, not one an
    // earlier run left in the folder.
    if c.output.formats.iter().any(|f| f != "csv") {
        manifest["formats"] = json!(c.output.formats);
    }
    Ok(manifest)
}
