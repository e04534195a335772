//! Criterion benchmark of the large-matrix kernels of `resil score`: entropy + TOPSIS after
//! min-max on 2e5 x 30 (seeded uniform values, 20 benefit and 10 cost criteria, as the
//! side-by-side `topsis` task), in memory (`score_matrix`) and over row blocks of 16,384 rows
//! normalised in place (`score_chunked`, the path of `resil score`); and Moran's I with 99
//! permutations on 1e4 points and with 999 on 1e5, under 8-nearest-neighbour weights. The whole-process ratios
//! against numpy, jenkspy and esda are the side-by-side scripts' (README, docs/scale.md).

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use resil_core::{Matrix, Polarity};
use resil_pipeline::{criteria, pooled_stage, score_chunked, score_matrix, RowBlocks, ScoreStages};
use resil_trend::spatial::{moran, Metric, SpatialWeights, WeightsKind};

fn matrix(rows: usize, cols: usize) -> Matrix {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    Matrix::from_columns((0..cols).map(|_| (0..rows).map(|_| rng.gen_range(1.0..100.0)).collect()).collect())
}

fn topsis(c: &mut Criterion) {
    let (rows, cols) = (200_000, 30);
    let data = matrix(rows, cols);
    let names: Vec<String> = (0..cols).map(|j| format!("c{j}")).collect();
    let polarities: Vec<Polarity> =
        (0..cols).map(|j| if j < 20 { Polarity::Benefit } else { Polarity::Cost }).collect();
    let system = criteria(&names, &polarities);
    let stage = |m: &str| pooled_stage(m, toml::Table::new());
    let stages = ScoreStages { normalize: vec![stage("minmax")], weight: stage("entropy"), rank: stage("topsis") };
    let mut group = c.benchmark_group("entropy_topsis_2e5x30");
    group.sample_size(10);
    group.bench_function("in_memory", |b| b.iter(|| score_matrix(&data, &system, &stages).unwrap()));
    group.bench_function("row_blocks", |b| {
        b.iter_batched(
            || {
                let mut blocks = RowBlocks::default();
                for start in (0..rows).step_by(1 << 14) {
                    let end = (start + (1 << 14)).min(rows);
                    blocks.push(Matrix::from_columns(data.columns().map(|c| c[start..end].to_vec()).collect()));
                }
                blocks
            },
            |mut blocks| score_chunked(&mut blocks, &system, &stages).unwrap().unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn moran_knn(c: &mut Criterion) {
    moran_knn_at(c, 10_000, 99);
    moran_knn_at(c, 100_000, 999);
}

/// The weights and the permutation test at `n` points (1e5 and 999 permutations is the
/// side-by-side `moran` task without the CSV).
fn moran_knn_at(c: &mut Criterion, n: usize, permutations: usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let points: Vec<(f64, f64)> = (0..n).map(|_| (rng.gen_range(0.0..100.0), rng.gen_range(0.0..100.0))).collect();
    let values: Vec<f64> = points.iter().map(|p| p.0 / 50.0 + rng.gen_range(-1.0..1.0)).collect();
    let weights = SpatialWeights::build(&points, Metric::Planar, WeightsKind::Knn(8), true).unwrap();
    let mut group = c.benchmark_group(format!("moran_{n}_knn8"));
    group.sample_size(10);
    group.bench_function("weights", |b| {
        b.iter(|| SpatialWeights::build(&points, Metric::Planar, WeightsKind::Knn(8), true).unwrap())
    });
    group.bench_function(format!("{permutations}_permutations"), |b| {
        b.iter(|| moran(&values, &weights, permutations, 1).unwrap())
    });
    group.finish();
}

criterion_group!(benches, topsis, moran_knn);
criterion_main!(benches);
