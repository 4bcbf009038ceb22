//! What an import gives back and how it fails.

use rectify_domain::Ledger;
use serde::Serialize;

/// How strict the import is.
///
/// A unit's own ledger is never refused for what its cells say: an unknown status, a date that
/// cannot be read or a row that cannot be placed is a warning ([`Imported::warnings`]) with its
/// sheet, row and column, and the rest is read. Only the sheets this crate writes for itself
/// (基本信息, 成效, 佐证材料), whose layout is exact, have bad rows that refuse the workbook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Leave out bad rows of the crate's own sheets (and report them) instead of refusing the
    /// whole workbook.
    pub skip_bad_rows: bool,
}

/// What an import produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub ledger: Ledger,
    /// Rows left out; non-empty only with [`ImportOptions::skip_bad_rows`].
    pub skipped: Vec<RowError>,
    /// The sheets data was taken from, in workbook order.
    pub sheets_read: Vec<String>,
    /// Non-empty data rows read from the problem and measure sheets.
    pub rows_read: usize,
    /// Values read with a guess or left out, and rows not read, each with its place (e.g. an
    /// unknown status word, an undated progress note, a note under the table).
    pub warnings: Vec<RowError>,
}

/// A row that could not be read, located as Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub sheet: String,
    /// 1-based, as Excel numbers rows.
    pub row: u32,
    /// Column letter with the header, e.g. "F（完成时限）".
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{} row {} column {}: {}", self.sheet, self.row, c, self.message),
            None => write!(f, "{} row {}: {}", self.sheet, self.row, self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("not an Excel workbook (.xlsx): {0}")]
    NotAWorkbook(String),
    #[error("no sheet looks like a rectification ledger (sheets: {}); a ledger needs a 问题 column", .0.join(", "))]
    NoLedgerSheet(Vec<String>),
    #[error("{} bad row(s), nothing imported; first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    BadRows(Vec<RowError>),
}
