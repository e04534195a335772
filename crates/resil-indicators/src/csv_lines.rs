//! The file line of each record the csv crate reads. Its `Position::line` is off by the blank
//! lines before a record, and by one per earlier line in files with \r\n line ends (the ends
//! spreadsheet programs write): BurntSushi/rust-csv#208 and #395, both open. Its byte offsets
//! are right, so a record's line is counted from its offset in the file's bytes.

/// Counts the lines up to records' byte offsets: once over the file when the offsets come in
/// order, as a reader gives them.
pub struct CsvLines<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    newlines: usize,
}

impl<'a> CsvLines<'a> {
    /// Lines of the file whose bytes the csv reader reads.
    pub fn new(bytes: &'a [u8]) -> Self {
        CsvLines { bytes, counted_to: 0, newlines: 0 }
    }

    /// The line (from 1) on which the record or error at `position` begins. The offset may point
    /// at the line ends and blank lines before the record (the reader skips them): they are
    /// skipped here too.
    pub fn line(&mut self, position: Option<&csv::Position>) -> u64 {
        let mut start = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.counted_to {
            (self.counted_to, self.newlines) = (0, 0);
        }
        self.newlines += self.bytes[self.counted_to..start].iter().filter(|&&b| b == b'\n').count();
        self.counted_to = start;
        self.newlines as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of each record, the first cell of each record naming its true line.
    fn lines_of(text: &str) -> Vec<(u64, u64)> {
        let mut lines = CsvLines::new(text.as_bytes());
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].parse().unwrap(), lines.line(r.position()))
            })
            .collect()
    }

    #[test]
    fn lines_are_the_file_s_after_blank_lines_crlf_and_quoted_line_breaks() {
        let text = "line,x\r\n2,a\r\n3,b\r\n\r\n5,c\n\n\n8,\"multi\nline\"\n10,d\r\n";
        for (expected, got) in lines_of(text) {
            assert_eq!(got, expected, "{text:?}");
        }
        // The crate's own count, for the record: wrong on the same file (so the test can fail).
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let theirs: Vec<u64> = reader.records().map(|r| r.unwrap().position().unwrap().line()).collect();
        assert_ne!(theirs, vec![2, 3, 5, 8, 10]);
    }

    #[test]
    fn an_error_s_line_and_offsets_out_of_order() {
        let text = "a,b\n\n1,2\n3\n";
        let mut lines = CsvLines::new(text.as_bytes());
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<_> = reader.records().collect();
        assert_eq!(lines.line(records[0].as_ref().unwrap().position()), 3);
        // One cell where the header has two: the error points at line 4.
        assert_eq!(lines.line(records[1].as_ref().unwrap_err().position()), 4);
        // Back to an earlier offset: counted again from the start.
        assert_eq!(lines.line(records[0].as_ref().unwrap().position()), 3);
        assert_eq!(lines.line(None), 1);
    }
}
