//! The rows of evidence (佐证材料) metadata, hung on a measure or on a progress entry: written
//! at import (`write.rs`) and by the workflow (`workflow.rs`), so in a module of its own that
//! depends on neither.

use rectify_domain::Evidence;
use sqlx::AnyConnection;

use crate::batch;
use crate::codec::{date_text, int};
use crate::{MeasureId, StorageError};

/// Where a piece of evidence hangs.
#[derive(Clone, Copy)]
pub(crate) enum EvidenceOwner {
    Measure(MeasureId),
    ProgressEntry(i64),
}

/// Inserts the evidence of one owner, in order.
pub(crate) async fn insert_evidence(
    conn: &mut AnyConnection,
    owner: EvidenceOwner,
    evidence: &[Evidence],
) -> Result<(), StorageError> {
    let items: Vec<(EvidenceOwner, usize, &Evidence)> =
        evidence.iter().enumerate().map(|(i, e)| (owner, i, e)).collect();
    insert_evidence_rows(conn, &items).await
}

const EVIDENCE_COLUMNS: [&str; 9] = [
    "measure_id",
    "progress_entry_id",
    "position",
    "title",
    "kind",
    "evidence_date",
    "media_type",
    "size_bytes",
    "sha256",
];

/// Inserts pieces of evidence of any owners, each at its position, thousands of rows per
/// statement (see `batch.rs`): an import sends one statement where it sent one per row (each a
/// round trip to PostgreSQL).
pub(crate) async fn insert_evidence_rows(
    conn: &mut AnyConnection,
    items: &[(EvidenceOwner, usize, &Evidence)],
) -> Result<(), StorageError> {
    for chunk in items.chunks(batch::rows_per_statement(EVIDENCE_COLUMNS.len())) {
        let sql = batch::insert_sql(&*conn, "evidence", &EVIDENCE_COLUMNS, chunk.len(), None);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (owner, position, item) in chunk {
            let (measure_id, entry_id) = match owner {
                EvidenceOwner::Measure(m) => (Some(*m), None),
                EvidenceOwner::ProgressEntry(e) => (None, Some(*e)),
            };
            let size = item.size_bytes.map(|s| int(&format!("the size of evidence {}", item.title), s)).transpose()?;
            query = query
                .bind(measure_id)
                .bind(entry_id)
                .bind(int("evidence position", *position)?)
                .bind(item.title.as_str().to_owned())
                .bind(item.kind.clone())
                .bind(date_text(item.date))
                .bind(item.media_type.clone())
                .bind(size)
                .bind(item.sha256.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts one piece of evidence at `position` among its owner's; returns its id.
pub(crate) async fn insert_evidence_at(
    conn: &mut AnyConnection,
    owner: EvidenceOwner,
    position: i64,
    item: &Evidence,
) -> Result<i64, StorageError> {
    let (measure_id, entry_id) = match owner {
        EvidenceOwner::Measure(m) => (Some(m), None),
        EvidenceOwner::ProgressEntry(e) => (None, Some(e)),
    };
    let size = item.size_bytes.map(|s| int(&format!("the size of evidence {}", item.title), s)).transpose()?;
    let row = sqlx::query(
        "INSERT INTO evidence (measure_id, progress_entry_id, position, title, kind, evidence_date, media_type, \
         size_bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(measure_id)
    .bind(entry_id)
    .bind(position)
    .bind(item.title.as_str().to_owned())
    .bind(item.kind.clone())
    .bind(date_text(item.date))
    .bind(item.media_type.clone())
    .bind(size)
    .bind(item.sha256.clone())
    .fetch_one(&mut *conn)
    .await?;
    Ok(sqlx::Row::try_get(&row, 0)?)
}
