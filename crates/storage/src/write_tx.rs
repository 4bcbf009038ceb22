//! Write transactions.
//!
//! PostgreSQL writes are ordinary transactions from the pool. SQLite admits one writer at a
//! time, so its writers queue on a gate, in arrival order, and write through one connection kept
//! for that purpose outside the pool. The gate replaces SQLite's busy-wait (which sleeps in
//! growing steps and lets late comers overtake), and the kept connection keeps its statements
//! prepared and its pages cached and is never pinged on its way back to the pool.
//!
//! sqlx runs each SQLite connection on a worker thread of its own, and every statement is a
//! hand-off to that thread and back: about four thread switches, measured, which cost more than
//! the statement itself (perf: half the CPU time of a write went to the scheduler). The busiest writes therefore send their first statement
//! together with `BEGIN` ([`WriteTx::begin_fetching`]) and their audit entry together with `COMMIT`
//! ([`WriteTx::commit`]) as one multi-statement query each.
//!
//! **Group commit.** A SQLite writer that finds others waiting at the gate does not commit: it
//! leaves its work in the open transaction, hands the gate on and waits. Each writer behind it
//! works under a savepoint of that transaction (one that fails is rolled back to its savepoint:
//! its own work only), and a committer queued on the gate commits the group when nobody waits
//! any more, or when the group is [`GROUP_AGE`] old or [`GROUP_SIZE`] large. Only then is each
//! writer of the group answered, so nobody is told "stored" before it is. What every commit
//! costs whatever it holds (the WAL frames of the pages all writes touch: the audit chain's end,
//! the search index's new segment, the tables' last leaves; and the checkpoints they bring) is
//! paid once per group. A writer that finds nobody waiting commits at once, as before.
//!
//! A write transaction commits only with its audit entry: [`WriteTx::commit`] takes the entry,
//! and the only other end is to drop the transaction, which rolls it back. A write that records
//! several entries appends all but the last with [`WriteTx::append_audit`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::StorageError;
use crate::audit::AuditRecord;
use crate::audit_chain::{self, ChainHead, Leading, Then};
use crate::audit_key::AuditKeyRing;

/// A group is committed once it is this old, even if writers still wait: each of its writers
/// waits for that commit.
const GROUP_AGE: Duration = Duration::from_millis(5);

/// A group is committed once it holds this many writes, even if writers still wait.
const GROUP_SIZE: usize = 64;

/// The savepoint under which each writer after the first of a group works: taken, released
/// (the work joins the group), undone (the work alone is rolled back).
const SAVEPOINT: &str = "SAVEPOINT group_member";
const RELEASE: &str = "RELEASE group_member";
const UNDO: &str = "ROLLBACK TO group_member; RELEASE group_member";

/// What the SQLite write gate guards.
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    conn: AnyConnection,
    /// Where a replacement for a broken `conn` comes from.
    pool: AnyPool,
    /// The holder's own work may be open: the transaction it began, or its savepoint in a group.
    /// Set until it is seen to end.
    open: bool,
    /// Writes done and left in the open transaction, to be committed together.
    group: Group,
    /// The audit chain's end as this process last wrote it: a hint that saves a read per write.
    /// The database refuses an entry that does not continue the chain, so a stale hint (another
    /// process appended, or a rolled-back transaction had appended) costs a retry, never a fork.
    pub(crate) audit_head: Option<ChainHead>,
}

/// Writes waiting in the open transaction for their shared commit.
#[derive(Debug, Default)]
struct Group {
    /// Where each writer of the group hears how the commit went.
    members: Vec<oneshot::Sender<Result<(), String>>>,
    /// When the first of them joined.
    since: Option<Instant>,
    /// Groups committed by this process (with at least one write), for the log and the tests.
    committed: u64,
    /// A committer is queued on the gate (always, while the group is open).
    committer_queued: bool,
}

impl Group {
    fn is_open(&self) -> bool {
        !self.members.is_empty()
    }

    fn is_due(&self) -> bool {
        static AGE: std::sync::LazyLock<Duration> = std::sync::LazyLock::new(|| {
            std::env::var("XAGE").ok().and_then(|v| v.parse().ok()).map(Duration::from_micros).unwrap_or(GROUP_AGE)
        });
        static SIZE: std::sync::LazyLock<usize> =
            std::sync::LazyLock::new(|| std::env::var("XSIZE").ok().and_then(|v| v.parse().ok()).unwrap_or(GROUP_SIZE));
        self.members.len() >= *SIZE || self.since.is_some_and(|since| since.elapsed() >= *AGE)
    }
}

/// The SQLite write gate: the writer with its kept connection, and how many wait for it.
#[derive(Debug, Clone)]
pub(crate) struct SqliteGate {
    writer: Arc<Mutex<SqliteWriter>>,
    /// Writers waiting for the gate: while any does, the holder leaves its work to a group.
    waiting: Arc<AtomicUsize>,
}

impl SqliteWriter {
    /// Takes one connection out of `pool` for writing.
    pub(crate) async fn gate(pool: &AnyPool) -> Result<SqliteGate, StorageError> {
        let conn = SqliteWriter::connection(pool).await?;
        let writer = SqliteWriter { conn, pool: pool.clone(), open: false, group: Group::default(), audit_head: None };
        Ok(SqliteGate { writer: Arc::new(Mutex::new(writer)), waiting: Arc::default() })
    }

    /// A connection for writing. A group member's savepoint journals the pages it changes; in
    /// memory, not in a temporary file. Checkpoints are the checkpointer's (see
    /// [`crate::checkpoint`]); this connection checkpoints only if that falls far behind.
    async fn connection(pool: &AnyPool) -> Result<AnyConnection, StorageError> {
        let mut conn = pool.acquire().await?.detach();
        let pragmas =
            format!("PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {}", crate::checkpoint::FALLBACK_FRAMES);
        sqlx::query(sqlx::AssertSqlSafe(pragmas)).execute(&mut conn).await?;
        Ok(conn)
    }

    /// The statement that opens the holder's work: a transaction, or its savepoint in the open
    /// group's.
    fn opening(&self) -> &'static str {
        if self.group.is_open() { SAVEPOINT } else { "BEGIN IMMEDIATE" }
    }

    /// Ends what a writer that stopped half-way left open: its savepoint if it was working in a
    /// group (the group stays), else the transaction. If the connection cannot even roll back,
    /// it is replaced: nothing a failed writer did may reach the next one.
    async fn roll_back(&mut self) -> Result<(), StorageError> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        if self.group.is_open() {
            match sqlx::query(UNDO).execute(&mut self.conn).await {
                Ok(_) => return Ok(()),
                // Released already: the writer stopped waiting after its entry went with RELEASE,
                // so its work is the group's now and is stored with it.
                Err(sqlx::Error::Database(e)) if e.message().contains("no such savepoint") => return Ok(()),
                Err(error) => {
                    tracing::warn!(%error, "rolling back to a group member's savepoint failed; the whole group is rolled back");
                    self.end_group(Err(error.to_string()));
                }
            }
        }
        match sqlx::query("ROLLBACK").execute(&mut self.conn).await {
            Ok(_) => {}
            // The writer stopped waiting after its COMMIT (or a failed BEGIN) was sent: nothing is open.
            Err(sqlx::Error::Database(e)) if e.message().contains("no transaction is active") => {}
            Err(error) => {
                tracing::warn!(%error, "rolling back an abandoned write failed; replacing the write connection");
                self.audit_head = None;
                self.conn = SqliteWriter::connection(&self.pool).await?;
            }
        }
        Ok(())
    }

    /// Commits the open group and tells each of its writers how it went.
    async fn commit_group(&mut self) {
        let outcome = match sqlx::query("COMMIT").execute(&mut self.conn).await {
            Ok(_) => {
                self.group.committed += 1;
                tracing::trace!(writes = self.group.members.len(), "group committed");
                Ok(())
            }
            Err(error) => {
                tracing::error!(%error, writes = self.group.members.len(), "a group commit failed: none of its writes is stored");
                // SQLite rolls back by itself after most failed commits, not after all.
                let members = std::mem::take(&mut self.group.members);
                self.open = true;
                if let Err(e) = self.roll_back().await {
                    tracing::error!(error = %e, "no connection to write with");
                }
                // The chain's end this process remembers was never stored.
                self.group.members = members;
                Err(error.to_string())
            }
        };
        self.end_group(outcome);
    }

    /// Tells the group's writers `outcome` and forgets the group. A writer that stopped waiting
    /// is not told.
    fn end_group(&mut self, outcome: Result<(), String>) {
        if outcome.is_err() {
            self.audit_head = None;
        }
        for member in self.group.members.drain(..) {
            let _ = member.send(outcome.clone());
        }
        self.group.since = None;
    }
}

impl SqliteGate {
    /// Waits for the gate, counted among the waiting until it is through (or gives up).
    async fn enter(&self) -> OwnedMutexGuard<SqliteWriter> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting);
        Arc::clone(&self.writer).lock_owned().await
    }

    /// Alive while the gate is: for tasks that must end with the store.
    pub(crate) fn liveness(&self) -> std::sync::Weak<Mutex<SqliteWriter>> {
        Arc::downgrade(&self.writer)
    }

    fn anyone_waiting(&self) -> bool {
        self.waiting.load(Ordering::Acquire) > 0
    }

    /// Queues the group's committer on the gate, unless one is queued already.
    fn queue_committer(&self, writer: &mut SqliteWriter) {
        if writer.group.committer_queued {
            return;
        }
        writer.group.committer_queued = true;
        let gate = self.clone();
        spawn_detached(async move { gate.commit_when_due().await });
    }

    /// The committer. At its turn on the gate it commits the group, unless writers still wait and
    /// the group is not due: then it queues again behind them, and they join the group first.
    /// A task of its own, so that no cancelled request can stop a commit half-way.
    async fn commit_when_due(self) {
        loop {
            let mut writer = Arc::clone(&self.writer).lock_owned().await;
            if let Err(error) = writer.roll_back().await {
                tracing::error!(%error, "no connection to write with");
            }
            if writer.group.is_open() && self.anyone_waiting() && !writer.group.is_due() {
                drop(writer);
                tokio::task::yield_now().await;
                continue;
            }
            writer.group.committer_queued = false;
            if writer.group.is_open() {
                writer.commit_group().await;
            }
            return;
        }
    }
}

/// Runs `task` to its end whatever becomes of its caller: on the writer thread if there is one.
fn spawn_detached<T: Send + 'static>(task: impl Future<Output = T> + Send + 'static) -> tokio::task::JoinHandle<T> {
    match &*WRITER_THREAD {
        Some(thread) => thread.spawn(task),
        None => tokio::spawn(task),
    }
}

/// The gate held by a SQLite write transaction. Dropped before the end (an error, a conflict, a
/// cancelled request), it rolls the holder's work back at once on a task of its own; the next
/// writer would otherwise do it first thing (see [`WriteTx::begin`]).
pub(crate) struct SqliteTx {
    writer: OwnedMutexGuard<SqliteWriter>,
    gate: SqliteGate,
}

/// How a SQLite writer ends its work (see the module's note on group commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Nobody waits and no group is open: it commits at once.
    Commit,
    /// Others wait: its transaction stays open for them, and it is the group's first write.
    OpenGroup,
    /// It worked in a group: it releases its savepoint and waits for the group's commit.
    JoinGroup,
}

impl SqliteTx {
    /// Takes the gate for a write: rolls back what an abandoned writer left open, and commits a
    /// group that is due instead of joining it, or any open group if the write is `long` (its
    /// writers would otherwise wait for it).
    async fn enter(gate: &SqliteGate, long: bool) -> Result<SqliteTx, StorageError> {
        let mut writer = gate.enter().await;
        writer.roll_back().await?;
        if writer.group.is_open() && (long || writer.group.is_due()) {
            writer = spawn_detached(async move {
                writer.commit_group().await;
                writer
            })
            .await
            .map_err(|e| StorageError::GroupCommit(format!("the commit stopped: {e}")))?;
        }
        writer.open = true;
        Ok(SqliteTx { writer, gate: gate.clone() })
    }

    fn ending(&self) -> Ending {
        if self.writer.group.is_open() {
            Ending::JoinGroup
        } else if self.gate.anyone_waiting() {
            Ending::OpenGroup
        } else {
            Ending::Commit
        }
    }

    /// The statement that ends the holder's work the way `ending` says, if one is needed.
    fn ending_statement(ending: Ending) -> Option<&'static str> {
        match ending {
            Ending::Commit => Some("COMMIT"),
            Ending::OpenGroup => None,
            Ending::JoinGroup => Some(RELEASE),
        }
    }

    /// After the work's last statement: done if it committed; otherwise leaves it to the group,
    /// hands the gate on, and waits for the group's commit.
    async fn settle(mut self, ending: Ending) -> Result<(), StorageError> {
        self.writer.open = false;
        if ending == Ending::Commit {
            return Ok(());
        }
        let (told, heard) = oneshot::channel();
        let writer = &mut *self.writer;
        writer.group.members.push(told);
        writer.group.since.get_or_insert_with(Instant::now);
        self.gate.queue_committer(writer);
        drop(self);
        match heard.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StorageError::GroupCommit(message)),
            Err(_) => Err(StorageError::GroupCommit("the group was never committed".to_owned())),
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if !self.writer.open {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let gate = Arc::clone(&self.gate.writer);
            runtime.spawn(async move {
                if let Err(error) = gate.lock().await.roll_back().await {
                    tracing::error!(%error, "no connection to write with");
                }
            });
        }
    }
}

/// The thread on which SQLite writes run while they hold the gate (see [`on_writer_thread`]);
/// `None` if it could not be started, and writes then run where they are called.
static WRITER_THREAD: std::sync::LazyLock<Option<tokio::runtime::Handle>> = std::sync::LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("rectify-writer".to_owned())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .ok()?;
    Some(handle)
});

/// Runs `work`, a write that takes the SQLite gate, on a thread of its own. Every writer waits
/// for the one holding the gate, and that one waits for each of its statements in turn: on the
/// server's own threads, each wait ended with the writer queued behind every other request's
/// task, so the gate was held for that queue's length (50 writers: p99 24 ms). On the writer
/// thread nothing else is ready to run when a statement is done. PostgreSQL writes, which do
/// not share one gate, run where they are called.
pub(crate) async fn on_writer_thread<T: Send + 'static>(
    gate: Option<&SqliteGate>,
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T, StorageError> {
    match (gate, &*WRITER_THREAD) {
        (Some(_), Some(thread)) => {
            thread.spawn(work).await.map_err(|e| StorageError::Invalid(format!("a write stopped before it ended: {e}")))
        }
        _ => Ok(work.await),
    }
}

/// Runs one statement as a transaction of its own: on SQLite through the gate like every write
/// (SQLite's own busy-wait would make it wait in growing sleeps behind a stream of writers). With
/// no group open it runs alone and commits by itself; in a group, under a savepoint like any
/// member.
pub(crate) async fn execute_alone(
    gate: Option<&SqliteGate>,
    pool: &AnyPool,
    query: sqlx::query::Query<'_, sqlx::Any, AnyArguments>,
) -> Result<sqlx::any::AnyQueryResult, StorageError> {
    let Some(gate) = gate else {
        return Ok(query.execute(pool).await?);
    };
    let mut tx = SqliteTx::enter(gate, false).await?;
    if !tx.writer.group.is_open() {
        let done = query.execute(&mut tx.writer.conn).await?;
        tx.writer.open = false;
        return Ok(done);
    }
    sqlx::query(tx.writer.opening()).execute(&mut tx.writer.conn).await?;
    let done = query.execute(&mut tx.writer.conn).await?;
    sqlx::query(RELEASE).execute(&mut tx.writer.conn).await?;
    tx.settle(Ending::JoinGroup).await?;
    Ok(done)
}

/// Begins a PostgreSQL transaction on a task of its own, which runs to its end even if the
/// caller stops waiting: sqlx 0.9.0 cannot undo a BEGIN whose caller stopped waiting before the
/// answer, and the connection would go back to the pool inside a transaction (every later
/// statement on it would then belong to that transaction). A transaction begun for nobody is
/// rolled back when the task's result is dropped.
async fn begin_postgres(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, StorageError> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin().await })
        .await
        .map_err(|error| {
            tracing::error!(%error, "beginning a transaction stopped");
            StorageError::Database(sqlx::Error::WorkerCrashed)
        })?
        .map_err(StorageError::from)
}

/// A write transaction: SQLite through the gate, PostgreSQL from the pool; with the keys that
/// sign its audit entries.
pub(crate) struct WriteTx {
    conn: TxConn,
    keys: Arc<AuditKeyRing>,
}

enum TxConn {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Any>),
}

/// Where a write transaction runs, and the keys that sign its audit entries.
#[derive(Clone, Copy)]
pub(crate) struct Writer<'a> {
    pub(crate) gate: Option<&'a SqliteGate>,
    pub(crate) pool: &'a AnyPool,
    pub(crate) keys: &'a Arc<AuditKeyRing>,
}

impl WriteTx {
    /// Starts a write transaction. On SQLite, `BEGIN IMMEDIATE` takes the write lock at once, so a
    /// writer of another process makes this one wait on the busy timeout instead of failing
    /// when a read lock is upgraded (in an open group: a savepoint of the group's transaction).
    pub(crate) async fn begin(at: Writer<'_>) -> Result<WriteTx, StorageError> {
        WriteTx::begin_sized(at, false).await
    }

    /// [`WriteTx::begin`] for a write that may take long (an import, a restore, the search
    /// index rebuilt): on SQLite it never joins a group, whose writers would wait for it.
    pub(crate) async fn begin_long(at: Writer<'_>) -> Result<WriteTx, StorageError> {
        WriteTx::begin_sized(at, true).await
    }

    async fn begin_sized(at: Writer<'_>, long: bool) -> Result<WriteTx, StorageError> {
        match at.gate {
            Some(gate) => {
                let tx = SqliteTx::enter(gate, long).await?;
                let opening = tx.writer.opening();
                let mut tx = WriteTx { conn: TxConn::Sqlite(tx), keys: Arc::clone(at.keys) };
                sqlx::query(opening).execute(&mut *tx).await?;
                Ok(tx)
            }
            None => Ok(WriteTx { conn: TxConn::Postgres(begin_postgres(at.pool).await?), keys: Arc::clone(at.keys) }),
        }
    }

    /// Starts a write transaction whose first statement is `sql` with `arguments`, and returns
    /// the statement's first row. On SQLite both go to the connection as one query.
    pub(crate) async fn begin_fetching(
        at: Writer<'_>,
        sql: &str,
        arguments: AnyArguments,
    ) -> Result<(WriteTx, Option<AnyRow>), StorageError> {
        match at.gate {
            Some(gate) => {
                let tx = SqliteTx::enter(gate, false).await?;
                let both = format!("{}; {sql}", tx.writer.opening());
                let mut tx = WriteTx { conn: TxConn::Sqlite(tx), keys: Arc::clone(at.keys) };
                // Not `fetch_optional`: it would stop at the first result, which is BEGIN's.
                let rows = sqlx::query_with(sqlx::AssertSqlSafe(both), arguments).fetch_all(&mut *tx).await?;
                Ok((tx, rows.into_iter().next()))
            }
            None => {
                let mut tx =
                    WriteTx { conn: TxConn::Postgres(begin_postgres(at.pool).await?), keys: Arc::clone(at.keys) };
                let row =
                    sqlx::query_with(sqlx::AssertSqlSafe(sql.to_owned()), arguments).fetch_optional(&mut *tx).await?;
                Ok((tx, row))
            }
        }
    }

    /// Appends `record` to the audit trail and commits: the only way a write transaction
    /// commits, so that no change is stored without its entry. On SQLite the entry and `COMMIT`
    /// go to the connection as one query. Returns the entry's number once it is stored.
    pub(crate) async fn commit(self, record: &AuditRecord) -> Result<i64, StorageError> {
        self.finish(None, record).await
    }

    /// Runs `sql` with `arguments` (numbered from `$1`), appends `record` and commits. On SQLite
    /// the three go to the connection as one query.
    pub(crate) async fn commit_after(
        self,
        sql: &str,
        arguments: AnyArguments,
        record: &AuditRecord,
    ) -> Result<i64, StorageError> {
        self.finish(Some(Leading { sql, arguments }), record).await
    }

    /// Appends an entry without committing, for a write that records several (a problem reopened
    /// with each of its measures); the transaction still commits only with [`WriteTx::commit`].
    pub(crate) async fn append_audit(&mut self, record: &AuditRecord) -> Result<i64, StorageError> {
        let keys = Arc::clone(&self.keys);
        let (conn, hint) = self.parts();
        audit_chain::append(conn, &keys, hint, record, None, Then::Continue).await
    }

    /// Commits messages derived from events already audited (notifications and their outbound
    /// deliveries): not business data, so no entry of their own.
    pub(crate) async fn commit_derived(self) -> Result<(), StorageError> {
        self.commit_without_entry(false).await
    }

    /// Commits WITHOUT appending an entry: only for a restore, which writes the backed-up
    /// database's own entries as they are (the triggers check each link) and must leave the
    /// trail exactly as backed up.
    pub(crate) async fn commit_verbatim(self) -> Result<(), StorageError> {
        self.commit_without_entry(true).await
    }

    /// Commits (on SQLite: or leaves to a group) with no entry. `chain_moved`: the audit chain's
    /// end moved under the SQLite writer's memory, which is forgotten.
    async fn commit_without_entry(self, chain_moved: bool) -> Result<(), StorageError> {
        match self.conn {
            TxConn::Sqlite(mut tx) => {
                let ending = tx.ending();
                if let Some(statement) = SqliteTx::ending_statement(ending) {
                    sqlx::query(statement).execute(&mut tx.writer.conn).await?;
                }
                if chain_moved {
                    tx.writer.audit_head = None;
                }
                tx.settle(ending).await
            }
            TxConn::Postgres(tx) => Ok(tx.commit().await?),
        }
    }

    async fn finish(self, leading: Option<Leading<'_>>, record: &AuditRecord) -> Result<i64, StorageError> {
        let keys = self.keys;
        match self.conn {
            TxConn::Sqlite(mut tx) => {
                let ending = tx.ending();
                let then = SqliteTx::ending_statement(ending).map_or(Then::Continue, Then::End);
                let writer = &mut *tx.writer;
                let seq =
                    audit_chain::append(&mut writer.conn, &keys, Some(&mut writer.audit_head), record, leading, then)
                        .await?;
                tx.settle(ending).await?;
                Ok(seq)
            }
            TxConn::Postgres(mut tx) => {
                let seq = audit_chain::append(&mut tx, &keys, None, record, leading, Then::Continue).await?;
                tx.commit().await?;
                Ok(seq)
            }
        }
    }

    /// The connection, and the SQLite writer's memory of the audit chain's end.
    fn parts(&mut self) -> (&mut AnyConnection, Option<&mut Option<ChainHead>>) {
        match &mut self.conn {
            TxConn::Sqlite(tx) => {
                let writer = &mut *tx.writer;
                (&mut writer.conn, Some(&mut writer.audit_head))
            }
            TxConn::Postgres(tx) => (tx, None),
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.conn {
            TxConn::Sqlite(tx) => &tx.writer.conn,
            TxConn::Postgres(tx) => tx,
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            TxConn::Sqlite(tx) => &mut tx.writer.conn,
            TxConn::Postgres(tx) => tx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn gate_on_a_file() -> (tempfile::TempDir, SqliteGate) {
        let (dir, store) = store_on_a_file().await;
        (dir, store.write_gate.clone().unwrap())
    }

    async fn store_on_a_file() -> (tempfile::TempDir, crate::Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("gate.db").display());
        (dir, crate::Store::connect(&url).await.unwrap())
    }

    /// One audited write of the setting `key`; with `fail`, a statement that fails after the
    /// insert, so the write ends in an error and must leave nothing.
    async fn write_setting(store: &crate::Store, key: String, fail: bool) -> Result<i64, StorageError> {
        let mut tx = WriteTx::begin(store.writer()).await?;
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, 'v', 't')")
            .bind(key.clone())
            .execute(&mut *tx)
            .await?;
        if fail {
            sqlx::query("INSERT INTO no_such_table VALUES (1)").execute(&mut *tx).await?;
        }
        let record = AuditRecord::new(&crate::Acting::system(), "setting.test", "setting", None, chrono::Utc::now());
        tx.commit(&record).await
    }

    async fn stored_keys(store: &crate::Store) -> Vec<String> {
        sqlx::query_scalar("SELECT key FROM settings WHERE key LIKE 'w%' ORDER BY key")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    /// Starts `write` once the writers started before it are queued at the gate, so that the
    /// order in which they reach it is known.
    async fn queue_write(
        store: &crate::Store,
        gate: &SqliteGate,
        key: &str,
        fail: bool,
    ) -> tokio::task::JoinHandle<Result<i64, StorageError>> {
        let before = gate.waiting.load(Ordering::Acquire);
        let (store_for_task, key) = (store.clone(), key.to_owned());
        let handle = tokio::spawn(async move { write_setting(&store_for_task, key, fail).await });
        while gate.waiting.load(Ordering::Acquire) == before {
            tokio::task::yield_now().await;
        }
        handle
    }

    /// Three writers queue behind a held gate; the first finds the others waiting and opens a
    /// group, the second fails in it, the third joins it. The failure undoes only its own work,
    /// the others are stored by one commit, each is answered only once stored, and the audit
    /// chain holds exactly their two entries.
    #[tokio::test]
    async fn a_group_commits_its_writes_together_and_a_failed_one_alone_is_undone() {
        let (_dir, store) = store_on_a_file().await;
        let gate = store.write_gate.clone().unwrap();
        let entries_before = store.verify_audit().await.unwrap().entries;
        let held = gate.writer.lock().await;
        let first = queue_write(&store, &gate, "w1", false).await;
        let failing = queue_write(&store, &gate, "w2", true).await;
        let third = queue_write(&store, &gate, "w3", false).await;
        drop(held);
        let first = first.await.unwrap().unwrap();
        // Answered after the commit: a reader outside the writer's connection sees the write.
        assert!(stored_keys(&store).await.contains(&"w1".to_owned()));
        assert!(failing.await.unwrap().is_err());
        let third = third.await.unwrap().unwrap();
        assert_eq!(third, first + 1, "the failed write took no place in the chain");
        assert_eq!(stored_keys(&store).await, ["w1", "w3"]);
        assert_eq!(store.verify_audit().await.unwrap().entries, entries_before + 2);
        assert_eq!(gate.writer.lock().await.group.committed, 1, "one commit for both");
    }

    /// Many writers at once: every one answered stored is stored, once, with its entry.
    #[tokio::test]
    async fn concurrent_writers_are_all_stored_with_an_unbroken_chain() {
        let (_dir, store) = store_on_a_file().await;
        let entries_before = store.verify_audit().await.unwrap().entries;
        let writes: Vec<_> = (0..40)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { write_setting(&store, format!("w{i:02}"), i % 7 == 3).await })
            })
            .collect();
        let mut stored = 0;
        for (i, write) in writes.into_iter().enumerate() {
            let result = write.await.unwrap();
            assert_eq!(result.is_ok(), i % 7 != 3, "write {i}: {result:?}");
            stored += u64::from(result.is_ok());
        }
        let expected: Vec<String> = (0..40).filter(|i| i % 7 != 3).map(|i| format!("w{i:02}")).collect();
        assert_eq!(stored_keys(&store).await, expected);
        assert_eq!(store.verify_audit().await.unwrap().entries, entries_before + stored);
    }

    /// A long write (an import, a restore) that comes while a group is open commits the group
    /// first: the group's writers are answered while it is still at work.
    #[tokio::test]
    async fn a_long_write_does_not_keep_a_group_waiting() {
        let (_dir, store) = store_on_a_file().await;
        let gate = store.write_gate.clone().unwrap();
        let held = gate.writer.lock().await;
        let first = queue_write(&store, &gate, "w1", false).await;
        let (began, has_begun) = oneshot::channel();
        let (finish, may_finish) = oneshot::channel::<()>();
        let (store_for_task, before) = (store.clone(), gate.waiting.load(Ordering::Acquire));
        let long = tokio::spawn(async move {
            let mut tx = WriteTx::begin_long(store_for_task.writer()).await.unwrap();
            sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('w2', 'v', 't')")
                .execute(&mut *tx)
                .await
                .unwrap();
            began.send(()).unwrap();
            may_finish.await.unwrap();
            let record =
                AuditRecord::new(&crate::Acting::system(), "setting.test", "setting", None, chrono::Utc::now());
            tx.commit(&record).await.unwrap();
        });
        while gate.waiting.load(Ordering::Acquire) == before {
            tokio::task::yield_now().await;
        }
        drop(held);
        has_begun.await.unwrap();
        let answered = tokio::time::timeout(Duration::from_secs(5), first).await;
        assert!(answered.is_ok_and(|w| w.unwrap().is_ok()), "the group's write is answered while the long one works");
        assert_eq!(stored_keys(&store).await, ["w1"]);
        finish.send(()).unwrap();
        long.await.unwrap();
        assert_eq!(stored_keys(&store).await, ["w1", "w2"]);
    }

    /// A one-statement write that comes while a group is open joins it, and is stored with it.
    #[tokio::test]
    async fn a_lone_statement_joins_an_open_group() {
        let (_dir, store) = store_on_a_file().await;
        let gate = store.write_gate.clone().unwrap();
        let held = gate.writer.lock().await;
        let first = queue_write(&store, &gate, "w1", false).await;
        let (store_for_task, before) = (store.clone(), gate.waiting.load(Ordering::Acquire));
        let alone = tokio::spawn(async move {
            let query = sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('w2', 'v', 't')");
            store_for_task.execute_write(query).await
        });
        while gate.waiting.load(Ordering::Acquire) == before {
            tokio::task::yield_now().await;
        }
        drop(held);
        first.await.unwrap().unwrap();
        assert_eq!(alone.await.unwrap().unwrap().rows_affected(), 1);
        assert_eq!(stored_keys(&store).await, ["w1", "w2"]);
        let writer = gate.writer.lock().await;
        assert!(!writer.group.is_open() && writer.group.committed == 1);
    }

    /// A temporary table lives on one connection only: it tells whether the connection was kept.
    async fn mark(writer: &mut SqliteWriter) {
        sqlx::query("CREATE TEMP TABLE marker (x INTEGER)").execute(&mut writer.conn).await.unwrap();
    }

    async fn still_marked(writer: &mut SqliteWriter) -> bool {
        sqlx::query("SELECT COUNT(*) FROM temp.marker").execute(&mut writer.conn).await.is_ok()
    }

    #[tokio::test]
    async fn an_open_transaction_is_rolled_back_on_the_same_connection() {
        let (_dir, gate) = gate_on_a_file().await;
        let mut writer = gate.writer.lock().await;
        mark(&mut writer).await;
        sqlx::query("BEGIN IMMEDIATE; INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 't')")
            .execute(&mut writer.conn)
            .await
            .unwrap();
        writer.open = true;
        writer.roll_back().await.unwrap();
        assert!(!writer.open && still_marked(&mut writer).await);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings WHERE key = 'k'")
            .fetch_one(&mut writer.conn)
            .await
            .unwrap();
        assert_eq!(rows, 0, "the abandoned insert is undone");
    }

    /// A writer that stopped waiting after sending COMMIT leaves `open` set with nothing open:
    /// that is no reason to throw the connection away.
    #[tokio::test]
    async fn nothing_open_keeps_the_connection() {
        let (_dir, gate) = gate_on_a_file().await;
        let mut writer = gate.writer.lock().await;
        mark(&mut writer).await;
        writer.open = true;
        writer.roll_back().await.unwrap();
        assert!(!writer.open && still_marked(&mut writer).await);
    }
}
