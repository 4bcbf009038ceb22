//! SM4 at rest (`rectify_storage::sealed`): citizens' names and contacts and evidence files are
//! stored sealed, read back whole, refused clearly when changed, re-sealed on key rotation, and
//! a server with the wrong or no data key ring does not start. Both backends.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rectify_domain::Ledger;
use rectify_storage::files::{FileError, SealedFiles};
use rectify_storage::*;
use serde_json::json;
use sqlx::Row;

mod common;

use common::{TestDb, backends, options_for};

const UNIT: &str = "中共示例县样本局党组";
const NAME: &str = "王小明";
const CONTACT: &str = "13800138000";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-08-01T09:00:00Z").unwrap().to_utc()
}

fn ledger() -> Ledger {
    let doc = json!({
        "title": "关于巡察整改进展情况的通报", "unit": UNIT, "report_date": "2024-07",
        "inspection": { "inspector": "县委第一巡察组", "start": null, "end": null, "feedback_date": "2023-12" },
        "claimed": { "aspects": 1, "problems": 1, "measures": null, "completed": null, "in_progress": null,
                     "completion_rate_percent": null, "rules_made_or_revised": null,
                     "funds_recovered_wan_yuan": null, "accountability": {} },
        "aspects": [ { "number": "一", "title": "关于落实主体责任方面", "problems": [
            { "number": "1", "title": "针对学习不深入的问题", "status": "completed",
              "measures": [ { "text": "制定学习计划。", "dates": [], "amounts_wan_yuan": [], "documents": [] } ] }
        ] } ],
        "named_documents": [],
        "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

async fn open_channel(store: &Store) {
    let inspection = store.import_ledger(&ledger()).await.unwrap();
    let publication = NewPublication {
        inspection_id: inspection,
        unit: UNIT.into(),
        title: "通报".into(),
        body_html: "<!DOCTYPE html><html><body><main><h1>通报</h1></main></body></html>".into(),
        body_markdown: "# 通报\n".into(),
    };
    store.publish_report(&publication, &Acting::system(), now()).await.unwrap();
}

fn real_name(name: &str, contact: &str) -> NewFeedback {
    NewFeedback {
        unit: UNIT.into(),
        inspection_id: None,
        submitter: Submitter::RealName { name: name.into(), contact: contact.into() },
        subject: "整改时限".into(),
        body: "建议公开整改台账的完成时限和责任部门。".into(),
    }
}

/// The stored columns of a feedback, as the database holds them.
async fn raw(store: &Store, id: i64) -> (Option<String>, Option<String>, Option<String>) {
    let row = sqlx::query("SELECT name, contact, sealed_key FROM feedback WHERE id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    (row.get("name"), row.get("contact"), row.get("sealed_key"))
}

fn data_key_file(db: &TestDb) -> PathBuf {
    PathBuf::from(db.key_file.to_string_lossy().replace("audit-keys", "data-keys"))
}

async fn audit_count(store: &Store, action: &str) -> usize {
    let filter = AuditFilter { action: Some(action.into()), ..AuditFilter::default() };
    store.list_audit(&filter, Page { offset: 0, limit: 10_000 }).await.unwrap().len()
}

#[tokio::test]
async fn names_and_contacts_are_stored_sealed_and_read_back_whole() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let receipt = store.submit_feedback(&real_name(NAME, CONTACT), now()).await.unwrap();
        let (name, contact, key) = raw(store, receipt.id).await;
        let (name, contact) = (name.unwrap(), contact.unwrap());
        assert!(name.starts_with("sm4:") && contact.starts_with("sm4:"), "{name} {contact}");
        for column in [&name, &contact] {
            // The ciphertext is hex: a fragment of the number such as "138" may occur in it by
            // chance (about one run in 40), so only the whole name and number are looked for.
            assert!(!column.contains(NAME) && !column.contains(CONTACT), "{column}");
        }
        assert_eq!(key.as_deref(), Some(store.data_keys().current_id().as_str()));
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key_id FROM data_keys").fetch_all(store.pool()).await.unwrap();
        assert_eq!(keys, vec![store.data_keys().current_id()]);

        let read = store.get_feedback(receipt.id).await.unwrap().unwrap();
        assert_eq!((read.name.as_deref(), read.contact.as_deref()), (Some(NAME), Some(CONTACT)));
        let listed = store.list_feedback(UNIT, None).await.unwrap();
        assert_eq!(listed[0].contact.as_deref(), Some(CONTACT));

        // The search index holds the subject and text, never the sender.
        let indexed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM search_index WHERE body LIKE $1 OR tokens LIKE $1 OR title LIKE $1",
        )
        .bind(format!("%{NAME}%"))
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(indexed, 0);
        // Nor does the audit entry of the submission.
        let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 100 }).await.unwrap();
        assert!(entries.iter().all(|e| !format!("{e:?}").contains(NAME)));

        // Anonymous feedback has nothing to seal.
        let anonymous = NewFeedback { submitter: Submitter::Anonymous, ..real_name("", "") };
        let receipt = store.submit_feedback(&anonymous, now()).await.unwrap();
        assert_eq!(raw(store, receipt.id).await, (None, None, None));
        db.finish().await;
    }
}

#[tokio::test]
async fn a_changed_or_moved_sealed_value_is_a_clear_error() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let a = store.submit_feedback(&real_name(NAME, CONTACT), now()).await.unwrap();
        let b = store.submit_feedback(&real_name("李四", "13900139000"), now()).await.unwrap();
        let (name_a, contact_a, _) = raw(store, a.id).await;
        // b's contact replaced by a's (a valid envelope, but of another row and field).
        sqlx::query("UPDATE feedback SET contact = $1 WHERE id = $2")
            .bind(contact_a.clone())
            .bind(b.id)
            .execute(store.pool())
            .await
            .unwrap();
        let err = store.get_feedback(b.id).await.unwrap_err();
        assert!(matches!(err, StorageError::Sealed(SealError::Tampered { .. })), "{err}");
        assert!(err.to_string().contains("authentication failed"), "{err}");
        // One hex digit of a's name changed.
        let name_a = name_a.unwrap();
        let last = name_a.chars().last().unwrap();
        let flipped = format!("{}{}", &name_a[..name_a.len() - 1], if last == '0' { '1' } else { '0' });
        sqlx::query("UPDATE feedback SET name = $1 WHERE id = $2")
            .bind(flipped)
            .bind(a.id)
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(store.get_feedback(a.id).await, Err(StorageError::Sealed(SealError::Tampered { .. }))));
        // Not hexadecimal at all.
        sqlx::query("UPDATE feedback SET name = 'sm4:zz' WHERE id = $1")
            .bind(a.id)
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(store.get_feedback(a.id).await, Err(StorageError::Sealed(SealError::Malformed { .. }))));
        // The inbox fails as a whole rather than showing garbage.
        assert!(store.list_feedback(UNIT, None).await.is_err());
        db.finish().await;
    }
}

#[tokio::test]
async fn plaintext_rows_from_before_the_migration_are_sealed_once_at_the_next_start() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let template = store.submit_feedback(&real_name(NAME, CONTACT), now()).await.unwrap();
        // 1,200 rows as migration 0022 finds them: plaintext, unmarked (three batches of 500).
        let mut tx = store.pool().begin().await.unwrap();
        for n in 0..1200 {
            sqlx::query(
                "INSERT INTO feedback (unit, receipt_code, submitted_at, anonymous, name, contact, subject, body) \
                 SELECT unit, $1, submitted_at, 0, $2, $3, subject, body FROM feedback WHERE id = $4",
            )
            .bind(format!("OLD{n:05}"))
            .bind(format!("{NAME}{n}"))
            .bind(format!("{CONTACT}-{n}"))
            .bind(template.id)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE name LIKE $1")
            .bind(format!("{NAME}%"))
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(plain, 1200);
        // Before the restart they read as they are.
        assert_eq!(store.list_feedback(UNIT, None).await.unwrap().len(), 1201);

        let started = Instant::now();
        let again = db.reconnect().await;
        println!("{:?}: sealed 1,200 rows at start in {:?}", again.backend(), started.elapsed());
        let plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE name LIKE $1 OR contact LIKE $2")
            .bind(format!("{NAME}%"))
            .bind(format!("{CONTACT}%"))
            .fetch_one(again.pool())
            .await
            .unwrap();
        assert_eq!(plain, 0, "no plaintext left");
        assert_eq!(audit_count(&again, "data.seal").await, 3, "three audited batches");
        let listed = again.list_feedback(UNIT, None).await.unwrap();
        let n7 = listed.iter().find(|f| f.name.as_deref() == Some(&format!("{NAME}7"))).unwrap();
        assert_eq!(n7.contact.as_deref(), Some(format!("{CONTACT}-7").as_str()));
        let sealed_once = raw(&again, n7.id).await;

        // Idempotent: a second start seals nothing and writes nothing.
        let third = db.reconnect().await;
        assert_eq!(audit_count(&third, "data.seal").await, 3);
        assert_eq!(raw(&third, n7.id).await, sealed_once, "not sealed twice");
        third.verify_audit().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn rotation_re_seals_under_the_new_key_and_older_values_stay_readable() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let receipt = store.submit_feedback(&real_name(NAME, CONTACT), now()).await.unwrap();
        let old_key = store.data_keys().current_id();
        let path = data_key_file(&db);
        let new_key = DataKeyRing::rotate(&path).unwrap();
        assert_ne!(new_key, old_key);
        // Before anything is re-sealed, the row under the old key reads with the new ring.
        let rotated = DataKeyRing::load(&path).unwrap();
        let (name, _, _) = raw(store, receipt.id).await;
        assert!(rotated.holds(&old_key));
        assert_eq!(rotated.current_id(), new_key);
        assert_eq!(raw(store, receipt.id).await.2.as_deref(), Some(old_key.as_str()));
        assert_eq!(store.get_feedback(receipt.id).await.unwrap().unwrap().name.as_deref(), Some(NAME));

        // The next start re-seals every row under the new key.
        let after = db.reconnect().await;
        assert_eq!(after.feedback_sealed_with(&new_key).await.unwrap(), 1);
        let (name_after, _, key_after) = raw(&after, receipt.id).await;
        assert_eq!(key_after.as_deref(), Some(new_key.as_str()));
        assert_ne!(name_after, name);
        assert_eq!(after.get_feedback(receipt.id).await.unwrap().unwrap().contact.as_deref(), Some(CONTACT));
        // The process started before the rotation still reads it (it re-reads the ring).
        assert_eq!(store.get_feedback(receipt.id).await.unwrap().unwrap().contact.as_deref(), Some(CONTACT));
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key_id FROM data_keys ORDER BY key_id").fetch_all(after.pool()).await.unwrap();
        let mut expected = vec![old_key, new_key];
        expected.sort();
        assert_eq!(keys, expected);
        after.verify_audit().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_missing_or_wrong_data_key_ring_refuses_to_start() {
    for db in backends().await {
        open_channel(&db.store).await;
        db.store.submit_feedback(&real_name(NAME, CONTACT), now()).await.unwrap();
        let key = db.store.data_keys().current_id();
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere").join("data-keys");
        let mut options = options_for(&db.key_file);
        options.data_keys = DataKeys::File(missing.clone());
        let err = Store::connect_with(&db.url, options.clone()).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains(&key) && message.contains("no data key ring at"), "{message}");
        assert!(!missing.exists(), "no second ring is made");
        options.data_keys = DataKeys::Ring(DataKeyRing::generate().unwrap());
        let err = Store::connect_with(&db.url, options).await.unwrap_err();
        assert!(matches!(err, StorageError::DataKey(_)), "{err}");
        assert!(err.to_string().contains(&format!("does not hold key {key}")), "{err}");
        db.finish().await;
    }
}

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 7;
    while bytes.len() < size {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

#[test]
fn evidence_files_are_sealed_on_disk_and_earlier_files_are_sealed_once() {
    let dir = tempfile::tempdir().unwrap();
    let ring = std::sync::Arc::new(DataKeyRing::generate().unwrap());
    let plain_store = EvidenceStore::new(dir.path());
    let store = EvidenceStore::new(dir.path()).with_keys(ring.clone());
    let on_disk = |sha: &str| std::fs::read(dir.path().join(&sha[..2]).join(&sha[2..])).unwrap();

    let content = pdf(4096);
    let stored = store.store(&content, "纪要.pdf").unwrap();
    let disk = on_disk(&stored.sha256);
    assert!(disk.starts_with(rectify_storage::sealed::FILE_MAGIC));
    for at in [0, 9, 100, 2000, 4000] {
        let part = &content[at..at + 32];
        assert!(!disk.windows(32).any(|w| w == part), "plaintext bytes {at}.. on disk");
    }
    assert_eq!(store.read(&stored.sha256).unwrap(), content);
    assert_eq!(store.media_type(&stored.sha256).unwrap(), "application/pdf");
    // A store without keys cannot read it, and says so.
    assert!(matches!(plain_store.read(&stored.sha256), Err(FileError::NoKeys(_))));

    // A file from before SM4 at rest: plaintext, read as it is, then sealed once.
    let earlier = plain_store.store(&pdf(2000), "旧.pdf").unwrap();
    assert_eq!(on_disk(&earlier.sha256), pdf(2000));
    assert_eq!(store.read(&earlier.sha256).unwrap(), pdf(2000));
    assert_eq!(store.seal_files().unwrap(), SealedFiles { sealed: 1, unchanged: 1 });
    assert!(on_disk(&earlier.sha256).starts_with(rectify_storage::sealed::FILE_MAGIC));
    assert_eq!(store.read(&earlier.sha256).unwrap(), pdf(2000));
    assert_eq!(store.seal_files().unwrap(), SealedFiles { sealed: 0, unchanged: 2 }, "never sealed twice");

    // A changed byte, and a sealed file moved to another address: clear errors.
    let path = dir.path().join(&stored.sha256[..2]).join(&stored.sha256[2..]);
    let mut changed = disk.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&path, &changed).unwrap();
    let err = store.read(&stored.sha256).unwrap_err();
    assert!(matches!(err, FileError::Sealed(SealError::Tampered { .. })), "{err}");
    let other = dir.path().join(&earlier.sha256[..2]).join(&earlier.sha256[2..]);
    std::fs::write(&other, &disk).unwrap();
    assert!(matches!(store.read(&earlier.sha256), Err(FileError::Sealed(SealError::Tampered { .. }))));
    // Files under the current key are not opened by the catch-up (only their first bytes read).
    assert_eq!(store.seal_files().unwrap(), SealedFiles { sealed: 0, unchanged: 2 });
    // A plaintext file that does not match its address is not sealed over: the catch-up stops.
    let wrong = "ab".repeat(32);
    std::fs::create_dir_all(dir.path().join("ab")).unwrap();
    std::fs::write(dir.path().join("ab").join(&wrong[2..]), pdf(100)).unwrap();
    let err = store.seal_files().unwrap_err();
    assert!(err.to_string().contains("does not match its address"), "{err}");
    assert_eq!(on_disk(&wrong), pdf(100));
}

/// What SM4-GCM costs here (debug builds are much slower than release; see the report).
#[test]
fn the_cost_of_sealing_is_printed() {
    let ring = DataKeyRing::generate().unwrap();
    let started = Instant::now();
    let sealed: Vec<(String, String)> = (0..1000)
        .map(|n| {
            let code = format!("R{n:05}");
            (
                ring.seal_text(&format!("feedback.name/{code}"), "王小明").unwrap(),
                ring.seal_text(&format!("feedback.contact/{code}"), "13800138000").unwrap(),
            )
        })
        .collect();
    let seal = started.elapsed();
    let started = Instant::now();
    for (n, (name, contact)) in sealed.iter().enumerate() {
        let code = format!("R{n:05}");
        assert_eq!(ring.open_text(&format!("feedback.name/{code}"), name).unwrap(), "王小明");
        assert_eq!(ring.open_text(&format!("feedback.contact/{code}"), contact).unwrap(), "13800138000");
    }
    let open = started.elapsed();
    let file = pdf(10 * 1024 * 1024);
    let started = Instant::now();
    let sealed_file = ring.seal_file("evidence/x", &file).unwrap();
    let seal_file = started.elapsed();
    let started = Instant::now();
    assert_eq!(ring.open_file("evidence/x", sealed_file).unwrap().len(), file.len());
    let open_file = started.elapsed();
    println!(
        "1,000 feedback rows (name + contact): seal {seal:?}, open {open:?}; 10 MiB evidence file: seal {seal_file:?}, \
         open {open_file:?}"
    );
}

/// A TOTP secret as authenticator apps show it (RFC 4648 base32).
const TOTP: &str = "JBSWY3DPEHPK3PXP";

async fn account(store: &Store, username: &str) -> UserId {
    let user = NewUser {
        username: username.into(),
        display_name: "审计员".into(),
        password_phc: "phc".into(),
        must_change_password: false,
        roles: vec![RoleGrant::everywhere(rectify_domain::roles::Role::AuditAdmin)],
    };
    store.create_user(&user, &Acting::system(), now()).await.unwrap()
}

async fn raw_totp(store: &Store, id: UserId) -> Option<String> {
    sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(id).fetch_one(store.pool()).await.unwrap()
}

async fn set_raw_totp(store: &Store, id: UserId, value: &str) {
    sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
        .bind(value.to_owned())
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
}

async fn opened_totp(store: &Store, id: UserId) -> Result<Option<String>, StorageError> {
    store.open_totp_secret(&store.get_user(id).await.unwrap().unwrap())
}

#[tokio::test]
async fn totp_secrets_are_stored_sealed_to_their_account_and_a_changed_one_is_refused() {
    for db in backends().await {
        let store = &db.store;
        let (a, b) = (account(store, "shen").await, account(store, "qian").await);
        store.set_totp(a, Some(TOTP), &Acting::system(), now()).await.unwrap();
        store.set_totp(b, Some("KRSXG5CTMVRXEZLU"), &Acting::system(), now()).await.unwrap();
        let column = raw_totp(store, a).await.unwrap();
        assert!(column.starts_with("sm4:") && !column.contains(TOTP), "{column}");
        assert_eq!(sealed::text_key_id(&column).unwrap(), store.data_keys().current_id());
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key_id FROM data_keys").fetch_all(store.pool()).await.unwrap();
        assert_eq!(keys, vec![store.data_keys().current_id()], "the sealing key is registered");
        assert_eq!(opened_totp(store, a).await.unwrap().as_deref(), Some(TOTP));
        let user = store.get_user(a).await.unwrap().unwrap();
        assert!(!format!("{user:?}").contains(TOTP) && !format!("{user:?}").contains(&column), "Debug hides it");
        // Nor does the audit trail of the enrolment hold it.
        let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 100 }).await.unwrap();
        assert!(entries.iter().all(|e| !format!("{e:?}").contains(TOTP)));

        // a's sealed secret copied into b's row does not open there.
        set_raw_totp(store, b, &column).await;
        let err = opened_totp(store, b).await.unwrap_err();
        assert!(matches!(err, StorageError::Sealed(SealError::Tampered { .. })), "{err}");
        // One hex digit changed.
        let last = column.chars().last().unwrap();
        let flipped = format!("{}{}", &column[..column.len() - 1], if last == '0' { '1' } else { '0' });
        set_raw_totp(store, a, &flipped).await;
        assert!(matches!(opened_totp(store, a).await, Err(StorageError::Sealed(SealError::Tampered { .. }))));
        // A changed secret under the current key is left alone by the start-up pass, which does
        // not stop the start.
        let again = db.reconnect().await;
        assert_eq!(raw_totp(&again, a).await.as_deref(), Some(flipped.as_str()));

        // Clearing stores nothing.
        store.set_totp(a, None, &Acting::system(), now()).await.unwrap();
        assert_eq!((raw_totp(store, a).await, opened_totp(store, a).await.unwrap()), (None, None));
        db.finish().await;
    }
}

#[tokio::test]
async fn plaintext_totp_secrets_are_sealed_once_at_the_next_start_and_re_sealed_after_rotation() {
    for db in backends().await {
        let store = &db.store;
        let (a, b, none) = (account(store, "shen").await, account(store, "qian").await, account(store, "zhao").await);
        // As the rows were before sealing: base32 in the column.
        set_raw_totp(store, a, TOTP).await;
        set_raw_totp(store, b, "KRSXG5CTMVRXEZLU").await;
        assert_eq!(opened_totp(store, a).await.unwrap().as_deref(), Some(TOTP), "read as it is until sealed");

        let again = db.reconnect().await;
        for (id, secret) in [(a, TOTP), (b, "KRSXG5CTMVRXEZLU")] {
            let column = raw_totp(&again, id).await.unwrap();
            assert!(column.starts_with("sm4:") && !column.contains(secret), "{column}");
            assert_eq!(opened_totp(&again, id).await.unwrap().as_deref(), Some(secret));
        }
        assert_eq!(raw_totp(&again, none).await, None, "no secret, nothing sealed");
        assert_eq!(again.totp_secrets_sealed_with(&again.data_keys().current_id()).await.unwrap(), 2);
        assert_eq!(audit_count(&again, "data.seal").await, 1, "one audited batch");
        let sealed_once = raw_totp(&again, a).await;
        // Idempotent.
        let third = db.reconnect().await;
        assert_eq!(audit_count(&third, "data.seal").await, 1);
        assert_eq!(raw_totp(&third, a).await, sealed_once, "not sealed twice");

        // After a rotation the next start re-seals under the new key; the old process still opens
        // it. A secret that does not open (a's, copied into zhao's row) is left as it is, logged,
        // and does not stop the start.
        set_raw_totp(&third, none, sealed_once.as_deref().unwrap()).await;
        let old_key = third.data_keys().current_id();
        let new_key = DataKeyRing::rotate(&data_key_file(&db)).unwrap();
        let rotated = db.reconnect().await;
        assert_eq!(rotated.totp_secrets_sealed_with(&new_key).await.unwrap(), 2);
        assert_eq!(rotated.totp_secrets_sealed_with(&old_key).await.unwrap(), 1);
        assert_eq!(raw_totp(&rotated, none).await, sealed_once, "left as it is");
        assert!(opened_totp(&rotated, none).await.is_err());
        assert_ne!(raw_totp(&rotated, a).await, sealed_once);
        assert_eq!(opened_totp(&rotated, a).await.unwrap().as_deref(), Some(TOTP));
        assert_eq!(opened_totp(store, b).await.unwrap().as_deref(), Some("KRSXG5CTMVRXEZLU"));
        rotated.verify_audit().await.unwrap();
        db.finish().await;
    }
}
