//! Project automation: `cargo xtask flagship` (build the plugins and run the flagship study),
//! `plugins` (build every plugin into target/plugins), `gen-data` (rebuild the bundled dataset),
//! `valgrind` (the plugin load/compute/free cycle under memcheck), `ci` (the README's test command),
//! `gen-large` (a large synthetic matrix or study panel in Parquet, `large.rs`; its arguments
//! checked in `large_args.rs`).

mod asem_data;
mod border_data;
mod geo;
mod hdi_data;
#[cfg(feature = "parquet")]
mod large;
mod large_args;
mod paper;
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn check(status: std::process::ExitStatus, what: &str) -> anyhow::Result<()> {
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// The plugin crates under plugins/, by package name.
fn plugin_crates(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root.join("plugins"))? {
        let dir = entry?.path();
        if dir.join("Cargo.toml").is_file() {
            names.push(dir.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Builds every plugin with `profile` and copies each library to target/plugins/NAME.EXT.
fn build_plugins(root: &Path, profile: &str) -> anyhow::Result<PathBuf> {
    let names = plugin_crates(root)?;
    let mut cmd = cargo();
    cmd.current_dir(root).args(["build", "--profile", profile]);
    for n in &names {
        cmd.args(["-p", n]);
    }
    check(cmd.status().context("running cargo build")?, "building the plugins")?;
    let out = root.join("target/plugins");
    std::fs::create_dir_all(&out)?;
    // Cargo builds into CARGO_TARGET_DIR when set; the configs load plugins from target/plugins.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let built = target.join(if profile == "dev" { "debug" } else { profile });
    let (prefix, ext) = (std::env::consts::DLL_PREFIX, std::env::consts::DLL_EXTENSION);
    for n in &names {
        let from = built.join(format!("{prefix}{}.{ext}", n.replace('-', "_")));
        let to = out.join(format!("{n}.{ext}"));
        // Copy then rename, so that a process loading the old library never sees half a file.
        let tmp = out.join(format!(".{n}.{ext}.tmp"));
        std::fs::copy(&from, &tmp).with_context(|| format!("copying {}", from.display()))?;
        std::fs::rename(&tmp, &to)?;
        println!("{}", to.display());
    }
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf();
    match args.first().map(String::as_str) {
        Some("gen-data") => {
            let shared = args.get(1).map(PathBuf::from).unwrap_or_else(|| root.join("../shared/data"));
            border_data::generate(&shared, &root.join("data/border-cities"))?;
            hdi_data::generate(&shared, &root.join("data/hdi"))?;
            asem_data::generate(&shared, &root.join("data/coinr-asem"))
        }
        Some("plugins") => build_plugins(&root, "release").map(|_| ()),
        Some("flagship") => {
            // The run, its sensitivity analysis into <out>/sensitivity, then the report of both.
            build_plugins(&root, "release")?;
            let resil = |command: &[&str]| {
                cargo()
                    .current_dir(&root)
                    .args(["run", "-q", "--release", "-p", "resil-cli", "--"])
                    .args(command)
                    .status()
            };
            let mut run = vec!["run", "configs/border-cities.toml"];
            run.extend(args[1..].iter().map(String::as_str));
            check(resil(&run)?, "the flagship run")?;
            let out = args
                .iter()
                .position(|a| a == "--out")
                .and_then(|i| args.get(i + 1))
                .map_or("out/border-cities", String::as_str);
            let sensitivity = format!("{out}/sensitivity");
            check(
                resil(&["sensitivity", "configs/border-cities.toml", "--out", &sensitivity])?,
                "the flagship's sensitivity analysis",
            )?;
            check(resil(&["report", out])?, "the flagship's report")
        }
        Some("wheel") => {
            // The Python package as a wheel for CPython 3.9+ (stable ABI) in target/wheels, built by
            // maturin (installed into target/py-venv when missing).
            let venv = root.join("target/py-venv");
            if !venv.join("bin/python").is_file() {
                check(Command::new("python3").args(["-m", "venv"]).arg(&venv).status()?, "creating target/py-venv")?;
            }
            check(
                Command::new(venv.join("bin/pip")).args(["install", "-q", "maturin>=1.5,<2"]).status()?,
                "installing maturin",
            )?;
            let status = Command::new(venv.join("bin/maturin"))
                .current_dir(&root)
                .args(["build", "--release", "-m", "crates/resil-py/Cargo.toml", "--out", "target/wheels"])
                .status()?;
            check(status, "building the wheel")
        }
        Some("valgrind") => {
            // The whole load/compute/free cycle of the three plugins, under memcheck: any invalid
            // access or definite leak fails. The libraries themselves stay loaded (never unloaded),
            // which memcheck reports as still reachable, not as a leak.
            let dir = build_plugins(&root, "dev")?;
            check(cargo().current_dir(&root).args(["build", "-p", "resil-cli"]).status()?, "building resil")?;
            let out = std::env::temp_dir().join("resil-valgrind-out");
            let status = Command::new("valgrind")
                .args([
                    "--error-exitcode=99",
                    "--leak-check=full",
                    "--errors-for-leak-kinds=definite",
                    "--show-leak-kinds=definite",
                ])
                .arg(root.join("target/debug/resil"))
                .args(["run", "configs/border-cities.toml", "--strict", "--plugin-dir"])
                .arg(&dir)
                .arg("--out")
                .arg(&out)
                .current_dir(&root)
                .status()
                .context("running valgrind (apt-get install valgrind)")?;
            check(status, "valgrind memcheck of the plugin cycle")
        }
        Some("ci") => check(cargo().current_dir(&root).args(["test", "--workspace"]).status()?, "the tests"),
        Some("gen-large") => {
            let large_args::LargeArgs { rows, panel, out } = large_args::parse(&args[1..], &root)?;
            #[cfg(feature = "parquet")]
            return large::generate(rows, &out, panel);
            // The arrow-rs crates stay out of the default build: run again with them.
            #[cfg(not(feature = "parquet"))]
            check(
                cargo()
                    .current_dir(&root)
                    .args(["run", "-q", "--release", "-p", "xtask", "--features", "parquet", "--", "gen-large"])
                    .arg(rows.to_string())
                    .args(panel.then_some("--panel"))
                    .arg("--out")
                    .arg(&out)
                    .status()?,
                "gen-large",
            )
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <flagship [RUN ARGS] | plugins | gen-data [SHARED_DATA_DIR] | valgrind | wheel | ci | gen-large [ROWS] [--panel] [--out FILE]>"
            );
            std::process::exit(2);
        }
    }
}
