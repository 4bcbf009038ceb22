//! Reads a 整改台账 workbook: finds the ledger sheets and their header rows, matches headers by
//! meaning, carries merged cells down, and turns rows into problems and measures. Workbooks
//! written by [`crate::write_ledger_xlsx`] read back to the same ledger; other offices' ledgers
//! read as far as their columns go.
//!
//! By concern: [`grid`] loads the sheets, [`layout`] finds headers and what each sheet holds,
//! [`values`] reads statuses, dates and the other values of a row, [`sheets`] turns rows into
//! problems and measures, [`reference`] reads the sheets that point at problems by 序号, and
//! [`assemble`] joins it all into one ledger.

mod assemble;
pub(crate) mod grid;
mod import;
mod index;
mod layout;
mod reference;
mod row_view;
mod sheets;
mod state;
mod values;

pub use assemble::read_ledger_xlsx;
pub use import::{ImportError, ImportOptions, Imported, RowError};
