//! A plugin as an ordinary indicator source: builds the C request, calls the plugin, checks every
//! value it returns, frees its buffers with its own functions, and names plugin, indicator, unit
//! and period in every error.

use std::ffi::c_void;
use std::path::PathBuf;

use resil_core::{Diagnostic, Error, IndicatorSource, Observation, Origin, Outcome, Result, SourceRequest};
use resil_plugin_abi::{LoadRequest, OwnedBytes, OwnedF64s, Param, UnitRecord, Utf8, STATUS_OK, STATUS_PANIC};

use crate::LoadedPlugin;

/// A configured plugin source.
#[derive(Debug, Clone)]
pub struct ForeignIndicatorSource {
    /// The source id from the config.
    pub id: String,
    pub plugin: LoadedPlugin,
    /// Parameters as (key, value written as TOML).
    pub params: Vec<(String, String)>,
    /// The folder the plugin reads its tables from.
    pub data_dir: PathBuf,
}

fn utf8(s: &str) -> Utf8 {
    Utf8 { ptr: s.as_ptr(), len: s.len() }
}

impl ForeignIndicatorSource {
    fn context(&self) -> String {
        format!("plugin `{}` {} (source `{}`)", self.plugin.info.name, self.plugin.info.version, self.id)
    }

    /// Takes a message buffer from the plugin and frees it with the plugin's own function.
    fn take_bytes(&self, buffer: OwnedBytes) -> Vec<u8> {
        if buffer.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: a non-null buffer the plugin allocated holds `len` bytes (ABI: OwnedBytes).
        let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec();
        // SAFETY: the buffer is the plugin's, given back once to the plugin's own free function.
        unsafe { (self.plugin.descriptor.free_bytes)(buffer) };
        bytes
    }

    fn failure(&self, stage: &str, status: u32, error: OwnedBytes) -> Error {
        let message = String::from_utf8_lossy(&self.take_bytes(error)).into_owned();
        let what = if status == STATUS_PANIC { "panicked" } else { "failed" };
        let message = message.strip_prefix("panicked: ").unwrap_or(&message).to_string();
        Error::data(self.context(), format!("{stage} {what} (status {status}): {message}"))
    }
}

impl IndicatorSource for ForeignIndicatorSource {
    fn id(&self) -> &str {
        &self.id
    }

    /// The files of the plugin's data folder, so the manifest records their hashes.
    fn inputs(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.data_dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    fn load(&self, request: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>> {
        let d = self.plugin.descriptor;
        let declared: Vec<&str> = self.plugin.info.indicators.iter().map(|i| i.id.as_str()).collect();
        let wanted: Vec<String> = request.indicators.iter().map(|&j| request.system.get(j).id.clone()).collect();
        for id in &wanted {
            if !declared.contains(&id.as_str()) {
                return Err(Error::data(
                    self.context(),
                    format!("does not provide indicator `{id}` (it provides {})", declared.join(", ")),
                ));
            }
        }

        // create
        let params: Vec<Param> = self.params.iter().map(|(k, v)| Param { key: utf8(k), value: utf8(v) }).collect();
        let data_dir = self.data_dir.to_string_lossy().into_owned();
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut error = OwnedBytes::EMPTY;
        // SAFETY: every pointer passed lives until the call returns (params, data_dir, the two
        // out-parameters); the plugin copies what it keeps (ABI).
        let status = unsafe { (d.create)(params.as_ptr(), params.len(), utf8(&data_dir), &mut instance, &mut error) };
        if status != STATUS_OK {
            return Err(self.failure("create", status, error));
        }

        // load, then always destroy the instance
        let neighbours: Vec<String> = request.units.iter().map(|u| u.neighbours.join(";")).collect();
        let units: Vec<UnitRecord> = request
            .units
            .iter()
            .zip(&neighbours)
            .map(|(u, n)| UnitRecord {
                id: utf8(&u.id),
                name: utf8(&u.name),
                province: utf8(&u.province),
                neighbours: utf8(n),
                seat_lon: u.seat.map_or(f64::NAN, |p| p.lon),
                seat_lat: u.seat.map_or(f64::NAN, |p| p.lat),
                centroid_lon: u.centroid.map_or(f64::NAN, |p| p.lon),
                centroid_lat: u.centroid.map_or(f64::NAN, |p| p.lat),
            })
            .collect();
        let ids: Vec<Utf8> = wanted.iter().map(|s| utf8(s)).collect();
        let c_request = LoadRequest {
            units: units.as_ptr(),
            n_units: units.len(),
            periods: request.periods.as_ptr(),
            n_periods: request.periods.len(),
            indicators: ids.as_ptr(),
            n_indicators: ids.len(),
        };
        let (mut values, mut present, mut notes, mut error) =
            (OwnedF64s::EMPTY, OwnedBytes::EMPTY, OwnedBytes::EMPTY, OwnedBytes::EMPTY);
        // SAFETY: `instance` came from this plugin's create; the request's arrays (units, their
        // strings, periods, ids) live until the call returns; the out-parameters are ours.
        let status = unsafe { (d.load)(instance, &c_request, &mut values, &mut present, &mut notes, &mut error) };
        // SAFETY: destroyed once, by the plugin that created it, and not used after.
        unsafe { (d.destroy)(instance) };
        if status != STATUS_OK {
            return Err(self.failure("load", status, error));
        }
        let got: Vec<f64> = if values.ptr.is_null() {
            Vec::new()
        } else {
            // SAFETY: a non-null buffer from the plugin holds `len` f64s (ABI: OwnedF64s).
            unsafe { std::slice::from_raw_parts(values.ptr, values.len) }.to_vec()
        };
        // SAFETY: the plugin's buffer, given back once to its own free function.
        unsafe { (d.free_f64s)(values) };
        let mask = self.take_bytes(present);
        let notes = String::from_utf8_lossy(&self.take_bytes(notes)).into_owned();

        // check every value
        let (n_units, n_periods) = (request.units.len(), request.periods.len());
        let expected = wanted.len() * n_periods * n_units;
        if got.len() != expected || mask.len() != expected {
            return Err(Error::data(
                self.context(),
                format!(
                    "returned {} values and {} presence flags for {} indicators x {} periods x {} units = {expected} cells",
                    got.len(),
                    mask.len(),
                    wanted.len(),
                    n_periods,
                    n_units
                ),
            ));
        }
        let mut problems = Vec::new();
        let mut observations = Vec::new();
        let origin = Origin(self.context());
        for (k, &j) in request.indicators.iter().enumerate() {
            for t in 0..n_periods {
                for u in 0..n_units {
                    let cell = (k * n_periods + t) * n_units + u;
                    let (v, flag) = (got[cell], mask[cell]);
                    let unit = &request.units[u];
                    let place = || {
                        format!(
                            "{}: indicator `{}`, unit `{}` ({}), period {}",
                            self.context(),
                            wanted[k],
                            unit.id,
                            unit.name,
                            request.periods[t]
                        )
                    };
                    match flag {
                        0 => continue,
                        1 if v.is_finite() => {}
                        1 => {
                            problems.push(Error::data(
                                place(),
                                format!("value is {v}; a plugin must return finite values or mark the cell missing"),
                            ));
                            continue;
                        }
                        other => {
                            problems.push(Error::data(place(), format!("presence flag is {other}, not 0 or 1")));
                            continue;
                        }
                    }
                    observations.push(Observation {
                        unit: u,
                        period: t,
                        indicator: j,
                        value: v,
                        origin: origin.clone(),
                    });
                }
            }
        }
        if !problems.is_empty() {
            let n = problems.len();
            problems.truncate(20);
            if n > 20 {
                problems.push(Error::data(self.context(), format!("and {} more bad values", n - 20)));
            }
            return Err(Error::from_list(problems));
        }
        let diagnostics = notes
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Diagnostic::info("plugin-note", format!("{}: {l}", self.plugin.info.name)))
            .collect();
        Ok(Outcome::with_notes(observations, diagnostics))
    }
}
