//! House rules, checked as tests: a `//!` line atop every Rust file, and the dependency rules of
//! ARCHITECTURE.md (method crates depend on resil-core only; anyhow only at the edges; no
//! `unsafe` or libloading outside the plugin host and SDK; no HashMap where outputs are made).

use std::path::{Path, PathBuf};

use crate::common::root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["crates", "tests", "xtask", "plugins"] {
        let d = root().join(dir);
        if d.exists() {
            rust_files(&d, &mut files);
        }
    }
    files
}

#[test]
fn every_rust_file_starts_with_a_doc_line() {
    let missing: Vec<_> =
        all_rust_files().into_iter().filter(|p| !std::fs::read_to_string(p).unwrap().starts_with("//!")).collect();
    assert!(missing.is_empty(), "files without a leading `//!` line: {missing:#?}");
}

/// The workspace crates a crate's [dependencies] name.
fn workspace_deps(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().filter(|k| k.starts_with("resil-")).cloned().collect())
        .unwrap_or_default()
}

fn all_deps(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    ["dependencies", "dev-dependencies"]
        .iter()
        .filter_map(|s| manifest.get(*s).and_then(|d| d.as_table()))
        .flat_map(|d| d.keys().cloned())
        .collect()
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn method_crates_depend_on_resil_core_only() {
    let method_crates = [
        "resil-config",
        "resil-indicators",
        "resil-normalize",
        "resil-weight",
        "resil-rank",
        "resil-classify",
        "resil-trend",
        "resil-sensitivity",
    ];
    for krate in method_crates {
        let deps = workspace_deps(krate);
        assert!(deps.iter().all(|d| d == "resil-core"), "{krate} depends on {deps:?}");
    }
    assert!(workspace_deps("resil-core").is_empty());
    assert_eq!(workspace_deps("resil-plugin-abi"), Vec::<String>::new());
    assert_eq!(workspace_deps("resil-plugin-sdk"), ["resil-plugin-abi"]);
    let mut host = workspace_deps("resil-plugin-host");
    host.sort();
    assert_eq!(host, ["resil-core", "resil-plugin-abi"]);
    for krate in crates() {
        assert!(
            !workspace_deps(&krate).contains(&"resil-test-support".to_string()),
            "{krate}: resil-test-support is for [dev-dependencies] only"
        );
        if krate != "resil-pipeline"
            && !["resil-report", "resil-cli", "resil-py", "resil-engine"].contains(&krate.as_str())
        {
            assert!(
                !workspace_deps(&krate).contains(&"resil-pipeline".to_string()),
                "{krate} must not know the pipeline"
            );
        }
    }
}

#[test]
fn plugins_depend_on_the_sdk_only() {
    for dir in ["plugins", "tests/plugins"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let manifest = entry.unwrap().path().join("Cargo.toml");
            if !manifest.is_file() {
                continue;
            }
            let table: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
            let deps: Vec<&String> = table["dependencies"].as_table().unwrap().keys().collect();
            assert_eq!(deps, ["resil-plugin-sdk"], "{}", manifest.display());
        }
    }
}

#[test]
fn anyhow_only_at_the_edges_and_no_unsafe_outside_the_plugin_host() {
    for krate in crates() {
        let deps = all_deps(&krate);
        if krate != "resil-cli" {
            assert!(!deps.contains(&"anyhow".to_string()), "{krate} uses anyhow");
        }
        if !["resil-plugin-host", "resil-plugin-sdk"].contains(&krate.as_str()) {
            assert!(!deps.contains(&"libloading".to_string()), "{krate} uses libloading");
        }
    }
    for file in all_rust_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let path = file.to_string_lossy();
        let plugin_side =
            path.contains("resil-plugin-host") || path.contains("resil-plugin-sdk") || path.contains("/plugins/");
        if !plugin_side && !path.ends_with("tidy.rs") {
            assert!(!text.contains("unsafe {") && !text.contains("unsafe fn"), "{path} uses unsafe");
        }
    }
}

#[test]
fn no_hashmap_where_outputs_are_made() {
    for krate in ["resil-pipeline", "resil-report", "resil-trend", "resil-sensitivity", "resil-cli"] {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            assert!(
                !text.contains("HashMap"),
                "{}: use BTreeMap, output order must not depend on hashing",
                f.display()
            );
        }
    }
}

/// The README's "Methods by stage" names every method of the registry's tables, with every
/// parameter, in its stage's paragraph; a method added to a table without its README line fails.
#[test]
fn readme_method_list_agrees_with_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let paragraph = |stage: &str| -> String {
        let start =
            readme.find(&format!("- **{stage}**")).unwrap_or_else(|| panic!("README has no `- **{stage}**` item"));
        let rest = &readme[start + 4..];
        let end = [rest.find("\n- **"), rest.find("\n\n")].into_iter().flatten().min().unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let analyses = &readme[readme.find("### Analyses").expect("README has an Analyses section")..];
    let analyses = &analyses[..analyses[4..].find("\n### ").map_or(analyses.len(), |e| e + 4)];
    let mut missing = Vec::new();
    for m in resil_pipeline::catalog() {
        let text = if m.stage == "analysis" {
            if !analyses.contains(&format!("| `{}` |", m.name)) {
                missing.push(format!("analysis `{}` (a row of the Analyses table)", m.name));
            }
            analyses.to_string()
        } else {
            paragraph(m.stage)
        };
        if !text.contains(&format!("`{}`", m.name)) {
            missing.push(format!("{}: method `{}`", m.stage, m.name));
        }
        for p in m.params {
            let named = ["`", " =", "."].iter().any(|after| text.contains(&format!("`{}{after}", p.name)));
            if !named {
                missing.push(format!("{}.{}: parameter `{}`", m.stage, m.name, p.name));
            }
        }
    }
    assert!(missing.is_empty(), "README.md's method list lacks:\n{}", missing.join("\n"));
    assert!(readme.contains("resil methods"), "README points to `resil methods`");
}

/// Every `unsafe` block and `unsafe impl` has a `// SAFETY:` comment in the lines just above it
/// (a comment may cover the calls right below it, as for the descriptor's strings).
#[test]
fn every_unsafe_block_says_why_it_is_sound() {
    let mut missing = Vec::new();
    for file in all_rust_files() {
        let path = file.to_string_lossy().to_string();
        if path.ends_with("tidy.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if !(code.contains("unsafe {") || code.contains("unsafe impl")) {
                continue;
            }
            let above = &lines[i.saturating_sub(12)..i];
            if !above.iter().any(|l| l.trim_start().starts_with("// SAFETY")) {
                missing.push(format!("{path}:{}", i + 1));
            }
        }
    }
    assert!(missing.is_empty(), "unsafe without a `// SAFETY:` comment above it:\n{}", missing.join("\n"));
}

/// README.md's table of outputs has a row for every file every run writes (resil_report's table).
#[test]
fn readme_output_table_agrees_with_the_output_files() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let missing: Vec<&str> =
        resil_report::OUTPUT_FILES.iter().map(|f| f.name).filter(|n| !readme.contains(&format!("| `{n}` |"))).collect();
    assert!(missing.is_empty(), "README.md's table of outputs lacks: {missing:?}");
    assert!(readme.contains("| `published.csv` |"));
}
