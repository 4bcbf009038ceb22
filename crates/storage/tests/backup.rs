//! Backup and restore: a filled database, backed up while it is open, restores into a fresh one
//! with the same ledger, audit trail, accounts, settings and evidence files; a restore never
//! writes into a database that holds data, never uses a damaged archive, and leaves nothing
//! behind when it fails half-way. Both backends, and SQLite into PostgreSQL.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rectify_domain::roles::Role;
use rectify_domain::*;
use rectify_storage::backup::{self, NOT_COPIED, NOT_COPIED_SQLITE, TABLES};
use rectify_storage::*;
use sm3::{Digest, Sm3};

mod common;

use common::{TestDb, backends};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-07-01T08:00:00Z").unwrap().to_utc()
}

fn dept() -> Acting {
    Acting { user_id: None, user_name: "办公室甲".into(), role: Role::Department, address: None }
}

fn ledger() -> Ledger {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ledger.json");
    Ledger::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A PNG file's bytes (the evidence store checks the content's type).
fn png(n: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(std::iter::repeat_n(n, 300));
    bytes
}

/// The TOTP secret of `fill`'s account (sealed at rest).
const TOTP: &str = "JBSWY3DPEHPK3PXP";

/// The contact of the citizen in `fill`'s feedback.
const CONTACT: &str = "13800138000";

/// Fills `store`: a ledger, progress with two evidence files (sealed), an account, the security
/// policy, a real-name feedback (its name and contact sealed).
async fn fill(store: &Store, evidence_dir: &Path) {
    let inspection = store.import_ledger(&ledger()).await.unwrap();
    let files = EvidenceStore::new(evidence_dir).with_keys(store.data_keys());
    let views = store.measure_workflows(inspection).await.unwrap();
    let open = views.values().find(|v| v.state != rectify_domain::workflow::MeasureState::Closed).unwrap();
    let mut evidence = Vec::new();
    for n in [1, 2] {
        let stored = files.store(&png(n), "照片.png").unwrap();
        evidence.push(Evidence {
            title: NonEmptyText::new(format!("现场照片{n}")).unwrap(),
            kind: Some("照片".into()),
            date: None,
            media_type: Some(stored.media_type.into()),
            size_bytes: Some(stored.size),
            sha256: Some(stored.sha256),
        });
    }
    let entry = ProgressEntry {
        date: PartialDate::day(2024, 6, 30).unwrap(),
        text: NonEmptyText::new("已完成整改").unwrap(),
        evidence,
    };
    store.add_progress(open.measure_id, &dept(), &entry, open.version, now()).await.unwrap();
    let user = NewUser {
        username: "liaison".into(),
        display_name: "联络员".into(),
        password_phc: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        must_change_password: true,
        roles: vec![RoleGrant::everywhere(Role::UnitLiaison)],
    };
    let id = store.create_user(&user, &Acting::system(), now()).await.unwrap();
    store.set_totp(id, Some(TOTP), &Acting::system(), now()).await.unwrap();
    store.set_security_policy(r#"{"lockout_threshold":4}"#, &Acting::system(), now()).await.unwrap();
    let unit = store.export_ledger(inspection).await.unwrap().unit.unwrap();
    let publication = NewPublication {
        inspection_id: inspection,
        unit: unit.clone(),
        title: "通报".into(),
        body_html: "<!DOCTYPE html><html><body><main><h1>通报</h1></main></body></html>".into(),
        body_markdown: "# 通报\n".into(),
    };
    store.publish_report(&publication, &Acting::system(), now()).await.unwrap();
    let feedback = NewFeedback {
        unit,
        inspection_id: None,
        submitter: Submitter::RealName { name: "王小明".into(), contact: CONTACT.into() },
        subject: "整改时限".into(),
        body: "建议公开整改台账的完成时限。".into(),
    };
    store.submit_feedback(&feedback, now()).await.unwrap();
}

/// Everything a restore must give back, read through the store.
async fn contents(store: &Store) -> serde_json::Value {
    let mut ledgers = Vec::new();
    for summary in store.list_inspections().await.unwrap() {
        ledgers.push(serde_json::to_value(store.export_ledger(summary.id).await.unwrap()).unwrap());
    }
    let audit = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 10_000 }).await.unwrap();
    let users: Vec<serde_json::Value> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            let totp = store.open_totp_secret(&u).unwrap();
            serde_json::json!([u.id, u.username, u.display_name, u.password_phc, u.roles.len(), totp])
        })
        .collect();
    let mut feedback = Vec::new();
    for unit in store.portal_units().await.unwrap() {
        for f in store.list_feedback(&unit, None).await.unwrap() {
            feedback.push(serde_json::json!([f.id, f.name, f.contact, f.subject]));
        }
    }
    serde_json::json!({
        "feedback": feedback,
        "ledgers": ledgers,
        "audit": audit,
        "users": users,
        "policy": store.security_policy().await.unwrap(),
    })
}

/// Every file under `dir`, by relative path, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn every_table_is_copied_or_left_out_for_a_reason() {
    for db in backends().await {
        let sql = match db.store.backend() {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            }
        };
        let mut tables: Vec<String> = sqlx::query_scalar(sql).fetch_all(db.store.pool()).await.unwrap();
        tables.sort();
        let own: &[(&str, &str)] = match db.store.backend() {
            Backend::Sqlite => NOT_COPIED_SQLITE,
            Backend::Postgres => &[],
        };
        let mut placed: Vec<String> =
            TABLES.iter().copied().chain(NOT_COPIED.iter().chain(own).map(|(t, _)| *t)).map(str::to_owned).collect();
        placed.sort();
        assert_eq!(tables, placed, "a new table needs its place in backup::TABLES or backup::NOT_COPIED");
        db.finish().await;
    }
}

async fn round_trip(source: &TestDb, target: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (evidence, restored_evidence) = (dir.path().join("evidence"), dir.path().join("restored-evidence"));
    fill(&source.store, &evidence).await;
    let archive = dir.path().join("backup.zip");
    let summary = source.store.backup(&archive, &evidence, &Acting::system(), now()).await.unwrap();
    assert_eq!(summary.manifest.evidence.len(), 2);
    assert!(summary.manifest.missing_evidence.is_empty());
    let before = contents(&source.store).await;
    assert_eq!(before["audit"][0]["action"], "backup.create", "the backup is recorded in the trail it copies");

    let restored = target.store.restore(&archive, &restored_evidence).await.unwrap();
    assert_eq!(restored.evidence_files, 2);
    assert_eq!(contents(&target.store).await, before);
    assert_eq!(target.store.verify_audit().await.unwrap(), source.store.verify_audit().await.unwrap());
    assert_eq!(files_under(&restored_evidence), files_under(&evidence));
    // The archive holds ciphertext; the restored database opens it with the same data key ring.
    assert_eq!(contents(&target.store).await["feedback"][0][2], CONTACT);
    assert_eq!(contents(&target.store).await["users"][0][5], TOTP, "the TOTP secret opens after the restore");
    let column: String =
        sqlx::query_scalar("SELECT totp_secret FROM users").fetch_one(target.store.pool()).await.unwrap();
    assert!(column.starts_with("sm4:") && !column.contains(TOTP), "{column}");
    let restored_files = EvidenceStore::new(&restored_evidence).with_keys(target.store.data_keys());
    for entry in &summary.manifest.evidence {
        let (_, on_disk) = files_under(&restored_evidence)
            .into_iter()
            .find(|(p, _)| p.to_string_lossy().replace('\\', "/") == entry.file["evidence/".len()..])
            .unwrap();
        assert!(on_disk.starts_with(rectify_storage::sealed::FILE_MAGIC), "sealed on disk and in the archive");
        let plain = restored_files.read(&entry.sha256).unwrap();
        assert!(plain == png(1) || plain == png(2));
    }

    // The restored database goes on: new ids follow the restored ones, new entries chain on.
    let id = target.store.import_ledger(&ledger()).await.unwrap();
    assert!(id > source.store.list_inspections().await.unwrap()[0].id);
    target.store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn a_backup_restores_into_a_fresh_database_as_it_was() {
    for source in backends().await {
        let target = source.empty_sibling().await;
        round_trip(&source, &target).await;
        target.finish().await;
        source.finish().await;
    }
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgresql() {
    let source = TestDb::sqlite().await;
    let Some(target) = TestDb::postgres_with(Some(source.key_file.clone())).await else { return };
    round_trip(&source, &target).await;
    target.finish().await;
    source.finish().await;
}

#[tokio::test]
async fn a_database_that_holds_data_is_never_restored_into() {
    for source in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let evidence = dir.path().join("evidence");
        fill(&source.store, &evidence).await;
        let archive = dir.path().join("b.zip");
        source.store.backup(&archive, &evidence, &Acting::system(), now()).await.unwrap();
        let before = contents(&source.store).await;
        let err = source.store.restore(&archive, &dir.path().join("other")).await.unwrap_err();
        assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
        assert_eq!(contents(&source.store).await, before);
        assert!(!dir.path().join("other").exists(), "no evidence file was written");
        source.finish().await;
    }
}

/// The archive's members with one changed by `edit` and, if `fix` is set, the checksums made
/// to match again (as someone who understands the format would), and signed again with `sign`
/// (as only someone holding the audit key could).
fn rewrite(
    archive: &Path,
    out: &Path,
    member: &str,
    edit: impl Fn(&str) -> String,
    fix: bool,
    sign: Option<&AuditKeyRing>,
) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut members = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        members.push((f.name().unwrap().into_owned(), bytes));
    }
    let hex = |b: &[u8]| Sm3::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    let original = std::str::from_utf8(&members.iter().find(|(n, _)| n == member).unwrap().1).unwrap().to_owned();
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit changes {member}");
    for (name, bytes) in &mut members {
        if name == member {
            *bytes = edited.clone().into_bytes();
        }
    }
    if fix {
        let manifest_at = members.iter().position(|(n, _)| n == "manifest.json").unwrap();
        let mut manifest: serde_json::Value = serde_json::from_slice(&members[manifest_at].1).unwrap();
        for t in manifest["tables"].as_array_mut().unwrap() {
            if t["file"] == member {
                t["sm3"] = hex(edited.as_bytes()).into();
            }
        }
        let text = serde_json::to_vec(&manifest).unwrap();
        members[manifest_at].1 = text.clone();
        for (name, bytes) in &mut members {
            if name == "manifest.sm3" {
                *bytes = hex(&text).into_bytes();
            }
            if let (Some(ring), "manifest.sig") = (sign, name.as_str()) {
                let (id, mac) = ring.sign(&text);
                *bytes = format!("{id} {mac}").into_bytes();
            }
        }
    }
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in members {
        w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
}

#[tokio::test]
async fn a_damaged_archive_is_refused_and_a_failed_restore_leaves_nothing() {
    for source in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let evidence = dir.path().join("evidence");
        fill(&source.store, &evidence).await;
        let archive = dir.path().join("b.zip");
        source.store.backup(&archive, &evidence, &Acting::system(), now()).await.unwrap();
        let target = source.empty_sibling().await;
        let restored_evidence = dir.path().join("restored");

        // A changed byte: the checksum catches it before anything is written.
        let damaged = dir.path().join("damaged.zip");
        rewrite(&archive, &damaged, "tables/settings.jsonl", |t| t.replacen("lockout", "lockin", 1), false, None);
        let err = target.store.restore(&damaged, &restored_evidence).await.unwrap_err();
        assert!(err.to_string().contains("does not match its checksum"), "{err}");
        assert!(!restored_evidence.exists());

        // A ledger row changed and the checksums made to match: the archive's signature (under
        // the audit key) no longer verifies.
        let resummed = dir.path().join("resummed.zip");
        let edit = |t: &str| t.replacen("lockout", "lockin", 1);
        rewrite(&archive, &resummed, "tables/settings.jsonl", edit, true, None);
        assert!(backup::verify_archive(&resummed).is_ok(), "the re-summed archive passes its checksums");
        let err = target.store.restore(&resummed, &restored_evidence).await.unwrap_err();
        assert!(err.to_string().contains("signature does not verify"), "{err}");
        assert!(!restored_evidence.exists());

        // Even signed again with the key, an audit entry altered without re-computing the chain
        // is refused: the archive's trail is verified before anything is written.
        let forged = dir.path().join("forged.zip");
        let keys = Some(source.store.audit_keys());
        rewrite(&archive, &forged, "tables/audit_log.jsonl", |t| t.replacen(r#""system""#, r#""某人""#, 1), true, keys);
        let err = target.store.restore(&forged, &restored_evidence).await.unwrap_err();
        assert!(err.to_string().contains("audit trail is broken at entry 1"), "{err}");
        assert!(!restored_evidence.exists());

        // A row that names a measure that is not there: the database refuses it half-way through
        // the copy (after the inspections and the evidence files); nothing stays.
        let dangling = dir.path().join("dangling.zip");
        rewrite(
            &archive,
            &dangling,
            "tables/progress_entries.jsonl",
            |t| {
                let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
                let names: Vec<String> = serde_json::from_str(&lines[0]).unwrap();
                let at = names.iter().position(|n| n == "measure_id").unwrap();
                let mut row: Vec<serde_json::Value> = serde_json::from_str(&lines[1]).unwrap();
                row[at] = 999_999.into();
                lines[1] = serde_json::to_string(&row).unwrap();
                lines.join("\n") + "\n"
            },
            true,
            keys,
        );
        let err = target.store.restore(&dangling, &restored_evidence).await.unwrap_err();
        assert!(matches!(err, BackupError::Storage(_)), "{err}");
        assert!(target.store.list_inspections().await.unwrap().is_empty());
        assert!(target.store.list_users().await.unwrap().is_empty());
        assert_eq!(target.store.verify_audit().await.unwrap().entries, 0);
        assert!(files_under(&restored_evidence).is_empty(), "the evidence files written are removed");

        // The good archive still restores into the same database afterwards.
        target.store.restore(&archive, &restored_evidence).await.unwrap();
        assert_eq!(contents(&target.store).await, contents(&source.store).await);
        target.finish().await;
        source.finish().await;
    }
}

/// A backup taken while a writer goes on is one consistent state: in the restored copy every
/// progress entry has its audit entry and no audit entry lacks its change, and the trail ends
/// where the manifest says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_is_one_consistent_state() {
    for source in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let evidence = dir.path().join("evidence");
        fill(&source.store, &evidence).await;
        let inspection = source.store.list_inspections().await.unwrap()[0].id;
        let views = source.store.measure_workflows(inspection).await.unwrap();
        let open = views.values().find(|v| v.state != rectify_domain::workflow::MeasureState::Closed).unwrap().clone();
        let (started, fifty_written) = tokio::sync::oneshot::channel();
        let writer = {
            let store = source.store.clone();
            tokio::spawn(async move {
                let mut version = open.version;
                let mut started = Some(started);
                for i in 0..300 {
                    if i == 50
                        && let Some(signal) = started.take()
                    {
                        let _ = signal.send(());
                    }
                    let entry = ProgressEntry {
                        date: PartialDate::day(2024, 7, 1).unwrap(),
                        text: NonEmptyText::new(format!("第{i}次推进")).unwrap(),
                        evidence: vec![],
                    };
                    version =
                        store.add_progress(open.measure_id, &dept(), &entry, version, now()).await.unwrap().version;
                }
            })
        };
        fifty_written.await.unwrap();
        let archive = dir.path().join("during.zip");
        let summary = source.store.backup(&archive, &evidence, &Acting::system(), now()).await.unwrap();
        writer.await.unwrap();

        let target = source.empty_sibling().await;
        target.store.restore(&archive, &dir.path().join("restored")).await.unwrap();
        let check = target.store.verify_audit().await.unwrap();
        assert_eq!(check.entries as i64, summary.manifest.audit.entries);
        let restored = target.store.export_ledger(inspection).await.unwrap();
        let progress: usize = restored.measures().map(|m| m.progress.len()).sum();
        let filter = AuditFilter { action: Some("measure.add_progress".into()), ..AuditFilter::default() };
        let audited = target.store.list_audit(&filter, Page { offset: 0, limit: 500 }).await.unwrap().len();
        let imported: usize = ledger().measures().map(|m| m.progress.len()).sum();
        assert_eq!(progress, imported + audited, "every restored progress entry has its audit entry, and no more");
        assert!(audited > 50, "the backup came after the first 50 writes ({audited})");
        target.finish().await;
        source.finish().await;
    }
}

#[tokio::test]
async fn a_restore_without_the_backed_up_data_key_ring_is_refused_and_leaves_nothing() {
    let source = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    fill(&source.store, &evidence).await;
    let archive = dir.path().join("b.zip");
    source.store.backup(&archive, &evidence, &Acting::system(), now()).await.unwrap();
    let url = format!("sqlite:{}", dir.path().join("target.db").display());
    let mut options = common::options_for(&source.key_file);
    options.data_keys = DataKeys::Ring(DataKeyRing::generate().unwrap());
    let target = Store::connect_with(&url, options).await.unwrap();
    let restored_evidence = dir.path().join("restored");
    let err = target.restore(&archive, &restored_evidence).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&source.store.data_keys().current_id()) && message.contains("data key ring"), "{message}");
    assert!(target.is_empty().await.unwrap());
    assert!(files_under(&restored_evidence).is_empty(), "the evidence files written are removed");
    source.finish().await;
}
