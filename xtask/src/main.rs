//! Project automation: `cargo xtask gen-data` rebuilds the bundled dataset, `cargo xtask ci`
//! runs the test command of the README.

mod border_data;
mod geo;
mod synthetic;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf();
    match args.first().map(String::as_str) {
        Some("gen-data") => {
            let shared = args.get(1).map(PathBuf::from).unwrap_or_else(|| root.join("../shared/data"));
            border_data::generate(&shared, &root.join("data/border-cities"))
        }
        Some("ci") => {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["test", "--workspace"])
                .current_dir(&root)
                .status()
                .context("running cargo test")?;
            if !status.success() {
                bail!("tests failed");
            }
            Ok(())
        }
        _ => {
            eprintln!("usage: cargo xtask <gen-data [SHARED_DATA_DIR] | ci>");
            std::process::exit(2);
        }
    }
}
