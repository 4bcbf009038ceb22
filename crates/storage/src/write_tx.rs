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
//! A write transaction commits only with its audit entry: [`WriteTx::commit`] takes the entry,
//! and the only other end is to drop the transaction, which rolls it back. A write that records
//! several entries appends all but the last with [`WriteTx::append_audit`].

use std::sync::Arc;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::StorageError;
use crate::audit::AuditRecord;
use crate::audit_chain::{self, ChainHead, Leading, Then};
use crate::audit_key::AuditKeyRing;

/// What the SQLite write gate guards.
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    conn: AnyConnection,
    /// Where a replacement for a broken `conn` comes from.
    pool: AnyPool,
    /// A transaction may be open on `conn`: it began and has not been seen to end.
    open: bool,
    /// The audit chain's end as this process last wrote it: a hint that saves a read per write.
    /// The database refuses an entry that does not continue the chain, so a stale hint (another
    /// process appended, or a rolled-back transaction had appended) costs a retry, never a fork.
    pub(crate) audit_head: Option<ChainHead>,
}

/// The SQLite write gate with its kept connection.
pub(crate) type SqliteGate = Arc<Mutex<SqliteWriter>>;

impl SqliteWriter {
    /// Takes one connection out of `pool` for writing.
    ///
    /// Checkpoints stay SQLite's own (a commit that fills the WAL past 1,000 pages copies it back).
    /// A checkpointer beside the writer was measured worse: its fsyncs stall the writer's own
    /// WAL writes, and p99 under 50 writers rose from 12–15 ms to 26–32 ms.
    pub(crate) async fn gate(pool: &AnyPool) -> Result<SqliteGate, StorageError> {
        let conn = pool.acquire().await?.detach();
        Ok(Arc::new(Mutex::new(SqliteWriter { conn, pool: pool.clone(), open: false, audit_head: None })))
    }

    /// Ends a transaction left open by a writer that stopped half-way. If the connection cannot
    /// even roll back, it is replaced: nothing a failed writer did may reach the next one.
    async fn roll_back(&mut self) -> Result<(), StorageError> {
        if !self.open {
            return Ok(());
        }
        match sqlx::query("ROLLBACK").execute(&mut self.conn).await {
            Ok(_) => {}
            // The writer stopped waiting after its COMMIT (or a failed BEGIN) was sent: nothing is open.
            Err(sqlx::Error::Database(e)) if e.message().contains("no transaction is active") => {}
            Err(error) => {
                tracing::warn!(%error, "rolling back an abandoned write failed; replacing the write connection");
                self.conn = self.pool.acquire().await?.detach();
            }
        }
        self.open = false;
        Ok(())
    }
}

/// The gate held by a SQLite write transaction. Dropped before the end (an error, a conflict, a
/// cancelled request), it rolls the transaction back at once on a task of its own; the next
/// writer would otherwise do it first thing (see [`WriteTx::begin`]).
pub(crate) struct SqliteTx(OwnedMutexGuard<SqliteWriter>);

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if !self.0.open {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let gate = Arc::clone(OwnedMutexGuard::mutex(&self.0));
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
/// (SQLite's own busy-wait would make it wait in growing sleeps behind a stream of writers).
pub(crate) async fn execute_alone(
    gate: Option<&SqliteGate>,
    pool: &AnyPool,
    query: sqlx::query::Query<'_, sqlx::Any, AnyArguments>,
) -> Result<sqlx::any::AnyQueryResult, StorageError> {
    match gate {
        Some(gate) => {
            let mut writer = gate.lock().await;
            writer.roll_back().await?;
            Ok(query.execute(&mut writer.conn).await?)
        }
        None => Ok(query.execute(pool).await?),
    }
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
    /// when a read lock is upgraded.
    pub(crate) async fn begin(at: Writer<'_>) -> Result<WriteTx, StorageError> {
        match at.gate {
            Some(gate) => {
                let mut tx = WriteTx::through(gate, at.keys).await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *tx).await?;
                Ok(tx)
            }
            None => Ok(WriteTx { conn: TxConn::Postgres(at.pool.begin().await?), keys: Arc::clone(at.keys) }),
        }
    }

    /// Waits for the SQLite gate and ends what an abandoned writer left open; nothing begun yet.
    async fn through(gate: &SqliteGate, keys: &Arc<AuditKeyRing>) -> Result<WriteTx, StorageError> {
        let mut writer = Arc::clone(gate).lock_owned().await;
        writer.roll_back().await?;
        writer.open = true;
        Ok(WriteTx { conn: TxConn::Sqlite(SqliteTx(writer)), keys: Arc::clone(keys) })
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
                let mut tx = WriteTx::through(gate, at.keys).await?;
                let both = format!("BEGIN IMMEDIATE; {sql}");
                // Not `fetch_optional`: it would stop at the first result, which is BEGIN's.
                let rows = sqlx::query_with(sqlx::AssertSqlSafe(both), arguments).fetch_all(&mut *tx).await?;
                Ok((tx, rows.into_iter().next()))
            }
            None => {
                let mut tx = WriteTx { conn: TxConn::Postgres(at.pool.begin().await?), keys: Arc::clone(at.keys) };
                let row =
                    sqlx::query_with(sqlx::AssertSqlSafe(sql.to_owned()), arguments).fetch_optional(&mut *tx).await?;
                Ok((tx, row))
            }
        }
    }

    /// Appends `record` to the audit trail and commits: the only way a write transaction
    /// commits, so that no change is stored without its entry. On SQLite the entry and `COMMIT`
    /// go to the connection as one query. Returns the entry's number.
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
        self.commit_verbatim().await
    }

    /// Commits WITHOUT appending an entry: only for a restore, which writes the backed-up
    /// database's own entries as they are (the triggers check each link) and must leave the
    /// trail exactly as backed up.
    pub(crate) async fn commit_verbatim(self) -> Result<(), StorageError> {
        match self.conn {
            TxConn::Sqlite(mut gate) => {
                let writer = &mut *gate.0;
                sqlx::query("COMMIT").execute(&mut writer.conn).await?;
                writer.open = false;
                // The chain's end moved under the writer's memory.
                writer.audit_head = None;
                Ok(())
            }
            TxConn::Postgres(tx) => Ok(tx.commit().await?),
        }
    }

    async fn finish(self, leading: Option<Leading<'_>>, record: &AuditRecord) -> Result<i64, StorageError> {
        let keys = self.keys;
        match self.conn {
            TxConn::Sqlite(mut gate) => {
                let writer = &mut *gate.0;
                let seq = audit_chain::append(
                    &mut writer.conn,
                    &keys,
                    Some(&mut writer.audit_head),
                    record,
                    leading,
                    Then::Commit,
                )
                .await?;
                writer.open = false;
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
            TxConn::Sqlite(gate) => {
                let writer = &mut *gate.0;
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
            TxConn::Sqlite(gate) => &gate.0.conn,
            TxConn::Postgres(tx) => tx,
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            TxConn::Sqlite(gate) => &mut gate.0.conn,
            TxConn::Postgres(tx) => tx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn gate_on_a_file() -> (tempfile::TempDir, SqliteGate) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("gate.db").display());
        let store = crate::Store::connect(&url).await.unwrap();
        (dir, store.write_gate.clone().unwrap())
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
        let mut writer = gate.lock().await;
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
        let mut writer = gate.lock().await;
        mark(&mut writer).await;
        writer.open = true;
        writer.roll_back().await.unwrap();
        assert!(!writer.open && still_marked(&mut writer).await);
    }
}
