//! One database per test: SQLite always (a temporary file), PostgreSQL when
//! `RECTIFY_TEST_POSTGRES_URL` names an admin connection (see `scripts/with-postgres.sh`): a
//! fresh database of its own, dropped at the end.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use std::path::PathBuf;

use rectify_storage::{AuditKeys, ConnectOptions, DataKeys, Store};
use sqlx::{AssertSqlSafe, Connection};

/// One database for one test.
pub struct TestDb {
    pub store: Store,
    /// The database's URL, to connect again.
    pub url: String,
    /// The audit key ring of the database (SQLite: the default place beside the file;
    /// PostgreSQL: a file in the test's own folder, named explicitly).
    pub key_file: PathBuf,
    /// Admin URL and database name to drop afterwards (PostgreSQL only).
    drop_after: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rectify.db");
        let url = format!("sqlite:{}", file.display());
        let key_file = PathBuf::from(format!("{}.audit-keys", file.display()));
        TestDb { store: Store::connect(&url).await.unwrap(), url, key_file, drop_after: None, _dir: dir }
    }

    /// Another store on the same database with the key ring at `key_file`.
    pub async fn reconnect(&self) -> Store {
        let options = options_for(&self.key_file);
        Store::connect_with(&self.url, options).await.unwrap()
    }

    /// A fresh, empty database of the same backend whose audit key ring is this one's (what a
    /// restore of this database's backup needs).
    pub async fn empty_sibling(&self) -> TestDb {
        match self.drop_after {
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("restored.db").display());
                let options = options_for(&self.key_file);
                let store = Store::connect_with(&url, options).await.unwrap();
                TestDb { store, url, key_file: self.key_file.clone(), drop_after: None, _dir: dir }
            }
            Some(_) => TestDb::postgres_with(Some(self.key_file.clone())).await.expect("PostgreSQL is configured"),
        }
    }

    /// A fresh database on the server named by `RECTIFY_TEST_POSTGRES_URL`, if set.
    pub async fn postgres() -> Option<TestDb> {
        TestDb::postgres_with(None).await
    }

    /// [`TestDb::postgres`] with the given key ring (default: a new one in the test's folder).
    pub async fn postgres_with(key_file: Option<PathBuf>) -> Option<TestDb> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!(
            "t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
        );
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.rsplit_once('/').expect("the admin URL ends in /DATABASE");
        let url = format!("{base}/{name}");
        let dir = tempfile::tempdir().unwrap();
        let key_file = key_file.unwrap_or_else(|| dir.path().join("audit-keys"));
        let options = options_for(&key_file);
        let store = Store::connect_with(&url, options).await.unwrap();
        Some(TestDb { store, url, key_file, drop_after: Some((admin, name)), _dir: dir })
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.drop_after {
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// The audit key ring at `audit_keys` and the data key ring beside it (`….data-keys`).
pub fn options_for(audit_keys: &std::path::Path) -> ConnectOptions {
    let data_keys = PathBuf::from(audit_keys.to_string_lossy().replace("audit-keys", "data-keys"));
    ConnectOptions { audit_keys: AuditKeys::File(audit_keys.to_owned()), data_keys: DataKeys::File(data_keys) }
}

/// SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}
