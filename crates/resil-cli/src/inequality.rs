//! `resil inequality`: Theil's T (with its between/within-group decomposition and permutation
//! p-value when a group column is given) and the Gini coefficient of one column of a plain CSV,
//! and with coordinates the spatial Gini (PySAL's `Gini_Spatial`: the Gini split between
//! neighbouring and other pairs, with permutation inference).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use resil_trend::inequality::{gini, spatial_gini, theil_between_p_sim, theil_decomposition, SpatialGini};
use serde::Serialize;

use crate::spatial::{column, id_cell, point_cells, InferenceArgs, PointsArgs};
use resil_indicators::{csv_error, CsvLines};

#[derive(Args, Debug)]
pub struct InequalityArgs {
    /// The table (CSV with a header row).
    pub table: PathBuf,
    /// Column of the unit ids.
    #[arg(long)]
    pub id: String,
    /// Column of the values (finite and >= 0).
    #[arg(long)]
    pub value: String,
    /// Column of the groups (regions) for the between/within decomposition.
    #[arg(long)]
    pub group: Option<String>,
    /// Coordinates and weights for the spatial Gini (the weights taken as links).
    #[command(flatten)]
    pub points: PointsArgs,
    /// Permutations reassign the values to units for the between-group p-value.
    #[command(flatten)]
    pub inference: InferenceArgs,
}

/// What `resil inequality` reports; the decomposition fields are absent without `--group`.
#[derive(Debug, Serialize)]
struct Inequality {
    n: usize,
    theil: f64,
    gini: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    theil_between: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    theil_within: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_sim_between: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spatial_gini: Option<SpatialGini>,
    /// Absent when nothing was permuted (no group and no coordinates).
    #[serde(skip_serializing_if = "Option::is_none")]
    permutations: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

pub fn inequality(args: &InequalityArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let path = &args.table;
    // In memory, so that each record's line is counted from its bytes (`CsvLines`).
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| csv_error(path, e, &mut lines))?.clone();
    let (id_col, value_col) = (column(&headers, &args.id, path)?, column(&headers, &args.value, path)?);
    let group_col = args.group.as_deref().map(|g| column(&headers, g, path)).transpose()?;
    let coordinates = args.points.columns(&headers, path)?;
    let permuted = group_col.is_some() || coordinates.is_some();
    if !permuted {
        args.inference
            .unused("give --group (for the between-group p-value) or coordinates (for the spatial Gini's)")?;
    }
    let mut points = Vec::new();
    let (mut values, mut groups, mut ids) = (Vec::new(), Vec::new(), BTreeSet::new());
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e, &mut lines))? {
        let line = lines.line(record.position());
        let id = id_cell(&record, (id_col, &args.id), path, line)?;
        if !ids.insert(id.clone()) {
            bail!("{}, line {line}: duplicate id `{id}`", path.display());
        }
        let text = record.get(value_col).unwrap_or("").trim();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => values.push(v),
            _ => bail!(
                "{}, line {line}, column `{}`: `{text}` is not a finite number >= 0 (Theil and Gini need non-negative values)",
                path.display(),
                args.value
            ),
        }
        if let Some(c) = group_col {
            let group = record.get(c).unwrap_or("");
            if group.trim().is_empty() {
                bail!(
                    "{}, line {line}, column `{}`: empty group; every row needs one for the decomposition",
                    path.display(),
                    args.group.as_deref().unwrap_or_default()
                );
            }
            groups.push(group.to_string());
        }
        if let Some(coordinates) = &coordinates {
            points.push(point_cells(&record, coordinates, path, line)?);
        }
    }
    if values.len() < 2 || values.iter().sum::<f64>() <= 0.0 {
        bail!("{}: inequality needs at least two rows and a positive total of `{}`", path.display(), args.value);
    }
    let (theil, gini) = (theil_decomposition(&values, &vec![""; values.len()]).0, gini(&values));
    // Values near the largest float overflow the sums: the measures would come out as null.
    if !(theil.is_finite() && gini.is_finite()) {
        bail!(
            "{}: `{}` is too large to compute with (Theil {theil}, Gini {gini}); rescale the column",
            path.display(),
            args.value
        );
    }
    let mut result = Inequality {
        n: values.len(),
        theil,
        gini,
        groups: None,
        theil_between: None,
        theil_within: None,
        p_sim_between: None,
        spatial_gini: None,
        permutations: permuted.then(|| args.inference.permutations()),
        seed: permuted.then(|| args.inference.seed()),
    };
    if group_col.is_some() {
        let names: Vec<&str> = groups.iter().map(String::as_str).collect();
        let (_, between, within) = theil_decomposition(&values, &names);
        result.groups = Some(names.iter().collect::<BTreeSet<_>>().len());
        result.theil_between = Some(between);
        result.theil_within = Some(within);
        result.p_sim_between = (args.inference.permutations() > 0)
            .then(|| theil_between_p_sim(&values, &names, args.inference.permutations(), args.inference.seed()));
    }
    if let Some((metric, _)) = coordinates {
        let w = args.points.weights(&points, metric)?;
        let (permutations, seed) = (args.inference.permutations(), args.inference.seed());
        result.spatial_gini =
            Some(spatial_gini(&values, &w, permutations, seed).with_context(|| path.display().to_string())?);
    }
    if args.inference.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
    } else {
        let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let g = result.spatial_gini.as_ref();
        writeln!(
            out,
            "n,theil,theil_between,theil_within,p_sim_between,gini,groups,wg,wcg,wcg_share,polarization,wcg_p_sim,permutations,seed"
        )?;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            result.n,
            result.theil,
            opt(result.theil_between),
            opt(result.theil_within),
            opt(result.p_sim_between),
            result.gini,
            result.groups.map(|g| g.to_string()).unwrap_or_default(),
            opt(g.map(|g| g.wg)),
            opt(g.map(|g| g.wcg)),
            opt(g.map(|g| g.wcg_share)),
            opt(g.map(|g| g.polarization)),
            opt(g.and_then(|g| g.p_sim)),
            result.permutations.map(|p| p.to_string()).unwrap_or_default(),
            result.seed.map(|s| s.to_string()).unwrap_or_default()
        )?;
    }
    Ok(0)
}
