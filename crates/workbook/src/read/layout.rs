//! Layout detection: where the header rows are, which column is which, how merged cells are
//! carried down, and what each sheet holds.

use std::collections::HashMap;

use calamine::Data;

use super::grid::Grid;
use crate::columns::{self, Col};
use crate::labels;

/// Where each canonical column sits in a sheet, and where its data starts.
pub(super) struct Columns {
    pub(super) by_col: HashMap<Col, usize>,
    pub(super) names: HashMap<usize, String>,
    pub(super) data_start: usize,
}

impl Columns {
    pub(super) fn at(&self, col: Col) -> Option<usize> {
        self.by_col.get(&col).copied()
    }

    pub(super) fn has(&self, col: Col) -> bool {
        self.by_col.contains_key(&col)
    }

    pub(super) fn col_of(&self, index: usize) -> Option<Col> {
        self.by_col.iter().find(|(_, i)| **i == index).map(|(c, _)| *c)
    }

    pub(super) fn describe(&self, index: usize) -> String {
        let letter = columns::letter(index as u32);
        match self.names.get(&index) {
            Some(name) => format!("{letter}（{name}）"),
            None => letter,
        }
    }
}

/// How far down a header row is looked for (title rows, 填报单位 lines and notes come first).
const HEADER_SEARCH_ROWS: usize = 20;

/// Finds the header row among the first rows (the one naming most known columns), and a
/// second header row under it when the first has merged group headings such as 责任主体.
pub(super) fn find_columns(grid: &Grid) -> Option<Columns> {
    let width = grid.width();
    let classify_row = |r: usize| -> Vec<Option<Col>> {
        (0..width).map(|c| grid.text(r, c).and_then(|t| columns::classify(&t))).collect()
    };
    let score = |cols: &[Option<Col>]| {
        let mut seen: Vec<Col> = cols.iter().flatten().copied().collect();
        seen.dedup();
        seen.len()
    };
    let exact_score = |r: usize| {
        let cols: Vec<Option<Col>> =
            (0..width).map(|c| grid.text(r, c).and_then(|t| columns::classify_exact(&t))).collect();
        score(&cols)
    };
    let (header, first) = (0..grid.cells.len().min(HEADER_SEARCH_ROWS))
        .map(|r| (r, classify_row(r)))
        .filter(|(_, cols)| score(cols) >= 2)
        .max_by_key(|(r, cols)| (exact_score(*r), score(cols), std::cmp::Reverse(*r)))?;
    let second = classify_row(header + 1);
    let seq_col = first.iter().position(|c| *c == Some(Col::Seq));
    // A second header row names columns under the first row's group headings (责任主体 over
    // 责任领导 | 责任部门): where it names a column, the first row names none.
    let second_is_header = score(&second) >= 1
        && second.iter().enumerate().all(|(c, col)| col.is_none() || first.get(c).is_none_or(Option::is_none))
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
    prefer_problem_seq(&mut by_col, &names, width, |c| {
        let second = second_is_header.then(|| second.get(c).copied().flatten()).flatten();
        second.or_else(|| first.get(c).copied().flatten())
    });
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

/// A task list (任务清单) numbers its own rows (序号) and points at problems (问题序号): the
/// problem's number is the key that joins the sheets, and the row's own number is the measure's.
fn prefer_problem_seq(
    by_col: &mut HashMap<Col, usize>,
    names: &HashMap<usize, String>,
    width: usize,
    col_at: impl Fn(usize) -> Option<Col>,
) {
    let seqs: Vec<usize> = (0..width).filter(|c| col_at(*c) == Some(Col::Seq)).collect();
    let [first, ..] = seqs.as_slice() else { return };
    let of_problem =
        seqs.iter().copied().find(|c| names.get(c).is_some_and(|n| columns::normalise(n).starts_with("问题")));
    if let Some(p) = of_problem
        && p != *first
    {
        by_col.insert(Col::Seq, p);
        by_col.entry(Col::MeasureSeq).or_insert(*first);
    }
}

/// Finds a header row given by exact words (the sheets this crate writes for itself).
pub(super) fn find_fixed_header(grid: &Grid, must: &[&str]) -> Option<usize> {
    (0..grid.cells.len().min(10)).find(|&r| {
        must.iter().all(|m| (0..grid.width()).any(|c| grid.text(r, c).is_some_and(|t| columns::normalise(&t) == *m)))
    })
}

/// Copies the value of a vertically merged region into its lower cells, except in the columns
/// where a blank cell means "same record as above".
pub(super) fn carry_merged(grid: &mut Grid, merges: &[calamine::Dimensions], cols: &Columns) {
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
pub(super) fn split_heading(text: &str) -> (Option<String>, Option<String>) {
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

#[derive(PartialEq, Eq)]
pub(super) enum Role {
    Info(usize),
    Outcomes(usize),
    Evidence(usize),
    Ledger,
    Problems,
    Responsibility,
    Other,
}

pub(super) fn role(grid: &Grid, cols: Option<&Columns>) -> Role {
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
    if cols.has(Col::Measure) && (cols.has(Col::Problem) || cols.has(Col::Seq)) {
        // A task list without problem text (任务清单 keyed by 问题序号) reads as a ledger whose
        // problems are joined to the problem list by number.
        Role::Ledger
    } else if cols.has(Col::Seq) && cols.has(Col::MeasureSeq) && !cols.has(Col::Measure) && responsibility {
        Role::Responsibility
    } else if cols.has(Col::Problem) && !cols.has(Col::MeasureSeq) {
        Role::Problems
    } else {
        Role::Other
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
}
