//! Round trips through the C ABI without a shared library: the SDK builds a descriptor in this
//! process, the host checks it with the same code `open` uses on a library's entry point, then
//! creates, loads, frees and destroys through the descriptor's function pointers. So the host's
//! checks and the SDK's shims are tested against each other on every `cargo test`, no cdylib
//! build needed (as datafusion-ffi's tests do).

use std::path::{Path, PathBuf};

use resil_core::{IndicatorSource, IndicatorSystem, Polarity, SourceRequest, Unit, UnitIndex};
use resil_plugin_abi::PluginDescriptor;
use resil_plugin_sdk::ffi::DescriptorHolder;
use resil_plugin_sdk::{Indicator, Output, Params, Plugin, Request};

use crate::{from_descriptor, ForeignIndicatorSource};

/// Gives each unit's seat latitude times `factor`, and fails or panics on request.
struct Scaled {
    factor: f64,
    mode: String,
}

impl Plugin for Scaled {
    const NAME: &'static str = "scaled";
    const VERSION: &'static str = "0.0.1";
    const DESCRIPTION: &'static str = "seat latitude times a factor";
    fn indicators() -> Vec<Indicator> {
        vec![Indicator::new("LATX", "scaled latitude", "degrees").with_note("for tests")]
    }
    fn create(params: &Params, _data_dir: &Path) -> Result<Self, String> {
        params.only(&["factor", "mode"])?;
        Ok(Scaled { factor: params.number("factor", 1.0)?, mode: params.string("mode", "ok")? })
    }
    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        match self.mode.as_str() {
            "fail" => return Err("asked to fail".into()),
            "panic" => panic!("asked to panic"),
            _ => {}
        }
        for t in 0..request.periods.len() {
            for (u, unit) in request.units.iter().enumerate() {
                if let Some((_, lat)) = unit.seat {
                    out.set(0, t, u, lat * self.factor);
                }
            }
        }
        out.note("scaled by the factor");
        Ok(())
    }
}

/// The descriptor of `Scaled`, optionally tampered with, kept for the life of the test process
/// (the host holds descriptors as `'static`, as it never unloads a library).
fn descriptor(tamper: impl FnOnce(&mut PluginDescriptor)) -> *const PluginDescriptor {
    let mut holder = DescriptorHolder::new::<Scaled>();
    tamper(holder.descriptor_mut());
    Box::leak(Box::new(holder)).as_ptr()
}

fn unit(id: &str, lat: Option<f64>) -> Unit {
    Unit {
        id: id.into(),
        name: id.into(),
        province: "P".into(),
        region: "R".into(),
        seat: lat.map(|lat| resil_core::LonLat { lon: 100.0, lat }),
        centroid: None,
        neighbours: Vec::new(),
        aliases: Vec::new(),
        excluded: None,
        tags: Default::default(),
    }
}

fn source(params: &[(&str, &str)]) -> ForeignIndicatorSource {
    // SAFETY: a whole descriptor built by the SDK and leaked, so valid for the process.
    let plugin = unsafe { from_descriptor(descriptor(|_| {}), Path::new("(in-process)")) }.unwrap();
    ForeignIndicatorSource {
        id: "s".into(),
        plugin,
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        data_dir: PathBuf::from("."),
    }
}

fn load(params: &[(&str, &str)]) -> resil_core::Result<resil_core::Outcome<Vec<resil_core::Observation>>> {
    let units = vec![unit("A", Some(40.0)), unit("B", None)];
    let index = UnitIndex::new(&units).unwrap();
    let mut system = IndicatorSystem::flat(&[Polarity::Benefit]);
    system = IndicatorSystem::new(
        system
            .indicators()
            .iter()
            .cloned()
            .map(|mut i| {
                i.id = "LATX".into();
                i.source = "s".into();
                i
            })
            .collect(),
    );
    let request =
        SourceRequest { units: &units, unit_index: &index, periods: &[2010, 2020], system: &system, indicators: &[0] };
    source(params).load(&request)
}

#[test]
fn a_descriptor_built_by_the_sdk_passes_the_hosts_checks() {
    let p = source(&[]);
    assert_eq!(p.plugin.info.name, "scaled");
    assert_eq!(p.plugin.info.version, "0.0.1");
    assert_eq!(p.plugin.info.indicators[0].id, "LATX");
    assert_eq!(p.plugin.info.indicators[0].note, "for tests");
}

#[test]
fn create_load_free_destroy_round_trip() {
    let out = load(&[("factor", "2.0")]).unwrap();
    let got: Vec<(usize, usize, f64)> =
        out.value.iter().filter(|o| o.value.is_finite()).map(|o| (o.unit, o.period, o.value)).collect();
    assert_eq!(got, vec![(0, 0, 80.0), (0, 1, 80.0)], "unit B has no seat: missing, not a value");
    assert!(out.notes.iter().any(|n| n.message.contains("scaled by the factor")));
}

#[test]
fn errors_panics_and_bad_parameters_come_back_as_errors() {
    let e = load(&[("mode", "\"fail\"")]).unwrap_err().to_string();
    assert!(
        e.contains("plugin `scaled` 0.0.1 (source `s`)") && e.contains("load failed") && e.contains("asked to fail"),
        "{e}"
    );
    let e = load(&[("mode", "\"panic\"")]).unwrap_err().to_string();
    assert!(e.contains("load panicked") && e.contains("asked to panic"), "{e}");
    let e = load(&[("colour", "\"red\"")]).unwrap_err().to_string();
    assert!(e.contains("create failed") && e.contains("colour"), "{e}");
}

#[test]
fn a_tampered_descriptor_is_refused_before_use() {
    let check = |tamper: fn(&mut PluginDescriptor)| {
        // SAFETY: the two leading fields are always there; the rest is checked before it is read.
        unsafe { from_descriptor(descriptor(tamper), Path::new("(in-process)")) }.unwrap_err().to_string()
    };
    assert!(check(|d| d.abi_version = 99).contains("plugin ABI version 99"));
    assert!(check(|d| d.descriptor_size = 16).contains("plugin descriptor is 16 bytes"));
    assert!(check(|d| d.name.len = 0).contains("empty name"));
    assert!(check(|d| d.indicators = std::ptr::null()).contains("indicator table is a null pointer"));
    // SAFETY: null is checked first.
    let null = unsafe { from_descriptor(std::ptr::null(), Path::new("(in-process)")) }.unwrap_err().to_string();
    assert!(null.contains("null descriptor"), "{null}");
}
