//! One database per test: SQLite always (a temporary file), PostgreSQL when
//! `RECTIFY_TEST_POSTGRES_URL` names an admin connection (see `scripts/with-postgres.sh`): a
//! fresh database of its own, dropped at the end.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use rectify_storage::Store;
use sqlx::{AssertSqlSafe, Connection};

/// One database for one test.
pub struct TestDb {
    pub store: Store,
    /// Admin URL and database name to drop afterwards (PostgreSQL only).
    drop_after: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("rectify.db").display());
        TestDb { store: Store::connect(&url).await.unwrap(), drop_after: None, _dir: Some(dir) }
    }

    /// A fresh database on the server named by `RECTIFY_TEST_POSTGRES_URL`, if set.
    pub async fn postgres() -> Option<TestDb> {
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
        let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
        Some(TestDb { store, drop_after: Some((admin, name)), _dir: None })
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

/// SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}
