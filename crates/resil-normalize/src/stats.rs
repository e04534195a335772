//! The normalisers' use of the column statistics (resil_core::stats): every column's, or an
//! error naming the indicator without a finite value.

use resil_core::stats::{column_stats, ColumnStats};

/// Stats of every column, or an error naming the first indicator without a finite value.
pub(crate) fn all_column_stats(
    reference: &resil_core::Matrix,
    system: &resil_core::IndicatorSystem,
    method: &str,
) -> resil_core::Result<Vec<ColumnStats>> {
    reference
        .columns()
        .enumerate()
        .map(|(j, col)| {
            column_stats(col).ok_or_else(|| {
                resil_core::Error::data(
                    format!("{method}: indicator `{}`", system.get(j).id),
                    "no finite value in the reference rows",
                )
            })
        })
        .collect()
}
