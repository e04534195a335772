//! Criterion benchmark of the live explorer's re-score (`resil serve`): the flagship prepared
//! once, then one request's work: the pipeline built by the method tables and run through every
//! stage (imputation to classes) with regions and rank shifts, for the config's own pipeline,
//! fixed weights from a moved slider, and another scorer. The bar: under 20 ms. Needs
//! the flagship's plugins: `cargo xtask plugins` first.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use resil_pipeline::{Explorer, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench(c: &mut Criterion) {
    let plugins = root().join("target/plugins");
    assert!(plugins.join("geo-distance.so").is_file(), "build the plugins first: cargo xtask plugins");
    let loaded = resil_config::load(&root().join("configs/border-cities.toml"), true).expect("the flagship loads");
    let options = RunOptions { strict: true, plugin_dirs: vec![plugins], ..Default::default() };
    let explorer = Explorer::prepare(loaded, &options).expect("the flagship prepares");
    // X23 moved to 0.4, the others scaled to share the rest, as the page sends it.
    let baseline = &explorer.baseline().weights;
    let x23 = baseline.iter().find(|w| w.id == "X23").expect("X23").weight;
    let weights: toml::Table = baseline
        .iter()
        .map(|w| {
            let value = if w.id == "X23" { 0.4 } else { w.weight * 0.6 / (1.0 - x23) };
            (w.id.clone(), toml::Value::Float(value))
        })
        .collect();
    let mut slider = toml::Table::new();
    slider.insert("weight".into(), toml::Value::Table(toml::toml! { method = "fixed" }));
    slider["weight"].as_table_mut().unwrap().insert("weights".into(), toml::Value::Table(weights));
    let vikor: toml::Table = toml::toml! { rank = { method = "vikor", v = 0.3 } };
    let mut group = c.benchmark_group("explorer");
    for (name, overrides) in [("config", toml::Table::new()), ("slider", slider), ("vikor", vikor)] {
        group.bench_function(format!("flagship_rescore_{name}"), |b| {
            b.iter(|| explorer.evaluate(&overrides).expect("the pipeline runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
