//! The engine's scores equal the in-memory path's: on DataFusion from CSV and from Parquet, and
//! on a Ballista scheduler and executor started in this process on localhost; the flagship
//! study's scoring stages on both equal its in-memory run.
#![cfg(feature = "datafusion")]

#[path = "../../../tests/support/plugins.rs"]
mod plugins;

use std::io::Write;
use std::path::Path;

use resil_core::{Matrix, Polarity};
use resil_engine::{Engine, EngineScore, Input, Setup};
use resil_pipeline::{pooled_stage, ScoreStages};

/// A seeded matrix (xorshift), ids `u0000001`.. so that id order is file order.
fn matrix(rows: usize, cols: usize, seed: u64) -> (Vec<String>, Matrix) {
    let mut s = seed;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let columns = (0..cols).map(|j| (0..rows).map(|_| 1.0 + 100.0 * next() * (j + 1) as f64).collect()).collect();
    ((0..rows).map(|i| format!("u{:07}", i + 1)).collect(), Matrix::from_columns(columns))
}

fn write_csv(path: &Path, ids: &[String], m: &Matrix) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let header: Vec<String> = (0..m.ncols()).map(|j| format!("c{j}")).collect();
    writeln!(f, "id,{}", header.join(",")).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let row: Vec<String> = (0..m.ncols()).map(|j| m.column(j)[i].to_string()).collect();
        writeln!(f, "{id},{}", row.join(",")).unwrap();
    }
}

fn stage(method: &str, params: &str) -> resil_config::StageConfig {
    pooled_stage(method, params.parse::<toml::Table>().unwrap())
}

const PIPELINES: [(&str, &str, &str); 12] = [
    ("minmax", "entropy", "topsis"),
    ("zscore", "std", "topsis"),
    ("minmax", "cv", "wsm"),
    ("minmax", "critic", "topsis"),
    // Statistics of the rows kept in column 0's slots, and passes that only check (log).
    ("none", "merec", "vikor"),
    ("none", "lopcow", "edas"),
    ("log", "angle", "cocoso"),
    ("none", "variance", "copras"),
    // Two fits side by side (CILOS and entropy), and a pass of m slots a column.
    ("none", "idocriw", "topsis"),
    // Co-moments of every pair of columns, then eigenvectors and varimax in the finish.
    ("zscore", "pca", "topsis"),
    // A scorer with no pass of its own (level-by-level means).
    ("minmax", "entropy", "levels"),
    // A level's weighting method and scorer, fitted in passes after the levels below them.
    (
        "minmax",
        "equal",
        "levels\nsubsystem = { weights = { method = \"entropy\" } }\nindex = { function = \"topsis\" }",
    ),
];

fn polarities(n: usize) -> Vec<Polarity> {
    (0..n).map(|j| if j == 1 { Polarity::Cost } else { Polarity::Benefit }).collect()
}

/// The stages of a pipeline; the scorer's parameters, if any, follow its name on the next lines.
fn stages((n, w, r): (&str, &str, &str)) -> ScoreStages {
    let (rank, params) = r.split_once('\n').unwrap_or((r, ""));
    ScoreStages { normalize: vec![stage(n, "")], weight: stage(w, ""), rank: stage(rank, params) }
}

fn engine_score(engine: &Engine, input: &Input, (n, w, r): (&str, &str, &str)) -> EngineScore {
    let setup = |names: &[String]| Ok(Setup { polarities: polarities(names.len()), stages: stages((n, w, r)) });
    resil_engine::score(engine, input, &setup).unwrap_or_else(|e| panic!("{n}/{w}/{r}: {e}"))
}

/// The engine against `score_matrix` on the same matrix: weights and scores to 1e-12, ranks equal.
fn assert_same(ids: &[String], m: &Matrix, got: &EngineScore, (n, w, r): (&str, &str, &str)) {
    let names: Vec<String> = (0..m.ncols()).map(|j| format!("c{j}")).collect();
    let system = resil_pipeline::criteria(&names, &polarities(names.len()));
    let want = resil_pipeline::score_matrix(m, &system, &stages((n, w, r))).unwrap();
    assert_eq!(got.ids, ids, "rows in id order");
    assert_eq!(got.names, names);
    let close = |a: &[f64], b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * (1.0 + x.abs()))
    };
    assert!(
        close(&got.score.weights, &want.weights),
        "{n}/{w}/{r} weights {:?} vs {:?}",
        got.score.weights,
        want.weights
    );
    assert!(close(&got.score.scores, &want.scores), "{n}/{w}/{r} scores");
    assert_eq!(got.score.ranks, want.ranks, "{n}/{w}/{r} ranks");
    assert_eq!(got.score.extras.len(), want.extras.len());
    for ((na, va), (nb, vb)) in got.score.extras.iter().zip(&want.extras) {
        assert!(na == nb && close(va, vb), "{n}/{w}/{r} {na}");
    }
}

#[test]
fn datafusion_scores_equal_the_in_memory_scores_from_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, m) = matrix(5000, 4, 0x5eed);
    let csv = dir.path().join("m.csv");
    write_csv(&csv, &ids, &m);
    for pipeline in PIPELINES {
        let got = engine_score(&Engine::DataFusion, &Input::Csv(csv.clone()), pipeline);
        assert_same(&ids, &m, &got, pipeline);
    }
    // The same table as a folder of Parquet files, written by DataFusion itself.
    let parquet = dir.path().join("parquet");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        let df = ctx.read_csv(csv.to_str().unwrap(), datafusion::prelude::CsvReadOptions::new()).await.unwrap();
        df.repartition(datafusion::logical_expr::Partitioning::RoundRobinBatch(3))
            .unwrap()
            .write_parquet(parquet.to_str().unwrap(), datafusion::dataframe::DataFrameWriteOptions::new(), None)
            .await
            .unwrap();
    });
    let got = engine_score(&Engine::DataFusion, &Input::Parquet(parquet), PIPELINES[0]);
    assert_same(&ids, &m, &got, PIPELINES[0]);
    // Same input, same bits: the partials merge in key order, whatever order they finish in.
    let again = engine_score(&Engine::DataFusion, &Input::Csv(csv.clone()), PIPELINES[0]);
    let first = engine_score(&Engine::DataFusion, &Input::Csv(csv), PIPELINES[0]);
    assert_eq!(first.score.scores, again.score.scores);
}

#[test]
fn methods_without_a_chunked_fit_and_bad_tables_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, m) = matrix(50, 3, 7);
    let csv = dir.path().join("m.csv");
    write_csv(&csv, &ids, &m);
    let setup = |names: &[String]| {
        let mut s = stages(("minmax", "critic", "topsis"));
        s.weight = stage("critic", "correlation = \"spearman\"");
        Ok(Setup { polarities: polarities(names.len()), stages: s })
    };
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(csv.clone()), &setup).unwrap_err().to_string();
    assert!(e.contains("`critic` (weight) needs the whole matrix in memory: it has no fit over chunks"), "{e}");
    let only_ids = dir.path().join("ids.csv");
    std::fs::write(&only_ids, "id\na\nb\n").unwrap();
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(only_ids), &setup).unwrap_err().to_string();
    assert!(e.contains("ids.csv") && e.contains("no criteria"), "{e}");
    // A value too large to compute with is refused on the engine as in memory (it had given
    // null scores): named by its id.
    let huge = dir.path().join("huge.csv");
    std::fs::write(&huge, "id,c0,c1,c2\na,1,2,3\nb,4,5e200,6\nc,7,8,9\nd,3,1,2\n").unwrap();
    let setup_plain =
        |names: &[String]| Ok(Setup { polarities: polarities(names.len()), stages: stages(PIPELINES[0]) });
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(huge.clone()), &setup_plain).unwrap_err().to_string();
    assert!(e.contains("indicator `c1`, id `b`: 5e200 is too large to compute with"), "{e}");
    // Also where no stage has a pass of its own (no normalisation, fixed weights, a weighted sum).
    let setup_no_fit = |names: &[String]| {
        let mut s = stages(("none", "fixed", "wsm"));
        s.weight = stage("fixed", "weights = { c0 = 0.3, c1 = 0.3, c2 = 0.4 }");
        Ok(Setup { polarities: polarities(names.len()), stages: s })
    };
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(huge), &setup_no_fit).unwrap_err().to_string();
    assert!(e.contains("indicator `c1`, id `b`: 5e200 is too large to compute with"), "{e}");
    let setup_error = |_: &[String]| -> Result<Setup, String> { Err("3 polarities for 2 criteria".into()) };
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(csv), &setup_error).unwrap_err().to_string();
    assert!(e.contains("3 polarities"), "{e}");
}

/// A method's refusal names the row by its id, in a fit pass and in the apply pass alike: the
/// engine reads the rows in record batches, whose row numbers would name the wrong rows (they had
/// been named so, with the batch's first id beside them).
#[test]
fn refusals_on_the_engine_name_the_row_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    std::fs::write(&csv, "id,c0,c1,c2\na,3,2,3\nb,4,5,6\nc,7,-8,9\nd,3,1,2\n").unwrap();
    let entropy = |names: &[String]| {
        Ok(Setup { polarities: polarities(names.len()), stages: stages(("none", "entropy", "topsis")) })
    };
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(csv.clone()), &entropy).unwrap_err().to_string();
    assert!(e.contains("entropy: indicator `c1`, id `c`: value -8 is negative"), "{e}");
    // At score time: a geometric mean of a negative value (goalposts not capped), which the
    // level-by-level means refuse as they score (they have no pass of their own).
    let levels = |names: &[String]| {
        let mut s = stages(("none", "equal", "levels"));
        s.normalize =
            vec![stage("target", "goalposts = { c0 = [4.0, 9.0], c1 = [-9.0, 9.0], c2 = [0.0, 9.0] }\ncap = false")];
        s.rank = stage("levels", "subsystem = { function = \"geometric\" }");
        Ok(Setup { polarities: vec![Polarity::Benefit; names.len()], stages: s })
    };
    let e = resil_engine::score(&Engine::DataFusion, &Input::Csv(csv), &levels).unwrap_err().to_string();
    assert!(e.contains("levels: id `a`: indicator `c0`: value -0.2 is negative"), "{e}");
}

/// A Ballista scheduler and one executor on localhost, in this process: the fit passes and the
/// apply pass travel to the executor as serialised plans, with the job literal in them.
#[cfg(feature = "ballista")]
#[test]
fn ballista_scores_equal_the_in_memory_scores_on_a_million_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, m) = matrix(1_000_000, 3, 0xba11);
    let csv = dir.path().join("m.csv");
    write_csv(&csv, &ids, &m);
    let got = engine_score(&Engine::BallistaStandalone, &Input::Csv(csv), PIPELINES[0]);
    assert_same(&ids, &m, &got, PIPELINES[0]);
}

/// The flagship study (configs/border-cities.toml, its plugins built as for the tests): its
/// imputed panel scored by its own stages (z-score, then min-max with a floor, entropy, TOPSIS,
/// all pooled) on DataFusion and on the in-process Ballista cluster gives the in-memory run's
/// weights and scores to 1e-12; and so does the whole run with its scoring stages fitted on
/// each engine (`resil run --engine`), with the same ranks and grades.
#[test]
fn the_flagship_scores_on_the_engines_as_in_its_run() {
    let root = plugins::repo_root();
    let loaded = resil_config::load(&root.join("configs/border-cities.toml"), true).unwrap();
    let stages = ScoreStages::of_pipeline(&loaded.config.pipeline).expect("the flagship's stages are pooled");
    assert_eq!(stages.describe(), "zscore+minmax / entropy / topsis");
    let options = resil_pipeline::RunOptions {
        strict: true,
        plugin_dirs: vec![plugins::plugin_dir().to_path_buf()],
        ..Default::default()
    };
    let run = resil_pipeline::run(loaded, &options).unwrap();
    let panel = &run.panel;
    // Ids that sort in the run's row order (the engine returns rows in id order).
    let ids: Vec<String> =
        (0..panel.n_rows()).map(|r| format!("{r:04}-{}@{}", panel.unit_of_row(r).id, panel.period_of_row(r))).collect();
    let names: Vec<String> = panel.system().indicators().iter().map(|i| i.id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("flagship.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(f, "id,{}", names.join(",")).unwrap();
        for (r, id) in ids.iter().enumerate() {
            let row: Vec<String> = (0..names.len()).map(|j| panel.values().column(j)[r].to_string()).collect();
            writeln!(f, "{id},{}", row.join(",")).unwrap();
        }
    }
    let polarities = panel.system().polarities();
    let setup = |got: &[String]| {
        assert_eq!(got, names.as_slice());
        Ok(Setup { polarities: polarities.clone(), stages: stages.clone() })
    };
    let close = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12);
    let mut engines = vec!["datafusion"];
    #[cfg(feature = "ballista")]
    engines.push("ballista");
    for name in engines {
        let engine: Engine = name.parse().unwrap();
        let got = resil_engine::score(&engine, &Input::Csv(csv.clone()), &setup).unwrap();
        assert_eq!(got.ids, ids, "{engine:?}");
        assert_eq!(run.weights.len(), 1, "pooled weights");
        assert!(close(&got.score.weights, &run.weights[0].weights.0), "{engine:?} weights");
        assert!(close(&got.score.scores, &run.scores.score), "{engine:?} scores");
        for (extra, values) in &got.score.extras {
            let want = &run.scores.extras.iter().find(|(n, _)| n == extra).expect("the run's extras").1;
            assert!(close(values, want), "{engine:?} {extra}");
        }
        // `resil run --engine`: the whole study, its scoring stages fitted on the engine.
        let fit = resil_engine::EngineFit::new(name, Some(dir.path().to_path_buf())).unwrap();
        let options = resil_pipeline::RunOptions { engine: Some(std::sync::Arc::new(fit)), ..options.clone() };
        let loaded = resil_config::load(&root.join("configs/border-cities.toml"), true).unwrap();
        let there = resil_pipeline::run(loaded, &options).unwrap();
        assert!(close(&there.weights[0].weights.0, &run.weights[0].weights.0), "{name} run weights");
        assert!(close(&there.scores.score, &run.scores.score), "{name} run scores");
        assert_eq!((&there.ranks, &there.grades), (&run.ranks, &run.grades), "{name} run ranks and grades");
        assert_eq!(there.manifest["engine"]["name"], name);
        // A refusal in a fit pass names the unit and period, as the run in memory does:
        // entropy on z-scores left negative.
        let mut loaded = resil_config::load(&root.join("configs/border-cities.toml"), true).unwrap();
        loaded.config.pipeline.normalize.truncate(1);
        let in_memory =
            resil_pipeline::run(loaded.clone(), &resil_pipeline::RunOptions { engine: None, ..options.clone() })
                .unwrap_err()
                .to_string();
        let on_engine = resil_pipeline::run(loaded, &options).unwrap_err().to_string();
        let place = in_memory.split(": value").next().unwrap();
        assert!(place.contains("unit `") && on_engine.contains(place), "{name}: {on_engine} against {in_memory}");
        assert!(on_engine.contains(&format!("--engine {name}")) && !in_memory.contains("--engine"), "{on_engine}");
        // The scratch file is gone with the run.
        let left: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("flagship.csv")], "{name}: scratch left behind");
    }
}

/// A child process killed when dropped, so that a failing test leaves no cluster behind.
#[cfg(feature = "ballista")]
struct Process(std::process::Child);

#[cfg(feature = "ballista")]
impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `N` distinct free ports: every listener is held until all are chosen, so that the OS cannot
/// hand the same port out twice (a scheduler and an executor on one port: the executor could not
/// bind, exit, and leave the job waiting for an executor that never comes back).
#[cfg(feature = "ballista")]
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<std::net::TcpListener> =
        (0..N).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

/// A cluster as it would run on several machines, here as two child processes on localhost:
/// `resil-ballista scheduler` and one `resil-ballista executor`, reached by the client as
/// `ballista://HOST:PORT`. The plans cross process boundaries, so the scheduler and the
/// executor decode resil's functions from the serialised plans themselves. Bounded: the
/// processes are killed when the test ends, and the test gives up after two minutes.
#[cfg(feature = "ballista")]
#[test]
fn a_cluster_of_resil_ballista_processes_scores_as_in_memory() {
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_resil-ballista");
    let dir = tempfile::tempdir().unwrap();
    let (ids, m) = matrix(20_000, 3, 0xc1a5);
    let csv = dir.path().join("m.csv");
    write_csv(&csv, &ids, &m);
    let [port, flight_port, grpc_port] = free_ports::<3>();
    let log = |name: &str| Stdio::from(std::fs::File::create(dir.path().join(name)).unwrap());
    let _scheduler = Process(
        Command::new(exe)
            .args(["scheduler", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(log("scheduler.out"))
            .stderr(log("scheduler.err"))
            .spawn()
            .unwrap(),
    );
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let mut executor = Process(
        Command::new(exe)
            .args(["executor", "--scheduler", &format!("127.0.0.1:{port}"), "--concurrent-tasks", "2"])
            .args(["--flight-port", &flight_port.to_string(), "--grpc-port", &grpc_port.to_string()])
            .args(["--work-dir", work.to_str().unwrap()])
            .stdout(log("executor.out"))
            .stderr(log("executor.err"))
            .spawn()
            .unwrap(),
    );
    let engine: Engine = format!("ballista://127.0.0.1:{port}").parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // The scheduler takes a moment to listen: connection errors are retried until the deadline.
    let got = loop {
        let setup = |names: &[String]| Ok(Setup { polarities: polarities(names.len()), stages: stages(PIPELINES[0]) });
        match resil_engine::score(&engine, &Input::Csv(csv.clone()), &setup) {
            Ok(got) => break got,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("retrying: {e}");
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            Err(e) => {
                let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap_or_default();
                let status = executor.0.try_wait().ok().flatten().map_or("running".into(), |s| s.to_string());
                panic!("{e}\nscheduler: {}\nexecutor ({status}): {}", read("scheduler.err"), read("executor.err"));
            }
        }
    };
    assert_same(&ids, &m, &got, PIPELINES[0]);
}
