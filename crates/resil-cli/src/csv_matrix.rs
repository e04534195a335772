//! A decision-matrix CSV read at memory speed, in one pass: blocks of the file are cut into
//! parts of whole lines, parsed on every core with a dedicated float parser straight into
//! indicator-major row blocks (no string per cell), holding one block of the file at a time.
//! The row blocks are the chunks the chunked fit folds. One numeric column (for `resil
//! classify`) is read through one small buffer instead. Files with quoted cells go through the
//! csv crate.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Context};
use rayon::prelude::*;
use resil_core::Matrix;
use resil_indicators::{csv_error, CsvLines};
use resil_pipeline::RowBlocks;

/// Bytes of the file held at a time.
const BLOCK: usize = 16 << 20;
/// Bytes of text parsed into one row block (about 2 000 rows of 30 numbers).
const PART: usize = 1 << 20;
/// Bytes of the file the column reader holds at a time, in one buffer used again and again (a
/// fresh buffer for the whole file cost more in page faults than the parse itself).
const COLUMN_CHUNK: usize = 1 << 18;

/// The alternatives' ids, packed: one buffer and where each id ends.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Ids {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        std::str::from_utf8(self.bytes_of(i)).unwrap_or("?")
    }

    fn bytes_of(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The first row whose id is empty or blank (whitespace only).
    pub fn first_blank(&self) -> Option<usize> {
        // An id starting with a byte other than an ASCII space, tab or line end cannot be blank
        // (a multi-byte blank starts with a byte >= 0x80): one byte read for almost every id.
        let blank = |i: usize| {
            let bytes = self.bytes_of(i);
            bytes.first().is_none_or(|b| b.is_ascii_whitespace() || *b >= 0x80) && self.get(i).trim().is_empty()
        };
        (0..self.len()).into_par_iter().find_first(|&i| blank(i))
    }

    /// The first row whose id an earlier row has, with the first row that has it: `(first,
    /// again)`; None when every id differs.
    pub fn first_repeat(&self) -> Option<(usize, usize)> {
        let hash = |i: usize| crate::repeats::stable_hash(&self.bytes_of(i));
        let twice = crate::repeats::repeated((0..self.len()).into_par_iter().map(hash).collect());
        if twice.is_empty() {
            return None;
        }
        let candidates: Vec<(usize, &[u8])> = (0..self.len())
            .into_par_iter()
            .filter(|&i| twice.binary_search(&hash(i)).is_ok())
            .map(|i| (i, self.bytes_of(i)))
            .collect();
        crate::repeats::first_repeat(candidates)
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    pub(crate) fn push(&mut self, id: &[u8]) {
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len());
    }

    pub(crate) fn append(&mut self, other: Ids) {
        let base = self.bytes.len();
        self.bytes.extend(other.bytes);
        self.ends.extend(other.ends.into_iter().map(|e| e + base));
    }
}

/// Where the output's ids come from, by range of rows: held in memory, or read back from the
/// input when written (`resil score --stream`), so that a streamed run never holds them all.
pub trait IdSource: Sync {
    fn rows(&self) -> usize;
    /// The ids of rows `range`.
    fn range(&self, range: Range<usize>) -> anyhow::Result<IdRange<'_>>;
}

/// The ids of a range of rows: a view of held ids, or ids read for the range alone.
#[derive(Debug)]
pub struct IdRange<'a> {
    ids: std::borrow::Cow<'a, Ids>,
    /// Where the range starts in `ids`, and its length.
    first: usize,
    len: usize,
}

impl IdRange<'_> {
    /// Ids read for this range alone.
    #[cfg(feature = "parquet")]
    pub(crate) fn owned(ids: Ids) -> IdRange<'static> {
        let len = ids.len();
        IdRange { ids: std::borrow::Cow::Owned(ids), first: 0, len }
    }

    /// The id of the range's row `i` (0 = its first).
    pub fn get(&self, i: usize) -> &str {
        self.ids.get(self.first + i)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len).map(|i| self.get(i))
    }
}

impl IdSource for Ids {
    fn rows(&self) -> usize {
        self.len()
    }

    fn range(&self, range: Range<usize>) -> anyhow::Result<IdRange<'_>> {
        Ok(IdRange { ids: std::borrow::Cow::Borrowed(self), first: range.start, len: range.len() })
    }
}

impl From<Vec<String>> for Ids {
    fn from(list: Vec<String>) -> Self {
        let mut ids = Ids::default();
        list.iter().for_each(|s| ids.push(s.as_bytes()));
        ids
    }
}

/// Reads `path`: (ids, criteria names, the matrix as row blocks). Blank lines are skipped;
/// every other line needs an id and one finite number per criterion.
pub fn read(path: &Path) -> anyhow::Result<(Ids, Vec<String>, RowBlocks)> {
    read_in(path, BLOCK, PART)
}

/// [`read`] with `block` bytes of the file held at a time, parsed in parts of `part` bytes.
fn read_in(path: &Path, block: usize, part: usize) -> anyhow::Result<(Ids, Vec<String>, RowBlocks)> {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).with_context(|| path.display().to_string())?);
    let mut header = String::new();
    reader.read_line(&mut header).with_context(|| format!("{}, line 1", path.display()))?;
    if header.contains('"') {
        return read_quoted(path);
    }
    let names: Vec<String> =
        header.trim_end_matches(['\r', '\n']).split(',').skip(1).map(|s| s.trim().to_string()).collect();
    if names.is_empty() {
        bail!("{}, line 1: need an id column and at least one criterion", path.display());
    }
    let (mut ids, mut blocks) = (Ids::default(), RowBlocks::default());
    let parse = |bytes: &[u8], first_line: usize, rows: usize| parse_part(bytes, first_line, rows, &names, path);
    let quoted = !parse_parts(&mut reader, path, block, part, parse, |(part_ids, matrix)| {
        ids.append(part_ids);
        blocks.push(matrix);
    })?;
    if quoted {
        return read_quoted(path);
    }
    if ids.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    Ok((ids, names, blocks))
}

/// Parses the lines after the header, block by block: each block is cut into parts of about
/// `part` bytes of whole lines, parsed on every core by `parse(bytes, first line number, rows)`
/// (rows: the part's non-blank lines), and
/// the parsed parts go to `sink` in file order. Returns false, and stops, at the first block that
/// holds a quote: such files go through the csv crate instead.
fn parse_parts<T: Send>(
    reader: &mut (impl Read + Send),
    path: &Path,
    block: usize,
    part: usize,
    parse: impl Fn(&[u8], usize, usize) -> anyhow::Result<T> + Sync,
    mut sink: impl FnMut(T),
) -> anyhow::Result<bool> {
    let mut line = 2;
    let mut quoted = false;
    for_each_block(reader, path, block, |block| {
        if quoted {
            return Ok(());
        }
        // Parts of a fixed size (not one per core), so the chunks, and with them the rounding
        // of merged statistics, do not depend on the thread count.
        let parts = split_lines(block, block.len().div_ceil(part));
        let scanned: Vec<PartScan> = parts.par_iter().map(|r| scan_part(&block[r.clone()])).collect();
        if scanned.iter().any(|s| s.quoted) {
            quoted = true;
            return Ok(());
        }
        let firsts: Vec<usize> = scanned
            .iter()
            .scan(line, |next, s| {
                let first = *next;
                *next += s.lines;
                Some(first)
            })
            .collect();
        line += scanned.iter().map(|s| s.lines).sum::<usize>();
        let parsed: Vec<anyhow::Result<T>> = parts
            .par_iter()
            .zip(&firsts)
            .zip(&scanned)
            .map(|((range, &first), s)| parse(&block[range.clone()], first, s.rows))
            .collect();
        for part in parsed {
            sink(part?);
        }
        Ok(())
    })?;
    Ok(!quoted)
}

/// Calls `f` with consecutive blocks of whole lines (the last may lack its newline), of about
/// `block` bytes (more when one line is longer). A second thread reads the next block while `f`
/// works on this one; two buffers go back and forth.
fn for_each_block(
    reader: &mut (impl Read + Send),
    path: &Path,
    block: usize,
    mut f: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (full_tx, full) = std::sync::mpsc::sync_channel::<anyhow::Result<Vec<u8>>>(1);
    let (empty_tx, empty) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut carry: Vec<u8> = Vec::new();
            let mut size = block;
            loop {
                let mut buf = empty.try_recv().unwrap_or_default();
                buf.clear();
                buf.append(&mut carry);
                let read = fill(reader, &mut buf, size).with_context(|| format!("{}: reading", path.display()));
                let end_of_file = match read {
                    Ok(eof) => eof,
                    Err(e) => {
                        let _ = full_tx.send(Err(e));
                        return;
                    }
                };
                let cut = match memchr::memrchr(b'\n', &buf) {
                    _ if end_of_file => buf.len(),
                    Some(p) => p + 1,
                    None => {
                        // One line longer than the block: read on into a larger one.
                        carry = buf;
                        size *= 2;
                        continue;
                    }
                };
                carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                if full_tx.send(Ok(buf)).is_err() || end_of_file {
                    return;
                }
            }
        });
        // `full` is dropped when this closure returns (also on an error), which stops the reader.
        for block in full {
            let block = block?;
            f(&block)?;
            let _ = empty_tx.send(block);
        }
        Ok(())
    })
}

/// Reads into `buf` until it holds `size` bytes or the file ends; true at the end of the file.
/// The buffer grows as bytes arrive (no zeroing ahead), so a small file costs a small buffer.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, size: usize) -> std::io::Result<bool> {
    let want = size.saturating_sub(buf.len()).max(1);
    buf.reserve(want);
    let got = reader.take(want as u64).read_to_end(buf)?;
    Ok(got < want)
}

/// What one scan of a part finds before it is parsed.
struct PartScan {
    /// Lines (a last line without newline counts), for the next part's first line number.
    lines: usize,
    /// Non-blank lines: the rows the parse will fill.
    rows: usize,
    /// Whether a quote occurs (then the counts stop there: such files go to the csv crate).
    quoted: bool,
}

/// Lines, rows and quotes of `bytes`, in one scan.
fn scan_part(bytes: &[u8]) -> PartScan {
    let (mut lines, mut rows, mut start) = (0, 0, 0);
    for at in memchr::memchr2_iter(b'\n', b'"', bytes) {
        if bytes[at] == b'"' {
            return PartScan { lines, rows, quoted: true };
        }
        lines += 1;
        rows += usize::from(!is_blank(&bytes[start..at]));
        start = at + 1;
    }
    let last = start < bytes.len();
    PartScan {
        lines: lines + usize::from(last),
        rows: rows + usize::from(last && !is_blank(&bytes[start..])),
        quoted: false,
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.is_empty() || line == b"\r"
}

/// `bytes` cut into about `parts` ranges of whole lines.
fn split_lines(bytes: &[u8], parts: usize) -> Vec<Range<usize>> {
    let mut bounds = vec![0];
    for t in 1..parts {
        let guess = bytes.len() * t / parts;
        let cut = memchr::memchr(b'\n', &bytes[guess..]).map_or(bytes.len(), |p| guess + p + 1);
        if cut > *bounds.last().unwrap() && cut < bytes.len() {
            bounds.push(cut);
        }
    }
    bounds.push(bytes.len());
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Parses the rows of `bytes` (whole lines, the first being line `first_line` of the file)
/// into a block of the matrix, with the rows' ids. A cursor walks each line once: the id up to
/// the first comma, then each number parsed in place (`parse_partial`) and its delimiter checked.
fn parse_part(
    bytes: &[u8],
    first_line: usize,
    rows: usize,
    names: &[String],
    path: &Path,
) -> anyhow::Result<(Ids, Matrix)> {
    let mut matrix = Matrix::filled(rows, names.len(), 0.0);
    let mut columns: Vec<&mut [f64]> = matrix.columns_mut().collect();
    let mut ids = Ids::default();
    let (mut row, mut line, mut at) = (0, first_line, 0);
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
        let text = &bytes[at..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !text.is_empty() {
            parse_line(text, line, names, &mut columns, row, &mut ids, path)?;
            row += 1;
        }
        at = end + 1;
        line += 1;
    }
    Ok((ids, matrix))
}

/// One non-blank line: its id into `ids`, its numbers into row `row` of `columns`.
fn parse_line(
    text: &[u8],
    line: usize,
    names: &[String],
    columns: &mut [&mut [f64]],
    row: usize,
    ids: &mut Ids,
    path: &Path,
) -> anyhow::Result<()> {
    let id_end = memchr::memchr(b',', text).unwrap_or(text.len());
    ids.push(&text[..id_end]);
    let mut at = id_end;
    for (name, column) in names.iter().zip(columns.iter_mut()) {
        // `at` is on the comma before this cell, or on the line's end: a missing cell.
        match (at < text.len()).then(|| parse_cell(text, at + 1)).flatten() {
            Some((v, after)) => {
                column[row] = v;
                at = after;
            }
            None => return Err(not_a_number(path, line, name, text, at + 1)),
        }
    }
    if at < text.len() {
        bail!("{}, line {line}: more cells than the header has", path.display());
    }
    Ok(())
}

/// The finite number in the cell of `text` that starts at byte `start`, with blanks around it,
/// and where the cell ends (the line's end or a comma); None when the cell holds anything else.
/// The number is parsed in place; only an error looks for the cell's end.
fn parse_cell(text: &[u8], start: usize) -> Option<(f64, usize)> {
    let (v, after) = number_and_blanks(text, start)?;
    (after == text.len() || text[after] == b',').then_some((v, after))
}

/// The finite number at `start` of `bytes` after any blanks, and where the blanks after it end;
/// None when no finite number starts there.
fn number_and_blanks(bytes: &[u8], start: usize) -> Option<(f64, usize)> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let mut start = start.min(bytes.len());
    while start < bytes.len() && blank(&bytes[start]) {
        start += 1;
    }
    let (v, used) = fast_float2::parse_partial::<f64, _>(&bytes[start..]).ok()?;
    let mut after = start + used;
    while after < bytes.len() && blank(&bytes[after]) {
        after += 1;
    }
    v.is_finite().then_some((v, after))
}

/// The error for the cell of `text` that starts at byte `start`.
fn not_a_number(path: &Path, line: usize, name: &str, text: &[u8], start: usize) -> anyhow::Error {
    let from = start.min(text.len());
    let end = memchr::memchr(b',', &text[from..]).map_or(text.len(), |p| from + p);
    anyhow::anyhow!(
        "{}, line {line}, column `{name}`: `{}` is not a finite number",
        path.display(),
        String::from_utf8_lossy(text[from..end].trim_ascii())
    )
}

/// The line of `path` on which each of `rows` is: data rows from 0, as [`read`] numbers them
/// (the lines after the header that are not blank). A file with a quote is read as the csv crate
/// reads it, quoted line breaks included.
pub fn lines_of_rows(path: &Path, rows: &[usize]) -> anyhow::Result<Vec<u64>> {
    let reading = || format!("{}: reading", path.display());
    let mut reader = BufReader::new(File::open(path).with_context(|| path.display().to_string())?);
    let mut lines = vec![0; rows.len()];
    let (mut text, mut line, mut row) = (Vec::new(), 0u64, 0usize);
    loop {
        text.clear();
        if reader.read_until(b'\n', &mut text).with_context(reading)? == 0 {
            return Ok(lines);
        }
        if memchr::memchr(b'"', &text).is_some() {
            return quoted_lines_of_rows(path, rows);
        }
        line += 1;
        let bare = text.strip_suffix(b"\n").unwrap_or(&text);
        if line == 1 || is_blank(bare) {
            continue;
        }
        rows.iter().zip(&mut lines).filter(|(&r, _)| r == row).for_each(|(_, at)| *at = line);
        row += 1;
    }
}

/// [`lines_of_rows`] through the csv crate, as [`read_quoted`] reads.
fn quoted_lines_of_rows(path: &Path, rows: &[usize]) -> anyhow::Result<Vec<u64>> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut found = vec![0; rows.len()];
    let mut record = csv::ByteRecord::new();
    let mut row = 0;
    while reader.read_byte_record(&mut record).map_err(|e| csv_error(path, e, &mut lines))? {
        let line = lines.line(record.position());
        rows.iter().zip(&mut found).filter(|(&r, _)| r == row).for_each(|(_, at)| *at = line);
        row += 1;
    }
    Ok(found)
}

/// Reads column `column` (0-based) of `path`, a CSV with a header row, as numbers: every
/// non-blank line needs a finite number there; the other cells are skipped unparsed.
pub fn read_column(path: &Path, column: usize) -> anyhow::Result<Vec<f64>> {
    read_column_in(path, column, COLUMN_CHUNK, rayon::current_num_threads())
}

/// [`read_column`] in at most `pieces` pieces of the file, one per core, each read through its
/// own buffer of `chunk` bytes (more when one line is longer) and parsed on its own: no
/// hand-offs while they run, and nothing held but the numbers. The numbers, and the first bad
/// cell in file order, are the same however many pieces there are.
fn read_column_in(path: &Path, column: usize, chunk: usize, pieces: usize) -> anyhow::Result<Vec<f64>> {
    let file = File::open(path).with_context(|| path.display().to_string())?;
    let size = file.metadata().with_context(|| path.display().to_string())?.len();
    let reading = |e: std::io::Error| anyhow::Error::new(e).context(format!("{}: reading", path.display()));
    let header_end = line_end_from(&file, 0, size).map_err(reading)?;
    let mut header = vec![0; header_end as usize];
    read_at(&file, &mut header, 0).map_err(reading)?;
    let header = String::from_utf8_lossy(&header).into_owned();
    let name = header.trim_end_matches(['\r', '\n']).split(',').nth(column).map(str::trim);
    let Some(name) = name.filter(|_| !header.contains('"')) else {
        return read_column_quoted(path, column);
    };
    // Pieces of at least a few chunks, each starting after a newline.
    let body = size - header_end;
    let pieces = pieces.min((body / (4 * chunk as u64)) as usize).max(1);
    let mut bounds = vec![header_end];
    for p in 1..pieces {
        let nominal = header_end + body * p as u64 / pieces as u64;
        let at = line_end_from(&file, nominal.max(1) - 1, size).map_err(reading)?;
        bounds.push(at.max(bounds[p - 1]));
    }
    bounds.push(size);
    let parsed: Vec<std::io::Result<Piece>> =
        bounds.par_windows(2).map(|b| read_piece(&file, b[0]..b[1], column, chunk)).collect();
    let mut values = Vec::new();
    let mut line = 2;
    for piece in parsed {
        match piece.map_err(reading)? {
            Piece::Quoted => return read_column_quoted(path, column),
            Piece::Bad { line: within, text } => {
                let start = column_cell(&text, column).unwrap_or(text.len());
                return Err(not_a_number(path, line + within, name, &text, start));
            }
            Piece::Read { values: more, lines } => {
                if values.is_empty() {
                    values = more;
                } else {
                    values.extend_from_slice(&more);
                }
                line += lines;
            }
        }
    }
    if values.is_empty() {
        bail!("{}: no values", path.display());
    }
    Ok(values)
}

/// What one piece of a column file held.
enum Piece {
    /// Its numbers, and its lines (blank ones too).
    Read { values: Vec<f64>, lines: usize },
    /// The first line without a number in the column: its line in the piece (from 0), and its
    /// text.
    Bad { line: usize, text: Vec<u8> },
    /// A quote: the file goes to the csv reader.
    Quoted,
}

/// Reads and parses the lines in bytes `range` of `file` (which start and end at line starts).
fn read_piece(file: &File, range: Range<u64>, column: usize, chunk: usize) -> std::io::Result<Piece> {
    let mut buf = vec![0; chunk.max(1)];
    let (mut held, mut offset) = (0, range.start);
    // Room for the numbers, as the first lines promise: pages not written are never touched, and
    // longer lines further on grow the vector as usual.
    let mut values = Vec::new();
    let mut lines = 0;
    loop {
        if held == buf.len() {
            // One line longer than the buffer: read on into a larger one.
            buf.resize(2 * buf.len(), 0);
        }
        let want = (buf.len() - held).min((range.end - offset) as usize);
        let got = read_at(file, &mut buf[held..held + want], offset)?;
        offset += got as u64;
        held += got;
        let ended = offset >= range.end || got < want;
        let cut = if ended { held } else { memchr::memrchr(b'\n', &buf[..held]).map_or(0, |p| p + 1) };
        let text = &buf[..cut];
        if memchr::memchr(b'"', text).is_some() {
            return Ok(Piece::Quoted);
        }
        if values.capacity() == 0 {
            let (seen, end) = memchr::memchr_iter(b'\n', text).take(64).fold((0, 0), |(n, _), p| (n + 1, p + 1));
            if let Some(line_bytes) = end.checked_div(seen) {
                // At most 2^27 numbers (1 GB) ahead: short first lines must not promise more.
                let promised = (range.end - range.start) / line_bytes as u64;
                values.reserve((promised as usize + 1024).min(1 << 27));
            }
        }
        match parse_column_part(text, column, &mut values) {
            Ok(more) => lines += more,
            Err(at) => {
                let line = lines + memchr::memchr_iter(b'\n', &text[..at]).count();
                let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
                let bad = &text[at..end];
                return Ok(Piece::Bad { line, text: bad.strip_suffix(b"\r").unwrap_or(bad).to_vec() });
            }
        }
        if ended {
            return Ok(Piece::Read { values, lines });
        }
        buf.copy_within(cut..held, 0);
        held -= cut;
    }
}

/// The offset just past the first newline at or after `from` (or `size`, at the end of the file).
fn line_end_from(file: &File, from: u64, size: u64) -> std::io::Result<u64> {
    let mut window = [0; 4096];
    let mut at = from;
    while at < size {
        let got = read_at(file, &mut window, at)?;
        if got == 0 {
            break;
        }
        if let Some(p) = memchr::memchr(b'\n', &window[..got]) {
            return Ok(at + p as u64 + 1);
        }
        at += got as u64;
    }
    Ok(size)
}

/// Fills as much of `buf` as the file holds from `offset` on; the bytes read. Positioned reads,
/// so that the pieces share one open file.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    use std::os::unix::fs::FileExt;
    #[cfg(windows)]
    use std::os::windows::fs::FileExt;
    let mut got = 0;
    while got < buf.len() {
        #[cfg(unix)]
        let read = file.read_at(&mut buf[got..], offset + got as u64);
        #[cfg(windows)]
        let read = file.seek_read(&mut buf[got..], offset + got as u64);
        match read {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Appends to `values` the numbers in column `column` of the non-blank lines of `bytes`, and
/// counts the lines; or the offset of the first line without a number there.
///
/// Each line is scanned once: to its cell (commas and newlines found with memchr), through the
/// number, and on to the newline only when more cells follow; a last column's newline is the
/// byte after its number.
fn parse_column_part(bytes: &[u8], column: usize, values: &mut Vec<f64>) -> Result<usize, usize> {
    let (mut lines, mut at) = (0, 0);
    while at < bytes.len() {
        let rest = &bytes[at..];
        let next = match column_cell(rest, column) {
            Ok(start) => match parse_cell_to_line_end(rest, start) {
                Some((v, next)) => {
                    values.push(v);
                    next
                }
                None => return Err(at),
            },
            // A blank line is skipped; any other line without the column is an error.
            Err(end) if rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]).is_empty() => end + 1,
            Err(_) => return Err(at),
        };
        at += next;
        lines += 1;
    }
    Ok(lines)
}

/// Where cell `column` of the line that `rest` starts with begins; or, when the line ends before
/// it (or is blank), where the line ends.
fn column_cell(rest: &[u8], column: usize) -> Result<usize, usize> {
    let line_end = |from: usize| memchr::memchr(b'\n', &rest[from..]).map_or(rest.len(), |p| from + p);
    if matches!(rest, [b'\n', ..] | [b'\r'] | [b'\r', b'\n', ..]) {
        return Err(line_end(0));
    }
    let mut start = 0;
    for _ in 0..column {
        match memchr::memchr2(b',', b'\n', &rest[start..]) {
            Some(p) if rest[start + p] == b',' => start += p + 1,
            Some(p) => return Err(start + p),
            None => return Err(rest.len()),
        }
    }
    Ok(start)
}

/// The finite number in the cell at `start` of the line `rest` starts with (blanks around it
/// allowed), and where the next line starts; None when the cell holds anything else.
fn parse_cell_to_line_end(rest: &[u8], start: usize) -> Option<(f64, usize)> {
    let (v, after) = number_and_blanks(rest, start)?;
    match &rest[after..] {
        [] => Some((v, after)),
        [b'\n', ..] => Some((v, after + 1)),
        [b'\r'] => Some((v, after + 1)),
        [b'\r', b'\n', ..] => Some((v, after + 2)),
        [b',', ..] => Some((v, memchr::memchr(b'\n', &rest[after..]).map_or(rest.len(), |p| after + p + 1))),
        _ => None,
    }
}

/// The csv reader's path of [`read_column`], for files with quoted cells.
fn read_column_quoted(path: &Path, column: usize) -> anyhow::Result<Vec<f64>> {
    // In memory, so that each record's line is counted from its bytes (`CsvLines`): the file
    // costs its size once more on this (rare) path.
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let name = match reader.headers().map_err(|e| csv_error(path, e, &mut lines))?.get(column) {
        Some(name) => name.to_string(),
        None => bail!("{}, line 1: no column {}", path.display(), column + 1),
    };
    let mut values = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| csv_error(path, e, &mut lines))? {
        let line = lines.line(record.position());
        let cell = record.get(column).unwrap_or(b"").trim_ascii();
        match fast_float2::parse::<f64, _>(cell) {
            Ok(v) if v.is_finite() => values.push(v),
            _ => bail!(
                "{}, line {line}, column `{name}`: `{}` is not a finite number",
                path.display(),
                String::from_utf8_lossy(cell)
            ),
        }
    }
    if values.is_empty() {
        bail!("{}: no values", path.display());
    }
    Ok(values)
}

/// The csv reader's path, for files with quoted cells.
fn read_quoted(path: &Path) -> anyhow::Result<(Ids, Vec<String>, RowBlocks)> {
    // In memory, as in `read_column_quoted`.
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let mut lines = CsvLines::new(&bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.byte_headers().map_err(|e| csv_error(path, e, &mut lines))?.clone();
    if headers.len() < 2 {
        bail!("{}, line 1: need an id column and at least one criterion", path.display());
    }
    let names: Vec<String> = headers.iter().skip(1).map(|h| String::from_utf8_lossy(h).into_owned()).collect();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut ids = Ids::default();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| csv_error(path, e, &mut lines))? {
        let line = lines.line(record.position());
        ids.push(&record[0]);
        for (j, column) in columns.iter_mut().enumerate() {
            let cell = record.get(j + 1).unwrap_or(b"").trim_ascii();
            match fast_float2::parse::<f64, _>(cell) {
                Ok(v) if v.is_finite() => column.push(v),
                _ => bail!(
                    "{}, line {line}, column `{}`: `{}` is not a finite number",
                    path.display(),
                    names[j],
                    String::from_utf8_lossy(cell)
                ),
            }
        }
    }
    if ids.is_empty() {
        bail!("{}: no alternatives", path.display());
    }
    let mut blocks = RowBlocks::default();
    blocks.push(Matrix::from_columns(columns));
    Ok((ids, names, blocks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::chunked::RowChunks;

    fn write(text: &str) -> tempfile::TempPath {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file.into_temp_path()
    }

    proptest::proptest! {
        /// The one-byte shortcut finds the same first blank id as trimming every id.
        #[test]
        fn the_first_blank_id_is_the_first_that_trims_to_nothing(
            pieces in proptest::collection::vec(proptest::collection::vec(0usize..6, 0..4), 0..40)
        ) {
            // ASCII and non-ASCII blanks, a letter, a non-ASCII letter.
            let alphabet = [" ", "\t", "\u{a0}", "\u{3000}", "x", "é"];
            let mut ids = Ids::default();
            let texts: Vec<String> = pieces.iter().map(|p| p.iter().map(|&c| alphabet[c]).collect()).collect();
            texts.iter().for_each(|t| ids.push(t.as_bytes()));
            proptest::prop_assert_eq!(ids.first_blank(), texts.iter().position(|t| t.trim().is_empty()));
        }
    }

    #[test]
    fn tiny_blocks_and_parts_read_the_same_matrix_as_one_block() {
        // CRLF, blank lines, spaces around numbers, no final newline, one line longer than a block.
        let mut text = String::from("id,a,b\r\n");
        for i in 0..40 {
            text.push_str(&format!("u{i}, {}.5 ,{}\r\n", i, 2 * i));
            if i % 7 == 0 {
                text.push('\n');
            }
        }
        text.push_str("a-very-long-identifier-longer-than-the-block,1e3,-2.25e-1");
        let path = write(&text);
        let (ids, names, blocks) = read_in(&path, 1 << 20, 1 << 20).unwrap();
        let (small_ids, _, small) = read_in(&path, 32, 16).unwrap();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(ids.len(), 41);
        assert_eq!(small_ids.iter().collect::<Vec<_>>(), ids.iter().collect::<Vec<_>>());
        assert_eq!(ids.get(40), "a-very-long-identifier-longer-than-the-block");
        assert!(small.count() > 10, "{} chunks", small.count());
        let (one, many) = (blocks.into_matrix(), small.into_matrix());
        assert_eq!(one, many);
        assert_eq!((one.get(3, 0), one.get(3, 1), one.get(40, 0), one.get(40, 1)), (3.5, 6.0, 1000.0, -0.225));
        // A quoted id on the last line, many parts in: the file goes to the csv crate whole.
        text.push_str("\r\n\"u, 41\",7,8\r\n");
        let path = write(&text);
        for (block, part) in [(1 << 20, 1 << 20), (32, 16)] {
            let (ids, _, blocks) = read_in(&path, block, part).unwrap();
            assert_eq!((ids.len(), ids.get(41)), (42, "u, 41"));
            assert_eq!(blocks.into_matrix().get(41, 1), 8.0);
        }
    }

    #[test]
    fn one_column_is_read_alike_whatever_the_chunks_and_pieces_and_names_its_bad_cells() {
        let mut text = String::from("id,name,value\r\n");
        for i in 0..50 {
            text.push_str(&format!("{i},text {i}, {}.25 \r\n", i));
            if i % 9 == 0 {
                text.push('\n');
            }
        }
        let path = write(&text);
        let whole = read_column_in(&path, 2, 1 << 20, 1).unwrap();
        assert_eq!((whole.len(), whole[49]), (50, 49.25));
        // Chunks of 8 bytes and up to 7 pieces, cut anywhere in the lines.
        let mut bad = text.clone();
        bad.push_str("50,x\n");
        let bad_early = text.replacen("3,text 3, 3.25", "3,text 3, 3.25x", 1);
        let bad_late = format!("{}{}", bad_early.replacen("3.25x", "3.25", 1), "51,y,7\n");
        for (chunk, pieces) in [(8, 1), (8, 2), (8, 7), (16, 3), (1 << 20, 2)] {
            let read = |text: &str, column| read_column_in(&write(text), column, chunk, pieces);
            assert_eq!(read(&text, 2).unwrap(), whole);
            assert_eq!(read(&text, 0).unwrap()[7], 7.0);
            let err = read(&text, 1).unwrap_err().to_string();
            assert!(err.contains("line 2, column `name`: `text 0` is not a finite number"), "{err}");
            let err = read(&bad, 2).unwrap_err().to_string();
            assert!(err.contains("line 58, column `value`: `` is not a finite number"), "{err}");
            // The first bad cell in file order, whichever piece finds its own first.
            let err = read(&format!("{bad_early}51,y,z\n"), 2).unwrap_err().to_string();
            assert!(err.contains("line 6, column `value`: `3.25x` is not a finite number"), "{err}");
            assert_eq!(read(&bad_late, 2).unwrap()[50], 7.0);
            // No newline at the end, and a quote only after the first chunks.
            assert_eq!(read("id,value\na,1\nb,2", 1).unwrap(), vec![1.0, 2.0]);
            let late_quote = read(&format!("id,value\n{}\"u, 1\",7\n", "a,1\n".repeat(40)), 1).unwrap();
            assert_eq!((late_quote.len(), late_quote[40]), (41, 7.0));
            assert!(read("id,value\n\n", 1).unwrap_err().to_string().contains("no values"));
            // The cell ends at a comma, a newline (after a carriage return or not) or the file's
            // end; blanks around the number are allowed, a blank line is skipped, and anything
            // else in the cell is an error.
            let cells = "a,b\n 1 ,2\r\n\r\n3\t,4,x\n\n5,6\r";
            assert_eq!(read(cells, 0).unwrap(), vec![1.0, 3.0, 5.0]);
            assert_eq!(read(cells, 1).unwrap(), vec![2.0, 4.0, 6.0]);
            for (text, cell) in [("a\n1\rx\n", "1\rx"), ("a\n  \n", ""), ("a\n1e999\n", "1e999"), ("a\n1 2\n", "1 2")] {
                let err = read(text, 0).unwrap_err().to_string();
                assert!(err.contains(&format!("line 2, column `a`: `{cell}` is not a finite number")), "{err}");
            }
            let err = read("a,b\n1,2\n3\n", 1).unwrap_err().to_string();
            assert!(err.contains("line 3, column `b`: `` is not a finite number"), "{err}");
        }
        // Quoted cells go through the csv reader, with the same answer and errors.
        let path = write("id,value\n\"u, 1\",2\nv,3\n");
        assert_eq!(read_column_in(&path, 1, 8, 2).unwrap(), vec![2.0, 3.0]);
        let path = write("id,value\n\"u, 1\",2\nv,NaN\n");
        let err = read_column_in(&path, 1, 8, 2).unwrap_err().to_string();
        assert!(err.contains("line 3, column `value`: `NaN` is not a finite number"), "{err}");
    }

    #[test]
    fn errors_name_the_file_line_and_column_whatever_the_block() {
        let mut text = String::from("id,a,b\n");
        for i in 0..30 {
            text.push_str(&format!("u{i},{i},{i}\n"));
        }
        text.push_str("\nbad,1,x1\nshort,1\nlong,1,2,3\n");
        let path = write(&text);
        for (block, part) in [(1 << 20, 1 << 20), (64, 8)] {
            let err = read_in(&path, block, part).unwrap_err().to_string();
            assert!(err.contains("line 33, column `b`: `x1` is not a finite number"), "{err}");
        }
        let path = write("id,a,b\nshort,1\n");
        let err = read_in(&path, 64, 8).unwrap_err().to_string();
        assert!(err.contains("line 2, column `b`: `` is not a finite number"), "{err}");
        let path = write("id,a,b\nlong,1,2,3\n");
        assert!(read_in(&path, 64, 8).unwrap_err().to_string().contains("line 2: more cells than the header has"));
        let path = write("id,a\nu,inf\n");
        assert!(read_in(&path, 64, 8).unwrap_err().to_string().contains("`inf` is not a finite number"));
        let path = write("id,a\n\n");
        assert!(read_in(&path, 64, 8).unwrap_err().to_string().contains("no alternatives"));
        // Quoted cells go through the csv reader, with the same answer.
        let path = write("id,a\n\"u, 1\",2\nv,3\n");
        let (ids, _, blocks) = read_in(&path, 64, 8).unwrap();
        assert_eq!((ids.get(0), blocks.into_matrix().column(0).to_vec()), ("u, 1", vec![2.0, 3.0]));
    }
}
