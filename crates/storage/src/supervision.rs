//! Supervision (督办): reminders, deadline lights and hand-overs of responsibility.

use std::cmp::Reverse;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rectify_domain::Responsibility;
use rectify_domain::calendar::CALENDAR;
use rectify_domain::roles::Role;
use rectify_domain::supervision::{Light, LightPolicy, light};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditRecord, timestamp};
use crate::codec::{json_text, parse_json};
use crate::error::require_role;
use crate::{
    Acting, InspectionId, MeasureId, MeasureRecord, ProblemId, StorageError, Store, UserId, WorkflowStoreError,
};

/// Who a reminder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "to", rename_all = "snake_case")]
pub enum ReminderTarget {
    /// Everyone holding the role (within their scope of inspections).
    Role(Role),
    User(UserId),
}

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub id: i64,
    pub measure_id: MeasureId,
    pub from_user_id: Option<UserId>,
    /// The sender's display name (姓名) as it is now, else (an account since deleted, the
    /// command line) the name stored with the reminder.
    pub from_name: String,
    pub to: ReminderTarget,
    pub message: String,
    pub sent_at: String,
}

/// A problem's or a measure's responsibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ResponsibilityTarget {
    Problem(ProblemId),
    Measure(MeasureId),
}

impl ResponsibilityTarget {
    fn parts(self) -> (&'static str, &'static str, i64) {
        match self {
            ResponsibilityTarget::Problem(id) => ("problem", "problems", id),
            ResponsibilityTarget::Measure(id) => ("measure", "measures", id),
        }
    }
}

/// One hand-over of responsibility, old and new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub old: Responsibility,
    pub new: Responsibility,
    pub changed_by: Option<UserId>,
    pub changed_by_name: String,
    pub changed_at: String,
}

/// Roles that chase others: the unit's liaison and leaders, the inspection office, 纪检监察.
const SUPERVISORS: &[Role] =
    &[Role::UnitLiaison, Role::LeaderInCharge, Role::LeadingGroup, Role::InspectionOffice, Role::DisciplineInspection];

/// Roles that may hand responsibility over.
const REASSIGNERS: &[Role] = &[Role::UnitLiaison, Role::LeadingGroup, Role::InspectionOffice];

fn reminder(row: &AnyRow) -> Result<Reminder, StorageError> {
    let role: Option<String> = row.try_get("to_role")?;
    let user: Option<UserId> = row.try_get("to_user_id")?;
    let to = match (role, user) {
        (Some(name), None) => ReminderTarget::Role(
            Role::from_name(&name)
                .ok_or_else(|| StorageError::corrupt("reminders.to_role", format!("unknown role {name:?}")))?,
        ),
        (None, Some(id)) => ReminderTarget::User(id),
        _ => return Err(StorageError::corrupt("reminders", "a reminder goes to a role or to a user")),
    };
    Ok(Reminder {
        id: row.try_get("id")?,
        measure_id: row.try_get("measure_id")?,
        from_user_id: row.try_get("from_user_id")?,
        from_name: row.try_get("from_name")?,
        to,
        message: row.try_get("message")?,
        sent_at: row.try_get("sent_at")?,
    })
}

async fn load_responsibility(
    conn: &mut AnyConnection,
    target: ResponsibilityTarget,
) -> Result<Responsibility, StorageError> {
    let (kind, table, id) = target.parts();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT first_responsible, leader, departments, liaison FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StorageError::NotFound(format!("no {kind} has id {id}")))?;
    let departments: String = row.try_get("departments")?;
    Ok(Responsibility {
        first_responsible: row.try_get("first_responsible")?,
        leader: row.try_get("leader")?,
        departments: parse_json(&format!("{table}.departments"), &departments)?,
        liaison: row.try_get("liaison")?,
    })
}

impl Store {
    /// Sends a reminder about a measure, unless one was sent less than `min_interval` ago.
    pub async fn send_reminder(
        &self,
        measure_id: MeasureId,
        to: ReminderTarget,
        message: &str,
        actor: &Acting,
        min_interval: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        self.send_reminder_notifying(measure_id, to, message, actor, min_interval, now, &[]).await
    }

    /// [`Store::send_reminder`] that stores `notices` in the reminder's transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn send_reminder_notifying(
        &self,
        measure_id: MeasureId,
        to: ReminderTarget,
        message: &str,
        actor: &Acting,
        min_interval: TimeDelta,
        now: DateTime<Utc>,
        notices: &[crate::NewNotification],
    ) -> Result<i64, WorkflowStoreError> {
        require_role(actor, SUPERVISORS, "sending reminders")?;
        if message.trim().is_empty() {
            return Err(WorkflowStoreError::Invalid("a reminder needs a message".to_owned()));
        }
        rectify_domain::limits::REASON.check(message)?;
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM measures WHERE id = $1")
            .bind(measure_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no measure has id {measure_id}")).into());
        }
        let since = now.checked_sub_signed(min_interval).unwrap_or(DateTime::<Utc>::MIN_UTC);
        let last: Option<String> = sqlx::query_scalar(
            "SELECT sent_at FROM reminders WHERE measure_id = $1 AND sent_at > $2 ORDER BY sent_at DESC LIMIT 1",
        )
        .bind(measure_id)
        .bind(timestamp(since))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(last_at) = last {
            return Err(WorkflowStoreError::TooSoon { last_at });
        }
        let (to_role, to_user) = match to {
            ReminderTarget::Role(role) => (Some(role.as_str()), None),
            ReminderTarget::User(id) => (None, Some(id)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reminders (measure_id, from_user_id, from_name, to_role, to_user_id, message, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(measure_id)
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .bind(to_role)
        .bind(to_user)
        .bind(message.to_owned())
        .bind(timestamp(now))
        .fetch_one(&mut *tx)
        .await?;
        crate::notifications::insert_notifications(&mut tx, notices, now).await?;
        let record = AuditRecord::new(actor, "measure.remind", "measure", Some(measure_id), now)
            .after(json!({ "reminder_id": id, "to": to, "message": message }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// The reminders a user receives: addressed to them, or to a role they hold within the
    /// inspections of its scope. Newest first.
    pub async fn list_reminders_for(&self, user_id: UserId) -> Result<Vec<Reminder>, StorageError> {
        let rows = sqlx::query(
            "SELECT r.id, r.measure_id, r.from_user_id, COALESCE(u.display_name, r.from_name) AS from_name, \
             r.to_role, r.to_user_id, r.message, r.sent_at \
             FROM reminders r JOIN measures m ON m.id = r.measure_id LEFT JOIN users u ON u.id = r.from_user_id \
             WHERE r.to_user_id = $1 OR EXISTS (SELECT 1 FROM user_roles g WHERE g.user_id = $1 \
             AND g.role = r.to_role AND (g.inspection_id IS NULL OR g.inspection_id = m.inspection_id)) \
             ORDER BY r.sent_at DESC, r.id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(reminder).collect()
    }

    /// The open measures of an inspection that are overdue or close to their deadline on
    /// `today`, most urgent first (red, then yellow, then green; earlier deadline first).
    pub async fn overdue_and_at_risk(
        &self,
        inspection: InspectionId,
        policy: &LightPolicy,
        today: NaiveDate,
    ) -> Result<Vec<(MeasureRecord, Light)>, StorageError> {
        let measures = self.list_measures(inspection, None).await?;
        let mut flagged: Vec<(MeasureRecord, Light)> = measures
            .into_iter()
            .filter_map(|record| {
                let lit = light(record.measure.status, record.measure.deadline, today, policy, &CALENDAR);
                matches!(lit, Light::Red | Light::Yellow | Light::Green).then_some((record, lit))
            })
            .collect();
        flagged.sort_by_key(|(record, lit)| (Reverse(*lit), record.measure.deadline.map(|d| d.latest()), record.id));
        Ok(flagged)
    }

    /// Hands a problem's or a measure's responsibility over (a leader or department changes),
    /// keeping the old and the new in `responsibility_history`.
    pub async fn reassign_responsibility(
        &self,
        target: ResponsibilityTarget,
        new: &Responsibility,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        require_role(actor, REASSIGNERS, "handing responsibility over")?;
        let name = rectify_domain::limits::NAME;
        name.check_opt(new.first_responsible.as_deref())?;
        name.check_opt(new.leader.as_deref())?;
        name.check_all(new.departments.iter().map(String::as_str))?;
        name.check_opt(new.liaison.as_deref())?;
        let (kind, table, id) = target.parts();
        let mut tx = self.begin_write().await?;
        let old = load_responsibility(&mut tx, target).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET first_responsible = $1, leader = $2, departments = $3, liaison = $4 WHERE id = $5"
        )))
        .bind(new.first_responsible.clone())
        .bind(new.leader.clone())
        .bind(json_text(&new.departments)?)
        .bind(new.liaison.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let ResponsibilityTarget::Measure(measure_id) = target {
            // Whoever looks at the measure now sees a different one: their version is stale.
            sqlx::query("UPDATE measure_workflow SET version = version + 1 WHERE measure_id = $1")
                .bind(measure_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO responsibility_history (target_kind, target_id, old_json, new_json, changed_by, \
             changed_by_name, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(kind)
        .bind(id)
        .bind(json_text(&old)?)
        .bind(json_text(new)?)
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, format!("{kind}.reassign"), kind, Some(id), now)
            .before(json!(old))
            .after(json!(new));
        tx.commit(&record).await?;
        Ok(())
    }

    /// The hand-overs of a problem or a measure, oldest first.
    pub async fn responsibility_history(&self, target: ResponsibilityTarget) -> Result<Vec<Handover>, StorageError> {
        let (kind, _, id) = target.parts();
        let rows = sqlx::query(
            "SELECT old_json, new_json, changed_by, changed_by_name, changed_at FROM responsibility_history \
             WHERE target_kind = $1 AND target_id = $2 ORDER BY id",
        )
        .bind(kind)
        .bind(id)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Handover {
                    old: parse_json("responsibility_history.old_json", &row.try_get::<String, _>("old_json")?)?,
                    new: parse_json("responsibility_history.new_json", &row.try_get::<String, _>("new_json")?)?,
                    changed_by: row.try_get("changed_by")?,
                    changed_by_name: row.try_get("changed_by_name")?,
                    changed_at: row.try_get("changed_at")?,
                })
            })
            .collect()
    }
}

/// A supervision notice (督办单) to record as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice<'a> {
    pub inspection_id: InspectionId,
    /// 督办编号, e.g. `〔2026〕3号`.
    pub serial: Option<&'a str>,
    /// 督办单位.
    pub issuer: &'a str,
    pub red: u32,
    pub yellow: u32,
    pub measure_ids: &'a [MeasureId],
}

/// A supervision notice recorded as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentNotice {
    pub id: i64,
    pub inspection_id: InspectionId,
    pub serial: Option<String>,
    pub issuer: String,
    pub red: i64,
    pub yellow: i64,
    pub measure_ids: Vec<MeasureId>,
    /// The sender's display name (the login name when the account is gone).
    pub sent_by_name: String,
    pub sent_at: String,
}

/// Roles that issue a 督办单: the unit's leading group and the inspection office.
const NOTICE_ISSUERS: &[Role] = &[Role::LeadingGroup, Role::InspectionOffice];

impl Store {
    /// Records a 督办单 as sent, with its audit entry (`supervision_notice.send`); returns its id.
    pub async fn record_notice_sent(
        &self,
        notice: &NewNotice<'_>,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        require_role(actor, NOTICE_ISSUERS, "sending supervision notices")?;
        if notice.issuer.trim().is_empty() {
            return Err(WorkflowStoreError::Invalid("a supervision notice needs an issuer".to_owned()));
        }
        if notice.measure_ids.is_empty() {
            return Err(WorkflowStoreError::Invalid("a supervision notice names at least one measure".to_owned()));
        }
        rectify_domain::limits::REASON.check(notice.issuer)?;
        if let Some(serial) = notice.serial {
            rectify_domain::limits::REASON.check(serial)?;
        }
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1")
            .bind(notice.inspection_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no inspection has id {}", notice.inspection_id)).into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO supervision_notices (inspection_id, serial, issuer, red, yellow, measure_ids, \
             sent_by_user_id, sent_by_name, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(notice.inspection_id)
        .bind(notice.serial.map(str::to_owned))
        .bind(notice.issuer.to_owned())
        .bind(i64::from(notice.red))
        .bind(i64::from(notice.yellow))
        .bind(json_text(notice.measure_ids)?)
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .bind(timestamp(now))
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "supervision_notice.send", "inspection", Some(notice.inspection_id), now)
            .after(json!({
                "notice_id": id,
                "serial": notice.serial,
                "issuer": notice.issuer,
                "red": notice.red,
                "yellow": notice.yellow,
                "measure_ids": notice.measure_ids,
            }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// The 督办单 recorded as sent for an inspection, newest first.
    pub async fn list_notices_sent(&self, inspection: InspectionId) -> Result<Vec<SentNotice>, StorageError> {
        let rows = sqlx::query(
            "SELECT n.id, n.inspection_id, n.serial, n.issuer, n.red, n.yellow, n.measure_ids, \
             COALESCE(u.display_name, n.sent_by_name) AS sent_by_name, n.sent_at \
             FROM supervision_notices n LEFT JOIN users u ON u.id = n.sent_by_user_id \
             WHERE n.inspection_id = $1 ORDER BY n.sent_at DESC, n.id DESC",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                let ids: String = row.try_get("measure_ids")?;
                Ok(SentNotice {
                    id: row.try_get("id")?,
                    inspection_id: row.try_get("inspection_id")?,
                    serial: row.try_get("serial")?,
                    issuer: row.try_get("issuer")?,
                    red: row.try_get("red")?,
                    yellow: row.try_get("yellow")?,
                    measure_ids: parse_json("measure_ids", &ids)?,
                    sent_by_name: row.try_get("sent_by_name")?,
                    sent_at: row.try_get("sent_at")?,
                })
            })
            .collect()
    }
}
