//! Appending an entry to the audit chain, on the connection of a write transaction.
//!
//! Kept apart from `audit.rs` (the entries, verification, listing) and from `write_tx.rs` (which
//! calls it as the last step of a commit), so that both depend on it and neither on the other.

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};

use crate::StorageError;
use crate::audit::{AuditEntry, AuditRecord, COLUMNS, timestamp};
use crate::audit_key::AuditKeyRing;

/// The end of the chain: the number and hash of the last entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainHead {
    seq: i64,
    hash: String,
}

/// What follows the entry in the same query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Then {
    Continue,
    /// The statement that ends the write: `COMMIT`, or the release of its savepoint in a group
    /// commit (SQLite only: PostgreSQL takes one statement per query with parameters).
    End(&'static str),
}

/// A statement with its arguments (`$1`…), sent before the entry in the same query on SQLite.
pub(crate) struct Leading<'a> {
    pub(crate) sql: &'a str,
    pub(crate) arguments: AnyArguments,
}

/// The message of the database's refusal of an entry that does not continue the chain
/// (migration `0006_audit_chain_triggers`).
const NOT_THE_NEXT_ENTRY: &str = "does not continue the audit chain";

/// Appends one entry on `conn`, after `leading` if given, and returns its number. The end of the
/// chain comes from `hint` (the SQLite writer's memory) when it holds one (no read); if the
/// database refuses the entry because the chain moved meanwhile, or without a memory, it is read
/// (PostgreSQL: locked with `FOR UPDATE`, so two writers never take the same number). The trigger
/// `audit_log_moves_head` moves `audit_head` with the insert; `hint` is updated to the new end.
/// The entry is signed with the current key of `keys`.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    keys: &AuditKeyRing,
    hint: Option<&mut Option<ChainHead>>,
    record: &AuditRecord,
    mut leading: Option<Leading<'_>>,
    then: Then,
) -> Result<i64, StorageError> {
    let finish = match then {
        Then::Continue => String::new(),
        Then::End(statement) => format!("; {statement}"),
    };
    if let Some(head) = hint.as_deref().and_then(Option::clone) {
        let entry = AuditEntry::chained(record, &head, keys);
        let (sql, arguments) = match leading.take() {
            Some(Leading { sql, arguments }) => {
                (format!("{sql}; {}{finish}", insert_sql(arguments.len() + 1)), arguments)
            }
            None => (format!("{}{finish}", insert_sql(1)), AnyArguments::default()),
        };
        let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments);
        match bind_entry(query, &entry).execute(&mut *conn).await {
            Ok(_) => return Ok(remember(hint, entry)),
            // The leading statement, before the refused entry, took effect.
            Err(sqlx::Error::Database(refusal)) if refusal.message().contains(NOT_THE_NEXT_ENTRY) => {
                tracing::debug!("the audit chain moved under this process; reading its end");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(Leading { sql, arguments }) = leading {
        sqlx::query_with(sqlx::AssertSqlSafe(sql.to_owned()), arguments).execute(&mut *conn).await?;
    }
    let head_sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    };
    let row = sqlx::query(head_sql)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StorageError::corrupt("audit_head", "the row of the chain's end is missing"))?;
    let head = ChainHead { seq: row.try_get("seq")?, hash: row.try_get("hash")? };
    let entry = AuditEntry::chained(record, &head, keys);
    let sql = format!("{}{finish}", insert_sql(1));
    bind_entry(sqlx::query(sqlx::AssertSqlSafe(sql)), &entry).execute(&mut *conn).await?;
    Ok(remember(hint, entry))
}

/// The insert of one entry whose parameters are numbered from `first`.
fn insert_sql(first: usize) -> String {
    let values: Vec<String> = (first..first + 14).map(|n| format!("${n}")).collect();
    format!("INSERT INTO audit_log ({COLUMNS}) VALUES ({})", values.join(", "))
}

/// Keeps `entry` as the end of the chain in the SQLite writer's memory; returns its number.
fn remember(hint: Option<&mut Option<ChainHead>>, entry: AuditEntry) -> i64 {
    let seq = entry.seq;
    if let Some(hint) = hint {
        *hint = Some(ChainHead { seq, hash: entry.hash });
    }
    seq
}

impl AuditEntry {
    /// The entry recording `record` after the chain's end `head`, signed with the current key.
    fn chained(record: &AuditRecord, head: &ChainHead, keys: &AuditKeyRing) -> AuditEntry {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
        let mut entry = AuditEntry {
            seq: head.seq + 1,
            at: timestamp(record.at),
            actor_user_id: record.actor_user_id,
            actor_name: record.actor_name.clone(),
            address: record.address.clone(),
            action: record.action.clone(),
            target_kind: record.target_kind.clone(),
            target_id: record.target_id.clone(),
            result: record.result.clone(),
            before_json: json(&record.before),
            after_json: json(&record.after),
            prev_hash: head.hash.clone(),
            hash: String::new(),
            key_id: Some(keys.current_id().to_owned()),
        };
        // The current key is in the ring by construction, so the hash is always there.
        entry.hash = entry.expected_hash(keys).unwrap_or_default();
        entry
    }
}

/// Binds an entry's columns, in the order of [`COLUMNS`], after the query's other arguments.
fn bind_entry<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, AnyArguments>,
    entry: &AuditEntry,
) -> sqlx::query::Query<'q, sqlx::Any, AnyArguments> {
    query
        .bind(entry.seq)
        .bind(entry.at.clone())
        .bind(entry.actor_user_id)
        .bind(entry.actor_name.clone())
        .bind(entry.address.clone())
        .bind(entry.action.clone())
        .bind(entry.target_kind.clone())
        .bind(entry.target_id.clone())
        .bind(entry.result.clone())
        .bind(entry.before_json.clone())
        .bind(entry.after_json.clone())
        .bind(entry.prev_hash.clone())
        .bind(entry.hash.clone())
        .bind(entry.key_id.clone())
}
