//! Editing a stored ledger item by item: create an inspection, add, change, move, delete or
//! retire (作废) aspects, problems and measures, split a measure, and take a draft live.
//!
//! Every change names the version of the item it was made on (optimistic locking: a stale one is
//! refused with the current version) and writes its audit entry in the same transaction.
//!
//! Deleting and retiring: an item on which no work has started (a measure still 未启动 with no
//! progress and no evidence; a problem whose status says nothing was done and all of whose
//! measures are such) may be deleted. Afterwards it can only be retired with a reason: the row,
//! its text and its history stay, it is listed struck through, and it leaves the ledger — the
//! counts, the completion rate (neither numerator nor denominator), the overviews, the reports
//! and the exports read live rows only. A retired problem takes its measures with it. An aspect
//! is deleted when it holds no problem (live or retired) and is never retired.
//!
//! Positions: the live items of a parent are numbered 0..n-1 (the ledger is read in that order);
//! a retired item's position is the negative of its id, outside that order.

use chrono::{DateTime, Utc};
use rectify_domain::limits::{DESCRIPTION, MEASURE_TEXT, NAME, REASON, TITLE};
use rectify_domain::{Disclosure, MeasureKind, NonEmptyText, PartialDate, ProblemScope, Responsibility, Status};
use serde::Serialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::audit::AuditRecord;
use crate::codec::{date_text, enum_text, json_text};
use crate::error::{NotNow, WorkflowStoreError};
use crate::{Acting, InspectionId, MeasureId, ProblemId, StorageError, Store};

pub type AspectId = i64;

/// Which kind of item an edit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Aspect,
    Problem,
    Measure,
}

impl ItemKind {
    fn table(self) -> &'static str {
        match self {
            ItemKind::Aspect => "aspects",
            ItemKind::Problem => "problems",
            ItemKind::Measure => "measures",
        }
    }

    /// The column naming the item's parent, whose children are numbered together.
    fn parent(self) -> &'static str {
        match self {
            ItemKind::Aspect => "inspection_id",
            ItemKind::Problem => "aspect_id",
            ItemKind::Measure => "problem_id",
        }
    }

    /// The name of the kind in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Aspect => "aspect",
            ItemKind::Problem => "problem",
            ItemKind::Measure => "measure",
        }
    }
}

/// A new inspection's header: the unit and what the feedback says about the inspection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewInspection {
    /// 被巡察单位.
    pub unit: NonEmptyText,
    /// 巡察轮次: joins the round of that name (created when new).
    pub round: Option<String>,
    /// 巡察类型 (常规巡察, 专项巡察, …).
    pub kind: Option<rectify_domain::InspectionKind>,
    /// 巡察组.
    pub inspector: Option<String>,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    pub feedback_date: Option<PartialDate>,
    /// 反馈意见: the feedback document's title.
    pub feedback_document: Option<String>,
}

/// An aspect's (方面) own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AspectFields {
    pub number: Option<String>,
    pub title: Option<String>,
}

/// A problem's (问题) own fields, as an edit sets them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemFields {
    pub number: Option<String>,
    pub title: NonEmptyText,
    pub category: Option<String>,
    pub scope: Option<ProblemScope>,
    pub description: Option<String>,
    pub disclosure: Disclosure,
    pub responsibility: Responsibility,
}

/// A measure's (整改措施) own fields, as an edit sets them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureFields {
    pub text: NonEmptyText,
    /// 立行立改 / 限期整改 / 长期坚持.
    pub kind: Option<MeasureKind>,
    /// 完成时限.
    pub deadline: Option<PartialDate>,
    /// Documents named, with their 《》.
    pub documents: Vec<String>,
    pub responsibility: Responsibility,
}

/// A created item: its id, its version, and the inspection it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Created {
    pub id: i64,
    pub version: i64,
    pub inspection_id: InspectionId,
}

/// One aspect as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AspectRecord {
    pub id: AspectId,
    pub inspection_id: InspectionId,
    pub position: usize,
    pub number: Option<String>,
    pub title: Option<String>,
    pub version: i64,
    /// Problems under the aspect, live and retired (an aspect is deleted only when it has none).
    pub problems: u32,
}

/// When and why an item was retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retirement {
    /// RFC 3339, UTC.
    pub at: String,
    pub reason: String,
}

/// A retired problem or measure of an inspection, for the struck-through list of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiredItem {
    pub kind: ItemKind,
    pub id: i64,
    /// The problem's title or the measure's text.
    pub text: String,
    /// For a measure: its problem.
    pub problem_id: Option<ProblemId>,
    pub retirement: Retirement,
}

/// What became of an item that was taken out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    Deleted,
    Retired,
}

/// An item as an edit sees it, read in the edit's transaction.
struct Current {
    inspection_id: InspectionId,
    parent: i64,
    position: i64,
    version: i64,
    retired: bool,
}

/// Far above any real position: where the items moving along a parent's order wait, so that no
/// two of them ever share a position (the UNIQUE constraint is checked row by row).
const PARKED: i64 = 1_000_000_000;

impl AspectFields {
    fn check(&self) -> Result<(), WorkflowStoreError> {
        NAME.check_opt(self.number.as_deref())?;
        TITLE.check_opt(self.title.as_deref())?;
        Ok(())
    }
}

fn check_responsibility(r: &Responsibility) -> Result<(), WorkflowStoreError> {
    NAME.check_opt(r.first_responsible.as_deref())?;
    NAME.check_opt(r.leader.as_deref())?;
    NAME.check_opt(r.liaison.as_deref())?;
    NAME.check_all(r.departments.iter().map(String::as_str))?;
    Ok(())
}

impl ProblemFields {
    fn check(&self) -> Result<(), WorkflowStoreError> {
        NAME.check_opt(self.number.as_deref())?;
        TITLE.check(self.title.as_str())?;
        NAME.check_opt(self.category.as_deref())?;
        DESCRIPTION.check_opt(self.description.as_deref())?;
        check_responsibility(&self.responsibility)
    }
}

impl MeasureFields {
    fn check(&self) -> Result<(), WorkflowStoreError> {
        MEASURE_TEXT.check(self.text.as_str())?;
        TITLE.check_all(self.documents.iter().map(String::as_str))?;
        check_responsibility(&self.responsibility)
    }
}

impl NewInspection {
    fn check(&self) -> Result<(), WorkflowStoreError> {
        NAME.check(self.unit.as_str())?;
        for name in [&self.round, &self.inspector] {
            NAME.check_opt(name.as_deref())?;
        }
        TITLE.check_opt(self.feedback_document.as_deref())?;
        Ok(())
    }
}

fn stamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Reads an item for an edit on `expected` version: missing → NotFound, moved on → Conflict,
/// retired → NotNow (a retired item is kept as it was).
async fn current(
    conn: &mut AnyConnection,
    kind: ItemKind,
    id: i64,
    expected: i64,
) -> Result<Current, WorkflowStoreError> {
    let sql = match kind {
        ItemKind::Aspect => {
            "SELECT inspection_id, inspection_id AS parent, position, version, \
                             CAST(NULL AS TEXT) AS retired_at FROM aspects WHERE id = $1"
        }
        ItemKind::Problem => {
            "SELECT inspection_id, aspect_id AS parent, position, version, retired_at \
                              FROM problems WHERE id = $1"
        }
        ItemKind::Measure => {
            "SELECT inspection_id, problem_id AS parent, position, version, retired_at \
                              FROM measures WHERE id = $1"
        }
    };
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("no {} has id {id}", kind.as_str())))?;
    let item = Current {
        inspection_id: row.try_get("inspection_id")?,
        parent: row.try_get("parent")?,
        position: row.try_get("position")?,
        version: row.try_get("version")?,
        retired: row.try_get::<Option<String>, _>("retired_at")?.is_some(),
    };
    if item.retired {
        return Err(NotNow::Retired { kind: kind.as_str(), id }.into());
    }
    if item.version != expected {
        return Err(WorkflowStoreError::Conflict { current_version: item.version });
    }
    Ok(item)
}

/// Raises the item's version, refusing when it moved on meanwhile; returns the new version.
async fn bump(conn: &mut AnyConnection, kind: ItemKind, id: i64, expected: i64) -> Result<i64, WorkflowStoreError> {
    let sql = format!("UPDATE {} SET version = version + 1 WHERE id = $1 AND version = $2", kind.table());
    let done = sqlx::query(AssertSqlSafe(sql)).bind(id).bind(expected).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        let current: Option<i64> =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT version FROM {} WHERE id = $1", kind.table())))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        return Err(WorkflowStoreError::Conflict { current_version: current.unwrap_or(expected) });
    }
    Ok(expected + 1)
}

/// The number of live children of `parent`.
async fn live_count(conn: &mut AnyConnection, kind: ItemKind, parent: i64) -> Result<i64, StorageError> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE {} = $1 AND position >= 0", kind.table(), kind.parent());
    Ok(sqlx::query_scalar(AssertSqlSafe(sql)).bind(parent).fetch_one(&mut *conn).await?)
}

/// Shifts the live children of `parent` at positions `from..=to` by `by` (+1 or -1), through the
/// parking range so that no two rows meet on the way.
async fn shift(
    conn: &mut AnyConnection,
    kind: ItemKind,
    parent: i64,
    from: i64,
    to: i64,
    by: i64,
) -> Result<(), StorageError> {
    if from > to {
        return Ok(());
    }
    let (table, column) = (kind.table(), kind.parent());
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {table} SET position = position + {PARKED} WHERE {column} = $1 AND position >= $2 AND position <= $3"
    )))
    .bind(parent)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {table} SET position = position - {PARKED} + $2 WHERE {column} = $1 AND position >= {PARKED}"
    )))
    .bind(parent)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the item out of its parent's order (to `position`, negative or parked), closing the gap.
async fn leave_order(
    conn: &mut AnyConnection,
    kind: ItemKind,
    id: i64,
    item: &Current,
    position: i64,
) -> Result<(), StorageError> {
    sqlx::query(AssertSqlSafe(format!("UPDATE {} SET position = $2 WHERE id = $1", kind.table())))
        .bind(id)
        .bind(position)
        .execute(&mut *conn)
        .await?;
    shift(conn, kind, item.parent, item.position + 1, PARKED - 1, -1).await
}

/// Whether work has started on a measure: it left 未启动, or has progress or evidence.
async fn measure_started(conn: &mut AnyConnection, id: MeasureId) -> Result<bool, StorageError> {
    let started: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM measure_workflow w WHERE w.measure_id = $1 AND w.state <> 'not_started') \
         + (SELECT COUNT(*) FROM progress_entries e WHERE e.measure_id = $1) \
         + (SELECT COUNT(*) FROM evidence v WHERE v.measure_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(started > 0)
}

/// Whether work has started on a problem: its status says so, a measure of it has started, or a
/// look-back has sampled it.
async fn problem_started(conn: &mut AnyConnection, id: ProblemId) -> Result<bool, StorageError> {
    let status: String =
        sqlx::query_scalar("SELECT status FROM problems WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    if !matches!(Status::from_name(&status), Some(Status::NotStarted | Status::Unknown)) {
        return Ok(true);
    }
    let sampled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lookback_items WHERE problem_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if sampled > 0 {
        return Ok(true);
    }
    let measures: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM measures WHERE problem_id = $1").bind(id).fetch_all(&mut *conn).await?;
    for measure in measures {
        if measure_started(conn, measure).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn problem_json(conn: &mut AnyConnection, id: ProblemId) -> Result<serde_json::Value, StorageError> {
    let row = sqlx::query(
        "SELECT number, title, category, scope, description, disclosure, first_responsible, leader, departments, \
         liaison, position, version FROM problems WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(serde_json::json!({
        "number": row.try_get::<Option<String>, _>("number")?,
        "title": row.try_get::<String, _>("title")?,
        "category": row.try_get::<Option<String>, _>("category")?,
        "scope": row.try_get::<Option<String>, _>("scope")?,
        "description": row.try_get::<Option<String>, _>("description")?,
        "disclosure": row.try_get::<String, _>("disclosure")?,
        "first_responsible": row.try_get::<Option<String>, _>("first_responsible")?,
        "leader": row.try_get::<Option<String>, _>("leader")?,
        "departments": row.try_get::<String, _>("departments")?,
        "liaison": row.try_get::<Option<String>, _>("liaison")?,
        "position": row.try_get::<i64, _>("position")?,
        "version": row.try_get::<i64, _>("version")?,
    }))
}

async fn measure_json(conn: &mut AnyConnection, id: MeasureId) -> Result<serde_json::Value, StorageError> {
    let row = sqlx::query(
        "SELECT text, kind, deadline, documents, first_responsible, leader, departments, liaison, position, version \
         FROM measures WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(serde_json::json!({
        "text": row.try_get::<String, _>("text")?,
        "kind": row.try_get::<Option<String>, _>("kind")?,
        "deadline": row.try_get::<Option<String>, _>("deadline")?,
        "documents": row.try_get::<String, _>("documents")?,
        "first_responsible": row.try_get::<Option<String>, _>("first_responsible")?,
        "leader": row.try_get::<Option<String>, _>("leader")?,
        "departments": row.try_get::<String, _>("departments")?,
        "liaison": row.try_get::<Option<String>, _>("liaison")?,
        "position": row.try_get::<i64, _>("position")?,
        "version": row.try_get::<i64, _>("version")?,
    }))
}

async fn insert_measure(
    conn: &mut AnyConnection,
    inspection: InspectionId,
    problem: ProblemId,
    position: i64,
    fields: &MeasureFields,
) -> Result<MeasureId, StorageError> {
    let r = &fields.responsibility;
    let id: MeasureId = sqlx::query_scalar(
        "INSERT INTO measures (problem_id, inspection_id, position, text, dates, amounts, documents, kind, deadline, \
         status, first_responsible, leader, departments, liaison) \
         VALUES ($1, $2, $3, $4, '[]', '[]', $5, $6, $7, NULL, $8, $9, $10, $11) RETURNING id",
    )
    .bind(problem)
    .bind(inspection)
    .bind(position)
    .bind(fields.text.as_str().to_owned())
    .bind(json_text(&fields.documents)?)
    .bind(fields.kind.as_ref().map(enum_text).transpose()?)
    .bind(date_text(fields.deadline))
    .bind(r.first_responsible.clone())
    .bind(r.leader.clone())
    .bind(json_text(&r.departments)?)
    .bind(r.liaison.clone())
    .fetch_one(&mut *conn)
    .await?;
    crate::workflow::insert_initial(conn, id, None).await?;
    Ok(id)
}

impl Store {
    /// Creates an empty inspection (a draft) for a unit; answers its id and version.
    pub async fn create_inspection(
        &self,
        header: &NewInspection,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Created, WorkflowStoreError> {
        header.check()?;
        let ledger = rectify_domain::Ledger {
            title: None,
            unit: Some(header.unit.as_str().to_owned()),
            report_date: None,
            inspection: rectify_domain::Inspection {
                inspector: header.inspector.clone(),
                start: header.start,
                end: header.end,
                feedback_date: header.feedback_date,
                round: header.round.clone(),
                kind: header.kind,
                feedback_document: header.feedback_document.clone(),
            },
            claimed: rectify_domain::Claimed::default(),
            aspects: Vec::new(),
            named_documents: Vec::new(),
            contacts: rectify_domain::Contacts::default(),
            organisation: rectify_domain::Organisation::default(),
            outcomes: rectify_domain::Outcomes::default(),
            policy: rectify_domain::RoundPolicy::default(),
        };
        let mut tx = self.begin_write().await?;
        let inserted = crate::write::insert_ledger(&mut tx, &ledger).await?;
        let id = inserted.id;
        mark_draft(&mut tx, id, now).await?;
        let mut after = serde_json::to_value(header).map_err(|e| StorageError::Invalid(e.to_string()))?;
        if let (Some(fields), Some(_)) = (after.as_object_mut(), &inserted.round_fill) {
            fields.insert("round_filled".into(), inserted.round_audit());
        }
        let record = AuditRecord::new(actor, "inspection.create", "inspection", Some(id), now).after(after);
        tx.commit(&record).await?;
        Ok(Created { id, version: 0, inspection_id: id })
    }

    /// [`Store::import_ledger_as`], the new inspection a draft (草稿) to be completed before it
    /// goes live; in one transaction.
    pub async fn import_ledger_as_draft(
        &self,
        ledger: &rectify_domain::Ledger,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<InspectionId, StorageError> {
        ledger.check().map_err(|e| StorageError::Invalid(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let inserted = crate::write::insert_ledger(&mut tx, ledger).await?;
        let id = inserted.id;
        mark_draft(&mut tx, id, now).await?;
        crate::search::index_inspection(&mut tx, id).await?;
        let record =
            AuditRecord::new(actor, "inspection.import", "inspection", Some(id), now).after(serde_json::json!({
                "unit": ledger.unit,
                "problems": ledger.problems().count(),
                "measures": ledger.measures().count(),
                "draft": true,
                "round": inserted.round_audit(),
            }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// Takes a draft live (上线): from now on it is counted and supervised like any ledger.
    /// `false` when it was not a draft.
    pub async fn go_live(
        &self,
        inspection: InspectionId,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM inspection_drafts WHERE inspection_id = $1")
            .bind(inspection)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        tx.commit(&AuditRecord::new(actor, "inspection.go_live", "inspection", Some(inspection), now)).await?;
        Ok(true)
    }

    /// The aspects of an inspection in ledger order.
    pub async fn list_aspects(&self, inspection: InspectionId) -> Result<Vec<AspectRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.inspection_id, a.position, a.number, a.title, a.version, \
             (SELECT COUNT(*) FROM problems p WHERE p.aspect_id = a.id) AS problems \
             FROM aspects a WHERE a.inspection_id = $1 ORDER BY a.position",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AspectRecord {
                    id: row.try_get("id")?,
                    inspection_id: row.try_get("inspection_id")?,
                    position: crate::codec::unsigned("aspects.position", row.try_get("position")?)?,
                    number: row.try_get("number")?,
                    title: row.try_get("title")?,
                    version: row.try_get("version")?,
                    problems: crate::codec::unsigned("problems", row.try_get("problems")?)?,
                })
            })
            .collect()
    }

    /// The inspection an aspect belongs to, if the aspect exists.
    pub async fn aspect_inspection(&self, aspect: AspectId) -> Result<Option<InspectionId>, StorageError> {
        Ok(sqlx::query_scalar("SELECT inspection_id FROM aspects WHERE id = $1")
            .bind(aspect)
            .fetch_optional(&self.readers)
            .await?)
    }

    /// The retired problems and measures of an inspection, most recent first.
    pub async fn retired_items(&self, inspection: InspectionId) -> Result<Vec<RetiredItem>, StorageError> {
        let rows = sqlx::query(
            "SELECT 'problem' AS kind, id, title AS text, NULL AS problem_id, retired_at, retired_reason \
             FROM problems WHERE inspection_id = $1 AND retired_at IS NOT NULL \
             UNION ALL SELECT 'measure' AS kind, id, text, problem_id, retired_at, retired_reason \
             FROM measures WHERE inspection_id = $1 AND retired_at IS NOT NULL \
             ORDER BY retired_at DESC, id",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(RetiredItem {
                    kind: if kind == "problem" { ItemKind::Problem } else { ItemKind::Measure },
                    id: row.try_get("id")?,
                    text: row.try_get("text")?,
                    problem_id: row.try_get("problem_id")?,
                    retirement: Retirement {
                        at: row.try_get("retired_at")?,
                        reason: row.try_get::<Option<String>, _>("retired_reason")?.unwrap_or_default(),
                    },
                })
            })
            .collect()
    }

    /// Adds an aspect at the end of an inspection's aspects.
    pub async fn add_aspect(
        &self,
        inspection: InspectionId,
        fields: &AspectFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Created, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1")
            .bind(inspection)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no inspection has id {inspection}")).into());
        }
        let position = live_count(&mut tx, ItemKind::Aspect, inspection).await?;
        let id: AspectId = sqlx::query_scalar(
            "INSERT INTO aspects (inspection_id, position, number, title) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(inspection)
        .bind(position)
        .bind(fields.number.clone())
        .bind(fields.title.clone())
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "aspect.create", "aspect", Some(id), now)
            .after(serde_json::json!({ "inspection_id": inspection, "number": fields.number, "title": fields.title }));
        tx.commit(&record).await?;
        Ok(Created { id, version: 0, inspection_id: inspection })
    }

    /// Changes an aspect's number and title.
    pub async fn update_aspect(
        &self,
        id: AspectId,
        version: i64,
        fields: &AspectFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        current(&mut tx, ItemKind::Aspect, id, version).await?;
        let before =
            sqlx::query("SELECT number, title FROM aspects WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let before = serde_json::json!({
            "number": before.try_get::<Option<String>, _>("number")?,
            "title": before.try_get::<Option<String>, _>("title")?,
        });
        sqlx::query("UPDATE aspects SET number = $2, title = $3 WHERE id = $1")
            .bind(id)
            .bind(fields.number.clone())
            .bind(fields.title.clone())
            .execute(&mut *tx)
            .await?;
        let new_version = bump(&mut tx, ItemKind::Aspect, id, version).await?;
        let record = AuditRecord::new(actor, "aspect.update", "aspect", Some(id), now)
            .before(before)
            .after(serde_json::json!({ "number": fields.number, "title": fields.title, "version": new_version }));
        tx.commit(&record).await?;
        Ok(new_version)
    }

    /// Deletes an aspect that holds no problem.
    pub async fn delete_aspect(
        &self,
        id: AspectId,
        version: i64,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        let mut tx = self.begin_write().await?;
        let item = current(&mut tx, ItemKind::Aspect, id, version).await?;
        let problems: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE aspect_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if problems > 0 {
            return Err(NotNow::AspectNotEmpty { aspect_id: id }.into());
        }
        leave_order(&mut tx, ItemKind::Aspect, id, &item, -id).await?;
        sqlx::query("DELETE FROM aspects WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit(&AuditRecord::new(actor, "aspect.delete", "aspect", Some(id), now)).await?;
        Ok(())
    }

    /// Adds a problem at the end of an aspect; it starts 未启动.
    pub async fn add_problem(
        &self,
        aspect: AspectId,
        fields: &ProblemFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Created, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        let inspection: InspectionId = sqlx::query_scalar("SELECT inspection_id FROM aspects WHERE id = $1")
            .bind(aspect)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("no aspect has id {aspect}")))?;
        let position = live_count(&mut tx, ItemKind::Problem, aspect).await?;
        let r = &fields.responsibility;
        let id: ProblemId = sqlx::query_scalar(
            "INSERT INTO problems (aspect_id, inspection_id, position, number, title, status, category, scope, \
             description, disclosure, first_responsible, leader, departments, liaison) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(aspect)
        .bind(inspection)
        .bind(position)
        .bind(fields.number.clone())
        .bind(fields.title.as_str().to_owned())
        .bind(Status::NotStarted.as_str())
        .bind(fields.category.clone())
        .bind(fields.scope.as_ref().map(enum_text).transpose()?)
        .bind(fields.description.clone())
        .bind(enum_text(&fields.disclosure)?)
        .bind(r.first_responsible.clone())
        .bind(r.leader.clone())
        .bind(json_text(&r.departments)?)
        .bind(r.liaison.clone())
        .fetch_one(&mut *tx)
        .await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Problem, id).await?;
        let after = problem_json(&mut tx, id).await?;
        tx.commit(&AuditRecord::new(actor, "problem.create", "problem", Some(id), now).after(after)).await?;
        Ok(Created { id, version: 0, inspection_id: inspection })
    }

    /// Sets a problem's own fields; answers the new version.
    pub async fn update_problem(
        &self,
        id: ProblemId,
        version: i64,
        fields: &ProblemFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        current(&mut tx, ItemKind::Problem, id, version).await?;
        let before = problem_json(&mut tx, id).await?;
        let r = &fields.responsibility;
        sqlx::query(
            "UPDATE problems SET number = $2, title = $3, category = $4, scope = $5, description = $6, \
             disclosure = $7, first_responsible = $8, leader = $9, departments = $10, liaison = $11 WHERE id = $1",
        )
        .bind(id)
        .bind(fields.number.clone())
        .bind(fields.title.as_str().to_owned())
        .bind(fields.category.clone())
        .bind(fields.scope.as_ref().map(enum_text).transpose()?)
        .bind(fields.description.clone())
        .bind(enum_text(&fields.disclosure)?)
        .bind(r.first_responsible.clone())
        .bind(r.leader.clone())
        .bind(json_text(&r.departments)?)
        .bind(r.liaison.clone())
        .execute(&mut *tx)
        .await?;
        let new_version = bump(&mut tx, ItemKind::Problem, id, version).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Problem, id).await?;
        let after = problem_json(&mut tx, id).await?;
        tx.commit(&AuditRecord::new(actor, "problem.update", "problem", Some(id), now).before(before).after(after))
            .await?;
        Ok(new_version)
    }

    /// Adds a measure at the end of a problem's measures; it starts 未启动.
    pub async fn add_measure(
        &self,
        problem: ProblemId,
        fields: &MeasureFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Created, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT inspection_id, retired_at FROM problems WHERE id = $1")
            .bind(problem)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("no problem has id {problem}")))?;
        if row.try_get::<Option<String>, _>("retired_at")?.is_some() {
            return Err(NotNow::Retired { kind: "problem", id: problem }.into());
        }
        let inspection: InspectionId = row.try_get("inspection_id")?;
        let position = live_count(&mut tx, ItemKind::Measure, problem).await?;
        let id = insert_measure(&mut tx, inspection, problem, position, fields).await?;
        let after = measure_json(&mut tx, id).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Measure, id).await?;
        tx.commit(&AuditRecord::new(actor, "measure.create", "measure", Some(id), now).after(after)).await?;
        Ok(Created { id, version: 0, inspection_id: inspection })
    }

    /// Sets a measure's own fields; answers the new version.
    pub async fn update_measure(
        &self,
        id: MeasureId,
        version: i64,
        fields: &MeasureFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        fields.check()?;
        let mut tx = self.begin_write().await?;
        current(&mut tx, ItemKind::Measure, id, version).await?;
        let before = measure_json(&mut tx, id).await?;
        let r = &fields.responsibility;
        sqlx::query(
            "UPDATE measures SET text = $2, kind = $3, deadline = $4, documents = $5, first_responsible = $6, \
             leader = $7, departments = $8, liaison = $9 WHERE id = $1",
        )
        .bind(id)
        .bind(fields.text.as_str().to_owned())
        .bind(fields.kind.as_ref().map(enum_text).transpose()?)
        .bind(date_text(fields.deadline))
        .bind(json_text(&fields.documents)?)
        .bind(r.first_responsible.clone())
        .bind(r.leader.clone())
        .bind(json_text(&r.departments)?)
        .bind(r.liaison.clone())
        .execute(&mut *tx)
        .await?;
        let new_version = bump(&mut tx, ItemKind::Measure, id, version).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Measure, id).await?;
        let after = measure_json(&mut tx, id).await?;
        tx.commit(&AuditRecord::new(actor, "measure.update", "measure", Some(id), now).before(before).after(after))
            .await?;
        Ok(new_version)
    }

    /// Splits a measure in two: it keeps `first` as its text, and a new measure right after it
    /// takes `second` with the same kind, deadline, documents and responsibility. Answers the
    /// measure's new version and the new measure.
    pub async fn split_measure(
        &self,
        id: MeasureId,
        version: i64,
        first: &NonEmptyText,
        second: &NonEmptyText,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(i64, Created), WorkflowStoreError> {
        MEASURE_TEXT.check(first.as_str())?;
        MEASURE_TEXT.check(second.as_str())?;
        let mut tx = self.begin_write().await?;
        let item = current(&mut tx, ItemKind::Measure, id, version).await?;
        let before = measure_json(&mut tx, id).await?;
        let row = sqlx::query(
            "SELECT kind, deadline, documents, first_responsible, leader, departments, liaison FROM measures \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let fields = MeasureFields {
            text: second.clone(),
            kind: crate::codec::parse_optional_enum("measures.kind", row.try_get("kind")?)?,
            deadline: crate::codec::parse_date("measures.deadline", row.try_get("deadline")?)?,
            documents: crate::codec::parse_json("measures.documents", &row.try_get::<String, _>("documents")?)?,
            responsibility: Responsibility {
                first_responsible: row.try_get("first_responsible")?,
                leader: row.try_get("leader")?,
                departments: crate::codec::parse_json(
                    "measures.departments",
                    &row.try_get::<String, _>("departments")?,
                )?,
                liaison: row.try_get("liaison")?,
            },
        };
        sqlx::query("UPDATE measures SET text = $2 WHERE id = $1")
            .bind(id)
            .bind(first.as_str().to_owned())
            .execute(&mut *tx)
            .await?;
        let new_version = bump(&mut tx, ItemKind::Measure, id, version).await?;
        // Make room right after the measure, then put the new one there.
        shift(&mut tx, ItemKind::Measure, item.parent, item.position + 1, PARKED - 1, 1).await?;
        let new_id = insert_measure(&mut tx, item.inspection_id, item.parent, item.position + 1, &fields).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Measure, id).await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Measure, new_id).await?;
        let after = serde_json::json!({ "first": measure_json(&mut tx, id).await?, "second_id": new_id,
            "second": measure_json(&mut tx, new_id).await? });
        tx.commit(&AuditRecord::new(actor, "measure.split", "measure", Some(id), now).before(before).after(after))
            .await?;
        Ok((new_version, Created { id: new_id, version: 0, inspection_id: item.inspection_id }))
    }

    /// Moves a live problem or measure (or an aspect) to `to` (0-based, clamped to the last place)
    /// among its parent's live items; answers the new version.
    pub async fn move_item(
        &self,
        kind: ItemKind,
        id: i64,
        version: i64,
        to: usize,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        let mut tx = self.begin_write().await?;
        let item = current(&mut tx, kind, id, version).await?;
        let last = live_count(&mut tx, kind, item.parent).await? - 1;
        let to = i64::try_from(to).unwrap_or(i64::MAX).min(last);
        if to != item.position {
            sqlx::query(AssertSqlSafe(format!("UPDATE {} SET position = $2 WHERE id = $1", kind.table())))
                .bind(id)
                .bind(-id)
                .execute(&mut *tx)
                .await?;
            if to > item.position {
                shift(&mut tx, kind, item.parent, item.position + 1, to, -1).await?;
            } else {
                shift(&mut tx, kind, item.parent, to, item.position - 1, 1).await?;
            }
            sqlx::query(AssertSqlSafe(format!("UPDATE {} SET position = $2 WHERE id = $1", kind.table())))
                .bind(id)
                .bind(to)
                .execute(&mut *tx)
                .await?;
        }
        let new_version = bump(&mut tx, kind, id, version).await?;
        let record = AuditRecord::new(actor, format!("{}.move", kind.as_str()), kind.as_str(), Some(id), now)
            .before(serde_json::json!({ "position": item.position }))
            .after(serde_json::json!({ "position": to, "version": new_version }));
        tx.commit(&record).await?;
        Ok(new_version)
    }

    /// Deletes a problem or measure on which no work has started; refuses otherwise (retire it).
    pub async fn delete_item(
        &self,
        kind: ItemKind,
        id: i64,
        version: i64,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        if kind == ItemKind::Aspect {
            return self.delete_aspect(id, version, actor, now).await;
        }
        let mut tx = self.begin_write().await?;
        let item = current(&mut tx, kind, id, version).await?;
        let started = match kind {
            ItemKind::Problem => problem_started(&mut tx, id).await?,
            _ => measure_started(&mut tx, id).await?,
        };
        if started {
            return Err(NotNow::WorkStarted { kind: kind.as_str(), id }.into());
        }
        let before = match kind {
            ItemKind::Problem => problem_json(&mut tx, id).await?,
            _ => measure_json(&mut tx, id).await?,
        };
        leave_order(&mut tx, kind, id, &item, -id).await?;
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {} WHERE id = $1", kind.table())))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let record =
            AuditRecord::new(actor, format!("{}.delete", kind.as_str()), kind.as_str(), Some(id), now).before(before);
        tx.commit(&record).await?;
        Ok(())
    }

    /// Retires (作废) a problem (with its measures) or a measure, with a reason: kept, shown
    /// struck through, and out of every count.
    pub async fn retire_item(
        &self,
        kind: ItemKind,
        id: i64,
        version: i64,
        reason: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), WorkflowStoreError> {
        let reason = reason.trim();
        if reason.is_empty() || kind == ItemKind::Aspect {
            return Err(WorkflowStoreError::Invalid("retiring needs a reason".to_owned()));
        }
        REASON.check(reason)?;
        let mut tx = self.begin_write().await?;
        let item = current(&mut tx, kind, id, version).await?;
        leave_order(&mut tx, kind, id, &item, -id).await?;
        let at = stamp(now);
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET retired_at = $2, retired_reason = $3, version = version + 1 WHERE id = $1",
            kind.table()
        )))
        .bind(id)
        .bind(at.clone())
        .bind(reason.to_owned())
        .execute(&mut *tx)
        .await?;
        if kind == ItemKind::Problem {
            // Its measures go with it, out of the order of their problem as well.
            sqlx::query(
                "UPDATE measures SET retired_at = $2, retired_reason = $3, position = -id \
                 WHERE problem_id = $1 AND retired_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .bind(reason.to_owned())
            .execute(&mut *tx)
            .await?;
        }
        // Out of the ledger, out of search: the item with everything under it.
        match kind {
            ItemKind::Problem => crate::search::index_problem_tree(&mut tx, id).await?,
            ItemKind::Measure => crate::search::index_measure_tree(&mut tx, id).await?,
            ItemKind::Aspect => {}
        }
        let record = AuditRecord::new(actor, format!("{}.retire", kind.as_str()), kind.as_str(), Some(id), now)
            .after(serde_json::json!({ "reason": reason }));
        tx.commit(&record).await?;
        Ok(())
    }
}

impl Store {
    /// Merges a duplicate problem into `target` (same inspection): the duplicate's live measures
    /// move to the end of the target's, and the duplicate is retired with a reason naming the
    /// target. Answers the target's new version.
    pub async fn merge_problems(
        &self,
        target: ProblemId,
        target_version: i64,
        duplicate: ProblemId,
        duplicate_version: i64,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, WorkflowStoreError> {
        if target == duplicate {
            return Err(WorkflowStoreError::Invalid("a problem cannot be merged into itself".to_owned()));
        }
        let mut tx = self.begin_write().await?;
        let kept = current(&mut tx, ItemKind::Problem, target, target_version).await?;
        let gone = current(&mut tx, ItemKind::Problem, duplicate, duplicate_version).await?;
        if kept.inspection_id != gone.inspection_id {
            return Err(WorkflowStoreError::Invalid("only problems of one inspection can be merged".to_owned()));
        }
        let title: String =
            sqlx::query_scalar("SELECT title FROM problems WHERE id = $1").bind(target).fetch_one(&mut *tx).await?;
        let start = live_count(&mut tx, ItemKind::Measure, target).await?;
        // Parked first, so that no position is shared on the way; then numbered after the target's.
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE measures SET problem_id = $2, position = position + {PARKED} WHERE problem_id = $1 AND position >= 0"
        )))
        .bind(duplicate)
        .bind(target)
        .execute(&mut *tx)
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE measures SET position = position - {PARKED} + $2 WHERE problem_id = $1 AND position >= {PARKED}"
        )))
        .bind(target)
        .bind(start)
        .execute(&mut *tx)
        .await?;
        let reason = format!("与问题“{title}”重复，已合并");
        leave_order(&mut tx, ItemKind::Problem, duplicate, &gone, -duplicate).await?;
        sqlx::query("UPDATE problems SET retired_at = $2, retired_reason = $3, version = version + 1 WHERE id = $1")
            .bind(duplicate)
            .bind(stamp(now))
            .bind(reason.clone())
            .execute(&mut *tx)
            .await?;
        // The moved measures now belong to the kept problem; the duplicate leaves search.
        crate::search::index_problem_tree(&mut tx, target).await?;
        crate::search::index_problem_tree(&mut tx, duplicate).await?;
        let new_version = bump(&mut tx, ItemKind::Problem, target, target_version).await?;
        let record = AuditRecord::new(actor, "problem.merge", "problem", Some(target), now)
            .after(serde_json::json!({ "duplicate": duplicate, "reason": reason, "version": new_version }));
        tx.commit(&record).await?;
        Ok(new_version)
    }
}

async fn mark_draft(
    conn: &mut AnyConnection,
    inspection: InspectionId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO inspection_drafts (inspection_id, created_at) VALUES ($1, $2) ON CONFLICT (inspection_id) DO NOTHING")
        .bind(inspection)
        .bind(stamp(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
