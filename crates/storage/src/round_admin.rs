//! The inspection office's care of rounds: rename one, merge one into another, move an
//! inspection to another round. Each is one transaction with its audit entry; an inspection's
//! `round` text follows its round, so an exported ledger names the round it is in.

use chrono::{DateTime, Utc};
use rectify_domain::RoundDetails;
use serde_json::json;

use crate::audit::AuditRecord;
use crate::round_details::{RoundChangeError, set_name};
use crate::{Acting, InspectionId, Store};

impl Store {
    /// Renames round `id` to `name` (already checked: trimmed, not blank, not too long).
    pub async fn rename_round(
        &self,
        id: i64,
        name: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), RoundChangeError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT name FROM rounds WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let before = before.ok_or(RoundChangeError::NoRound(id))?;
        set_name(&mut tx, id, name).await?;
        sqlx::query("UPDATE rounds SET version = version + 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let record = AuditRecord::new(actor, "round.rename", "round", Some(id), now)
            .before(json!({ "name": before }))
            .after(json!({ "name": name }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Moves every inspection of round `from` into round `into` and removes the emptied round;
    /// answers how many inspections moved.
    pub async fn merge_rounds(
        &self,
        from: i64,
        into: i64,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<u64, RoundChangeError> {
        if from == into {
            return Err(RoundChangeError::IntoItself);
        }
        let mut tx = self.begin_write().await?;
        let name_of = |id: i64| sqlx::query_scalar::<_, String>("SELECT name FROM rounds WHERE id = $1").bind(id);
        let from_name = name_of(from).fetch_optional(&mut *tx).await?.ok_or(RoundChangeError::NoRound(from))?;
        let into_name = name_of(into).fetch_optional(&mut *tx).await?.ok_or(RoundChangeError::NoRound(into))?;
        // The round that stays keeps its record and learns what only the other knew; the
        // other's groups come along with their units (a group of the same name merges).
        let merged = match (
            crate::round_details::load(&mut tx, into).await?,
            crate::round_details::load(&mut tx, from).await?,
        ) {
            (Some(a), Some(b)) => a.details.filled_from(&b.details).or_else(|| {
                a.details.filled_from(&RoundDetails::new(None, None, None, None, b.details.groups().to_vec()).ok()?)
            }),
            _ => None,
        };
        let moved = sqlx::query("UPDATE inspections SET round_id = $1, round = $2 WHERE round_id = $3")
            .bind(into)
            .bind(into_name.clone())
            .bind(from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if let Some(details) = &merged {
            crate::round_details::store(&mut tx, into, details).await?;
        }
        sqlx::query("UPDATE rounds SET version = version + 1 WHERE id = $1").bind(into).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM rounds WHERE id = $1").bind(from).execute(&mut *tx).await?;
        let record = AuditRecord::new(actor, "round.merge", "round", Some(into), now)
            .before(json!({ "from": { "id": from, "name": from_name } }))
            .after(json!({ "into": { "id": into, "name": into_name }, "inspections": moved }));
        tx.commit(&record).await?;
        Ok(moved)
    }

    /// Moves one inspection into round `into`. The round it leaves stays, even when empty (the
    /// office may still merge or reuse it).
    pub async fn move_inspection_to_round(
        &self,
        inspection: InspectionId,
        into: i64,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), RoundChangeError> {
        let mut tx = self.begin_write().await?;
        let before: Option<(Option<i64>, Option<String>)> =
            sqlx::query_as("SELECT round_id, round FROM inspections WHERE id = $1")
                .bind(inspection)
                .fetch_optional(&mut *tx)
                .await?;
        let (from, from_name) = before.ok_or(RoundChangeError::NoInspection(inspection))?;
        let into_name: String = sqlx::query_scalar("SELECT name FROM rounds WHERE id = $1")
            .bind(into)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(RoundChangeError::NoRound(into))?;
        sqlx::query("UPDATE inspections SET round_id = $1, round = $2 WHERE id = $3")
            .bind(into)
            .bind(into_name.clone())
            .bind(inspection)
            .execute(&mut *tx)
            .await?;
        // It leaves the groups of the round it leaves.
        sqlx::query("DELETE FROM round_group_units WHERE inspection_id = $1")
            .bind(inspection)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new(actor, "inspection.move_round", "inspection", Some(inspection), now)
            .before(json!({ "round_id": from, "round": from_name }))
            .after(json!({ "round_id": into, "round": into_name }));
        tx.commit(&record).await?;
        Ok(())
    }
}
