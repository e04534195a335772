//! Criterion benchmark of exact Jenks natural breaks (k = 5) at n = 1e4, 1e5 and 1e6.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::{Rng, SeedableRng};
use resil_classify::JenksParams;
use resil_core::Classifier;

fn jenks(c: &mut Criterion) {
    let mut group = c.benchmark_group("jenks_k5");
    group.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let values: Vec<f64> = (0..n).map(|_| rng.gen::<f64>().powi(2)).collect();
        let method = JenksParams { k: 5 }.check().unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &values, |b, v| b.iter(|| method.fit(v).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, jenks);
criterion_main!(benches, more);
fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("parts");
    group.sample_size(20);
    let n = 100_000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let values: Vec<f64> = (0..n).map(|_| rng.gen::<f64>().powi(2)).collect();
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    group.bench_function("partition", |b| b.iter(|| resil_classify::jenks_partition(&sorted, 5)));
}
criterion_group!(more, parts);
