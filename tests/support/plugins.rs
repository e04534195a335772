//! Builds the plugins the tests load, each set into its own target folder under
//! target/test-plugins (a nested `cargo build` into the folder the outer `cargo test` holds would
//! wait forever on its lock), and copies the libraries under their plugin names into
//! target/test-plugins/plugins (loadable ones) or target/test-plugins/broken (corrupt
//! descriptors). Shared by the tests of the `tests` package and of resil-cli.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root, found from the including package's folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("ARCHITECTURE.md").is_file())
        .expect("the repository root holds ARCHITECTURE.md")
        .to_path_buf()
}

/// Builds `packages` (with `features`) into target/test-plugins/`variant` and copies each library
/// to target/test-plugins/`folder`/`name``suffix`.EXT; returns that folder.
fn build(variant: &str, packages: &[&str], features: Option<&str>, folder: &str, suffix: &str) -> PathBuf {
    let root = repo_root();
    let base = root.join("target/test-plugins");
    let target = base.join(variant);
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&root).args(["build", "--quiet", "--target-dir"]).arg(&target);
    for p in packages {
        cmd.args(["-p", p]);
    }
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    let status = cmd.status().expect("running cargo build for the test plugins");
    assert!(status.success(), "building the test plugins failed: {status}");
    let out = base.join(folder);
    std::fs::create_dir_all(&out).unwrap();
    let (prefix, ext) = (std::env::consts::DLL_PREFIX, std::env::consts::DLL_EXTENSION);
    for p in packages {
        let from = target.join("debug").join(format!("{prefix}{}.{ext}", p.replace('-', "_")));
        let tmp = out.join(format!(".{p}{suffix}.{}.tmp", std::process::id()));
        std::fs::copy(&from, &tmp).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        // Rename into place: a test of another binary may be loading the previous copy.
        std::fs::rename(&tmp, out.join(format!("{p}{suffix}.{ext}"))).unwrap();
    }
    out
}

/// The folder holding the three real plugins and the well-behaved test plugins.
pub fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let packages = ["neighbor-fragility", "policy-support", "geo-distance", "seat-geometry", "misbehaving"];
        build("default", &packages, None, "plugins", "")
    })
}

/// The library of the misbehaving plugin built with a descriptor-corrupting `feature`.
#[allow(dead_code)] // used by the tests package, not by resil-cli's test
pub fn misbehaving_variant(feature: &str) -> PathBuf {
    // Kept out of the plugins folder, which must hold only loadable plugins.
    let dir = build(feature, &["misbehaving"], Some(feature), "broken", &format!("-{feature}"));
    dir.join(format!("misbehaving-{feature}.{}", std::env::consts::DLL_EXTENSION))
}
