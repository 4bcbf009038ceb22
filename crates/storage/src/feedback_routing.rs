//! Routing public feedback inside the unit (migration `0021_feedback_routing`): replies that
//! wait for a second person's approval before the citizen sees them (答复需审核, a setting of
//! each unit), forwarding (转办) to a responsible department with a note, and a link to a problem
//! of the unit's ledger. Every change appends its audit entry in the same transaction; entries
//! carry no receipt code, name or contact of the citizen.

use chrono::{DateTime, Utc};
use rectify_domain::limits;
use serde_json::json;
use sqlx::AnyConnection;

use crate::audit::{AuditRecord, timestamp};
use crate::portal::{FEEDBACK_COLUMNS, Feedback, FeedbackError, FeedbackId, feedback};
use crate::{Acting, StorageError, Store};

/// A unit's feedback settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackSettings {
    /// 答复需审核: a reply waits for a second person's approval before the citizen sees it.
    pub answers_need_approval: bool,
}

/// Whether `unit`'s replies need approval (no row: they do not).
pub(crate) async fn needs_approval(conn: &mut AnyConnection, unit: &str) -> Result<bool, StorageError> {
    let on: Option<i64> =
        sqlx::query_scalar("SELECT answers_need_approval FROM feedback_unit_settings WHERE unit = $1")
            .bind(unit.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(on.is_some_and(|v| v != 0))
}

fn not_found(id: FeedbackId) -> FeedbackError {
    StorageError::NotFound(format!("no feedback has id {id}")).into()
}

async fn load(
    conn: &mut AnyConnection,
    keys: &crate::sealed::DataKeyRing,
    id: FeedbackId,
) -> Result<Feedback, FeedbackError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(feedback(&row, keys)?),
        None => Err(not_found(id)),
    }
}

/// A trimmed text, `None` when blank.
fn given(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

impl Store {
    /// A unit's feedback settings (the defaults when it never chose).
    pub async fn feedback_settings(&self, unit: &str) -> Result<FeedbackSettings, StorageError> {
        let mut conn = self.readers.acquire().await?;
        Ok(FeedbackSettings { answers_need_approval: needs_approval(&mut conn, unit).await? })
    }

    /// Sets whether `unit`'s replies need approval. Replies already waiting keep waiting.
    pub async fn set_answers_need_approval(
        &self,
        unit: &str,
        on: bool,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(StorageError::Invalid("a unit's setting needs the unit's name".into()));
        }
        limits::NAME.check(unit).map_err(crate::error::too_long)?;
        let mut tx = self.begin_write().await?;
        let before = needs_approval(&mut tx, unit).await?;
        sqlx::query(
            "INSERT INTO feedback_unit_settings (unit, answers_need_approval, changed_at, changed_by_name) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (unit) DO UPDATE SET answers_need_approval = excluded.answers_need_approval, \
             changed_at = excluded.changed_at, changed_by_name = excluded.changed_by_name",
        )
        .bind(unit.to_owned())
        .bind(i16::from(on))
        .bind(timestamp(now))
        .bind(actor.user_name.clone())
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "feedback.settings", "unit", None, now)
            .before(json!({ "unit": unit, "answers_need_approval": before }))
            .after(json!({ "unit": unit, "answers_need_approval": on }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Approves the reply waiting for approval: the citizen sees it from now on. Not by its
    /// author (separation of duties: the approver is a second person).
    pub async fn approve_answer(
        &self,
        id: FeedbackId,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), FeedbackError> {
        let mut tx = self.begin_write().await?;
        let f = load(&mut tx, &self.data_keys, id).await?;
        let pending = f.pending.ok_or(FeedbackError::NothingPending)?;
        if pending.by.is_some() && pending.by == actor.user_id {
            return Err(FeedbackError::OwnAnswer);
        }
        sqlx::query(
            "UPDATE feedback SET status = 'answered', answer = pending_answer, answered_at = $1, pending_answer = NULL, \
             pending_by = NULL, pending_by_name = NULL, pending_at = NULL, answer_returned_reason = NULL WHERE id = $2",
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Feedback, id).await?;
        let record = AuditRecord::new(actor, "feedback.answer_approve", "feedback", Some(id), now)
            .before(json!({ "status": f.status, "replier": pending.by_name }))
            .after(json!({ "status": "answered", "answer_chars": pending.text.chars().count() }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Returns (退回) the reply waiting for approval with a reason; the citizen sees nothing of
    /// it, the replier sees the reason and answers again. Not by its author.
    pub async fn return_answer(
        &self,
        id: FeedbackId,
        reason: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), FeedbackError> {
        let reason = given(reason).ok_or(FeedbackError::Missing("reason"))?;
        limits::REASON.check(reason)?;
        let mut tx = self.begin_write().await?;
        let f = load(&mut tx, &self.data_keys, id).await?;
        let pending = f.pending.ok_or(FeedbackError::NothingPending)?;
        if pending.by.is_some() && pending.by == actor.user_id {
            return Err(FeedbackError::OwnAnswer);
        }
        sqlx::query(
            "UPDATE feedback SET pending_answer = NULL, pending_by = NULL, pending_by_name = NULL, pending_at = NULL, \
             answer_returned_reason = $1 WHERE id = $2",
        )
        .bind(reason.to_owned())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "feedback.answer_return", "feedback", Some(id), now)
            .before(json!({ "status": "pending_approval", "replier": pending.by_name }))
            .after(json!({ "status": f.status, "reason": reason }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Forwards (转办) a feedback to a department of its unit with an optional note; a later
    /// forwarding replaces the earlier one (the trail keeps both).
    pub async fn forward_feedback(
        &self,
        id: FeedbackId,
        department: &str,
        note: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), FeedbackError> {
        let department = given(department).ok_or(FeedbackError::Missing("department"))?;
        limits::NAME.check(department)?;
        let note = given(note);
        if let Some(note) = note {
            limits::REASON.check(note)?;
        }
        let mut tx = self.begin_write().await?;
        let f = load(&mut tx, &self.data_keys, id).await?;
        sqlx::query(
            "UPDATE feedback SET forwarded_department = $1, forward_note = $2, forwarded_at = $3, \
             status = CASE WHEN status = 'received' THEN 'processing' ELSE status END WHERE id = $4",
        )
        .bind(department.to_owned())
        .bind(note.map(str::to_owned))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "feedback.forward", "feedback", Some(id), now)
            .before(json!({ "department": f.forwarded.map(|w| w.department) }))
            .after(json!({ "department": department, "note": note }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Links a feedback to a problem of a ledger of its own unit (`None`: removes the link).
    pub async fn link_feedback_problem(
        &self,
        id: FeedbackId,
        problem: Option<i64>,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), FeedbackError> {
        let mut tx = self.begin_write().await?;
        let f = load(&mut tx, &self.data_keys, id).await?;
        if let Some(problem_id) = problem {
            let unit: Option<Option<String>> = sqlx::query_scalar(
                "SELECT i.unit FROM problems p JOIN inspections i ON i.id = p.inspection_id WHERE p.id = $1",
            )
            .bind(problem_id)
            .fetch_optional(&mut *tx)
            .await?;
            match unit {
                None => return Err(StorageError::NotFound(format!("no problem has id {problem_id}")).into()),
                Some(unit) if unit.as_deref().map(str::trim) != Some(f.unit.trim()) => {
                    return Err(FeedbackError::OtherUnit(problem_id));
                }
                Some(_) => {}
            }
        }
        sqlx::query("UPDATE feedback SET problem_id = $1 WHERE id = $2")
            .bind(problem)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new(actor, "feedback.link_problem", "feedback", Some(id), now)
            .before(json!({ "problem_id": f.problem_id }))
            .after(json!({ "problem_id": problem }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// The feedback of `unit` forwarded to `department`, newest first.
    pub async fn forwarded_feedback(&self, unit: &str, department: &str) -> Result<Vec<Feedback>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE unit = $1 AND forwarded_department = $2 \
             ORDER BY submitted_at DESC, id DESC"
        )))
        .bind(unit.to_owned())
        .bind(department.trim().to_owned())
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(|row| feedback(row, &self.data_keys)).collect()
    }

    /// The feedback linked to a problem, newest first.
    pub async fn feedback_of_problem(&self, problem: i64) -> Result<Vec<Feedback>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE problem_id = $1 ORDER BY submitted_at DESC, id DESC"
        )))
        .bind(problem)
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(|row| feedback(row, &self.data_keys)).collect()
    }

    /// How many replies of `unit` wait for approval.
    pub async fn answers_awaiting_approval(&self, unit: &str) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE unit = $1 AND pending_answer IS NOT NULL")
            .bind(unit.to_owned())
            .fetch_one(&self.readers)
            .await?;
        crate::codec::unsigned("pending answers", n)
    }
}
