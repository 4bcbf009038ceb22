//! The sheets that point at problems by 序号: 责任清单, 佐证材料, and the header facts and
//! outcomes this crate writes (基本信息, 成效).

use calamine::Data;
use rectify_domain::{
    Accountability, DocumentTitle, Evidence, FormerName, Fund, InspectionKind, Ledger, MeasureRef, Meeting, Member,
    NonEmptyText, Problem, ProblemRef, Responsibility, Rule, Tally, WanYuan,
};

use super::grid::{Grid, cell_date, cell_u32};
use super::index::Index;
use super::layout::Columns;
use super::row_view::RowView;
use super::sheets::KeyedAspect;
use super::state::Import;
use crate::columns::{self, Col};
use crate::dates::YearContext;
use crate::labels::{self, key};

pub(super) fn problem_mut(aspects: &mut [KeyedAspect], r: ProblemRef) -> Option<&mut Problem> {
    aspects.get_mut(r.aspect)?.problems.get_mut(r.problem).map(|k| &mut k.problem)
}

pub(super) fn measure_index(grid: &Grid, row: usize, col: usize) -> Option<Option<usize>> {
    match grid.text(row, col) {
        None => Some(None),
        Some(t) => t.parse::<usize>().ok().filter(|n| *n >= 1).map(|n| Some(n - 1)),
    }
}

/// 责任清单: responsibility per problem (措施序号 blank) and per measure.
pub(super) fn read_responsibility(
    imp: &mut Import,
    grid: &Grid,
    cols: &Columns,
    aspects: &mut [KeyedAspect],
    index: &Index,
) {
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
            imp.warn(
                grid,
                row,
                view.column(Col::Seq),
                format!("not read: no problem with 序号 {:?}", seq.clone().unwrap_or_default()),
            );
            continue;
        };
        let Some(m) = cols.at(Col::MeasureSeq).map_or(Some(None), |c| measure_index(grid, row, c)) else {
            imp.warn(grid, row, view.column(Col::MeasureSeq), "not read: 措施序号 is not a number".to_string());
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
                None => imp.warn(
                    grid,
                    row,
                    view.column(Col::MeasureSeq),
                    format!("not read: the problem has no measure {}", i + 1),
                ),
            },
        }
    }
}

/// 佐证材料: every piece of evidence with its metadata, replacing the titles of the ledger sheet.
pub(super) fn read_evidence(imp: &mut Import, grid: &Grid, header: usize, aspects: &mut [KeyedAspect], index: &Index) {
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
pub(super) fn read_info(imp: &mut Import, grid: &Grid, header: usize, ledger: &mut Ledger) {
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
            insp.kind = match text.as_deref().map(InspectionKind::parse_text) {
                Some(Ok(kind)) => kind,
                Some(Err(e)) => {
                    imp.error(grid, row, col_b.clone(), e.to_string());
                    None
                }
                None => None,
            };
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
pub(super) fn read_outcomes(imp: &mut Import, grid: &Grid, header: usize, ledger: &mut Ledger, index: &Index) {
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

pub(super) fn ledger_measure_exists(ledger: &Ledger, p: ProblemRef, m: usize) -> bool {
    ledger.measure(MeasureRef { aspect: p.aspect, problem: p.problem, measure: m }).is_some()
}
