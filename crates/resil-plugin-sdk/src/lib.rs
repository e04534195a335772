//! Write a resil indicator plugin in safe Rust: implement [`Plugin`] and call [`export_plugin!`].
//!
//! ```
//! use resil_plugin_sdk::{export_plugin, Indicator, Output, Params, Plugin, Request};
//!
//! struct Latitude;
//!
//! impl Plugin for Latitude {
//!     const NAME: &'static str = "latitude";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!     const DESCRIPTION: &'static str = "the latitude of each unit's seat";
//!     fn indicators() -> Vec<Indicator> {
//!         vec![Indicator::new("LAT", "latitude of the seat", "degrees")]
//!     }
//!     fn create(params: &Params, _data_dir: &std::path::Path) -> Result<Self, String> {
//!         params.only(&[])?;
//!         Ok(Latitude)
//!     }
//!     fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
//!         for (t, _) in request.periods.iter().enumerate() {
//!             for (u, unit) in request.units.iter().enumerate() {
//!                 if let Some((_, lat)) = unit.seat {
//!                     out.set(0, t, u, lat);
//!                 }
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! export_plugin!(Latitude);
//! ```
//!
//! The macro emits the one `extern "C"` entry point; every call into the plugin runs inside
//! `catch_unwind`, so a panic comes back to resil as an error naming the plugin, not a crash.
//! Build the crate as `crate-type = ["cdylib", "rlib"]`.

mod csv;
#[doc(hidden)]
pub mod ffi;
mod types;

pub use crate::csv::{read_csv, Table};
pub use resil_plugin_abi as abi;
pub use types::{Indicator, Output, Params, Request, Unit};

/// An indicator source loaded by resil at run time.
pub trait Plugin: Sized + Send + 'static {
    /// The plugin's name, as configs refer to it (`plugin = "neighbor-fragility"`).
    const NAME: &'static str;
    /// Its version, recorded in every run's manifest.
    const VERSION: &'static str;
    /// One line on what it computes.
    const DESCRIPTION: &'static str;

    /// The indicators it can provide.
    fn indicators() -> Vec<Indicator>;

    /// Builds an instance from the source's `params` in the config and the data folder
    /// (`data-dir`, resolved against the config). Check every parameter here.
    fn create(params: &Params, data_dir: &std::path::Path) -> Result<Self, String>;

    /// Fills `out` for the requested units, periods and indicators. Cells left unset are missing.
    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String>;
}

/// Exports `$plugin` (a type implementing [`Plugin`]) as a resil plugin.
///
/// The second form, with `tamper`, lets a test plugin corrupt its own descriptor to check the
/// host's defences; real plugins never use it.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        $crate::export_plugin!($plugin, tamper = |_d: &mut $crate::abi::PluginDescriptor| {});
    };
    ($plugin:ty, tamper = $tamper:expr) => {
        #[allow(unsafe_code)]
        #[no_mangle]
        pub extern "C" fn resil_plugin_entry_v1() -> *const $crate::abi::PluginDescriptor {
            static DESCRIPTOR: ::std::sync::OnceLock<$crate::ffi::DescriptorHolder> = ::std::sync::OnceLock::new();
            DESCRIPTOR
                .get_or_init(|| {
                    let mut holder = $crate::ffi::DescriptorHolder::new::<$plugin>();
                    ($tamper)(holder.descriptor_mut());
                    holder
                })
                .as_ptr()
        }
    };
}
