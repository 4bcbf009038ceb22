//! The record of a round beyond its name (migration 0023): the committee that ran it, the dates
//! of the on-site inspection and of the feedback, and its groups (巡察组) with the units each
//! inspected. The office edits it under optimistic locking (the round's `version`); an import
//! fills only what is still unknown, in the import's transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rectify_domain::{Inspection, InspectionGroup, RoundDetails};
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::AuditRecord;
use crate::batch;
use crate::codec::{date_text, int, parse_date};
use crate::{Acting, InspectionId, StorageError, Store};

/// Why the office's change to rounds was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoundChangeError {
    #[error("no round {0}")]
    NoRound(i64),
    #[error("no inspection {0}")]
    NoInspection(InspectionId),
    #[error("a round named {0:?} exists already")]
    NameTaken(String),
    #[error("a round cannot be merged into itself")]
    IntoItself,
    #[error("the round was changed meanwhile (now at version {current_version})")]
    Conflict { current_version: i64 },
    #[error("inspection {0} is not in the round")]
    NotInRound(i64),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for RoundChangeError {
    fn from(e: sqlx::Error) -> Self {
        RoundChangeError::Storage(e.into())
    }
}

/// Names round `id` `name` (checked, and free), and its inspections' `round` text with it, so
/// that an exported ledger names the round it is in.
pub(crate) async fn set_name(conn: &mut AnyConnection, id: i64, name: &str) -> Result<(), RoundChangeError> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM rounds WHERE name = $1 AND id <> $2")
        .bind(name.to_owned())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(RoundChangeError::NameTaken(name.to_owned()));
    }
    sqlx::query("UPDATE rounds SET name = $1 WHERE id = $2").bind(name.to_owned()).bind(id).execute(&mut *conn).await?;
    sqlx::query("UPDATE inspections SET round = $1 WHERE round_id = $2")
        .bind(name.to_owned())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A round with its record, as the office reads and edits it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundRecord {
    pub id: i64,
    pub name: String,
    /// The number of its inspections (units).
    pub inspections: u32,
    /// The version an edit names (optimistic locking).
    pub version: i64,
    pub details: RoundDetails,
}

/// What an import added to its round's record, for the import's audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RoundFill {
    pub round_id: i64,
    /// The fields the round did not know and now does, by column.
    pub filled: Vec<&'static str>,
    /// The group the unit joined, when the ledger names one.
    pub group: Option<String>,
}

fn invalid(e: rectify_domain::RoundDetailsError) -> StorageError {
    StorageError::corrupt("rounds", e)
}

/// The round's header columns: name, version and the record without its groups.
async fn header(conn: &mut AnyConnection, id: i64) -> Result<Option<(String, i64, RoundDetails)>, StorageError> {
    let row =
        sqlx::query("SELECT name, committee, start_date, end_date, feedback_date, version FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let committee: Option<String> = row.try_get("committee")?;
    let details = RoundDetails::new(
        committee.as_deref(),
        parse_date("rounds.start_date", row.try_get("start_date")?)?,
        parse_date("rounds.end_date", row.try_get("end_date")?)?,
        parse_date("rounds.feedback_date", row.try_get("feedback_date")?)?,
        Vec::new(),
    )
    .map_err(invalid)?;
    Ok(Some((row.try_get("name")?, row.try_get("version")?, details)))
}

/// The round's groups in order, `(id, name, leader)`.
async fn groups(conn: &mut AnyConnection, round: i64) -> Result<Vec<(i64, String, Option<String>)>, StorageError> {
    Ok(sqlx::query_as("SELECT id, name, leader FROM round_groups WHERE round_id = $1 ORDER BY position")
        .bind(round)
        .fetch_all(&mut *conn)
        .await?)
}

/// The whole record of round `id`: its header, its groups and their units that are (still)
/// inspections of the round.
pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<RoundRecord>, StorageError> {
    let Some((name, version, header)) = header(conn, id).await? else { return Ok(None) };
    let groups = groups(conn, id).await?;
    let links: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT gu.group_id, gu.inspection_id FROM round_group_units gu \
         JOIN round_groups g ON g.id = gu.group_id JOIN inspections i ON i.id = gu.inspection_id \
         WHERE g.round_id = $1 AND i.round_id = $1 ORDER BY gu.inspection_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let inspections: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspections WHERE round_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
    for (group, inspection) in links {
        units.entry(group).or_default().push(inspection);
    }
    let groups = groups
        .into_iter()
        .map(|(gid, name, leader)| {
            InspectionGroup::new(&name, leader.as_deref(), units.remove(&gid).unwrap_or_default()).map_err(invalid)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let details = RoundDetails::new(header.committee(), header.start(), header.end(), header.feedback_date(), groups)
        .map_err(invalid)?;
    Ok(Some(RoundRecord {
        id,
        name,
        inspections: crate::codec::unsigned("inspections", inspections)?,
        version,
        details,
    }))
}

/// Writes `details` as round `id`'s record, its groups replaced (the caller raises the
/// version).
pub(crate) async fn store(conn: &mut AnyConnection, id: i64, details: &RoundDetails) -> Result<(), StorageError> {
    sqlx::query("UPDATE rounds SET committee = $1, start_date = $2, end_date = $3, feedback_date = $4 WHERE id = $5")
        .bind(details.committee().map(str::to_owned))
        .bind(date_text(details.start()))
        .bind(date_text(details.end()))
        .bind(date_text(details.feedback_date()))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM round_groups WHERE round_id = $1").bind(id).execute(&mut *conn).await?;
    insert_groups(conn, id, 0, details.groups()).await
}

/// Inserts `groups` at positions from `first` on, with their units.
async fn insert_groups(
    conn: &mut AnyConnection,
    round: i64,
    first: usize,
    groups: &[InspectionGroup],
) -> Result<(), StorageError> {
    if groups.is_empty() {
        return Ok(());
    }
    // At most MAX_GROUPS (50) rows: one statement.
    let sql = batch::insert_sql(
        &*conn,
        "round_groups",
        &["round_id", "position", "name", "leader"],
        groups.len(),
        Some("id, round_id, position"),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, g) in groups.iter().enumerate() {
        query = query
            .bind(round)
            .bind(int("group position", first + i)?)
            .bind(g.name().to_owned())
            .bind(g.leader().map(str::to_owned));
    }
    let ids = batch::ids_by_key(&query.fetch_all(&mut *conn).await?, "round_id", groups.len())?;
    let mut links = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let gid = ids
            .get(&(round, int("group position", first + i)?))
            .copied()
            .ok_or_else(|| StorageError::corrupt("round_groups", "a group came back without its id"))?;
        links.extend(g.units().iter().map(|u| (gid, *u)));
    }
    insert_links(conn, &links).await
}

/// `(group, inspection)` rows; a row already there stays.
async fn insert_links(conn: &mut AnyConnection, links: &[(i64, i64)]) -> Result<(), StorageError> {
    for chunk in links.chunks(batch::rows_per_statement(2)) {
        let sql = format!(
            "{} ON CONFLICT (group_id, inspection_id) DO NOTHING",
            batch::insert_sql(&*conn, "round_group_units", &["group_id", "inspection_id"], chunk.len(), None)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (group, inspection) in chunk {
            query = query.bind(*group).bind(*inspection);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// What an imported ledger's inspection metadata says about its round: the group (巡察组)
/// with this unit in it, and the dates. What cannot stand (dates out of order, a name over the
/// limit) is left out rather than refusing the import: the ledger itself was accepted.
fn imported(inspection: InspectionId, insp: &Inspection) -> RoundDetails {
    let group = insp
        .inspector
        .as_deref()
        .and_then(|name| InspectionGroup::new(name, None, vec![inspection]).ok())
        .into_iter()
        .collect::<Vec<_>>();
    RoundDetails::new(None, insp.start, insp.end, insp.feedback_date, group.clone())
        .or_else(|_| RoundDetails::new(None, None, None, None, group))
        .unwrap_or_default()
}

/// Fills round `round`'s unknown fields from an imported inspection, never replacing what the
/// office entered (see [`RoundDetails::filled_from`]); answers what changed, if anything. Two
/// statements when the round knows it all already, four or five when it learns something.
pub(crate) async fn fill_from_import(
    conn: &mut AnyConnection,
    round: i64,
    inspection: InspectionId,
    insp: &Inspection,
) -> Result<Option<RoundFill>, StorageError> {
    let from = imported(inspection, insp);
    if from == RoundDetails::default() {
        return Ok(None);
    }
    let Some((_, _, header)) = header(conn, round).await? else { return Ok(None) };
    let known = groups(conn, round).await?;
    let mine = known
        .iter()
        .map(|(_, name, leader)| InspectionGroup::new(name, leader.as_deref(), Vec::new()).map_err(invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let current = RoundDetails::new(header.committee(), header.start(), header.end(), header.feedback_date(), mine)
        .map_err(invalid)?;
    // An imported date out of order with a known one: take the group alone.
    let filled = current
        .filled_from(&from)
        .or_else(|| current.filled_from(&RoundDetails::new(None, None, None, None, from.groups().to_vec()).ok()?));
    let Some(filled) = filled else { return Ok(None) };
    let mut fill = RoundFill { round_id: round, filled: Vec::new(), group: None };
    for (column, before, after) in [
        ("start_date", current.start(), filled.start()),
        ("end_date", current.end(), filled.end()),
        ("feedback_date", current.feedback_date(), filled.feedback_date()),
    ] {
        if before != after {
            fill.filled.push(column);
        }
    }
    if let Some(group) = from.groups().first() {
        fill.group = Some(group.name().to_owned());
        match known.iter().find(|(_, name, _)| name == group.name()) {
            Some((gid, _, _)) => insert_links(conn, &[(*gid, inspection)]).await?,
            None => insert_groups(conn, round, known.len(), std::slice::from_ref(group)).await?,
        }
    }
    if fill.filled.is_empty() && fill.group.is_none() {
        return Ok(None);
    }
    // The version moves with any change, so that an edit begun before the import is refused
    // rather than dropping what the import added.
    sqlx::query(
        "UPDATE rounds SET start_date = $1, end_date = $2, feedback_date = $3, version = version + 1 WHERE id = $4",
    )
    .bind(date_text(filled.start()))
    .bind(date_text(filled.end()))
    .bind(date_text(filled.feedback_date()))
    .bind(round)
    .execute(&mut *conn)
    .await?;
    Ok(Some(fill))
}

/// What the office changes in a round: its name and its record.
#[derive(Debug, Clone)]
pub struct RoundEdit {
    /// The version the edit was made on.
    pub version: i64,
    /// The new name (already checked), or `None` to keep it.
    pub name: Option<String>,
    pub details: RoundDetails,
}

impl Store {
    /// Round `id` with its record, if it exists.
    pub async fn round_record(&self, id: i64) -> Result<Option<RoundRecord>, StorageError> {
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let record = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The office's edit of round `id`: name and record in one transaction with its audit entry
    /// (`round.update`); refused when the round moved on since `edit.version`, or when a group
    /// names a unit that is not in the round. Answers the new version.
    pub async fn update_round(
        &self,
        id: i64,
        edit: &RoundEdit,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, RoundChangeError> {
        let mut tx = self.begin_write().await?;
        // The version first: on PostgreSQL the row stays locked until the commit, so of two
        // edits on the same version the second finds it moved on.
        let raised = sqlx::query("UPDATE rounds SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(edit.version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if raised == 0 {
            let current: Option<i64> = sqlx::query_scalar("SELECT version FROM rounds WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match current {
                Some(current_version) => RoundChangeError::Conflict { current_version },
                None => RoundChangeError::NoRound(id),
            });
        }
        let before = load(&mut tx, id).await?.ok_or(RoundChangeError::NoRound(id))?;
        let members: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM inspections WHERE round_id = $1").bind(id).fetch_all(&mut *tx).await?;
        if let Some(stranger) =
            edit.details.groups().iter().flat_map(|g| g.units()).find(|u| !members.contains(u)).copied()
        {
            return Err(RoundChangeError::NotInRound(stranger));
        }
        let name = edit.name.clone().unwrap_or_else(|| before.name.clone());
        if name != before.name {
            set_name(&mut tx, id, &name).await?;
        }
        store(&mut tx, id, &edit.details).await?;
        let record = AuditRecord::new(actor, "round.update", "round", Some(id), now)
            .before(json!({ "name": before.name, "details": before.details, "version": edit.version }))
            .after(json!({ "name": name, "details": edit.details, "version": before.version }));
        tx.commit(&record).await?;
        Ok(before.version)
    }
}
