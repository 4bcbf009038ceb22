//! The Excel ledger (整改台账) in and out.
//!
//! [`write_ledger_xlsx`] produces the office's workbook — problem, task and responsibility lists,
//! evidence, statistics, header facts and outcomes — with every ledger field on a visible sheet.
//! [`read_ledger_xlsx`] reads that workbook back to the same ledger, and reads other offices'
//! ledgers by matching their headers by meaning. [`write_round_xlsx`] writes a round's
//! aggregate figures; [`write_sheets`] any plain table a page shows.

mod columns;
mod dates;
mod evaluation;
mod labels;
mod read;
mod registry;
mod table;
mod write;

pub use evaluation::{EvaluationRow, SHEET_EVALUATION, write_evaluation_xlsx};
pub use read::{ImportError, ImportOptions, Imported, RowError, read_ledger_xlsx};
pub use registry::{MAX_REGISTRY_ROWS, RegistryError, read_inspectors_xlsx, read_objects_xlsx};
pub use table::{Cell, Sheet, write_round_xlsx, write_sheets};
pub use write::{deadline_light, write_ledger_xlsx};

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0} points at a problem or measure the ledger does not have")]
    DanglingReference(String),
    #[error("date {0} cannot be written as an Excel date")]
    Date(String),
}
