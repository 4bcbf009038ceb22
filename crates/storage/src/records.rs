//! What the list and get functions return: the domain data plus the ids the database gave it.

use rectify_domain::{Measure, Problem, ProblemRef};
use serde::Serialize;

use crate::{InspectionId, MeasureId, ProblemId};

/// One stored inspection (one ledger), as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionSummary {
    pub id: InspectionId,
    pub title: Option<String>,
    /// The inspected organisation under its current name.
    pub unit: Option<String>,
    /// 巡察组.
    pub inspector: Option<String>,
    pub feedback_date: Option<String>,
    pub report_date: Option<String>,
    /// Counts of what the ledger lists (not what the report claims).
    pub aspects: u32,
    pub problems: u32,
    pub measures: u32,
    /// When the ledger was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// The round (巡察轮次) the inspection belongs to, if its ledger names one.
    pub round_id: Option<i64>,
    /// A draft (草稿) the unit completes before it goes live (see `editing`).
    pub draft: bool,
}

/// One problem with its place in the ledger.
///
/// `problem.measures` is always empty: measures have ids of their own and come from
/// `Store::list_measures(inspection, Some(problem_id))`; `measure_count` says how many there are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemRecord {
    pub id: ProblemId,
    pub inspection_id: InspectionId,
    /// 0-based position of the aspect in the ledger.
    pub aspect_index: usize,
    pub aspect_number: Option<String>,
    pub aspect_title: Option<String>,
    /// 0-based position of the problem within its aspect.
    pub position: usize,
    pub measure_count: u32,
    pub problem: Problem,
    /// The aspect's id.
    pub aspect_id: i64,
    /// The optimistic lock of an edit (see `editing`).
    pub version: i64,
    /// Set when the problem was retired (作废); its `position` is then 0.
    pub retired: Option<crate::editing::Retirement>,
}

impl ProblemRecord {
    /// The reference outcomes (meetings, accountability) use for this problem.
    pub fn reference(&self) -> ProblemRef {
        ProblemRef { aspect: self.aspect_index, problem: self.position }
    }
}

/// One measure, complete with its responsibility, progress entries and evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureRecord {
    pub id: MeasureId,
    pub problem_id: ProblemId,
    pub inspection_id: InspectionId,
    /// 0-based position of the measure within its problem.
    pub position: usize,
    pub measure: Measure,
    /// The optimistic lock of an edit (see `editing`).
    pub version: i64,
    /// Set when the measure was retired (作废); its `position` is then 0.
    pub retired: Option<crate::editing::Retirement>,
}

/// Where a problem or a measure is: its inspection and that inspection's unit, read in one
/// indexed lookup. Enough for the data-scope rules to answer any grant that sees whole
/// inspections, without reading the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPlace {
    /// The problem itself, or the problem a measure belongs to.
    pub problem_id: i64,
    pub inspection_id: i64,
    pub unit: Option<String>,
}

/// A problem with every one of its measures in `record.problem.measures` (without progress
/// entries and evidence), and the unit of its inspection: what the data-scope rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemInScope {
    pub record: ProblemRecord,
    pub unit: Option<String>,
}
