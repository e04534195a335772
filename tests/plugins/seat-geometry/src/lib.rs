//! Test plugin adding a "seat geometry" sub-system: G1, the seat's latitude in degrees, and G2,
//! the distance between the seat and the unit's centroid in degrees of arc (a crude compactness
//! measure). Used by the test that adds a sub-system through a plugin and config lines only.

use resil_plugin_sdk::{export_plugin, Indicator, Output, Params, Plugin, Request};

pub struct SeatGeometry;

impl Plugin for SeatGeometry {
    const NAME: &'static str = "seat-geometry";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "latitude of the seat and its offset from the centroid";

    fn indicators() -> Vec<Indicator> {
        vec![
            Indicator::new("G1", "latitude of the seat", "degrees"),
            Indicator::new("G2", "seat-centroid offset", "degrees of arc"),
        ]
    }

    fn create(params: &Params, _data_dir: &std::path::Path) -> Result<Self, String> {
        params.only(&[])?;
        Ok(SeatGeometry)
    }

    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        for (t, _) in request.periods.iter().enumerate() {
            for (u, unit) in request.units.iter().enumerate() {
                let (Some(seat), Some(centroid)) = (unit.seat, unit.centroid) else { continue };
                if let Some(k) = request.indicator("G1") {
                    out.set(k, t, u, seat.1);
                }
                if let Some(k) = request.indicator("G2") {
                    out.set(k, t, u, ((seat.0 - centroid.0).powi(2) + (seat.1 - centroid.1).powi(2)).sqrt());
                }
            }
        }
        Ok(())
    }
}

export_plugin!(SeatGeometry);
