//! What the pages show, computed from the stored records: rows of the ledger with their deadline
//! lights, the filters over them, and the figures and chart series of the dashboard.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{self, Light, LightPolicy};
use rectify_domain::{Evidence, Ledger, MeasureKind, Status, numerals};
use rectify_report_writer::strip_measure_ordinal;
use rectify_storage::{MeasureRecord, ProblemRecord};
use serde::Serialize;

use super::format::human_size;

/// Problems per page of the ledger.
pub(crate) const PAGE_SIZE: usize = 20;

fn urgency(light: Light) -> u8 {
    match light {
        Light::Grey => 0,
        Light::None => 1,
        Light::Green => 2,
        Light::Yellow => 3,
        Light::Red => 4,
    }
}

/// The CSS class of a status badge: done, open, or needing a look.
fn status_tone(status: Status) -> &'static str {
    match status {
        Status::Completed => "done",
        Status::LongTerm | Status::PendingVerification | Status::BasicallyCompleted => "steady",
        Status::NotDone | Status::Extended => "warn",
        _ => "open",
    }
}

/// One measure as the ledger, problem and measure pages show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MeasureRow {
    pub id: i64,
    pub problem_id: i64,
    /// 一是, 二是 … by position.
    pub ordinal: String,
    /// The text without a leading ordinal of its own.
    pub text: String,
    pub kind: Option<&'static str>,
    pub kind_label: Option<&'static str>,
    pub deadline: Option<String>,
    pub days_left: Option<i64>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_tone: &'static str,
    pub light: &'static str,
    pub light_label: &'static str,
    pub leader: Option<String>,
    pub departments: Vec<String>,
    pub liaison: Option<String>,
    pub progress_count: usize,
    #[serde(skip)]
    light_value: Light,
    #[serde(skip)]
    status_value: Option<Status>,
    #[serde(skip)]
    kind_value: Option<MeasureKind>,
    #[serde(skip)]
    deadline_value: Option<NaiveDate>,
    #[serde(skip)]
    last_progress: Option<NaiveDate>,
}

/// One problem with its measures.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProblemRow {
    pub id: i64,
    /// Position in the ledger, 1-based over all problems (the 序号 column).
    pub serial: usize,
    pub aspect_index: usize,
    pub aspect_label: String,
    pub number: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_tone: &'static str,
    pub leader: Option<String>,
    pub departments: Vec<String>,
    pub first_responsible: Option<String>,
    pub liaison: Option<String>,
    /// The most urgent light of its measures.
    pub light: &'static str,
    pub light_label: &'static str,
    pub measures: Vec<MeasureRow>,
    pub measure_total: usize,
    #[serde(skip)]
    status_value: Status,
    #[serde(skip)]
    light_value: Light,
    #[serde(skip)]
    position: usize,
}

/// The label of an aspect: its number and title as printed.
pub(crate) fn aspect_label(number: Option<&str>, title: Option<&str>, index: usize) -> String {
    match (number, title) {
        // A bare numeral (一, 2) gets the enumeration comma it was printed with.
        (Some(n), Some(t)) if n.chars().last().is_some_and(|c| c.is_alphanumeric()) => format!("{n}、{t}"),
        (Some(n), Some(t)) => format!("{n}{t}"),
        (None, Some(t)) => t.to_string(),
        (Some(n), None) => format!("第{n}方面"),
        (None, None) => format!("第{}方面", numerals::to_chinese(index as u32 + 1)),
    }
}

/// Builds the rows of a ledger in ledger order, every measure with its light on `today`.
/// The day and the round's thresholds that deadline lights are computed for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LightsOn<'a> {
    pub(crate) today: NaiveDate,
    pub(crate) policy: &'a LightPolicy,
}

pub(crate) fn rows(problems: &[ProblemRecord], measures: &[MeasureRecord], lights: LightsOn) -> Vec<ProblemRow> {
    let mut by_problem: HashMap<i64, Vec<&MeasureRecord>> = HashMap::new();
    for m in measures {
        by_problem.entry(m.problem_id).or_default().push(m);
    }
    let mut ordered: Vec<&ProblemRecord> = problems.iter().collect();
    ordered.sort_by_key(|p| (p.aspect_index, p.position));
    ordered
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut own = by_problem.remove(&p.id).unwrap_or_default();
            own.sort_by_key(|m| m.position);
            problem_row(p, &own, i + 1, lights)
        })
        .collect()
}

pub(crate) fn problem_row(
    p: &ProblemRecord,
    measures: &[&MeasureRecord],
    serial: usize,
    lights: LightsOn,
) -> ProblemRow {
    let problem = &p.problem;
    let measures: Vec<MeasureRow> = measures.iter().map(|m| measure_row(m, problem.status, lights)).collect();
    let light = measures.iter().map(|m| m.light_value).max_by_key(|l| urgency(*l)).unwrap_or(Light::None);
    let r = &problem.responsibility;
    ProblemRow {
        id: p.id,
        serial,
        aspect_index: p.aspect_index,
        aspect_label: aspect_label(p.aspect_number.as_deref(), p.aspect_title.as_deref(), p.aspect_index),
        number: problem.number.clone(),
        title: problem.title.to_string(),
        description: problem.description.clone(),
        category: problem.category.clone(),
        status: problem.status.as_str(),
        status_label: problem.status.label_zh(),
        status_tone: status_tone(problem.status),
        leader: r.leader.clone(),
        departments: r.departments.clone(),
        first_responsible: r.first_responsible.clone(),
        liaison: r.liaison.clone(),
        light: light.as_str(),
        light_label: light.label_zh(),
        measure_total: measures.len(),
        measures,
        status_value: problem.status,
        light_value: light,
        position: serial,
    }
}

pub(crate) fn measure_row(m: &MeasureRecord, problem_status: Status, lights: LightsOn) -> MeasureRow {
    let today = lights.today;
    let measure = &m.measure;
    let status = measure.status.unwrap_or(problem_status);
    let light = supervision::light(Some(status), measure.deadline, today, lights.policy, &CALENDAR);
    let days_left = match (light, measure.deadline) {
        (Light::Grey, _) | (_, None) => None,
        (_, Some(d)) => Some(supervision::days_left(d, today, lights.policy, &CALENDAR)),
    };
    let (_, rest) = strip_measure_ordinal(&measure.text);
    let text = if rest.trim().is_empty() { measure.text.to_string() } else { rest.to_string() };
    let r = &measure.responsibility;
    let last_progress = measure.progress.iter().map(|e| e.date.latest()).max();
    MeasureRow {
        id: m.id,
        problem_id: m.problem_id,
        ordinal: format!("{}是", numerals::to_chinese(m.position as u32 + 1)),
        text,
        kind: measure.kind.map(MeasureKind::as_str),
        kind_label: measure.kind.map(MeasureKind::label_zh),
        deadline: measure.deadline.map(|d| d.to_chinese()),
        days_left,
        status: status.as_str(),
        status_label: status.label_zh(),
        status_tone: status_tone(status),
        light: light.as_str(),
        light_label: light.label_zh(),
        leader: r.leader.clone(),
        departments: r.departments.clone(),
        liaison: r.liaison.clone(),
        progress_count: measure.progress.len(),
        light_value: light,
        status_value: Some(status),
        kind_value: measure.kind,
        deadline_value: measure.deadline.map(|d| d.latest()),
        last_progress,
    }
}

/// The ledger's filters, as GET parameters so that a filtered view is a shareable URL.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub(crate) struct LedgerQuery {
    /// 0-based aspect index.
    pub aspect: Option<String>,
    /// Problem status (interchange name).
    pub status: Option<String>,
    /// Measure light key (`red`, `yellow` …).
    pub light: Option<String>,
    /// Measure kind (interchange name).
    pub kind: Option<String>,
    /// 责任领导.
    pub leader: Option<String>,
    /// 责任部门.
    pub dept: Option<String>,
    /// Words to find in a problem's title or description or a measure's text.
    pub q: Option<String>,
    /// `number` (default), `status`, `deadline` or `light`.
    pub sort: Option<String>,
    pub page: Option<String>,
    /// Set by the redirect after an import, to say so once.
    pub imported: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl LedgerQuery {
    /// The parameters that select rows, without the page: for links that keep the filter.
    pub(crate) fn pairs(&self, with_sort: bool) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (key, value) in [
            ("aspect", &self.aspect),
            ("status", &self.status),
            ("light", &self.light),
            ("kind", &self.kind),
            ("leader", &self.leader),
            ("dept", &self.dept),
            ("q", &self.q),
        ] {
            if let Some(v) = given(value) {
                out.push((key, v.to_string()));
            }
        }
        if with_sort && let Some(s) = given(&self.sort) {
            out.push(("sort", s.to_string()));
        }
        out
    }

    pub(crate) fn page(&self) -> usize {
        given(&self.page).and_then(|p| p.parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1)
    }

    pub(crate) fn sort_key(&self) -> &str {
        match given(&self.sort) {
            Some(s @ ("status" | "deadline" | "light")) => s,
            _ => "number",
        }
    }

    pub(crate) fn is_filtered(&self) -> bool {
        !self.pairs(false).is_empty()
    }
}

/// Applies the filters: a problem stays when its own fields match and, for the measure-level
/// filters, when at least one measure matches; only the matching measures stay in the row.
pub(crate) fn filter(rows: Vec<ProblemRow>, q: &LedgerQuery) -> Vec<ProblemRow> {
    let aspect = given(&q.aspect).and_then(|a| a.parse::<usize>().ok());
    let status = given(&q.status).and_then(Status::from_name);
    let light = given(&q.light).and_then(|k| k.parse::<Light>().ok());
    let kind = given(&q.kind).and_then(MeasureKind::from_name);
    let leader = given(&q.leader);
    let dept = given(&q.dept);
    let words: Vec<String> =
        given(&q.q).map(|s| s.split_whitespace().map(str::to_lowercase).collect()).unwrap_or_default();
    let measure_level = light.is_some() || kind.is_some();
    rows.into_iter()
        .filter_map(|mut row| {
            if aspect.is_some_and(|a| a != row.aspect_index) || status.is_some_and(|s| s != row.status_value) {
                return None;
            }
            let problem_text = format!("{} {}", row.title, row.description.as_deref().unwrap_or("")).to_lowercase();
            let leader_of = |m: &MeasureRow| m.leader.as_deref().or(row.leader.as_deref()).map(str::to_string);
            let problem_depts = row.departments.clone();
            let keep = |m: &MeasureRow| {
                let text = m.text.to_lowercase();
                let depts = if m.departments.is_empty() { &problem_depts } else { &m.departments };
                light.is_none_or(|l| l == m.light_value)
                    && kind.is_none_or(|k| Some(k) == m.kind_value)
                    && leader.is_none_or(|l| leader_of(m).as_deref() == Some(l))
                    && dept.is_none_or(|d| depts.iter().any(|x| x == d))
                    && words.iter().all(|w| text.contains(w.as_str()) || problem_text.contains(w.as_str()))
            };
            let problem_matches_alone = !measure_level
                && leader.is_none_or(|l| row.leader.as_deref() == Some(l))
                && dept.is_none_or(|d| row.departments.iter().any(|x| x == d))
                && words.iter().all(|w| problem_text.contains(w.as_str()));
            let matching: Vec<MeasureRow> = row.measures.iter().filter(|m| keep(m)).cloned().collect();
            if matching.is_empty() && !problem_matches_alone {
                return None;
            }
            // A problem that matches on its own keeps all its measures; else only those that match.
            if !problem_matches_alone {
                row.measures = matching;
            }
            Some(row)
        })
        .collect()
}

/// Sorts rows in place by the query's key; ties keep ledger order.
pub(crate) fn sort(rows: &mut [ProblemRow], key: &str) {
    match key {
        "status" => rows.sort_by_key(|r| (r.status_value, r.position)),
        "light" => rows.sort_by_key(|r| (std::cmp::Reverse(urgency(r.light_value)), r.position)),
        "deadline" => rows.sort_by_key(|r| {
            let open =
                r.measures.iter().filter(|m| m.light_value != Light::Grey).filter_map(|m| m.deadline_value).min();
            (open.is_none(), open, r.position)
        }),
        _ => rows.sort_by_key(|r| r.position),
    }
}

/// A choice of a select box.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
}

/// The choices of the ledger's filters, from what the ledger holds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FilterChoices {
    pub aspects: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub lights: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
}

pub(crate) fn choices(rows: &[ProblemRow]) -> FilterChoices {
    let mut aspects: BTreeMap<usize, String> = BTreeMap::new();
    let mut leaders = Vec::new();
    let mut departments = Vec::new();
    let push = |list: &mut Vec<String>, v: &str| {
        if !list.iter().any(|x| x == v) {
            list.push(v.to_string());
        }
    };
    for r in rows {
        aspects.entry(r.aspect_index).or_insert_with(|| r.aspect_label.clone());
        if let Some(l) = &r.leader {
            push(&mut leaders, l);
        }
        for d in &r.departments {
            push(&mut departments, d);
        }
        for m in &r.measures {
            if let Some(l) = &m.leader {
                push(&mut leaders, l);
            }
            for d in &m.departments {
                push(&mut departments, d);
            }
        }
    }
    FilterChoices {
        aspects: aspects.into_iter().map(|(i, label)| Choice { value: i.to_string(), label }).collect(),
        statuses: Status::ALL
            .into_iter()
            .filter(|s| rows.iter().any(|r| r.status_value == *s))
            .map(|s| Choice { value: s.as_str().into(), label: s.label_zh().into() })
            .collect(),
        lights: Light::BY_URGENCY
            .into_iter()
            .map(|l| Choice { value: l.as_str().into(), label: l.label_zh().into() })
            .collect(),
        kinds: [MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm]
            .into_iter()
            .map(|k| Choice { value: k.as_str().into(), label: k.label_zh().into() })
            .collect(),
        leaders,
        departments,
    }
}

/// Open measures that need attention now: overdue or in the yellow window, most urgent first.
pub(crate) fn attention(rows: &[ProblemRow]) -> Vec<(MeasureRow, String)> {
    let mut out: Vec<(MeasureRow, String)> = rows
        .iter()
        .flat_map(|r| r.measures.iter().map(move |m| (m, r)))
        .filter(|(m, _)| matches!(m.light_value, Light::Red | Light::Yellow))
        .map(|(m, r)| (m.clone(), r.title.clone()))
        .collect();
    out.sort_by_key(|(m, _)| m.days_left.unwrap_or(i64::MAX));
    out
}

/// Measures and problems that wait for verification (已完成待核).
pub(crate) fn pending_verification(rows: &[ProblemRow]) -> Vec<(MeasureRow, String)> {
    rows.iter()
        .flat_map(|r| r.measures.iter().map(move |m| (m, r)))
        .filter(|(m, _)| m.status_value == Some(Status::PendingVerification))
        .map(|(m, r)| (m.clone(), r.title.clone()))
        .collect()
}

pub(crate) fn light_counts(rows: &[ProblemRow]) -> Vec<(Light, usize)> {
    Light::BY_URGENCY
        .into_iter()
        .map(|l| (l, rows.iter().flat_map(|r| &r.measures).filter(|m| m.light_value == l).count()))
        .collect()
}

/// Completed and open counts of one group (an aspect, a leader, a department).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Group {
    pub name: String,
    /// A label short enough for a chart axis.
    pub short: String,
    pub completed: u32,
    pub open: u32,
    /// Completed share in percent, one decimal.
    pub rate: String,
    #[serde(skip)]
    rate_value: f64,
}

fn finish(groups: Vec<Group>, rank: bool) -> Vec<Group> {
    let mut groups: Vec<Group> = groups
        .into_iter()
        .map(|mut g| {
            let total = g.completed + g.open;
            g.rate_value = if total == 0 { 0.0 } else { f64::from(g.completed) * 100.0 / f64::from(total) };
            g.rate = format!("{:.1}", g.rate_value);
            g
        })
        .collect();
    if rank {
        // Ranked by what was achieved (the completed share), never by activity.
        groups.sort_by(|a, b| b.rate_value.total_cmp(&a.rate_value).then(b.completed.cmp(&a.completed)));
    }
    groups
}

fn tally(groups: &mut Vec<Group>, name: &str, done: bool) {
    let index = match groups.iter().position(|g| g.name == name) {
        Some(i) => i,
        None => {
            groups.push(Group { name: name.to_string(), short: name.chars().take(12).collect(), ..Group::default() });
            groups.len() - 1
        }
    };
    if let Some(g) = groups.get_mut(index) {
        if done {
            g.completed += 1;
        } else {
            g.open += 1;
        }
    }
}

/// Problems completed and not, per aspect in ledger order.
pub(crate) fn by_aspect(rows: &[ProblemRow], ledger: &Ledger) -> Vec<Group> {
    let counts_long_term = ledger.policy.long_term_counts_as_completed;
    let mut groups: Vec<Group> = Vec::new();
    for r in rows {
        let done = r.status_value == Status::Completed || (counts_long_term && r.status_value == Status::LongTerm);
        tally(&mut groups, &r.aspect_label, done);
        if let Some(g) = groups.iter_mut().find(|g| g.name == r.aspect_label) {
            g.short = format!("第{}方面", numerals::to_chinese(r.aspect_index as u32 + 1));
        }
    }
    finish(groups, false)
}

const UNASSIGNED: &str = "未填写";

/// Measures completed and not, per responsible leader (the measure's, else the problem's).
pub(crate) fn by_leader(rows: &[ProblemRow]) -> Vec<Group> {
    let mut groups = Vec::new();
    for r in rows {
        for m in &r.measures {
            let leader = m.leader.as_deref().or(r.leader.as_deref()).unwrap_or(UNASSIGNED);
            tally(&mut groups, leader, m.light_value == Light::Grey);
        }
    }
    finish(groups, true)
}

/// Measures completed and not, per responsible department (each listed department counts).
pub(crate) fn by_department(rows: &[ProblemRow]) -> Vec<Group> {
    let mut groups = Vec::new();
    for r in rows {
        for m in &r.measures {
            let depts = if m.departments.is_empty() { &r.departments } else { &m.departments };
            if depts.is_empty() {
                tally(&mut groups, UNASSIGNED, m.light_value == Light::Grey);
            }
            for d in depts {
                tally(&mut groups, d, m.light_value == Light::Grey);
            }
        }
    }
    finish(groups, true)
}

/// Completed measures accumulated by the month of their last progress entry; the line ends at
/// the number of completed measures (措施已完成), those without a dated entry placed in the month
/// of the report that states them completed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Timeline {
    pub months: Vec<String>,
    pub cumulative: Vec<u32>,
    /// Completed measures without any dated progress entry, counted in `undated_month`.
    pub undated: u32,
    /// `2026年12月`, the month the undated ones are counted in.
    pub undated_month: String,
    pub total_measures: u32,
}

/// The cumulative line; `stated_on` is the date by which the ledger states its completed
/// measures done (the report's date, else today): a measure completed without a dated progress
/// entry was done by then at the latest.
pub(crate) fn timeline(rows: &[ProblemRow], stated_on: NaiveDate) -> Timeline {
    let mut per_month: BTreeMap<String, u32> = BTreeMap::new();
    let mut undated = 0;
    let mut total = 0;
    for m in rows.iter().flat_map(|r| &r.measures) {
        total += 1;
        if m.light_value != Light::Grey {
            continue;
        }
        match m.last_progress {
            Some(d) => *per_month.entry(d.format("%Y-%m").to_string()).or_default() += 1,
            None => undated += 1,
        }
    }
    if undated > 0 {
        *per_month.entry(stated_on.format("%Y-%m").to_string()).or_default() += undated;
    }
    let mut running = 0;
    let (months, cumulative) = per_month
        .into_iter()
        .map(|(month, n)| {
            running += n;
            (month, running)
        })
        .unzip();
    let undated_month = format!("{}年{}月", stated_on.year(), stated_on.month());
    Timeline { months, cumulative, undated, undated_month, total_measures: total }
}

/// Evidence as shown: title, kind, date and a readable size.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EvidenceView {
    pub title: String,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub size: Option<String>,
    pub media_type: Option<String>,
    /// The stored file's address, when the file itself was uploaded (download link).
    pub sha256: Option<String>,
}

impl From<&Evidence> for EvidenceView {
    fn from(e: &Evidence) -> Self {
        EvidenceView {
            title: e.title.to_string(),
            kind: e.kind.clone(),
            date: e.date.map(|d| d.to_chinese()),
            size: e.size_bytes.map(human_size),
            media_type: e.media_type.clone(),
            sha256: e.sha256.clone(),
        }
    }
}

/// The rows of an inspection as an account sees it, with lights for `today`.
pub(crate) fn of_visible(v: &crate::service::ledger::VisibleInspection, today: NaiveDate) -> Vec<ProblemRow> {
    rows(&v.problems, &v.measures, LightsOn { today, policy: &v.ledger.policy.lights })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(1_786_773), "1.7 MB");
    }

    #[test]
    fn aspect_labels_fall_back_to_their_position() {
        assert_eq!(aspect_label(Some("（一）"), Some("学习方面"), 0), "（一）学习方面");
        assert_eq!(aspect_label(Some("二"), Some("作风方面"), 1), "二、作风方面");
        assert_eq!(aspect_label(None, None, 2), "第三方面");
    }

    #[test]
    fn query_pages_and_sorts_are_lenient() {
        let q = LedgerQuery { page: Some("x".into()), sort: Some("drop table".into()), ..LedgerQuery::default() };
        assert_eq!((q.page(), q.sort_key()), (1, "number"));
        let q = LedgerQuery { page: Some("3".into()), q: Some("  ".into()), ..LedgerQuery::default() };
        assert_eq!(q.page(), 3);
        assert!(!q.is_filtered());
    }
}
