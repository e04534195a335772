//! `resil spatial moran` and `resil spatial geary`: global Moran's I and Geary's C of one column
//! of a plain CSV table, with the same weights flags.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use resil_indicators::{csv_error, CsvLines};
use resil_trend::geary::geary as geary_c;
use resil_trend::spatial::{moran as moran_i, Metric, SpatialWeights, WeightsKind};

#[derive(Args, Debug)]
pub struct SpatialArgs {
    /// The table (CSV with a header row).
    pub table: PathBuf,
    /// Column of the unit ids.
    #[arg(long)]
    pub id: String,
    /// Column of the values.
    #[arg(long)]
    pub value: String,
    #[command(flatten)]
    pub points: PointsArgs,
    #[command(flatten)]
    pub inference: InferenceArgs,
}

/// The coordinate columns of a points table and the spatial weights between the points.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("weights").args(["knn", "band", "idw"])))]
pub struct PointsArgs {
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
    /// The inverse-distance power (with --idw; default 1).
    #[arg(long)]
    pub power: Option<f64>,
    /// A distance band for the inverse-distance weights (with --idw).
    #[arg(long = "idw-band")]
    pub idw_band: Option<f64>,
    /// Keep raw weights instead of row-standardising them.
    #[arg(long)]
    pub binary: bool,
}

/// The metric of the coordinates and the (position, name) of the x and y columns.
pub(crate) type CoordinateColumns = (Metric, [(usize, String); 2]);

impl PointsArgs {
    /// The metric and the positions of the coordinate columns; `None` when none are given (then
    /// a weights flag is an error: it would be ignored).
    pub(crate) fn columns(
        &self,
        headers: &csv::StringRecord,
        path: &std::path::Path,
    ) -> anyhow::Result<Option<CoordinateColumns>> {
        let (metric, cx, cy) = match (&self.lon, &self.lat, &self.x, &self.y) {
            (Some(lon), Some(lat), _, _) => (Metric::GreatCircleKm, lon, lat),
            (_, _, Some(x), Some(y)) => (Metric::Planar, x, y),
            _ => {
                let flags = [
                    ("--knn", self.knn.is_some()),
                    ("--band", self.band.is_some()),
                    ("--idw", self.idw),
                    ("--power", self.power.is_some()),
                    ("--idw-band", self.idw_band.is_some()),
                    ("--binary", self.binary),
                ];
                let given: Vec<&str> = flags.iter().filter(|(_, g)| *g).map(|(f, _)| *f).collect();
                if !given.is_empty() {
                    bail!("{}: spatial weights need coordinates, --lon and --lat or --x and --y", given.join(", "));
                }
                return Ok(None);
            }
        };
        Ok(Some((metric, [(column(headers, cx, path)?, cx.clone()), (column(headers, cy, path)?, cy.clone())])))
    }

    /// The weights between `points` as the flags say.
    pub(crate) fn weights(&self, points: &[(f64, f64)], metric: Metric) -> anyhow::Result<SpatialWeights> {
        // clap's `requires` counts a flag's default as given, so this is checked here.
        let idw_only = [("--power", self.power.is_some()), ("--idw-band", self.idw_band.is_some())];
        if let Some((flag, _)) = idw_only.iter().find(|(_, given)| *given && !self.idw) {
            bail!("{flag}: only inverse-distance weights take it; add --idw");
        }
        let kind = match (self.knn, self.band, self.idw) {
            (_, Some(b), _) => WeightsKind::Band(b),
            (_, _, true) => WeightsKind::InverseDistance { power: self.power.unwrap_or(1.0), band: self.idw_band },
            (k, _, _) => WeightsKind::Knn(k.unwrap_or(4)),
        };
        Ok(SpatialWeights::build(points, metric, kind, !self.binary)?)
    }
}

/// A finite number in a CSV cell on `line`, or an error naming the file, line and column.
pub(crate) fn number_cell(
    record: &csv::StringRecord,
    (c, name): (usize, &str),
    path: &std::path::Path,
    line: u64,
) -> anyhow::Result<f64> {
    let text = record.get(c).unwrap_or("").trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => bail!("{}, line {line}, column `{name}`: `{text}` is not a finite number", path.display()),
    }
}

/// A point's coordinates on `line`: finite numbers, and for --lon/--lat degrees in range (a
/// latitude of 95 would give great-circle distances of no place).
pub(crate) fn point_cells(
    record: &csv::StringRecord,
    (metric, [(x, x_name), (y, y_name)]): &CoordinateColumns,
    path: &std::path::Path,
    line: u64,
) -> anyhow::Result<(f64, f64)> {
    let point = (number_cell(record, (*x, x_name), path, line)?, number_cell(record, (*y, y_name), path, line)?);
    if *metric == Metric::GreatCircleKm {
        for (v, name, limit, what) in [(point.0, x_name, 180.0, "longitude"), (point.1, y_name, 90.0, "latitude")] {
            if v.abs() > limit {
                bail!(
                    "{}, line {line}, column `{name}`: {v} is not a {what} in degrees (|{what}| <= {limit})",
                    path.display()
                );
            }
        }
    }
    Ok(point)
}

/// A row's id on `line`, which must not be blank: the outputs name rows by it.
pub(crate) fn id_cell(
    record: &csv::StringRecord,
    (c, name): (usize, &str),
    path: &std::path::Path,
    line: u64,
) -> anyhow::Result<String> {
    let id = record.get(c).unwrap_or("");
    if id.trim().is_empty() {
        bail!("{}, line {line}, column `{name}`: empty id; every row needs one", path.display());
    }
    Ok(id.to_string())
}

/// Permutation inference and output format, shared by the plain-table statistics.
#[derive(Args, Debug)]
pub struct InferenceArgs {
    /// Random permutations for the pseudo p-value (0 = none, at most 1000000) [default: 999].
    #[arg(long = "permutations", value_name = "PERMUTATIONS", value_parser = permutation_count)]
    given_permutations: Option<usize>,
    /// The permutations' seed [default: 1].
    #[arg(long = "seed", value_name = "SEED")]
    given_seed: Option<u64>,
    #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
    pub format: String,
}

/// A `--permutations` count: a whole number up to [`resil_trend::MOST_PERMUTATIONS`].
fn permutation_count(text: &str) -> Result<usize, String> {
    let count: usize = text.parse().map_err(|e| format!("not a whole number: {e}"))?;
    resil_trend::permutations_problem(count).map_or(Ok(count), Err)
}

impl InferenceArgs {
    pub(crate) fn permutations(&self) -> usize {
        self.given_permutations.unwrap_or(999)
    }

    pub(crate) fn seed(&self) -> u64 {
        self.given_seed.unwrap_or(1)
    }

    /// Refuses --permutations and --seed where nothing would be permuted (`why` says when
    /// something would), instead of ignoring them.
    pub(crate) fn unused(&self, why: &str) -> anyhow::Result<()> {
        let given: Vec<&str> =
            [("--permutations", self.given_permutations.is_some()), ("--seed", self.given_seed.is_some())]
                .into_iter()
                .filter_map(|(flag, given)| given.then_some(flag))
                .collect();
        if !given.is_empty() {
            bail!("{}: nothing is permuted here; {why}", given.join(" and "));
        }
        Ok(())
    }
}

pub(crate) fn column(headers: &csv::StringRecord, name: &str, path: &std::path::Path) -> anyhow::Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("{}, line 1: missing column `{name}`", path.display()))
}

/// A points table as the spatial commands read it: ids in file order, the `--value` column, a
/// second numeric column when one is asked for (`moran-bv --with`), and the weights between the
/// points.
struct PointsTable {
    ids: Vec<String>,
    values: Vec<f64>,
    with: Vec<f64>,
    weights: SpatialWeights,
}

/// Reads `args.table` once: the id, value and coordinate columns and, when `with` names one, a
/// second numeric column, whose bad cells are reported after the weights are built.
fn points_table(args: &SpatialArgs, with: Option<&str>) -> anyhow::Result<PointsTable> {
    let path = &args.table;
    // In memory, so that each record's line is counted from its bytes (`CsvLines`).
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| csv_error(path, e, &mut lines))?.clone();
    let Some(coordinates) = args.points.columns(&headers, path)? else {
        bail!("give the coordinates: --lon COL --lat COL, or --x COL --y COL");
    };
    let (id_col, value_col) = (column(&headers, &args.id, path)?, column(&headers, &args.value, path)?);
    let with_col = with.map(|name| column(&headers, name, path).map(|c| (c, name))).transpose()?;
    let (mut values, mut points, mut with_values) = (Vec::new(), Vec::new(), Vec::new());
    let (mut order, mut row_lines) = (Vec::new(), Vec::new());
    // One record read into again and again (`records()` allocates one a row).
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e, &mut lines))? {
        let line = lines.line(record.position());
        row_lines.push(line);
        order.push(id_cell(&record, (id_col, &args.id), path, line)?);
        values.push(number_cell(&record, (value_col, &args.value), path, line)?);
        points.push(point_cells(&record, &coordinates, path, line)?);
        if let Some(with) = with_col {
            with_values.push(number_cell(&record, with, path, line));
        }
    }
    // The first row, in file order, whose id an earlier row has (a set for membership only).
    let mut seen = std::collections::HashSet::with_capacity(order.len());
    if let Some((id, line)) = order.iter().zip(&row_lines).find(|(id, _)| !seen.insert(id.as_str())) {
        bail!("{}, line {line}: duplicate id `{id}`", path.display());
    }
    let weights = args.points.weights(&points, coordinates.0)?;
    let with = with_values.into_iter().collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(PointsTable { ids: order, values, with, weights })
}

pub fn moran(args: &SpatialArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let PointsTable { values, weights: w, .. } = points_table(args, None)?;
    let m = moran_i(&values, &w, args.inference.permutations(), args.inference.seed())?;
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
    let PointsTable { values, weights: w, .. } = points_table(args, None)?;
    let g = geary_c(&values, &w, args.inference.permutations(), args.inference.seed())?;
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

/// `resil spatial getis-ord`: the points table and weights of `spatial moran`, and which statistic.
#[derive(Args, Debug)]
pub struct GetisOrdArgs {
    #[command(flatten)]
    pub spatial: SpatialArgs,
    /// Local G_i of every point instead of the global G (row-standardised weights).
    #[arg(long)]
    pub local: bool,
    /// With --local: G*_i, the point itself counted (self-weight: its row's largest weight).
    #[arg(long, requires = "local")]
    pub star: bool,
}

pub fn getis_ord(args: &GetisOrdArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let a = &args.spatial;
    let PointsTable { ids, values, weights: w, .. } = points_table(a, None)?;
    let (permutations, seed) = (a.inference.permutations(), a.inference.seed());
    if !args.local {
        let g = resil_trend::getis_ord::getis_ord(&values, &w, permutations, seed)?;
        if a.inference.format == "json" {
            writeln!(out, "{}", serde_json::to_string_pretty(&g)?)?;
        } else {
            writeln!(out, "n,g,expected_g,z_norm,p_norm,p_sim,permutations,seed")?;
            let p_sim = g.p_sim.map(|p| p.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                g.n, g.g, g.expected_g, g.z_norm, g.p_norm, p_sim, g.permutations, g.seed
            )?;
        }
        return Ok(0);
    }
    let local = resil_trend::getis_ord::local_g(&values, &w, args.star, permutations, seed)?;
    let undefined: Vec<&str> =
        ids.iter().zip(&local).filter(|(_, l)| l.z_undefined()).map(|(id, _)| id.as_str()).collect();
    if !undefined.is_empty() {
        writeln!(
            err,
            "warning: z and p_norm are undefined (0/0, left empty) at {}: every other value is the same",
            undefined.join(", ")
        )?;
    }
    if a.inference.format == "json" {
        let rows: Vec<serde_json::Value> = ids
            .iter()
            .zip(&local)
            .map(|(id, l)| {
                let mut v = serde_json::to_value(l).expect("plain numbers");
                v["id"] = serde_json::Value::String(id.clone());
                v
            })
            .collect();
        let doc = serde_json::json!({ "star": args.star, "permutations": permutations, "seed": seed, "local": rows });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "id,g,expected,variance,z,p_norm,p_sim")?;
        // An undefined z (and its p) is an empty cell, as in the run's tables.
        let cell = |v: f64| if v.is_finite() { v.to_string() } else { String::new() };
        for (id, l) in ids.iter().zip(&local) {
            let (z, p) = (cell(l.z), cell(l.p_norm));
            writeln!(out, "{id},{},{},{},{z},{p},{}", l.g, l.expected, l.variance, l.p_sim)?;
        }
    }
    Ok(0)
}

/// `resil spatial moran-bv`: the points table and weights of `spatial moran`, and the second column.
#[derive(Args, Debug)]
pub struct MoranBvArgs {
    #[command(flatten)]
    pub spatial: SpatialArgs,
    /// The column whose spatial lag is set against --value.
    #[arg(long = "with")]
    pub with: String,
}

pub fn moran_bv(args: &MoranBvArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let a = &args.spatial;
    let PointsTable { values: x, with: y, weights: w, .. } = points_table(a, Some(&args.with))?;
    let m = resil_trend::moran_bv::moran_bv(&x, &y, &w, a.inference.permutations(), a.inference.seed())?;
    if a.inference.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
    } else {
        writeln!(out, "n,i,p_sim,ei_sim,se_i_sim,z_sim,p_z_sim,permutations,seed")?;
        let o = |v: Option<f64>| v.map(|p| p.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            m.n,
            m.i,
            o(m.p_sim),
            o(m.ei_sim),
            o(m.se_i_sim),
            o(m.z_sim),
            o(m.p_z_sim),
            m.permutations,
            m.seed
        )?;
    }
    Ok(0)
}
