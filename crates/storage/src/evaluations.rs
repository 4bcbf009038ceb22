//! Evaluation (整改评估): the score sheet of a round, the office's adjustments of each unit, and
//! the outcomes every unit of a round is scored on — a few grouped queries over the whole
//! round, whatever the number of units.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::evaluation::{Adjustment, Outcomes, ScoreSheet};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{AuditRecord, timestamp};
use crate::codec::unsigned;
use crate::{Acting, InspectionId, StorageError, Store};

/// The score sheet an office set for a round, with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSheet {
    pub sheet: ScoreSheet,
    pub updated_at: String,
    /// Who set it: the account's display name (姓名) as it is now, else (an account since
    /// deleted, or the command line) the name stored with the sheet.
    pub updated_by_name: String,
}

/// One adjustment of a unit's score by the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentRecord {
    pub id: i64,
    pub inspection_id: InspectionId,
    /// Signed tenths of a point.
    pub tenths: i32,
    /// `Some(true)` sets the veto, `Some(false)` lifts it, `None` leaves it.
    pub veto: Option<bool>,
    pub reason: String,
    pub created_at: String,
    /// Who made it: the account's display name (姓名) as it is now, else the name stored with it.
    pub created_by_name: String,
}

/// One unit of a round with what it achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitOutcomes {
    pub inspection_id: InspectionId,
    pub unit: Option<String>,
    pub title: Option<String>,
    pub outcomes: Outcomes,
}

fn count(column: &str, value: i64) -> Result<u32, StorageError> {
    unsigned(column, value)
}

fn adjustment(row: &sqlx::any::AnyRow) -> Result<AdjustmentRecord, StorageError> {
    let veto: Option<i64> = row.try_get::<Option<i16>, _>("veto")?.map(i64::from);
    let tenths: i64 = row.try_get("tenths")?;
    Ok(AdjustmentRecord {
        id: row.try_get("id")?,
        inspection_id: row.try_get("inspection_id")?,
        tenths: i32::try_from(tenths).map_err(|_| StorageError::corrupt("evaluation_adjustments.tenths", tenths))?,
        veto: veto.map(|v| v != 0),
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
        created_by_name: row.try_get("created_by_name")?,
    })
}

impl Store {
    /// The sheet the office set for a round; `None` when it set none (the default applies).
    pub async fn score_sheet(&self, round: i64) -> Result<Option<StoredSheet>, StorageError> {
        let row = sqlx::query(
            "SELECT s.sheet, s.updated_at, COALESCE(u.display_name, s.updated_by_name) AS updated_by_name \
             FROM score_sheets s LEFT JOIN users u ON u.id = s.updated_by WHERE s.round_id = $1",
        )
        .bind(round)
        .fetch_optional(&self.readers)
        .await?;
        row.map(|row| {
            let text: String = row.try_get("sheet")?;
            let sheet = serde_json::from_str::<ScoreSheet>(&text)
                .map_err(|e| StorageError::corrupt("score_sheets.sheet", e))?;
            Ok(StoredSheet {
                sheet,
                updated_at: row.try_get("updated_at")?,
                updated_by_name: row.try_get("updated_by_name")?,
            })
        })
        .transpose()
    }

    /// Replaces the sheet of a round (audited with the sheet before and after).
    pub async fn set_score_sheet(
        &self,
        round: i64,
        sheet: &ScoreSheet,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let before = self.score_sheet(round).await?.map(|s| s.sheet);
        let text = serde_json::to_string(sheet).map_err(|e| StorageError::corrupt("score sheet", e))?;
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM rounds WHERE id = $1").bind(round).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no round has id {round}")));
        }
        sqlx::query("DELETE FROM score_sheets WHERE round_id = $1").bind(round).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO score_sheets (round_id, sheet, updated_at, updated_by, updated_by_name) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(round)
        .bind(text)
        .bind(timestamp(now))
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "evaluation.sheet", "round", Some(round), now)
            .before(json!(before))
            .after(json!(sheet));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Adds an adjustment of a unit's score by the office, audited in the same transaction.
    pub async fn add_evaluation_adjustment(
        &self,
        inspection: InspectionId,
        tenths: i32,
        veto: Option<bool>,
        reason: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<AdjustmentRecord, StorageError> {
        rectify_domain::limits::REASON.check(reason).map_err(crate::error::too_long)?;
        let created_at = timestamp(now);
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO evaluation_adjustments (inspection_id, tenths, veto, reason, created_at, created_by, \
             created_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inspection)
        .bind(i64::from(tenths))
        .bind(veto.map(i16::from))
        .bind(reason.to_owned())
        .bind(created_at.clone())
        .bind(actor.user_id)
        .bind(actor.user_name.clone())
        .fetch_one(&mut *tx)
        .await?;
        let added = AdjustmentRecord {
            id,
            inspection_id: inspection,
            tenths,
            veto,
            reason: reason.to_owned(),
            created_at,
            created_by_name: actor.user_name.clone(),
        };
        let record = AuditRecord::new(actor, "evaluation.adjust", "inspection", Some(inspection), now)
            .after(json!({ "adjustment_id": id, "tenths": tenths, "veto": veto, "reason": reason }));
        tx.commit(&record).await?;
        Ok(added)
    }

    /// The adjustments of one unit, oldest first.
    pub async fn evaluation_adjustments(
        &self,
        inspection: InspectionId,
    ) -> Result<Vec<AdjustmentRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.inspection_id, a.tenths, a.veto, a.reason, a.created_at, \
             COALESCE(u.display_name, a.created_by_name) AS created_by_name \
             FROM evaluation_adjustments a LEFT JOIN users u ON u.id = a.created_by \
             WHERE a.inspection_id = $1 ORDER BY a.id",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(adjustment).collect()
    }

    /// The standing adjustment of each adjusted unit of a round: the sum of its points and its
    /// latest veto decision.
    pub async fn round_adjustments(&self, round: i64) -> Result<HashMap<InspectionId, Adjustment>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.inspection_id, a.tenths, a.veto, a.reason, a.created_at, a.created_by_name \
             FROM evaluation_adjustments a JOIN inspections i ON i.id = a.inspection_id \
             WHERE i.round_id = $1 ORDER BY a.id",
        )
        .bind(round)
        .fetch_all(&self.readers)
        .await?;
        let mut out: HashMap<InspectionId, Adjustment> = HashMap::new();
        for row in &rows {
            let a = adjustment(row)?;
            let standing = out.entry(a.inspection_id).or_default();
            standing.tenths = standing.tenths.saturating_add(a.tenths);
            if let Some(veto) = a.veto {
                standing.veto = veto;
            }
        }
        Ok(out)
    }

    /// Every unit of a round with its outcomes on `today`: problems and closures, overdue measures
    /// (by the round's deadline lights), look-back results, public feedback (unanswered since
    /// before `feedback_cutoff` counts as late) and claims sent back. In inspection order.
    pub async fn round_outcomes(
        &self,
        round: i64,
        today: NaiveDate,
        feedback_cutoff: DateTime<Utc>,
    ) -> Result<Vec<UnitOutcomes>, StorageError> {
        let units = self.round_units(round, today).await?;
        let mut out: Vec<UnitOutcomes> = units
            .iter()
            .map(|u| UnitOutcomes {
                inspection_id: u.inspection_id,
                unit: u.unit.clone(),
                title: u.title.clone(),
                outcomes: Outcomes {
                    problems: u.problems,
                    closed: u.closed,
                    measures: u.measures,
                    overdue_measures: u.red,
                    ..Outcomes::default()
                },
            })
            .collect();
        let index: HashMap<InspectionId, usize> = out.iter().enumerate().map(|(i, u)| (u.inspection_id, i)).collect();
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let lookback = sqlx::query(
            "SELECT l.inspection_id, li.result, COUNT(*) AS n FROM lookback_items li \
             JOIN lookbacks l ON l.id = li.lookback_id JOIN inspections i ON i.id = l.inspection_id \
             WHERE i.round_id = $1 AND li.result <> 'pending' GROUP BY l.inspection_id, li.result",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &lookback {
            let Some(unit) = index.get(&row.try_get::<i64, _>("inspection_id")?).and_then(|&i| out.get_mut(i)) else {
                continue;
            };
            let n = count("lookback count", row.try_get("n")?)?;
            let result: String = row.try_get("result")?;
            unit.outcomes.lookback_checked += n;
            if result == "relapsed" {
                unit.outcomes.relapses += n;
            }
        }
        let feedback = sqlx::query(
            "SELECT f.inspection_id, COUNT(*) AS n, \
             SUM(CASE WHEN f.status = 'answered' THEN 1 ELSE 0 END) AS answered, \
             SUM(CASE WHEN f.status <> 'answered' AND f.submitted_at < $2 THEN 1 ELSE 0 END) AS late \
             FROM feedback f JOIN inspections i ON i.id = f.inspection_id WHERE i.round_id = $1 \
             GROUP BY f.inspection_id",
        )
        .bind(round)
        .bind(timestamp(feedback_cutoff))
        .fetch_all(&mut *tx)
        .await?;
        for row in &feedback {
            let Some(unit) = index.get(&row.try_get::<i64, _>("inspection_id")?).and_then(|&i| out.get_mut(i)) else {
                continue;
            };
            unit.outcomes.feedback = count("feedback count", row.try_get("n")?)?;
            unit.outcomes.feedback_answered = count("feedback answered", row.try_get("answered")?)?;
            unit.outcomes.feedback_unanswered_late = count("feedback late", row.try_get("late")?)?;
        }
        // Only entries of this one action are read (indexed); each names a measure by its id.
        let sent_back = sqlx::query(
            "SELECT m.inspection_id, COUNT(*) AS n FROM audit_log a \
             JOIN measures m ON m.id = CAST(a.target_id AS BIGINT) JOIN inspections i ON i.id = m.inspection_id \
             WHERE a.action = 'measure.send_back' AND a.target_kind = 'measure' AND a.result = 'ok' \
             AND i.round_id = $1 GROUP BY m.inspection_id",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &sent_back {
            if let Some(unit) = index.get(&row.try_get::<i64, _>("inspection_id")?).and_then(|&i| out.get_mut(i)) {
                unit.outcomes.sent_back = count("sent back", row.try_get("n")?)?;
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}
