//! The keyed audit chain (finding 4 of issue 13): someone who can write the database but does not
//! hold the key ring cannot re-compute the chain after an edit; rotation keeps old entries
//! verifiable; a missing or foreign ring is refused instead of starting a second chain of keys.
//! Both backends.

use chrono::{DateTime, Utc};
use rectify_domain::roles::Role;
use rectify_storage::*;
use sqlx::AssertSqlSafe;

mod common;

use common::backends;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-07-01T08:00:00Z").unwrap().to_utc()
}

fn actor() -> Acting {
    Acting { user_id: None, user_name: "安全管理员甲".into(), role: Role::SecurityAdmin, address: None }
}

async fn record(store: &Store, n: i64) {
    let record = AuditRecord::new(&actor(), format!("login.ok.{n}"), "user", Some(n), now());
    store.record_security_event(&record).await.unwrap();
}

async fn all_entries(store: &Store) -> Vec<AuditEntry> {
    let mut entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 500 }).await.unwrap();
    entries.reverse();
    entries
}

async fn drop_audit_triggers(store: &Store) {
    let sql = match store.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log;",
    };
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(store.pool()).await.unwrap();
}

/// What an intruder with write access to the database does: drops the append-only triggers,
/// edits entry 3, re-computes the hash of it and of every later entry with `sign`, and moves the
/// recorded end of the chain to match.
async fn edit_and_recompute(store: &Store, sign: impl Fn(&mut AuditEntry)) {
    drop_audit_triggers(store).await;
    let mut entries = all_entries(store).await;
    entries[2].actor_name = "别人".into();
    for i in 2..entries.len() {
        entries[i].prev_hash = entries[i - 1].hash.clone();
        sign(&mut entries[i]);
        let e = &entries[i];
        sqlx::query("UPDATE audit_log SET actor_name = $1, prev_hash = $2, hash = $3, key_id = $4 WHERE seq = $5")
            .bind(e.actor_name.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .bind(e.key_id.clone())
            .bind(e.seq)
            .execute(store.pool())
            .await
            .unwrap();
    }
    let last = entries.last().unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.seq)
        .bind(last.hash.clone())
        .execute(store.pool())
        .await
        .unwrap();
}

fn broken_at(result: Result<AuditCheck, AuditVerifyError>) -> (i64, String) {
    match result {
        Err(AuditVerifyError::Broken(b)) => (b.seq, b.reason),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

/// The control: the same re-computation done WITH the key verifies, so the failures below come
/// from the missing key and not from a faulty re-computation.
#[tokio::test]
async fn a_chain_recomputed_with_the_key_verifies() {
    for db in backends().await {
        for n in 0..5 {
            record(&db.store, n).await;
        }
        let keys = db.store.audit_keys().clone();
        edit_and_recompute(&db.store, |e| e.hash = e.expected_hash(&keys).unwrap()).await;
        assert_eq!(db.store.verify_audit().await.unwrap().entries, 5);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_chain_recomputed_with_plain_sm3_is_caught() {
    for db in backends().await {
        for n in 0..5 {
            record(&db.store, n).await;
        }
        // The attack of issue 13 as it was: SM3 over the entries, here also stripping the key id.
        edit_and_recompute(&db.store, |e| {
            e.key_id = None;
            e.hash = e.legacy_hash();
        })
        .await;
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 3);
        assert!(reason.contains("not signed"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_chain_recomputed_with_a_guessed_key_is_caught() {
    for db in backends().await {
        for n in 0..5 {
            record(&db.store, n).await;
        }
        let own = AuditKeyRing::generate(0).unwrap();
        // Signed with a key of the intruder's own, naming it.
        edit_and_recompute(&db.store, |e| {
            e.key_id = Some(own.current_id().to_owned());
            e.hash = e.expected_hash(&own).unwrap();
        })
        .await;
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 3);
        assert!(reason.contains("does not hold"), "{reason}");
        db.finish().await;
    }
    for db in backends().await {
        for n in 0..5 {
            record(&db.store, n).await;
        }
        let own = AuditKeyRing::generate(0).unwrap();
        // Signed with the intruder's key but keeping the real key's id.
        edit_and_recompute(&db.store, |e| {
            let real = e.key_id.take();
            e.key_id = Some(own.current_id().to_owned());
            e.hash = e.expected_hash(&own).unwrap();
            e.key_id = real;
        })
        .await;
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 3);
        assert!(reason.contains("altered"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn rotation_keeps_old_entries_verifiable() {
    for db in backends().await {
        record(&db.store, 1).await;
        record(&db.store, 2).await;
        let first = db.store.audit_keys().current_id().to_owned();
        let second = AuditKeyRing::rotate(&db.key_file).unwrap();
        assert_ne!(first, second);
        let after = db.reconnect().await;
        assert_eq!(after.audit_keys().current_id(), second);
        record(&after, 3).await;
        record(&after, 4).await;
        let ids: Vec<Option<String>> = all_entries(&after).await.into_iter().map(|e| e.key_id).collect();
        assert_eq!(ids, [&first, &first, &second, &second].map(|k| Some(k.clone())));
        assert_eq!(after.verify_audit().await.unwrap().entries, 4);
        // The store opened before the rotation meets the new key, reads the ring again, verifies.
        assert_eq!(db.store.verify_audit().await.unwrap().entries, 4);
        after.close().await;

        // Without the old key, the old entries no longer verify: that is what the ring is for.
        let text = std::fs::read_to_string(&db.key_file).unwrap();
        let mut dropped = false;
        let without_first: Vec<&str> = text
            .lines()
            .filter(|l| {
                let drop = l.starts_with("key ") && !dropped;
                dropped |= drop;
                !drop
            })
            .collect();
        std::fs::write(&db.key_file, without_first.join("\n")).unwrap();
        let pruned = db.reconnect().await;
        let (seq, reason) = broken_at(pruned.verify_audit().await);
        assert_eq!(seq, 1);
        assert!(reason.contains(&first) && reason.contains("does not hold"), "{reason}");
        pruned.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_missing_or_foreign_key_ring_is_refused() {
    for db in backends().await {
        record(&db.store, 1).await;
        let options = |path: std::path::PathBuf| ConnectOptions {
            audit_keys: AuditKeys::File(path),
            ..ConnectOptions::default()
        };
        // Lost: no file where the ring should be.
        let elsewhere = db.key_file.with_file_name("lost-audit-keys");
        let err = Store::connect_with(&db.url, options(elsewhere.clone())).await.unwrap_err();
        assert!(matches!(err, StorageError::AuditKey(_)) && err.to_string().contains("no key ring"), "{err}");
        assert!(!elsewhere.exists(), "no second ring is started");
        // Foreign: another database's ring.
        let other = AuditKeyRing::generate(0).unwrap();
        let err = Store::connect_with(
            &db.url,
            ConnectOptions { audit_keys: AuditKeys::Ring(other), ..ConnectOptions::default() },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("does not hold key"), "{err}");
        db.finish().await;
    }
}

/// A database written before the chain was keyed: its entries stay verifiable as they are, the
/// ring created for it records how many there are, and every later entry is signed.
#[tokio::test]
async fn entries_from_before_the_key_stay_verifiable_and_cannot_be_added_to() {
    for db in backends().await {
        // Two unsigned entries, as version 0007 wrote them.
        let mut prev = audit::GENESIS_HASH.to_owned();
        for seq in 1..=2_i64 {
            let mut e = AuditEntry {
                seq,
                at: "2024-06-01T08:00:00.000000Z".into(),
                actor_user_id: None,
                actor_name: "system".into(),
                address: None,
                action: "inspection.import".into(),
                target_kind: "inspection".into(),
                target_id: Some(seq.to_string()),
                result: "ok".into(),
                before_json: None,
                after_json: None,
                prev_hash: prev.clone(),
                hash: String::new(),
                key_id: None,
            };
            e.hash = e.legacy_hash();
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor_name, action, target_kind, target_id, result, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(e.seq)
            .bind(e.at.clone())
            .bind(e.actor_name.clone())
            .bind(e.action.clone())
            .bind(e.target_kind.clone())
            .bind(e.target_id.clone())
            .bind(e.result.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .execute(db.store.pool())
            .await
            .unwrap();
            prev = e.hash;
        }
        // The ring made at the first connect allowed no unsigned entry: it is not this chain's.
        let options = ConnectOptions { audit_keys: AuditKeys::File(db.key_file.clone()), ..ConnectOptions::default() };
        let err = Store::connect_with(&db.url, options).await.unwrap_err();
        assert!(err.to_string().contains("made for another database"), "{err}");

        // A ring created now, for this chain, allows the two.
        std::fs::remove_file(&db.key_file).unwrap();
        let keyed = db.reconnect().await;
        assert_eq!(keyed.audit_keys().legacy_until(), 2);
        record(&keyed, 3).await;
        assert_eq!(keyed.verify_audit().await.unwrap().entries, 3);
        // Stripping the signature of entry 3 makes it look like an old entry: caught.
        drop_audit_triggers(&keyed).await;
        let third = all_entries(&keyed).await.remove(2);
        let stripped = AuditEntry { key_id: None, ..third.clone() };
        sqlx::query("UPDATE audit_log SET key_id = NULL, hash = $1 WHERE seq = 3")
            .bind(stripped.legacy_hash())
            .execute(keyed.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(stripped.legacy_hash())
            .execute(keyed.pool())
            .await
            .unwrap();
        let (seq, reason) = broken_at(keyed.verify_audit().await);
        assert_eq!(seq, 3, "{reason}");
        keyed.close().await;
        db.finish().await;
    }
}
