//! The rectification ledger stored in SQLite or PostgreSQL behind one interface.
//!
//! [`Store`] runs one code path for both databases through `sqlx::Any` with runtime queries, so
//! the crate builds without a live database. Each backend has its own versioned migrations
//! (`migrations/sqlite`, `migrations/postgres`), embedded in the binary and run on connect.
//!
//! A ledger is stored normalised (inspections → aspects → problems → measures → progress and
//! evidence, plus outcomes) and read back equal to what was imported, field for field. Figures
//! are never stored: [`Store::statistics`] derives them from the stored ledger.
//!
//! On the ledger runs the workflow (migration `0002_workflow`): user accounts and sessions, the
//! closure (销号) state of each measure under optimistic locking, supervision, look-back and the
//! SM3-chained audit trail. Every write of the workflow appends its audit entry in the same
//! transaction. Evidence files live on disk in an [`EvidenceStore`].
//!
//! Rules for anyone adding a write: it goes through `WriteTx` (on SQLite the write gate and the
//! kept write connection, see `write_tx.rs`), whose only commit, `WriteTx::commit`, takes the
//! audit entry (the law asks for it; the remembered list of inspections also relies on it, see
//! `cache.rs`); the one exception is a restore, which copies a backup's own entries as they are
//! (`backup.rs`). A new table of ledger data needs its version trigger (migration 0007), a new
//! table of any kind its place in `backup::TABLES` or `backup::NOT_COPIED` (a test checks),
//! and the columns of `inspections` are written once, at import.

pub mod audit;
mod audit_chain;
pub mod audit_key;
pub mod backup;
mod batch;
mod cache;
pub mod cascade;
mod checkpoint;
mod codec;
pub mod editing;
mod error;
pub mod evaluations;
mod evidence_rows;
pub mod feedback_routing;
pub mod files;
pub mod indicators;
mod key_file;
pub mod lookback;
mod memory;
mod migrations;
pub mod notifications;
pub mod portal;
mod read;
mod readers;
mod records;
mod round_admin;
mod round_details;
mod round_report;
pub mod rounds;
pub mod sealed;
mod sealed_rows;
pub mod search;
pub mod settings;
mod similar;
mod snapshot;
pub mod spot_checks;
pub mod supervision;
pub mod users;
pub mod workflow;
mod write;
mod write_tx;

use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use rectify_domain::{Ledger, Statistics};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

pub use audit::{AuditBroken, AuditCheck, AuditEntry, AuditFilter, AuditRecord, AuditVerifyError, Page};
pub use audit_key::{AuditKeyRing, AuditKeys};
pub use backup::{BackupError, BackupSummary, Manifest, RestoreSummary};
pub use cascade::CascadeTarget;
pub use codec::key_from_hex;
pub use editing::{
    AspectFields, AspectRecord, Created, ItemKind, MeasureFields, NewInspection, ProblemFields, Removal, RetiredItem,
    Retirement,
};
pub use error::{NotNow, NotPermitted, StorageError, WorkflowStoreError};
pub use evaluations::{AdjustmentRecord, StoredSheet, UnitOutcomes};
pub use feedback_routing::FeedbackSettings;
pub use files::{EvidenceStore, FileError, StoredFile};
pub use indicators::{IndicatorReading, IndicatorRecord, NewIndicator};
pub use lookback::{Lookback, LookbackItem, LookbackResult};
use migrations::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use notifications::{
    Channel, Delivery, DeliveryCounts, DeliveryStatus, DueMeasure, NewNotification, Notification, NotificationKind,
    Outbound,
};
pub use portal::{
    AnswerOutcome, Feedback, FeedbackError, FeedbackLookup, FeedbackStatus, Forwarding, NewFeedback, NewPublication,
    PendingAnswer, PublishedReport, PublishedSummary, Receipt, Submitter,
};
pub use records::{InspectionSummary, MeasureRecord, ProblemInScope, ProblemRecord, RecordPlace};
pub use round_details::{RoundChangeError, RoundEdit, RoundRecord};
pub use rounds::{RoundSummary, RoundUnit};
pub use sealed::{DataKeyRing, DataKeys, SealError};
pub use search::{COUNT_CAP as SEARCH_COUNT_CAP, SearchHit, SearchKind, SearchQuery, SearchScope};
pub use similar::RoundProblem;
pub use snapshot::Snapshot;
pub use spot_checks::{
    NewSpotRound, SpotCheckError, SpotDraw, SpotInspector, SpotItem, SpotObject, SpotRound, Units as SpotUnits,
};
pub use supervision::{Handover, NewNotice, Reminder, ReminderTarget, ResponsibilityTarget, SentNotice};
pub use users::{AccountError, LoginStatus, NewUser, RoleGrant, Session, StoredTotpSecret, User};
pub use workflow::MeasureWorkflowView;
use write_tx::WriteTx;

use read::{MeasureFilter, ProblemFilter};

pub type InspectionId = i64;
pub type ProblemId = i64;
pub type MeasureId = i64;
pub type UserId = i64;

/// Who does something, as the audit trail records it. The role decides which steps the closure
/// workflow allows; checking the data scope (which unit, which department) is the caller's job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acting {
    /// `None` for the system itself (an import from the command line).
    pub user_id: Option<UserId>,
    pub user_name: String,
    pub role: rectify_domain::roles::Role,
    /// The client's network address.
    pub address: Option<String>,
}

impl Acting {
    /// The system itself: imports from the command line and the demo's set-up.
    pub fn system() -> Acting {
        Acting {
            user_id: None,
            user_name: "system".to_owned(),
            role: rectify_domain::roles::Role::SystemAdmin,
            address: None,
        }
    }
}

/// How long a SQLite connection waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Recognises `sqlite:…` and `postgres://…` / `postgresql://…` URLs.
    pub fn from_url(url: &str) -> Result<Backend, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// A connection pool to one database holding any number of inspections (one ledger each).
/// Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where reads get their connection (see [`readers`]).
    readers: readers::Readers,
    /// What requests read most, kept between commits on SQLite (see [`memory`]).
    memories: Option<Arc<Memories>>,
    backend: Backend,
    /// SQLite's write gate and kept write connection (see [`write_tx`]); `None` for PostgreSQL.
    write_gate: Option<write_tx::SqliteGate>,
    /// Whole-inspection reads, remembered until the data changes (see [`cache`]).
    pub(crate) reads: Arc<Reads>,
    /// The keys that sign and verify the audit chain (see [`audit_key`]).
    audit_keys: Arc<AuditKeyRing>,
    /// The keys that seal personal data and evidence files at rest (see [`sealed`]).
    data_keys: Arc<DataKeyRing>,
    /// Set once a write that registered the current data key in `data_keys` has committed:
    /// later sealing writes of this process skip that statement (rows there are never removed).
    data_key_registered: Arc<std::sync::atomic::AtomicBool>,
}

/// How [`Store::connect_with`] connects.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Where the audit chain's key ring is (default: see [`audit_key`]).
    pub audit_keys: AuditKeys,
    /// Where the data key ring is (default: see [`sealed`]).
    pub data_keys: DataKeys,
}

#[derive(Debug, Default)]
pub(crate) struct Reads {
    inspections: cache::Remembered<(), Vec<InspectionSummary>>,
    ledgers: cache::Remembered<InspectionId, Ledger>,
    problems: cache::Remembered<InspectionId, Vec<ProblemRecord>>,
    measures: cache::Remembered<InspectionId, Vec<MeasureRecord>>,
    workflows: cache::Remembered<InspectionId, std::collections::HashMap<MeasureId, MeasureWorkflowView>>,
    /// Round overviews by (round, day, list version), valid while the round's versions stand.
    rounds: cache::Remembered<(i64, chrono::NaiveDate, i64), Vec<rounds::RoundUnit>>,
}

/// The memories of [`Store::memories`], one per kind of record.
#[derive(Debug)]
pub(crate) struct Memories {
    /// Sessions by token hash, with their account and roles.
    pub(crate) sessions: memory::Memory<String, (users::Session, Option<users::User>)>,
    pub(crate) problems: memory::Memory<ProblemId, ProblemRecord>,
    pub(crate) measures: memory::Memory<MeasureId, MeasureRecord>,
}

impl Memories {
    fn new(watch: Arc<memory::CommitWatch>) -> Memories {
        Memories {
            sessions: memory::Memory::new(Arc::clone(&watch)),
            problems: memory::Memory::new(Arc::clone(&watch)),
            measures: memory::Memory::new(watch),
        }
    }
}

impl Store {
    /// Connects to `sqlite:PATH` (the file is created if missing) or `postgres://…`, brings
    /// the schema up to date, and opens the audit chain's key ring at its default place:
    /// `RECTIFY_AUDIT_KEY_FILE`, else `PATH.audit-keys` beside a SQLite file, else
    /// `rectify-data/audit-keys` for PostgreSQL (created on first use; see [`audit_key`]).
    pub async fn connect(url: &str) -> Result<Store, StorageError> {
        Store::connect_with(url, ConnectOptions::default()).await
    }

    /// [`Store::connect`] with the key ring given in `options`.
    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Store, StorageError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                // An embedded database cannot drop a connection: pinging it before each use
                // would only add a round trip to the connection's worker thread.
                let options = AnyPoolOptions::new().test_before_acquire(false).after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // WAL lets readers run beside the writer; it is a property of the file, so
                        // repeating it per connection costs nothing once set.
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout = {}",
                            SQLITE_BUSY_TIMEOUT.as_millis()
                        )))
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query("PRAGMA journal_mode = WAL").fetch_optional(&mut *conn).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                        // With WAL, NORMAL syncs at checkpoints instead of at every commit: the
                        // database stays consistent (a change and its audit entry commit together
                        // or not at all), and a committed write survives a crash of the program;
                        // only a power loss may undo the last commits. Measured 4-5x more writes/s.
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                        Ok(())
                    })
                });
                options.connect(&sqlite_url(url)).await?
            }
            Backend::Postgres => AnyPoolOptions::new().connect(url).await?,
        };
        let migrator = match backend {
            Backend::Sqlite => &*SQLITE_MIGRATIONS,
            Backend::Postgres => &*POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        let write_gate = match backend {
            Backend::Sqlite => Some(write_tx::SqliteWriter::gate(&pool).await?),
            Backend::Postgres => None,
        };
        let audit_keys = Arc::new(open_key_ring(&pool, url, backend, options.audit_keys).await?);
        let data_keys = Arc::new(sealed_rows::open_data_key_ring(&pool, url, backend, options.data_keys).await?);
        // After the first connections: the WAL index exists once one of them has opened the file.
        let watch = match backend {
            Backend::Sqlite => memory::CommitWatch::open(url).map(Arc::new),
            Backend::Postgres => None,
        };
        if let (Some(watch), Some(gate)) = (&watch, &write_gate) {
            checkpoint::start(&pool, Arc::clone(watch), gate.liveness()).await?;
        }
        let memories = watch.map(|watch| Arc::new(Memories::new(watch)));
        let store = Store {
            readers: readers::Readers::new(&pool, backend),
            memories,
            pool,
            backend,
            write_gate,
            reads: Arc::default(),
            audit_keys,
            data_keys,
            data_key_registered: Arc::default(),
        };
        // Rows from before migration 0022 (and TOTP secrets from before sealing) are sealed now, in batches, before anything is served.
        let sealed = store.seal_feedback(&Acting::system(), chrono::Utc::now()).await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed the names and contacts of earlier feedback with SM4");
        }
        let sealed = store.seal_totp_secrets(&Acting::system(), chrono::Utc::now()).await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed the TOTP secrets of accounts with SM4");
        }
        tracing::debug!(?backend, "storage connected and migrated");
        Ok(store)
    }

    /// The audit chain's key ring in use.
    pub fn audit_keys(&self) -> &AuditKeyRing {
        &self.audit_keys
    }

    /// The data key ring in use (SM4 at rest): what an [`EvidenceStore`] seals its files with.
    pub fn data_keys(&self) -> Arc<DataKeyRing> {
        Arc::clone(&self.data_keys)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool itself, for features that add their own tables through later migrations.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction (on SQLite, after the writers queued before this one).
    async fn begin_write(&self) -> Result<WriteTx, StorageError> {
        WriteTx::begin(self.writer()).await
    }

    /// [`Store::begin_write`] for a write that may take long (see [`WriteTx::begin_long`]).
    async fn begin_long_write(&self) -> Result<WriteTx, StorageError> {
        WriteTx::begin_long(self.writer()).await
    }

    fn writer(&self) -> write_tx::Writer<'_> {
        write_tx::Writer { gate: self.write_gate.as_ref(), pool: &self.pool, keys: &self.audit_keys }
    }

    /// Runs one statement that writes as a transaction of its own (see [`write_tx::execute_alone`]).
    async fn execute_write(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<sqlx::any::AnyQueryResult, StorageError> {
        write_tx::execute_alone(self.write_gate.as_ref(), &self.pool, query).await
    }

    /// Starts a write transaction whose first statement is `sql`, and returns that statement's
    /// first row (see [`WriteTx::begin_fetching`]).
    async fn begin_write_fetching(
        &self,
        sql: &str,
        arguments: sqlx::any::AnyArguments,
    ) -> Result<(WriteTx, Option<sqlx::any::AnyRow>), StorageError> {
        WriteTx::begin_fetching(self.writer(), sql, arguments).await
    }

    /// `load` run in a read transaction, or its remembered result if the data has not changed
    /// since (one query instead of the whole read).
    pub(crate) async fn read_remembered<K: Eq + Hash + Clone, V>(
        &self,
        remembered: &cache::Remembered<K, V>,
        key: K,
        version: cache::Version,
        known: Option<i64>,
        load: impl AsyncFnOnce(&mut sqlx::AnyConnection) -> Result<V, StorageError>,
    ) -> Result<Arc<V>, StorageError> {
        let current = match known {
            Some(current) => current,
            None => version.read(&mut *self.readers.acquire().await?).await?,
        };
        if let Some(hit) = remembered.get(&key, current) {
            return Ok(hit);
        }
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let version = version.read(&mut tx).await?;
        let value = Arc::new(load(&mut tx).await?);
        tx.commit().await?;
        remembered.put(key, version, Arc::clone(&value));
        Ok(value)
    }

    /// Stores a validated ledger as a new inspection, in ONE transaction (all or nothing).
    ///
    /// The ledger is checked again ([`Ledger::check`]) because its outcomes point at problems and
    /// measures by position, and a dangling reference cannot be stored.
    pub async fn import_ledger(&self, ledger: &Ledger) -> Result<InspectionId, StorageError> {
        self.import_ledger_as(ledger, &Acting::system(), chrono::Utc::now()).await
    }

    /// [`Store::import_ledger`] on behalf of `actor`, audited in the same transaction.
    pub async fn import_ledger_as(
        &self,
        ledger: &Ledger,
        actor: &Acting,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<InspectionId, StorageError> {
        ledger.check().map_err(|e| StorageError::Invalid(e.to_string()))?;
        let mut tx = self.begin_long_write().await?;
        let inserted = write::insert_ledger(&mut tx, ledger).await?;
        let id = inserted.id;
        search::index_inspection(&mut tx, id).await?;
        let record =
            AuditRecord::new(actor, "inspection.import", "inspection", Some(id), now).after(serde_json::json!({
                "unit": ledger.unit,
                "problems": ledger.problems().count(),
                "measures": ledger.measures().count(),
                "round": inserted.round_audit(),
            }));
        tx.commit(&record).await?;
        tracing::info!(id, unit = ledger.unit.as_deref().unwrap_or(""), "ledger imported");
        Ok(id)
    }

    /// Reads an inspection back as a ledger equal to the one imported.
    pub async fn export_ledger(&self, id: InspectionId) -> Result<Ledger, StorageError> {
        Ok(Ledger::clone(&*self.ledger_shared(id, None).await?))
    }

    /// The remembered ledger of an inspection, shared; `known` is its version if already read.
    pub(crate) async fn ledger_shared(
        &self,
        id: InspectionId,
        known: Option<i64>,
    ) -> Result<Arc<Ledger>, StorageError> {
        self.read_remembered(&self.reads.ledgers, id, cache::Version::Inspection(id), known, async |conn| {
            read::load_ledger(conn, id)
                .await?
                .ok_or_else(|| StorageError::NotFound(format!("no inspection has id {id}")))
        })
        .await
    }

    /// Deletes an inspection and everything under it; `false` if there was none with the id.
    pub async fn delete_inspection(&self, id: InspectionId) -> Result<bool, StorageError> {
        let mut tx = self.begin_long_write().await?;
        let done = sqlx::query("DELETE FROM inspections WHERE id = $1").bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Ok(false); // nothing changed: the transaction is dropped, i.e. rolled back
        }
        let record =
            AuditRecord::new(&Acting::system(), "inspection.delete", "inspection", Some(id), chrono::Utc::now());
        tx.commit(&record).await?;
        Ok(true)
    }

    /// Every stored inspection, oldest import first.
    pub async fn list_inspections(&self) -> Result<Vec<InspectionSummary>, StorageError> {
        Ok(Vec::clone(&*self.inspections_shared().await?))
    }

    /// [`Store::list_inspections`], remembered and shared: valid while no inspection comes, goes
    /// or changes its header or counts (progress and workflow steps leave it in place).
    pub async fn inspections_shared(&self) -> Result<Arc<Vec<InspectionSummary>>, StorageError> {
        self.read_remembered(&self.reads.inspections, (), cache::Version::Catalog, None, read_inspections).await
    }

    /// Finds the inspection a user means.
    ///
    /// `None` → the only inspection (Ambiguous if several, NotFound if none); `Some(key)` → the
    /// inspection with that numeric id, else the one whose unit or title is exactly `key`
    /// (Ambiguous if several match).
    pub async fn resolve_inspection(&self, key: Option<&str>) -> Result<InspectionId, StorageError> {
        let Some(key) = key.map(str::trim) else {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM inspections ORDER BY id LIMIT 2").fetch_all(&self.readers).await?;
            return match ids.as_slice() {
                [] => Err(StorageError::NotFound("the database holds no inspection".to_owned())),
                [id] => Ok(*id),
                _ => Err(StorageError::Ambiguous(
                    "the database holds several inspections; name one by id, unit or title".to_owned(),
                )),
            };
        };
        if let Ok(id) = key.parse::<i64>() {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.readers)
                .await?;
            if let Some(id) = found {
                return Ok(id);
            }
        }
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM inspections WHERE unit = $1 OR title = $1 ORDER BY id")
            .bind(key)
            .fetch_all(&self.readers)
            .await?;
        match ids.as_slice() {
            [] => Err(StorageError::NotFound(format!("no inspection has the id, unit or title {key:?}"))),
            [id] => Ok(*id),
            several => {
                let list: Vec<String> = several.iter().map(i64::to_string).collect();
                Err(StorageError::Ambiguous(format!(
                    "{} inspections match {key:?} (ids {}); name one by id",
                    several.len(),
                    list.join(", ")
                )))
            }
        }
    }

    /// The problems of an inspection in ledger order (empty if the inspection does not exist).
    pub async fn list_problems(&self, inspection: InspectionId) -> Result<Vec<ProblemRecord>, StorageError> {
        Ok(Vec::clone(&*self.problems_shared(inspection, None).await?))
    }

    pub(crate) async fn problems_shared(
        &self,
        inspection: InspectionId,
        known: Option<i64>,
    ) -> Result<Arc<Vec<ProblemRecord>>, StorageError> {
        self.read_remembered(
            &self.reads.problems,
            inspection,
            cache::Version::Inspection(inspection),
            known,
            async |conn| read::load_problems(conn, ProblemFilter::Inspection(inspection)).await,
        )
        .await
    }

    /// The inspection and unit of a problem; `None` if no problem has the id.
    pub async fn problem_place(&self, id: ProblemId) -> Result<Option<RecordPlace>, StorageError> {
        self.place(
            "SELECT p.id, i.id, i.unit FROM problems p JOIN inspections i ON i.id = p.inspection_id WHERE p.id = $1",
            id,
        )
        .await
    }

    /// The inspection and unit of a measure; `None` if no measure has the id.
    pub async fn measure_place(&self, id: MeasureId) -> Result<Option<RecordPlace>, StorageError> {
        self.place(
            "SELECT m.problem_id, i.id, i.unit FROM measures m JOIN inspections i ON i.id = m.inspection_id WHERE m.id = $1",
            id,
        )
        .await
    }

    async fn place(&self, sql: &'static str, id: i64) -> Result<Option<RecordPlace>, StorageError> {
        let row: Option<(i64, i64, Option<String>)> =
            sqlx::query_as(sql).bind(id).fetch_optional(&self.readers).await?;
        Ok(row.map(|(problem_id, inspection_id, unit)| RecordPlace { problem_id, inspection_id, unit }))
    }

    /// The problem at `place` with its measures (as [`Store::problem_with_measures`] reads it,
    /// the unit taken from `place`) and the ids of those measures in order.
    pub async fn problem_at(
        &self,
        place: &RecordPlace,
    ) -> Result<Option<(ProblemInScope, Vec<MeasureId>)>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let found = problem_with_measures(&mut conn, place.problem_id).await?;
        Ok(found.map(|(record, ids)| (ProblemInScope { record, unit: place.unit.clone() }, ids)))
    }

    /// A problem with its measures in `problem.measures`, without their progress entries and
    /// evidence, and the unit of its inspection: what the data-scope rules need.
    ///
    /// No read transaction (two round trips fewer on the path of every request to a problem or
    /// a measure): a responsibility handed over between the queries can only make the answer
    /// that of a moment earlier or later.
    pub async fn problem_with_measures(&self, id: ProblemId) -> Result<Option<ProblemInScope>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let unit: Option<Option<String>> = sqlx::query_scalar(
            "SELECT i.unit FROM problems p JOIN inspections i ON i.id = p.inspection_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(unit) = unit else { return Ok(None) };
        let found = problem_with_measures(&mut conn, id).await?;
        Ok(found.map(|(record, _)| ProblemInScope { record, unit }))
    }

    /// The problem of a measure as [`Store::problem_with_measures`] reads it, and the index of
    /// the measure among the problem's measures.
    pub async fn problem_of_measure(
        &self,
        measure_id: MeasureId,
    ) -> Result<Option<(ProblemInScope, usize)>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let row = sqlx::query(
            "SELECT m.problem_id, i.unit FROM measures m JOIN inspections i ON i.id = m.inspection_id WHERE m.id = $1",
        )
        .bind(measure_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (problem, unit): (ProblemId, Option<String>) = (row.try_get("problem_id")?, row.try_get("unit")?);
        let found = problem_with_measures(&mut conn, problem).await?;
        Ok(found.and_then(|(record, ids)| {
            let index = ids.iter().position(|id| *id == measure_id)?;
            Some((ProblemInScope { record, unit }, index))
        }))
    }

    pub async fn get_problem(&self, id: ProblemId) -> Result<Option<ProblemRecord>, StorageError> {
        memory::read_through(self.memories.as_ref().map(|r| &r.problems), id, async || {
            let mut conn = self.readers.acquire().await?;
            Ok(read::load_problems(&mut conn, ProblemFilter::Id(id)).await?.into_iter().next())
        })
        .await
    }

    /// The measures of an inspection, or of one of its problems, in ledger order.
    pub async fn list_measures(
        &self,
        inspection: InspectionId,
        problem: Option<ProblemId>,
    ) -> Result<Vec<MeasureRecord>, StorageError> {
        let filter = match problem {
            Some(problem) => MeasureFilter::Problem(inspection, problem),
            None => return Ok(Vec::clone(&*self.measures_shared(inspection, None).await?)),
        };
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let measures = read::load_measures(&mut tx, filter).await?;
        tx.commit().await?;
        Ok(measures)
    }

    pub(crate) async fn measures_shared(
        &self,
        inspection: InspectionId,
        known: Option<i64>,
    ) -> Result<Arc<Vec<MeasureRecord>>, StorageError> {
        self.read_remembered(
            &self.reads.measures,
            inspection,
            cache::Version::Inspection(inspection),
            known,
            async |conn| read::load_measures(conn, MeasureFilter::Inspection(inspection)).await,
        )
        .await
    }

    pub async fn get_measure(&self, id: MeasureId) -> Result<Option<MeasureRecord>, StorageError> {
        memory::read_through(self.memories.as_ref().map(|r| &r.measures), id, async || {
            let mut reader = self.readers.acquire().await?;
            let mut tx = reader.begin_read().await?;
            let measure = read::load_measures(&mut tx, MeasureFilter::Id(id)).await?.into_iter().next();
            tx.commit().await?;
            Ok(measure)
        })
        .await
    }

    /// The figures of an inspection, derived from the stored ledger (never stored twice).
    /// The counting and supervision settings of one inspection's round, without loading its lists.
    pub async fn round_policy(&self, inspection: InspectionId) -> Result<rectify_domain::RoundPolicy, StorageError> {
        let mut conn = self.readers.acquire().await?;
        read::load_header(&mut conn, inspection)
            .await?
            .map(|l| l.policy)
            .ok_or_else(|| StorageError::NotFound(format!("no inspection has id {inspection}")))
    }

    pub async fn statistics(&self, inspection: InspectionId) -> Result<Statistics, StorageError> {
        Ok(self.export_ledger(inspection).await?.statistics())
    }

    /// Whether the database holds no inspection at all (the demo fills an empty one).
    pub async fn is_empty(&self) -> Result<bool, StorageError> {
        let any: Option<i64> =
            sqlx::query_scalar("SELECT id FROM inspections LIMIT 1").fetch_optional(&self.readers).await?;
        Ok(any.is_none())
    }

    /// Closes the pool's connections; pending queries finish first. SQLite's kept write
    /// connection closes with the last clone of the store.
    pub async fn close(&self) {
        self.readers.close().await;
        self.pool.close().await;
    }
}

/// The key ring for the database at `url`, checked against its chain: a ring is created only
/// for a chain that no key has signed yet (its unsigned entries then stay verifiable as legacy
/// entries), and a ring that lacks the key of the chain's last signed entry is refused, so that
/// a lost or wrong ring never starts a second chain of keys.
///
/// The signed entry nearest the end is found walking back from the end (entries are all signed
/// from the key's first use on, so the walk stops at once).
async fn open_key_ring(
    pool: &AnyPool,
    url: &str,
    backend: Backend,
    keys: AuditKeys,
) -> Result<AuditKeyRing, StorageError> {
    let row = sqlx::query(
        "SELECT h.seq AS seq, (SELECT key_id FROM audit_log WHERE key_id IS NOT NULL ORDER BY seq DESC LIMIT 1) \
         AS last_key, (SELECT seq FROM audit_log WHERE key_id IS NOT NULL ORDER BY seq DESC LIMIT 1) AS last_signed \
         FROM audit_head h WHERE h.id = 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StorageError::corrupt("audit_head", "the row of the chain's end is missing"))?;
    let head: i64 = row.try_get("seq")?;
    let last_key: Option<String> = row.try_get("last_key")?;
    let last_signed: Option<i64> = row.try_get("last_signed")?;
    let path = match keys {
        AuditKeys::Ring(ring) => return check_ring(ring, head, last_key.as_deref(), last_signed),
        AuditKeys::File(path) => Some(path),
        AuditKeys::Default => audit_key::default_key_file_for(url, backend),
    };
    let ring = match path {
        Some(path) if path.exists() => AuditKeyRing::load(&path)?,
        Some(path) => {
            if let Some(key) = &last_key {
                return Err(StorageError::AuditKey(format!(
                    "the audit trail is signed with key {key}, but there is no key ring at {}; \
                     restore the key ring file there or name it with {}",
                    path.display(),
                    audit_key::KEY_FILE_ENV
                )));
            }
            AuditKeyRing::load_or_create(&path, head)?
        }
        None => AuditKeyRing::generate(head)?,
    };
    check_ring(ring, head, last_key.as_deref(), last_signed)
}

fn check_ring(
    ring: AuditKeyRing,
    head: i64,
    last_key: Option<&str>,
    last_signed: Option<i64>,
) -> Result<AuditKeyRing, StorageError> {
    let place = ring.path().map_or_else(|| "given".to_owned(), |p| format!("at {}", p.display()));
    if let Some(key) = last_key
        && !ring.holds(key)
    {
        return Err(StorageError::AuditKey(format!(
            "the audit key ring {place} does not hold key {key}, which signed this database's audit trail; \
             use this database's key ring"
        )));
    }
    if last_signed.is_none() && head > ring.legacy_until() {
        return Err(StorageError::AuditKey(format!(
            "the audit key ring {place} was made for another database: this database's {head} unsigned \
             entries are more than the {} it allows",
            ring.legacy_until()
        )));
    }
    Ok(ring)
}

/// A problem with its measures (no history), and the measures' ids in the same order.
async fn problem_with_measures(
    conn: &mut sqlx::AnyConnection,
    id: ProblemId,
) -> Result<Option<(ProblemRecord, Vec<MeasureId>)>, StorageError> {
    let Some(mut record) = read::load_problems(conn, ProblemFilter::Id(id)).await?.into_iter().next() else {
        return Ok(None);
    };
    let measures = read::load_measures_without_history(conn, MeasureFilter::Problem(record.inspection_id, id)).await?;
    let ids = measures.iter().map(|m| m.id).collect();
    record.problem.measures = measures.into_iter().map(|m| m.measure).collect();
    Ok(Some((record, ids)))
}

/// Every stored inspection with its counts, oldest import first.
async fn read_inspections(conn: &mut sqlx::AnyConnection) -> Result<Vec<InspectionSummary>, StorageError> {
    let rows = sqlx::query(
        "SELECT i.id, i.title, i.unit, i.inspector, i.feedback_date, i.report_date, i.created_at, i.round_id, \
             (SELECT COUNT(*) FROM aspects a WHERE a.inspection_id = i.id) AS aspect_count, \
             (SELECT COUNT(*) FROM problems p WHERE p.inspection_id = i.id AND p.retired_at IS NULL) AS problem_count, \
             (SELECT COUNT(*) FROM measures m WHERE m.inspection_id = i.id AND m.retired_at IS NULL) AS measure_count, \
             (SELECT COUNT(*) FROM inspection_drafts d WHERE d.inspection_id = i.id) AS draft_count \
             FROM inspections i ORDER BY i.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(InspectionSummary {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                unit: row.try_get("unit")?,
                inspector: row.try_get("inspector")?,
                feedback_date: row.try_get("feedback_date")?,
                report_date: row.try_get("report_date")?,
                aspects: codec::unsigned("aspect_count", row.try_get("aspect_count")?)?,
                problems: codec::unsigned("problem_count", row.try_get("problem_count")?)?,
                measures: codec::unsigned("measure_count", row.try_get("measure_count")?)?,
                imported_at: row.try_get("created_at")?,
                round_id: row.try_get("round_id")?,
                draft: row.try_get::<i64, _>("draft_count")? > 0,
            })
        })
        .collect()
}

/// Adds `mode=rwc` so that SQLite creates a missing file instead of refusing to open it.
fn sqlite_url(url: &str) -> String {
    if url == "sqlite::memory:" {
        // The pool and the kept write connection must open the same database: name it, in
        // shared-cache memory (sqlx would give every connection a `:memory:` database of its own).
        static MEMORY_DATABASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MEMORY_DATABASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return format!("sqlite:file:rectify-memory-{}-{n}?mode=memory&cache=shared", std::process::id());
    }
    if url.contains(":memory:") || url.contains("mode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_url_schemes() {
        assert_eq!(Backend::from_url("sqlite:data/rectify.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@localhost/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@localhost/db").unwrap(), Backend::Postgres);
        assert!(matches!(Backend::from_url("mysql://x"), Err(StorageError::UnsupportedUrl(_))));
        assert!(matches!(Backend::from_url("data.db"), Err(StorageError::UnsupportedUrl(_))));
    }

    #[test]
    fn sqlite_files_are_created_when_missing() {
        assert_eq!(sqlite_url("sqlite:a.db"), "sqlite:a.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite:a.db?cache=shared"), "sqlite:a.db?cache=shared&mode=rwc");
        assert_eq!(sqlite_url("sqlite:a.db?mode=ro"), "sqlite:a.db?mode=ro");
    }

    #[test]
    fn each_memory_store_names_a_database_of_its_own() {
        let (a, b) = (sqlite_url("sqlite::memory:"), sqlite_url("sqlite::memory:"));
        assert!(a.starts_with("sqlite:file:rectify-memory-") && a.ends_with("?mode=memory&cache=shared"), "{a}");
        assert_ne!(a, b);
    }
}
