//! Criterion benchmark of `resil sensitivity` on the flagship: the whole analysis of
//! bench/sensitivity.toml (10,002 whole-pipeline evaluations, four factors, Jenks refitted each
//! time; study prepared once) and the same at a quarter of the draws. Needs the flagship's
//! plugins: `cargo xtask plugins` first. `bench/sensitivity_side_by_side.py` times the same
//! evaluations against numpy in one run.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use resil_pipeline::{sensitivity, RunOptions, SensitivityOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench(c: &mut Criterion) {
    let config = root().join("bench/sensitivity.toml");
    let plugins = root().join("target/plugins");
    assert!(plugins.join("geo-distance.so").is_file(), "build the plugins first: cargo xtask plugins");
    let loaded = resil_config::load(&config, true).expect("bench/sensitivity.toml loads");
    let options = RunOptions { strict: true, plugin_dirs: vec![plugins], ..Default::default() };
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10);
    for draws in [417, 1667] {
        let cli = SensitivityOptions { draws: Some(draws), ..Default::default() };
        group.bench_function(format!("flagship_{}_evaluations", draws * 6), |b| {
            b.iter(|| sensitivity(loaded.clone(), &options, &cli, &|| {}).expect("the analysis runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
