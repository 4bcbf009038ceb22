//! The problems of a round as the clustering of common problems (共性问题) reads them: one
//! query, titles only, no ledgers loaded.

use sqlx::Row;

use crate::{StorageError, Store};

/// A problem of a round with its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundProblem {
    pub problem_id: i64,
    pub inspection_id: i64,
    pub unit: Option<String>,
    pub title: String,
    pub status: String,
}

impl Store {
    /// Every problem of every inspection of a round, by inspection and position.
    pub async fn round_problems(&self, round: i64) -> Result<Vec<RoundProblem>, StorageError> {
        let rows = sqlx::query(
            "SELECT p.id, p.inspection_id, i.unit, p.title, p.status FROM problems p \
             JOIN inspections i ON i.id = p.inspection_id WHERE i.round_id = $1 ORDER BY p.inspection_id, p.id",
        )
        .bind(round)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoundProblem {
                    problem_id: r.try_get("id")?,
                    inspection_id: r.try_get("inspection_id")?,
                    unit: r.try_get("unit")?,
                    title: r.try_get("title")?,
                    status: r.try_get("status")?,
                })
            })
            .collect()
    }
}
