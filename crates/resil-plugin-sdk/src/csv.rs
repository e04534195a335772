//! A small CSV reader (RFC 4180 quoting) so that plugins need no dependency to read their tables.

use std::path::Path;

/// A CSV table: the header and the rows, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// (1-based line number, cells)
    pub rows: Vec<(usize, Vec<String>)>,
    pub path: String,
}

impl Table {
    /// The position of a column, or an error naming the file and the column.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| format!("{}: missing column `{name}`", self.path))
    }
}

fn split_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Reads a CSV file with a header row; quoted cells may hold commas but not line breaks.
pub fn read_csv(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let headers = lines.next().map(|(_, l)| split_line(l)).ok_or_else(|| format!("{}: empty file", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in lines {
        let cells = split_line(line);
        if cells.len() != headers.len() {
            return Err(format!(
                "{}, line {}: {} cells, the header has {}",
                path.display(),
                i + 1,
                cells.len(),
                headers.len()
            ));
        }
        rows.push((i + 1, cells));
    }
    Ok(Table { headers, rows, path: path.display().to_string() })
}

#[cfg(test)]
mod tests {
    use super::split_line;

    #[test]
    fn quotes_hold_commas_and_doubled_quotes() {
        assert_eq!(split_line(r#"a,"b, c","say ""hi""",""#), vec!["a", "b, c", r#"say "hi""#, ""]);
    }
}
