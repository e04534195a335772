//! A dense column-major f64 matrix: one contiguous column per indicator, NaN for missing.

/// Rows are observations (unit-periods), columns are indicators. Column-major so that column
/// statistics stream over contiguous memory and a column crosses the plugin ABI as (ptr, len).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    nrows: usize,
    ncols: usize,
    data: Vec<f64>,
}

impl Matrix {
    pub fn filled(nrows: usize, ncols: usize, value: f64) -> Self {
        Matrix { nrows, ncols, data: vec![value; nrows * ncols] }
    }

    /// Builds from columns; every column must have the same length.
    pub fn from_columns(columns: Vec<Vec<f64>>) -> Self {
        let ncols = columns.len();
        let nrows = columns.first().map_or(0, Vec::len);
        assert!(columns.iter().all(|c| c.len() == nrows), "columns of unequal length");
        Matrix { nrows, ncols, data: columns.into_iter().flatten().collect() }
    }

    /// Builds from rows (as a decision matrix is usually written); every row must have the same length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Self {
        let nrows = rows.len();
        let ncols = rows.first().map_or(0, Vec::len);
        assert!(rows.iter().all(|r| r.len() == ncols), "rows of unequal length");
        let mut m = Matrix::filled(nrows, ncols, 0.0);
        for (i, row) in rows.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                m.set(i, j, v);
            }
        }
        m
    }

    pub fn nrows(&self) -> usize {
        self.nrows
    }

    pub fn ncols(&self) -> usize {
        self.ncols
    }

    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[col * self.nrows + row]
    }

    pub fn set(&mut self, row: usize, col: usize, value: f64) {
        self.data[col * self.nrows + row] = value;
    }

    pub fn column(&self, col: usize) -> &[f64] {
        &self.data[col * self.nrows..(col + 1) * self.nrows]
    }

    pub fn column_mut(&mut self, col: usize) -> &mut [f64] {
        &mut self.data[col * self.nrows..(col + 1) * self.nrows]
    }

    /// Every column, mutably (disjoint slices).
    pub fn columns_mut(&mut self) -> impl Iterator<Item = &mut [f64]> {
        self.data.chunks_mut(self.nrows.max(1)).take(self.ncols)
    }

    pub fn columns(&self) -> impl Iterator<Item = &[f64]> {
        (0..self.ncols).map(move |j| self.column(j))
    }

    pub fn row(&self, row: usize) -> Vec<f64> {
        (0..self.ncols).map(|j| self.get(row, j)).collect()
    }

    /// The rows in `range`, as a new matrix.
    pub fn rows(&self, range: std::ops::Range<usize>) -> Matrix {
        let columns = self.columns().map(|c| c[range.clone()].to_vec()).collect();
        let mut m = Matrix::from_columns(columns);
        if self.ncols == 0 {
            m.nrows = range.len();
        }
        m
    }

    /// The columns at `positions`, in that order, as a new matrix.
    pub fn select_columns(&self, positions: &[usize]) -> Matrix {
        let mut m = Matrix::from_columns(positions.iter().map(|&j| self.column(j).to_vec()).collect());
        m.nrows = self.nrows;
        m
    }

    /// Writes `block` into the rows starting at `start`.
    pub fn set_rows(&mut self, start: usize, block: &Matrix) {
        assert_eq!(block.ncols, self.ncols, "column count differs");
        assert!(start + block.nrows <= self.nrows, "block runs past the last row");
        for j in 0..self.ncols {
            self.column_mut(j)[start..start + block.nrows].copy_from_slice(block.column(j));
        }
    }

    /// The flat column-major buffer.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}
