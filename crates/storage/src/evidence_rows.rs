//! The rows of evidence (佐证材料) metadata, hung on a measure or on a progress entry: written
//! at import (`write.rs`) and by the workflow (`workflow.rs`), so in a module of its own that
//! depends on neither.

use rectify_domain::Evidence;
use sqlx::AnyConnection;

use crate::codec::{date_text, int};
use crate::{MeasureId, StorageError};

/// Where a piece of evidence hangs.
#[derive(Clone, Copy)]
pub(crate) enum EvidenceOwner {
    Measure(MeasureId),
    ProgressEntry(i64),
}

pub(crate) async fn insert_evidence(
    conn: &mut AnyConnection,
    owner: EvidenceOwner,
    evidence: &[Evidence],
) -> Result<(), StorageError> {
    for (i, item) in evidence.iter().enumerate() {
        insert_evidence_at(conn, owner, int("evidence position", i)?, item).await?;
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
