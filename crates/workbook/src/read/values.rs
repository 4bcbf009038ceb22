//! Values of cells: statuses (整改状态), deadlines (完成时限), progress notes and the other
//! measure-level values of a row.

use calamine::Data;
use rectify_domain::{Evidence, Measure, NonEmptyText, PartialDate, ProgressEntry, Status, WanYuan};

use super::grid::{cell_date, cell_deadline};
use super::row_view::RowView;
use super::state::Import;
use crate::columns::Col;
use crate::dates::{self, Deadline, YearContext};
use crate::labels;

/// A status cell: a status word or mark, or one followed by a remark ("已完成。制定了…").
pub(super) fn read_status(text: &str) -> Option<(Status, Option<String>)> {
    if let Some(s) = status_only(text) {
        return Some((s, None));
    }
    let (head, tail) = text.split_once(['。', '，', ',', '；', ';', '：', ':', ' ', '\n'])?;
    let s = status_only(head)?;
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
                None => imp.warn(
                    grid,
                    row,
                    view.column(Col::Kind),
                    format!("unknown kind of rectification {t:?}; left out"),
                ),
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
            Ok(Some(Deadline::Both(k, d))) => {
                v.kind = v.kind.or(Some(k));
                v.deadline = Some(d);
                imp.ctx.previous = Some(d);
            }
            Ok(None) => {}
            Err(e) => {
                let text = view.text(Col::Deadline).unwrap_or_default();
                let message = format!("{}; the deadline is left out", e.message(&text));
                imp.warn(grid, row, view.column(Col::Deadline), message);
            }
        }
        let (status, rest) = row_status(imp, view);
        v.status = status;
        remark = rest;
        v.departments = view.text(Col::Departments).map(|t| labels::split_list(&t)).unwrap_or_default();
        v.liaison = view.text(Col::Liaison);
        for t in view.text(Col::TextDates).map(|t| labels::split_lines(&t)).unwrap_or_default() {
            match dates::parse_text(&t, imp.ctx) {
                Ok(d) => v.dates.push(d),
                Err(e) => imp.warn(grid, row, view.column(Col::TextDates), format!("{}; left out", e.message(&t))),
            }
        }
        for t in view.text(Col::TextAmounts).map(|t| labels::split_lines(&t)).unwrap_or_default() {
            match WanYuan::parse_wan_yuan(t.trim_end_matches("万元")) {
                Ok(a) => v.amounts.push(a),
                Err(e) => imp.warn(grid, row, view.column(Col::TextAmounts), format!("{e}; {t:?} left out")),
            }
        }
        v.documents = view.text(Col::TextDocuments).map(|t| labels::split_lines(&t)).unwrap_or_default();
    }
    v.evidence = view.text(Col::Evidence).map(|t| labels::split_lines(&t)).unwrap_or_default();
    let mut progress = view.text(Col::Progress);
    // Without a status column, a progress cell holding only a status word is the status.
    if full
        && !view.cols.has(Col::Status)
        && let Some(s) = progress.as_deref().and_then(status_only)
    {
        v.status = Some(s);
        progress = None;
    }
    match (progress, remark) {
        (Some(p), Some(r)) => {
            let message =
                format!("the rest of the status cell ({r:?}) is left out: the progress column has its own text");
            imp.warn(grid, row, view.column(Col::Status), message);
            read_progress(imp, view, p, &mut v);
        }
        (Some(text), None) | (None, Some(text)) => read_progress(imp, view, text, &mut v),
        (None, None) => {}
    }
    v
}

fn read_progress(imp: &mut Import, view: &RowView<'_>, text: String, v: &mut MeasureValues) {
    let date = match cell_date(view.data(Col::ProgressDate), imp.ctx) {
        Ok(d) => d,
        Err(e) => {
            let t = view.text(Col::ProgressDate).unwrap_or_default();
            let message = format!("{}; the progress is read without it", e.message(&t));
            imp.warn(view.grid, view.row, view.column(Col::ProgressDate), message);
            None
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

/// The status of a row and the remark after the status word. A value that is no status is
/// warned about and, when long enough to be a note, kept as the remark (read as progress).
pub(super) fn row_status(imp: &mut Import, view: &RowView<'_>) -> (Option<Status>, Option<String>) {
    let data = view.data(Col::Status);
    if let Some(s) = status_number(data) {
        return (Some(s), None);
    }
    let Some(text) = view.text(Col::Status) else { return (None, None) };
    if let Some((s, rest)) = read_status(&text) {
        return (Some(s), rest);
    }
    let note = text.chars().count() > 6;
    let what = if note { "kept as a progress note" } else { "left out" };
    imp.warn(view.grid, view.row, view.column(Col::Status), format!("unknown status {text:?}; {what}"));
    (None, note.then_some(text))
}

/// A number in a status column is a completion percentage: 1 (100%) or 100 is completed,
/// anything less is in progress. Cells formatted as percent hold fractions (0.8 for 80%).
fn status_number(data: &Data) -> Option<Status> {
    let value = match data {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        _ => return None,
    };
    percent_status(if value <= 1.0 { value * 100.0 } else { value })
}

fn percent_status(percent: f64) -> Option<Status> {
    if !(0.0..=100.0).contains(&percent) {
        return None;
    }
    Some(if percent >= 100.0 { Status::Completed } else { Status::InProgress })
}

/// Status marks and words that ledgers use besides the report words of [`Status::from_chinese`]:
/// 是否完成 answered 是/否 or ticked √/×, and a few more progress words.
fn ledger_status_word(text: &str) -> Option<Status> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_matches(|c: char| "。.；;：:，,".contains(c));
    let status = match t {
        "是" | "√" | "✓" | "✔" | "☑" | "已" | "Y" | "y" | "yes" | "Yes" | "YES" | "已落实" | "已整改到位"
        | "整改到位" | "已完成销号" | "全部完成" => Status::Completed,
        // 否 / × answer 是否完成 with "not completed", the same as 未完成.
        "否" | "×" | "✗" | "✘" | "☒" | "X" | "x" | "N" | "n" | "no" | "No" | "NO" | "未" => Status::NotDone,
        "落实中" | "部分完成" | "正在落实" | "推进" | "已启动" | "整改推进中" | "正在办理" | "办理中" => {
            Status::InProgress
        }
        "长期" | "常态化推进" | "长期执行" | "长期坚持整改" => Status::LongTerm,
        _ => {
            let number = t.strip_suffix(['%', '％'])?;
            let number: String = number
                .chars()
                .map(|c| match c {
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                    '．' => '.',
                    other => other,
                })
                .collect();
            return percent_status(number.parse::<f64>().ok()?);
        }
    };
    Some(status)
}

/// A cell that holds a status and nothing else.
fn status_only(text: &str) -> Option<Status> {
    labels::parse_status(text).or_else(|| ledger_status_word(text))
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

    #[test]
    fn status_words_marks_and_percentages_as_ledgers_write_them() {
        let cases = [
            ("是", Status::Completed),
            ("否", Status::NotDone),
            ("√", Status::Completed),
            ("×", Status::NotDone),
            ("✓", Status::Completed),
            ("✗", Status::NotDone),
            ("已完成", Status::Completed),
            ("未完成", Status::NotDone),
            ("正在推进", Status::InProgress),
            ("持续整改", Status::LongTerm),
            ("阶段性完成", Status::InProgress),
            ("长期坚持", Status::LongTerm),
            ("100%", Status::Completed),
            ("１００％", Status::Completed),
            ("80%", Status::InProgress),
            ("0%", Status::InProgress),
        ];
        for (text, want) in cases {
            assert_eq!(read_status(text), Some((want, None)), "{text}");
        }
        assert_eq!(read_status("是。已印发制度"), Some((Status::Completed, Some("已印发制度".into()))));
        assert_eq!(read_status("120%"), None);
        assert_eq!(status_number(&Data::Float(1.0)), Some(Status::Completed));
        assert_eq!(status_number(&Data::Float(0.8)), Some(Status::InProgress));
        assert_eq!(status_number(&Data::Int(100)), Some(Status::Completed));
        assert_eq!(status_number(&Data::Float(250.0)), None);
    }
}
