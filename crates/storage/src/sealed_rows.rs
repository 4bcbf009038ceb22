//! The database's side of SM4 at rest (see [`crate::sealed`]): which data keys sealed anything
//! (`data_keys`, migration 0022), the check of the key ring at connect, and the sealing of the
//! feedback rows written before the migration and of the accounts' TOTP secrets written before
//! sealing (and their re-sealing after a key rotation).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::audit::timestamp;
use crate::sealed::{self, DataKeyRing, DataKeys, feedback_context, totp_context};
use crate::{Acting, AuditRecord, Backend, StorageError, Store};

/// Rows sealed per transaction: each batch is one short write, so a large backlog does not hold
/// the write lock for long.
const BATCH: i64 = 500;

/// Records that the data key `id` sealed something stored (once per key).
pub(crate) async fn register_data_key(
    conn: &mut AnyConnection,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO data_keys (key_id, first_used_at) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING")
        .bind(id.to_owned())
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Registers the current data key in `conn`'s transaction before a write that seals with it,
    /// unless an earlier write of this process already did and committed. Answers whether it
    /// registered, so that the caller calls [`Store::data_key_committed`] after its commit.
    pub(crate) async fn register_data_key_once(
        &self,
        conn: &mut AnyConnection,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        if self.data_key_registered.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(false);
        }
        register_data_key(conn, &self.data_keys.current_id(), now).await?;
        Ok(true)
    }

    /// Notes that a transaction that registered the current data key has committed.
    pub(crate) fn data_key_committed(&self, registered: bool) {
        if registered {
            self.data_key_registered.store(true, std::sync::atomic::Ordering::Release);
        }
    }
}

/// The key ring for the database: every key that sealed something stored must be in it. A ring
/// is created only for a database that has sealed nothing yet, so a lost or wrong ring never
/// starts a second key silently (the server refuses to start, naming the file it expected).
pub(crate) async fn open_data_key_ring(
    pool: &AnyPool,
    url: &str,
    backend: Backend,
    keys: DataKeys,
) -> Result<DataKeyRing, StorageError> {
    let used: Vec<String> =
        sqlx::query_scalar("SELECT key_id FROM data_keys ORDER BY first_used_at, key_id").fetch_all(pool).await?;
    let path: Option<PathBuf> = match keys {
        DataKeys::Ring(ring) => return check_data_ring(ring, &used),
        DataKeys::File(path) => Some(path),
        DataKeys::Default => sealed::default_key_file_for(url, backend),
    };
    let ring = match path {
        Some(path) if path.exists() => DataKeyRing::load(&path)?,
        Some(path) => {
            if let Some(key) = used.first() {
                return Err(StorageError::DataKey(format!(
                    "this database's personal data and evidence files are sealed with data key {key}, but there is \
                     no data key ring at {}; restore the ring file there or name it with {}",
                    path.display(),
                    sealed::KEY_FILE_ENV
                )));
            }
            DataKeyRing::load_or_create(&path)?
        }
        None => DataKeyRing::generate()?,
    };
    check_data_ring(ring, &used)
}

fn check_data_ring(ring: DataKeyRing, used: &[String]) -> Result<DataKeyRing, StorageError> {
    if let Some(missing) = used.iter().find(|id| !ring.holds(id)) {
        let place = ring.path().map_or_else(|| "given".to_owned(), |p| format!("at {}", p.display()));
        return Err(StorageError::DataKey(format!(
            "the data key ring {place} does not hold key {missing}, which sealed data of this database; \
             use this database's data key ring ({})",
            sealed::KEY_FILE_ENV
        )));
    }
    Ok(ring)
}

/// A feedback's name or contact as stored: opened if sealed, as it is if not yet.
pub(crate) fn open_personal(
    keys: &DataKeyRing,
    field: &str,
    receipt_code: &str,
    sealed_key: Option<&str>,
    value: Option<String>,
) -> Result<Option<String>, StorageError> {
    match (value, sealed_key) {
        (Some(text), Some(_)) => Ok(Some(keys.open_text(&feedback_context(field, receipt_code), &text)?)),
        (value, _) => Ok(value),
    }
}

/// A feedback's name or contact sealed for storing.
pub(crate) fn seal_personal(
    keys: &DataKeyRing,
    field: &str,
    receipt_code: &str,
    value: Option<&str>,
) -> Result<Option<String>, StorageError> {
    value
        .map(|text| keys.seal_text(&feedback_context(field, receipt_code), text).map_err(StorageError::from))
        .transpose()
}

impl Store {
    /// Seals, under the current data key, the names and contacts of real-name feedback not yet
    /// under it: rows still in plaintext (from before migration 0022) and rows of an older key
    /// (after `keys rotate-data`). In batches of 500, each batch one transaction with its audit
    /// entry (`data.seal`); run at every connect. Returns how many rows were sealed. Idempotent:
    /// a row is selected only while it is not under the current key, and updated only if no
    /// other server sealed it meanwhile.
    pub async fn seal_feedback(&self, actor: &Acting, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let current = self.data_keys.current_id();
        // The usual start: one look-up, no write transaction.
        let any: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM feedback WHERE anonymous = 0 AND (sealed_key IS NULL OR sealed_key <> $1) LIMIT 1",
        )
        .bind(current.clone())
        .fetch_optional(&self.readers)
        .await?;
        if any.is_none() {
            return Ok(0);
        }
        let mut total = 0u64;
        loop {
            let mut tx = self.begin_write().await?;
            let rows = sqlx::query(
                "SELECT id, receipt_code, name, contact, sealed_key FROM feedback WHERE anonymous = 0 \
                 AND (sealed_key IS NULL OR sealed_key <> $1) ORDER BY id LIMIT $2",
            )
            .bind(current.clone())
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                // Nothing written: dropping the transaction rolls it back.
                drop(tx);
                return Ok(total);
            }
            let mut sealed_here = 0u64;
            for row in &rows {
                let id: i64 = row.try_get("id")?;
                let code: String = row.try_get("receipt_code")?;
                let old_key: Option<String> = row.try_get("sealed_key")?;
                let keys = &self.data_keys;
                let name = open_personal(keys, "name", &code, old_key.as_deref(), row.try_get("name")?)?;
                let contact = open_personal(keys, "contact", &code, old_key.as_deref(), row.try_get("contact")?)?;
                let guard = if old_key.is_some() { "sealed_key = $5" } else { "sealed_key IS NULL" };
                let mut update = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE feedback SET name = $1, contact = $2, sealed_key = $3 WHERE id = $4 AND {guard}"
                )))
                .bind(seal_personal(keys, "name", &code, name.as_deref())?)
                .bind(seal_personal(keys, "contact", &code, contact.as_deref())?)
                .bind(current.clone())
                .bind(id);
                if let Some(old_key) = old_key {
                    update = update.bind(old_key);
                }
                let done = update.execute(&mut *tx).await?;
                sealed_here += done.rows_affected();
            }
            register_data_key(&mut tx, &current, now).await?;
            let record = AuditRecord::new(actor, "data.seal", "feedback", None, now).after(serde_json::json!({
                "rows": sealed_here,
                "key_id": current,
            }));
            tx.commit(&record).await?;
            total += sealed_here;
        }
    }

    /// Seals, under the current data key, the accounts' TOTP secrets not yet under it: plaintext
    /// ones written before sealing and ones of an older key (after `keys rotate-data`). Like
    /// [`Store::seal_feedback`]: batches of 500 in id order, each one audited transaction
    /// (`data.seal`), run at every connect, idempotent, a row updated only if unchanged since
    /// it was read. A secret that does not open (changed in the database) is left as it is and
    /// logged without its value: its account's sign-in fails closed, the other accounts go on.
    /// Returns how many secrets were sealed.
    pub async fn seal_totp_secrets(&self, actor: &Acting, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let current = self.data_keys.current_id();
        let under_current = format!("{}%", sealed::text_prefix_of_key(&current));
        let pending = "totp_secret IS NOT NULL AND totp_secret NOT LIKE $1";
        let any: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM users WHERE {pending} LIMIT 1")))
                .bind(under_current.clone())
                .fetch_optional(&self.readers)
                .await?;
        if any.is_none() {
            return Ok(0);
        }
        let (mut total, mut after) = (0u64, 0i64);
        loop {
            let mut tx = self.begin_write().await?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, totp_secret FROM users WHERE {pending} AND id > $2 ORDER BY id LIMIT $3"
            )))
            .bind(under_current.clone())
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = rows.last() else {
                drop(tx);
                return Ok(total);
            };
            after = last.try_get("id")?;
            let mut sealed_here = 0u64;
            for row in &rows {
                let id: i64 = row.try_get("id")?;
                let stored: String = row.try_get("totp_secret")?;
                let plain = match crate::users::open_stored_totp(&self.data_keys, id, &stored) {
                    Ok(plain) => plain,
                    Err(e) => {
                        tracing::warn!(user_id = id, error = %e, "a TOTP secret does not open; left as it is");
                        continue;
                    }
                };
                let done = sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
                    .bind(self.data_keys.seal_text(&totp_context(id), &plain)?)
                    .bind(id)
                    .bind(stored)
                    .execute(&mut *tx)
                    .await?;
                sealed_here += done.rows_affected();
            }
            if sealed_here == 0 {
                drop(tx);
                continue;
            }
            register_data_key(&mut tx, &current, now).await?;
            let record = AuditRecord::new(actor, "data.seal", "user", None, now).after(serde_json::json!({
                "totp_secrets": sealed_here,
                "key_id": current,
            }));
            tx.commit(&record).await?;
            total += sealed_here;
        }
    }

    /// How many accounts' TOTP secrets are sealed under the data key `key_id`.
    pub async fn totp_secrets_sealed_with(&self, key_id: &str) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE totp_secret LIKE $1")
            .bind(format!("{}%", sealed::text_prefix_of_key(key_id)))
            .fetch_one(&self.readers)
            .await?;
        crate::codec::unsigned("sealed TOTP secrets", n)
    }

    /// How many feedback rows are sealed under the data key `key_id`.
    pub async fn feedback_sealed_with(&self, key_id: &str) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE sealed_key = $1")
            .bind(key_id.to_owned())
            .fetch_one(&self.readers)
            .await?;
        crate::codec::unsigned("sealed feedback", n)
    }

    /// Records a rotation of the data key (`keys rotate-data`): the new key is registered as one
    /// that sealed data, with the counts re-sealed, in one audited transaction (`data.rotate_key`).
    pub async fn record_data_key_rotation(
        &self,
        actor: &Acting,
        rows: u64,
        files: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let current = self.data_keys.current_id();
        let totp_secrets = self.totp_secrets_sealed_with(&current).await?;
        let mut tx = self.begin_write().await?;
        register_data_key(&mut tx, &current, now).await?;
        let record = AuditRecord::new(actor, "data.rotate_key", "data_key", None, now).after(serde_json::json!({
            "key_id": current,
            "feedback_rows": rows,
            "totp_secrets": totp_secrets,
            "evidence_files": files,
        }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Records that the current data key sealed evidence files (the server calls this before it
    /// links files it sealed, and after sealing files at start).
    pub async fn register_current_data_key(&self, now: DateTime<Utc>) -> Result<(), StorageError> {
        let current = self.data_keys.current_id();
        let known: Option<String> = sqlx::query_scalar("SELECT key_id FROM data_keys WHERE key_id = $1")
            .bind(current.clone())
            .fetch_optional(&self.readers)
            .await?;
        if known.is_some() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        register_data_key(&mut tx, &current, now).await?;
        let record = AuditRecord::new(&Acting::system(), "data.register_key", "data_key", None, now)
            .after(serde_json::json!({ "key_id": current }));
        tx.commit(&record).await?;
        Ok(())
    }
}
