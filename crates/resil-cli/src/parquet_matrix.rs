//! A decision matrix in Parquet or Arrow IPC (cargo feature `parquet`), read and written with the
//! arrow-rs crates: a `.parquet` file, or a folder of them read in name order, or an `.arrow` /
//! `.feather` file, in wide layout (the first column names the alternatives, every other column
//! is one criterion). Each row group becomes
//! one row block of the chunked fit, its columns copied straight from the Arrow arrays; row groups
//! are decoded on every core. Problems name the file, the row group, the row and the column.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use resil_core::chunked::RowChunks;
use resil_core::Matrix;
use resil_pipeline::RowBlocks;

use crate::csv_matrix::{IdRange, IdSource, Ids};
use crate::matrix::ExtraColumns;

/// One row group of one file.
#[derive(Debug, Clone)]
struct Group {
    file: PathBuf,
    /// Its file's footer, parsed once.
    footer: ArrowReaderMetadata,
    index: usize,
    /// Its first row in the file (1-based), for the errors.
    first_row: u64,
    rows: usize,
}

/// Which columns of a file a reader takes, as indices of its columns: the id column, a period
/// column (a panel's), and the criteria in the order of `names`.
#[derive(Debug, Clone)]
pub struct Selection {
    id: usize,
    period: Option<usize>,
    criteria: Vec<usize>,
    /// The criteria as named in the output (an indicator's id, not its column header).
    names: Vec<String>,
    /// Whether a null cell is read as missing (NaN, for a streamed run that imputes), else an
    /// error.
    missing: bool,
}

impl Selection {
    /// A decision matrix: the first column names the rows, every other one is a criterion.
    fn matrix(fields: &[String]) -> Selection {
        Selection {
            id: 0,
            period: None,
            criteria: (1..fields.len()).collect(),
            names: fields[1..].to_vec(),
            missing: false,
        }
    }

    /// A wide panel: the unit and period columns and, for each `(name, header)`, the column
    /// `header`. Every column must be in the file.
    fn panel(
        path: &Path,
        fields: &[String],
        unit: &str,
        period: &str,
        criteria: &[(String, String)],
    ) -> anyhow::Result<Selection> {
        let find = |header: &str, what: &str| {
            fields.iter().position(|f| f == header).with_context(|| {
                format!("{}: no column `{header}` ({what}); its columns are {}", path.display(), fields.join(", "))
            })
        };
        Ok(Selection {
            id: find(unit, "the unit column")?,
            period: Some(find(period, "the period column")?),
            criteria: criteria
                .iter()
                .map(|(name, header)| find(header, &format!("indicator `{name}`")))
                .collect::<anyhow::Result<_>>()?,
            names: criteria.iter().map(|(name, _)| name.clone()).collect(),
            missing: false,
        })
    }
}

/// The column names and the row groups of `path`, in order; every file of a folder must have
/// the same columns.
fn row_groups(path: &Path) -> anyhow::Result<(Vec<String>, Vec<Group>)> {
    let mut names: Option<(PathBuf, Vec<String>)> = None;
    let mut groups = Vec::new();
    for file in resil_indicators::parquet_files(path)? {
        let footer = footer(&file)?;
        let fields: Vec<String> = footer.schema().fields().iter().map(|f| f.name().clone()).collect();
        if fields.len() < 2 {
            bail!("{}: need an id column and at least one criterion, got {} column(s)", file.display(), fields.len());
        }
        match &names {
            Some((first, known)) if known != &fields => bail!(
                "{}: columns {} differ from those of {} ({})",
                file.display(),
                fields.join(", "),
                first.display(),
                known.join(", ")
            ),
            Some(_) => {}
            None => names = Some((file.clone(), fields)),
        }
        let mut first_row = 1u64;
        for (index, meta) in footer.metadata().row_groups().iter().enumerate() {
            let rows = meta.num_rows() as usize;
            if rows > 0 {
                groups.push(Group { file: file.clone(), footer: footer.clone(), index, first_row, rows });
            }
            first_row += rows as u64;
        }
    }
    if groups.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    Ok((names.map(|n| n.1).unwrap_or_default(), groups))
}

/// Reads `path`: (ids, criteria names, the matrix as row blocks, one per row group). Every
/// criterion cell must be a finite number (float or integer columns, no nulls).
pub fn read(path: &Path) -> anyhow::Result<(Ids, Vec<String>, RowBlocks)> {
    let (fields, groups) = row_groups(path)?;
    let selection = Selection::matrix(&fields);
    let parsed: Vec<anyhow::Result<RowGroup>> =
        groups.par_iter().map(|g| read_row_group(g, &selection, Columns::All)).collect();
    let (mut ids, mut blocks) = (Ids::default(), RowBlocks::default());
    for part in parsed {
        let part = part?;
        ids.append(part.ids);
        blocks.push(part.matrix);
    }
    Ok((ids, selection.names, blocks))
}

/// Row groups left on disk as the chunks of the chunked fit (`resil score --stream`): every
/// pass decodes them again, so only a few are in memory at a time, whatever the file's size.
pub struct OnDisk {
    selection: Selection,
    groups: Vec<Group>,
    /// Each group's first row in the matrix.
    starts: Vec<usize>,
    /// Row groups decoded so far, over every pass: each pass reads every group once, so this
    /// over the group count is the pass.
    decoded: std::sync::atomic::AtomicUsize,
    progress: indicatif::ProgressBar,
}

/// Opens `path` for streaming: (criteria names, the row groups on disk). The id column is read
/// through once now, to check it; the ids are read again when the output is written.
pub fn open_on_disk(path: &Path) -> anyhow::Result<(Vec<String>, OnDisk)> {
    let (fields, groups) = row_groups(path)?;
    let disk = OnDisk::new(Selection::matrix(&fields), groups)?;
    // Each row's id hashed in this read; only a repeated hash costs another.
    let hash = |keys: &PanelKeys, i: usize| crate::repeats::stable_hash(&keys.ids.get(i));
    // ... and the first blank id of each group found in the same read.
    let scanned = disk.keys_of_groups(|keys| {
        let blank = (0..keys.ids.len()).find(|&i| keys.ids.get(i).trim().is_empty()).map(|i| (keys.place)(i));
        Ok(((0..keys.ids.len()).map(|i| hash(keys, i)).collect::<Vec<_>>(), blank))
    })?;
    if let Some(place) = scanned.iter().find_map(|(_, blank)| blank.as_ref()) {
        bail!("{place}: empty id; every alternative needs one");
    }
    let hashes: Vec<u64> = scanned.into_iter().flat_map(|(hashes, _)| hashes).collect();
    let id = |keys: &PanelKeys, i: usize| keys.ids.get(i).to_string();
    if let Some((id, first, again)) = disk.first_repeat(&crate::repeats::repeated(hashes), hash, id)? {
        bail!("{again}: duplicate id `{id}` (first at {first})");
    }
    Ok((disk.selection.names.clone(), disk))
}

/// Where each of `rows` (rows from 0 of the matrix [`read`] or [`read_ipc`] gives of `path`) is:
/// its file, row group (record batch) and row, as the other errors name them.
pub fn row_places(path: &Path, rows: &[usize]) -> anyhow::Result<Vec<String>> {
    /// Rows `start..start + rows` of the matrix: `{part}, row {first_row + i}` in the file.
    struct Part {
        start: usize,
        rows: usize,
        part: String,
        first_row: u64,
    }
    let mut parts = Vec::new();
    if is_arrow_ipc(path) {
        let handle = File::open(path).with_context(|| path.display().to_string())?;
        let reader = arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(handle), None)
            .with_context(|| format!("{}: not a readable Arrow IPC file", path.display()))?;
        let mut start = 0;
        for (b, batch) in reader.enumerate() {
            let part = format!("{}, record batch {b}", path.display());
            let rows = batch.with_context(|| part.clone())?.num_rows();
            parts.push(Part { start, rows, part, first_row: start as u64 + 1 });
            start += rows;
        }
    } else {
        let mut start = 0;
        for g in row_groups(path)?.1 {
            let part = format!("{}, row group {}", g.file.display(), g.index);
            parts.push(Part { start, rows: g.rows, part, first_row: g.first_row });
            start += g.rows;
        }
    }
    Ok(rows
        .iter()
        .map(|&row| match parts.iter().find(|p| (p.start..p.start + p.rows).contains(&row)) {
            Some(p) => format!("{}, row {}", p.part, p.first_row + (row - p.start) as u64),
            None => format!("{}, row {}", path.display(), row + 1),
        })
        .collect())
}

/// Opens a wide panel for `resil run --stream`: its indicator columns (`(indicator, column
/// header)`) as the chunks, and its unit and period columns as the keys ([`OnDisk::keys`]).
pub fn open_panel_on_disk(
    path: &Path,
    unit: &str,
    period: &str,
    criteria: &[(String, String)],
    missing: bool,
) -> anyhow::Result<OnDisk> {
    let (fields, groups) = row_groups(path)?;
    let selection = Selection { missing, ..Selection::panel(path, &fields, unit, period, criteria)? };
    OnDisk::new(selection, groups)
}

/// A row group's units and periods, with where it is, for the checks of a streamed panel.
pub struct PanelKeys<'a> {
    pub ids: &'a Ids,
    pub periods: &'a [i64],
    /// The file, row group and row of its `i`th row, for errors.
    pub place: &'a (dyn Fn(usize) -> String + Sync),
}

/// Reads every row group's keys (id column and periods) on every core, hands them to `each`
/// and returns its answers in row group order; the error reported is the first in the file.
fn groups_checked<T: Send>(
    disk: &OnDisk,
    each: impl Fn(&PanelKeys) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    let answers: Vec<anyhow::Result<T>> = disk
        .groups
        .par_iter()
        .map(|g| {
            let part = read_row_group(g, &disk.selection, Columns::Ids)?;
            disk.tick();
            let place =
                |i: usize| format!("{}, row group {}, row {}", g.file.display(), g.index, g.first_row + i as u64);
            each(&PanelKeys { ids: &part.ids, periods: &part.periods, place: &place })
        })
        .collect();
    answers.into_iter().collect()
}

impl OnDisk {
    /// The null cells of the criteria columns over every row group, as the files' statistics
    /// record them; `None` when a column chunk does not.
    pub fn null_cells(&self) -> Option<u64> {
        self.groups.iter().try_fold(0u64, |sum, g| {
            let meta = &g.footer.metadata().row_groups()[g.index];
            self.selection
                .criteria
                .iter()
                .try_fold(sum, |s, &c| Some(s + meta.column(c).statistics()?.null_count_opt()?))
        })
    }

    /// Counts a row group decoded: each pass (the keys' one included) reads every group once,
    /// so the count over the group count is the pass the bar shows.
    fn tick(&self) {
        let done = self.decoded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.progress.set_message((done / self.groups.len() + 1).to_string());
        self.progress.set_position((done % self.groups.len() + 1) as u64);
    }

    fn new(selection: Selection, groups: Vec<Group>) -> anyhow::Result<OnDisk> {
        let starts = groups
            .iter()
            .scan(0, |next, g| {
                let start = *next;
                *next += g.rows;
                Some(start)
            })
            .collect();
        let progress = crate::progress_bar("pass {msg} {bar:40} {pos}/{len} row groups ({eta})")?;
        progress.set_length(groups.len() as u64);
        let decoded = std::sync::atomic::AtomicUsize::new(0);
        Ok(OnDisk { selection, groups, starts, decoded, progress })
    }

    /// `each` of every row group's keys (see [`PanelKeys`]), its answers in row group order.
    pub fn keys_of_groups<T: Send>(
        &self,
        each: impl Fn(&PanelKeys) -> anyhow::Result<T> + Sync,
    ) -> anyhow::Result<Vec<T>> {
        groups_checked(self, each)
    }

    /// The first row whose key an earlier row has, among the rows whose `hash` is in `twice`
    /// (sorted, from [`crate::repeats::repeated`]): (the key, where it first is, where it is
    /// again). Reads the keys of every row group again, so call it only when `twice` is not empty.
    pub fn first_repeat<K: Ord + Send>(
        &self,
        twice: &[u64],
        hash: impl Fn(&PanelKeys, usize) -> u64 + Sync,
        key: impl Fn(&PanelKeys, usize) -> K + Sync,
    ) -> anyhow::Result<Option<(K, String, String)>> {
        if twice.is_empty() {
            return Ok(None);
        }
        let found = self.keys_of_groups(|keys| {
            Ok((0..keys.ids.len())
                .filter(|&i| twice.binary_search(&hash(keys, i)).is_ok())
                .map(|i| (key(keys, i), (keys.place)(i)))
                .collect::<Vec<_>>())
        })?;
        // Row group by row group, each in row order: the rows in order.
        let mut found: Vec<(K, String)> = found.into_iter().flatten().collect();
        let Some((first, again)) = crate::repeats::first_repeat(found.iter().map(|(k, _)| k).enumerate().collect())
        else {
            return Ok(None);
        };
        let first = std::mem::take(&mut found[first].1);
        let (key, again) = found.swap_remove(again);
        Ok(Some((key, first, again)))
    }

    /// Row group `k`'s ids and periods (none when the selection has no period column).
    pub fn keys(&self, k: usize) -> anyhow::Result<(Ids, Vec<i64>)> {
        let part = read_row_group(&self.groups[k], &self.selection, Columns::Ids)?;
        Ok((part.ids, part.periods))
    }

    /// The rows of each row group, in order.
    pub fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        self.groups.iter().zip(&self.starts).map(|(g, &s)| s..s + g.rows).collect()
    }

    /// Clears the progress bar (hidden off a terminal) when the passes are over.
    pub fn finish_progress(&self) {
        self.progress.finish_and_clear();
    }
}

impl IdSource for OnDisk {
    fn rows(&self) -> usize {
        self.groups.last().map_or(0, |g| self.starts[self.starts.len() - 1] + g.rows)
    }

    fn range(&self, range: std::ops::Range<usize>) -> anyhow::Result<IdRange<'_>> {
        let mut ids = Ids::default();
        for (k, group) in self.groups.iter().enumerate() {
            let (start, end) = (self.starts[k], self.starts[k] + group.rows);
            if end <= range.start || start >= range.end {
                continue;
            }
            let part = read_row_group(group, &self.selection, Columns::Ids)?.ids;
            (range.start.max(start)..range.end.min(end)).for_each(|i| ids.push(part.get(i - start).as_bytes()));
        }
        Ok(IdRange::owned(ids))
    }
}

impl RowChunks for OnDisk {
    fn count(&self) -> usize {
        self.groups.len()
    }

    fn with_chunk(
        &self,
        k: usize,
        f: &mut dyn FnMut(&Matrix, usize) -> resil_core::Result<()>,
    ) -> resil_core::Result<()> {
        let matrix = read_row_group(&self.groups[k], &self.selection, Columns::Criteria)
            .map_err(|e| resil_core::Error::data("Parquet", format!("{e:#}")))?
            .matrix;
        self.tick();
        f(&matrix, self.starts[k])
    }

    /// The row's unit and period (or id), read again from its row group, and where it is: only
    /// a message needs them, so no labels are held for the rows.
    fn place(&self, row: usize) -> Option<String> {
        // The last group starting at or before `row`.
        let k = self.starts.partition_point(|&start| start <= row).checked_sub(1)?;
        let (g, i) = (&self.groups[k], row - self.starts[k]);
        let at = format!("{}, row group {}, row {}", g.file.display(), g.index, g.first_row + i as u64);
        Some(match self.keys(k) {
            Ok((ids, periods)) if i < ids.len() => match periods.get(i) {
                Some(period) => format!("unit `{}`, period {period} ({at})", ids.get(i)),
                None => format!("`{}` ({at})", ids.get(i)),
            },
            _ => at,
        })
    }
}

/// Whether `path` is an Arrow IPC file (`.arrow`, `.feather`, `.ipc`).
pub fn is_arrow_ipc(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["arrow", "feather", "ipc"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads an Arrow IPC file (the file format, which pyarrow's `feather.write_feather` and
/// `ipc.new_file` write) in the same wide layout: each record batch one row block, the batches
/// decoded on every core, each thread with a reader of its own. Problems name the file, the
/// record batch, the row and the column.
pub fn read_ipc(path: &Path) -> anyhow::Result<(Ids, Vec<String>, RowBlocks)> {
    let open = || -> anyhow::Result<IpcReader> {
        let handle = File::open(path).with_context(|| path.display().to_string())?;
        arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(handle), None)
            .with_context(|| format!("{}: not a readable Arrow IPC file", path.display()))
    };
    let mut reader = open()?;
    let fields: Vec<String> = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    if fields.len() < 2 {
        bail!("{}: need an id column and at least one criterion, got {} column(s)", path.display(), fields.len());
    }
    let names: Vec<String> = fields[1..].to_vec();
    // A batch's first row is known only once the batches before it are read, so the batches are
    // decoded without their row numbers first; a batch that fails is decoded again, in order,
    // to name its row.
    let decoded: Vec<Option<(Ids, Matrix)>> = (0..reader.num_batches())
        .into_par_iter()
        .map_init(|| open().ok(), |own, b| own.as_mut().and_then(|r| ipc_batch(r, path, b, &names, 0).ok()))
        .collect();
    let (mut ids, mut blocks) = (Ids::default(), RowBlocks::default());
    let mut first_row = 1u64;
    for (b, batch) in decoded.into_iter().enumerate() {
        let (batch_ids, matrix) = match batch {
            Some(done) => done,
            None => ipc_batch(&mut reader, path, b, &names, first_row)?,
        };
        first_row += matrix.nrows() as u64;
        ids.append(batch_ids);
        if matrix.nrows() > 0 {
            blocks.push(matrix);
        }
    }
    if ids.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    Ok((ids, names, blocks))
}

type IpcReader = arrow_ipc::reader::FileReader<std::io::BufReader<File>>;

/// Record batch `b` of an Arrow IPC file: its ids and its criteria as a row block; problems
/// name the row counted from `first_row`.
fn ipc_batch(
    reader: &mut IpcReader,
    path: &Path,
    b: usize,
    names: &[String],
    first_row: u64,
) -> anyhow::Result<(Ids, Matrix)> {
    let undecodable = || format!("{}, record batch {b}: cannot be decoded", path.display());
    reader.set_index(b).with_context(undecodable)?;
    let batch = reader.next().with_context(undecodable)?.with_context(undecodable)?;
    let place = |i: usize| format!("{}, record batch {b}, row {}", path.display(), first_row + i as u64);
    let mut ids = Ids::default();
    push_ids(batch.column(0), &mut ids, place)?;
    let mut matrix = Matrix::filled(batch.num_rows(), names.len(), 0.0);
    for (j, column) in matrix.columns_mut().enumerate() {
        let name = &names[j];
        copy_numbers(batch.column(j + 1), column, false, |i| format!("{}, column `{name}`", place(i)))?;
    }
    Ok((ids, matrix))
}

/// The parsed footer (metadata and schema) of `file`, read once and shared by its row groups.
fn footer(file: &Path) -> anyhow::Result<ArrowReaderMetadata> {
    let handle = File::open(file).with_context(|| file.display().to_string())?;
    ArrowReaderMetadata::load(&handle, Default::default())
        .with_context(|| format!("{}: not a readable Parquet file", file.display()))
}

/// Which columns of a row group to read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Columns {
    All,
    /// The id column, and the period column if the selection has one.
    Ids,
    Criteria,
}

/// A row group as read: each part empty when not asked for.
struct RowGroup {
    ids: Ids,
    periods: Vec<i64>,
    matrix: Matrix,
}

/// Reads `columns` of a row group.
fn read_row_group(group: &Group, selection: &Selection, columns: Columns) -> anyhow::Result<RowGroup> {
    let Group { file, footer, index, first_row, rows } = group;
    let (file, index, first_row, rows) = (file.as_path(), *index, *first_row, *rows);
    let handle = File::open(file).with_context(|| file.display().to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, footer.clone());
    let keys: Vec<usize> = std::iter::once(selection.id).chain(selection.period).collect();
    let wanted: Vec<usize> = match columns {
        Columns::All => keys.iter().chain(&selection.criteria).copied().collect(),
        Columns::Ids => keys,
        Columns::Criteria => selection.criteria.clone(),
    };
    // A projection yields its columns in file order: where each wanted one lands.
    let mut read: Vec<usize> = wanted.clone();
    read.sort_unstable();
    read.dedup();
    let at = |column: usize| read.binary_search(&column).expect("projected");
    let mask = ProjectionMask::roots(builder.parquet_schema(), read.iter().copied());
    let reader = builder
        .with_row_groups(vec![index])
        .with_projection(mask)
        .with_batch_size(rows.max(1))
        .build()
        .with_context(|| format!("{}, row group {index}", file.display()))?;
    let names = &selection.names;
    let width = if columns == Columns::Ids { 0 } else { names.len() };
    let mut matrix = Matrix::filled(if width == 0 { 0 } else { rows }, width, 0.0);
    let mut criteria: Vec<&mut [f64]> = matrix.columns_mut().collect();
    let mut part = RowGroup { ids: Ids::default(), periods: Vec::new(), matrix: Matrix::filled(0, 0, 0.0) };
    let mut done = 0;
    for batch in reader {
        let batch = batch.with_context(|| format!("{}, row group {index}: cannot be decoded", file.display()))?;
        let row = first_row + done as u64;
        let place = |i: usize| format!("{}, row group {index}, row {}", file.display(), row + i as u64);
        let count = batch.num_rows();
        if done + count > rows {
            bail!("{}: more rows than its metadata says ({rows})", place(0));
        }
        if columns != Columns::Criteria {
            push_ids(batch.column(at(selection.id)), &mut part.ids, place)?;
            if let Some(period) = selection.period {
                push_periods(batch.column(at(period)), &mut part.periods, place)?;
            }
        }
        if columns != Columns::Ids {
            for (j, column) in criteria.iter_mut().enumerate() {
                let name = &names[j];
                let cells = &mut column[done..done + count];
                let array = batch.column(at(selection.criteria[j]));
                copy_numbers(array, cells, selection.missing, |i| format!("{}, column `{name}`", place(i)))?;
            }
        }
        done += count;
    }
    if done != rows {
        bail!("{}, row group {index}: {done} rows, its metadata says {rows}", file.display());
    }
    drop(criteria);
    part.matrix = matrix;
    Ok(part)
}

/// The period column's cells: integers (or text holding one), no nulls.
fn push_periods(array: &ArrayRef, periods: &mut Vec<i64>, at: impl Fn(usize) -> String) -> anyhow::Result<()> {
    if array.null_count() > 0 {
        let i = (0..array.len()).find(|&i| array.is_null(i)).unwrap_or(0);
        bail!("{}: the period is missing", at(i));
    }
    let mut text = |texts: &mut dyn Iterator<Item = Option<&str>>| -> anyhow::Result<()> {
        for (i, t) in texts.enumerate() {
            let t = t.unwrap_or_default();
            periods.push(t.trim().parse().with_context(|| format!("{}: period `{t}` is not a whole number", at(i)))?);
        }
        Ok(())
    };
    match array.data_type() {
        DataType::Int16 => periods.extend(array.as_primitive::<Int16Type>().values().iter().map(|&v| i64::from(v))),
        DataType::Int32 => periods.extend(array.as_primitive::<Int32Type>().values().iter().map(|&v| i64::from(v))),
        DataType::Int64 => periods.extend_from_slice(array.as_primitive::<Int64Type>().values()),
        DataType::UInt16 => periods.extend(array.as_primitive::<UInt16Type>().values().iter().map(|&v| i64::from(v))),
        DataType::UInt32 => periods.extend(array.as_primitive::<UInt32Type>().values().iter().map(|&v| i64::from(v))),
        DataType::Utf8 => text(&mut array.as_string::<i32>().iter())?,
        DataType::LargeUtf8 => text(&mut array.as_string::<i64>().iter())?,
        other => bail!("{}: the period column is {other}, not whole numbers", at(0)),
    }
    Ok(())
}

/// The id column's cells: text or integers, no nulls.
fn push_ids(array: &ArrayRef, ids: &mut Ids, at: impl Fn(usize) -> String) -> anyhow::Result<()> {
    if array.null_count() > 0 {
        let i = (0..array.len()).find(|&i| array.is_null(i)).unwrap_or(0);
        bail!("{}: the id is missing", at(i));
    }
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().flatten().for_each(|s| ids.push(s.as_bytes())),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().flatten().for_each(|s| ids.push(s.as_bytes())),
        DataType::Utf8View => array.as_string_view().iter().flatten().for_each(|s| ids.push(s.as_bytes())),
        DataType::Int32 => {
            array.as_primitive::<Int32Type>().values().iter().for_each(|v| ids.push(v.to_string().as_bytes()))
        }
        DataType::Int64 => {
            array.as_primitive::<Int64Type>().values().iter().for_each(|v| ids.push(v.to_string().as_bytes()))
        }
        other => bail!("{}: the id column is {other}, not text or integers", at(0)),
    }
    Ok(())
}

/// A criterion column's cells into `cells` as f64: floats or integers, finite, no nulls.
/// `array`'s numbers into `cells`; a null is NaN where `missing` allows it (a streamed run that
/// imputes), else an error, as is any other value that is not a finite number.
fn copy_numbers(
    array: &ArrayRef,
    cells: &mut [f64],
    missing: bool,
    at: impl Fn(usize) -> String,
) -> anyhow::Result<()> {
    if array.null_count() > 0 && !missing {
        let i = (0..array.len()).find(|&i| array.is_null(i)).unwrap_or(0);
        bail!(
            "{}: the value is missing (null); a streamed run fills missing cells only with a unit list (study.units) and impute = group-mean or linear-time",
            at(i)
        );
    }
    fn convert<T: Copy>(cells: &mut [f64], values: &[T], f: impl Fn(T) -> f64) {
        cells.iter_mut().zip(values).for_each(|(c, &v)| *c = f(v));
    }
    match array.data_type() {
        DataType::Float64 => cells.copy_from_slice(array.as_primitive::<Float64Type>().values()),
        DataType::Float32 => convert(cells, array.as_primitive::<Float32Type>().values(), f64::from),
        DataType::Int32 => convert(cells, array.as_primitive::<Int32Type>().values(), f64::from),
        DataType::Int64 => convert(cells, array.as_primitive::<Int64Type>().values(), |v| v as f64),
        DataType::UInt32 => convert(cells, array.as_primitive::<UInt32Type>().values(), f64::from),
        DataType::UInt64 => convert(cells, array.as_primitive::<UInt64Type>().values(), |v| v as f64),
        other => bail!("{}: the column is {other}, not numbers", at(0)),
    }
    if let Some(i) = (0..cells.len()).find(|&i| !cells[i].is_finite() && !array.is_null(i)) {
        bail!("{}: `{}` is not a finite number", at(i), cells[i]);
    }
    if array.null_count() > 0 {
        (0..cells.len()).filter(|&i| array.is_null(i)).for_each(|i| cells[i] = f64::NAN);
    }
    Ok(())
}

/// Writes the scores of `resil score` to `path` as one Parquet file (Snappy) with the columns of
/// its CSV output (`id`, `score`, `rank`, then the method's extras), atomically: into a
/// temporary file beside it, renamed over it at the end.
pub fn write_scores(
    path: &Path,
    ids: &dyn IdSource,
    result: &resil_pipeline::MatrixScore,
    extras: &dyn ExtraColumns,
) -> anyhow::Result<()> {
    let mut fields = vec![Field::new("id", DataType::Utf8, false)];
    let columns = ["score", "rank"].into_iter().chain(extras.names().iter().map(String::as_str));
    fields.extend(columns.map(|name| Field::new(name, DataType::Float64, false)));
    let schema = Arc::new(Schema::new(fields));
    let temp = crate::matrix::temp_beside(path)?;
    // Row groups of 2^20 rows, whatever the blocks' sizes.
    let props =
        WriterProperties::builder().set_compression(Compression::SNAPPY).set_max_row_group_size(1 << 20).build();
    let mut writer = ArrowWriter::try_new(temp.as_file().try_clone()?, schema.clone(), Some(props))?;
    let blocks = extras.blocks();
    for batch in blocks.chunks(rayon::current_num_threads().max(1)) {
        // The extras of a batch of blocks made in parallel, written in order.
        let made = batch.par_iter().map(|b| extras.of(b.clone())).collect::<anyhow::Result<Vec<_>>>()?;
        for (block, extra) in batch.iter().zip(made) {
            let block_ids = ids.range(block.clone())?;
            let mut arrays: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from_iter_values(block_ids.iter())),
                Arc::new(Float64Array::from(result.scores[block.clone()].to_vec())),
                Arc::new(Float64Array::from(result.ranks[block.clone()].to_vec())),
            ];
            arrays.extend(extra.into_iter().map(|v| Arc::new(Float64Array::from(v)) as ArrayRef));
            writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
        }
    }
    writer.close()?;
    temp.persist(path).with_context(|| path.display().to_string())?;
    Ok(())
}

/// A streamed matrix's extras, remade row group by row group from the fitted stages as the
/// output is written (each row group decoded once more: a pass over the file instead of holding
/// the extras for every row).
pub struct StreamedExtras<'a> {
    disk: &'a OnDisk,
    fitted: &'a resil_pipeline::ChunkedFitted,
}

impl<'a> StreamedExtras<'a> {
    pub fn new(disk: &'a OnDisk, fitted: &'a resil_pipeline::ChunkedFitted) -> Self {
        StreamedExtras { disk, fitted }
    }
}

impl ExtraColumns for StreamedExtras<'_> {
    fn names(&self) -> &[String] {
        self.fitted.extra_names()
    }

    fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        self.disk.blocks()
    }

    fn of(&self, block: std::ops::Range<usize>) -> anyhow::Result<Vec<Vec<f64>>> {
        let k = self.disk.starts.binary_search(&block.start).map_err(|_| anyhow::anyhow!("not a row group's rows"))?;
        let mut extras = Vec::new();
        self.disk.with_chunk(k, &mut |chunk, _| {
            extras = self.fitted.apply(chunk)?.value.extras.into_iter().map(|(_, v)| v).collect();
            Ok(())
        })?;
        Ok(extras)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    /// A Parquet file of `batches` (each its own row group) with columns id (text), a (f64) and
    /// b (i64, nullable).
    /// One row group: ids, column a, column b.
    type Group<'a> = (Vec<&'a str>, Vec<f64>, Vec<Option<i64>>);

    /// A row group with owned ids.
    type OwnedGroup = (Vec<String>, Vec<f64>, Vec<Option<i64>>);

    fn parquet_file(dir: &Path, name: &str, batches: &[Group<'_>]) -> PathBuf {
        let path = dir.join(name);
        let mut writer = ArrowWriter::try_new(File::create(&path).unwrap(), group_schema(), None).unwrap();
        for group in batches {
            writer.write(&record_batch(group)).unwrap();
            writer.flush().unwrap();
        }
        writer.close().unwrap();
        path
    }

    /// The same columns as [`parquet_file`] as an Arrow IPC file, a record batch per group.
    fn ipc_file(dir: &Path, name: &str, batches: &[Group<'_>]) -> PathBuf {
        let path = dir.join(name);
        let mut writer = arrow_ipc::writer::FileWriter::try_new(File::create(&path).unwrap(), &group_schema()).unwrap();
        for group in batches {
            writer.write(&record_batch(group)).unwrap();
        }
        writer.finish().unwrap();
        path
    }

    /// id (text), a (f64), b (i64, nullable).
    fn group_schema() -> Arc<Schema> {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("a", DataType::Float64, false),
            Field::new("b", DataType::Int64, true),
        ]))
    }

    fn record_batch((ids, a, b): &Group<'_>) -> RecordBatch {
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(ids.clone())),
            Arc::new(Float64Array::from(a.clone())),
            Arc::new(Int64Array::from(b.clone())),
        ];
        RecordBatch::try_new(group_schema(), arrays).unwrap()
    }

    #[test]
    fn row_groups_become_row_blocks_and_folders_read_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let first =
            vec![(vec!["u1", "u2"], vec![1.5, 2.5], vec![Some(3), Some(4)]), (vec!["u3"], vec![-1.0], vec![Some(7)])];
        let file = parquet_file(dir.path(), "b.parquet", &first);
        let (ids, names, blocks) = read(&file).unwrap();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec!["u1", "u2", "u3"]);
        assert_eq!(blocks.count(), 2, "one block per row group");
        let m = blocks.into_matrix();
        assert_eq!((m.column(0).to_vec(), m.column(1).to_vec()), (vec![1.5, 2.5, -1.0], vec![3.0, 4.0, 7.0]));
        parquet_file(dir.path(), "a.parquet", &[(vec!["u0"], vec![0.5], vec![Some(1)])]);
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        let (ids, _, blocks) = read(dir.path()).unwrap();
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec!["u0", "u1", "u2", "u3"]);
        assert_eq!(blocks.into_matrix().column(0).to_vec(), vec![0.5, 1.5, 2.5, -1.0]);
    }

    #[test]
    fn errors_name_the_file_row_group_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let batches = vec![
            (vec!["u1", "u2"], vec![1.0, 2.0], vec![Some(3), Some(4)]),
            (vec!["u3", "u4"], vec![1.0, 2.0], vec![Some(1), None]),
        ];
        let file = parquet_file(dir.path(), "nulls.parquet", &batches);
        let err = read(&file).unwrap_err().to_string();
        assert!(err.contains("nulls.parquet, row group 1, row 4, column `b`: the value is missing (null)"), "{err}");
        let file =
            parquet_file(dir.path(), "nan.parquet", &[(vec!["u1", "u2"], vec![1.0, f64::NAN], vec![Some(1), Some(2)])]);
        let err = read(&file).unwrap_err().to_string();
        assert!(err.contains("nan.parquet, row group 0, row 2, column `a`: `NaN` is not a finite number"), "{err}");
        // A text criterion, a folder whose files disagree, a file that is not Parquet.
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("a", DataType::Utf8, false),
        ]));
        let text = dir.path().join("text.parquet");
        let mut writer = ArrowWriter::try_new(File::create(&text).unwrap(), schema.clone(), None).unwrap();
        let arrays: Vec<ArrayRef> =
            vec![Arc::new(StringArray::from(vec!["u"])), Arc::new(StringArray::from(vec!["x"]))];
        writer.write(&RecordBatch::try_new(schema, arrays).unwrap()).unwrap();
        writer.close().unwrap();
        let err = read(&text).unwrap_err().to_string();
        assert!(err.contains("text.parquet, row group 0, row 1, column `a`: the column is Utf8, not numbers"), "{err}");
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("columns id, a differ from those of"), "{err}");
        let bogus = dir.path().join("bogus.parquet");
        std::fs::write(&bogus, "id,a\nu,1\n").unwrap();
        assert!(read(&bogus).unwrap_err().to_string().contains("bogus.parquet: not a readable Parquet file"));
    }

    #[test]
    fn streamed_row_groups_score_the_same_bits_as_the_matrix_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut groups: Vec<OwnedGroup> = Vec::new();
        for g in 0..5u64 {
            let rows = 3 + g as usize * 7;
            let ids = (0..rows).map(|i| format!("g{g}r{i}")).collect();
            let a = (0..rows as u64).map(|i| ((i * 7919 + g * 104_729) % 1000) as f64 / 10.0 + 1.0).collect();
            let b = (0..rows as i64).map(|i| Some((i * 31 + g as i64 * 17) % 97 + 1)).collect();
            groups.push((ids, a, b));
        }
        let as_str: Vec<Group<'_>> =
            groups.iter().map(|(ids, a, b)| (ids.iter().map(String::as_str).collect(), a.clone(), b.clone())).collect();
        let file = parquet_file(dir.path(), "m.parquet", &as_str);
        let system = resil_pipeline::criteria(
            &["a".into(), "b".into()],
            &[resil_core::Polarity::Benefit, resil_core::Polarity::Cost],
        );
        let stage = |name: &str| resil_pipeline::pooled_stage(name, toml::Table::new());
        let stages = resil_pipeline::ScoreStages {
            normalize: vec![stage("minmax")],
            weight: stage("entropy"),
            rank: stage("topsis"),
        };
        let (ids, _, mut blocks) = read(&file).unwrap();
        let held = resil_pipeline::score_chunked(&mut blocks, &system, &stages).unwrap().unwrap();
        let (_, mut on_disk) = open_on_disk(&file).unwrap();
        let streamed_ids = on_disk.range(0..on_disk.rows()).unwrap();
        assert_eq!(streamed_ids.iter().collect::<Vec<_>>(), ids.iter().collect::<Vec<_>>());
        // Ranges across row groups read back the same ids.
        let middle = on_disk.range(5..40).unwrap();
        assert_eq!(middle.iter().collect::<Vec<_>>(), ids.iter().skip(5).take(35).collect::<Vec<_>>());
        let streamed = resil_pipeline::score_chunked(&mut on_disk, &system, &stages).unwrap().unwrap();
        assert_eq!(streamed.scores, held.scores);
        assert_eq!((streamed.weights, streamed.ranks), (held.weights, held.ranks));
        // Through the command line: streamed, the distances are remade row group by row group as
        // they are written, and every output format gives the held output's bytes.
        let resil = |extra: &[&str], out: &Path| {
            let mut argv: Vec<String> =
                ["resil", "score", file.to_str().unwrap(), "--polarity=+,-", "--out", out.to_str().unwrap()]
                    .iter()
                    .map(|a| a.to_string())
                    .collect();
            argv.extend(extra.iter().map(|a| a.to_string()));
            let (mut o, mut e) = (Vec::new(), Vec::new());
            assert_eq!(crate::main_with(&argv, &mut o, &mut e), 0, "{}", String::from_utf8_lossy(&e));
            std::fs::read(out).unwrap()
        };
        for format in ["csv", "json", "parquet"] {
            let held = resil(&["--format", format], &dir.path().join(format!("held.{format}")));
            let streamed = resil(&["--format", format, "--stream"], &dir.path().join(format!("streamed.{format}")));
            assert_eq!(held, streamed, "{format}");
            if format == "csv" {
                let text = String::from_utf8(held).unwrap();
                assert!(text.starts_with("id,score,rank,d_plus,d_minus\n"), "{text}");
                assert_eq!(text.lines().count(), 1 + ids.rows());
            }
        }
        // A bad cell met while streaming is named like one met reading the whole file.
        let mut bad = as_str.clone();
        bad[3].1[2] = f64::INFINITY;
        let file = parquet_file(dir.path(), "bad.parquet", &bad);
        let (_, mut on_disk) = open_on_disk(&file).unwrap();
        let err = resil_pipeline::score_chunked(&mut on_disk, &system, &stages).unwrap_err().to_string();
        let first_row = 1 + as_str[..3].iter().map(|g| g.0.len()).sum::<usize>() + 2;
        assert!(
            err.contains(&format!(
                "bad.parquet, row group 3, row {first_row}, column `a`: `inf` is not a finite number"
            )),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_id_is_named_by_file_row_group_and_row() {
        let dir = tempfile::tempdir().unwrap();
        // u2 again in the second row group, then u1 again: u2's is the first repeat.
        let groups: Vec<Group<'_>> = vec![
            (vec!["u1", "u2"], vec![1.5, 2.5], vec![Some(3), Some(4)]),
            (vec!["u3", "u2", "u1"], vec![-1.0, 0.0, 1.0], vec![Some(7), Some(8), Some(9)]),
        ];
        let file = parquet_file(dir.path(), "m.parquet", &groups);
        let at = |group: usize, row: usize| format!("{}, row group {group}, row {row}", file.display());
        assert_eq!(row_places(&file, &[1, 3, 4]).unwrap(), vec![at(0, 2), at(1, 4), at(1, 5)]);
        let want = format!("{}: duplicate id `u2` (first at {})", at(1, 4), at(0, 2));
        let streamed = open_on_disk(&file).err().expect("a repeated id").to_string();
        assert_eq!(streamed, want);
        let score = |path: &Path, extra: &[&str]| {
            let mut argv: Vec<String> = vec!["resil".into(), "score".into(), path.to_str().unwrap().into()];
            argv.extend(extra.iter().map(|a| a.to_string()));
            let (mut o, mut e) = (Vec::new(), Vec::new());
            assert_eq!(crate::main_with(&argv, &mut o, &mut e), 1);
            String::from_utf8(e).unwrap()
        };
        for extra in [&[][..], &["--stream"]] {
            assert!(score(&file, extra).contains(&want), "{extra:?}: {}", score(&file, extra));
        }
        // The same rows as an Arrow IPC file: named by record batch.
        let ipc = ipc_file(dir.path(), "m.arrow", &groups);
        let batch = |b: usize, row: usize| format!("{}, record batch {b}, row {row}", ipc.display());
        assert!(score(&ipc, &[]).contains(&format!("{}: duplicate id `u2` (first at {})", batch(1, 4), batch(0, 2))));
        // A blank id (before any repeat) is named at its place, held or streamed.
        let blank: Vec<Group<'_>> = vec![
            (vec!["u1", "u2"], vec![1.5, 2.5], vec![Some(3), Some(4)]),
            (vec!["u3", " ", "u1"], vec![-1.0, 0.0, 1.0], vec![Some(7), Some(8), Some(9)]),
        ];
        let file = parquet_file(dir.path(), "blank.parquet", &blank);
        let at = |group: usize, row: usize| format!("{}, row group {group}, row {row}", file.display());
        let want = format!("{}: empty id; every alternative needs one", at(1, 4));
        for extra in [&[][..], &["--stream"]] {
            assert!(score(&file, extra).contains(&want), "{extra:?}: {}", score(&file, extra));
        }
        // Two criteria of one name: refused with the columns, as for CSV (without a line).
        let twice = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("a", DataType::Float64, false),
            Field::new("a", DataType::Float64, false),
        ]));
        let named_twice = dir.path().join("twice.parquet");
        let mut writer = ArrowWriter::try_new(File::create(&named_twice).unwrap(), twice.clone(), None).unwrap();
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["u1", "u2"])),
            Arc::new(Float64Array::from(vec![1.0, 2.0])),
            Arc::new(Float64Array::from(vec![3.0, 4.0])),
        ];
        writer.write(&RecordBatch::try_new(twice, arrays).unwrap()).unwrap();
        writer.close().unwrap();
        let want = format!("{}: column `a` appears 2 times (columns 2, 3)", named_twice.display());
        for extra in [&[][..], &["--stream"]] {
            assert!(score(&named_twice, extra).contains(&want), "{extra:?}: {}", score(&named_twice, extra));
        }
    }

    #[test]
    fn an_arrow_ipc_file_reads_like_the_parquet_file() {
        let dir = tempfile::tempdir().unwrap();
        let groups: Vec<Group<'_>> =
            vec![(vec!["u1", "u2"], vec![1.5, 2.5], vec![Some(3), Some(4)]), (vec!["u3"], vec![-1.0], vec![Some(7)])];
        let (ids, names, blocks) = read(&parquet_file(dir.path(), "m.parquet", &groups)).unwrap();
        let path = ipc_file(dir.path(), "m.arrow", &groups);
        assert!(is_arrow_ipc(&path));
        let (ipc_ids, ipc_names, ipc_blocks) = read_ipc(&path).unwrap();
        assert_eq!((ipc_ids.iter().collect::<Vec<_>>(), ipc_names), (ids.iter().collect::<Vec<_>>(), names));
        assert_eq!(ipc_blocks.count(), 2, "one block per record batch");
        assert_eq!(ipc_blocks.into_matrix(), blocks.into_matrix());
        // A missing cell in the second batch, decoded on its own core without the row numbers
        // before it, is named at its row of the whole file.
        let missing: Vec<Group<'_>> = vec![
            (vec!["u1", "u2"], vec![1.5, 2.5], vec![Some(3), Some(4)]),
            (vec!["u3", "u4", "u5"], vec![-1.0, 0.0, 1.0], vec![Some(7), None, Some(9)]),
        ];
        let gap = ipc_file(dir.path(), "gap.arrow", &missing);
        let err = format!("{:#}", read_ipc(&gap).unwrap_err());
        assert!(err.contains(&format!("{}, record batch 1, row 4", gap.display())), "{err}");
        std::fs::write(&path, "id,a\nu,1\n").unwrap();
        assert!(read_ipc(&path).unwrap_err().to_string().contains("m.arrow: not a readable Arrow IPC file"));
    }

    #[test]
    fn scores_are_written_with_the_columns_of_the_csv_output() {
        let dir = tempfile::tempdir().unwrap();
        let ids = Ids::from(vec!["x".to_string(), "y, z".to_string()]);
        let result = resil_pipeline::MatrixScore {
            weights: vec![1.0],
            scores: vec![0.25, 0.75],
            ranks: vec![2.0, 1.0],
            direction: resil_core::Direction::HigherIsBetter,
            extras: vec![("S".into(), vec![1.0, 2.0])],
            notes: Vec::new(),
        };
        let path = dir.path().join("scores.parquet");
        write_scores(&path, &ids, &result, &crate::matrix::HeldExtras::of(&result)).unwrap();
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        let b = &batches[0];
        let names: Vec<&str> = b.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, vec!["id", "score", "rank", "S"]);
        assert_eq!(b.column(0).as_string::<i32>().value(1), "y, z");
        assert_eq!(b.column(1).as_primitive::<Float64Type>().values().to_vec(), vec![0.25, 0.75]);
        assert_eq!(b.column(2).as_primitive::<Float64Type>().values().to_vec(), vec![2.0, 1.0]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
