//! Reads a 整改台账 workbook: finds the ledger sheets and their header rows, matches headers by
//! meaning, carries merged cells down, and turns rows into problems and measures. Workbooks
//! written by [`crate::write_ledger_xlsx`] read back to the same ledger; other offices' ledgers
//! read as far as their columns go.

use std::collections::HashMap;

use calamine::{Data, Reader, Xlsx};
use rectify_domain::{
    Accountability, Aspect, DocumentTitle, Evidence, FormerName, Fund, Ledger, Measure, MeasureRef, Meeting, Member,
    NonEmptyText, PartialDate, Problem, ProblemRef, ProgressEntry, Responsibility, Rule, Status, Tally, WanYuan,
};
use serde::Serialize;

use crate::columns::{self, Col};
use crate::dates::{self, DateError, Deadline, YearContext};
use crate::labels::{self, key};

/// How strict the import is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Leave out bad rows (and report them) instead of refusing the whole workbook.
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
    /// Things read with a guess or left out that were not errors (e.g. an undated progress note).
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

/// One worksheet as a plain grid, with merged regions already carried down where that is safe.
struct Grid {
    name: String,
    cells: Vec<Vec<Data>>,
}

static EMPTY: Data = Data::Empty;

impl Grid {
    fn get(&self, row: usize, col: usize) -> &Data {
        self.cells.get(row).and_then(|r| r.get(col)).unwrap_or(&EMPTY)
    }

    fn text(&self, row: usize, col: usize) -> Option<String> {
        cell_text(self.get(row, col))
    }

    fn row_is_empty(&self, row: usize) -> bool {
        self.cells.get(row).is_none_or(|r| r.iter().all(|d| cell_text(d).is_none()))
    }

    fn width(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// A cell as text: trimmed, `None` when blank; whole numbers without ".0"; dates as YYYY-MM-DD.
fn cell_text(d: &Data) -> Option<String> {
    let s = match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => (if *b { labels::YES } else { labels::NO }).to_string(),
        Data::DateTime(dt) => dates::serial_to_date(dt.as_f64())?.to_string(),
        Data::Error(_) | Data::Empty => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn cell_date(d: &Data, ctx: YearContext) -> Result<Option<PartialDate>, DateError> {
    match d {
        Data::DateTime(dt) => {
            dates::serial_to_date(dt.as_f64()).map(|d| Some(PartialDate::Day(d))).ok_or(DateError::Unreadable)
        }
        Data::Float(f) => dates::parse_number(*f, ctx).map(Some),
        Data::Int(i) => dates::parse_number(*i as f64, ctx).map(Some),
        Data::DateTimeIso(s) => dates::parse_text(s.get(..10).unwrap_or(s), ctx).map(Some),
        other => match cell_text(other) {
            Some(t) => dates::parse_text(&t, ctx).map(Some),
            None => Ok(None),
        },
    }
}

fn cell_deadline(d: &Data, ctx: YearContext) -> Result<Option<Deadline>, DateError> {
    match d {
        Data::String(s) if !s.trim().is_empty() => dates::parse_deadline_text(s, ctx).map(Some),
        other => cell_date(other, ctx).map(|o| o.map(Deadline::Date)),
    }
}

fn cell_u32(d: &Data) -> Option<u32> {
    match d {
        Data::Float(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f) => Some(*f as u32),
        Data::Int(i) => u32::try_from(*i).ok(),
        other => cell_text(other)?.trim_end_matches(['人', '次', '个', '项', '条']).parse().ok(),
    }
}

/// Where each canonical column sits in a sheet, and where its data starts.
struct Columns {
    by_col: HashMap<Col, usize>,
    names: HashMap<usize, String>,
    data_start: usize,
}

impl Columns {
    fn at(&self, col: Col) -> Option<usize> {
        self.by_col.get(&col).copied()
    }

    fn has(&self, col: Col) -> bool {
        self.by_col.contains_key(&col)
    }

    fn col_of(&self, index: usize) -> Option<Col> {
        self.by_col.iter().find(|(_, i)| **i == index).map(|(c, _)| *c)
    }

    fn describe(&self, index: usize) -> String {
        let letter = columns::letter(index as u32);
        match self.names.get(&index) {
            Some(name) => format!("{letter}（{name}）"),
            None => letter,
        }
    }
}

/// Finds the header row among the first ten rows (the one naming most known columns), and a
/// second header row under it when the first has merged group headings such as 责任主体.
fn find_columns(grid: &Grid) -> Option<Columns> {
    let width = grid.width();
    let classify_row = |r: usize| -> Vec<Option<Col>> {
        (0..width).map(|c| grid.text(r, c).and_then(|t| columns::classify(&t))).collect()
    };
    let score = |cols: &[Option<Col>]| {
        let mut seen: Vec<Col> = cols.iter().flatten().copied().collect();
        seen.dedup();
        seen.len()
    };
    let (header, first) = (0..grid.cells.len().min(10))
        .map(|r| (r, classify_row(r)))
        .filter(|(_, cols)| score(cols) >= 2)
        .max_by_key(|(r, cols)| (score(cols), std::cmp::Reverse(*r)))?;
    let second = classify_row(header + 1);
    let seq_col = first.iter().position(|c| *c == Some(Col::Seq));
    let second_is_header = score(&second) >= 1
        && seq_col.is_none_or(|c| grid.text(header + 1, c).is_none())
        && (0..width).all(|c| !matches!(grid.get(header + 1, c), Data::Float(_) | Data::Int(_) | Data::DateTime(_)));
    let mut by_col = HashMap::new();
    let mut names = HashMap::new();
    for c in 0..width {
        let (col, name) = match (second_is_header.then(|| second.get(c).copied().flatten()).flatten(), first.get(c)) {
            (Some(col), _) => (Some(col), grid.text(header + 1, c)),
            (None, Some(Some(col))) => (Some(*col), grid.text(header, c)),
            _ => (None, grid.text(header, c)),
        };
        if let Some(name) = name {
            names.insert(c, name);
        }
        if let Some(col) = col {
            by_col.entry(col).or_insert(c);
        }
    }
    if !by_col.contains_key(&Col::Aspect)
        && let Some(c) = by_col.remove(&Col::Category)
    {
        by_col.insert(Col::Aspect, c);
    }
    if !by_col.contains_key(&Col::Problem)
        && let Some(c) = by_col.remove(&Col::Description)
    {
        by_col.insert(Col::Problem, c);
    }
    Some(Columns { by_col, names, data_start: header + if second_is_header { 2 } else { 1 } })
}

/// Finds a header row given by exact words (the sheets this crate writes for itself).
fn find_fixed_header(grid: &Grid, must: &[&str]) -> Option<usize> {
    (0..grid.cells.len().min(10)).find(|&r| {
        must.iter().all(|m| (0..grid.width()).any(|c| grid.text(r, c).is_some_and(|t| columns::normalise(&t) == *m)))
    })
}

/// Copies the value of a vertically merged region into its lower cells, except in the columns
/// where a blank cell means "same record as above".
fn carry_merged(grid: &mut Grid, merges: &[calamine::Dimensions], cols: &Columns) {
    for m in merges {
        let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
        let (r1, c1) = (m.end.0 as usize, m.end.1 as usize);
        if r1 <= r0 || r0 < cols.data_start {
            continue;
        }
        let value = grid.get(r0, c0).clone();
        for c in c0..=c1 {
            if cols.col_of(c).is_some_and(columns::is_identity) {
                continue;
            }
            for r in r0..=r1 {
                if (r, c) == (r0, c0) {
                    continue;
                }
                if let Some(cell) = grid.cells.get_mut(r).and_then(|row| row.get_mut(c)) {
                    *cell = value.clone();
                }
            }
        }
    }
}

/// Splits "一、政治建设方面" or "（二）关于…" into its number and title.
fn split_heading(text: &str) -> (Option<String>, Option<String>) {
    let t = text.trim();
    let numeral =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "一二三四五六七八九十百零".contains(c));
    if let Some(rest) = t.strip_prefix(['（', '(']) {
        if let Some((num, title)) = rest.split_once(['）', ')'])
            && numeral(num)
        {
            let title = title.trim();
            return (Some(num.to_string()), (!title.is_empty()).then(|| title.to_string()));
        }
    } else if let Some((num, title)) = t.split_once(['、', '.', '．'])
        && numeral(num)
    {
        let title = title.trim();
        return (Some(num.to_string()), (!title.is_empty()).then(|| title.to_string()));
    }
    (None, Some(t.to_string()))
}

/// A problem read from a sheet, with the 序号 that other sheets use to point at it.
struct Keyed {
    seq: Option<String>,
    problem: Problem,
    has_status: bool,
}

struct KeyedAspect {
    number: Option<String>,
    title: Option<String>,
    problems: Vec<Keyed>,
    /// Made up for problems under no aspect (the sheet names none), so sheets may share it.
    implicit: bool,
}

/// The accumulating import.
struct Import {
    opts: ImportOptions,
    bad: Vec<RowError>,
    warnings: Vec<RowError>,
    ctx: YearContext,
    report_date: Option<PartialDate>,
    rows_read: usize,
}

impl Import {
    fn error(&mut self, grid: &Grid, row: usize, column: Option<String>, message: String) {
        self.bad.push(RowError { sheet: grid.name.clone(), row: row as u32 + 1, column, message });
    }

    fn warn(&mut self, grid: &Grid, row: usize, column: Option<String>, message: String) {
        self.warnings.push(RowError { sheet: grid.name.clone(), row: row as u32 + 1, column, message });
    }
}

/// The values of one row in a problem or ledger sheet.
struct RowView<'a> {
    grid: &'a Grid,
    cols: &'a Columns,
    row: usize,
}

impl RowView<'_> {
    fn text(&self, col: Col) -> Option<String> {
        self.cols.at(col).and_then(|c| self.grid.text(self.row, c))
    }

    fn data(&self, col: Col) -> &Data {
        self.cols.at(col).map_or(&EMPTY, |c| self.grid.get(self.row, c))
    }

    fn column(&self, col: Col) -> Option<String> {
        self.cols.at(col).map(|c| self.cols.describe(c))
    }

    /// The one filled cell of a heading row such as "一、政治建设方面", merged across the table.
    fn heading(&self) -> Option<String> {
        let filled: Vec<usize> = (0..self.grid.width()).filter(|&c| self.grid.text(self.row, c).is_some()).collect();
        let [c] = filled.as_slice() else { return None };
        let structural = match self.cols.col_of(*c) {
            None => true,
            Some(col) => matches!(col, Col::Seq | Col::Aspect | Col::AspectNumber | Col::Problem),
        };
        let text = self.grid.text(self.row, *c)?;
        (structural && text.parse::<f64>().is_err()).then_some(text)
    }
}

/// A status cell: a status word, or a status word followed by a remark ("已完成。制定了…").
fn read_status(text: &str) -> Option<(Status, Option<String>)> {
    if let Some(s) = labels::parse_status(text) {
        return Some((s, None));
    }
    let (head, tail) = text.split_once(['。', '，', ',', '；', ';', '：', ':', ' ', '\n'])?;
    let s = labels::parse_status(head)?;
    let tail = tail.trim();
    Some((s, (!tail.is_empty()).then(|| tail.to_string())))
}

/// A progress note whose text starts with its date ("2024年3月5日：召开…").
fn dated_progress(text: &str, ctx: YearContext) -> Option<(PartialDate, String)> {
    let (head, tail) = text.split_once(['：', ':', ' ', '，', ','])?;
    let date = dates::parse_text(head, ctx).ok()?;
    let tail = tail.trim();
    (!tail.is_empty()).then(|| (date, tail.to_string()))
}

/// Aspect grouping state shared by the problem and ledger sheets.
struct AspectCursor {
    key: Option<(Option<String>, Option<String>, Option<String>)>,
}

impl AspectCursor {
    /// Starts a new aspect when the row names one different from the current one.
    fn advance(&mut self, view: &RowView<'_>, out: &mut Vec<KeyedAspect>) -> bool {
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

    fn heading(&mut self, text: &str, out: &mut Vec<KeyedAspect>) {
        let (number, title) = split_heading(text);
        out.push(KeyedAspect { number: number.clone(), title: title.clone(), problems: Vec::new(), implicit: false });
        self.key = Some((Some(text.to_string()), number, title));
    }
}

/// The aspect new problems go into: the current one, or a shared one without heading.
fn current_aspect(out: &mut Vec<KeyedAspect>) -> &mut KeyedAspect {
    if out.is_empty() {
        out.push(KeyedAspect { number: None, title: None, problems: Vec::new(), implicit: true });
    }
    let last = out.len() - 1;
    &mut out[last]
}

/// Problem-level values of a row; errors are recorded on the import.
fn read_problem(imp: &mut Import, view: &RowView<'_>, title: &str) -> Option<Keyed> {
    let mut ok = true;
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
                imp.error(view.grid, view.row, view.column(Col::Scope), format!("unknown problem scope {t:?}"));
                ok = false;
            }
        }
    }
    if let Some(t) = view.text(Col::Disclosure) {
        match labels::parse_disclosure(&t) {
            Some(d) => problem.disclosure = d,
            None => {
                imp.error(view.grid, view.row, view.column(Col::Disclosure), format!("unknown disclosure {t:?}"));
                ok = false;
            }
        }
    }
    problem.responsibility.leader = view.text(Col::Leader);
    problem.responsibility.first_responsible = view.text(Col::FirstResponsible);
    ok.then_some(Keyed { seq: view.text(Col::Seq), problem, has_status: false })
}

/// Reads a problem list (问题清单): one problem per row, no measures.
fn read_problem_sheet(imp: &mut Import, grid: &Grid, cols: &Columns) -> Vec<KeyedAspect> {
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
            if let Some(h) = view.heading() {
                cursor.heading(&h, &mut out);
                continue;
            }
            imp.error(grid, row, view.column(Col::Problem), "no problem text (问题)".to_string());
            continue;
        };
        cursor.advance(&view, &mut out);
        let status = match view.text(Col::Status) {
            Some(t) => match read_status(&t) {
                Some((s, _)) => Some(s),
                None => {
                    imp.error(grid, row, view.column(Col::Status), format!("unknown status {t:?}"));
                    continue;
                }
            },
            None => None,
        };
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
enum Track {
    None,
    Open,
    Skipped,
}

/// Reads a ledger sheet (问题 × 整改措施 rows).
fn read_ledger_sheet(imp: &mut Import, grid: &Grid, cols: &Columns) -> Vec<KeyedAspect> {
    let mut out: Vec<KeyedAspect> = Vec::new();
    let mut aspects = AspectCursor { key: None };
    let mut problem = Track::None;
    let mut measure = Track::None;
    let mut current_seq: Option<String> = None;
    let mut current_title = String::new();
    let mut current_measure: (Option<String>, String) = (None, String::new());
    for row in cols.data_start..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        imp.rows_read += 1;
        let view = RowView { grid, cols, row };
        let ptext = view.text(Col::Problem);
        let mtext = view.text(Col::Measure);
        let seq = view.text(Col::Seq);
        if ptext.is_none() && mtext.is_none() {
            if aspects.advance(&view, &mut out) && view.text(Col::Progress).is_none() {
                problem = Track::None;
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
                    imp.error(grid, row, view.column(Col::Problem), "no problem text (问题)".to_string());
                    problem = Track::Skipped;
                    current_seq = seq;
                    continue;
                }
                false
            }
        };
        if !starts_problem && problem == Track::Skipped {
            continue;
        }
        let mseq = view.text(Col::MeasureSeq);
        let starts_measure = match &mtext {
            Some(t) => starts_problem || measure == Track::None || (mseq.clone(), t.clone()) != current_measure,
            None => false,
        };
        if !starts_problem && !starts_measure && measure == Track::Skipped {
            continue;
        }
        let errors_before = imp.bad.len();
        let mut values = read_measure_values(imp, &view, starts_measure || (starts_problem && mtext.is_none()));
        if starts_problem && mtext.is_none() && values.has_measure_data() {
            imp.error(
                grid,
                row,
                view.column(Col::Measure),
                "a deadline or status needs a measure (整改措施)".to_string(),
            );
        }
        let keyed = if starts_problem { ptext.as_deref().and_then(|t| read_problem(imp, &view, t)) } else { None };
        if imp.bad.len() > errors_before {
            if starts_problem {
                problem = Track::Skipped;
                current_seq = seq;
                current_title = ptext.unwrap_or_default();
            }
            if starts_measure || starts_problem {
                measure = Track::Skipped;
                current_measure = (mseq, mtext.unwrap_or_default());
            }
            continue;
        }
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
                _ => imp.warn(
                    grid,
                    row,
                    view.column(Col::Progress),
                    format!("progress {text:?} has no date and was left out"),
                ),
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

/// A problem's status from its measures' when the ledger gives none for the problem.
fn roll_up(measures: &[Measure]) -> Status {
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
struct MeasureValues {
    kind: Option<rectify_domain::MeasureKind>,
    deadline: Option<PartialDate>,
    status: Option<Status>,
    departments: Vec<String>,
    liaison: Option<String>,
    progress: Option<ProgressEntry>,
    /// Progress text without a date.
    undated_progress: Option<String>,
    evidence: Vec<String>,
    dates: Vec<PartialDate>,
    amounts: Vec<WanYuan>,
    documents: Vec<String>,
}

impl MeasureValues {
    fn has_measure_data(&self) -> bool {
        self.deadline.is_some() || self.kind.is_some() || self.progress.is_some() || !self.evidence.is_empty()
    }

    fn apply_to_new(self, m: &mut Measure) {
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

    fn apply_to_continuation(self, m: &mut Measure) {
        m.progress.extend(self.progress);
        m.evidence.extend(self.evidence.into_iter().filter_map(|t| evidence(&t)));
    }
}

fn evidence(title: &str) -> Option<Evidence> {
    Some(Evidence {
        title: NonEmptyText::new(title).ok()?,
        kind: None,
        date: None,
        media_type: None,
        size_bytes: None,
        sha256: None,
    })
}

fn read_measure_values(imp: &mut Import, view: &RowView<'_>, full: bool) -> MeasureValues {
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

/// Joins the problem list with the problems read from ledger sheets, by 序号 and title.
fn join(lists: Vec<KeyedAspect>, ledger: Vec<KeyedAspect>, imp: &mut Import) -> Vec<KeyedAspect> {
    if lists.is_empty() {
        return ledger;
    }
    let mut pool: Vec<Option<Keyed>> = ledger.into_iter().flat_map(|a| a.problems).map(Some).collect();
    let mut take = |seq: &Option<String>, title: &str| -> Option<Keyed> {
        let pos = pool
            .iter()
            .position(|k| k.as_ref().is_some_and(|k| &k.seq == seq && k.problem.title.as_str() == title))
            .or_else(|| pool.iter().position(|k| k.as_ref().is_some_and(|k| seq.is_some() && &k.seq == seq)))
            .or_else(|| pool.iter().position(|k| k.as_ref().is_some_and(|k| k.problem.title.as_str() == title)))?;
        pool.get_mut(pos)?.take()
    };
    let mut out = lists;
    for aspect in &mut out {
        for k in &mut aspect.problems {
            if let Some(found) = take(&k.seq, k.problem.title.as_str()) {
                k.problem.measures = found.problem.measures;
                if !k.has_status {
                    k.problem.status = found.problem.status;
                    k.has_status = found.has_status;
                }
                k.problem.responsibility.fill_from(&found.problem.responsibility);
            }
        }
    }
    let rest: Vec<Keyed> = pool.into_iter().flatten().collect();
    if !rest.is_empty() {
        imp.warnings.push(RowError {
            sheet: String::new(),
            row: 0,
            column: None,
            message: format!(
                "{} problem(s) of the ledger sheets are not in the problem list; added at the end",
                rest.len()
            ),
        });
        out.push(KeyedAspect { number: None, title: None, problems: rest, implicit: true });
    }
    out
}

/// Locates problems by the 序号 the workbook gives them.
struct Index {
    seqs: Vec<(Option<String>, ProblemRef)>,
}

impl Index {
    fn new(aspects: &[KeyedAspect]) -> Self {
        let seqs = aspects
            .iter()
            .enumerate()
            .flat_map(|(ai, a)| {
                a.problems
                    .iter()
                    .enumerate()
                    .map(move |(pi, k)| (k.seq.clone(), ProblemRef { aspect: ai, problem: pi }))
            })
            .collect();
        Index { seqs }
    }

    fn find(&self, seq: &str) -> Option<ProblemRef> {
        self.seqs.iter().find(|(s, _)| s.as_deref() == Some(seq)).map(|(_, r)| *r)
    }
}

fn problem_mut(aspects: &mut [KeyedAspect], r: ProblemRef) -> Option<&mut Problem> {
    aspects.get_mut(r.aspect)?.problems.get_mut(r.problem).map(|k| &mut k.problem)
}

fn measure_index(grid: &Grid, row: usize, col: usize) -> Option<Option<usize>> {
    match grid.text(row, col) {
        None => Some(None),
        Some(t) => t.parse::<usize>().ok().filter(|n| *n >= 1).map(|n| Some(n - 1)),
    }
}

/// 责任清单: responsibility per problem (措施序号 blank) and per measure.
fn read_responsibility(imp: &mut Import, grid: &Grid, cols: &Columns, aspects: &mut [KeyedAspect], index: &Index) {
    let mut seq: Option<String> = None;
    for row in cols.data_start..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        let view = RowView { grid, cols, row };
        if let Some(s) = view.text(Col::Seq) {
            seq = Some(s);
        }
        let Some(r) = seq.as_deref().and_then(|s| index.find(s)) else {
            imp.error(
                grid,
                row,
                view.column(Col::Seq),
                format!("no problem with 序号 {:?}", seq.clone().unwrap_or_default()),
            );
            continue;
        };
        let Some(m) = cols.at(Col::MeasureSeq).map_or(Some(None), |c| measure_index(grid, row, c)) else {
            imp.error(grid, row, view.column(Col::MeasureSeq), "措施序号 is not a number".to_string());
            continue;
        };
        let resp = Responsibility {
            first_responsible: view.text(Col::FirstResponsible),
            leader: view.text(Col::Leader),
            departments: view.text(Col::Departments).map(|t| labels::split_list(&t)).unwrap_or_default(),
            liaison: view.text(Col::Liaison),
        };
        let Some(p) = problem_mut(aspects, r) else { continue };
        match m {
            None => p.responsibility = resp,
            Some(i) => match p.measures.get_mut(i) {
                Some(measure) => measure.responsibility = resp,
                None => imp.error(grid, row, view.column(Col::MeasureSeq), format!("problem has no measure {}", i + 1)),
            },
        }
    }
}

/// 佐证材料: every piece of evidence with its metadata, replacing the titles of the ledger sheet.
fn read_evidence(imp: &mut Import, grid: &Grid, header: usize, aspects: &mut [KeyedAspect], index: &Index) {
    for k in aspects.iter_mut().flat_map(|a| a.problems.iter_mut()) {
        for m in &mut k.problem.measures {
            m.evidence.clear();
            for p in &mut m.progress {
                p.evidence.clear();
            }
        }
    }
    let col =
        |c: usize| columns::letter(c as u32) + "（" + labels::EVIDENCE_HEADER.get(c).copied().unwrap_or("") + "）";
    for row in header + 1..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        let seq = grid.text(row, 0).unwrap_or_default();
        let Some(r) = index.find(&seq) else {
            imp.error(grid, row, Some(col(0)), format!("no problem with 序号 {seq:?}"));
            continue;
        };
        let (Some(Some(mi)), Some(pi)) = (measure_index(grid, row, 1), measure_index(grid, row, 2)) else {
            imp.error(grid, row, Some(col(1)), "措施序号 and 进展序号 must be numbers".to_string());
            continue;
        };
        let Some(title) = grid.text(row, 3).and_then(|t| NonEmptyText::new(t).ok()) else {
            imp.error(grid, row, Some(col(3)), "no title (材料名称)".to_string());
            continue;
        };
        let date = match cell_date(grid.get(row, 5), imp.ctx) {
            Ok(d) => d,
            Err(e) => {
                imp.error(grid, row, Some(col(5)), e.message(&grid.text(row, 5).unwrap_or_default()));
                continue;
            }
        };
        let size_bytes = match grid.text(row, 7) {
            None => None,
            Some(t) => match t.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    imp.error(grid, row, Some(col(7)), format!("size {t:?} is not a whole number of bytes"));
                    continue;
                }
            },
        };
        let e = Evidence {
            title,
            kind: grid.text(row, 4),
            date,
            media_type: grid.text(row, 6),
            size_bytes,
            sha256: grid.text(row, 8),
        };
        let target = problem_mut(aspects, r).and_then(|p| p.measures.get_mut(mi));
        let placed = match (target, pi) {
            (Some(m), None) => {
                m.evidence.push(e);
                true
            }
            (Some(m), Some(pi)) => m.progress.get_mut(pi).map(|p| p.evidence.push(e)).is_some(),
            (None, _) => false,
        };
        if !placed {
            imp.error(grid, row, Some(col(1)), "no such measure or progress entry".to_string());
        }
    }
}

/// 基本信息: the ledger's header facts as key–value rows.
fn read_info(imp: &mut Import, grid: &Grid, header: usize, ledger: &mut Ledger) {
    let policy_default = ledger.policy.clone();
    let mut claimed_accountability = Tally::default();
    for row in header + 1..grid.cells.len() {
        let Some(name) = grid.text(row, 0) else { continue };
        let name = columns::normalise(&name);
        let is = |k: &str| name == columns::normalise(k);
        let a = grid.get(row, 1);
        let text = grid.text(row, 1);
        let b = grid.text(row, 2);
        let col_b = Some(format!("B（{}）", labels::INFO_HEADER[1]));
        let date = |imp: &mut Import| match cell_date(a, YearContext::default()) {
            Ok(d) => d,
            Err(e) => {
                imp.error(grid, row, col_b.clone(), e.message(&text.clone().unwrap_or_default()));
                None
            }
        };
        let count = |imp: &mut Import| -> Option<u32> {
            let v = cell_u32(a);
            if v.is_none() && text.is_some() {
                imp.error(
                    grid,
                    row,
                    col_b.clone(),
                    format!("{:?} is not a whole number", text.clone().unwrap_or_default()),
                );
            }
            v
        };
        let insp = &mut ledger.inspection;
        let c = &mut ledger.claimed;
        if is(key::TITLE) {
            ledger.title = text;
        } else if is(key::UNIT) {
            ledger.unit = text;
        } else if is(key::REPORT_DATE) {
            ledger.report_date = date(imp);
        } else if is(key::INSPECTOR) {
            insp.inspector = text;
        } else if is(key::START) {
            insp.start = date(imp);
        } else if is(key::END) {
            insp.end = date(imp);
        } else if is(key::FEEDBACK_DATE) {
            insp.feedback_date = date(imp);
        } else if is(key::ROUND) {
            insp.round = text;
        } else if is(key::KIND) {
            insp.kind = text;
        } else if is(key::FEEDBACK_DOCUMENT) {
            insp.feedback_document = text;
        } else if is(key::CLAIMED_ASPECTS) {
            c.aspects = count(imp);
        } else if is(key::CLAIMED_PROBLEMS) {
            c.problems = count(imp);
        } else if is(key::CLAIMED_MEASURES) {
            c.measures = count(imp);
        } else if is(key::CLAIMED_COMPLETED) {
            c.completed = count(imp);
        } else if is(key::CLAIMED_IN_PROGRESS) {
            c.in_progress = count(imp);
        } else if is(key::CLAIMED_RULES) {
            c.rules_made_or_revised = count(imp);
        } else if is(key::CLAIMED_RATE) {
            c.completion_rate_percent = match a {
                Data::Float(f) => Some(*f),
                Data::Int(i) => Some(*i as f64),
                _ => text.as_deref().and_then(|t| t.trim_end_matches('%').parse().ok()),
            };
        } else if is(key::CLAIMED_FUNDS) {
            c.funds_recovered_wan_yuan =
                match text.as_deref().map(|t| WanYuan::parse_wan_yuan(t.trim_end_matches("万元"))) {
                    Some(Ok(w)) => Some(w),
                    Some(Err(e)) => {
                        imp.error(grid, row, col_b.clone(), e.to_string());
                        None
                    }
                    None => None,
                };
        } else if is(key::CLAIMED_ACCOUNTABILITY) {
            match (text, cell_u32(grid.get(row, 2))) {
                (Some(kind), Some(n)) => claimed_accountability.add(&kind, n),
                _ => imp.error(
                    grid,
                    row,
                    Some("C（补充）".to_string()),
                    "needs a kind and a number of people".to_string(),
                ),
            }
        } else if is(key::NAMED_DOCUMENT) {
            ledger.named_documents.extend(text);
        } else if is(key::PHONE) {
            ledger.contacts.phones.extend(text);
        } else if is(key::EMAIL) {
            ledger.contacts.emails.extend(text);
        } else if is(key::ADDRESS) {
            ledger.contacts.addresses.extend(text);
        } else if is(key::POSTCODE) {
            ledger.contacts.postcodes.extend(text);
        } else if is(key::FORMER_NAME) {
            let until = match cell_date(grid.get(row, 2), YearContext::default()) {
                Ok(d) => d,
                Err(e) => {
                    imp.error(grid, row, Some("C（补充）".to_string()), e.message(&b.clone().unwrap_or_default()));
                    None
                }
            };
            if let Some(name) = text.and_then(|t| NonEmptyText::new(t).ok()) {
                ledger.organisation.former_names.push(FormerName { name, until });
            }
        } else if is(key::LEADING_GROUP) || is(key::WORK_TEAM) {
            let member = text.and_then(|r| NonEmptyText::new(r).ok()).zip(b.and_then(|n| NonEmptyText::new(n).ok()));
            match member {
                Some((role, name)) if is(key::LEADING_GROUP) => {
                    ledger.organisation.leading_group.push(Member { role, name })
                }
                Some((role, name)) => ledger.organisation.work_team.push(Member { role, name }),
                None => imp.error(grid, row, col_b.clone(), "a member needs a role and a name".to_string()),
            }
        } else if is(key::LIAISON) {
            ledger.organisation.liaison = text;
        } else if is(key::LONG_TERM_COUNTS) {
            ledger.policy.long_term_counts_as_completed = text.as_deref() == Some(labels::YES);
        } else if is(key::RATE_DECIMALS) {
            ledger.policy.rate_decimals =
                cell_u32(a).and_then(|n| u8::try_from(n).ok()).unwrap_or(policy_default.rate_decimals);
        } else if is(key::GREEN_WITHIN) {
            ledger.policy.lights.green_within = cell_u32(a);
        } else if is(key::YELLOW_WITHIN) {
            ledger.policy.lights.yellow_within = cell_u32(a).unwrap_or(policy_default.lights.yellow_within);
        } else if is(key::WORKING_DAYS) {
            ledger.policy.lights.working_days = text.as_deref() == Some(labels::YES);
        } else if is(key::GREEN_TO) || is(key::YELLOW_TO) || is(key::RED_TO) {
            match labels::parse_roles(text.as_deref().unwrap_or_default()) {
                Ok(roles) => {
                    let to = &mut ledger.policy.light_recipients;
                    let slot = if is(key::GREEN_TO) {
                        &mut to.green
                    } else if is(key::YELLOW_TO) {
                        &mut to.yellow
                    } else {
                        &mut to.red
                    };
                    *slot = roles;
                }
                Err(word) => imp.error(grid, row, col_b.clone(), format!("{word:?} is not a role")),
            }
        } else {
            imp.warn(grid, row, Some("A（项目）".to_string()), format!("unknown item {name:?} ignored"));
        }
    }
    ledger.claimed.accountability = claimed_accountability;
}

/// 成效: rules, funds, accountability and meetings in one table.
fn read_outcomes(imp: &mut Import, grid: &Grid, header: usize, ledger: &mut Ledger, index: &Index) {
    let col = |c: usize| {
        Some(columns::letter(c as u32) + "（" + labels::OUTCOMES_HEADER.get(c).copied().unwrap_or("") + "）")
    };
    for row in header + 1..grid.cells.len() {
        if grid.row_is_empty(row) {
            continue;
        }
        let category = grid.text(row, 0).unwrap_or_default();
        let Some(item) = grid.text(row, 1) else {
            imp.error(grid, row, col(1), "no item (事项)".to_string());
            continue;
        };
        let date = match cell_date(grid.get(row, 4), imp.ctx) {
            Ok(d) => d,
            Err(e) => {
                imp.error(grid, row, col(4), e.message(&grid.text(row, 4).unwrap_or_default()));
                continue;
            }
        };
        let problems: Vec<Option<ProblemRef>> = grid
            .text(row, 5)
            .map(|t| labels::split_list(&t))
            .unwrap_or_default()
            .iter()
            .map(|s| index.find(s))
            .collect();
        if problems.iter().any(Option::is_none) {
            imp.error(grid, row, col(5), "no problem with that 序号".to_string());
            continue;
        }
        let problems: Vec<ProblemRef> = problems.into_iter().flatten().collect();
        let measure = match (problems.first(), grid.text(row, 6)) {
            (Some(p), Some(m)) => match m.parse::<usize>() {
                Ok(n) if n >= 1 && ledger_measure_exists(ledger, *p, n - 1) => {
                    Some(MeasureRef { aspect: p.aspect, problem: p.problem, measure: n - 1 })
                }
                _ => {
                    imp.error(grid, row, col(6), format!("no measure {m:?} in that problem"));
                    continue;
                }
            },
            _ => None,
        };
        let how = grid.text(row, 2).unwrap_or_default();
        let note = grid.text(row, 7);
        let detail = grid.text(row, 8).map(|t| labels::split_lines(&t)).unwrap_or_default();
        let o = &mut ledger.outcomes;
        match category.as_str() {
            labels::OUTCOME_RULE => match (DocumentTitle::new(&item), labels::parse_rule_action(&how)) {
                (Ok(title), Some(action)) => o.rules.push(Rule { title, action, date, measure }),
                _ => imp.error(grid, row, col(2), "a rule needs a title and 制定 or 修订".to_string()),
            },
            labels::OUTCOME_FUND => {
                let amount = grid.text(row, 3).map(|t| WanYuan::parse_wan_yuan(t.trim_end_matches("万元")));
                match (labels::parse_fund_kind(&item), amount) {
                    (Some(kind), Some(Ok(amount_wan_yuan))) => {
                        o.funds.push(Fund { kind, amount_wan_yuan, date, measure, note })
                    }
                    _ => imp.error(grid, row, col(3), "a fund needs a known kind and an amount in 万元".to_string()),
                }
            }
            labels::OUTCOME_ACCOUNTABILITY => {
                match (NonEmptyText::new(item), labels::parse_counting(&how), cell_u32(grid.get(row, 3))) {
                    (Ok(kind), Some(counting), Some(count)) => o.accountability.push(Accountability {
                        kind,
                        count,
                        counting,
                        persons: detail,
                        date,
                        problem: problems.first().copied(),
                    }),
                    _ => {
                        imp.error(grid, row, col(3), "accountability needs a kind, 人 or 人次, and a count".to_string())
                    }
                }
            }
            labels::OUTCOME_MEETING => match NonEmptyText::new(item) {
                Ok(kind) => o.meetings.push(Meeting { kind, date, title: note, decisions: detail, problems }),
                Err(_) => imp.error(grid, row, col(1), "a meeting needs a kind".to_string()),
            },
            other => imp.error(grid, row, col(0), format!("unknown category {other:?}")),
        }
    }
}

fn ledger_measure_exists(ledger: &Ledger, p: ProblemRef, m: usize) -> bool {
    ledger.measure(MeasureRef { aspect: p.aspect, problem: p.problem, measure: m }).is_some()
}

/// Ledgers are small; these bounds keep a damaged or hostile file from exhausting memory
/// (a single cell at XFD1048576 would otherwise make a 17-billion-cell grid).
const MAX_ROWS: u32 = 100_000;
const MAX_COLUMNS: u32 = 256;
const MAX_CELLS: usize = 2_000_000;

fn load(bytes: &[u8]) -> Result<Vec<(Grid, Vec<calamine::Dimensions>)>, ImportError> {
    // calamine can panic on malformed cell references (an arithmetic overflow found by fuzzing);
    // a damaged file must come back as an error, never bring the process down.
    std::panic::catch_unwind(|| load_sheets(bytes)).unwrap_or_else(|_| {
        Err(ImportError::NotAWorkbook("the workbook is damaged (unreadable cell references)".to_string()))
    })
}

fn load_sheets(bytes: &[u8]) -> Result<Vec<(Grid, Vec<calamine::Dimensions>)>, ImportError> {
    let damaged = |e: calamine::XlsxError| ImportError::NotAWorkbook(e.to_string());
    let mut xlsx: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    let mut out = Vec::new();
    let mut cells_seen = 0usize;
    for name in xlsx.sheet_names() {
        let merges = xlsx.merge_cells_by_sheet_name(&name).unwrap_or_default();
        // Stream the cells into a sparse list first: calamine's dense ranges would allocate for
        // the sheet's whole declared extent.
        let mut sparse: Vec<(u32, u32, Data)> = Vec::new();
        let mut reader = xlsx.worksheet_cells_reader(&name).map_err(damaged)?;
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            let (r, c) = cell.get_position();
            if r >= MAX_ROWS || c >= MAX_COLUMNS {
                return Err(ImportError::NotAWorkbook(format!(
                    "sheet {name} reaches row {} column {}, beyond what a ledger can have ({MAX_ROWS} rows, {MAX_COLUMNS} columns)",
                    r + 1,
                    c + 1
                )));
            }
            let value = Data::from(cell.get_value().clone());
            if value != Data::Empty {
                sparse.push((r, c, value));
                cells_seen += 1;
                if cells_seen > MAX_CELLS {
                    return Err(ImportError::NotAWorkbook(format!(
                        "more than {MAX_CELLS} cells: too large for a ledger"
                    )));
                }
            }
        }
        drop(reader);
        let rows = sparse.iter().map(|(r, _, _)| *r as usize + 1).max().unwrap_or(0);
        let cols = sparse.iter().map(|(_, c, _)| *c as usize + 1).max().unwrap_or(0);
        if rows.saturating_mul(cols) > MAX_CELLS {
            return Err(ImportError::NotAWorkbook(format!(
                "sheet {name} spans {rows}×{cols} cells: too large for a ledger"
            )));
        }
        let mut cells = vec![vec![Data::Empty; cols]; rows];
        for (r, c, v) in sparse {
            cells[r as usize][c as usize] = v;
        }
        out.push((Grid { name, cells }, merges));
    }
    Ok(out)
}

#[derive(PartialEq, Eq)]
enum Role {
    Info(usize),
    Outcomes(usize),
    Evidence(usize),
    Ledger,
    Problems,
    Responsibility,
    Other,
}

fn role(grid: &Grid, cols: Option<&Columns>) -> Role {
    let norm = |h: &[&str]| h.iter().map(|s| columns::normalise(s)).collect::<Vec<_>>();
    let fixed = |h: &[&str]| {
        let words = norm(h);
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        find_fixed_header(grid, &refs)
    };
    if let Some(r) = fixed(&labels::INFO_HEADER[..2]) {
        return Role::Info(r);
    }
    if let Some(r) = fixed(&labels::OUTCOMES_HEADER[..3]) {
        return Role::Outcomes(r);
    }
    if let Some(r) = fixed(&labels::EVIDENCE_HEADER[..4]) {
        return Role::Evidence(r);
    }
    let Some(cols) = cols else { return Role::Other };
    let responsibility =
        [Col::FirstResponsible, Col::Leader, Col::Departments, Col::Liaison].iter().any(|c| cols.has(*c));
    if cols.has(Col::Measure) && cols.has(Col::Problem) {
        Role::Ledger
    } else if cols.has(Col::Seq) && cols.has(Col::MeasureSeq) && !cols.has(Col::Measure) && responsibility {
        Role::Responsibility
    } else if cols.has(Col::Problem) && !cols.has(Col::MeasureSeq) {
        Role::Problems
    } else {
        Role::Other
    }
}

/// Reads a ledger workbook. Every bad row is reported (nothing is returned) unless
/// `opts.skip_bad_rows`, in which case bad rows are left out and listed in [`Imported::skipped`].
pub fn read_ledger_xlsx(bytes: &[u8], opts: &ImportOptions) -> Result<Imported, ImportError> {
    let sheets = load(bytes)?;
    let mut imp = Import {
        opts: *opts,
        bad: Vec::new(),
        warnings: Vec::new(),
        ctx: YearContext::default(),
        report_date: None,
        rows_read: 0,
    };
    let mut ledger = Ledger::empty();
    let mut classified = Vec::new();
    for (mut grid, merges) in sheets {
        let cols = find_columns(&grid);
        let r = role(&grid, cols.as_ref());
        if let (Some(cols), Role::Ledger | Role::Problems | Role::Responsibility) = (&cols, &r) {
            carry_merged(&mut grid, &merges, cols);
        }
        classified.push((grid, cols, r));
    }
    let mut sheets_read = Vec::new();
    let mut used = vec![false; classified.len()];
    for (i, (grid, _, r)) in classified.iter().enumerate() {
        if let Role::Info(h) = r {
            read_info(&mut imp, grid, *h, &mut ledger);
            used[i] = true;
        }
    }
    imp.ctx.feedback = ledger.inspection.feedback_date;
    imp.report_date = ledger.report_date;
    let mut from_ledgers = Vec::new();
    let mut from_lists = Vec::new();
    for (i, (grid, cols, r)) in classified.iter().enumerate() {
        let Some(cols) = cols else { continue };
        match r {
            Role::Ledger => {
                let mut aspects = read_ledger_sheet(&mut imp, grid, cols);
                merge_unnamed(&mut from_ledgers, &mut aspects);
                used[i] = true;
            }
            Role::Problems => {
                let mut aspects = read_problem_sheet(&mut imp, grid, cols);
                merge_unnamed(&mut from_lists, &mut aspects);
                used[i] = true;
            }
            _ => {}
        }
    }
    if !used.iter().zip(&classified).any(|(u, (_, _, r))| *u && matches!(r, Role::Ledger | Role::Problems)) {
        return Err(ImportError::NoLedgerSheet(classified.into_iter().map(|(g, _, _)| g.name).collect()));
    }
    let mut aspects = join(from_lists, from_ledgers, &mut imp);
    let index = Index::new(&aspects);
    for (i, (grid, cols, r)) in classified.iter().enumerate() {
        match (r, cols) {
            (Role::Responsibility, Some(cols)) => read_responsibility(&mut imp, grid, cols, &mut aspects, &index),
            (Role::Evidence(h), _) => read_evidence(&mut imp, grid, *h, &mut aspects, &index),
            _ => continue,
        }
        used[i] = true;
    }
    ledger.aspects = aspects
        .into_iter()
        .map(|a| Aspect {
            number: a.number,
            title: a.title,
            problems: a.problems.into_iter().map(|k| k.problem).collect(),
        })
        .collect();
    for (i, (grid, _, r)) in classified.iter().enumerate() {
        if let Role::Outcomes(h) = r {
            read_outcomes(&mut imp, grid, *h, &mut ledger, &index);
            used[i] = true;
        }
    }
    for ((grid, _, _), u) in classified.iter().zip(&used) {
        if *u {
            sheets_read.push(grid.name.clone());
        }
    }
    if !imp.bad.is_empty() && !imp.opts.skip_bad_rows {
        return Err(ImportError::BadRows(imp.bad));
    }
    Ok(Imported { ledger, skipped: imp.bad, sheets_read, rows_read: imp.rows_read, warnings: imp.warnings })
}

/// Appends a sheet's aspects; problems of a sheet without aspects join the earlier unnamed one.
fn merge_unnamed(into: &mut Vec<KeyedAspect>, from: &mut Vec<KeyedAspect>) {
    for a in from.drain(..) {
        match into.iter_mut().find(|x| a.implicit && x.implicit) {
            Some(existing) => existing.problems.extend(a.problems),
            None => into.push(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_split_into_number_and_title() {
        assert_eq!(split_heading("一、政治建设方面"), (Some("一".into()), Some("政治建设方面".into())));
        assert_eq!(split_heading("（二）关于作风"), (Some("二".into()), Some("关于作风".into())));
        assert_eq!(split_heading("作风建设"), (None, Some("作风建设".into())));
    }

    #[test]
    fn status_with_a_remark() {
        assert_eq!(read_status("已完成"), Some((Status::Completed, None)));
        assert_eq!(read_status("已完成。制定了制度"), Some((Status::Completed, Some("制定了制度".into()))));
        assert_eq!(read_status("差不多了"), None);
    }
}
