//! Criterion benchmark of `resil score` from CSV in process: 2e5 x 30 (17-digit numbers, as in
//! `../shared/bench/side_by_side.py topsis`), the reader, entropy + TOPSIS, ranks and the CSV
//! output together. The side-by-side kit times the whole process against numpy; this one has
//! criterion's statistics, to tell a change to the reader or the output from the machine's noise.

use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion};

fn score_csv(c: &mut Criterion) {
    let (rows, cols) = (200_000, 30);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    let mut text = String::from("id");
    (0..cols).for_each(|j| text.push_str(&format!(",c{j}")));
    text.push('\n');
    // A fixed xorshift stream of values in [1, 100), written with all their digits.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..rows {
        text.push_str(&format!("a{i}"));
        for _ in 0..cols {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(&format!(",{}", 1.0 + 99.0 * (state >> 11) as f64 / (1u64 << 53) as f64));
        }
        text.push('\n');
    }
    std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
    let polarity = format!("--polarity={}", [["+"; 20].as_slice(), ["-"; 10].as_slice()].concat().join(","));
    let args: Vec<String> = ["resil", "score", path.to_str().unwrap(), &polarity]
        .into_iter()
        .chain(["--normalize", "minmax", "--weight", "entropy", "--method", "topsis", "--format", "csv"])
        .map(String::from)
        .collect();
    let mut group = c.benchmark_group("score_csv");
    group.sample_size(10);
    group.bench_function("2e5x30", |b| {
        b.iter(|| {
            let (mut out, mut err) = (Vec::with_capacity(16 << 20), Vec::new());
            assert_eq!(resil_cli::main_with(&args, &mut out, &mut err), 0, "{}", String::from_utf8_lossy(&err));
            out
        })
    });
    group.finish();
}

criterion_group!(benches, score_csv);
criterion_main!(benches);
