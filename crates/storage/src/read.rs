//! Reading ledgers back: one query per table and inspection (never one per row), grouped in
//! memory by the positions stored at import.

use std::collections::HashMap;

use rectify_domain::{
    Accountability, Aspect, Claimed, Contacts, DocumentTitle, Evidence, FormerName, Fund, FundKind, Inspection, Ledger,
    Measure, MeasureRef, Meeting, Member, NonEmptyText, Organisation, Outcomes, Problem, ProblemRef, ProgressEntry,
    Responsibility, RoundPolicy, Rule, Tally,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::codec::{
    money, optional_unsigned, parse_amounts, parse_date, parse_enum, parse_json, parse_optional_enum, required_date,
    unsigned,
};
use crate::records::{MeasureRecord, ProblemRecord};
use crate::{InspectionId, MeasureId, ProblemId, StorageError};

/// Which problems to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ProblemFilter {
    Inspection(InspectionId),
    Id(ProblemId),
}

impl ProblemFilter {
    /// The WHERE clause: a fixed string per variant, so the SQL never contains outside text.
    fn clause(self) -> (&'static str, i64) {
        match self {
            // Retired problems leave the ledger; one named by its id is still found.
            ProblemFilter::Inspection(id) => ("p.inspection_id = $1 AND p.retired_at IS NULL", id),
            ProblemFilter::Id(id) => ("p.id = $1", id),
        }
    }
}

/// Which measures to read (with their progress entries and evidence).
#[derive(Debug, Clone, Copy)]
pub(crate) enum MeasureFilter {
    Inspection(InspectionId),
    Problem(InspectionId, ProblemId),
    Id(MeasureId),
}

impl MeasureFilter {
    /// The WHERE clause over `measures m` (a fixed string per variant) and its parameters.
    fn clause(self) -> (&'static str, Vec<i64>) {
        match self {
            // Retired measures leave the ledger; those of one problem (the scope rules and the
            // problem's page need them all) and one named by its id are still found.
            MeasureFilter::Inspection(id) => ("m.inspection_id = $1 AND m.retired_at IS NULL", vec![id]),
            MeasureFilter::Problem(id, problem) => ("m.inspection_id = $1 AND m.problem_id = $2", vec![id, problem]),
            MeasureFilter::Id(id) => ("m.id = $1", vec![id]),
        }
    }
}

/// Fetches the rows of a query built from fixed fragments, binding the filter's parameters.
async fn fetch_filtered(conn: &mut AnyConnection, sql: String, params: &[i64]) -> Result<Vec<AnyRow>, StorageError> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for value in params {
        query = query.bind(*value);
    }
    Ok(query.fetch_all(conn).await?)
}

fn text(row: &AnyRow, column: &str) -> Result<Option<String>, StorageError> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

fn required_text(row: &AnyRow, column: &str) -> Result<String, StorageError> {
    Ok(row.try_get::<String, _>(column)?)
}

fn non_empty(column: &str, text: String) -> Result<NonEmptyText, StorageError> {
    NonEmptyText::new(text).map_err(|e| StorageError::corrupt(column, e))
}

fn position(row: &AnyRow, column: &str) -> Result<usize, StorageError> {
    unsigned(column, row.try_get::<i64, _>(column)?)
}

fn responsibility(row: &AnyRow, table: &str) -> Result<Responsibility, StorageError> {
    Ok(Responsibility {
        first_responsible: text(row, "first_responsible")?,
        leader: text(row, "leader")?,
        departments: parse_json(&format!("{table}.departments"), &required_text(row, "departments")?)?,
        liaison: text(row, "liaison")?,
    })
}

pub(crate) async fn load_problems(
    conn: &mut AnyConnection,
    filter: ProblemFilter,
) -> Result<Vec<ProblemRecord>, StorageError> {
    let (clause, value) = filter.clause();
    let sql = format!(
        "SELECT p.id, p.inspection_id, a.position AS aspect_position, a.number AS aspect_number, \
         a.title AS aspect_title, p.position, p.number, p.title, p.status, p.category, p.scope, p.description, \
         p.disclosure, p.first_responsible, p.leader, p.departments, p.liaison, p.aspect_id, p.version, \
         p.retired_at, p.retired_reason, \
         (SELECT COUNT(*) FROM measures m WHERE m.problem_id = p.id AND m.retired_at IS NULL) AS measure_count \
         FROM problems p JOIN aspects a ON a.id = p.aspect_id WHERE {clause} ORDER BY a.position, p.position"
    );
    let rows = fetch_filtered(conn, sql, &[value]).await?;
    rows.iter().map(problem_record).collect()
}

/// A retired item's position is outside the order (see `editing`).
fn retirement(row: &AnyRow) -> Result<Option<crate::editing::Retirement>, StorageError> {
    Ok(text(row, "retired_at")?.map(|at| crate::editing::Retirement {
        at,
        reason: text(row, "retired_reason").ok().flatten().unwrap_or_default(),
    }))
}

fn problem_record(row: &AnyRow) -> Result<ProblemRecord, StorageError> {
    let problem = Problem {
        number: text(row, "number")?,
        title: non_empty("problems.title", required_text(row, "title")?)?,
        status: parse_enum("problems.status", required_text(row, "status")?)?,
        measures: Vec::new(),
        category: text(row, "category")?,
        scope: parse_optional_enum("problems.scope", text(row, "scope")?)?,
        description: text(row, "description")?,
        disclosure: parse_enum("problems.disclosure", required_text(row, "disclosure")?)?,
        responsibility: responsibility(row, "problems")?,
    };
    let retired = retirement(row)?;
    Ok(ProblemRecord {
        id: row.try_get("id")?,
        inspection_id: row.try_get("inspection_id")?,
        aspect_index: position(row, "aspect_position")?,
        aspect_number: text(row, "aspect_number")?,
        aspect_title: text(row, "aspect_title")?,
        position: if retired.is_some() { 0 } else { position(row, "position")? },
        measure_count: unsigned("measure_count", row.try_get("measure_count")?)?,
        problem,
        aspect_id: row.try_get("aspect_id")?,
        version: row.try_get("version")?,
        retired,
    })
}

pub(crate) async fn load_measures(
    conn: &mut AnyConnection,
    filter: MeasureFilter,
) -> Result<Vec<MeasureRecord>, StorageError> {
    let (clause, params) = filter.clause();
    let mut evidence = load_evidence(conn, clause, &params).await?;
    let progress_sql = format!(
        "SELECT e.id, e.measure_id, e.entry_date, e.text FROM progress_entries e \
         JOIN measures m ON m.id = e.measure_id WHERE {clause} ORDER BY e.measure_id, e.position"
    );
    let mut progress: HashMap<MeasureId, Vec<ProgressEntry>> = HashMap::new();
    for row in fetch_filtered(conn, progress_sql, &params).await? {
        let entry_id: i64 = row.try_get("id")?;
        let entry = ProgressEntry {
            date: required_date("progress_entries.entry_date", required_text(&row, "entry_date")?)?,
            text: non_empty("progress_entries.text", required_text(&row, "text")?)?,
            evidence: evidence.by_entry.remove(&entry_id).unwrap_or_default(),
        };
        progress.entry(row.try_get("measure_id")?).or_default().push(entry);
    }
    let mut measures = load_measures_without_history(conn, filter).await?;
    for record in &mut measures {
        record.measure.progress = progress.remove(&record.id).unwrap_or_default();
        record.measure.evidence = evidence.by_measure.remove(&record.id).unwrap_or_default();
    }
    Ok(measures)
}

/// The measures without their progress entries and evidence: what the data-scope rules and
/// the lists need, in one query.
pub(crate) async fn load_measures_without_history(
    conn: &mut AnyConnection,
    filter: MeasureFilter,
) -> Result<Vec<MeasureRecord>, StorageError> {
    let (clause, params) = filter.clause();
    let measure_sql = format!(
        "SELECT m.id, m.problem_id, m.inspection_id, m.position, m.text, m.dates, m.amounts, m.documents, m.kind, \
         m.deadline, m.status, m.first_responsible, m.leader, m.departments, m.liaison, m.version, m.retired_at, \
         m.retired_reason FROM measures m JOIN problems p ON p.id = m.problem_id JOIN aspects a ON a.id = p.aspect_id \
         WHERE {clause} ORDER BY a.position, p.position, CASE WHEN m.retired_at IS NULL THEN 0 ELSE 1 END, m.position"
    );
    let rows = fetch_filtered(conn, measure_sql, &params).await?;
    rows.iter()
        .map(|row| {
            let measure = Measure {
                text: non_empty("measures.text", required_text(row, "text")?)?,
                dates: parse_json("measures.dates", &required_text(row, "dates")?)?,
                amounts_wan_yuan: parse_amounts("measures.amounts", &required_text(row, "amounts")?)?,
                documents: parse_json("measures.documents", &required_text(row, "documents")?)?,
                kind: parse_optional_enum("measures.kind", text(row, "kind")?)?,
                deadline: parse_date("measures.deadline", text(row, "deadline")?)?,
                status: parse_optional_enum("measures.status", text(row, "status")?)?,
                responsibility: responsibility(row, "measures")?,
                progress: Vec::new(),
                evidence: Vec::new(),
            };
            let retired = retirement(row)?;
            Ok(MeasureRecord {
                id: row.try_get("id")?,
                problem_id: row.try_get("problem_id")?,
                inspection_id: row.try_get("inspection_id")?,
                position: if retired.is_some() { 0 } else { position(row, "position")? },
                measure,
                version: row.try_get("version")?,
                retired,
            })
        })
        .collect()
}

#[derive(Default)]
struct EvidenceByOwner {
    by_measure: HashMap<MeasureId, Vec<Evidence>>,
    by_entry: HashMap<i64, Vec<Evidence>>,
}

async fn load_evidence(
    conn: &mut AnyConnection,
    clause: &str,
    params: &[i64],
) -> Result<EvidenceByOwner, StorageError> {
    // Aliases name the output columns, so that the ORDER BY of the UNION finds them in both databases.
    const COLUMNS: &str = "v.id AS id, v.measure_id AS measure_id, v.progress_entry_id AS progress_entry_id, \
                           v.position AS position, v.title AS title, v.kind AS kind, v.evidence_date AS evidence_date, \
                           v.media_type AS media_type, v.size_bytes AS size_bytes, v.sha256 AS sha256";
    let sql = format!(
        "SELECT {COLUMNS} FROM evidence v JOIN measures m ON m.id = v.measure_id WHERE {clause} \
         UNION ALL \
         SELECT {COLUMNS} FROM evidence v JOIN progress_entries e ON e.id = v.progress_entry_id \
         JOIN measures m ON m.id = e.measure_id WHERE {clause} \
         ORDER BY position, id"
    );
    let mut out = EvidenceByOwner::default();
    for row in fetch_filtered(conn, sql, params).await? {
        let item = Evidence {
            title: non_empty("evidence.title", required_text(&row, "title")?)?,
            kind: text(&row, "kind")?,
            date: parse_date("evidence.evidence_date", text(&row, "evidence_date")?)?,
            media_type: text(&row, "media_type")?,
            size_bytes: optional_unsigned("evidence.size_bytes", row.try_get("size_bytes")?)?,
            sha256: text(&row, "sha256")?,
        };
        let measure: Option<i64> = row.try_get("measure_id")?;
        let entry: Option<i64> = row.try_get("progress_entry_id")?;
        match (measure, entry) {
            (Some(m), None) => out.by_measure.entry(m).or_default().push(item),
            (None, Some(e)) => out.by_entry.entry(e).or_default().push(item),
            _ => return Err(StorageError::corrupt("evidence", "must belong to a measure or a progress entry")),
        }
    }
    Ok(out)
}

/// Reads a whole ledger; `None` when no inspection has the id.
const HEADER_SQL: &str = "SELECT title, unit, report_date, inspector, start_date, end_date, feedback_date, round, \
     inspection_kind, feedback_document, claimed_aspects, claimed_problems, claimed_measures, claimed_completed, \
     claimed_in_progress, claimed_completion_rate_percent, claimed_rules_made_or_revised, claimed_funds_fen, \
     claimed_funds_decimals, claimed_accountability, named_documents, contacts, organisation_liaison, \
     long_term_counts_as_completed, rate_decimals, light_policy FROM inspections WHERE id = $1";

/// The ledger's header (inspection facts, claimed figures, contacts, policy) without its lists.
pub(crate) async fn load_header(conn: &mut AnyConnection, id: InspectionId) -> Result<Option<Ledger>, StorageError> {
    match sqlx::query(HEADER_SQL).bind(id).fetch_optional(&mut *conn).await? {
        Some(row) => Ok(Some(header_ledger(&row)?)),
        None => Ok(None),
    }
}

pub(crate) async fn load_ledger(conn: &mut AnyConnection, id: InspectionId) -> Result<Option<Ledger>, StorageError> {
    let Some(header) = sqlx::query(HEADER_SQL).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let mut ledger = header_ledger(&header)?;
    ledger.organisation.former_names = load_former_names(conn, id).await?;
    let (leading_group, work_team) = load_members(conn, id).await?;
    ledger.organisation.leading_group = leading_group;
    ledger.organisation.work_team = work_team;

    let aspect_rows = sqlx::query("SELECT number, title FROM aspects WHERE inspection_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    for row in &aspect_rows {
        ledger.aspects.push(Aspect { number: text(row, "number")?, title: text(row, "title")?, problems: Vec::new() });
    }
    let mut measures: HashMap<ProblemId, Vec<MeasureRecord>> = HashMap::new();
    for record in load_measures(conn, MeasureFilter::Inspection(id)).await? {
        measures.entry(record.problem_id).or_default().push(record);
    }
    let mut problem_refs: HashMap<ProblemId, ProblemRef> = HashMap::new();
    let mut measure_refs: HashMap<MeasureId, MeasureRef> = HashMap::new();
    for record in load_problems(conn, ProblemFilter::Inspection(id)).await? {
        let aspect = ledger
            .aspects
            .get_mut(record.aspect_index)
            .ok_or_else(|| StorageError::corrupt("aspects.position", "positions are not contiguous"))?;
        let reference = ProblemRef { aspect: record.aspect_index, problem: aspect.problems.len() };
        let mut problem = record.problem;
        for (mi, m) in measures.remove(&record.id).unwrap_or_default().into_iter().enumerate() {
            measure_refs.insert(m.id, MeasureRef { aspect: reference.aspect, problem: reference.problem, measure: mi });
            problem.measures.push(m.measure);
        }
        problem_refs.insert(record.id, reference);
        aspect.problems.push(problem);
    }
    ledger.outcomes = load_outcomes(conn, id, &problem_refs, &measure_refs).await?;
    Ok(Some(ledger))
}

fn header_ledger(row: &AnyRow) -> Result<Ledger, StorageError> {
    let funds = match (row.try_get::<Option<i64>, _>("claimed_funds_fen")?, row.try_get("claimed_funds_decimals")?) {
        (Some(fen), Some(decimals)) => Some(money("inspections.claimed_funds_fen", fen, decimals)?),
        (None, None) => None,
        _ => {
            return Err(StorageError::corrupt("inspections.claimed_funds_fen", "amount and decimals must go together"));
        }
    };
    let count = |column: &str| -> Result<Option<u32>, StorageError> {
        optional_unsigned(&format!("inspections.{column}"), row.try_get(column)?)
    };
    let accountability: Tally =
        parse_json("inspections.claimed_accountability", &required_text(row, "claimed_accountability")?)?;
    let contacts: Contacts = parse_json("inspections.contacts", &required_text(row, "contacts")?)?;
    Ok(Ledger {
        title: text(row, "title")?,
        unit: text(row, "unit")?,
        report_date: parse_date("inspections.report_date", text(row, "report_date")?)?,
        inspection: Inspection {
            inspector: text(row, "inspector")?,
            start: parse_date("inspections.start_date", text(row, "start_date")?)?,
            end: parse_date("inspections.end_date", text(row, "end_date")?)?,
            feedback_date: parse_date("inspections.feedback_date", text(row, "feedback_date")?)?,
            round: text(row, "round")?,
            // Stored before the kind was a closed list: text naming none of the four is no kind.
            kind: text(row, "inspection_kind")?
                .and_then(|t| rectify_domain::InspectionKind::parse_text(&t).ok().flatten()),
            feedback_document: text(row, "feedback_document")?,
        },
        claimed: Claimed {
            aspects: count("claimed_aspects")?,
            problems: count("claimed_problems")?,
            measures: count("claimed_measures")?,
            completed: count("claimed_completed")?,
            in_progress: count("claimed_in_progress")?,
            completion_rate_percent: text(row, "claimed_completion_rate_percent")?
                .map(|rate| rate.parse::<f64>())
                .transpose()
                .map_err(|e| StorageError::corrupt("inspections.claimed_completion_rate_percent", e))?,
            rules_made_or_revised: count("claimed_rules_made_or_revised")?,
            funds_recovered_wan_yuan: funds,
            accountability,
        },
        aspects: Vec::new(),
        named_documents: parse_json("inspections.named_documents", &required_text(row, "named_documents")?)?,
        contacts,
        organisation: Organisation { liaison: text(row, "organisation_liaison")?, ..Organisation::default() },
        outcomes: Outcomes::default(),
        policy: {
            let lights: StoredLightPolicy = match required_text(row, "light_policy")?.as_str() {
                "" => StoredLightPolicy::default(),
                text => parse_json("inspections.light_policy", text)?,
            };
            RoundPolicy {
                long_term_counts_as_completed: row.try_get::<i64, _>("long_term_counts_as_completed")? != 0,
                rate_decimals: unsigned("inspections.rate_decimals", row.try_get("rate_decimals")?)?,
                lights: lights.lights,
                light_recipients: lights.recipients,
            }
        },
    })
}

/// The `light_policy` column: the round's light thresholds and recipients.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct StoredLightPolicy {
    lights: rectify_domain::supervision::LightPolicy,
    recipients: rectify_domain::supervision::LightRecipients,
}

async fn load_former_names(conn: &mut AnyConnection, id: InspectionId) -> Result<Vec<FormerName>, StorageError> {
    let rows = sqlx::query("SELECT name, until FROM organisation_names WHERE inspection_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(FormerName {
                name: non_empty("organisation_names.name", required_text(row, "name")?)?,
                until: parse_date("organisation_names.until", text(row, "until")?)?,
            })
        })
        .collect()
}

async fn load_members(conn: &mut AnyConnection, id: InspectionId) -> Result<(Vec<Member>, Vec<Member>), StorageError> {
    let rows = sqlx::query(
        "SELECT team, role, name FROM organisation_members WHERE inspection_id = $1 ORDER BY team, position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let (mut leading_group, mut work_team) = (Vec::new(), Vec::new());
    for row in &rows {
        let member = Member {
            role: non_empty("organisation_members.role", required_text(row, "role")?)?,
            name: non_empty("organisation_members.name", required_text(row, "name")?)?,
        };
        match required_text(row, "team")?.as_str() {
            "leading_group" => leading_group.push(member),
            "work_team" => work_team.push(member),
            other => return Err(StorageError::corrupt("organisation_members.team", format!("unknown team {other:?}"))),
        }
    }
    Ok((leading_group, work_team))
}

async fn load_outcomes(
    conn: &mut AnyConnection,
    id: InspectionId,
    problems: &HashMap<ProblemId, ProblemRef>,
    measures: &HashMap<MeasureId, MeasureRef>,
) -> Result<Outcomes, StorageError> {
    let measure_ref = |column: &str, id: Option<i64>| -> Result<Option<MeasureRef>, StorageError> {
        id.map(|m| measures.get(&m).copied().ok_or_else(|| StorageError::corrupt(column, format!("no measure {m}"))))
            .transpose()
    };
    let problem_ref = |column: &str, id: i64| -> Result<ProblemRef, StorageError> {
        problems.get(&id).copied().ok_or_else(|| StorageError::corrupt(column, format!("no problem {id}")))
    };
    let mut outcomes = Outcomes::default();

    let rows = sqlx::query(
        "SELECT title, action, rule_date, \
         (SELECT m.id FROM measures m WHERE m.id = rules.measure_id AND m.retired_at IS NULL) AS measure_id \
         FROM rules WHERE inspection_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        outcomes.rules.push(Rule {
            title: DocumentTitle::new(&required_text(row, "title")?)
                .map_err(|e| StorageError::corrupt("rules.title", e))?,
            action: parse_enum("rules.action", required_text(row, "action")?)?,
            date: parse_date("rules.rule_date", text(row, "rule_date")?)?,
            measure: measure_ref("rules.measure_id", row.try_get("measure_id")?)?,
        });
    }

    let rows = sqlx::query(
        "SELECT kind, amount_fen, amount_decimals, fund_date, note, \
         (SELECT m.id FROM measures m WHERE m.id = funds.measure_id AND m.retired_at IS NULL) AS measure_id \
         FROM funds WHERE inspection_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let kind = required_text(row, "kind")?;
        outcomes.funds.push(Fund {
            kind: FundKind::from_name(&kind)
                .ok_or_else(|| StorageError::corrupt("funds.kind", format!("unknown kind {kind:?}")))?,
            amount_wan_yuan: money("funds.amount_fen", row.try_get("amount_fen")?, row.try_get("amount_decimals")?)?,
            date: parse_date("funds.fund_date", text(row, "fund_date")?)?,
            measure: measure_ref("funds.measure_id", row.try_get("measure_id")?)?,
            note: text(row, "note")?,
        });
    }

    let rows = sqlx::query(
        "SELECT kind, count, counting, persons, action_date, \
         (SELECT p.id FROM problems p WHERE p.id = accountability.problem_id AND p.retired_at IS NULL) AS problem_id \
         FROM accountability WHERE inspection_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        outcomes.accountability.push(Accountability {
            kind: non_empty("accountability.kind", required_text(row, "kind")?)?,
            count: unsigned("accountability.count", row.try_get("count")?)?,
            counting: parse_enum("accountability.counting", required_text(row, "counting")?)?,
            persons: parse_json("accountability.persons", &required_text(row, "persons")?)?,
            date: parse_date("accountability.action_date", text(row, "action_date")?)?,
            problem: row
                .try_get::<Option<i64>, _>("problem_id")?
                .map(|p| problem_ref("accountability.problem_id", p))
                .transpose()?,
        });
    }

    let rows = sqlx::query(
        "SELECT mp.meeting_id, mp.problem_id FROM meeting_problems mp JOIN meetings g ON g.id = mp.meeting_id \
         JOIN problems p ON p.id = mp.problem_id WHERE g.inspection_id = $1 AND p.retired_at IS NULL \
         ORDER BY mp.meeting_id, mp.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut meeting_problems: HashMap<i64, Vec<ProblemRef>> = HashMap::new();
    for row in &rows {
        let reference = problem_ref("meeting_problems.problem_id", row.try_get("problem_id")?)?;
        meeting_problems.entry(row.try_get("meeting_id")?).or_default().push(reference);
    }
    let rows = sqlx::query(
        "SELECT id, kind, meeting_date, title, decisions FROM meetings WHERE inspection_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let meeting_id: i64 = row.try_get("id")?;
        outcomes.meetings.push(Meeting {
            kind: non_empty("meetings.kind", required_text(row, "kind")?)?,
            date: parse_date("meetings.meeting_date", text(row, "meeting_date")?)?,
            title: text(row, "title")?,
            decisions: parse_json("meetings.decisions", &required_text(row, "decisions")?)?,
            problems: meeting_problems.remove(&meeting_id).unwrap_or_default(),
        });
    }
    Ok(outcomes)
}
