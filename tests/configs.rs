//! Every config in configs/ runs under --strict and gives the same bytes twice.

use crate::common::{plugin_dir, resil, root, round_csv};

#[test]
fn every_config_runs_strictly_and_deterministically() {
    let mut configs: Vec<_> = std::fs::read_dir(root().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 6, "{configs:?}");
    for config in configs {
        let c = config.to_str().unwrap();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for out in [&a, &b] {
            let (code, stdout, stderr) =
                resil(&["run", c, "--strict", "--plugin-dir", &plugin_dir(), "--out", out.path().to_str().unwrap()]);
            assert_eq!(code, 0, "{c}: {stderr}");
            // The summary warns exactly when the data holds a synthetic indicator.
            let manifest: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap()).unwrap();
            let synthetic = manifest["data_provenance"]["contains_synthetic_data"].as_bool().unwrap();
            assert_eq!(stdout.contains("SYNTHETIC"), synthetic, "{c}: the summary must warn about synthetic data");
        }
        for file in resil_report::OUTPUT_FILES.iter().map(|f| f.name) {
            let (x, y) = (std::fs::read(a.path().join(file)).unwrap(), std::fs::read(b.path().join(file)).unwrap());
            assert!(x == y, "{c}: {file} differs between two runs");
        }
        // Each preset's scores and breaks, so that a change to any method swap shows up in review.
        let stem = config.file_stem().unwrap().to_string_lossy().to_string();
        let scores = std::fs::read_to_string(a.path().join("scores.csv")).unwrap();
        insta::assert_snapshot!(format!("{stem}-scores.csv"), round_csv(&scores, 6));
        let breaks = std::fs::read_to_string(a.path().join("breaks.json")).unwrap();
        insta::assert_snapshot!(format!("{stem}-breaks.json"), breaks);
        let (code, stdout, stderr) = resil(&["validate", c, "--strict", "--plugin-dir", &plugin_dir()]);
        assert_eq!(code, 0, "{c}: {stdout}{stderr}");
    }
}
