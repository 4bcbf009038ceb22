//! The accumulating state of one import.

use rectify_domain::PartialDate;

use super::grid::Grid;
use super::import::{ImportOptions, RowError};
use crate::dates::YearContext;

/// The accumulating import.
pub(super) struct Import {
    pub(super) opts: ImportOptions,
    pub(super) bad: Vec<RowError>,
    pub(super) warnings: Vec<RowError>,
    pub(super) ctx: YearContext,
    pub(super) report_date: Option<PartialDate>,
    pub(super) rows_read: usize,
}

impl Import {
    pub(super) fn error(&mut self, grid: &Grid, row: usize, column: Option<String>, message: String) {
        self.bad.push(RowError { sheet: grid.name.clone(), row: row as u32 + 1, column, message });
    }

    pub(super) fn warn(&mut self, grid: &Grid, row: usize, column: Option<String>, message: String) {
        self.warnings.push(RowError { sheet: grid.name.clone(), row: row as u32 + 1, column, message });
    }
}
