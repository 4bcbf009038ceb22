//! Unit indicators (整改指标) and their dated readings; every write audited.

use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::indicator::IndicatorValue;
use sqlx::Row;

use crate::audit::AuditRecord;
use crate::{Acting, InspectionId, StorageError, Store};

/// An indicator's own fields, checked by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndicator {
    pub name: String,
    pub unit_of_measure: String,
    pub baseline: IndicatorValue,
    pub target: Option<IndicatorValue>,
}

/// One reading of an indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorReading {
    pub id: i64,
    pub date: NaiveDate,
    pub value: IndicatorValue,
    pub note: Option<String>,
}

/// An indicator as stored, its readings by date (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRecord {
    pub id: i64,
    pub inspection_id: InspectionId,
    pub fields: NewIndicator,
    pub readings: Vec<IndicatorReading>,
}

fn value(n: i64) -> Result<IndicatorValue, StorageError> {
    IndicatorValue::from_ten_thousandths(n)
        .ok_or_else(|| StorageError::Corrupt(format!("indicator value {n} is out of range")))
}

impl Store {
    /// Adds an indicator to an inspection (audited as `indicator.create`).
    pub async fn add_indicator(
        &self,
        inspection: InspectionId,
        fields: &NewIndicator,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1")
            .bind(inspection)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StorageError::NotFound(format!("no inspection has id {inspection}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO indicators (inspection_id, name, unit_of_measure, baseline_e4, target_e4, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(inspection)
        .bind(fields.name.clone())
        .bind(fields.unit_of_measure.clone())
        .bind(fields.baseline.ten_thousandths())
        .bind(fields.target.map(IndicatorValue::ten_thousandths))
        .bind(now.to_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "indicator.create", "indicator", Some(id), now).after(serde_json::json!({
            "inspection_id": inspection,
            "name": fields.name,
            "unit_of_measure": fields.unit_of_measure,
            "baseline": fields.baseline.to_string(),
            "target": fields.target.map(|t| t.to_string()),
        }));
        tx.commit(&record).await?;
        Ok(id)
    }

    /// Records a reading of an indicator (audited as `indicator.reading`).
    pub async fn add_indicator_reading(
        &self,
        indicator: i64,
        date: NaiveDate,
        reading: IndicatorValue,
        note: Option<&str>,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO indicator_readings (indicator_id, reading_date, value_e4, note, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(indicator)
        .bind(date.format("%Y-%m-%d").to_string())
        .bind(reading.ten_thousandths())
        .bind(note.map(str::to_owned))
        .bind(now.to_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "indicator.reading", "indicator", Some(indicator), now).after(
            serde_json::json!({ "reading_id": id, "date": date.to_string(), "value": reading.to_string(), "note": note }),
        );
        tx.commit(&record).await?;
        Ok(id)
    }

    /// The inspection an indicator belongs to, if it exists.
    pub async fn indicator_inspection(&self, indicator: i64) -> Result<Option<InspectionId>, StorageError> {
        Ok(sqlx::query_scalar("SELECT inspection_id FROM indicators WHERE id = $1")
            .bind(indicator)
            .fetch_optional(&self.readers)
            .await?)
    }

    /// An inspection's indicators in the order they were added, each with its readings.
    pub async fn indicators_of(&self, inspection: InspectionId) -> Result<Vec<IndicatorRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, name, unit_of_measure, baseline_e4, target_e4 FROM indicators \
             WHERE inspection_id = $1 ORDER BY id",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(IndicatorRecord {
                id: row.try_get("id")?,
                inspection_id: inspection,
                fields: NewIndicator {
                    name: row.try_get("name")?,
                    unit_of_measure: row.try_get("unit_of_measure")?,
                    baseline: value(row.try_get("baseline_e4")?)?,
                    target: row.try_get::<Option<i64>, _>("target_e4")?.map(value).transpose()?,
                },
                readings: Vec::new(),
            });
        }
        let readings = sqlx::query(
            "SELECT r.id, r.indicator_id, r.reading_date, r.value_e4, r.note FROM indicator_readings r \
             JOIN indicators i ON i.id = r.indicator_id WHERE i.inspection_id = $1 \
             ORDER BY r.indicator_id, r.reading_date, r.id",
        )
        .bind(inspection)
        .fetch_all(&self.readers)
        .await?;
        for row in &readings {
            let indicator: i64 = row.try_get("indicator_id")?;
            let date: String = row.try_get("reading_date")?;
            let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| StorageError::Corrupt(format!("reading date {date:?} of indicator {indicator}")))?;
            if let Some(record) = out.iter_mut().find(|r| r.id == indicator) {
                record.readings.push(IndicatorReading {
                    id: row.try_get("id")?,
                    date,
                    value: value(row.try_get("value_e4")?)?,
                    note: row.try_get("note")?,
                });
            }
        }
        Ok(out)
    }
}
