//! Writing a ledger: a few multi-row INSERTs per level of the ledger, all inside the caller's
//! transaction, so that a failure anywhere leaves no half-written inspection behind.

use rectify_domain::{Ledger, Measure, MeasureRef, Member, Problem, ProblemRef, Responsibility};
use sqlx::AnyConnection;

use crate::batch;
use crate::codec::{amounts_text, date_text, enum_text, int, json_text};
use crate::evidence_rows::{EvidenceOwner, insert_evidence_rows};
use crate::round_details::RoundFill;
use crate::{InspectionId, MeasureId, ProblemId, StorageError};

/// Ids given to the problems and measures, indexed like the ledger, to resolve the outcomes'
/// positional references.
#[derive(Default)]
struct Ids {
    problems: Vec<Vec<ProblemId>>,
    measures: Vec<Vec<Vec<MeasureId>>>,
}

impl Ids {
    fn problem(&self, r: ProblemRef) -> Result<ProblemId, StorageError> {
        self.problems
            .get(r.aspect)
            .and_then(|a| a.get(r.problem))
            .copied()
            .ok_or_else(|| StorageError::Invalid(format!("no problem at aspect {} problem {}", r.aspect, r.problem)))
    }

    fn measure(&self, r: MeasureRef) -> Result<MeasureId, StorageError> {
        self.measures.get(r.aspect).and_then(|a| a.get(r.problem)).and_then(|p| p.get(r.measure)).copied().ok_or_else(
            || {
                StorageError::Invalid(format!(
                    "no measure at aspect {} problem {} measure {}",
                    r.aspect, r.problem, r.measure
                ))
            },
        )
    }
}

/// A stored ledger: the new inspection, and what its import taught its round.
pub(crate) struct Inserted {
    pub id: InspectionId,
    pub round_fill: Option<RoundFill>,
}

impl Inserted {
    /// The round's part of the import's audit entry (`null` when the round learned nothing).
    pub fn round_audit(&self) -> serde_json::Value {
        serde_json::to_value(&self.round_fill).unwrap_or(serde_json::Value::Null)
    }
}

/// Stores a ledger level by level — aspects, problems, measures, their workflow rows, evidence,
/// progress, outcomes — each level in one multi-row INSERT (or a few, see `batch.rs`), about
/// 25 statements for a unit of 30 problems, 120 measures and 600 progress entries where there
/// were 600 (issue 11): on PostgreSQL each statement is a round trip.
pub(crate) async fn insert_ledger(conn: &mut AnyConnection, ledger: &Ledger) -> Result<Inserted, StorageError> {
    let (id, round) = insert_header(conn, ledger).await?;
    let round_fill = match round {
        Some(round) => crate::round_details::fill_from_import(conn, round, id, &ledger.inspection).await?,
        None => None,
    };
    insert_organisation(conn, id, ledger).await?;
    let aspect_ids = insert_aspects(conn, id, ledger).await?;
    let ids = insert_problems(conn, id, ledger, &aspect_ids).await?;
    let ids = insert_measures(conn, id, ledger, ids).await?;
    let mut workflow = Vec::new();
    let mut evidence = Vec::new();
    let mut progress = Vec::new();
    for (ai, aspect) in ledger.aspects.iter().enumerate() {
        for (pi, problem) in aspect.problems.iter().enumerate() {
            for (mi, measure) in problem.measures.iter().enumerate() {
                let measure_id = ids.measure(MeasureRef { aspect: ai, problem: pi, measure: mi })?;
                workflow.push((measure_id, measure.status));
                evidence.extend(
                    measure.evidence.iter().enumerate().map(|(i, e)| (EvidenceOwner::Measure(measure_id), i, e)),
                );
                progress.extend(measure.progress.iter().enumerate().map(|(i, e)| (measure_id, i, e)));
            }
        }
    }
    crate::workflow::insert_initial_rows(conn, &workflow).await?;
    insert_evidence_rows(conn, &evidence).await?;
    insert_progress(conn, &progress).await?;
    insert_outcomes(conn, id, ledger, &ids).await?;
    Ok(Inserted { id, round_fill })
}

/// The aspects' ids by position.
async fn insert_aspects(conn: &mut AnyConnection, id: InspectionId, ledger: &Ledger) -> Result<Vec<i64>, StorageError> {
    const COLUMNS: [&str; 4] = ["inspection_id", "position", "number", "title"];
    let mut ids = Vec::with_capacity(ledger.aspects.len());
    for (c, chunk) in ledger.aspects.chunks(batch::rows_per_statement(COLUMNS.len())).enumerate() {
        let first = c * batch::rows_per_statement(COLUMNS.len());
        let sql = batch::insert_sql(&*conn, "aspects", &COLUMNS, chunk.len(), Some("id, inspection_id, position"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, aspect) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("aspect position", first + i)?)
                .bind(aspect.number.clone())
                .bind(aspect.title.clone());
        }
        let by_key = batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "inspection_id", chunk.len())?;
        for i in 0..chunk.len() {
            ids.push(batch::id_of(&by_key, (id, int("aspect position", first + i)?))?);
        }
    }
    Ok(ids)
}

const PROBLEM_COLUMNS: [&str; 14] = [
    "aspect_id",
    "inspection_id",
    "position",
    "number",
    "title",
    "status",
    "category",
    "scope",
    "description",
    "disclosure",
    "first_responsible",
    "leader",
    "departments",
    "liaison",
];

/// Every problem of the ledger; answers their ids indexed like the ledger.
async fn insert_problems(
    conn: &mut AnyConnection,
    id: InspectionId,
    ledger: &Ledger,
    aspect_ids: &[i64],
) -> Result<Ids, StorageError> {
    let rows: Vec<(i64, usize, &Problem)> = ledger
        .aspects
        .iter()
        .zip(aspect_ids)
        .flat_map(|(aspect, aspect_id)| aspect.problems.iter().enumerate().map(move |(pi, p)| (*aspect_id, pi, p)))
        .collect();
    let mut by_key = std::collections::HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(batch::rows_per_statement(PROBLEM_COLUMNS.len())) {
        let sql = batch::insert_sql(&*conn, "problems", &PROBLEM_COLUMNS, chunk.len(), Some("id, aspect_id, position"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (aspect_id, position, problem) in chunk {
            let r = &problem.responsibility;
            query = query
                .bind(*aspect_id)
                .bind(id)
                .bind(int("problem position", *position)?)
                .bind(problem.number.clone())
                .bind(problem.title.as_str().to_owned())
                .bind(enum_text(&problem.status)?)
                .bind(problem.category.clone())
                .bind(problem.scope.as_ref().map(enum_text).transpose()?)
                .bind(problem.description.clone())
                .bind(enum_text(&problem.disclosure)?)
                .bind(r.first_responsible.clone())
                .bind(r.leader.clone())
                .bind(json_text(&r.departments)?)
                .bind(r.liaison.clone());
        }
        by_key.extend(batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "aspect_id", chunk.len())?);
    }
    let mut ids = Ids::default();
    for (aspect, aspect_id) in ledger.aspects.iter().zip(aspect_ids) {
        let problems = (0..aspect.problems.len())
            .map(|pi| batch::id_of(&by_key, (*aspect_id, int("problem position", pi)?)))
            .collect::<Result<Vec<_>, StorageError>>()?;
        ids.problems.push(problems);
    }
    Ok(ids)
}

const MEASURE_COLUMNS: [&str; 14] = [
    "problem_id",
    "inspection_id",
    "position",
    "text",
    "dates",
    "amounts",
    "documents",
    "kind",
    "deadline",
    "status",
    "first_responsible",
    "leader",
    "departments",
    "liaison",
];

/// Every measure of the ledger; answers `ids` with the measures' ids added.
async fn insert_measures(
    conn: &mut AnyConnection,
    id: InspectionId,
    ledger: &Ledger,
    mut ids: Ids,
) -> Result<Ids, StorageError> {
    let mut rows: Vec<(ProblemId, usize, &Measure)> = Vec::new();
    for (ai, aspect) in ledger.aspects.iter().enumerate() {
        for (pi, problem) in aspect.problems.iter().enumerate() {
            let problem_id = ids.problem(ProblemRef { aspect: ai, problem: pi })?;
            rows.extend(problem.measures.iter().enumerate().map(|(mi, m)| (problem_id, mi, m)));
        }
    }
    let mut by_key = std::collections::HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(batch::rows_per_statement(MEASURE_COLUMNS.len())) {
        let sql =
            batch::insert_sql(&*conn, "measures", &MEASURE_COLUMNS, chunk.len(), Some("id, problem_id, position"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (problem_id, position, measure) in chunk {
            let Responsibility { first_responsible, leader, departments, liaison } = &measure.responsibility;
            query = query
                .bind(*problem_id)
                .bind(id)
                .bind(int("measure position", *position)?)
                .bind(measure.text.as_str().to_owned())
                .bind(json_text(&measure.dates)?)
                .bind(amounts_text(&measure.amounts_wan_yuan)?)
                .bind(json_text(&measure.documents)?)
                .bind(measure.kind.as_ref().map(enum_text).transpose()?)
                .bind(date_text(measure.deadline))
                .bind(measure.status.as_ref().map(enum_text).transpose()?)
                .bind(first_responsible.clone())
                .bind(leader.clone())
                .bind(json_text(departments)?)
                .bind(liaison.clone());
        }
        by_key.extend(batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "problem_id", chunk.len())?);
    }
    for (ai, aspect) in ledger.aspects.iter().enumerate() {
        let mut per_problem = Vec::with_capacity(aspect.problems.len());
        for (pi, problem) in aspect.problems.iter().enumerate() {
            let problem_id = ids.problem(ProblemRef { aspect: ai, problem: pi })?;
            let measures = (0..problem.measures.len())
                .map(|mi| batch::id_of(&by_key, (problem_id, int("measure position", mi)?)))
                .collect::<Result<Vec<_>, StorageError>>()?;
            per_problem.push(measures);
        }
        ids.measures.push(per_problem);
    }
    Ok(ids)
}

/// The round named `name`, created when new: one statement when it exists.
async fn round_named(conn: &mut AnyConnection, name: &str) -> Result<i64, StorageError> {
    let select = || sqlx::query_scalar("SELECT id FROM rounds WHERE name = $1").bind(name.to_owned());
    if let Some(id) = select().fetch_optional(&mut *conn).await? {
        return Ok(id);
    }
    sqlx::query("INSERT INTO rounds (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name.to_owned())
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .execute(&mut *conn)
        .await?;
    Ok(select().fetch_one(&mut *conn).await?)
}

/// The inspection's own row; answers its id and its round's.
async fn insert_header(conn: &mut AnyConnection, ledger: &Ledger) -> Result<(InspectionId, Option<i64>), StorageError> {
    let insp = &ledger.inspection;
    let round_id = match insp.round.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(name) => Some(round_named(conn, name).await?),
        None => None,
    };
    let claimed = &ledger.claimed;
    let funds = claimed.funds_recovered_wan_yuan;
    let id = sqlx::query_scalar(
        "INSERT INTO inspections (title, unit, report_date, inspector, start_date, end_date, feedback_date, round, \
         inspection_kind, feedback_document, claimed_aspects, claimed_problems, claimed_measures, claimed_completed, \
         claimed_in_progress, claimed_completion_rate_percent, claimed_rules_made_or_revised, claimed_funds_fen, \
         claimed_funds_decimals, claimed_accountability, named_documents, contacts, organisation_liaison, \
         long_term_counts_as_completed, rate_decimals, light_policy, created_at, round_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
         $22, $23, $24, $25, $26, $27, $28) RETURNING id",
    )
    .bind(ledger.title.clone())
    .bind(ledger.unit.clone())
    .bind(date_text(ledger.report_date))
    .bind(insp.inspector.clone())
    .bind(date_text(insp.start))
    .bind(date_text(insp.end))
    .bind(date_text(insp.feedback_date))
    .bind(insp.round.clone())
    .bind(insp.kind.map(|k| k.as_str().to_owned()))
    .bind(insp.feedback_document.clone())
    .bind(claimed.aspects.map(i64::from))
    .bind(claimed.problems.map(i64::from))
    .bind(claimed.measures.map(i64::from))
    .bind(claimed.completed.map(i64::from))
    .bind(claimed.in_progress.map(i64::from))
    .bind(claimed.completion_rate_percent.map(|rate| rate.to_string()))
    .bind(claimed.rules_made_or_revised.map(i64::from))
    .bind(funds.map(|f| f.fen()))
    .bind(funds.map(|f| i16::from(f.decimals())))
    .bind(json_text(&claimed.accountability)?)
    .bind(json_text(&ledger.named_documents)?)
    .bind(json_text(&ledger.contacts)?)
    .bind(ledger.organisation.liaison.clone())
    .bind(i16::from(ledger.policy.long_term_counts_as_completed))
    .bind(i16::from(ledger.policy.rate_decimals))
    .bind(json_text(&serde_json::json!({
        "lights": ledger.policy.lights,
        "recipients": ledger.policy.light_recipients,
    }))?)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .bind(round_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((id, round_id))
}

async fn insert_organisation(conn: &mut AnyConnection, id: InspectionId, ledger: &Ledger) -> Result<(), StorageError> {
    let org = &ledger.organisation;
    const NAME_COLUMNS: [&str; 4] = ["inspection_id", "position", "name", "until"];
    for (c, chunk) in org.former_names.chunks(batch::rows_per_statement(NAME_COLUMNS.len())).enumerate() {
        let first = c * batch::rows_per_statement(NAME_COLUMNS.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(
            &*conn,
            "organisation_names",
            &NAME_COLUMNS,
            chunk.len(),
            None,
        )));
        for (i, former) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("former name position", first + i)?)
                .bind(former.name.as_str().to_owned())
                .bind(date_text(former.until));
        }
        query.execute(&mut *conn).await?;
    }
    let members: Vec<(&'static str, usize, &Member)> =
        [("leading_group", &org.leading_group), ("work_team", &org.work_team)]
            .into_iter()
            .flat_map(|(team, members)| members.iter().enumerate().map(move |(i, m)| (team, i, m)))
            .collect();
    const MEMBER_COLUMNS: [&str; 5] = ["inspection_id", "team", "position", "role", "name"];
    for chunk in members.chunks(batch::rows_per_statement(MEMBER_COLUMNS.len())) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(
            &*conn,
            "organisation_members",
            &MEMBER_COLUMNS,
            chunk.len(),
            None,
        )));
        for (team, i, member) in chunk {
            query = query
                .bind(id)
                .bind(*team)
                .bind(int("member position", *i)?)
                .bind(member.role.as_str().to_owned())
                .bind(member.name.as_str().to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every progress entry of the ledger (`(measure, position, entry)`) and their evidence: the
/// entries' ids come back with their measure and position (see `batch.rs`), then all their
/// evidence goes in at once.
async fn insert_progress(
    conn: &mut AnyConnection,
    progress: &[(MeasureId, usize, &rectify_domain::ProgressEntry)],
) -> Result<(), StorageError> {
    const COLUMNS: [&str; 4] = ["measure_id", "position", "entry_date", "text"];
    let mut evidence = Vec::new();
    for chunk in progress.chunks(batch::rows_per_statement(COLUMNS.len())) {
        let sql =
            batch::insert_sql(&*conn, "progress_entries", &COLUMNS, chunk.len(), Some("id, measure_id, position"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (measure_id, position, entry) in chunk {
            query = query
                .bind(*measure_id)
                .bind(int("progress position", *position)?)
                .bind(entry.date.to_string())
                .bind(entry.text.as_str().to_owned());
        }
        let ids = batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "measure_id", chunk.len())?;
        for (measure_id, position, entry) in chunk {
            let id = batch::id_of(&ids, (*measure_id, int("progress position", *position)?))?;
            evidence.extend(entry.evidence.iter().enumerate().map(|(i, e)| (EvidenceOwner::ProgressEntry(id), i, e)));
        }
    }
    insert_evidence_rows(conn, &evidence).await
}

/// Rules, funds, accountability and meetings, each kind in one statement (a ledger holds tens).
async fn insert_outcomes(
    conn: &mut AnyConnection,
    id: InspectionId,
    ledger: &Ledger,
    ids: &Ids,
) -> Result<(), StorageError> {
    let outcomes = &ledger.outcomes;
    const RULE_COLUMNS: [&str; 6] = ["inspection_id", "position", "title", "action", "rule_date", "measure_id"];
    for (c, chunk) in outcomes.rules.chunks(batch::rows_per_statement(RULE_COLUMNS.len())).enumerate() {
        let first = c * batch::rows_per_statement(RULE_COLUMNS.len());
        let mut query =
            sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(&*conn, "rules", &RULE_COLUMNS, chunk.len(), None)));
        for (i, rule) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("rule position", first + i)?)
                .bind(rule.title.as_str().to_owned())
                .bind(enum_text(&rule.action)?)
                .bind(date_text(rule.date))
                .bind(rule.measure.map(|r| ids.measure(r)).transpose()?);
        }
        query.execute(&mut *conn).await?;
    }
    const FUND_COLUMNS: [&str; 8] =
        ["inspection_id", "position", "kind", "amount_fen", "amount_decimals", "fund_date", "measure_id", "note"];
    for (c, chunk) in outcomes.funds.chunks(batch::rows_per_statement(FUND_COLUMNS.len())).enumerate() {
        let first = c * batch::rows_per_statement(FUND_COLUMNS.len());
        let mut query =
            sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(&*conn, "funds", &FUND_COLUMNS, chunk.len(), None)));
        for (i, fund) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("fund position", first + i)?)
                .bind(fund.kind.as_str())
                .bind(fund.amount_wan_yuan.fen())
                .bind(i16::from(fund.amount_wan_yuan.decimals()))
                .bind(date_text(fund.date))
                .bind(fund.measure.map(|r| ids.measure(r)).transpose()?)
                .bind(fund.note.clone());
        }
        query.execute(&mut *conn).await?;
    }
    const ACCOUNTABILITY_COLUMNS: [&str; 8] =
        ["inspection_id", "position", "kind", "count", "counting", "persons", "action_date", "problem_id"];
    for (c, chunk) in
        outcomes.accountability.chunks(batch::rows_per_statement(ACCOUNTABILITY_COLUMNS.len())).enumerate()
    {
        let first = c * batch::rows_per_statement(ACCOUNTABILITY_COLUMNS.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(
            &*conn,
            "accountability",
            &ACCOUNTABILITY_COLUMNS,
            chunk.len(),
            None,
        )));
        for (i, a) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("accountability position", first + i)?)
                .bind(a.kind.as_str().to_owned())
                .bind(i64::from(a.count))
                .bind(enum_text(&a.counting)?)
                .bind(json_text(&a.persons)?)
                .bind(date_text(a.date))
                .bind(a.problem.map(|r| ids.problem(r)).transpose()?);
        }
        query.execute(&mut *conn).await?;
    }
    const MEETING_COLUMNS: [&str; 6] = ["inspection_id", "position", "kind", "meeting_date", "title", "decisions"];
    let mut links: Vec<(i64, usize, ProblemId)> = Vec::new();
    for (c, chunk) in outcomes.meetings.chunks(batch::rows_per_statement(MEETING_COLUMNS.len())).enumerate() {
        let first = c * batch::rows_per_statement(MEETING_COLUMNS.len());
        let sql =
            batch::insert_sql(&*conn, "meetings", &MEETING_COLUMNS, chunk.len(), Some("id, inspection_id, position"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, meeting) in chunk.iter().enumerate() {
            query = query
                .bind(id)
                .bind(int("meeting position", first + i)?)
                .bind(meeting.kind.as_str().to_owned())
                .bind(date_text(meeting.date))
                .bind(meeting.title.clone())
                .bind(json_text(&meeting.decisions)?);
        }
        let meeting_ids = batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "inspection_id", chunk.len())?;
        for (i, meeting) in chunk.iter().enumerate() {
            let meeting_id = batch::id_of(&meeting_ids, (id, int("meeting position", first + i)?))?;
            for (j, r) in meeting.problems.iter().enumerate() {
                links.push((meeting_id, j, ids.problem(*r)?));
            }
        }
    }
    const LINK_COLUMNS: [&str; 3] = ["meeting_id", "position", "problem_id"];
    for chunk in links.chunks(batch::rows_per_statement(LINK_COLUMNS.len())) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(batch::insert_sql(
            &*conn,
            "meeting_problems",
            &LINK_COLUMNS,
            chunk.len(),
            None,
        )));
        for (meeting_id, j, problem_id) in chunk {
            query = query.bind(*meeting_id).bind(int("meeting problem position", *j)?).bind(*problem_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
