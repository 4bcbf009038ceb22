//! Values of cells: statuses (整改状态), deadlines (完成时限), progress notes and the other
//! measure-level values of a row.

use rectify_domain::{Evidence, Measure, NonEmptyText, PartialDate, ProgressEntry, Status, WanYuan};

use super::Import;
use super::grid::{cell_date, cell_deadline};
use super::sheets::RowView;
use crate::columns::Col;
use crate::dates::{self, Deadline, YearContext};
use crate::labels;

/// A status cell: a status word, or a status word followed by a remark ("已完成。制定了…").
pub(super) fn read_status(text: &str) -> Option<(Status, Option<String>)> {
    if let Some(s) = labels::parse_status(text) {
        return Some((s, None));
    }
    let (head, tail) = text.split_once(['。', '，', ',', '；', ';', '：', ':', ' ', '\n'])?;
    let s = labels::parse_status(head)?;
    let tail = tail.trim();
    Some((s, (!tail.is_empty()).then(|| tail.to_string())))
}

/// A progress note whose text starts with its date ("2024年3月5日：召开…").
pub(super) fn dated_progress(text: &str, ctx: YearContext) -> Option<(PartialDate, String)> {
    let (head, tail) = text.split_once(['：', ':', ' ', '，', ','])?;
    let date = dates::parse_text(head, ctx).ok()?;
    let tail = tail.trim();
    (!tail.is_empty()).then(|| (date, tail.to_string()))
}

/// A problem's status from its measures' when the ledger gives none for the problem.
pub(super) fn roll_up(measures: &[Measure]) -> Status {
    let known: Vec<Status> = measures.iter().filter_map(|m| m.status).collect();
    match known.first() {
        None => Status::Unknown,
        Some(first) if known.len() == measures.len() && known.iter().all(|s| s == first) => *first,
        Some(_) if known.iter().all(|s| matches!(s, Status::Completed | Status::LongTerm)) => Status::LongTerm,
        Some(_) => Status::InProgress,
    }
}

/// Measure-level values of one row.
#[derive(Default)]
pub(super) struct MeasureValues {
    pub(super) kind: Option<rectify_domain::MeasureKind>,
    pub(super) deadline: Option<PartialDate>,
    pub(super) status: Option<Status>,
    pub(super) departments: Vec<String>,
    pub(super) liaison: Option<String>,
    pub(super) progress: Option<ProgressEntry>,
    /// Progress text without a date.
    pub(super) undated_progress: Option<String>,
    pub(super) evidence: Vec<String>,
    pub(super) dates: Vec<PartialDate>,
    pub(super) amounts: Vec<WanYuan>,
    pub(super) documents: Vec<String>,
}

impl MeasureValues {
    pub(super) fn has_measure_data(&self) -> bool {
        self.deadline.is_some() || self.kind.is_some() || self.progress.is_some() || !self.evidence.is_empty()
    }

    pub(super) fn apply_to_new(self, m: &mut Measure) {
        m.kind = self.kind;
        m.deadline = self.deadline;
        m.status = self.status;
        m.responsibility.departments = self.departments;
        m.responsibility.liaison = self.liaison;
        m.progress.extend(self.progress);
        m.evidence = self.evidence.into_iter().filter_map(|t| evidence(&t)).collect();
        m.dates = self.dates;
        m.amounts_wan_yuan = self.amounts;
        m.documents = self.documents;
    }

    pub(super) fn apply_to_continuation(self, m: &mut Measure) {
        m.progress.extend(self.progress);
        m.evidence.extend(self.evidence.into_iter().filter_map(|t| evidence(&t)));
    }
}

pub(super) fn evidence(title: &str) -> Option<Evidence> {
    Some(Evidence {
        title: NonEmptyText::new(title).ok()?,
        kind: None,
        date: None,
        media_type: None,
        size_bytes: None,
        sha256: None,
    })
}

pub(super) fn read_measure_values(imp: &mut Import, view: &RowView<'_>, full: bool) -> MeasureValues {
    let mut v = MeasureValues::default();
    let grid = view.grid;
    let row = view.row;
    let mut remark = None;
    if full {
        if let Some(t) = view.text(Col::Kind) {
            match labels::parse_kind(&t) {
                Some(k) => v.kind = Some(k),
                None => imp.error(grid, row, view.column(Col::Kind), format!("unknown kind of rectification {t:?}")),
            }
        }
        match cell_deadline(view.data(Col::Deadline), imp.ctx) {
            Ok(Some(Deadline::Date(d))) => {
                v.deadline = Some(d);
                imp.ctx.previous = Some(d);
            }
            Ok(Some(Deadline::Kind(k))) => {
                v.kind = v.kind.or(Some(k));
            }
            Ok(None) => {}
            Err(e) => {
                let text = view.text(Col::Deadline).unwrap_or_default();
                imp.error(grid, row, view.column(Col::Deadline), e.message(&text));
            }
        }
        if let Some(t) = view.text(Col::Status) {
            match read_status(&t) {
                Some((s, rest)) => {
                    v.status = Some(s);
                    remark = rest;
                }
                None => imp.error(grid, row, view.column(Col::Status), format!("unknown status {t:?}")),
            }
        }
        v.departments = view.text(Col::Departments).map(|t| labels::split_list(&t)).unwrap_or_default();
        v.liaison = view.text(Col::Liaison);
        for t in view.text(Col::TextDates).map(|t| labels::split_lines(&t)).unwrap_or_default() {
            match dates::parse_text(&t, imp.ctx) {
                Ok(d) => v.dates.push(d),
                Err(e) => imp.error(grid, row, view.column(Col::TextDates), e.message(&t)),
            }
        }
        for t in view.text(Col::TextAmounts).map(|t| labels::split_lines(&t)).unwrap_or_default() {
            match WanYuan::parse_wan_yuan(t.trim_end_matches("万元")) {
                Ok(a) => v.amounts.push(a),
                Err(e) => imp.error(grid, row, view.column(Col::TextAmounts), e.to_string()),
            }
        }
        v.documents = view.text(Col::TextDocuments).map(|t| labels::split_lines(&t)).unwrap_or_default();
    }
    v.evidence = view.text(Col::Evidence).map(|t| labels::split_lines(&t)).unwrap_or_default();
    let progress = view.text(Col::Progress).or(remark);
    if let Some(text) = progress {
        let date = match cell_date(view.data(Col::ProgressDate), imp.ctx) {
            Ok(d) => d,
            Err(e) => {
                let t = view.text(Col::ProgressDate).unwrap_or_default();
                imp.error(grid, row, view.column(Col::ProgressDate), e.message(&t));
                return v;
            }
        };
        let (date, text) = match date {
            Some(d) => (Some(d), text),
            None => match dated_progress(&text, imp.ctx) {
                Some((d, t)) => (Some(d), t),
                None => (None, text),
            },
        };
        match (date, NonEmptyText::new(text.clone())) {
            (Some(date), Ok(text)) => v.progress = Some(ProgressEntry { date, text, evidence: Vec::new() }),
            _ => v.undated_progress = Some(text),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_with_a_remark() {
        assert_eq!(read_status("已完成"), Some((Status::Completed, None)));
        assert_eq!(read_status("已完成。制定了制度"), Some((Status::Completed, Some("制定了制度".into()))));
        assert_eq!(read_status("差不多了"), None);
    }
}
