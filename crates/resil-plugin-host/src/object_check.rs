//! Checks a plugin file as an object file before it is loaded: a shared library of this
//! machine's architecture whose every segment and section lies inside the file, exporting the
//! entry symbol. A library cut short would otherwise be mapped past its end and kill the host
//! with SIGBUS the moment the loader touches the missing pages.

use std::path::Path;

use object::{Object, ObjectSection, ObjectSegment};
use resil_core::{Error, Result};
use resil_plugin_abi::ENTRY_SYMBOL;

/// The architecture this host was built for, as `object` names it.
fn host_architecture() -> Option<object::Architecture> {
    match std::env::consts::ARCH {
        "x86_64" => Some(object::Architecture::X86_64),
        "aarch64" => Some(object::Architecture::Aarch64),
        "x86" => Some(object::Architecture::I386),
        "arm" => Some(object::Architecture::Arm),
        "riscv64" => Some(object::Architecture::Riscv64),
        _ => None,
    }
}

/// Checks the bytes of a plugin library; `Err` names what is wrong in words a user can act on.
pub(crate) fn check_bytes(data: &[u8]) -> std::result::Result<(), String> {
    let file = object::File::parse(data).map_err(|e| {
        // A file that starts like a library but does not parse was cut short or damaged.
        let kind = object::FileKind::parse(data);
        if kind.is_ok() {
            format!("a damaged library ({e}): the file is cut short or damaged (rebuild the plugin)")
        } else {
            format!("not a shared library ({e})")
        }
    })?;
    let len = data.len() as u64;
    let beyond = |what: String, offset: u64, size: u64| {
        format!(
            "{what} spans bytes {offset}..{} but the file has {len} bytes: the file is cut short or damaged (rebuild the plugin)",
            offset.saturating_add(size)
        )
    };
    for (i, segment) in file.segments().enumerate() {
        let (offset, size) = segment.file_range();
        if offset.checked_add(size).is_none_or(|end| end > len) {
            return Err(beyond(format!("segment {i}"), offset, size));
        }
    }
    for section in file.sections() {
        if let Some((offset, size)) = section.file_range() {
            if offset.checked_add(size).is_none_or(|end| end > len) {
                let name = section.name().unwrap_or("?").to_string();
                return Err(beyond(format!("section `{name}`"), offset, size));
            }
        }
    }
    if let Some(host) = host_architecture() {
        if file.architecture() != host {
            return Err(format!("built for {:?}, this machine is {host:?}", file.architecture()));
        }
    }
    let entry = &ENTRY_SYMBOL[..ENTRY_SYMBOL.len() - 1];
    let exports = file.exports().map_err(|e| format!("cannot read its exported symbols ({e})"))?;
    if !exports.iter().any(|e| e.name() == entry) {
        return Err(format!(
            "does not export the entry symbol `{}`: not a resil plugin",
            String::from_utf8_lossy(entry)
        ));
    }
    Ok(())
}

/// Reads and checks the plugin file at `path` (see [`check_bytes`]).
pub fn check_file(path: &Path) -> Result<()> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    check_bytes(&data).map_err(|m| Error::data(path.display().to_string(), m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_empty_files_are_not_libraries() {
        assert!(check_bytes(b"").unwrap_err().starts_with("not a shared library"));
        assert!(check_bytes(b"hello, I am not ELF").unwrap_err().starts_with("not a shared library"));
    }

    #[test]
    fn the_test_binary_itself_is_checked_without_loading() {
        // This test executable is a well-formed object of the host architecture; it exports no
        // entry symbol, and any prefix of it is refused, never mapped.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let whole = check_bytes(&exe).unwrap_err();
        assert!(whole.contains("entry symbol"), "{whole}");
        for cut in [64, 4096, exe.len() / 2, exe.len() - 1] {
            let e = check_bytes(&exe[..cut]).unwrap_err();
            assert!(e.contains("the file is cut short or damaged"), "cut at {cut}: {e}");
        }
    }
}
