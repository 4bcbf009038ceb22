//! Look-back (回头看): a sample of closed problems checked again some time after closure.
//!
//! The sample is drawn reproducibly, so that anyone can check it was not hand-picked: every
//! closed problem is ranked by SM3(seed ‖ problem id) and the first `sample_size` are taken. The
//! same seed and the same closed problems always give the same sample.

use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::Status;
use rectify_domain::roles::Role;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{AuditRecord, timestamp};
use crate::codec::{int, unsigned};
use crate::error::{NotNow, require_role};
use crate::workflow::reopen_problem_in;
use crate::{Acting, InspectionId, ProblemId, StorageError, Store, UserId, WorkflowStoreError};

/// What the second look found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LookbackResult {
    Pending,
    /// 巩固: the rectification holds.
    Consolidated,
    /// 反弹: the problem is back; the problem is reopened.
    Relapsed,
}

impl LookbackResult {
    pub fn as_str(self) -> &'static str {
        match self {
            LookbackResult::Pending => "pending",
            LookbackResult::Consolidated => "consolidated",
            LookbackResult::Relapsed => "relapsed",
        }
    }

    fn from_name(name: &str) -> Option<LookbackResult> {
        [LookbackResult::Pending, LookbackResult::Consolidated, LookbackResult::Relapsed]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lookback {
    pub id: i64,
    pub inspection_id: InspectionId,
    pub scheduled_for: NaiveDate,
    pub seed: String,
    pub sample_size: u32,
    /// Who drew it (gone when the account was deleted); `created_by_name` is the login name kept.
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: String,
    pub items: Vec<LookbackItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LookbackItem {
    pub id: i64,
    pub problem_id: ProblemId,
    pub result: LookbackResult,
    pub note: Option<String>,
    pub checked_at: Option<String>,
    pub checked_by: Option<UserId>,
}

/// Draws `n` of `closed` reproducibly (the order of `closed` does not matter): the shared draw
/// of [`rectify_domain::draw`].
pub fn draw_sample(seed: &str, closed: &[ProblemId], n: usize) -> Vec<ProblemId> {
    rectify_domain::draw::draw(seed, closed, n)
}

fn only_office(actor: &Acting, what: &'static str) -> Result<(), WorkflowStoreError> {
    require_role(actor, &[Role::InspectionOffice], what)
}

impl Store {
    /// Schedules a look-back of `sample_size` closed problems of an inspection (all of them if
    /// fewer are closed), drawn with `seed`.
    pub async fn schedule_lookback(
        &self,
        inspection: InspectionId,
        scheduled_for: NaiveDate,
        sample_size: u32,
        seed: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Lookback, WorkflowStoreError> {
        only_office(actor, "scheduling a look-back")?;
        rectify_domain::limits::NAME.check(seed)?;
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1")
            .bind(inspection)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no inspection has id {inspection}")).into());
        }
        let closed: Vec<ProblemId> = sqlx::query_scalar(
            "SELECT id FROM problems WHERE inspection_id = $1 AND status = $2 AND retired_at IS NULL ORDER BY id",
        )
        .bind(inspection)
        .bind(Status::Completed.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let sample = draw_sample(seed, &closed, usize::try_from(sample_size).unwrap_or(usize::MAX));
        let created_at = timestamp(now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO lookbacks (inspection_id, scheduled_for, seed, sample_size, created_by, created_by_name, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inspection)
        .bind(scheduled_for.to_string())
        .bind(seed.to_owned())
        .bind(i64::from(sample_size))
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .bind(created_at.clone())
        .fetch_one(&mut *tx)
        .await?;
        let mut items = Vec::with_capacity(sample.len());
        for (position, &problem_id) in sample.iter().enumerate() {
            let item_id: i64 = sqlx::query_scalar(
                "INSERT INTO lookback_items (lookback_id, position, problem_id) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(id)
            .bind(int("look-back position", position)?)
            .bind(problem_id)
            .fetch_one(&mut *tx)
            .await?;
            items.push(LookbackItem {
                id: item_id,
                problem_id,
                result: LookbackResult::Pending,
                note: None,
                checked_at: None,
                checked_by: None,
            });
        }
        let record = AuditRecord::new(actor, "lookback.schedule", "inspection", Some(inspection), now).after(json!({
            "lookback_id": id,
            "scheduled_for": scheduled_for,
            "seed": seed,
            "sample_size": sample_size,
            "closed_problems": closed.len(),
            "sample": sample,
        }));
        tx.commit(&record).await?;
        Ok(Lookback {
            id,
            inspection_id: inspection,
            scheduled_for,
            seed: seed.to_owned(),
            sample_size,
            created_by: actor.user_id,
            created_by_name: actor.user_name.clone(),
            created_at,
            items,
        })
    }

    /// A look-back with its items in drawing order; `None` if no look-back has the id.
    /// Every look-back of an inspection, newest first.
    pub async fn list_lookbacks(&self, inspection: InspectionId) -> Result<Vec<Lookback>, StorageError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM lookbacks WHERE inspection_id = $1 ORDER BY id DESC")
            .bind(inspection)
            .fetch_all(&self.readers)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(lookback) = self.get_lookback(id).await? {
                out.push(lookback);
            }
        }
        Ok(out)
    }

    /// The look-back an item belongs to; `None` if no item has the id.
    pub async fn lookback_of_item(&self, item: i64) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT lookback_id FROM lookback_items WHERE id = $1")
            .bind(item)
            .fetch_optional(&self.readers)
            .await?)
    }

    pub async fn get_lookback(&self, id: i64) -> Result<Option<Lookback>, StorageError> {
        let Some(row) = sqlx::query(
            "SELECT inspection_id, scheduled_for, seed, sample_size, created_by, created_by_name, created_at FROM lookbacks \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.readers)
        .await?
        else {
            return Ok(None);
        };
        let scheduled: String = row.try_get("scheduled_for")?;
        let rows = sqlx::query(
            "SELECT id, problem_id, result, note, checked_at, checked_by FROM lookback_items WHERE lookback_id = $1 \
             ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.readers)
        .await?;
        let items = rows
            .iter()
            .map(|item| {
                let result: String = item.try_get("result")?;
                Ok(LookbackItem {
                    id: item.try_get("id")?,
                    problem_id: item.try_get("problem_id")?,
                    result: LookbackResult::from_name(&result).ok_or_else(|| {
                        StorageError::corrupt("lookback_items.result", format!("unknown result {result:?}"))
                    })?,
                    note: item.try_get("note")?,
                    checked_at: item.try_get("checked_at")?,
                    checked_by: item.try_get("checked_by")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(Some(Lookback {
            id,
            inspection_id: row.try_get("inspection_id")?,
            scheduled_for: scheduled.parse().map_err(|e| StorageError::corrupt("lookbacks.scheduled_for", e))?,
            seed: row.try_get("seed")?,
            sample_size: unsigned("lookbacks.sample_size", row.try_get("sample_size")?)?,
            created_by: row.try_get("created_by")?,
            created_by_name: row.try_get("created_by_name")?,
            created_at: row.try_get("created_at")?,
            items,
        }))
    }

    /// Records what the second look at one item found; `Relapsed` reopens the problem and its
    /// measures in the same transaction. An item is decided once.
    pub async fn record_lookback_result(
        &self,
        item_id: i64,
        result: LookbackResult,
        note: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        only_office(actor, "recording a look-back result")?;
        if result == LookbackResult::Pending {
            return Err(WorkflowStoreError::Invalid("a look-back result is consolidated or relapsed".to_owned()));
        }
        rectify_domain::limits::REASON.check(note)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT problem_id, result FROM lookback_items WHERE id = $1")
            .bind(item_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("no look-back item has id {item_id}")))?;
        let (problem_id, current): (ProblemId, String) = (row.try_get("problem_id")?, row.try_get("result")?);
        if current != LookbackResult::Pending.as_str() {
            return Err(NotNow::AlreadyChecked { item_id, result: current }.into());
        }
        sqlx::query(
            "UPDATE lookback_items SET result = $1, note = $2, checked_at = $3, checked_by = $4, checked_by_name = $5 \
             WHERE id = $6",
        )
        .bind(result.as_str())
        .bind(Some(note.to_owned()).filter(|n| !n.trim().is_empty()))
        .bind(timestamp(now))
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        // Reopening locks the measures before the audit head: do it before this entry is appended.
        if result == LookbackResult::Relapsed {
            let reason = if note.trim().is_empty() { "回头看发现问题反弹" } else { note };
            let (_, reopened) = reopen_problem_in(&mut tx, problem_id, actor, reason, now).await?;
            tx.append_audit(&reopened).await?;
        }
        let record = AuditRecord::new(actor, "lookback.record", "lookback_item", Some(item_id), now)
            .after(json!({ "problem_id": problem_id, "result": result, "note": note }));
        tx.commit(&record).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draw_is_reproducible_and_ignores_input_order() {
        let closed = [11, 3, 7, 42, 5, 19];
        let a = draw_sample("2024-回头看-1", &closed, 3);
        let mut reversed = closed;
        reversed.reverse();
        assert_eq!(a, draw_sample("2024-回头看-1", &reversed, 3));
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|id| closed.contains(id)));
        assert_eq!(draw_sample("s", &closed, 100).len(), closed.len());
    }

    #[test]
    fn different_seeds_draw_differently() {
        let closed: Vec<i64> = (1..=40).collect();
        let samples: std::collections::HashSet<Vec<i64>> =
            (0..5).map(|i| draw_sample(&format!("seed-{i}"), &closed, 5)).collect();
        assert!(samples.len() > 1, "five seeds gave the same sample");
    }
}
