//! Assembling the ledger: sheets are classified, read, and joined by problem number.

use rectify_domain::{Aspect, Ledger};

use super::grid::{Grid, load};
use super::import::{ImportError, ImportOptions, Imported, RowError};
use super::index::Index;
use super::layout::{Role, carry_merged, find_columns, role, split_heading};
use super::reference::{read_evidence, read_info, read_outcomes, read_responsibility};
use super::sheets::{Keyed, KeyedAspect, read_ledger_sheet, read_problem_sheet};
use super::state::Import;
use crate::dates::{self, YearContext};
use crate::labels;

/// Joins the problem list with the problems read from ledger sheets, by 序号 and title.
pub(super) fn join(lists: Vec<KeyedAspect>, ledger: Vec<KeyedAspect>, imp: &mut Import) -> Vec<KeyedAspect> {
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

/// Reads a ledger workbook. What a unit's ledger says never refuses it: values that cannot be
/// read and rows that cannot be placed are [`Imported::warnings`] with sheet, row and column.
/// Bad rows of the sheets this crate writes for itself (基本信息, 成效, 佐证材料) refuse the
/// workbook unless `opts.skip_bad_rows`, which leaves them out and lists them in
/// [`Imported::skipped`]. Refused whole only when it is no workbook or no sheet has a ledger.
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
    // Sheets named like aspects (一、政治建设方面, 作风建设), each read as that aspect, when the
    // workbook keeps one sheet per aspect.
    let ledger_sheets: Vec<&str> = classified
        .iter()
        .filter(|(_, c, r)| c.is_some() && matches!(r, Role::Ledger | Role::Problems))
        .map(|(g, _, _)| g.name.as_str())
        .collect();
    let sheet_aspects = ledger_sheets.len() >= 2 && ledger_sheets.iter().all(|n| !generic_sheet_name(n));
    for (i, (grid, cols, r)) in classified.iter().enumerate() {
        let Some(cols) = cols else { continue };
        match r {
            Role::Ledger => {
                title_date(&mut imp, grid, cols.data_start, &mut ledger);
                let mut aspects = read_ledger_sheet(&mut imp, grid, cols);
                name_aspect_by_sheet(&mut aspects, &grid.name, sheet_aspects);
                merge_unnamed(&mut from_ledgers, &mut aspects);
                used[i] = true;
            }
            Role::Problems => {
                title_date(&mut imp, grid, cols.data_start, &mut ledger);
                let mut aspects = read_problem_sheet(&mut imp, grid, cols);
                name_aspect_by_sheet(&mut aspects, &grid.name, sheet_aspects);
                if !join_list(&mut from_lists, &mut aspects, &grid.name) {
                    merge_unnamed(&mut from_lists, &mut aspects);
                }
                used[i] = true;
            }
            _ => {}
        }
    }
    for (grid, _, r) in &classified {
        if *r == Role::Other
            && grid.name != labels::SHEET_STATISTICS
            && (0..grid.cells.len()).any(|r| !grid.row_is_empty(r))
        {
            let message = "sheet not read: no header row with at least two known columns (问题, 整改措施, 完成时限 …) in its first rows";
            imp.warnings.push(RowError {
                sheet: grid.name.clone(),
                row: 0,
                column: None,
                message: message.to_string(),
            });
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

/// Sheet names that say what kind of table it is, not which aspect (Sheet1, 整改台账, 问题清单,
/// 第二批, 汇总表 …).
fn generic_sheet_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words = ["sheet", "台账", "清单", "表", "批", "汇总", "明细", "附件", "数据", "目录", "说明", "统计", "整改"];
    lower.is_ascii() || words.iter().any(|w| lower.contains(w))
}

/// A sheet without aspect columns or headings takes its name as its aspect when the name reads
/// as one ("一、政治建设方面", "（二）作风建设", "党风廉政建设方面"), or when every ledger sheet of
/// the workbook has a name that is not generic (one sheet per aspect).
fn name_aspect_by_sheet(aspects: &mut [KeyedAspect], sheet: &str, sheet_aspects: bool) {
    let [only] = aspects else { return };
    if !only.implicit {
        return;
    }
    let (number, title) = split_heading(sheet);
    let named = number.is_some() || sheet.contains("方面") || (sheet_aspects && !generic_sheet_name(sheet));
    if named && title.is_some() {
        only.number = number;
        only.title = title;
        only.implicit = false;
    }
}

/// A second problem list over the same problems (a 责任清单 beside the 问题清单): its rows join
/// the problems already read, by 序号, filling what they add. Returns false, leaving `from`
/// untouched, when the sheet lists problems of its own (another aspect or batch).
fn join_list(into: &mut [KeyedAspect], from: &mut Vec<KeyedAspect>, sheet: &str) -> bool {
    let known: Vec<&Keyed> = into.iter().flat_map(|a| &a.problems).collect();
    let rows: Vec<&Keyed> = from.iter().flat_map(|a| &a.problems).collect();
    if known.is_empty() || rows.is_empty() {
        return false;
    }
    let find = |k: &Keyed| known.iter().position(|x| x.seq.is_some() && x.seq == k.seq);
    let all_numbered = rows.iter().all(|k| find(k).is_some());
    let same_titles =
        rows.iter().filter(|k| find(k).is_some_and(|i| known[i].problem.title == k.problem.title)).count();
    if !all_numbered || !(same_titles * 2 >= rows.len() || sheet.contains("责任")) {
        return false;
    }
    for k in from.drain(..).flat_map(|a| a.problems) {
        let Some(target) = into.iter_mut().flat_map(|a| a.problems.iter_mut()).find(|x| x.seq == k.seq) else {
            continue;
        };
        let p = &mut target.problem;
        p.responsibility.fill_from(&k.problem.responsibility);
        p.description = p.description.take().or(k.problem.description);
        p.category = p.category.take().or(k.problem.category);
        p.number = p.number.take().or(k.problem.number);
        if !target.has_status && k.has_status {
            p.status = k.problem.status;
            target.has_status = true;
        }
    }
    true
}

/// The date in a title row above the header ("…整改台账（截至2024年6月30日）"): the ledger's
/// report date when it has none, and the year for deadlines such as "3月底前".
fn title_date(imp: &mut Import, grid: &Grid, data_start: usize, ledger: &mut Ledger) {
    if imp.report_date.is_some() {
        return;
    }
    let found = (0..data_start.min(grid.cells.len()))
        .flat_map(|r| (0..grid.width()).map(move |c| (r, c)))
        .find_map(|(r, c)| grid.text(r, c).and_then(|t| dates::first_date_in(&t, imp.ctx)).map(|d| (r, d)));
    let Some((row, date)) = found else { return };
    imp.report_date = Some(date);
    ledger.report_date = Some(date);
    if imp.ctx.feedback.is_none() && imp.ctx.previous.is_none() {
        imp.ctx.previous = Some(date);
    }
    imp.warn(grid, row, None, format!("report date {date} taken from the title above the table"));
}

/// Appends a sheet's aspects; problems of a sheet without aspects join the earlier unnamed one.
pub(super) fn merge_unnamed(into: &mut Vec<KeyedAspect>, from: &mut Vec<KeyedAspect>) {
    for a in from.drain(..) {
        match into.iter_mut().find(|x| a.implicit && x.implicit) {
            Some(existing) => existing.problems.extend(a.problems),
            None => into.push(a),
        }
    }
}
