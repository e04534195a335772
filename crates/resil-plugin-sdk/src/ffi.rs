//! The `extern "C"` side of a plugin, generated for each [`Plugin`] type: the descriptor and the
//! shims behind its function pointers. Every shim body runs inside `catch_unwind`; buffers handed
//! to the host are `Vec`s taken apart here and put back together by `free_*` here, so the
//! plugin's allocator frees what it allocated.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use resil_plugin_abi::{
    IndicatorInfo, LoadRequest, OwnedBytes, OwnedF64s, Param, PluginDescriptor, Utf8, ABI_VERSION, STATUS_ERROR,
    STATUS_OK, STATUS_PANIC,
};

use crate::{Output, Params, Plugin, Request, Unit};

/// The plugin's descriptor with the strings and tables it points into, alive for the life of
/// the library (it sits in a static of the exporting crate).
pub struct DescriptorHolder {
    descriptor: PluginDescriptor,
    _strings: Vec<Box<str>>,
    _infos: Vec<IndicatorInfo>,
}

// SAFETY: the raw pointers point into the holder's own boxes, which never move or change.
unsafe impl Send for DescriptorHolder {}
// SAFETY: as for Send: the holder is immutable once built.
unsafe impl Sync for DescriptorHolder {}

fn utf8(strings: &mut Vec<Box<str>>, s: &str) -> Utf8 {
    let boxed: Box<str> = s.into();
    let out = Utf8 { ptr: boxed.as_ptr(), len: boxed.len() };
    strings.push(boxed);
    out
}

impl DescriptorHolder {
    pub fn new<P: Plugin>() -> Self {
        let mut strings = Vec::new();
        let infos: Vec<IndicatorInfo> = P::indicators()
            .iter()
            .map(|i| IndicatorInfo {
                id: utf8(&mut strings, &i.id),
                name: utf8(&mut strings, &i.name),
                measure: utf8(&mut strings, &i.measure),
                note: utf8(&mut strings, &i.note),
            })
            .collect();
        let descriptor = PluginDescriptor {
            abi_version: ABI_VERSION,
            descriptor_size: std::mem::size_of::<PluginDescriptor>() as u32,
            name: utf8(&mut strings, P::NAME),
            version: utf8(&mut strings, P::VERSION),
            description: utf8(&mut strings, P::DESCRIPTION),
            indicators: infos.as_ptr(),
            n_indicators: infos.len(),
            create: create::<P>,
            load: load::<P>,
            destroy: destroy::<P>,
            free_f64s,
            free_bytes,
        };
        DescriptorHolder { descriptor, _strings: strings, _infos: infos }
    }

    pub fn descriptor_mut(&mut self) -> &mut PluginDescriptor {
        &mut self.descriptor
    }

    pub fn as_ptr(&self) -> *const PluginDescriptor {
        &self.descriptor
    }
}

fn bytes_out(s: String) -> OwnedBytes {
    let mut v = std::mem::ManuallyDrop::new(s.into_bytes());
    OwnedBytes { ptr: v.as_mut_ptr(), len: v.len(), cap: v.capacity() }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    format!("panicked: {text}")
}

/// # Safety
/// `u` must be null or valid for the call, as the ABI says.
unsafe fn text(u: Utf8) -> String {
    if u.ptr.is_null() || u.len == 0 {
        return String::new();
    }
    // SAFETY: non-null and non-empty here; the host passes `len` readable bytes (ABI).
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(u.ptr, u.len) }).into_owned()
}

/// Runs `body`, turning an error or a panic into a status code and a message in `out_error`.
unsafe fn guarded(out_error: *mut OwnedBytes, body: impl FnOnce() -> Result<(), String>) -> u32 {
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload)),
    };
    if !out_error.is_null() {
        // SAFETY: a non-null out-parameter of the host, valid for one write (ABI).
        unsafe { out_error.write(bytes_out(message)) };
    }
    status
}

unsafe extern "C" fn create<P: Plugin>(
    params: *const Param,
    n_params: usize,
    data_dir: Utf8,
    out_instance: *mut *mut c_void,
    out_error: *mut OwnedBytes,
) -> u32 {
    // SAFETY: the host passes `n_params` records (or null), a data_dir string and two
    // out-parameters, all valid for the call (ABI); the instance is boxed and owned by the host
    // until it calls `destroy`.
    unsafe {
        guarded(out_error, || {
            let mut values = BTreeMap::new();
            if !params.is_null() {
                for p in std::slice::from_raw_parts(params, n_params) {
                    values.insert(text(p.key), text(p.value));
                }
            }
            let dir = PathBuf::from(text(data_dir));
            let instance = P::create(&Params::new(values), &dir)?;
            out_instance.write(Box::into_raw(Box::new(instance)) as *mut c_void);
            Ok(())
        })
    }
}

/// # Safety
/// `ptr` must be valid for `n` elements for the call, or `n` must be 0.
unsafe fn slice<'a, T>(ptr: *const T, n: usize) -> &'a [T] {
    if n == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller guarantees `n` elements at a non-null `ptr`.
        unsafe { std::slice::from_raw_parts(ptr, n) }
    }
}

fn coordinate(lon: f64, lat: f64) -> Option<(f64, f64)> {
    (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
}

unsafe extern "C" fn load<P: Plugin>(
    instance: *mut c_void,
    request: *const LoadRequest,
    out_values: *mut OwnedF64s,
    out_present: *mut OwnedBytes,
    out_notes: *mut OwnedBytes,
    out_error: *mut OwnedBytes,
) -> u32 {
    // SAFETY: `instance` is this plugin's own box from `create`; the request's arrays and strings
    // are valid for the call; the out-parameters take ownership of vectors the host frees with
    // `free_f64s` / `free_bytes` (ABI).
    unsafe {
        guarded(out_error, || {
            let plugin = &*(instance as *const P);
            let r = &*request;
            let units = slice(r.units, r.n_units)
                .iter()
                .map(|u| Unit {
                    id: text(u.id),
                    name: text(u.name),
                    province: text(u.province),
                    neighbours: text(u.neighbours).split(';').filter(|s| !s.is_empty()).map(String::from).collect(),
                    seat: coordinate(u.seat_lon, u.seat_lat),
                    centroid: coordinate(u.centroid_lon, u.centroid_lat),
                })
                .collect();
            let periods = slice(r.periods, r.n_periods).to_vec();
            let indicators = slice(r.indicators, r.n_indicators).iter().map(|&i| text(i)).collect();
            let request = Request { units, periods, indicators };
            let mut output = Output::new(&request);
            plugin.load(&request, &mut output)?;
            let mut values = std::mem::ManuallyDrop::new(output.values);
            out_values.write(OwnedF64s { ptr: values.as_mut_ptr(), len: values.len(), cap: values.capacity() });
            let mut present = std::mem::ManuallyDrop::new(output.present);
            out_present.write(OwnedBytes { ptr: present.as_mut_ptr(), len: present.len(), cap: present.capacity() });
            out_notes.write(bytes_out(output.notes.join("\n")));
            Ok(())
        })
    }
}

unsafe extern "C" fn destroy<P: Plugin>(instance: *mut c_void) {
    if !instance.is_null() {
        // A panic in a destructor must not cross the boundary either.
        // SAFETY: the box `create` made, destroyed once by the host.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(instance as *mut P) })));
    }
}

unsafe extern "C" fn free_f64s(buffer: OwnedF64s) {
    if !buffer.ptr.is_null() {
        // SAFETY: ptr, len and cap of a Vec<f64> this plugin leaked in `load`, returned once.
        drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
    }
}

unsafe extern "C" fn free_bytes(buffer: OwnedBytes) {
    if !buffer.ptr.is_null() {
        // SAFETY: ptr, len and cap of a Vec<u8> this plugin leaked, returned once.
        drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
    }
}
