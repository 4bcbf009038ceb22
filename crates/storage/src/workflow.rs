//! The closure (销号) workflow of measures, recorded: the pure state machine of
//! `rectify_domain::workflow` decides, this module loads its facts, writes the outcome with an
//! optimistic lock, keeps `measures.status` in step and appends the audit entry — all in one
//! transaction, so a change and its record never part.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rectify_domain::limits;
use rectify_domain::roles::Role;
use rectify_domain::workflow::{
    self, Action, Actor, ExtensionRequest, Hands, MeasureFacts, MeasureState, Person, ReviewStage,
};
use rectify_domain::{Evidence, PartialDate, ProgressEntry, Status};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};

use crate::audit::AuditRecord;
use crate::codec::{date_text, enum_text, parse_date, unsigned};
use crate::error::{NotNow, NotPermitted, require_role};
use crate::evidence_rows::{EvidenceOwner, insert_evidence, insert_evidence_at};
use crate::write_tx::{self, WriteTx};
use crate::{Acting, InspectionId, MeasureId, ProblemId, StorageError, Store, WorkflowStoreError};

/// The workflow of one measure as the user interface shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureWorkflowView {
    pub measure_id: MeasureId,
    pub problem_id: ProblemId,
    pub state: MeasureState,
    /// What the ledger shows (`measures.status`).
    pub status: Status,
    pub deadline: Option<PartialDate>,
    pub pending_extension: Option<ExtensionRequest>,
    /// Pass this back as `expected_version` with the next step.
    pub version: i64,
    /// Evidence items on the measure and on its progress entries.
    pub evidence: u32,
    /// Who reported, claimed and approved in the current round (separation of duties).
    pub hands: Hands,
}

/// Where a measure imported with `status` enters the workflow, and whether an approved
/// extension is running.
pub fn initial_state(status: Option<Status>) -> (MeasureState, bool) {
    match status {
        Some(Status::Completed) => (MeasureState::Closed, false),
        Some(Status::PendingVerification) => (MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }, false),
        Some(Status::LongTerm) => (MeasureState::LongTerm { stages_closed: 0 }, false),
        Some(Status::BasicallyCompleted) => (MeasureState::BasicallyCompleted, false),
        Some(Status::InProgress | Status::NotDone) => (MeasureState::InProgress, false),
        Some(Status::Extended) => (MeasureState::InProgress, true),
        Some(Status::NotStarted | Status::Unknown) | None => (MeasureState::NotStarted, false),
    }
}

/// The status the ledger shows for a state: work under an approved extension is 延期整改.
pub fn shown_status(state: MeasureState, extended: bool) -> Status {
    if extended && state == MeasureState::InProgress { Status::Extended } else { state.status() }
}

/// The stored columns of a state: (state, review_stage, stages_closed).
fn state_columns(state: MeasureState) -> (&'static str, Option<&'static str>, i64) {
    match state {
        MeasureState::NotStarted => ("not_started", None, 0),
        MeasureState::InProgress => ("in_progress", None, 0),
        MeasureState::BasicallyCompleted => ("basically_completed", None, 0),
        MeasureState::UnderReview { stage } => (
            "under_review",
            Some(match stage {
                ReviewStage::AwaitingLeader => "awaiting_leader",
                ReviewStage::AwaitingLeadingGroup => "awaiting_leading_group",
                ReviewStage::AwaitingVerifier => "awaiting_verifier",
            }),
            0,
        ),
        MeasureState::Closed => ("closed", None, 0),
        MeasureState::LongTerm { stages_closed } => ("long_term", None, i64::from(stages_closed)),
    }
}

fn parse_state(state: &str, stage: Option<&str>, stages_closed: i64) -> Result<MeasureState, StorageError> {
    let bad = || StorageError::corrupt("measure_workflow.state", format!("unknown state {state:?} / {stage:?}"));
    Ok(match (state, stage) {
        ("not_started", None) => MeasureState::NotStarted,
        ("in_progress", None) => MeasureState::InProgress,
        ("basically_completed", None) => MeasureState::BasicallyCompleted,
        ("closed", None) => MeasureState::Closed,
        ("long_term", None) => {
            MeasureState::LongTerm { stages_closed: unsigned("measure_workflow.stages_closed", stages_closed)? }
        }
        ("under_review", Some(stage)) => MeasureState::UnderReview {
            stage: match stage {
                "awaiting_leader" => ReviewStage::AwaitingLeader,
                "awaiting_leading_group" => ReviewStage::AwaitingLeadingGroup,
                "awaiting_verifier" => ReviewStage::AwaitingVerifier,
                _ => return Err(bad()),
            },
        },
        _ => return Err(bad()),
    })
}

/// A measure being changed: as it was, and where its next progress entry and evidence go.
struct MeasureChange {
    before: Loaded,
    next_progress_position: i64,
    next_evidence_position: i64,
}

/// The stored workflow of a measure with the facts the machine needs.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) measure_id: MeasureId,
    pub(crate) problem_id: ProblemId,
    pub(crate) facts: MeasureFacts,
    pub(crate) extended: bool,
    pub(crate) version: i64,
    /// The measure was retired (作废): it is kept as it was, and no step is taken on it.
    pub(crate) retired: bool,
}

impl Loaded {
    /// Refuses work on a retired measure.
    fn live(&self) -> Result<(), NotNow> {
        if self.retired { Err(NotNow::Retired { kind: "measure", id: self.measure_id }) } else { Ok(()) }
    }
}

impl Loaded {
    fn view(&self) -> MeasureWorkflowView {
        MeasureWorkflowView {
            measure_id: self.measure_id,
            problem_id: self.problem_id,
            state: self.facts.state,
            status: shown_status(self.facts.state, self.extended),
            deadline: self.facts.deadline,
            pending_extension: self.facts.pending_extension.clone(),
            version: self.version,
            evidence: self.facts.evidence,
            hands: self.facts.hands.clone(),
        }
    }

    fn audit_json(&self) -> serde_json::Value {
        let view = self.view();
        json!({
            "state": view.state,
            "status": view.status,
            "deadline": view.deadline,
            "pending_extension": view.pending_extension,
            "version": view.version,
        })
    }
}

/// The columns [`loaded`] reads, from `measure_workflow` and through subqueries correlated by the
/// table's own name, so that they also fit an `UPDATE … RETURNING` (where SQLite knows no alias).
const LOADED_COLUMNS: &str = "state, review_stage, stages_closed, extended, version, \
     pending_extension_deadline, pending_extension_reason, hands, \
     (SELECT m.deadline FROM measures m WHERE m.id = measure_workflow.measure_id) AS deadline, \
     (SELECT m.problem_id FROM measures m WHERE m.id = measure_workflow.measure_id) AS problem_id, \
     (SELECT m.retired_at FROM measures m WHERE m.id = measure_workflow.measure_id) AS retired_at, \
     (SELECT COUNT(*) FROM evidence v WHERE v.measure_id = measure_workflow.measure_id) + \
     (SELECT COUNT(*) FROM evidence v JOIN progress_entries e ON e.id = v.progress_entry_id \
      WHERE e.measure_id = measure_workflow.measure_id) AS evidence_count";

pub(crate) async fn load(conn: &mut AnyConnection, measure_id: MeasureId) -> Result<Loaded, StorageError> {
    let sql = format!("SELECT {LOADED_COLUMNS} FROM measure_workflow WHERE measure_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(measure_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("no measure has id {measure_id}")))?;
    loaded(measure_id, &row)
}

fn loaded(measure_id: MeasureId, row: &sqlx::any::AnyRow) -> Result<Loaded, StorageError> {
    let state_text: String = row.try_get("state")?;
    let stage: Option<String> = row.try_get("review_stage")?;
    let state = parse_state(&state_text, stage.as_deref(), row.try_get("stages_closed")?)?;
    let pending = match (
        parse_date("measure_workflow.pending_extension_deadline", row.try_get("pending_extension_deadline")?)?,
        row.try_get::<Option<String>, _>("pending_extension_reason")?,
    ) {
        (Some(new_deadline), Some(reason)) => Some(ExtensionRequest { new_deadline, reason }),
        (None, None) => None,
        _ => {
            return Err(StorageError::corrupt("measure_workflow.pending_extension", "deadline and reason go together"));
        }
    };
    Ok(Loaded {
        measure_id,
        problem_id: row.try_get("problem_id")?,
        facts: MeasureFacts {
            state,
            deadline: parse_date("measures.deadline", row.try_get("deadline")?)?,
            evidence: unsigned("evidence count", row.try_get("evidence_count")?)?,
            pending_extension: pending,
            hands: serde_json::from_str(&row.try_get::<String, _>("hands")?)
                .map_err(|e| StorageError::corrupt("measure_workflow.hands", e.to_string()))?,
        },
        extended: row.try_get::<i64, _>("extended")? != 0,
        version: row.try_get("version")?,
        retired: row.try_get::<Option<String>, _>("retired_at")?.is_some(),
    })
}

/// Creates the workflow row of a newly imported measure.
pub(crate) async fn insert_initial(
    conn: &mut AnyConnection,
    measure_id: MeasureId,
    status: Option<Status>,
) -> Result<(), StorageError> {
    let (state, extended) = initial_state(status);
    let (state, stage, stages_closed) = state_columns(state);
    sqlx::query(
        "INSERT INTO measure_workflow (measure_id, state, review_stage, stages_closed, extended) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(measure_id)
    .bind(state)
    .bind(stage)
    .bind(stages_closed)
    .bind(i16::from(extended))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The workflow rows of many new measures, each in the state its imported status implies,
/// thousands per statement (see `batch.rs`).
pub(crate) async fn insert_initial_rows(
    conn: &mut AnyConnection,
    measures: &[(MeasureId, Option<Status>)],
) -> Result<(), StorageError> {
    const COLUMNS: [&str; 5] = ["measure_id", "state", "review_stage", "stages_closed", "extended"];
    for chunk in measures.chunks(crate::batch::rows_per_statement(COLUMNS.len())) {
        let sql = crate::batch::insert_sql(&*conn, "measure_workflow", &COLUMNS, chunk.len(), None);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (measure_id, status) in chunk {
            let (state, extended) = initial_state(*status);
            let (state, stage, stages_closed) = state_columns(state);
            query = query.bind(*measure_id).bind(state).bind(stage).bind(stages_closed).bind(i16::from(extended));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The conflict to report when a measure's version moved under a writer.
async fn conflict(conn: &mut AnyConnection, measure_id: MeasureId) -> WorkflowStoreError {
    let current = sqlx::query_scalar("SELECT version FROM measure_workflow WHERE measure_id = $1")
        .bind(measure_id)
        .fetch_optional(&mut *conn)
        .await;
    match current {
        Ok(Some(current_version)) => WorkflowStoreError::Conflict { current_version },
        Ok(None) => StorageError::NotFound(format!("no measure has id {measure_id}")).into(),
        Err(e) => StorageError::from(e).into(),
    }
}

/// Writes a new state with the optimistic lock and mirrors it into `measures`.
async fn store_state(
    conn: &mut AnyConnection,
    before: &Loaded,
    outcome: &workflow::Outcome,
    extended: bool,
) -> Result<Loaded, WorkflowStoreError> {
    let (state, stage, stages_closed) = state_columns(outcome.state);
    let (pending_deadline, pending_reason) = match &outcome.pending_extension {
        Some(r) => (Some(r.new_deadline.to_string()), Some(r.reason.clone())),
        None => (None, None),
    };
    let done = sqlx::query(
        "UPDATE measure_workflow SET state = $1, review_stage = $2, stages_closed = $3, extended = $4, \
         pending_extension_deadline = $5, pending_extension_reason = $6, hands = $7, version = version + 1 \
         WHERE measure_id = $8 AND version = $9",
    )
    .bind(state)
    .bind(stage)
    .bind(stages_closed)
    .bind(i16::from(extended))
    .bind(pending_deadline)
    .bind(pending_reason)
    .bind(hands_json(&outcome.hands)?)
    .bind(before.measure_id)
    .bind(before.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(conflict(conn, before.measure_id).await);
    }
    sqlx::query("UPDATE measures SET status = $1, deadline = $2 WHERE id = $3")
        .bind(enum_text(&shown_status(outcome.state, extended))?)
        .bind(date_text(outcome.deadline))
        .bind(before.measure_id)
        .execute(&mut *conn)
        .await?;
    Ok(Loaded {
        facts: MeasureFacts {
            state: outcome.state,
            deadline: outcome.deadline,
            evidence: before.facts.evidence,
            pending_extension: outcome.pending_extension.clone(),
            hands: outcome.hands.clone(),
        },
        extended,
        version: before.version + 1,
        ..before.clone()
    })
}

/// Records the actor among the measure's reporters (once): whoever reports work on a measure
/// does not approve it. Writes only when the actor is new to the list.
async fn record_reporter(conn: &mut AnyConnection, after: &mut Loaded, actor: &Acting) -> Result<(), StorageError> {
    if after.facts.hands.record_work(person_of(actor)) {
        sqlx::query("UPDATE measure_workflow SET hands = $1 WHERE measure_id = $2")
            .bind(hands_json(&after.facts.hands)?)
            .bind(after.measure_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn hands_json(hands: &Hands) -> Result<String, StorageError> {
    serde_json::to_string(hands).map_err(|e| StorageError::corrupt("measure_workflow.hands", e.to_string()))
}

/// The person of an actor, for separation of duties: an account by its id (positive); an actor
/// without an account (the command line, the system) by the name the trail records, as a
/// negative number (FNV-1a of the name), so the two never meet.
fn person_of(actor: &Acting) -> Person {
    match actor.user_id {
        Some(id) => Person(id),
        None => {
            let hash = actor
                .user_name
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
            Person(-1 - i64::try_from(hash >> 2).unwrap_or(0))
        }
    }
}

/// Takes one step of the machine on a loaded measure and writes it (state, status); returns the
/// measure after the step and the audit record, which the caller appends.
pub(crate) async fn step(
    tx: &mut WriteTx,
    before: &Loaded,
    actor: &Acting,
    workflow_actor: Actor,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Result<(Loaded, AuditRecord), workflow::WorkflowError>, WorkflowStoreError> {
    let outcome = match workflow::apply(&before.facts, workflow_actor, person_of(actor), action) {
        Ok(outcome) => outcome,
        Err(refused) => return Ok(Err(refused)),
    };
    let extended = match action {
        Action::ApproveExtension { .. } => true,
        Action::Reopen { .. } => false,
        _ => before.extended,
    };
    let after = store_state(tx, before, &outcome, extended).await?;
    let mut after_json = after.audit_json();
    if let (Some(object), Ok(serde_json::Value::Object(payload))) =
        (after_json.as_object_mut(), serde_json::to_value(action))
    {
        object.extend(payload.into_iter().filter(|(k, _)| k != "action"));
    }
    let record = AuditRecord::new(actor, format!("measure.{}", action.name()), "measure", Some(before.measure_id), now)
        .before(before.audit_json())
        .after(after_json);
    Ok(Ok((after, record)))
}

/// The record of a refused attempt, so that the trail shows what was tried and by whom.
fn refusal(
    actor: &Acting,
    action: &str,
    target_kind: &str,
    target_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> AuditRecord {
    AuditRecord::new(actor, action, target_kind, Some(target_id), now).result(format!("refused: {reason}"))
}

/// Unit workers: the department and the liaison record work and evidence.
const UNIT_WORKERS: &[Role] = &[Role::Department, Role::UnitLiaison];

/// The roles that take a step of the closure workflow (with 巡察办 as the verifier).
const WORKFLOW_ROLES: &[Role] =
    &[Role::UnitLiaison, Role::Department, Role::LeaderInCharge, Role::LeadingGroup, Role::DEFAULT_VERIFIER];

/// The texts of an evidence's metadata within their limits.
fn check_evidence_texts(evidence: &Evidence) -> Result<(), limits::TooLong> {
    limits::TITLE.check(&evidence.title)?;
    limits::NAME.check_opt(evidence.kind.as_deref())?;
    limits::NAME.check_opt(evidence.media_type.as_deref())
}

fn checked_sha256(sha256: Option<&str>) -> Result<String, WorkflowStoreError> {
    match sha256 {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(h.to_ascii_lowercase()),
        _ => Err(WorkflowStoreError::Invalid(
            "evidence needs the SHA-256 of a stored file (64 hexadecimal digits)".to_owned(),
        )),
    }
}

/// Locks the workflow rows of a problem's measures before anything else is written, so that
/// transactions touching several measures take their locks in one order (rows, then the audit
/// head) and never deadlock with single-measure steps. A no-op UPDATE locks on both databases.
async fn lock_measures_of(conn: &mut AnyConnection, problem_id: ProblemId) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE measure_workflow SET version = version \
         WHERE measure_id IN (SELECT id FROM measures WHERE problem_id = $1)",
    )
    .bind(problem_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reopens a closed problem and its closed measures (look-back found the problem back), with an
/// audit entry per measure. Returns how many measures were reopened and the problem's own audit
/// record, for the caller to append or commit with.
pub(crate) async fn reopen_problem_in(
    tx: &mut WriteTx,
    problem_id: ProblemId,
    actor: &Acting,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(u32, AuditRecord), WorkflowStoreError> {
    require_role(actor, &[Role::InspectionOffice], "reopening a problem")?;
    if reason.trim().is_empty() {
        return Err(workflow::WorkflowError::NoReason.into());
    }
    let status: String = sqlx::query_scalar("SELECT status FROM problems WHERE id = $1")
        .bind(problem_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("no problem has id {problem_id}")))?;
    if status != Status::Completed.as_str() {
        let status = Status::from_name(&status).unwrap_or(Status::Unknown);
        return Err(NotNow::ProblemNotClosed { problem_id, status }.into());
    }
    lock_measures_of(tx, problem_id).await?;
    let measures: Vec<i64> = sqlx::query_scalar(
        "SELECT m.id FROM measures m JOIN measure_workflow w ON w.measure_id = m.id \
         WHERE m.problem_id = $1 AND w.state = 'closed' ORDER BY m.position",
    )
    .bind(problem_id)
    .fetch_all(&mut **tx)
    .await?;
    let action = Action::Reopen { reason: reason.to_owned() };
    for &measure_id in &measures {
        let before = load(tx, measure_id).await?;
        let (_, record) = step(tx, &before, actor, Actor::Verifier, &action, now).await??;
        tx.append_audit(&record).await?;
    }
    sqlx::query("UPDATE problems SET status = $1 WHERE id = $2")
        .bind(Status::InProgress.as_str())
        .bind(problem_id)
        .execute(&mut **tx)
        .await?;
    let record = AuditRecord::new(actor, "problem.reopen", "problem", Some(problem_id), now)
        .before(json!({ "status": status }))
        .after(json!({ "status": Status::InProgress, "reason": reason, "measures_reopened": measures }));
    Ok((u32::try_from(measures.len()).unwrap_or(u32::MAX), record))
}

impl Store {
    /// Starts the write of a measure that will change: loads it, with the next free positions
    /// of its progress entries and evidence, and raises its version in the transaction's first
    /// statement, which on SQLite travels with `BEGIN` (the busiest write path, so one hand-off to
    /// the connection fewer). `before.version` is the version the writer must have seen; on a
    /// mismatch the caller drops the transaction, which undoes the raise.
    async fn begin_measure_change(&self, measure_id: MeasureId) -> Result<(WriteTx, MeasureChange), StorageError> {
        let sql = format!(
            "UPDATE measure_workflow SET version = version + 1 WHERE measure_id = $1 RETURNING {LOADED_COLUMNS}, \
             (SELECT COALESCE(MAX(e.position) + 1, 0) FROM progress_entries e \
              WHERE e.measure_id = measure_workflow.measure_id) AS next_progress_position, \
             (SELECT COALESCE(MAX(v.position) + 1, 0) FROM evidence v \
              WHERE v.measure_id = measure_workflow.measure_id) AS next_evidence_position"
        );
        let mut arguments = AnyArguments::default();
        arguments.add(measure_id).map_err(sqlx::Error::Encode)?;
        let (tx, row) = self.begin_write_fetching(&sql, arguments).await?;
        let row = row.ok_or_else(|| StorageError::NotFound(format!("no measure has id {measure_id}")))?;
        let mut before = loaded(measure_id, &row)?;
        before.version -= 1;
        let change = MeasureChange {
            before,
            next_progress_position: row.try_get("next_progress_position")?,
            next_evidence_position: row.try_get("next_evidence_position")?,
        };
        Ok((tx, change))
    }

    /// The workflow of every measure of an inspection, by measure (one query, remembered until
    /// the data changes).
    pub async fn measure_workflows(
        &self,
        inspection: InspectionId,
    ) -> Result<HashMap<MeasureId, MeasureWorkflowView>, StorageError> {
        Ok(HashMap::clone(&*self.workflows_shared(inspection, None).await?))
    }

    pub(crate) async fn workflows_shared(
        &self,
        inspection: InspectionId,
        known: Option<i64>,
    ) -> Result<std::sync::Arc<HashMap<MeasureId, MeasureWorkflowView>>, StorageError> {
        let version = crate::cache::Version::Inspection(inspection);
        self.read_remembered(&self.reads.workflows, inspection, version, known, async |conn| {
            let sql = format!(
                "SELECT measure_id, {LOADED_COLUMNS} FROM measure_workflow \
                 WHERE measure_id IN (SELECT id FROM measures WHERE inspection_id = $1)"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(inspection).fetch_all(&mut *conn).await?;
            rows.iter()
                .map(|row| {
                    let id: MeasureId = row.try_get("measure_id")?;
                    Ok((id, loaded(id, row)?.view()))
                })
                .collect::<Result<HashMap<_, _>, StorageError>>()
        })
        .await
    }

    /// The workflow of a measure; `None` if no measure has the id.
    pub async fn measure_workflow(&self, measure_id: MeasureId) -> Result<Option<MeasureWorkflowView>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        match load(&mut conn, measure_id).await {
            Ok(loaded) => Ok(Some(loaded.view())),
            Err(StorageError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Takes one step of the closure workflow on a measure.
    ///
    /// `expected_version` is the version the actor saw: if the measure changed meanwhile the step
    /// is refused with `Conflict` (no lost update). Refusals by the rules are audited too.
    pub async fn apply_measure_action(
        &self,
        measure_id: MeasureId,
        actor: &Acting,
        action: Action,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        self.apply_measure_action_notifying(measure_id, actor, action, expected_version, now, &[]).await
    }

    /// [`Store::apply_measure_action`] that stores `notices` in the step's transaction: they
    /// exist exactly when the step does.
    pub async fn apply_measure_action_notifying(
        &self,
        measure_id: MeasureId,
        actor: &Acting,
        action: Action,
        expected_version: i64,
        now: DateTime<Utc>,
        notices: &[crate::NewNotification],
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        let (store, actor, notices) = (self.clone(), actor.clone(), notices.to_vec());
        let work = async move {
            store.apply_measure_action_now(measure_id, &actor, action, expected_version, now, &notices).await
        };
        write_tx::on_writer_thread(self.write_gate.as_ref(), work).await?
    }

    /// [`Store::apply_measure_action_notifying`] on the writer thread.
    async fn apply_measure_action_now(
        &self,
        measure_id: MeasureId,
        actor: &Acting,
        action: Action,
        expected_version: i64,
        now: DateTime<Utc>,
        notices: &[crate::NewNotification],
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        // A blank comment is no comment; the history keeps a given one trimmed.
        let action = action.normalized();
        // The load travels with BEGIN; `store_state` checks the version again as it writes.
        let sql = format!("SELECT {LOADED_COLUMNS} FROM measure_workflow WHERE measure_id = $1");
        let mut arguments = AnyArguments::default();
        arguments.add(measure_id).map_err(sqlx::Error::Encode)?;
        let (mut tx, row) = self.begin_write_fetching(&sql, arguments).await?;
        let row = row.ok_or_else(|| StorageError::NotFound(format!("no measure has id {measure_id}")))?;
        let before = loaded(measure_id, &row)?;
        before.live()?;
        if before.version != expected_version {
            return Err(WorkflowStoreError::Conflict { current_version: before.version });
        }
        let audit_action = format!("measure.{}", action.name());
        let refused = match actor.role.default_workflow_actor() {
            None => NotPermitted { what: "a step of the closure workflow", role: actor.role, allowed: WORKFLOW_ROLES }
                .into(),
            Some(workflow_actor) => match step(&mut tx, &before, actor, workflow_actor, &action, now).await? {
                Ok((after, record)) => {
                    crate::notifications::insert_notifications(&mut tx, notices, now).await?;
                    tx.commit(&record).await?;
                    return Ok(after.view());
                }
                Err(refused) => WorkflowStoreError::Refused(refused),
            },
        };
        tx.commit(&refusal(actor, &audit_action, "measure", measure_id, &refused.to_string(), now)).await?;
        Err(refused)
    }

    /// Appends a progress entry (with its evidence metadata) to a measure that is not closed.
    pub async fn add_progress(
        &self,
        measure_id: MeasureId,
        actor: &Acting,
        entry: &ProgressEntry,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        require_role(actor, UNIT_WORKERS, "recording progress")?;
        limits::PROGRESS_TEXT.check(&entry.text)?;
        entry.evidence.iter().try_for_each(check_evidence_texts)?;
        // Cut into words before the write lock is taken: the lock serialises every writer.
        let tokens = entry.evidence.is_empty().then(|| rectify_segment::index_text(entry.text.as_str()));
        let (store, actor, entry) = (self.clone(), actor.clone(), entry.clone());
        let work =
            async move { store.add_progress_now(measure_id, &actor, &entry, tokens, expected_version, now).await };
        write_tx::on_writer_thread(self.write_gate.as_ref(), work).await?
    }

    /// [`Store::add_progress`] once its words are cut: the part that holds the write gate.
    async fn add_progress_now(
        &self,
        measure_id: MeasureId,
        actor: &Acting,
        entry: &ProgressEntry,
        tokens: Option<String>,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        let (mut tx, change) = self.begin_measure_change(measure_id).await?;
        let before = change.before;
        before.live()?;
        if before.version != expected_version {
            return Err(WorkflowStoreError::Conflict { current_version: before.version });
        }
        if before.facts.state == MeasureState::Closed {
            return Err(NotNow::MeasureClosed { measure_id }.into());
        }
        let added = u32::try_from(entry.evidence.len()).unwrap_or(u32::MAX);
        let mut after = Loaded {
            facts: MeasureFacts { evidence: before.facts.evidence.saturating_add(added), ..before.facts.clone() },
            version: before.version + 1,
            ..before.clone()
        };
        record_reporter(&mut tx, &mut after, actor).await?;
        let position = change.next_progress_position;
        let record = AuditRecord::new(actor, "measure.add_progress", "measure", Some(measure_id), now)
            .before(json!({ "version": before.version }))
            .after(json!({ "version": after.version, "progress_position": position, "entry": entry }));
        let insert = "INSERT INTO progress_entries (measure_id, position, entry_date, text) VALUES ($1, $2, $3, $4)";
        let mut arguments = AnyArguments::default();
        arguments.add(measure_id).map_err(sqlx::Error::Encode)?;
        arguments.add(position).map_err(sqlx::Error::Encode)?;
        arguments.add(entry.date.to_string()).map_err(sqlx::Error::Encode)?;
        arguments.add(entry.text.as_str().to_owned()).map_err(sqlx::Error::Encode)?;
        if let Some(tokens) = tokens {
            // The entry, its search index entry, its audit record and COMMIT: one query on SQLite.
            arguments.add(tokens).map_err(sqlx::Error::Encode)?;
            tx.commit_after(crate::search::insert_progress_indexed(self.backend), arguments, &record).await?;
        } else {
            let entry_id: i64 =
                sqlx::query_scalar_with(sqlx::AssertSqlSafe(format!("{insert} RETURNING id")), arguments)
                    .fetch_one(&mut *tx)
                    .await?;
            insert_evidence(&mut tx, EvidenceOwner::ProgressEntry(entry_id), &entry.evidence).await?;
            // The file was sealed with the current data key: the ring must keep it.
            let registered =
                entry.evidence.iter().any(|e| e.sha256.is_some()) && self.register_data_key_once(&mut tx, now).await?;
            crate::search::index_progress_entry(&mut tx, entry_id).await?;
            tx.commit(&record).await?;
            self.data_key_committed(registered);
        }
        Ok(after.view())
    }

    /// Links a stored evidence file (see [`crate::EvidenceStore`]) to a measure.
    pub async fn attach_evidence(
        &self,
        measure_id: MeasureId,
        evidence: &Evidence,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        require_role(actor, UNIT_WORKERS, "attaching evidence")?;
        check_evidence_texts(evidence)?;
        let sha256 = checked_sha256(evidence.sha256.as_deref())?;
        let (store, actor, evidence) = (self.clone(), actor.clone(), evidence.clone());
        let work = async move { store.attach_evidence_now(measure_id, &evidence, sha256, &actor, now).await };
        write_tx::on_writer_thread(self.write_gate.as_ref(), work).await?
    }

    /// [`Store::attach_evidence`] on the writer thread, its input checked.
    async fn attach_evidence_now(
        &self,
        measure_id: MeasureId,
        evidence: &Evidence,
        sha256: String,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<MeasureWorkflowView, WorkflowStoreError> {
        let (mut tx, change) = self.begin_measure_change(measure_id).await?;
        let before = change.before;
        before.live()?;
        if before.facts.state == MeasureState::Closed {
            return Err(NotNow::MeasureClosed { measure_id }.into());
        }
        let position = change.next_evidence_position;
        let stored = Evidence { sha256: Some(sha256), ..evidence.clone() };
        let evidence_id = insert_evidence_at(&mut tx, EvidenceOwner::Measure(measure_id), position, &stored).await?;
        let registered = self.register_data_key_once(&mut tx, now).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Evidence, evidence_id).await?;
        let mut after = Loaded {
            facts: MeasureFacts { evidence: before.facts.evidence.saturating_add(1), ..before.facts.clone() },
            version: before.version + 1,
            ..before.clone()
        };
        record_reporter(&mut tx, &mut after, actor).await?;
        let record = AuditRecord::new(actor, "measure.attach_evidence", "measure", Some(measure_id), now)
            .before(json!({ "version": before.version }))
            .after(json!({ "version": after.version, "evidence": stored }));
        tx.commit(&record).await?;
        self.data_key_committed(registered);
        Ok(after.view())
    }

    /// The measures a stored file is evidence of (directly or through a progress entry), so that
    /// the server serves it only to those who may see one of them.
    pub async fn evidence_measure(&self, sha256: &str) -> Result<Vec<MeasureId>, StorageError> {
        let ids = sqlx::query_scalar(
            "SELECT measure_id FROM evidence WHERE sha256 = $1 AND measure_id IS NOT NULL \
             UNION SELECT e.measure_id FROM evidence v JOIN progress_entries e ON e.id = v.progress_entry_id \
             WHERE v.sha256 = $1 ORDER BY 1",
        )
        .bind(sha256.to_ascii_lowercase())
        .fetch_all(&self.readers)
        .await?;
        Ok(ids)
    }

    /// Closes (销号) a problem: only the verifier, and only when every measure is closed.
    pub async fn close_problem(
        &self,
        problem_id: ProblemId,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        require_role(actor, &[Role::InspectionOffice], "closing a problem")?;
        let mut tx = self.begin_write().await?;
        let status: String = sqlx::query_scalar("SELECT status FROM problems WHERE id = $1")
            .bind(problem_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("no problem has id {problem_id}")))?;
        if status == Status::Completed.as_str() {
            return Err(NotNow::ProblemClosed { problem_id }.into());
        }
        lock_measures_of(&mut tx, problem_id).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN w.state = 'closed' THEN 1 ELSE 0 END), 0) AS closed \
             FROM measures m JOIN measure_workflow w ON w.measure_id = m.id \
             WHERE m.problem_id = $1 AND m.retired_at IS NULL",
        )
        .bind(problem_id)
        .fetch_one(&mut *tx)
        .await?;
        let (total, closed): (i64, i64) = (row.try_get("total")?, row.try_get("closed")?);
        if total == 0 || closed < total {
            let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
            let reason = if total == 0 {
                NotNow::NoMeasures { problem_id }
            } else {
                NotNow::MeasuresOpen { problem_id, open: count(total - closed), total: count(total) }
            };
            tx.commit(&refusal(actor, "problem.close", "problem", problem_id, &reason.to_string(), now)).await?;
            return Err(reason.into());
        }
        sqlx::query("UPDATE problems SET status = $1 WHERE id = $2")
            .bind(Status::Completed.as_str())
            .bind(problem_id)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new(actor, "problem.close", "problem", Some(problem_id), now)
            .before(json!({ "status": status }))
            .after(json!({ "status": Status::Completed }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Reopens a closed problem and its closed measures (反弹 found by look-back); history stays in
    /// the audit trail and the progress entries. Returns how many measures were reopened.
    pub async fn reopen_problem(
        &self,
        problem_id: ProblemId,
        actor: &Acting,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<u32, WorkflowStoreError> {
        limits::REASON.check(reason)?;
        let mut tx = self.begin_write().await?;
        let (reopened, record) = reopen_problem_in(&mut tx, problem_id, actor, reason, now).await?;
        tx.commit(&record).await?;
        Ok(reopened)
    }
}
