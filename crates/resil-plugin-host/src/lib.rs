//! The one place resil opens shared libraries: finds plugins in the configured folders, checks
//! each file as an object file before loading it (so a damaged file is an error, not a crash),
//! then their ABI version and descriptor size before anything else, and wraps each in a
//! [`ForeignIndicatorSource`] that implements the ordinary [`resil_core::IndicatorSource`], so
//! nothing downstream knows it is a plugin. Libraries are never unloaded: their code and strings
//! stay valid for the life of the process.

#[cfg(test)]
mod in_process_tests;
mod library;
mod object_check;
mod source;

pub use library::{discover, find, from_descriptor, library_file_names, open, IndicatorMeta, LoadedPlugin, PluginInfo};
pub use object_check::check_file;
pub use resil_plugin_abi::ABI_VERSION;
pub use source::ForeignIndicatorSource;
