//! The C ABI between resil and its indicator plugins. Only C types cross: `f64` buffers, `i32`
//! periods, lengths, `u32` status codes and UTF-8 bytes as (pointer, length). Each side frees
//! what it allocated: buffers a plugin hands over are released by the plugin's own `free_*`.
//!
//! A plugin is a cdylib exporting [`ENTRY_SYMBOL`], an `extern "C" fn() -> *const
//! PluginDescriptor`. The descriptor starts with `abi_version` and `descriptor_size`, which the
//! host reads and checks before touching anything else. Bump [`ABI_VERSION`] (and the symbol
//! name) on any change to these types.

#![no_std]

use core::ffi::c_void;

/// The ABI version this crate describes; also the suffix of the entry symbol.
pub const ABI_VERSION: u32 = 1;

/// The name of the exported entry function, NUL-terminated for dlsym.
pub const ENTRY_SYMBOL: &[u8] = b"resil_plugin_entry_v1\0";

/// The entry function's type.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginDescriptor;

/// Success.
pub const STATUS_OK: u32 = 0;
/// The plugin refused or failed; the error buffer holds a UTF-8 message.
pub const STATUS_ERROR: u32 = 1;
/// The plugin panicked; the panic was caught at the boundary and its message is in the error buffer.
pub const STATUS_PANIC: u32 = 2;

/// Borrowed UTF-8 bytes: valid for as long as the side that made them says (the descriptor's
/// strings for the life of the library, a request's for the duration of the call).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Utf8 {
    pub ptr: *const u8,
    pub len: usize,
}

impl Utf8 {
    pub const EMPTY: Utf8 = Utf8 { ptr: core::ptr::null(), len: 0 };
}

/// Bytes allocated by the plugin and released by its `free_bytes`.
#[repr(C)]
pub struct OwnedBytes {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl OwnedBytes {
    pub const EMPTY: OwnedBytes = OwnedBytes { ptr: core::ptr::null_mut(), len: 0, cap: 0 };
}

/// `f64`s allocated by the plugin and released by its `free_f64s`.
#[repr(C)]
pub struct OwnedF64s {
    pub ptr: *mut f64,
    pub len: usize,
    pub cap: usize,
}

impl OwnedF64s {
    pub const EMPTY: OwnedF64s = OwnedF64s { ptr: core::ptr::null_mut(), len: 0, cap: 0 };
}

/// One indicator a plugin provides.
#[repr(C)]
pub struct IndicatorInfo {
    pub id: Utf8,
    pub name: Utf8,
    pub measure: Utf8,
    pub note: Utf8,
}

/// A parameter from the config, as `key` and its value written as TOML (`"max"`, `2`, `true`).
#[repr(C)]
pub struct Param {
    pub key: Utf8,
    pub value: Utf8,
}

/// A unit as a plugin sees it; unknown coordinates are NaN.
#[repr(C)]
pub struct UnitRecord {
    pub id: Utf8,
    pub name: Utf8,
    pub province: Utf8,
    /// ISO3 codes separated by `;`.
    pub neighbours: Utf8,
    pub seat_lon: f64,
    pub seat_lat: f64,
    pub centroid_lon: f64,
    pub centroid_lat: f64,
}

/// What the host asks for. The answer has `n_indicators * n_periods * n_units` cells, indicator
/// by indicator, period by period, unit by unit: cell = (k * n_periods + t) * n_units + u.
#[repr(C)]
pub struct LoadRequest {
    pub units: *const UnitRecord,
    pub n_units: usize,
    pub periods: *const i32,
    pub n_periods: usize,
    /// Ids of the requested indicators, each one the plugin declared.
    pub indicators: *const Utf8,
    pub n_indicators: usize,
}

/// Everything the host knows about a plugin. Append fields only at the end, with a new version.
#[repr(C)]
pub struct PluginDescriptor {
    pub abi_version: u32,
    /// `size_of::<PluginDescriptor>()` as the plugin was compiled.
    pub descriptor_size: u32,
    pub name: Utf8,
    pub version: Utf8,
    pub description: Utf8,
    pub indicators: *const IndicatorInfo,
    pub n_indicators: usize,
    /// Builds an instance from the config's parameters and the data folder.
    pub create: unsafe extern "C" fn(
        params: *const Param,
        n_params: usize,
        data_dir: Utf8,
        out_instance: *mut *mut c_void,
        out_error: *mut OwnedBytes,
    ) -> u32,
    /// Computes the requested cells: values, a presence mask (1 = value, 0 = missing) of the same
    /// length, and notes (UTF-8 lines) for the run log.
    pub load: unsafe extern "C" fn(
        instance: *mut c_void,
        request: *const LoadRequest,
        out_values: *mut OwnedF64s,
        out_present: *mut OwnedBytes,
        out_notes: *mut OwnedBytes,
        out_error: *mut OwnedBytes,
    ) -> u32,
    pub destroy: unsafe extern "C" fn(instance: *mut c_void),
    pub free_f64s: unsafe extern "C" fn(buffer: OwnedF64s),
    pub free_bytes: unsafe extern "C" fn(buffer: OwnedBytes),
}
