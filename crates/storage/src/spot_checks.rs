//! 双随机、一公开 spot checks: a unit's registry of supervised objects and of inspectors, check
//! rounds drawn from them reproducibly (see [`rectify_domain::spot_check`]), the finding of each
//! drawn object, the 专项检查 ledger made from the hazards, and publication. Every write is
//! audited in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::spot_check::{
    AreaM2, Assignment, Candidates, DrawSize, Finding, InspectorCandidate, InspectorFields, ObjectCandidate,
    ObjectFields, ObjectStatus, draw_round,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{AuditRecord, timestamp};
use crate::codec::{int, unsigned};
use crate::{Acting, InspectionId, StorageError, Store};

/// A spot-check write the state of the round refuses, or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum SpotCheckError {
    /// Refused by the rules; `zh` says why in Chinese.
    #[error("{en}")]
    Refused { en: &'static str, zh: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for SpotCheckError {
    fn from(e: sqlx::Error) -> Self {
        SpotCheckError::Storage(e.into())
    }
}

fn refused(en: &'static str, zh: impl Into<String>) -> SpotCheckError {
    SpotCheckError::Refused { en, zh: zh.into() }
}

/// Why a round cannot be published yet, in Chinese, from whether it is drawn and how many drawn
/// objects still lack a finding; `None` when it can. The store's refusal and the page's reason
/// beside the disabled button both say this.
pub fn publish_refusal_zh(drawn: bool, unrecorded: u64) -> Option<String> {
    if !drawn {
        return Some("该批次尚未抽取，不能公开".to_owned());
    }
    (unrecorded > 0).then(|| format!("该批次还有{unrecorded}个抽查对象未记录检查结果，全部记录后才能向社会公开"))
}

/// Which units a list covers: every unit, or the ones named (an empty list: none).
#[derive(Debug, Clone, Copy)]
pub enum Units<'a> {
    All,
    Only(&'a [String]),
}

impl Units<'_> {
    /// ` AND unit IN (…)` with placeholders from `$first`, and the names to bind.
    fn clause(&self, first: usize) -> (String, Vec<String>) {
        match self {
            Units::All => (String::new(), Vec::new()),
            Units::Only([]) => (" AND 1 = 0".to_owned(), Vec::new()),
            Units::Only(names) => {
                let marks: Vec<String> = (0..names.len()).map(|i| format!("${}", first + i)).collect();
                (format!(" AND unit IN ({})", marks.join(", ")), names.to_vec())
            }
        }
    }
}

/// A registered object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpotObject {
    pub id: i64,
    pub unit: String,
    pub fields: ObjectFields,
    pub retired: bool,
}

/// A registered inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpotInspector {
    pub id: i64,
    pub unit: String,
    pub fields: InspectorFields,
}

/// A new check round as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpotRound {
    pub name: String,
    pub check_date: NaiveDate,
    pub size: DrawSize,
}

/// A drawn object with its inspectors (names as at the draw) and what its check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpotItem {
    pub id: i64,
    pub object_id: i64,
    pub object_name: String,
    pub object_address: Option<String>,
    pub object_owner: Option<String>,
    pub object_category: Option<String>,
    pub inspector_ids: Vec<i64>,
    pub inspector_names: Vec<String>,
    pub finding: Option<Finding>,
    pub recorded_at: Option<String>,
    pub recorded_by_name: Option<String>,
}

/// The draw of a round: its seed, the candidates it chose from and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpotDraw {
    pub seed: String,
    pub candidates: Candidates,
    pub drawn_at: String,
    pub drawn_by_name: String,
}

/// A check round with its drawn items (empty before the draw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpotRound {
    pub id: i64,
    pub unit: String,
    pub name: String,
    pub check_date: NaiveDate,
    pub size: DrawSize,
    pub draw: Option<SpotDraw>,
    /// The 专项检查 ledger made from its hazards.
    pub inspection_id: Option<InspectionId>,
    pub published_at: Option<String>,
    pub created_by_name: String,
    pub created_at: String,
    pub items: Vec<SpotItem>,
}

impl SpotRound {
    /// The draw re-run from the kept seed and candidates (for checking a published draw).
    pub fn redraw(&self) -> Option<Vec<Assignment>> {
        let draw = self.draw.as_ref()?;
        draw_round(&draw.seed, &draw.candidates, self.size).ok()
    }
}

fn object_row(row: &AnyRow) -> Result<SpotObject, StorageError> {
    let status: String = row.try_get("status")?;
    let area: Option<i64> = row.try_get("area_e2")?;
    let retired: Option<String> = row.try_get("retired_at")?;
    Ok(SpotObject {
        id: row.try_get("id")?,
        unit: row.try_get("unit")?,
        fields: ObjectFields {
            name: row.try_get("name")?,
            address: row.try_get("address")?,
            owner: row.try_get("owner")?,
            area: area
                .map(|a| AreaM2::from_hundredths(a).ok_or_else(|| StorageError::corrupt("spot_objects.area_e2", a)))
                .transpose()?,
            status: ObjectStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == status)
                .ok_or_else(|| StorageError::corrupt("spot_objects.status", &status))?,
            category: row.try_get("category")?,
        },
        retired: retired.is_some(),
    })
}

fn inspector_row(row: &AnyRow) -> Result<SpotInspector, StorageError> {
    Ok(SpotInspector {
        id: row.try_get("id")?,
        unit: row.try_get("unit")?,
        fields: InspectorFields {
            name: row.try_get("name")?,
            department: row.try_get("department")?,
            certificate: row.try_get("certificate")?,
            active: row.try_get::<i64, _>("active")? != 0,
        },
    })
}

fn json_column<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::corrupt(column, e))
}

fn to_json(value: &impl Serialize) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Invalid(e.to_string()))
}

const OBJECT_COLUMNS: &str = "id, unit, name, address, owner, area_e2, status, category, retired_at";
const INSPECTOR_COLUMNS: &str = "id, unit, name, department, certificate, active";
const ROUND_COLUMNS: &str = "id, unit, name, check_date, object_count, inspectors_per_object, seed, candidates, \
                             drawn_at, drawn_by_name, inspection_id, published_at, created_by_name, created_at";
const ITEM_COLUMNS: &str = "id, object_id, object_name, object_address, object_owner, object_category, inspector_ids, \
                            inspector_names, finding, recorded_at, recorded_by_name";

async fn insert_object(
    conn: &mut sqlx::AnyConnection,
    unit: &str,
    f: &ObjectFields,
    now: &str,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO spot_objects (unit, name, address, owner, area_e2, status, category, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(unit.to_owned())
    .bind(f.name.clone())
    .bind(f.address.clone())
    .bind(f.owner.clone())
    .bind(f.area.map(AreaM2::hundredths))
    .bind(f.status.as_str())
    .bind(f.category.clone())
    .bind(now.to_owned())
    .fetch_one(&mut *conn)
    .await?)
}

async fn insert_inspector(
    conn: &mut sqlx::AnyConnection,
    unit: &str,
    f: &InspectorFields,
    now: &str,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO spot_inspectors (unit, name, department, certificate, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(unit.to_owned())
    .bind(f.name.clone())
    .bind(f.department.clone())
    .bind(f.certificate.clone())
    .bind(i64::from(f.active))
    .bind(now.to_owned())
    .fetch_one(&mut *conn)
    .await?)
}

impl Store {
    /// Objects of the units, by id; retired ones only with `retired`; answers a page and the total.
    pub async fn spot_objects(
        &self,
        units: Units<'_>,
        retired: bool,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<SpotObject>, u64), StorageError> {
        let (clause, names) = units.clause(1);
        let live = if retired { "" } else { " AND retired_at IS NULL" };
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM spot_objects WHERE 1 = 1{clause}{live}"
        )));
        for n in &names {
            count = count.bind(n.clone());
        }
        let total = count.fetch_one(&self.readers).await?;
        let next = names.len() + 1;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OBJECT_COLUMNS} FROM spot_objects WHERE 1 = 1{clause}{live} ORDER BY unit, id LIMIT ${next} OFFSET ${}",
            next + 1
        )));
        for n in &names {
            rows = rows.bind(n.clone());
        }
        let rows = rows.bind(i64::from(limit)).bind(int("offset", offset)?).fetch_all(&self.readers).await?;
        Ok((rows.iter().map(object_row).collect::<Result<_, _>>()?, unsigned("count", total)?))
    }

    pub async fn spot_object(&self, id: i64) -> Result<Option<SpotObject>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OBJECT_COLUMNS} FROM spot_objects WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        row.as_ref().map(object_row).transpose()
    }

    /// Registers an object (audited as `spot_object.create`).
    pub async fn add_spot_object(
        &self,
        unit: &str,
        fields: &ObjectFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_object(&mut tx, unit, fields, &timestamp(now)).await?;
        let record = AuditRecord::new(actor, "spot_object.create", "spot_object", Some(id), now)
            .after(json!({ "unit": unit, "fields": fields }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// Registers many objects at once, all or none (audited as one `spot_object.import`).
    pub async fn import_spot_objects(
        &self,
        unit: &str,
        objects: &[ObjectFields],
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StorageError> {
        let mut tx = self.begin_write().await?;
        let at = timestamp(now);
        let mut ids = Vec::with_capacity(objects.len());
        for fields in objects {
            ids.push(insert_object(&mut tx, unit, fields, &at).await?);
        }
        let record = AuditRecord::new(actor, "spot_object.import", "spot_registry", None, now)
            .after(json!({ "unit": unit, "count": ids.len(), "ids": ids }));
        tx.commit(&record).await?;
        Ok(ids)
    }

    /// Changes an object's fields (audited as `spot_object.update`, with the fields before).
    pub async fn update_spot_object(
        &self,
        id: i64,
        fields: &ObjectFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let before = self.spot_object(id).await?.ok_or_else(|| StorageError::NotFound(format!("spot object {id}")))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE spot_objects SET name = $1, address = $2, owner = $3, area_e2 = $4, status = $5, category = $6, \
             updated_at = $7 WHERE id = $8",
        )
        .bind(fields.name.clone())
        .bind(fields.address.clone())
        .bind(fields.owner.clone())
        .bind(fields.area.map(AreaM2::hundredths))
        .bind(fields.status.as_str())
        .bind(fields.category.clone())
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "spot_object.update", "spot_object", Some(id), now)
            .before(json!(before.fields))
            .after(json!(fields));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Retires an object: kept for past draws, never drawn again (audited as `spot_object.retire`).
    pub async fn retire_spot_object(&self, id: i64, actor: &Acting, now: DateTime<Utc>) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE spot_objects SET retired_at = $1, updated_at = $1 WHERE id = $2 AND retired_at IS NULL",
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        tx.commit(&AuditRecord::new(actor, "spot_object.retire", "spot_object", Some(id), now)).await?;
        Ok(true)
    }

    /// Inspectors of the units, by id; answers a page and the total.
    pub async fn spot_inspectors(
        &self,
        units: Units<'_>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<SpotInspector>, u64), StorageError> {
        let (clause, names) = units.clause(1);
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM spot_inspectors WHERE 1 = 1{clause}"
        )));
        for n in &names {
            count = count.bind(n.clone());
        }
        let total = count.fetch_one(&self.readers).await?;
        let next = names.len() + 1;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSPECTOR_COLUMNS} FROM spot_inspectors WHERE 1 = 1{clause} ORDER BY unit, id LIMIT ${next} OFFSET ${}",
            next + 1
        )));
        for n in &names {
            rows = rows.bind(n.clone());
        }
        let rows = rows.bind(i64::from(limit)).bind(int("offset", offset)?).fetch_all(&self.readers).await?;
        Ok((rows.iter().map(inspector_row).collect::<Result<_, _>>()?, unsigned("count", total)?))
    }

    pub async fn spot_inspector(&self, id: i64) -> Result<Option<SpotInspector>, StorageError> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {INSPECTOR_COLUMNS} FROM spot_inspectors WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.readers)
                .await?;
        row.as_ref().map(inspector_row).transpose()
    }

    /// Registers an inspector (audited as `spot_inspector.create`).
    pub async fn add_spot_inspector(
        &self,
        unit: &str,
        fields: &InspectorFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_inspector(&mut tx, unit, fields, &timestamp(now)).await?;
        let record = AuditRecord::new(actor, "spot_inspector.create", "spot_inspector", Some(id), now)
            .after(json!({ "unit": unit, "fields": fields }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// Registers many inspectors at once, all or none (audited as one `spot_inspector.import`).
    pub async fn import_spot_inspectors(
        &self,
        unit: &str,
        inspectors: &[InspectorFields],
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StorageError> {
        let mut tx = self.begin_write().await?;
        let at = timestamp(now);
        let mut ids = Vec::with_capacity(inspectors.len());
        for fields in inspectors {
            ids.push(insert_inspector(&mut tx, unit, fields, &at).await?);
        }
        let record = AuditRecord::new(actor, "spot_inspector.import", "spot_registry", None, now)
            .after(json!({ "unit": unit, "count": ids.len(), "ids": ids }));
        tx.commit(&record).await?;
        Ok(ids)
    }

    /// Changes an inspector, the active flag included (audited as `spot_inspector.update`).
    pub async fn update_spot_inspector(
        &self,
        id: i64,
        fields: &InspectorFields,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let before =
            self.spot_inspector(id).await?.ok_or_else(|| StorageError::NotFound(format!("spot inspector {id}")))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE spot_inspectors SET name = $1, department = $2, certificate = $3, active = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(fields.name.clone())
        .bind(fields.department.clone())
        .bind(fields.certificate.clone())
        .bind(i64::from(fields.active))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "spot_inspector.update", "spot_inspector", Some(id), now)
            .before(json!(before.fields))
            .after(json!(fields));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Creates a check round, not yet drawn (audited as `spot_round.create`).
    pub async fn add_spot_round(
        &self,
        unit: &str,
        round: &NewSpotRound,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO spot_rounds (unit, name, check_date, object_count, inspectors_per_object, created_by_name, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(unit.to_owned())
        .bind(round.name.clone())
        .bind(round.check_date.to_string())
        .bind(i64::from(round.size.objects))
        .bind(i64::from(round.size.inspectors_per_object))
        .bind(actor.user_name.clone())
        .bind(timestamp(now))
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "spot_round.create", "spot_round", Some(id), now).after(json!({
            "unit": unit, "name": round.name, "check_date": round.check_date, "size": round.size,
        }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// Rounds of the units, newest first (published ones only with `published_only`), with
    /// their items (a page holds at most `limit` rounds); answers a page and the total.
    pub async fn spot_rounds(
        &self,
        units: Units<'_>,
        published_only: bool,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<SpotRound>, u64), StorageError> {
        let (clause, names) = units.clause(1);
        let published = if published_only { " AND published_at IS NOT NULL" } else { "" };
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM spot_rounds WHERE 1 = 1{clause}{published}"
        )));
        for n in &names {
            count = count.bind(n.clone());
        }
        let total = count.fetch_one(&self.readers).await?;
        let next = names.len() + 1;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM spot_rounds WHERE 1 = 1{clause}{published} ORDER BY id DESC LIMIT ${next} OFFSET ${}",
            next + 1
        )));
        for n in &names {
            rows = rows.bind(n.clone());
        }
        let rows = rows.bind(i64::from(limit)).bind(int("offset", offset)?).fetch_all(&self.readers).await?;
        let mut rounds: Vec<SpotRound> = rows.iter().map(round_row).collect::<Result<_, _>>()?;
        // The page's items in one query, so that the list can count what each round found.
        if !rounds.is_empty() {
            let marks: Vec<String> = (1..=rounds.len()).map(|n| format!("${n}")).collect();
            let mut items = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT round_id, {ITEM_COLUMNS} FROM spot_items WHERE round_id IN ({}) ORDER BY round_id, position",
                marks.join(", ")
            )));
            for r in &rounds {
                items = items.bind(r.id);
            }
            for row in items.fetch_all(&self.readers).await? {
                let round_id: i64 = row.try_get("round_id")?;
                if let Some(round) = rounds.iter_mut().find(|r| r.id == round_id) {
                    round.items.push(item_row(&row)?);
                }
            }
        }
        Ok((rounds, unsigned("count", total)?))
    }

    /// A round with its items in drawing order.
    pub async fn spot_round(&self, id: i64) -> Result<Option<SpotRound>, StorageError> {
        let Some(row) =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM spot_rounds WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.readers)
                .await?
        else {
            return Ok(None);
        };
        let mut round = round_row(&row)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM spot_items WHERE round_id = $1 ORDER BY position"
        )))
        .bind(id)
        .fetch_all(&self.readers)
        .await?;
        round.items = rows.iter().map(item_row).collect::<Result<_, _>>()?;
        Ok(Some(round))
    }

    /// The round an item belongs to.
    pub async fn spot_item_round(&self, item: i64) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT round_id FROM spot_items WHERE id = $1")
            .bind(item)
            .fetch_optional(&self.readers)
            .await?)
    }

    /// Draws a round from the unit's registry as it is now: the objects not retired whose state
    /// can be checked, the active inspectors. Keeps the seed and the candidates; copies the
    /// names drawn. A round is drawn once (audited as `spot_round.draw`).
    pub async fn draw_spot_round(
        &self,
        id: i64,
        seed: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), SpotCheckError> {
        rectify_domain::limits::NAME.check(seed).map_err(|e| StorageError::Invalid(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROUND_COLUMNS} FROM spot_rounds WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("spot round {id}")))?;
        let round = round_row(&row)?;
        if round.draw.is_some() {
            return Err(refused("the round is drawn already", "该批次已抽取，抽取结果不能更改"));
        }
        let objects = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OBJECT_COLUMNS} FROM spot_objects WHERE unit = $1 AND retired_at IS NULL ORDER BY id"
        )))
        .bind(round.unit.clone())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(object_row)
        .collect::<Result<Vec<_>, _>>()?;
        let objects: Vec<SpotObject> = objects.into_iter().filter(|o| o.fields.status.drawable()).collect();
        let inspectors = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSPECTOR_COLUMNS} FROM spot_inspectors WHERE unit = $1 AND active = 1 ORDER BY id"
        )))
        .bind(round.unit.clone())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(inspector_row)
        .collect::<Result<Vec<_>, _>>()?;
        let candidates = Candidates {
            objects: objects.iter().map(|o| ObjectCandidate { id: o.id, owner: o.fields.owner.clone() }).collect(),
            inspectors: inspectors
                .iter()
                .map(|i| InspectorCandidate { id: i.id, department: i.fields.department.clone() })
                .collect(),
        };
        let drawn =
            draw_round(seed, &candidates, round.size).map_err(|e| refused("the draw cannot be made", e.to_string()))?;
        for (position, a) in drawn.iter().enumerate() {
            let o = objects
                .iter()
                .find(|o| o.id == a.object)
                .ok_or_else(|| StorageError::Invalid(format!("drawn object {} is no candidate", a.object)))?;
            let names: Vec<String> = a
                .inspectors
                .iter()
                .filter_map(|id| inspectors.iter().find(|i| i.id == *id).map(|i| i.fields.name.clone()))
                .collect();
            sqlx::query(
                "INSERT INTO spot_items (round_id, position, object_id, object_name, object_address, object_owner, \
                 object_category, inspector_ids, inspector_names) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(int("position", position)?)
            .bind(o.id)
            .bind(o.fields.name.clone())
            .bind(o.fields.address.clone())
            .bind(o.fields.owner.clone())
            .bind(o.fields.category.clone())
            .bind(to_json(&a.inspectors)?)
            .bind(to_json(&names)?)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE spot_rounds SET seed = $1, candidates = $2, drawn_at = $3, drawn_by_name = $4 WHERE id = $5",
        )
        .bind(seed.to_owned())
        .bind(to_json(&candidates)?)
        .bind(timestamp(now))
        .bind(actor.user_name.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "spot_round.draw", "spot_round", Some(id), now).after(json!({
            "seed": seed,
            "candidate_objects": candidates.objects.len(),
            "candidate_inspectors": candidates.inspectors.len(),
            "drawn": drawn,
        }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Records (or corrects) what the check of a drawn object found, until the round's ledger
    /// is made (audited as `spot_item.record`).
    pub async fn record_spot_finding(
        &self,
        item: i64,
        finding: &Finding,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), SpotCheckError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT i.finding, r.inspection_id FROM spot_items i JOIN spot_rounds r ON r.id = i.round_id WHERE i.id = $1",
        )
        .bind(item)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("spot item {item}")))?;
        if row.try_get::<Option<i64>, _>("inspection_id")?.is_some() {
            return Err(refused("the round's ledger is made", "该批次已生成整改台账，检查结果不能再修改"));
        }
        let before: Option<String> = row.try_get("finding")?;
        sqlx::query("UPDATE spot_items SET finding = $1, recorded_at = $2, recorded_by_name = $3 WHERE id = $4")
            .bind(to_json(finding)?)
            .bind(timestamp(now))
            .bind(actor.user_name.clone())
            .bind(item)
            .execute(&mut *tx)
            .await?;
        let mut record =
            AuditRecord::new(actor, "spot_item.record", "spot_item", Some(item), now).after(json!(finding));
        if let Some(before) = before {
            record = record.before(json_column::<serde_json::Value>("spot_items.finding", &before)?);
        }
        tx.commit(&record).await?;
        Ok(())
    }

    /// Stores the 专项检查 ledger made from a round's hazards as a live inspection and links it
    /// to the round, in one transaction; a round has at most one (a second call answers the first
    /// one's id and `false`). Audited as `spot_round.ledger`.
    pub async fn create_spot_ledger(
        &self,
        round: i64,
        ledger: &rectify_domain::Ledger,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(InspectionId, bool), StorageError> {
        ledger.check().map_err(|e| StorageError::Invalid(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let existing: Option<Option<i64>> = sqlx::query_scalar("SELECT inspection_id FROM spot_rounds WHERE id = $1")
            .bind(round)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            None => return Err(StorageError::NotFound(format!("spot round {round}"))),
            // Dropping the transaction rolls it back: nothing was written.
            Some(Some(id)) => return Ok((id, false)),
            Some(None) => {}
        }
        let id = crate::write::insert_ledger(&mut tx, ledger).await?.id;
        crate::search::index_inspection(&mut tx, id).await?;
        let linked = sqlx::query("UPDATE spot_rounds SET inspection_id = $1 WHERE id = $2 AND inspection_id IS NULL")
            .bind(id)
            .bind(round)
            .execute(&mut *tx)
            .await?;
        if linked.rows_affected() != 1 {
            // Another request made it meanwhile (PostgreSQL re-checks the row after its lock):
            // roll this one back and answer that one.
            drop(tx);
            let made: Option<i64> = sqlx::query_scalar("SELECT inspection_id FROM spot_rounds WHERE id = $1")
                .bind(round)
                .fetch_one(&self.readers)
                .await?;
            return made
                .map(|id| (id, false))
                .ok_or_else(|| StorageError::Invalid(format!("spot round {round} lost its ledger meanwhile")));
        }
        let record = AuditRecord::new(actor, "spot_round.ledger", "spot_round", Some(round), now).after(json!({
            "inspection_id": id,
            "unit": ledger.unit,
            "problems": ledger.problems().count(),
            "measures": ledger.measures().count(),
        }));
        tx.commit(&record).await?;
        Ok((id, true))
    }

    /// Publishes a drawn round on the portal, or withdraws it (audited as `spot_round.publish`
    /// or `spot_round.withdraw`); `false` when it already was so. 一公开 publishes the results:
    /// a round is published only once every drawn object has its finding recorded (so the
    /// public page never shows a draw with results still to come). Withdrawing is always allowed.
    pub async fn publish_spot_round(
        &self,
        id: i64,
        publish: bool,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<bool, SpotCheckError> {
        let mut tx = self.begin_write().await?;
        let drawn: Option<Option<String>> = sqlx::query_scalar("SELECT drawn_at FROM spot_rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        match drawn {
            None => return Err(StorageError::NotFound(format!("spot round {id}")).into()),
            Some(None) if publish => {
                return Err(refused("the round is not drawn yet", publish_refusal_zh(false, 0).unwrap_or_default()));
            }
            _ => {}
        }
        if publish {
            // Read in the write transaction: a finding cannot be cleared meanwhile (findings are
            // only ever set), and the count is one indexed aggregate.
            let open: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM spot_items WHERE round_id = $1 AND finding IS NULL")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if let Some(why) = publish_refusal_zh(true, crate::codec::unsigned("unrecorded spot items", open)?) {
                return Err(refused("the round's results are not all recorded", why));
            }
        }
        let done = if publish {
            sqlx::query("UPDATE spot_rounds SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
                .bind(timestamp(now))
                .bind(id)
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query("UPDATE spot_rounds SET published_at = NULL WHERE id = $1 AND published_at IS NOT NULL")
                .bind(id)
                .execute(&mut *tx)
                .await?
        };
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let action = if publish { "spot_round.publish" } else { "spot_round.withdraw" };
        tx.commit(&AuditRecord::new(actor, action, "spot_round", Some(id), now)).await?;
        Ok(true)
    }
}

fn round_row(row: &AnyRow) -> Result<SpotRound, StorageError> {
    let date: String = row.try_get("check_date")?;
    let seed: Option<String> = row.try_get("seed")?;
    let candidates: Option<String> = row.try_get("candidates")?;
    let draw = match (seed, candidates) {
        (Some(seed), Some(candidates)) => Some(SpotDraw {
            seed,
            candidates: json_column("spot_rounds.candidates", &candidates)?,
            drawn_at: row.try_get::<Option<String>, _>("drawn_at")?.unwrap_or_default(),
            drawn_by_name: row.try_get::<Option<String>, _>("drawn_by_name")?.unwrap_or_default(),
        }),
        _ => None,
    };
    let size = DrawSize::new(
        unsigned("spot_rounds.object_count", row.try_get("object_count")?)?,
        unsigned("spot_rounds.inspectors_per_object", row.try_get("inspectors_per_object")?)?,
    )
    .map_err(|e| StorageError::corrupt("spot_rounds size", e))?;
    Ok(SpotRound {
        id: row.try_get("id")?,
        unit: row.try_get("unit")?,
        name: row.try_get("name")?,
        check_date: date.parse().map_err(|e| StorageError::corrupt("spot_rounds.check_date", e))?,
        size,
        draw,
        inspection_id: row.try_get("inspection_id")?,
        published_at: row.try_get("published_at")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        items: Vec::new(),
    })
}

fn item_row(row: &AnyRow) -> Result<SpotItem, StorageError> {
    let ids: String = row.try_get("inspector_ids")?;
    let names: String = row.try_get("inspector_names")?;
    let finding: Option<String> = row.try_get("finding")?;
    Ok(SpotItem {
        id: row.try_get("id")?,
        object_id: row.try_get("object_id")?,
        object_name: row.try_get("object_name")?,
        object_address: row.try_get("object_address")?,
        object_owner: row.try_get("object_owner")?,
        object_category: row.try_get("object_category")?,
        inspector_ids: json_column("spot_items.inspector_ids", &ids)?,
        inspector_names: json_column("spot_items.inspector_names", &names)?,
        finding: finding.map(|f| json_column("spot_items.finding", &f)).transpose()?,
        recorded_at: row.try_get("recorded_at")?,
        recorded_by_name: row.try_get("recorded_by_name")?,
    })
}
