//! Criterion benchmark of ranking 1e6 scores (the ranks of `resil score` on a million rows).

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use resil_core::Direction;
use resil_rank::{rank, TiePolicy};

fn ranks(c: &mut Criterion) {
    let mut group = c.benchmark_group("rank");
    group.sample_size(20);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let scores: Vec<f64> = (0..1_000_000).map(|_| rng.gen::<f64>()).collect();
    group.bench_function("1e6", |b| b.iter(|| rank(&scores, Direction::HigherIsBetter, TiePolicy::Min)));
    group.finish();
}

criterion_group!(benches, ranks);
criterion_main!(benches);
