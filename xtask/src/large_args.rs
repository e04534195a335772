//! The arguments of `cargo xtask gen-large [ROWS] [--panel] [--out FILE]`, checked before a byte
//! is written: a row count that is not a whole number from 1 to [`MOST_ROWS`] (an infinite or
//! huge one would fill the disk), an odd count for a panel (its last unit would have one year),
//! an unknown flag or `--out` without a file are errors.

use std::path::{Path, PathBuf};

use anyhow::bail;

/// Rows written when none are asked for: the 2e7 of issue 16's out-of-core run (about 5 GB).
pub const DEFAULT_ROWS: usize = 20_000_000;

/// The most rows gen-large writes: about 50 GB at some 250 bytes a row.
pub const MOST_ROWS: usize = 200_000_000;

#[derive(Debug, PartialEq)]
pub struct LargeArgs {
    pub rows: usize,
    pub panel: bool,
    pub out: PathBuf,
}

/// `args` after `gen-large`; the default file is under `root`/target/large.
pub fn parse(args: &[String], root: &Path) -> anyhow::Result<LargeArgs> {
    let (mut rows, mut panel, mut out) = (None, false, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--panel" => panel = true,
            "--out" => match rest.next().filter(|f| !f.starts_with("--")) {
                Some(file) => out = Some(PathBuf::from(file)),
                None => bail!("gen-large: --out needs a file"),
            },
            flag if flag.starts_with("--") => bail!("gen-large: unknown flag `{flag}` (known: --panel, --out FILE)"),
            count if rows.is_none() => rows = Some(row_count(count)?),
            extra => bail!("gen-large: `{extra}`: one row count only"),
        }
    }
    let rows = rows.unwrap_or(DEFAULT_ROWS);
    if panel && rows % 2 == 1 {
        bail!("gen-large: --panel needs an even row count (each unit has a row in each of two years), got {rows}");
    }
    let stem = if panel { "panel" } else { "matrix" };
    let out = out.unwrap_or_else(|| root.join(format!("target/large/{stem}-{rows}.parquet")));
    Ok(LargeArgs { rows, panel, out })
}

/// `2e7`, `20_000_000` or `20000000`: a whole number of rows from 1 to [`MOST_ROWS`].
fn row_count(text: &str) -> anyhow::Result<usize> {
    let Ok(count) = text.replace('_', "").parse::<f64>() else { bail!("gen-large: `{text}` is not a row count") };
    if !(count >= 1.0 && count <= MOST_ROWS as f64 && count.fract() == 0.0) {
        bail!("gen-large: `{text}`: the row count must be a whole number from 1 to {MOST_ROWS}");
    }
    Ok(count as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> anyhow::Result<LargeArgs> {
        parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), Path::new("/r"))
    }

    #[test]
    fn counts_flags_and_files() {
        let matrix = |rows: usize| LargeArgs {
            rows,
            panel: false,
            out: format!("/r/target/large/matrix-{rows}.parquet").into(),
        };
        assert_eq!(parsed(&[]).unwrap(), matrix(DEFAULT_ROWS));
        assert_eq!(parsed(&["2e7"]).unwrap(), matrix(20_000_000));
        assert_eq!(parsed(&["1_000"]).unwrap(), matrix(1000));
        let panel = parsed(&["--panel", "10", "--out", "p.parquet"]).unwrap();
        assert_eq!(panel, LargeArgs { rows: 10, panel: true, out: "p.parquet".into() });
        assert_eq!(parsed(&["--panel"]).unwrap().out, PathBuf::from("/r/target/large/panel-20000000.parquet"));
    }

    #[test]
    fn what_would_fill_the_disk_or_be_ignored_is_refused() {
        for (args, message) in [
            (&["1.5e400"][..], "the row count must be a whole number from 1 to 200000000"),
            (&["inf"], "the row count must be a whole number"),
            (&["3e8"], "the row count must be a whole number"),
            (&["0"], "the row count must be a whole number"),
            (&["-5"], "the row count must be a whole number"),
            (&["2.5"], "the row count must be a whole number"),
            (&["abc"], "`abc` is not a row count"),
            (&["10", "--bogus"], "unknown flag `--bogus`"),
            (&["--"], "unknown flag `--`"),
            (&["10", "20"], "`20`: one row count only"),
            (&["--out"], "--out needs a file"),
            (&["--out", "--panel"], "--out needs a file"),
            (&["--panel", "11"], "--panel needs an even row count"),
        ] {
            let err = parsed(args).unwrap_err().to_string();
            assert!(err.contains(message), "{args:?}: {err}");
        }
    }
}
