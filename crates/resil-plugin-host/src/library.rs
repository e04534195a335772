//! Finding, opening and checking plugin libraries.

use std::path::{Path, PathBuf};

use resil_core::{Error, Result};
use resil_plugin_abi::{EntryFn, PluginDescriptor, Utf8, ABI_VERSION, ENTRY_SYMBOL};

/// An indicator as a plugin declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorMeta {
    pub id: String,
    pub name: String,
    pub measure: String,
    pub note: String,
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub indicators: Vec<IndicatorMeta>,
    pub path: PathBuf,
}

/// A checked plugin whose library stays loaded for the life of the process.
#[derive(Clone)]
pub struct LoadedPlugin {
    pub info: PluginInfo,
    pub(crate) descriptor: &'static PluginDescriptor,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("info", &self.info).finish_non_exhaustive()
    }
}

// SAFETY: the descriptor is immutable data and function pointers of a library that is never
// unloaded; the ABI requires its functions to be callable from any thread.
unsafe impl Send for LoadedPlugin {}
// SAFETY: as for Send: nothing behind the descriptor is mutated after the entry point returned it.
unsafe impl Sync for LoadedPlugin {}

/// The file names a plugin called `name` may have: `name.so` (as `cargo xtask plugins` copies
/// them) and cargo's own `libname_with_underscores.so` (and the macOS and Windows equivalents).
pub fn library_file_names(name: &str) -> Vec<String> {
    let (prefix, ext) = (std::env::consts::DLL_PREFIX, std::env::consts::DLL_EXTENSION);
    let mut names = vec![format!("{name}.{ext}"), format!("{prefix}{}.{ext}", name.replace('-', "_"))];
    names.dedup();
    names
}

/// The library of plugin `name` in the first of `dirs` that has one; only these folders are searched.
pub fn find(dirs: &[PathBuf], name: &str) -> Result<PathBuf> {
    for dir in dirs {
        for file in library_file_names(name) {
            let path = dir.join(&file);
            if path.is_file() {
                return Ok(path);
            }
        }
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(Error::data(
        format!("plugin `{name}`"),
        format!(
            "no library {} in the plugin folders [{}] (build the plugins with `cargo xtask plugins`)",
            library_file_names(name).join(" or "),
            looked.join(", ")
        ),
    ))
}

/// Every plugin library in `dirs`, opened and checked, in file-name order; failures are kept
/// beside successes so that a listing shows them.
pub fn discover(dirs: &[PathBuf]) -> Vec<(PathBuf, Result<LoadedPlugin>)> {
    let ext = std::env::consts::DLL_EXTENSION;
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let r = open(&p);
            (p, r)
        })
        .collect()
}

/// Every library opened, kept for the life of the process: resil never unloads a plugin, since
/// its code and strings may still be referenced; holding them here keeps them reachable.
static LIBRARIES: std::sync::Mutex<Vec<&'static libloading::Library>> = std::sync::Mutex::new(Vec::new());

fn keep_loaded(library: libloading::Library) -> &'static libloading::Library {
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    LIBRARIES.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(library);
    library
}

/// # Safety
/// `u` must point to `len` readable bytes, or be null.
unsafe fn text(u: Utf8, what: &str, path: &Path) -> Result<String> {
    if u.len == 0 {
        return Ok(String::new());
    }
    if u.ptr.is_null() {
        return Err(Error::data(path.display().to_string(), format!("plugin descriptor: {what} is a null pointer")));
    }
    // SAFETY: the caller guarantees `len` readable bytes at a non-null `ptr` (checked just above).
    let bytes = unsafe { std::slice::from_raw_parts(u.ptr, u.len) };
    std::str::from_utf8(bytes)
        .map(String::from)
        .map_err(|_| Error::data(path.display().to_string(), format!("plugin descriptor: {what} is not UTF-8")))
}

/// Opens the library at `path` once its file passed the object-file check, calls its entry point
/// and checks the descriptor: ABI version and size first, then every string and table. The library is never unloaded.
pub fn open(path: &Path) -> Result<LoadedPlugin> {
    let context = path.display().to_string();
    let fail = |msg: String| Error::data(context.clone(), msg);
    crate::object_check::check_file(path)?;
    // SAFETY: loading runs the library's initialisers: that is the trust placed in the plugin
    // folders; the file passed the object-file check, so mapping it cannot fault.
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| fail(format!("cannot load: {e}")))?;
    let library = keep_loaded(library);
    // SAFETY: ENTRY_SYMBOL is NUL-terminated, and the ABI gives the symbol the type EntryFn.
    let entry: libloading::Symbol<EntryFn> = unsafe { library.get(ENTRY_SYMBOL) }.map_err(|_| {
        fail(format!(
            "no entry symbol `{}`: not a resil plugin of ABI version {ABI_VERSION}",
            String::from_utf8_lossy(&ENTRY_SYMBOL[..ENTRY_SYMBOL.len() - 1])
        ))
    })?;
    // SAFETY: the entry point takes nothing and returns a pointer, checked for null below.
    let ptr = unsafe { entry() };
    // SAFETY: the pointer the library's entry point returned, in a library never unloaded.
    unsafe { from_descriptor(ptr, path) }
}

/// Checks the descriptor at `ptr` (ABI version and size first, then every string and table) and
/// wraps it as a plugin; `path` names it in errors. `open` calls this on what a library's entry
/// point returns; tests call it on a descriptor built in-process.
///
/// # Safety
/// `ptr` must be null or point to a descriptor that starts with the two ABI u32 fields and, if
/// those say so, is a whole `PluginDescriptor` whose pointers stay valid for the life of the
/// process.
pub unsafe fn from_descriptor(ptr: *const PluginDescriptor, path: &Path) -> Result<LoadedPlugin> {
    let fail = |msg: String| Error::data(path.display().to_string(), msg);
    if ptr.is_null() {
        return Err(fail("the entry point returned a null descriptor".into()));
    }
    // Read only the two leading u32 fields until they are checked.
    // SAFETY: every ABI version starts the descriptor with two u32 fields: version, then size.
    let version = unsafe { std::ptr::read(ptr as *const u32) };
    if version != ABI_VERSION {
        return Err(fail(format!(
            "plugin ABI version {version}, this resil speaks version {ABI_VERSION}; rebuild the plugin"
        )));
    }
    // SAFETY: the second leading u32 field, present in every version (see above).
    let size = unsafe { std::ptr::read((ptr as *const u32).add(1)) } as usize;
    let expected = std::mem::size_of::<PluginDescriptor>();
    if size < expected {
        return Err(fail(format!("plugin descriptor is {size} bytes, ABI version {ABI_VERSION} needs {expected}")));
    }
    // SAFETY: version and size are checked: the plugin claims a descriptor at least this large, of
    // this layout, static in a library that is never unloaded.
    let descriptor: &'static PluginDescriptor = unsafe { &*ptr };
    // SAFETY (this and the `text` calls below): the ABI has every Utf8 field point to `len` bytes
    // that live as long as the library; `text` checks null and UTF-8.
    let name = unsafe { text(descriptor.name, "name", path)? };
    if name.is_empty() {
        return Err(fail("plugin descriptor has an empty name".into()));
    }
    let mut indicators = Vec::new();
    if descriptor.n_indicators > 0 {
        if descriptor.indicators.is_null() {
            return Err(fail(format!("plugin `{name}`: indicator table is a null pointer")));
        }
        // SAFETY: a non-null table of `n_indicators` records, static in the library (ABI).
        for i in unsafe { std::slice::from_raw_parts(descriptor.indicators, descriptor.n_indicators) } {
            indicators.push(IndicatorMeta {
                id: unsafe { text(i.id, "indicator id", path)? },
                name: unsafe { text(i.name, "indicator name", path)? },
                measure: unsafe { text(i.measure, "indicator measure", path)? },
                note: unsafe { text(i.note, "indicator note", path)? },
            });
        }
    }
    let info = PluginInfo {
        version: unsafe { text(descriptor.version, "version", path)? },
        description: unsafe { text(descriptor.description, "description", path)? },
        name,
        indicators,
        path: path.to_path_buf(),
    };
    Ok(LoadedPlugin { info, descriptor })
}
