//! Every config in configs/ runs under --strict and gives the same bytes twice.

use crate::common::{plugin_dir, resil, root};

#[test]
fn every_config_runs_strictly_and_deterministically() {
    let mut configs: Vec<_> = std::fs::read_dir(root().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 5, "{configs:?}");
    for config in configs {
        let c = config.to_str().unwrap();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for out in [&a, &b] {
            let (code, stdout, stderr) =
                resil(&["run", c, "--strict", "--plugin-dir", &plugin_dir(), "--out", out.path().to_str().unwrap()]);
            assert_eq!(code, 0, "{c}: {stderr}");
            assert!(stdout.contains("SYNTHETIC"), "{c}: the summary must warn about synthetic data");
        }
        for file in resil_report::OUTPUT_FILES {
            let (x, y) = (std::fs::read(a.path().join(file)).unwrap(), std::fs::read(b.path().join(file)).unwrap());
            assert!(x == y, "{c}: {file} differs between two runs");
        }
        let (code, stdout, stderr) = resil(&["validate", c, "--strict", "--plugin-dir", &plugin_dir()]);
        assert_eq!(code, 0, "{c}: {stdout}{stderr}");
    }
}
