//! `trend`: trend surfaces of sample zones, the paper's Figure 3: points projected with Albers,
//! polynomials fitted to the X-Z and Y-Z projections per zone and period, with the direction of
//! the best X-Z fit.

use std::collections::BTreeMap;

use resil_core::{Diagnostic, Result, Unit, UnitIndex};
use resil_trend::{albers::Albers, trend};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    period_scores, result, row, table, unit_points, AnalysisResult, AnalysisSpec, CheckValues, PointKind, StudyFacts,
};
use crate::registry::ParamSpec;
use crate::run::RunResult;

pub(super) const SPEC: AnalysisSpec = AnalysisSpec {
    kind: "trend",
    doc: "polynomial trends of sample zones on the X-Z and Y-Z planes (Albers), per period",
    params: &[
        ParamSpec { name: "point", doc: "seat | centroid" },
        ParamSpec { name: "order", doc: "polynomial order, 1-3" },
        ParamSpec { name: "rotation", doc: "axes rotated by this many degrees, -360 to 360" },
        ParamSpec { name: "direction-search", doc: "find the angle 0-179 with the best X-Z fit" },
        ParamSpec { name: "curve-points", doc: "points per fitted curve, 2 to 10,000" },
        ParamSpec { name: "zones", doc: "[analysis.zones] name = [unit ids, names or aliases]" },
    ],
    defaults: || serde_json::to_value(TrendParams::default()).expect("parameters serialise"),
    check: |cx, warnings| cx.params::<TrendParams>(warnings).map(|_| ()),
    run: |cx, r| trend_zones(r, cx.run_params()?),
};

/// The most points a fitted curve is drawn with.
const MOST_CURVE_POINTS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct TrendParams {
    point: PointKind,
    order: usize,
    rotation: f64,
    direction_search: bool,
    curve_points: usize,
    /// Zone name -> unit ids, names or aliases.
    zones: BTreeMap<String, Vec<String>>,
}

impl Default for TrendParams {
    fn default() -> Self {
        TrendParams {
            point: PointKind::Centroid,
            order: 2,
            rotation: 0.0,
            direction_search: true,
            curve_points: 50,
            zones: BTreeMap::new(),
        }
    }
}

impl CheckValues for TrendParams {
    fn problems(&self, _: &StudyFacts<'_>) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !(1..=3).contains(&self.order) {
            out.push(("order", format!("must be 1, 2 or 3 (a polynomial trend of that order), got {}", self.order)));
        }
        // Beyond a few thousand a curve draws no finer, and the curves table grows without end.
        if !(2..=MOST_CURVE_POINTS).contains(&self.curve_points) {
            out.push(("curve-points", format!("must be from 2 to {MOST_CURVE_POINTS}, got {}", self.curve_points)));
        }
        // Without zones the analysis would write empty tables.
        if self.zones.is_empty() {
            out.push((
                "zones",
                "no zones: name at least one, as [analysis.zones] name = [unit ids, names or aliases]".into(),
            ));
        }
        for (zone, members) in &self.zones {
            if members.is_empty() {
                out.push(("zones", format!("zone `{zone}` lists no units")));
            }
        }
        // Angles repeat every 360 degrees; one far outside is a typo (1e308 was taken).
        if !(-360.0..=360.0).contains(&self.rotation) {
            out.push(("rotation", format!("must be an angle from -360 to 360 degrees, got {:?}", self.rotation)));
        }
        out
    }
}

row! {
    /// One fit: zone, period, plane; coefficients scaled (b) and in metres (a); or why skipped.
    struct FitRow {
        zone: String,
        period: i32,
        plane: String,
        rotation: f64,
        order: usize,
        n: usize,
        r2: Option<f64>,
        aicc: Option<f64>,
        centre_m: f64,
        scale_m: f64,
        b0: Option<f64>,
        b1: Option<f64>,
        b2: Option<f64>,
        b3: Option<f64>,
        a0: Option<f64>,
        a1: Option<f64>,
        a2: Option<f64>,
        a3: Option<f64>,
        status: String,
    }
}

row! {
    /// A point of a fitted curve.
    struct CurveRow {
        zone: String,
        period: i32,
        plane: String,
        x_m: f64,
        z: f64,
    }
}

row! {
    /// A zone member's projected point and score.
    struct PointRow {
        zone: String,
        period: i32,
        unit: String,
        x_m: f64,
        y_m: f64,
        z: f64,
    }
}

row! {
    /// The rotation with the best X-Z fit.
    struct DirectionRow {
        zone: String,
        period: i32,
        best_angle: u32,
        r2: f64,
    }
}

fn trend_zones(r: &RunResult, p: TrendParams) -> Result<AnalysisResult> {
    let units = r.panel.units();
    let index = UnitIndex::new(units)?;
    let projection = Albers::china();
    let (mut fits, mut curves, mut points_rows, mut directions) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut notes = Vec::new();
    let mut json_zones = Vec::new();
    for (zone, members) in &p.zones {
        let mut idx = Vec::new();
        for m in members {
            match index.find(m) {
                Some(u) => idx.push(u),
                None => notes.push(Diagnostic::warning(
                    "zone-member",
                    format!("trend zone `{zone}`: `{m}` is not a studied unit (excluded or unknown); left out"),
                )),
            }
        }
        let zone_units: Vec<Unit> = idx.iter().map(|&u| units[u].clone()).collect();
        let pts: Vec<(f64, f64)> = unit_points(&zone_units, p.point, &format!("trend zone `{zone}`"))?
            .iter()
            .map(|&(lon, lat)| projection.project(lon, lat))
            .collect();
        for (t, &period) in r.panel.periods().iter().enumerate() {
            let z: Vec<f64> = idx.iter().map(|&u| period_scores(r, t)[u]).collect();
            for (k, &u) in idx.iter().enumerate() {
                points_rows.push(PointRow {
                    zone: zone.clone(),
                    period,
                    unit: units[u].id.clone(),
                    x_m: pts[k].0,
                    y_m: pts[k].1,
                    z: z[k],
                });
            }
            match trend::fit_planes(&pts, &z, p.order, p.rotation) {
                Ok((xz, yz)) => {
                    for (plane, fit, coord) in [("X-Z", &xz, 0usize), ("Y-Z", &yz, 1usize)] {
                        let along: Vec<f64> = pts
                            .iter()
                            .map(|&q| {
                                let r = trend::rotate(q, p.rotation);
                                if coord == 0 {
                                    r.0
                                } else {
                                    r.1
                                }
                            })
                            .collect();
                        let (lo, hi) =
                            along.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
                        let b = |k: usize| fit.coef_scaled.get(k).copied();
                        let a = |k: usize| fit.coef_original.get(k).copied();
                        fits.push(FitRow {
                            zone: zone.clone(),
                            period,
                            plane: plane.into(),
                            rotation: p.rotation,
                            order: fit.order,
                            n: fit.n,
                            r2: fit.r2,
                            aicc: fit.aicc,
                            centre_m: fit.centre,
                            scale_m: fit.scale,
                            b0: b(0),
                            b1: b(1),
                            b2: b(2),
                            b3: b(3),
                            a0: a(0),
                            a1: a(1),
                            a2: a(2),
                            a3: a(3),
                            status: "ok".into(),
                        });
                        for (x_m, zc) in fit.curve(lo, hi, p.curve_points) {
                            curves.push(CurveRow { zone: zone.clone(), period, plane: plane.into(), x_m, z: zc });
                        }
                        json_zones.push(json!({ "zone": zone, "period": period, "plane": plane, "fit": fit }));
                    }
                    if p.direction_search {
                        if let Ok((angle, r2)) = trend::direction_search(&pts, &z, p.order) {
                            directions.push(DirectionRow { zone: zone.clone(), period, best_angle: angle, r2 });
                        }
                    }
                }
                Err(e) => {
                    notes.push(Diagnostic::warning(
                        "trend-skipped",
                        format!("trend zone `{zone}`, period {period}: {e}"),
                    ));
                    fits.push(FitRow {
                        zone: zone.clone(),
                        period,
                        plane: String::new(),
                        rotation: p.rotation,
                        order: p.order,
                        n: idx.len(),
                        r2: None,
                        aicc: None,
                        centre_m: f64::NAN,
                        scale_m: f64::NAN,
                        b0: None,
                        b1: None,
                        b2: None,
                        b3: None,
                        a0: None,
                        a1: None,
                        a2: None,
                        a3: None,
                        status: format!("skipped: {e}"),
                    });
                }
            }
        }
    }
    let json = json!({ "projection": "Albers equal-area, WGS84, standard parallels 25N 47N, central meridian 105E, origin latitude 0", "point": p.point, "order": p.order, "rotation": p.rotation, "fits": json_zones });
    result(
        vec![
            table("", &fits),
            table("curves", &curves),
            table("points", &points_rows),
            table("direction", &directions),
        ],
        json,
        notes,
    )
}
