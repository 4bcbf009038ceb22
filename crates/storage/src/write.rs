//! Writing a ledger: one INSERT per row, all inside the caller's transaction, so that a failure
//! anywhere leaves no half-written inspection behind.

use rectify_domain::{Ledger, Measure, MeasureRef, Member, Problem, ProblemRef, Responsibility};
use sqlx::{AnyConnection, Row};

use crate::codec::{amounts_text, date_text, enum_text, int, json_text};
use crate::evidence_rows::{EvidenceOwner, insert_evidence, insert_evidence_rows};
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

pub(crate) async fn insert_ledger(conn: &mut AnyConnection, ledger: &Ledger) -> Result<InspectionId, StorageError> {
    let id = insert_header(conn, ledger).await?;
    insert_organisation(conn, id, ledger).await?;
    let mut ids = Ids::default();
    for (ai, aspect) in ledger.aspects.iter().enumerate() {
        let aspect_id: i64 = sqlx::query_scalar(
            "INSERT INTO aspects (inspection_id, position, number, title) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(int("aspect position", ai)?)
        .bind(aspect.number.clone())
        .bind(aspect.title.clone())
        .fetch_one(&mut *conn)
        .await?;
        let mut problem_ids = Vec::with_capacity(aspect.problems.len());
        let mut measure_ids = Vec::with_capacity(aspect.problems.len());
        for (pi, problem) in aspect.problems.iter().enumerate() {
            let problem_id = insert_problem(conn, id, aspect_id, pi, problem).await?;
            let mut ms = Vec::with_capacity(problem.measures.len());
            for (mi, measure) in problem.measures.iter().enumerate() {
                ms.push(insert_measure(conn, id, problem_id, mi, measure).await?);
            }
            problem_ids.push(problem_id);
            measure_ids.push(ms);
        }
        ids.problems.push(problem_ids);
        ids.measures.push(measure_ids);
    }
    insert_outcomes(conn, id, ledger, &ids).await?;
    Ok(id)
}

/// The round named `name`, created when new.
async fn round_named(conn: &mut AnyConnection, name: &str) -> Result<i64, StorageError> {
    sqlx::query("INSERT INTO rounds (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name.to_owned())
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT id FROM rounds WHERE name = $1").bind(name.to_owned()).fetch_one(&mut *conn).await?)
}

async fn insert_header(conn: &mut AnyConnection, ledger: &Ledger) -> Result<InspectionId, StorageError> {
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
    Ok(id)
}

async fn insert_organisation(conn: &mut AnyConnection, id: InspectionId, ledger: &Ledger) -> Result<(), StorageError> {
    let org = &ledger.organisation;
    for (i, former) in org.former_names.iter().enumerate() {
        sqlx::query("INSERT INTO organisation_names (inspection_id, position, name, until) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(int("former name position", i)?)
            .bind(former.name.as_str().to_owned())
            .bind(date_text(former.until))
            .execute(&mut *conn)
            .await?;
    }
    for (team, members) in [("leading_group", &org.leading_group), ("work_team", &org.work_team)] {
        insert_members(conn, id, team, members).await?;
    }
    Ok(())
}

async fn insert_members(
    conn: &mut AnyConnection,
    id: InspectionId,
    team: &'static str,
    members: &[Member],
) -> Result<(), StorageError> {
    for (i, member) in members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO organisation_members (inspection_id, team, position, role, name) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(team)
        .bind(int("member position", i)?)
        .bind(member.role.as_str().to_owned())
        .bind(member.name.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn insert_problem(
    conn: &mut AnyConnection,
    id: InspectionId,
    aspect_id: i64,
    position: usize,
    problem: &Problem,
) -> Result<ProblemId, StorageError> {
    let r = &problem.responsibility;
    let problem_id = sqlx::query_scalar(
        "INSERT INTO problems (aspect_id, inspection_id, position, number, title, status, category, scope, \
         description, disclosure, first_responsible, leader, departments, liaison) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(aspect_id)
    .bind(id)
    .bind(int("problem position", position)?)
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
    .bind(r.liaison.clone())
    .fetch_one(&mut *conn)
    .await?;
    Ok(problem_id)
}

async fn insert_measure(
    conn: &mut AnyConnection,
    id: InspectionId,
    problem_id: ProblemId,
    position: usize,
    measure: &Measure,
) -> Result<MeasureId, StorageError> {
    let Responsibility { first_responsible, leader, departments, liaison } = &measure.responsibility;
    let measure_id = sqlx::query_scalar(
        "INSERT INTO measures (problem_id, inspection_id, position, text, dates, amounts, documents, kind, deadline, \
         status, first_responsible, leader, departments, liaison) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(problem_id)
    .bind(id)
    .bind(int("measure position", position)?)
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
    .bind(liaison.clone())
    .fetch_one(&mut *conn)
    .await?;
    crate::workflow::insert_initial(conn, measure_id, measure.status).await?;
    insert_evidence(conn, EvidenceOwner::Measure(measure_id), &measure.evidence).await?;
    insert_progress(conn, measure_id, &measure.progress).await?;
    Ok(measure_id)
}

/// Progress entries per statement (4 parameters each).
const ENTRIES_PER_STATEMENT: usize = 1_000;

/// A measure's progress entries and their evidence: one INSERT for many entries (their ids come
/// back with their positions) and one for all their evidence, instead of a statement per row.
async fn insert_progress(
    conn: &mut AnyConnection,
    measure_id: MeasureId,
    progress: &[rectify_domain::ProgressEntry],
) -> Result<(), StorageError> {
    for (chunk_index, chunk) in progress.chunks(ENTRIES_PER_STATEMENT).enumerate() {
        let first = chunk_index * ENTRIES_PER_STATEMENT;
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("(${}, ${}, ${}, ${})", r * 4 + 1, r * 4 + 2, r * 4 + 3, r * 4 + 4))
            .collect();
        let sql = format!(
            "INSERT INTO progress_entries (measure_id, position, entry_date, text) VALUES {} RETURNING id, position",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, entry) in chunk.iter().enumerate() {
            query = query
                .bind(measure_id)
                .bind(int("progress position", first + i)?)
                .bind(entry.date.to_string())
                .bind(entry.text.as_str().to_owned());
        }
        // Ids by position: the order of RETURNING rows is not promised, the position is.
        let mut ids = vec![None; chunk.len()];
        for row in query.fetch_all(&mut *conn).await? {
            let position: i64 = row.try_get("position")?;
            let slot = usize::try_from(position).ok().and_then(|p| p.checked_sub(first)).and_then(|i| ids.get_mut(i));
            if let Some(slot) = slot {
                *slot = Some(row.try_get::<i64, _>("id")?);
            }
        }
        let mut evidence = Vec::new();
        for (entry, id) in chunk.iter().zip(&ids) {
            let id = id.ok_or_else(|| {
                StorageError::corrupt("progress_entries.id", "an inserted entry came back without its id")
            })?;
            evidence.extend(entry.evidence.iter().enumerate().map(|(i, e)| (EvidenceOwner::ProgressEntry(id), i, e)));
        }
        insert_evidence_rows(conn, &evidence).await?;
    }
    Ok(())
}

async fn insert_outcomes(
    conn: &mut AnyConnection,
    id: InspectionId,
    ledger: &Ledger,
    ids: &Ids,
) -> Result<(), StorageError> {
    let outcomes = &ledger.outcomes;
    for (i, rule) in outcomes.rules.iter().enumerate() {
        sqlx::query(
            "INSERT INTO rules (inspection_id, position, title, action, rule_date, measure_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(int("rule position", i)?)
        .bind(rule.title.as_str().to_owned())
        .bind(enum_text(&rule.action)?)
        .bind(date_text(rule.date))
        .bind(rule.measure.map(|r| ids.measure(r)).transpose()?)
        .execute(&mut *conn)
        .await?;
    }
    for (i, fund) in outcomes.funds.iter().enumerate() {
        sqlx::query(
            "INSERT INTO funds (inspection_id, position, kind, amount_fen, amount_decimals, fund_date, measure_id, \
             note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(int("fund position", i)?)
        .bind(fund.kind.as_str())
        .bind(fund.amount_wan_yuan.fen())
        .bind(i16::from(fund.amount_wan_yuan.decimals()))
        .bind(date_text(fund.date))
        .bind(fund.measure.map(|r| ids.measure(r)).transpose()?)
        .bind(fund.note.clone())
        .execute(&mut *conn)
        .await?;
    }
    for (i, a) in outcomes.accountability.iter().enumerate() {
        sqlx::query(
            "INSERT INTO accountability (inspection_id, position, kind, count, counting, persons, action_date, \
             problem_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(int("accountability position", i)?)
        .bind(a.kind.as_str().to_owned())
        .bind(i64::from(a.count))
        .bind(enum_text(&a.counting)?)
        .bind(json_text(&a.persons)?)
        .bind(date_text(a.date))
        .bind(a.problem.map(|r| ids.problem(r)).transpose()?)
        .execute(&mut *conn)
        .await?;
    }
    for (i, meeting) in outcomes.meetings.iter().enumerate() {
        let meeting_id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (inspection_id, position, kind, meeting_date, title, decisions) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(int("meeting position", i)?)
        .bind(meeting.kind.as_str().to_owned())
        .bind(date_text(meeting.date))
        .bind(meeting.title.clone())
        .bind(json_text(&meeting.decisions)?)
        .fetch_one(&mut *conn)
        .await?;
        for (j, r) in meeting.problems.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_problems (meeting_id, position, problem_id) VALUES ($1, $2, $3)")
                .bind(meeting_id)
                .bind(int("meeting problem position", j)?)
                .bind(ids.problem(*r)?)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
