//! Rows into problems and measures: the problem list (问题清单) and the ledger sheets
//! (问题 × 整改措施), with aspect headings and problems spread over several rows.

use rectify_domain::{Measure, NonEmptyText, Problem, ProgressEntry, Status};

use super::grid::Grid;
use super::layout::{Columns, split_heading};
pub(super) use super::row_view::RowView;
use super::state::Import;
use super::values::{read_measure_values, roll_up, row_status};
use crate::columns::Col;
use crate::dates;
use crate::labels;

/// A problem read from a sheet, with the 序号 that other sheets use to point at it.
pub(super) struct Keyed {
    pub(super) seq: Option<String>,
    pub(super) problem: Problem,
    pub(super) has_status: bool,
}

pub(super) struct KeyedAspect {
    pub(super) number: Option<String>,
    pub(super) title: Option<String>,
    pub(super) problems: Vec<Keyed>,
    /// Made up for problems under no aspect (the sheet names none), so sheets may share it.
    pub(super) implicit: bool,
}

/// Aspect grouping state shared by the problem and ledger sheets.
pub(super) struct AspectCursor {
    pub(super) key: Option<(Option<String>, Option<String>, Option<String>)>,
}

impl AspectCursor {
    /// Starts a new aspect when the row names one different from the current one.
    pub(super) fn advance(&mut self, view: &RowView<'_>, out: &mut Vec<KeyedAspect>) -> bool {
        let seq = view.text(Col::AspectSeq);
        let number = view.text(Col::AspectNumber);
        let title = view.text(Col::Aspect);
        let changed = if view.cols.has(Col::AspectSeq) {
            seq.is_some() && self.key.as_ref().is_none_or(|k| k.0 != seq)
        } else {
            (number.is_some() || title.is_some())
                && self.key.as_ref().is_none_or(|k| (k.1.as_ref(), k.2.as_ref()) != (number.as_ref(), title.as_ref()))
        };
        if changed {
            let (number, title) = match (number, title, view.cols.has(Col::AspectNumber)) {
                (None, Some(t), false) => split_heading(&t),
                (n, t, _) => (n, t),
            };
            out.push(KeyedAspect {
                number: number.clone(),
                title: title.clone(),
                problems: Vec::new(),
                implicit: false,
            });
            self.key = Some((seq, number, title));
        }
        changed
    }

    pub(super) fn heading(&mut self, text: &str, out: &mut Vec<KeyedAspect>) {
        let (number, title) = split_heading(text);
        out.push(KeyedAspect { number: number.clone(), title: title.clone(), problems: Vec::new(), implicit: false });
        self.key = Some((Some(text.to_string()), number, title));
    }
}

/// The aspect new problems go into: the current one, or a shared one without heading.
pub(super) fn current_aspect(out: &mut Vec<KeyedAspect>) -> &mut KeyedAspect {
    if out.is_empty() {
        out.push(KeyedAspect { number: None, title: None, problems: Vec::new(), implicit: true });
    }
    let last = out.len() - 1;
    &mut out[last]
}

/// Problem-level values of a row; values that cannot be read are warned about and left out.
pub(super) fn read_problem(imp: &mut Import, view: &RowView<'_>, title: &str) -> Option<Keyed> {
    let mut problem = Problem::new(None, NonEmptyText::new(title).ok()?, Status::Unknown);
    problem.number =
        if view.cols.has(Col::ProblemNumber) { view.text(Col::ProblemNumber) } else { view.text(Col::Seq) };
    problem.description =
        if view.cols.at(Col::Description) == view.cols.at(Col::Problem) { None } else { view.text(Col::Description) };
    problem.category = view.text(Col::Category);
    if let Some(t) = view.text(Col::Scope) {
        match labels::parse_scope(&t) {
            Some(s) => problem.scope = Some(s),
            None => {
                let message = format!("unknown problem scope {t:?}; left out");
                imp.warn(view.grid, view.row, view.column(Col::Scope), message);
            }
        }
    }
    if let Some(t) = view.text(Col::Disclosure) {
        match labels::parse_disclosure(&t) {
            Some(d) => problem.disclosure = d,
            None => {
                let message = format!("unknown disclosure {t:?}; read as public");
                imp.warn(view.grid, view.row, view.column(Col::Disclosure), message);
            }
        }
    }
    problem.responsibility.leader = view.text(Col::Leader);
    problem.responsibility.first_responsible = view.text(Col::FirstResponsible);
    let seq = view.text(Col::Seq).or_else(|| view.text(Col::ProblemNumber));
    Some(Keyed { seq, problem, has_status: false })
}

/// Reads a problem list (问题清单): one problem per row, no measures.
pub(super) fn read_problem_sheet(imp: &mut Import, grid: &Grid, cols: &Columns) -> Vec<KeyedAspect> {
    let mut out = Vec::new();
    let mut cursor = AspectCursor { key: None };
    for row in cols.data_start..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        imp.rows_read += 1;
        let view = RowView { grid, cols, row };
        let Some(title) = view.text(Col::Problem) else {
            if cursor.advance(&view, &mut out) {
                continue;
            }
            if let Some(note) = view.note() {
                imp.warn(grid, row, None, format!("not read: a note under the table ({note:?})"));
                continue;
            }
            if let Some(h) = view.heading() {
                cursor.heading(&h, &mut out);
                continue;
            }
            imp.warn(grid, row, view.column(Col::Problem), "row not read: no problem text (问题)".to_string());
            continue;
        };
        cursor.advance(&view, &mut out);
        let (status, _) = row_status(imp, &view);
        let Some(mut keyed) = read_problem(imp, &view, &title) else { continue };
        keyed.problem.responsibility.departments =
            view.text(Col::Departments).map(|t| labels::split_list(&t)).unwrap_or_default();
        keyed.problem.responsibility.liaison = view.text(Col::Liaison);
        if let Some(s) = status {
            keyed.problem.status = s;
            keyed.has_status = true;
        }
        current_aspect(&mut out).problems.push(keyed);
    }
    out
}

/// What became of the row that started the current problem or measure.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Track {
    None,
    Open,
    Skipped,
}

/// Reads a ledger sheet (问题 × 整改措施 rows).
pub(super) fn read_ledger_sheet(imp: &mut Import, grid: &Grid, cols: &Columns) -> Vec<KeyedAspect> {
    let mut out: Vec<KeyedAspect> = Vec::new();
    let mut aspects = AspectCursor { key: None };
    let mut problem = Track::None;
    let mut measure = Track::None;
    let mut current_seq: Option<String> = None;
    let mut current_title = String::new();
    let mut current_measure: (Option<String>, String) = (None, String::new());
    let mut skipped_at = 0;
    for row in cols.data_start..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        imp.rows_read += 1;
        let view = RowView { grid, cols, row };
        let seq = view.text(Col::Seq);
        // A task list keyed by 问题序号 names its problems by number only; the problem list
        // joined to it by that number gives the text.
        let ptext =
            if cols.has(Col::Problem) { view.text(Col::Problem) } else { seq.as_ref().map(|s| format!("序号{s}")) };
        let mtext = view.text(Col::Measure);
        if ptext.is_none() && mtext.is_none() {
            if aspects.advance(&view, &mut out) && view.text(Col::Progress).is_none() {
                problem = Track::None;
                continue;
            }
            if let Some(note) = view.note() {
                imp.warn(grid, row, None, format!("not read: a note under the table ({note:?})"));
                continue;
            }
            if let Some(h) = view.heading() {
                aspects.heading(&h, &mut out);
                problem = Track::None;
                continue;
            }
        } else {
            aspects.advance(&view, &mut out);
        }
        let starts_problem = match &ptext {
            Some(t) => {
                problem == Track::None
                    || *t != current_title
                    || seq.as_ref().is_some_and(|s| Some(s) != current_seq.as_ref())
            }
            None => {
                if problem == Track::None || seq.as_ref().is_some_and(|s| Some(s) != current_seq.as_ref()) {
                    let message = "row not read: no problem text (问题), and it does not continue the problem above";
                    imp.warn(grid, row, view.column(Col::Problem), message.to_string());
                    problem = Track::Skipped;
                    skipped_at = row;
                    current_seq = seq;
                    continue;
                }
                false
            }
        };
        if !starts_problem && problem == Track::Skipped {
            let message = format!("row not read: it continues row {}, which could not be read", skipped_at + 1);
            imp.warn(grid, row, view.column(Col::Problem), message);
            continue;
        }
        let mseq = view.text(Col::MeasureSeq);
        let starts_measure = match &mtext {
            Some(t) => starts_problem || measure == Track::None || (mseq.clone(), t.clone()) != current_measure,
            None => false,
        };
        let mut values = read_measure_values(imp, &view, starts_measure || (starts_problem && mtext.is_none()));
        if starts_problem && mtext.is_none() && (values.deadline.is_some() || values.kind.is_some()) {
            let message =
                "no measure (整改措施) in this row: its deadline is left out; status and progress go to the problem";
            imp.warn(grid, row, view.column(Col::Measure), message.to_string());
        }
        let keyed = if starts_problem { ptext.as_deref().and_then(|t| read_problem(imp, &view, t)) } else { None };
        if let Some(keyed) = keyed {
            current_aspect(&mut out).problems.push(keyed);
            problem = Track::Open;
            measure = Track::None;
            current_seq = seq;
            current_title = ptext.unwrap_or_default();
        }
        let undated = values.undated_progress.take();
        let Some(target) = out.last_mut().and_then(|a| a.problems.last_mut()) else { continue };
        if starts_measure {
            let text = mtext.clone().unwrap_or_default();
            let Ok(text) = NonEmptyText::new(text) else { continue };
            let mut m = Measure::from_text(text);
            values.apply_to_new(&mut m);
            target.problem.measures.push(m);
            measure = Track::Open;
            current_measure = (mseq, mtext.unwrap_or_default());
        } else if let Some(m) = target.problem.measures.last_mut() {
            values.apply_to_continuation(m);
        } else if let Some(s) = values.status {
            target.problem.status = s;
            target.has_status = true;
        }
        if let Some(text) = undated {
            match imp.report_date {
                Some(d) if !target.problem.measures.is_empty() => {
                    if let (Some(m), Ok(t)) = (target.problem.measures.last_mut(), NonEmptyText::new(text)) {
                        m.progress.push(ProgressEntry { date: d, text: t, evidence: Vec::new() });
                    }
                    imp.warn(
                        grid,
                        row,
                        view.column(Col::Progress),
                        format!("progress has no date; dated {d} (the report date)"),
                    );
                }
                _ => match (target.problem.measures.last_mut(), dates::first_date_in(&text, imp.ctx)) {
                    (Some(m), Some(d)) => {
                        if let Ok(t) = NonEmptyText::new(text) {
                            m.progress.push(ProgressEntry { date: d, text: t, evidence: Vec::new() });
                        }
                        let message = format!("progress has no date of its own; dated {d}, the first date in its text");
                        imp.warn(grid, row, view.column(Col::Progress), message);
                    }
                    _ => imp.warn(
                        grid,
                        row,
                        view.column(Col::Progress),
                        format!("progress {text:?} has no date and was left out"),
                    ),
                },
            }
        }
    }
    for aspect in &mut out {
        for k in &mut aspect.problems {
            if !k.has_status && !k.problem.measures.is_empty() {
                k.problem.status = roll_up(&k.problem.measures);
            }
        }
    }
    out
}
