//! 举一反三 from a common problem: where each live inspection of a round stands with a task
//! the office sends to every unit (an aspect of a given title, a problem of a given title in it).

use serde::Serialize;
use sqlx::Row;

use crate::editing::AspectId;
use crate::{InspectionId, StorageError, Store};

/// One live (not draft) inspection of a round, with what it already holds of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CascadeTarget {
    pub inspection_id: InspectionId,
    pub unit: Option<String>,
    /// The first aspect of the inspection titled as asked, if any.
    pub aspect_id: Option<AspectId>,
    /// Whether a problem of that title (live or retired) sits in such an aspect already.
    pub has_problem: bool,
}

impl Store {
    /// The live inspections of a round, each with its aspect titled `aspect_title` and whether
    /// a problem titled `problem_title` is in one already; one query, by inspection id.
    pub async fn cascade_targets(
        &self,
        round: i64,
        aspect_title: &str,
        problem_title: &str,
    ) -> Result<Vec<CascadeTarget>, StorageError> {
        let rows = sqlx::query(
            "SELECT i.id AS inspection_id, i.unit AS unit, \
             (SELECT MIN(a.id) FROM aspects a WHERE a.inspection_id = i.id AND a.title = $2) AS aspect_id, \
             (SELECT COUNT(*) FROM problems p JOIN aspects a ON a.id = p.aspect_id \
              WHERE p.inspection_id = i.id AND a.title = $2 AND p.title = $3) AS existing \
             FROM inspections i WHERE i.round_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM inspection_drafts d WHERE d.inspection_id = i.id) ORDER BY i.id",
        )
        .bind(round)
        .bind(aspect_title.to_owned())
        .bind(problem_title.to_owned())
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CascadeTarget {
                    inspection_id: row.try_get("inspection_id")?,
                    unit: row.try_get("unit")?,
                    aspect_id: row.try_get("aspect_id")?,
                    has_problem: row.try_get::<i64, _>("existing")? > 0,
                })
            })
            .collect()
    }
}
