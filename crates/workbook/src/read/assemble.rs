//! Assembling the ledger: sheets are classified, read, and joined by problem number.

use rectify_domain::{Aspect, Ledger, ProblemRef};

use super::grid::load;
use super::layout::{Role, carry_merged, find_columns, role};
use super::reference::{read_evidence, read_info, read_outcomes, read_responsibility};
use super::sheets::{Keyed, KeyedAspect, read_ledger_sheet, read_problem_sheet};
use super::{Import, ImportError, ImportOptions, Imported, RowError};
use crate::dates::YearContext;

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

/// Locates problems by the 序号 the workbook gives them.
pub(super) struct Index {
    pub(super) seqs: Vec<(Option<String>, ProblemRef)>,
}

impl Index {
    pub(super) fn new(aspects: &[KeyedAspect]) -> Self {
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

    pub(super) fn find(&self, seq: &str) -> Option<ProblemRef> {
        self.seqs.iter().find(|(s, _)| s.as_deref() == Some(seq)).map(|(_, r)| *r)
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
pub(super) fn merge_unnamed(into: &mut Vec<KeyedAspect>, from: &mut Vec<KeyedAspect>) {
    for a in from.drain(..) {
        match into.iter_mut().find(|x| a.implicit && x.implicit) {
            Some(existing) => existing.problems.extend(a.problems),
            None => into.push(a),
        }
    }
}
