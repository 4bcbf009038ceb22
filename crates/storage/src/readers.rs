//! The connections that reads go through.
//!
//! PostgreSQL reads use sqlx's pool as it is. SQLite reads use connections kept here instead:
//! sqlx's pool pings every connection on its way back, and an SQLite connection's ping is one
//! more hand-off to the connection's worker thread and back — as dear as the read itself (perf:
//! the scheduler took a third of a signed-in JSON read), and useless for an embedded database,
//! which cannot drop a connection. A connection comes back here as soon as its user drops it.
//!
//! What the ping would flush is safe without it: the worker runs a connection's commands in
//! order, so a rollback queued by a dropped transaction, or the rest of an abandoned statement,
//! is done before the next user's first statement.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Either, Execute, Executor, SqlStr, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Backend;

/// How many SQLite connections read at once (sqlx's default pool size).
const SQLITE_READERS: usize = 10;

/// Where reads get their connection. Cloning is cheap and shares the connections.
#[derive(Debug, Clone)]
pub(crate) enum Readers {
    Sqlite(Arc<SqliteReaders>),
    Postgres(AnyPool),
}

#[derive(Debug)]
pub(crate) struct SqliteReaders {
    idle: Mutex<Vec<AnyConnection>>,
    permits: Arc<Semaphore>,
    /// Where new connections come from (opened with the pool's settings, then detached).
    pool: AnyPool,
}

/// A connection lent to one reader; back to the others when dropped.
pub(crate) enum ReadConnection {
    Sqlite {
        conn: Option<AnyConnection>,
        home: Arc<SqliteReaders>,
        _permit: OwnedSemaphorePermit,
    },
    /// `beginning`: a read transaction's BEGIN was sent and not seen to succeed (see
    /// [`ReadConnection::begin_read`]).
    Postgres {
        conn: PoolConnection<Any>,
        beginning: bool,
    },
}

impl Readers {
    pub(crate) fn new(pool: &AnyPool, backend: Backend) -> Readers {
        match backend {
            Backend::Sqlite => Readers::Sqlite(Arc::new(SqliteReaders {
                idle: Mutex::new(Vec::with_capacity(SQLITE_READERS)),
                permits: Arc::new(Semaphore::new(SQLITE_READERS)),
                pool: pool.clone(),
            })),
            Backend::Postgres => Readers::Postgres(pool.clone()),
        }
    }

    /// A connection to read with, after the readers before this one if all are busy.
    pub(crate) async fn acquire(&self) -> Result<ReadConnection, sqlx::Error> {
        match self {
            Readers::Postgres(pool) => Ok(ReadConnection::Postgres { conn: pool.acquire().await?, beginning: false }),
            Readers::Sqlite(home) => {
                let permit = Arc::clone(&home.permits).acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
                let idle = home.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
                let conn = match idle {
                    Some(conn) => conn,
                    None => home.pool.acquire().await?.detach(),
                };
                Ok(ReadConnection::Sqlite { conn: Some(conn), home: Arc::clone(home), _permit: permit })
            }
        }
    }

    /// Closes the connections kept here (the pool closes its own).
    pub(crate) async fn close(&self) {
        if let Readers::Sqlite(home) = self {
            let idle = std::mem::take(&mut *home.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            for conn in idle {
                if let Err(error) = conn.close().await {
                    tracing::debug!(%error, "closing a read connection");
                }
            }
        }
    }
}

impl Deref for ReadConnection {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            // `conn` is only taken in `drop`.
            ReadConnection::Sqlite { conn, .. } => conn.as_ref().expect("a lent connection is present until dropped"),
            ReadConnection::Postgres { conn, .. } => conn,
        }
    }
}

impl DerefMut for ReadConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            ReadConnection::Sqlite { conn, .. } => conn.as_mut().expect("a lent connection is present until dropped"),
            ReadConnection::Postgres { conn, .. } => conn,
        }
    }
}

impl Drop for ReadConnection {
    fn drop(&mut self) {
        match self {
            ReadConnection::Sqlite { conn, home, .. } => {
                if let Some(conn) = conn.take() {
                    home.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
                }
            }
            // Possibly inside a transaction sqlx does not know of: never lent again.
            ReadConnection::Postgres { conn, beginning: true } => conn.close_on_drop(),
            ReadConnection::Postgres { beginning: false, .. } => {}
        }
    }
}

impl ReadConnection {
    /// Starts a read transaction that sees one consistent state of the database; dropped
    /// without a commit, it rolls back.
    pub(crate) async fn begin_read(&mut self) -> Result<Transaction<'_, Any>, sqlx::Error> {
        match self {
            ReadConnection::Sqlite { .. } => (**self).begin().await,
            // sqlx 0.9.0 cannot undo a PostgreSQL BEGIN whose caller stopped waiting before
            // the answer (its guard rolls back only once the depth is raised, after the answer):
            // the connection would go back to the pool inside a read-only transaction, and
            // every later statement on it would fail. Such a connection is closed instead.
            ReadConnection::Postgres { conn, beginning } => {
                *beginning = true;
                let tx = (**conn).begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
                *beginning = false;
                Ok(tx)
            }
        }
    }
}

/// Lets `&Readers` stand where `&AnyPool` did: each statement on a connection of its own.
impl<'p> Executor<'p> for &'_ Readers {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let readers = self.clone();
        // The results are gathered before they are handed on: a stream cannot hold the
        // connection it borrows from, and every caller collects them anyway.
        stream::once(async move {
            let mut conn = readers.acquire().await?;
            let results: Vec<_> = (&mut *conn).fetch_many(query).collect().await;
            Ok::<_, sqlx::Error>(results)
        })
        .flat_map(|gathered| match gathered {
            Ok(results) => stream::iter(results).left_stream(),
            Err(error) => stream::iter([Err(error)]).right_stream(),
        })
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let readers = self.clone();
        Box::pin(async move {
            let mut conn = readers.acquire().await?;
            (&mut *conn).fetch_optional(query).await
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        let readers = self.clone();
        Box::pin(async move {
            let mut conn = readers.acquire().await?;
            (&mut *conn).prepare_with(sql, parameters).await
        })
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::Poll;

    use sqlx::Connection;

    use crate::Store;
    use crate::write_tx::{WriteTx, Writer};

    /// Polls `begin` once (its BEGIN goes out; its answer has not come back) and drops it: a
    /// request whose client went away at that moment.
    async fn dropped_after_one_poll<F: Future>(begin: F) {
        let mut begin = pin!(begin);
        let _ = std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx))).await;
    }

    /// Whether the next connection the pool lends is inside a transaction: PostgreSQL takes a
    /// savepoint only there.
    async fn pool_lends_a_connection_in_a_transaction(store: &Store) -> bool {
        let mut conn = store.pool().acquire().await.unwrap();
        sqlx::raw_sql("SAVEPOINT probe").execute(&mut *conn).await.is_ok()
    }

    /// A read or a write transaction dropped while its BEGIN is under way leaves no connection
    /// inside a transaction in the pool (sqlx 0.9.0 alone would: see `begin_read`).
    #[tokio::test]
    async fn a_transaction_dropped_while_beginning_leaves_the_pool_clean() {
        let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
            return;
        };
        let name = format!("readers_cancel_{}", std::process::id());
        let mut server = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut server).await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let dir = tempfile::tempdir().unwrap();
        let options = crate::ConnectOptions {
            audit_keys: crate::AuditKeys::File(dir.path().join("audit-keys")),
            data_keys: crate::DataKeys::File(dir.path().join("data-keys")),
        };
        let store = Store::connect_with(&format!("{base}/{name}"), options).await.unwrap();
        for _ in 0..20 {
            let mut reader = store.readers.acquire().await.unwrap();
            dropped_after_one_poll(reader.begin_read()).await;
            drop(reader);
            dropped_after_one_poll(WriteTx::begin(Writer { gate: None, pool: &store.pool, keys: &store.audit_keys }))
                .await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            // Either connection may be the one lent next; each round lends one.
            assert!(!pool_lends_a_connection_in_a_transaction(&store).await);
        }
        store.close().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
            .execute(&mut server)
            .await
            .unwrap();
    }
}
