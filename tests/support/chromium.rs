//! Finds headless Chromium for the browser tests (Debian's chromium; .ci/run installs it), shared
//! by the tests package and resil-cli's explorer test.

use std::path::{Path, PathBuf};

/// Chromium on PATH, or `None`: the caller skips its test then, except under CI, where it fails.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "chromium is missing under CI: .ci/run should have installed it");
        eprintln!("SKIPPED: no chromium on PATH (apt-get install chromium); a browser test did not run");
    }
    found
}
