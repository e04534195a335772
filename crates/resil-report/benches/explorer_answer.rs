//! Criterion benchmark of one whole answer of `resil serve` to a re-score: the flagship's
//! pipeline with another scorer run through every stage (resil_pipeline::Explorer::evaluate), the
//! grade map of each period drawn, and the answer serialised to JSON, as `POST /api/score` does
//! it (the HTTP round trip aside). The bar: under 20 ms. Needs the flagship's plugins:
//! `cargo xtask plugins` first.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use resil_pipeline::{Explorer, RunOptions};

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let plugins = root.join("target/plugins");
    assert!(plugins.join("geo-distance.so").is_file(), "build the plugins first: cargo xtask plugins");
    let loaded = resil_config::load(&root.join("configs/border-cities.toml"), true).expect("the flagship loads");
    let explorer =
        Explorer::prepare(loaded, &RunOptions { strict: true, plugin_dirs: vec![plugins], ..Default::default() })
            .expect("the flagship prepares");
    let vikor: toml::Table = toml::toml! { rank = { method = "vikor", v = 0.3 } };
    c.bench_function("explorer/flagship_answer_vikor", |b| {
        b.iter(|| {
            let view = explorer.evaluate(&vikor).expect("the pipeline runs");
            let maps = resil_report::explorer_maps(&view);
            serde_json::to_vec(&serde_json::json!({ "view": view, "maps": maps })).expect("JSON")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
