//! Rounds (巡察轮次): the inspections of many units under one name, and the figures of each unit
//! the inspection office watches — read with a few aggregate queries over the whole round and
//! remembered while no unit of the round changes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{self, Light, LightPolicy};
use rectify_domain::workflow::ReviewStage;
use rectify_domain::{PartialDate, Rate, Status};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Page;
use crate::codec::parse_enum;
use crate::{InspectionId, MeasureId, StorageError, Store};

/// A round with the number of its inspections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    pub inspections: u32,
}

/// One unit of a round as the office's overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundUnit {
    pub inspection_id: InspectionId,
    pub unit: Option<String>,
    pub title: Option<String>,
    /// Problems fed back (the denominator of the completion rate).
    pub problems: u32,
    /// Problems closed (销号), with long-term ones when the round counts them.
    pub closed: u32,
    pub measures: u32,
    /// Open measures past their deadline (red).
    pub red: u32,
    /// Open measures close to their deadline (yellow).
    pub yellow: u32,
    /// Measures claimed closed and awaiting verification.
    pub awaiting_verification: u32,
    /// The date of the latest progress entry (`YYYY-MM-DD` or coarser).
    pub last_progress: Option<String>,
}

impl RoundUnit {
    /// The completion rate: closed ÷ fed back (the domain's rule of rounding applies to it).
    pub fn rate(&self) -> Rate {
        Rate { numerator: self.closed, denominator: self.problems }
    }
}

fn count(column: &str, value: i64) -> Result<u32, StorageError> {
    crate::codec::unsigned(column, value)
}

impl Store {
    /// Rounds by name, a page of them, with how many there are.
    pub async fn list_rounds(&self, page: Page) -> Result<(Vec<RoundSummary>, u64), StorageError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds").fetch_one(&self.readers).await?;
        let rows = sqlx::query(
            "SELECT r.id, r.name, (SELECT COUNT(*) FROM inspections i WHERE i.round_id = r.id) AS n \
             FROM rounds r ORDER BY r.name, r.id LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&self.readers)
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(RoundSummary {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    inspections: count("n", row.try_get("n")?)?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    /// One round, if it exists.
    pub async fn round(&self, id: i64) -> Result<Option<RoundSummary>, StorageError> {
        let row = sqlx::query(
            "SELECT r.id, r.name, (SELECT COUNT(*) FROM inspections i WHERE i.round_id = r.id) AS n \
             FROM rounds r WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.readers)
        .await?;
        row.map(|row| {
            Ok(RoundSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                inspections: count("n", row.try_get("n")?)?,
            })
        })
        .transpose()
    }

    /// Every unit of a round with its figures on `today`, in inspection order. Remembered while
    /// no inspection of the round changes (the sum of their versions and the list's version).
    pub async fn round_units(&self, round: i64, today: NaiveDate) -> Result<Arc<Vec<RoundUnit>>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let catalog: i64 =
            sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1").fetch_one(&mut *conn).await?;
        // Versions only ever grow, so their sum moves with every change of any unit of the round.
        let versions: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(v.version), 0) AS BIGINT) FROM inspection_versions v \
             JOIN inspections i ON i.id = v.inspection_id WHERE i.round_id = $1",
        )
        .bind(round)
        .fetch_one(&mut *conn)
        .await?;
        drop(conn);
        let key = (round, today, catalog);
        if let Some(hit) = self.reads.rounds.get(&key, versions) {
            return Ok(hit);
        }
        let units = Arc::new(self.read_round_units(round, today).await?);
        self.reads.rounds.put(key, versions, Arc::clone(&units));
        Ok(units)
    }

    /// Every round with its units' figures on `today`, by name: three queries whatever the
    /// number of rounds (the names, the catalog's version, every round's sum of versions), and
    /// each round's units remembered as [`Store::round_units`] keeps them — for a page that
    /// sums a province by round.
    pub async fn rounds_with_units(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<(RoundSummary, Arc<Vec<RoundUnit>>)>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let rounds = sqlx::query(
            "SELECT r.id, r.name, COUNT(i.id) AS n, CAST(COALESCE(SUM(v.version), 0) AS BIGINT) AS versions \
             FROM rounds r LEFT JOIN inspections i ON i.round_id = r.id \
             LEFT JOIN inspection_versions v ON v.inspection_id = i.id \
             GROUP BY r.id, r.name ORDER BY r.name, r.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let catalog: i64 =
            sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1").fetch_one(&mut *conn).await?;
        drop(conn);
        let mut out = Vec::with_capacity(rounds.len());
        for row in &rounds {
            let summary = RoundSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                inspections: count("n", row.try_get("n")?)?,
            };
            let versions: i64 = row.try_get("versions")?;
            let key = (summary.id, today, catalog);
            let units = match self.reads.rounds.get(&key, versions) {
                Some(hit) => hit,
                None => {
                    let units = Arc::new(self.read_round_units(summary.id, today).await?);
                    self.reads.rounds.put(key, versions, Arc::clone(&units));
                    units
                }
            };
            out.push((summary, units));
        }
        Ok(out)
    }

    /// A reviewer's queue: the measures under review at one of `stages` or, with `extensions`,
    /// with an extension awaiting a decision, as `(inspection, measure)` in that order. Two
    /// index searches (migration 0014), whatever the number of units: the rows read are the
    /// queue's own.
    pub async fn review_queue(
        &self,
        stages: &[ReviewStage],
        extensions: bool,
    ) -> Result<Vec<(InspectionId, MeasureId)>, StorageError> {
        let stage = |s: &ReviewStage| match s {
            ReviewStage::AwaitingLeader => "awaiting_leader",
            ReviewStage::AwaitingLeadingGroup => "awaiting_leading_group",
            ReviewStage::AwaitingVerifier => "awaiting_verifier",
        };
        let mut names: Vec<&str> = stages.iter().map(stage).collect();
        // Three fixed placeholders, padded with a name no row has.
        names.resize(3, "-");
        // `CROSS JOIN` keeps the workflow table first (SQLite would otherwise scan the measures):
        // each half starts from its partial index. UNION also drops a measure in both halves.
        Ok(sqlx::query_as(
            "SELECT m.inspection_id, m.id FROM measure_workflow w CROSS JOIN measures m \
             WHERE m.id = w.measure_id AND m.retired_at IS NULL AND w.review_stage IN ($1, $2, $3) \
             UNION \
             SELECT m.inspection_id, m.id FROM measure_workflow w CROSS JOIN measures m \
             WHERE m.id = w.measure_id AND m.retired_at IS NULL AND $4 = 1 AND w.pending_extension_deadline IS NOT NULL \
             ORDER BY 1, 2",
        )
        .bind(names[0].to_owned())
        .bind(names[1].to_owned())
        .bind(names[2].to_owned())
        .bind(i64::from(extensions))
        .fetch_all(&self.readers)
        .await?)
    }

    async fn read_round_units(&self, round: i64, today: NaiveDate) -> Result<Vec<RoundUnit>, StorageError> {
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let headers = sqlx::query(
            "SELECT id, unit, title, light_policy, long_term_counts_as_completed FROM inspections \
             WHERE round_id = $1 ORDER BY id",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        let mut units = Vec::with_capacity(headers.len());
        let mut policies: HashMap<i64, (LightPolicy, bool)> = HashMap::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for row in &headers {
            let id: i64 = row.try_get("id")?;
            let policy: String = row.try_get("light_policy")?;
            let lights = if policy.trim().is_empty() {
                LightPolicy::default()
            } else {
                serde_json::from_str::<serde_json::Value>(&policy)
                    .ok()
                    .and_then(|v| serde_json::from_value::<LightPolicy>(v.get("lights")?.clone()).ok())
                    .unwrap_or_default()
            };
            let long_term: i64 = row.try_get::<i16, _>("long_term_counts_as_completed").map(i64::from)?;
            policies.insert(id, (lights, long_term != 0));
            index.insert(id, units.len());
            units.push(RoundUnit {
                inspection_id: id,
                unit: row.try_get("unit")?,
                title: row.try_get("title")?,
                problems: 0,
                closed: 0,
                measures: 0,
                red: 0,
                yellow: 0,
                awaiting_verification: 0,
                last_progress: None,
            });
        }
        let problems = sqlx::query(
            "SELECT p.inspection_id, p.status, COUNT(*) AS n FROM problems p JOIN inspections i ON i.id = p.inspection_id \
             WHERE i.round_id = $1 AND p.retired_at IS NULL GROUP BY p.inspection_id, p.status",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &problems {
            let id: i64 = row.try_get("inspection_id")?;
            let status: Option<String> = row.try_get("status")?;
            let n = count("n", row.try_get("n")?)?;
            let Some(unit) = index.get(&id).and_then(|i| units.get_mut(*i)) else { continue };
            let long_term_counts = policies.get(&id).is_some_and(|(_, l)| *l);
            unit.problems += n;
            match status.as_deref() {
                Some("completed") => unit.closed += n,
                Some("long_term") if long_term_counts => unit.closed += n,
                _ => {}
            }
        }
        let measures = sqlx::query(
            "SELECT m.inspection_id, m.deadline, m.status FROM measures m JOIN inspections i ON i.id = m.inspection_id \
             WHERE i.round_id = $1 AND m.retired_at IS NULL",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        let default_policy = LightPolicy::default();
        for row in &measures {
            let id: i64 = row.try_get("inspection_id")?;
            let Some(unit) = index.get(&id).and_then(|i| units.get_mut(*i)) else { continue };
            unit.measures += 1;
            let status: Option<String> = row.try_get("status")?;
            if status.as_deref() == Some("completed") {
                continue;
            }
            let status: Option<Status> = status.map(|s| parse_enum("measures.status", s)).transpose()?;
            if status == Some(Status::PendingVerification) {
                unit.awaiting_verification += 1;
            }
            let deadline: Option<String> = row.try_get("deadline")?;
            let deadline = deadline.and_then(|d| d.parse::<PartialDate>().ok());
            let policy = policies.get(&id).map_or(&default_policy, |(p, _)| p);
            match supervision::light(status, deadline, today, policy, &CALENDAR) {
                Light::Red => unit.red += 1,
                Light::Yellow => unit.yellow += 1,
                _ => {}
            }
        }
        let latest = sqlx::query(
            "SELECT m.inspection_id, MAX(e.entry_date) AS latest FROM progress_entries e \
             JOIN measures m ON m.id = e.measure_id JOIN inspections i ON i.id = m.inspection_id \
             WHERE i.round_id = $1 GROUP BY m.inspection_id",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &latest {
            let id: i64 = row.try_get("inspection_id")?;
            if let Some(unit) = index.get(&id).and_then(|i| units.get_mut(*i)) {
                unit.last_progress = row.try_get("latest")?;
            }
        }
        tx.commit().await?;
        Ok(units)
    }
}
