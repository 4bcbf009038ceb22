//! Notifications (消息提醒): the messages of each user's notification centre, the address their
//! mail copies go to, and the outbound delivery queue (mail, the group robot's webhook) that the
//! delivery worker drains with retries.
//!
//! Notifications are derived from events that are audited themselves (a send-back, a reminder,
//! an extension decision…), so storing them writes no audit entry of its own. Who receives what
//! is decided by the caller, which checks each recipient's data scope first.

use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::PartialDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{AuditRecord, Page, timestamp};
use crate::{Acting, MeasureId, StorageError, Store, UserId};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Something awaits the recipient (a claim to verify, a step to approve) — 待办.
    Awaiting,
    /// A claim was sent back (退回), with the reason.
    SentBack,
    /// A reminder (催办).
    Reminder,
    /// A deadline is near (临期).
    Deadline,
    /// A deadline has passed (逾期).
    Overdue,
    /// Public feedback awaits an answer (群众反馈).
    Feedback,
    /// An extension (延期) was decided.
    Extension,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::Awaiting,
        NotificationKind::SentBack,
        NotificationKind::Reminder,
        NotificationKind::Deadline,
        NotificationKind::Overdue,
        NotificationKind::Feedback,
        NotificationKind::Extension,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Awaiting => "awaiting",
            NotificationKind::SentBack => "sent_back",
            NotificationKind::Reminder => "reminder",
            NotificationKind::Deadline => "deadline",
            NotificationKind::Overdue => "overdue",
            NotificationKind::Feedback => "feedback",
            NotificationKind::Extension => "extension",
        }
    }

    pub fn from_name(name: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            NotificationKind::Awaiting => "待办",
            NotificationKind::SentBack => "退回",
            NotificationKind::Reminder => "催办",
            NotificationKind::Deadline => "临期",
            NotificationKind::Overdue => "逾期",
            NotificationKind::Feedback => "群众反馈",
            NotificationKind::Extension => "延期",
        }
    }
}

/// A notification to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// The page it is about (a path of this site).
    pub link: Option<String>,
    pub measure_id: Option<MeasureId>,
    /// A notification with the same user and key is stored once (periodic notices).
    pub dedup: Option<String>,
    /// Copies to send out when the notification is stored.
    pub outbound: Vec<Outbound>,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub measure_id: Option<MeasureId>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// The way out of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Mail,
    /// The group robot (企业微信/钉钉) of the configured webhook.
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mail => "mail",
            Channel::Webhook => "webhook",
        }
    }

    fn from_name(name: &str) -> Option<Channel> {
        [Channel::Mail, Channel::Webhook].into_iter().find(|c| c.as_str() == name)
    }
}

/// A copy of a notification to send out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub channel: Channel,
    /// The mail address (empty for the webhook, whose address is the configured one).
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Sent,
    /// Given up after the last attempt.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Sent, DeliveryStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A queued delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub channel: Channel,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

/// How many deliveries stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}

const NOTIFICATION_COLUMNS: &str = "id, kind, title, body, link, measure_id, created_at, read_at";
const DELIVERY_COLUMNS: &str =
    "id, channel, address, subject, body, status, attempts, next_at, last_error, created_at, sent_at";

fn notification(row: &AnyRow) -> Result<Notification, StorageError> {
    let kind: String = row.try_get("kind")?;
    Ok(Notification {
        id: row.try_get("id")?,
        kind: NotificationKind::from_name(&kind)
            .ok_or_else(|| StorageError::corrupt("notifications.kind", format!("unknown kind {kind:?}")))?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        link: row.try_get("link")?,
        measure_id: row.try_get("measure_id")?,
        created_at: row.try_get("created_at")?,
        read_at: row.try_get("read_at")?,
    })
}

fn delivery(row: &AnyRow) -> Result<Delivery, StorageError> {
    let channel: String = row.try_get("channel")?;
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        channel: Channel::from_name(&channel)
            .ok_or_else(|| StorageError::corrupt("notification_outbox.channel", format!("unknown {channel:?}")))?,
        address: row.try_get("address")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: DeliveryStatus::from_name(&status)
            .ok_or_else(|| StorageError::corrupt("notification_outbox.status", format!("unknown {status:?}")))?,
        attempts: crate::codec::unsigned("notification_outbox.attempts", row.try_get("attempts")?)?,
        next_at: row.try_get("next_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Stores notifications and queues their outbound copies, all in one transaction. One whose
    /// user and `dedup` key were stored before is skipped with its copies. Returns how many were
    /// stored.
    pub async fn add_notifications(&self, items: &[NewNotification], now: DateTime<Utc>) -> Result<u64, StorageError> {
        if items.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let stored = insert_notifications(&mut tx, items, now).await?;
        tx.commit_derived().await?;
        Ok(stored)
    }

    /// Queues deliveries that belong to no notification (the administrator's test message).
    pub async fn queue_deliveries(&self, outbound: &[Outbound], now: DateTime<Utc>) -> Result<(), StorageError> {
        let at = timestamp(now);
        let mut tx = self.begin_write().await?;
        for out in outbound {
            enqueue(&mut tx, out, &at).await?;
        }
        tx.commit_derived().await
    }

    /// A page of a user's notifications, newest first, with how many there are and how many are unread.
    pub async fn notifications_for(
        &self,
        user_id: UserId,
        page: Page,
    ) -> Result<(Vec<Notification>, u64, u64), StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(user_id)
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&self.readers)
        .await?;
        let items = rows.iter().map(notification).collect::<Result<Vec<_>, _>>()?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.readers)
            .await?;
        Ok((items, count(total), self.unread_notifications(user_id).await?))
    }

    /// How many of a user's notifications are unread: one probe of a partial index.
    pub async fn unread_notifications(&self, user_id: UserId) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(&self.readers)
            .await?;
        Ok(count(n))
    }

    /// Marks one of the user's notifications read; `false` if the user has none with the id.
    pub async fn mark_notification_read(
        &self,
        user_id: UserId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.readers)
            .await?;
        if found.is_none() {
            return Ok(false);
        }
        self.execute_write(
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
                .bind(timestamp(now))
                .bind(id)
                .bind(user_id),
        )
        .await?;
        Ok(true)
    }

    /// Marks all of a user's notifications read; returns how many were unread.
    pub async fn mark_all_notifications_read(&self, user_id: UserId, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                    .bind(timestamp(now))
                    .bind(user_id),
            )
            .await?;
        Ok(done.rows_affected())
    }

    /// The mail address a user's notifications are copied to, if the user gave one.
    pub async fn notification_email(&self, user_id: UserId) -> Result<Option<String>, StorageError> {
        Ok(sqlx::query_scalar("SELECT email FROM notification_addresses WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.readers)
            .await?)
    }

    /// Sets (or with `None` removes) the user's own mail address for notifications, audited as
    /// `account.notification_email`. The caller has checked the address's form.
    pub async fn set_notification_email(
        &self,
        user_id: UserId,
        email: Option<&str>,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT email FROM notification_addresses WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM notification_addresses WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        if let Some(email) = email {
            sqlx::query("INSERT INTO notification_addresses (user_id, email) VALUES ($1, $2)")
                .bind(user_id)
                .bind(email.to_owned())
                .execute(&mut *tx)
                .await?;
        }
        let record = AuditRecord::new(actor, "account.notification_email", "user", Some(user_id), now)
            .before(json!({ "email": before }))
            .after(json!({ "email": email }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Pending deliveries due at `now`, earliest first.
    pub async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Delivery>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM notification_outbox WHERE status = 'pending' AND next_at <= $1 \
             ORDER BY next_at, id LIMIT $2"
        )))
        .bind(timestamp(now))
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(delivery).collect()
    }

    /// Records a delivery as sent.
    pub async fn delivery_sent(&self, id: i64, now: DateTime<Utc>) -> Result<(), StorageError> {
        self.execute_write(
            sqlx::query(
                "UPDATE notification_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, \
                 last_error = NULL WHERE id = $2",
            )
            .bind(timestamp(now))
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up (`failed`) with `None`.
    pub async fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StorageError> {
        let error: String = error.chars().take(500).collect();
        let query = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE notification_outbox SET attempts = attempts + 1, last_error = $1, next_at = $2 WHERE id = $3",
            )
            .bind(error)
            .bind(timestamp(at))
            .bind(id),
            None => sqlx::query(
                "UPDATE notification_outbox SET status = 'failed', attempts = attempts + 1, last_error = $1 \
                 WHERE id = $2",
            )
            .bind(error)
            .bind(id),
        };
        self.execute_write(query).await?;
        Ok(())
    }

    /// How many deliveries are pending, sent and failed.
    pub async fn delivery_counts(&self) -> Result<DeliveryCounts, StorageError> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM notification_outbox GROUP BY status")
            .fetch_all(&self.readers)
            .await?;
        let mut counts = DeliveryCounts::default();
        for row in &rows {
            let status: String = row.try_get("status")?;
            let n = count(row.try_get("n")?);
            match DeliveryStatus::from_name(&status) {
                Some(DeliveryStatus::Pending) => counts.pending = n,
                Some(DeliveryStatus::Sent) => counts.sent = n,
                Some(DeliveryStatus::Failed) => counts.failed = n,
                None => return Err(StorageError::corrupt("notification_outbox.status", format!("unknown {status:?}"))),
            }
        }
        Ok(counts)
    }

    /// A page of deliveries, newest first, optionally of one status, with their number.
    pub async fn list_deliveries(
        &self,
        status: Option<DeliveryStatus>,
        page: Page,
    ) -> Result<(Vec<Delivery>, u64), StorageError> {
        let filter = if status.is_some() { "WHERE status = $3" } else { "WHERE $3 = $3" };
        let status = status.map_or("", DeliveryStatus::as_str);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM notification_outbox {filter} ORDER BY id DESC LIMIT $1 OFFSET $2"
        )))
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .bind(status)
        .fetch_all(&self.readers)
        .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM notification_outbox {}",
            filter.replace("$3", "$1")
        )))
        .bind(status)
        .fetch_one(&self.readers)
        .await?;
        Ok((rows.iter().map(delivery).collect::<Result<Vec<_>, _>>()?, count(total)))
    }
}

impl Store {
    /// Deletes notifications read before `read_before` and any created before `all_before`, and
    /// deliveries sent or given up before `all_before`: the daily notices alone may add tens of
    /// thousands of rows a day at 2,000 units. Returns how many notifications were deleted.
    pub async fn prune_notifications(
        &self,
        read_before: DateTime<Utc>,
        all_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "DELETE FROM notifications WHERE (read_at IS NOT NULL AND read_at < $1) OR created_at < $2",
                )
                .bind(timestamp(read_before))
                .bind(timestamp(all_before)),
            )
            .await?;
        self.execute_write(
            sqlx::query("DELETE FROM notification_outbox WHERE status <> 'pending' AND created_at < $1")
                .bind(timestamp(all_before)),
        )
        .await?;
        Ok(done.rows_affected())
    }
}

/// An open measure whose deadline may fall by a day (for the deadline notices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMeasure {
    pub measure_id: MeasureId,
    pub deadline: PartialDate,
}

impl Store {
    /// The measures still being worked on (not under review, closed or long-term) whose deadline
    /// may fall on or before `horizon`: one indexed query, whatever the number of units.
    pub async fn measures_due_by(&self, horizon: NaiveDate) -> Result<Vec<DueMeasure>, StorageError> {
        // A partial deadline ("2026-12") sorts before every day of its month, so the text
        // comparison keeps every candidate; the caller decides by the deadline's last day.
        let rows = sqlx::query(
            "SELECT m.id, m.deadline FROM measures m JOIN measure_workflow w ON w.measure_id = m.id \
             WHERE m.deadline IS NOT NULL AND m.deadline <= $1 \
             AND w.state IN ('not_started', 'in_progress', 'basically_completed') ORDER BY m.id",
        )
        .bind(horizon.format("%Y-%m-%d").to_string())
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DueMeasure {
                    measure_id: row.try_get("id")?,
                    deadline: crate::codec::required_date("measures.deadline", row.try_get("deadline")?)?,
                })
            })
            .collect()
    }
}

/// Stores notifications and their outbound copies inside a write transaction (the event's own,
/// where the caller has one); see [`Store::add_notifications`].
pub(crate) async fn insert_notifications(
    tx: &mut crate::write_tx::WriteTx,
    items: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let at = timestamp(now);
    let mut stored = 0;
    for item in items {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO notifications (user_id, kind, title, body, link, measure_id, dedup, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedup) DO NOTHING RETURNING id",
        )
        .bind(item.user_id)
        .bind(item.kind.as_str())
        .bind(item.title.clone())
        .bind(item.body.clone())
        .bind(item.link.clone())
        .bind(item.measure_id)
        .bind(item.dedup.clone())
        .bind(at.clone())
        .fetch_optional(&mut **tx)
        .await?;
        if id.is_none() {
            continue;
        }
        stored += 1;
        for out in &item.outbound {
            enqueue(tx, out, &at).await?;
        }
    }
    Ok(stored)
}

async fn enqueue(tx: &mut crate::write_tx::WriteTx, out: &Outbound, at: &str) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO notification_outbox (channel, address, subject, body, status, attempts, next_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(out.channel.as_str())
    .bind(out.address.clone())
    .bind(out.subject.clone())
    .bind(out.body.clone())
    .bind(at.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
