//! `resil spatial moran` and `resil spatial geary`: global Moran's I and Geary's C of one column
//! of a plain CSV table, with the same weights flags.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use resil_trend::geary::geary as geary_c;
use resil_trend::spatial::{moran as moran_i, Metric, SpatialWeights, WeightsKind};

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("weights").args(["knn", "band", "idw"])))]
pub struct SpatialArgs {
    /// The table (CSV with a header row).
    pub table: PathBuf,
    /// Column of the unit ids.
    #[arg(long)]
    pub id: String,
    /// Column of the values.
    #[arg(long)]
    pub value: String,
    /// Longitude column (degrees; distances are great-circle km). Use with --lat.
    #[arg(long, requires = "lat", conflicts_with_all = ["x", "y"])]
    pub lon: Option<String>,
    #[arg(long, requires = "lon")]
    pub lat: Option<String>,
    /// Planar x column (Euclidean distances). Use with --y.
    #[arg(long, requires = "y")]
    pub x: Option<String>,
    #[arg(long, requires = "x")]
    pub y: Option<String>,
    /// k nearest neighbours (the default, k = 4).
    #[arg(long)]
    pub knn: Option<usize>,
    /// Every point within this distance (km for --lon/--lat, units of x/y otherwise).
    #[arg(long)]
    pub band: Option<f64>,
    /// Inverse-distance weights d^-power (within --idw-band when given).
    #[arg(long)]
    pub idw: bool,
    #[arg(long, default_value_t = 1.0)]
    pub power: f64,
    #[arg(long = "idw-band")]
    pub idw_band: Option<f64>,
    /// Keep raw weights instead of row-standardising them.
    #[arg(long)]
    pub binary: bool,
    #[command(flatten)]
    pub inference: InferenceArgs,
}

/// Permutation inference and output format, shared by the plain-table statistics.
#[derive(Args, Debug)]
pub struct InferenceArgs {
    /// Random permutations for the pseudo p-value (0 = none).
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
    pub format: String,
}

pub(crate) fn column(headers: &csv::StringRecord, name: &str, path: &std::path::Path) -> anyhow::Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("{}, line 1: missing column `{name}`", path.display()))
}

/// The values of the table's column and the weights between its points.
fn values_and_weights(args: &SpatialArgs) -> anyhow::Result<(Vec<f64>, SpatialWeights)> {
    let path = &args.table;
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers = reader.headers()?.clone();
    let (metric, cx, cy) = match (&args.lon, &args.lat, &args.x, &args.y) {
        (Some(lon), Some(lat), _, _) => (Metric::GreatCircleKm, lon, lat),
        (_, _, Some(x), Some(y)) => (Metric::Planar, x, y),
        _ => bail!("give the coordinates: --lon COL --lat COL, or --x COL --y COL"),
    };
    let (id_col, value_col) = (column(&headers, &args.id, path)?, column(&headers, &args.value, path)?);
    let (x_col, y_col) = (column(&headers, cx, path)?, column(&headers, cy, path)?);
    let (mut values, mut points) = (Vec::new(), Vec::new());
    let mut ids = std::collections::BTreeSet::new();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |c: usize, name: &str| -> anyhow::Result<f64> {
            let text = record.get(c).unwrap_or("").trim();
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => bail!("{}, line {line}, column `{name}`: `{text}` is not a finite number", path.display()),
            }
        };
        let id = record.get(id_col).unwrap_or("").to_string();
        if !ids.insert(id.clone()) {
            bail!("{}, line {line}: duplicate id `{id}`", path.display());
        }
        values.push(cell(value_col, &args.value)?);
        points.push((cell(x_col, cx)?, cell(y_col, cy)?));
    }
    let kind = match (args.knn, args.band, args.idw) {
        (_, Some(b), _) => WeightsKind::Band(b),
        (_, _, true) => WeightsKind::InverseDistance { power: args.power, band: args.idw_band },
        (k, _, _) => WeightsKind::Knn(k.unwrap_or(4)),
    };
    Ok((values, SpatialWeights::build(&points, metric, kind, !args.binary)?))
}

pub fn moran(args: &SpatialArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let (values, w) = values_and_weights(args)?;
    let m = moran_i(&values, &w, args.inference.permutations, args.inference.seed)?;
    if args.inference.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
    } else {
        writeln!(out, "n,i,expected_i,z_norm,p_norm,z_rand,p_rand,p_sim,permutations,seed,islands")?;
        let p_sim = m.p_sim.map(|p| p.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            m.n,
            m.i,
            m.expected_i,
            m.z_norm,
            m.p_norm,
            m.z_rand,
            m.p_rand,
            p_sim,
            m.permutations,
            m.seed,
            m.islands.len()
        )?;
    }
    Ok(0)
}

pub fn geary(args: &SpatialArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let (values, w) = values_and_weights(args)?;
    let g = geary_c(&values, &w, args.inference.permutations, args.inference.seed)?;
    if args.inference.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&g)?)?;
    } else {
        writeln!(out, "n,c,expected_c,z_norm,p_norm,z_rand,p_rand,p_sim,permutations,seed")?;
        let p_sim = g.p_sim.map(|p| p.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            g.n, g.c, g.expected_c, g.z_norm, g.p_norm, g.z_rand, g.p_rand, p_sim, g.permutations, g.seed
        )?;
    }
    Ok(0)
}
