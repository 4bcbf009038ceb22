//! The rectification domain: pure types and rules, no I/O.
//!
//! A [`Ledger`] is one unit's rectification of one inspection round: aspects (方面) →
//! problems (问题) → measures (整改措施), with responsibility, progress, evidence and outcomes.
//! [`Ledger::from_json`] is the way in for outside data; [`Ledger::statistics`] derives every
//! figure a published report states.

#[cfg(any(test, feature = "arbitrary"))]
pub mod arbitrary;
pub mod calendar;
pub mod date;
pub mod draw;
pub mod evaluation;
pub mod indicator;
pub mod kind;
pub mod ledger;
pub mod limits;
pub mod money;
pub mod numerals;
pub mod roles;
pub mod round;
pub mod spot_check;
pub mod stats;
pub mod status;
pub mod supervision;
pub mod validate;
pub mod workflow;

pub use date::PartialDate;
pub use kind::InspectionKind;
pub use ledger::*;
pub use money::WanYuan;
pub use round::{InspectionGroup, RoundDetails, RoundDetailsError, RoundReport, RoundUnitFigures};
pub use stats::{Rate, Statistics};
pub use status::{Disclosure, MeasureKind, ProblemScope, Status};
pub use validate::LedgerError;
