//! Writers of a run's outputs (CSV, JSON, a text summary), all written atomically: every file
//! goes to a staging folder first and is renamed into place only when all were written, so a
//! failed run leaves earlier outputs as they were.

mod charts;
mod diff;
mod explorer;
mod html;
mod outlines;
#[cfg(feature = "parquet")]
mod parquet_tables;
mod png;
mod sensitivity_charts;
mod summary;
mod tables;
mod workbook;

use std::path::{Path, PathBuf};

use resil_core::{Error, Result};
use resil_pipeline::RunResult;

pub use charts::grade_colour;
pub use diff::{diff, Delta, DiffReport};
pub use explorer::{explorer_maps, explorer_page, explorer_study};
pub use html::{compare_heatmap, render_report};
pub use png::svg_to_png;
pub use summary::summary;
pub use tables::{breaks_json, weights_csv};
pub use workbook::WORKBOOK;

/// Refuses a folder that is not a finished run's (`resil report` and `resil diff` read them): the
/// manifest is written last, so its presence marks a complete set.
fn run_folder(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::data(dir.display().to_string(), "no such folder; give the output folder of `resil run`"));
    }
    if !dir.join("manifest.json").is_file() {
        return Err(Error::data(
            dir.display().to_string(),
            "not the output folder of a run (it has no manifest.json); give a run's [output] dir or --out",
        ));
    }
    Ok(())
}

/// A file every run writes: its name, one line on what it holds, and how it is rendered.
pub struct OutputFile {
    pub name: &'static str,
    pub doc: &'static str,
    render: fn(&RunResult) -> Result<Vec<u8>>,
}

/// The files every run writes, in the order they are renamed into place (analyses add their
/// own, `[published]` adds published.csv, before the manifest); the manifest comes last, so that
/// a complete manifest marks a complete set. README.md's table of outputs lists each (a tidy
/// test holds them together).
pub static OUTPUT_FILES: &[OutputFile] = &[
    OutputFile { name: "scores.csv", doc: "score, rank and grade per unit and period", render: tables::scores },
    OutputFile { name: "weights.csv", doc: "each indicator's weight per scope", render: tables::weights },
    OutputFile { name: "breaks.json", doc: "the class breaks and their GVF", render: |r| Ok(tables::breaks(r)) },
    OutputFile {
        name: "regions.csv",
        doc: "mean, median, min, max, grade counts, growth per region and period",
        render: tables::regions,
    },
    OutputFile { name: "levels.csv", doc: "scores of every sub-system and system", render: tables::levels },
    OutputFile {
        name: "indicators.csv",
        doc: "each indicator's distribution and skew flag",
        render: tables::indicator_stats,
    },
    OutputFile {
        name: "correlations.csv",
        doc: "Pearson correlation of every pair of indicators",
        render: tables::correlations,
    },
    OutputFile { name: "imputed.csv", doc: "every cell filled by imputation", render: tables::imputed },
    OutputFile {
        name: "capped.csv",
        doc: "every cell capped to its goalpost by a normalisation step",
        render: tables::capped,
    },
    OutputFile { name: "treated.csv", doc: "every cell changed by the treatment stage", render: tables::treated },
    OutputFile {
        name: "intermediates.csv",
        doc: "raw, normalised and weighted values with the ideals, per cell",
        render: tables::intermediates,
    },
    OutputFile { name: "diagnostics.csv", doc: "every note of the run", render: tables::diagnostics },
    OutputFile {
        name: "summary.txt",
        doc: "the summary printed to the terminal",
        render: |r| Ok(summary(r).into_bytes()),
    },
    OutputFile {
        name: "units.geojson",
        doc: "the units as points with score, rank and grade",
        render: |r| Ok(tables::geojson(r)),
    },
    OutputFile {
        name: "manifest.json",
        doc: "what ran on what: hashes, versions, parameters",
        render: |r| Ok(pretty_json(&r.manifest)),
    },
];

/// Renders every output file of a run in memory, as (file name, bytes): the files every run
/// writes, then published.csv, each analysis's `<table>.csv` files and `<id>.json`, with
/// `formats = ["csv", "xlsx"]` results.xlsx (every CSV table as a sheet), with "parquet" every
/// CSV table also as `<table>.parquet`, the manifest last.
pub fn render(result: &RunResult) -> Result<Vec<(String, Vec<u8>)>> {
    let (manifest, every_run) = OUTPUT_FILES.split_last().expect("the table ends with the manifest");
    let mut files =
        every_run.iter().map(|f| Ok((f.name.to_string(), (f.render)(result)?))).collect::<Result<Vec<_>>>()?;
    if result.published.is_some() {
        files.push(("published.csv".into(), tables::published(result)?));
    }
    for a in &result.analyses {
        for t in &a.tables {
            files.push((format!("{}.csv", t.name), tables::analysis_table(result, t)?));
        }
        files.push((format!("{}.json", a.id), tables::analysis_json(result, a)));
    }
    if result.output_formats.iter().any(|f| f == "xlsx") {
        let note = tables::data_status(result);
        files.push((workbook::WORKBOOK.to_string(), workbook::workbook(&files, &note)?));
    }
    if result.output_formats.iter().any(|f| f == "parquet") {
        #[cfg(feature = "parquet")]
        files.extend(parquet_tables::tables(&files)?);
        #[cfg(not(feature = "parquet"))]
        return Err(Error::data("output.formats", "\"parquet\" needs resil built with `--features parquet`"));
    }
    files.push((manifest.name.to_string(), (manifest.render)(result)?));
    Ok(files)
}

pub(crate) fn pretty_json(v: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).expect("json values serialise");
    bytes.push(b'\n');
    bytes
}

/// Writes `files` into `dir` as one step: every file is staged first; then each existing file of
/// the same name is moved aside and the new one renamed into place; if any step fails, the files
/// already placed are removed and the old ones put back. Either every file is new or every file
/// is as it was, and no staging folder is left behind.
pub fn write_files<S: AsRef<str>>(dir: &Path, files: &[(S, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_ref()).collect();
    write_staged(dir, &names, |staging| {
        for (name, bytes) in files {
            let path = staging.join(name.as_ref());
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    })
}

/// [`write_files`] for outputs too large to hold: `fill` writes each of `names` into the staging
/// folder it is given (a streamed run's scores, row group by row group); then they are placed
/// as one step, as `write_files` places its files.
pub fn write_staged(dir: &Path, names: &[&str], fill: impl FnOnce(&Path) -> Result<()>) -> Result<Vec<PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::data(dir.display().to_string(), "is a file; the outputs go into a folder: name one"));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staging = dir.join(format!(".staging-{}", std::process::id()));
    let result = std::fs::create_dir_all(&staging)
        .map_err(|e| Error::io(&staging, e))
        .and_then(|()| fill(&staging))
        .and_then(|()| check_targets(dir, names))
        .and_then(|()| swap_into_place(&staging, dir, names));
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Checks that each target can be replaced by a file.
fn check_targets(dir: &Path, names: &[&str]) -> Result<()> {
    for name in names {
        let target = dir.join(name);
        if target.is_dir() {
            return Err(Error::data(
                target.display().to_string(),
                "is a folder; the output file of that name cannot replace it (move it away, or write elsewhere with --out)",
            ));
        }
    }
    Ok(())
}

/// Moves the old files aside (into `staging/previous`) and the staged ones into place; rolls
/// every move back on the first failure.
fn swap_into_place(staging: &Path, dir: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    let previous = staging.join("previous");
    std::fs::create_dir_all(&previous).map_err(|e| Error::io(&previous, e))?;
    let mut moved_aside: Vec<String> = Vec::new();
    let mut placed: Vec<PathBuf> = Vec::new();
    let mut step = |name: &str| -> Result<PathBuf> {
        let target = dir.join(name);
        if target.symlink_metadata().is_ok() {
            std::fs::rename(&target, previous.join(name)).map_err(|e| Error::io(&target, e))?;
            moved_aside.push(name.to_string());
        }
        std::fs::rename(staging.join(name), &target).map_err(|e| Error::io(&target, e))?;
        Ok(target)
    };
    for name in names {
        match step(name) {
            Ok(target) => placed.push(target),
            Err(e) => {
                for target in &placed {
                    let _ = std::fs::remove_file(target);
                }
                for name in &moved_aside {
                    let _ = std::fs::rename(previous.join(name), dir.join(name));
                }
                return Err(e);
            }
        }
    }
    Ok(placed)
}

/// The files of a sensitivity analysis (`resil sensitivity`), named as they are written into its
/// folder: `ranks.csv`, `sobol.csv`, `leave_one_out.csv` (each with the run's `data_status`),
/// `sensitivity.json` and `sensitivity.md`.
pub fn render_sensitivity(s: &resil_pipeline::SensitivityResult) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for t in &s.tables {
        let name = t.name.strip_prefix("sensitivity_").unwrap_or(&t.name);
        files.push((format!("{name}.csv"), tables::analysis_table(&s.run, t)?));
    }
    let mut json = s.json.clone();
    json["data_status"] = serde_json::Value::String(tables::data_status(&s.run));
    files.push(("sensitivity.json".into(), pretty_json(&json)));
    files.push(("sensitivity.md".into(), s.markdown.clone().into_bytes()));
    Ok(files)
}

/// Renders and writes every output of a run into `dir`, which may not hold any of its inputs.
pub fn write_run(result: &RunResult, dir: &Path) -> Result<Vec<PathBuf>> {
    resil_pipeline::check_output_dir(dir, &result.input_files)?;
    write_files(dir, &render(result)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_is_removed_and_files_land() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_files(&out, &[("a.txt", b"1".to_vec()), ("b.txt", b"2".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"2");
        let names: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn an_output_folder_that_is_a_file_is_named_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "mine").unwrap();
        let err = write_files(&file, &[("a.txt", b"1".to_vec())]).unwrap_err().to_string();
        assert!(err.contains("notes.txt: is a file; the outputs go into a folder"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }

    #[test]
    fn a_failed_write_leaves_earlier_outputs_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_files(&out, &[("a.txt", b"old".to_vec())]).unwrap();
        // A file name that cannot be created (a folder path) makes staging fail.
        let err = write_files(&out, &[("a.txt", b"new".to_vec()), ("no/such/dir.txt", b"x".to_vec())]);
        assert!(err.is_err());
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"old");
    }

    #[test]
    fn a_failure_while_placing_restores_every_earlier_file_and_leaves_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_files(&out, &[("a.txt", b"old a".to_vec()), ("c.txt", b"old c".to_vec())]).unwrap();
        // summary.txt exists as a folder: nothing may be replaced.
        std::fs::create_dir_all(out.join("summary.txt")).unwrap();
        let files = [("a.txt", b"new a".to_vec()), ("summary.txt", b"s".to_vec()), ("c.txt", b"new c".to_vec())];
        let err = write_files(&out, &files).unwrap_err().to_string();
        assert!(err.contains("summary.txt: is a folder"), "{err}");
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"old a");
        assert_eq!(std::fs::read(out.join("c.txt")).unwrap(), b"old c");
        let mut names: Vec<_> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
        names.sort();
        assert_eq!(names, ["a.txt", "c.txt", "summary.txt"], "no staging folder left behind");
    }

    #[test]
    fn an_output_folder_holding_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("scores.csv");
        std::fs::write(&input, "unit,x\n").unwrap();
        let err = resil_pipeline::check_output_dir(dir.path(), std::slice::from_ref(&input)).unwrap_err().to_string();
        assert!(err.contains("holds inputs of the run") && err.contains("scores.csv"), "{err}");
        resil_pipeline::check_output_dir(&dir.path().join("out"), std::slice::from_ref(&input)).unwrap();
        resil_pipeline::check_output_dir(&dir.path().join("not-yet"), std::slice::from_ref(&input)).unwrap();
        // An input two sources share is listed once.
        let err = resil_pipeline::check_output_dir(dir.path(), &[input.clone(), input]).unwrap_err().to_string();
        assert_eq!(err.matches("scores.csv").count(), 1, "{err}");
    }
}
