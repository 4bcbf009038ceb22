//! Many remembered reads checked against one reading of the versions.

use std::collections::HashMap;
use std::sync::Arc;

use rectify_domain::Ledger;

use crate::workflow::MeasureWorkflowView;
use crate::{InspectionId, MeasureId, MeasureRecord, ProblemRecord, StorageError, Store};

/// The version of every inspection, read at one moment. A page about many units (the inspection
/// office's home page) reads their lists through it: a list remembered at the version read here
/// needs no query of its own, and comes back shared rather than copied. What it returns is at
/// least as fresh as the moment the snapshot was taken.
#[derive(Debug, Clone)]
pub struct Snapshot {
    store: Store,
    versions: HashMap<InspectionId, i64>,
}

impl Store {
    /// Reads the versions of every inspection in one query.
    pub async fn snapshot(&self) -> Result<Snapshot, StorageError> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT inspection_id, version FROM inspection_versions").fetch_all(&self.readers).await?;
        Ok(Snapshot { store: self.clone(), versions: rows.into_iter().collect() })
    }

    /// No versions read ahead: each unit's version is read when the page asks for it — for a
    /// page that may touch a few of thousands of units (a reviewer's queue).
    pub fn snapshot_lazy(&self) -> Snapshot {
        Snapshot { store: self.clone(), versions: HashMap::new() }
    }

    /// The versions of the given inspections only (one query): for a page about a few units.
    pub async fn snapshot_for(&self, ids: &[InspectionId]) -> Result<Snapshot, StorageError> {
        if ids.is_empty() {
            return Ok(self.snapshot_lazy());
        }
        let wanted: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT inspection_id, version FROM inspection_versions WHERE inspection_id IN ({})",
            wanted.join(", ")
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        let rows: Vec<(i64, i64)> = query.fetch_all(&self.readers).await?;
        Ok(Snapshot { store: self.clone(), versions: rows.into_iter().collect() })
    }

    /// The version of one inspection only: for a page about one unit, whatever the number of units.
    pub async fn snapshot_of(&self, id: InspectionId) -> Result<Snapshot, StorageError> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT inspection_id, version FROM inspection_versions WHERE inspection_id = $1")
                .bind(id)
                .fetch_all(&self.readers)
                .await?;
        Ok(Snapshot { store: self.clone(), versions: rows.into_iter().collect() })
    }
}

impl Snapshot {
    /// The version read for an inspection. A unit the snapshot does not hold (created since,
    /// absent, or left out by [`Store::snapshot_of`]) has its version read when it is asked for.
    fn known(&self, id: InspectionId) -> Option<i64> {
        self.versions.get(&id).copied()
    }

    pub async fn ledger(&self, id: InspectionId) -> Result<Arc<Ledger>, StorageError> {
        self.store.ledger_shared(id, self.known(id)).await
    }

    pub async fn problems(&self, id: InspectionId) -> Result<Arc<Vec<ProblemRecord>>, StorageError> {
        self.store.problems_shared(id, self.known(id)).await
    }

    pub async fn measures(&self, id: InspectionId) -> Result<Arc<Vec<MeasureRecord>>, StorageError> {
        self.store.measures_shared(id, self.known(id)).await
    }

    pub async fn workflows(
        &self,
        id: InspectionId,
    ) -> Result<Arc<HashMap<MeasureId, MeasureWorkflowView>>, StorageError> {
        self.store.workflows_shared(id, self.known(id)).await
    }
}
