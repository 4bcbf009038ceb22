//! Backup and restore (数据备份与恢复): one archive holding the database, the evidence files and
//! the settings, written while the server runs, restored into an empty database all or nothing.
//!
//! The archive is a zip file:
//!
//! | member | holds |
//! |---|---|
//! | `manifest.json` | format and version, when and from which backend, the schema version, each table with its row count, each evidence file, the audit trail's length, end and key ids, and the SM3 of every other member |
//! | `manifest.sm3` | the SM3 of `manifest.json` |
//! | `manifest.sig` | the id of an audit key and the HMAC-SM3 of `manifest.json` under it: the archive was written by this system, and nothing in it changed since |
//! | `tables/NAME.jsonl` | one table: a first line with the column names, then one JSON array per row (integers, strings, nulls) |
//! | `evidence/ab/cdef…` | each evidence file the database names, under its SHA-256 as the evidence store keeps it |
//!
//! **One format for both databases**: a logical copy of every table, read in ONE read transaction
//! (SQLite: a WAL snapshot; PostgreSQL: `REPEATABLE READ READ ONLY`), so the copy is one
//! consistent state while writers go on, and a SQLite backup restores into PostgreSQL and back.
//! No tool outside the binary is needed (`pg_dump` would tie a backup to one backend and to the
//! server's major version). Evidence files are content-addressed and written before the rows
//! that name them, and never changed, so the files named by the snapshot are all there to copy
//! after it.
//!
//! Not in a backup: live sessions (a restored system signs everyone in again), the per-unit
//! version counters (kept by triggers), the migration bookkeeping, and the audit key ring (kept
//! apart on purpose: see SECURITY.md).
//!
//! **Restore** checks every checksum first, then refuses any database that holds data, writes
//! the evidence files, and copies every table in ONE transaction; if anything fails, the
//! transaction is rolled back and the evidence files it added are removed. The audit entries are
//! copied as they are (their triggers still check every link), so the restored trail verifies
//! with the key ring of the backed-up database.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditRecord, timestamp};
use crate::codec::hex;
use crate::{Acting, Backend, StorageError, Store};

/// The `format` of a manifest.
pub const FORMAT: &str = "rectify-backup";
/// The version of the archive's layout.
pub const FORMAT_VERSION: u32 = 1;

/// The tables copied, in an order in which every row's references are already restored.
pub const TABLES: &[&str] = &[
    "rounds",
    "inspections",
    "round_groups",
    "round_group_units",
    "inspection_drafts",
    "organisation_names",
    "organisation_members",
    "aspects",
    "problems",
    "measures",
    "progress_entries",
    "evidence",
    "rules",
    "funds",
    "accountability",
    "meetings",
    "meeting_problems",
    "users",
    "user_roles",
    "password_history",
    "measure_workflow",
    "reminders",
    "supervision_notices",
    "responsibility_history",
    "lookbacks",
    "lookback_items",
    "audit_log",
    "published_reports",
    "feedback",
    "feedback_unit_settings",
    "settings",
    "score_sheets",
    "evaluation_adjustments",
    "notifications",
    "notification_addresses",
    "indicators",
    "indicator_readings",
    "data_keys",
    "spot_objects",
    "spot_inspectors",
    "spot_rounds",
    "spot_items",
];

/// The tables deliberately left out, and why; every table of the schema is in one of the lists
/// (a test holds that, so a new table must be placed).
pub const NOT_COPIED: &[(&str, &str)] = &[
    ("sessions", "live sessions are not restored: everyone signs in again"),
    ("login_failures", "transient sign-in failure counters"),
    ("inspection_versions", "kept by triggers as the rows are restored"),
    ("catalog_version", "kept by triggers as the rows are restored"),
    ("audit_head", "moved by the audit trigger as the entries are restored; checked against the manifest"),
    ("notification_outbox", "the outbound delivery queue: a restored system does not send old messages again"),
    ("_sqlx_migrations", "the restored database is migrated by connecting"),
    ("search_index", "derived from the ledgers and feedback: rebuilt when found empty (Store::ensure_search_index)"),
];

/// SQLite's own tables left out too: the full-text index over `search_index` (FTS5 keeps it in
/// these), rebuilt with it.
pub const NOT_COPIED_SQLITE: &[(&str, &str)] = &[
    ("search_fts", "SQLite's full-text index over search_index"),
    ("search_fts_data", "part of search_fts"),
    ("search_fts_idx", "part of search_fts"),
    ("search_fts_docsize", "part of search_fts"),
    ("search_fts_config", "part of search_fts"),
];

/// The largest manifest read (a manifest lists files and tables, not data).
const MANIFEST_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What went wrong with a backup or a restore.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The archive is not a backup of this kind, is damaged or was altered.
    #[error("the backup archive is unusable: {0}")]
    BadArchive(String),
    /// Restore goes into an empty database only.
    #[error("the database is not empty ({0}); restore into a new, empty database")]
    NotEmpty(String),
    /// Reading or writing a file.
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Storage(e.into())
    }
}

fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> BackupError {
    BackupError::Io(format!("{what}: {e}"))
}

fn bad(message: impl Into<String>) -> BackupError {
    BackupError::BadArchive(message.into())
}

/// The table of contents of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The `rectify` version that wrote it.
    pub written_by: String,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    /// The highest migration applied to the backed-up database.
    pub schema_version: i64,
    pub tables: Vec<TableEntry>,
    pub evidence: Vec<EvidenceEntry>,
    /// Evidence files the database names but the evidence directory did not hold.
    pub missing_evidence: Vec<String>,
    pub audit: AuditSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    /// The member holding it.
    pub file: String,
    /// SM3 of the member's bytes, hex.
    pub sm3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceEntry {
    /// The file's address in the evidence store.
    pub sha256: String,
    pub file: String,
    pub bytes: u64,
    pub sm3: String,
}

/// The audit trail as backed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSummary {
    pub entries: i64,
    /// The hash of the last entry (`audit_head`).
    pub head_hash: String,
    /// The keys that signed entries, oldest first: a restore needs a key ring holding them.
    pub key_ids: Vec<String>,
    /// How many entries were written before the chain was keyed.
    pub unsigned_entries: i64,
}

/// Where a backup's rows and files went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub manifest: Manifest,
    pub bytes: u64,
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub rows: u64,
    pub evidence_files: usize,
    pub audit_entries: i64,
}

impl Store {
    /// Writes a backup of the whole database and of the evidence files it names (under
    /// `evidence_dir`) to `out`, atomically (written beside, then renamed). The backup is
    /// recorded in the audit trail first, so the archive holds its own record.
    pub async fn backup(
        &self,
        out: &Path,
        evidence_dir: &Path,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<BackupSummary, BackupError> {
        let record = AuditRecord::new(actor, "backup.create", "database", None, now)
            .after(serde_json::json!({ "archive": out.file_name().map(|n| n.to_string_lossy().into_owned()) }));
        self.record_security_event(&record).await?;

        let partial = partial_path(out)?;
        let result = self.write_archive(&partial, evidence_dir, now).await;
        match result {
            Ok(manifest) => {
                std::fs::rename(&partial, out).map_err(|e| {
                    let _ = std::fs::remove_file(&partial);
                    io(out.display(), e)
                })?;
                let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
                Ok(BackupSummary { manifest, bytes })
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    async fn write_archive(
        &self,
        path: &Path,
        evidence_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<Manifest, BackupError> {
        let file = std::fs::File::create(path).map_err(|e| io(path.display(), e))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);

        let mut reader = self.readers.acquire().await?;

        let mut tx = reader.begin_read().await?;
        let schema_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut *tx).await?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for &table in TABLES {
            let member = format!("tables/{table}.jsonl");
            zip.start_file(member.as_str(), deflated).map_err(|e| io(&member, e))?;
            let mut sink = Sm3Writer::new(&mut zip);
            let rows = dump_table(&mut tx, table, &mut sink).await?;
            let sm3 = sink.finish();
            tables.push(TableEntry { name: table.to_owned(), rows, file: member, sm3 });
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let key_ids: Vec<Option<String>> =
            sqlx::query_scalar("SELECT key_id FROM audit_log GROUP BY key_id ORDER BY MIN(seq)")
                .fetch_all(&mut *tx)
                .await?;
        let unsigned: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE key_id IS NULL").fetch_one(&mut *tx).await?;
        let named: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT sha256 FROM evidence WHERE sha256 IS NOT NULL ORDER BY 1")
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        let audit = AuditSummary {
            entries: head.try_get("seq")?,
            head_hash: head.try_get("hash")?,
            key_ids: key_ids.into_iter().flatten().collect(),
            unsigned_entries: unsigned,
        };

        // The files named by the snapshot were written before the rows that name them.
        let mut evidence = Vec::new();
        let mut missing_evidence = Vec::new();
        for sha256 in named {
            let Some(relative) = evidence_path(&sha256) else {
                missing_evidence.push(sha256);
                continue;
            };
            let source = evidence_dir.join(&relative);
            let mut file = match std::fs::File::open(&source) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    missing_evidence.push(sha256);
                    continue;
                }
                Err(e) => return Err(io(source.display(), e)),
            };
            let member = format!("evidence/{}", relative.to_string_lossy().replace('\\', "/"));
            zip.start_file(member.as_str(), stored).map_err(|e| io(&member, e))?;
            let mut sink = Sm3Writer::new(&mut zip);
            let bytes = std::io::copy(&mut file, &mut sink).map_err(|e| io(source.display(), e))?;
            evidence.push(EvidenceEntry { sha256, file: member, bytes, sm3: sink.finish() });
        }

        let manifest = Manifest {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            created_at: timestamp(now),
            written_by: env!("CARGO_PKG_VERSION").to_owned(),
            source_backend: backend_name(self.backend()).to_owned(),
            schema_version: schema_version.unwrap_or(0),
            tables,
            evidence,
            missing_evidence,
            audit,
        };
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| io("manifest", e))?;
        zip.start_file("manifest.json", deflated).map_err(|e| io("manifest.json", e))?;
        zip.write_all(&text).map_err(|e| io("manifest.json", e))?;
        zip.start_file("manifest.sm3", deflated).map_err(|e| io("manifest.sm3", e))?;
        zip.write_all(format!("{}\n", hex(&Sm3::digest(&text))).as_bytes()).map_err(|e| io("manifest.sm3", e))?;
        let (key_id, mac) = self.audit_keys.sign(&text);
        zip.start_file("manifest.sig", deflated).map_err(|e| io("manifest.sig", e))?;
        zip.write_all(format!("{key_id} {mac}\n").as_bytes()).map_err(|e| io("manifest.sig", e))?;
        let writer = zip.finish().map_err(|e| io(path.display(), e))?;
        let file = writer.into_inner().map_err(|e| io(path.display(), e.error()))?;
        file.sync_all().map_err(|e| io(path.display(), e))?;
        Ok(manifest)
    }

    /// Restores the archive at `path` (checked with [`verify_archive`] first) into this store,
    /// which must hold no data, and its evidence files under `evidence_dir`. All or nothing.
    pub async fn restore(&self, path: &Path, evidence_dir: &Path) -> Result<RestoreSummary, BackupError> {
        let manifest = verify_archive(path)?;
        let missing: Vec<&str> =
            manifest.audit.key_ids.iter().map(String::as_str).filter(|id| !self.audit_keys.holds(id)).collect();
        if !missing.is_empty() {
            return Err(StorageError::AuditKey(format!(
                "the backed-up audit trail is signed with key(s) {} that the key ring in use does not hold; \
                 use the key ring of the backed-up database (RECTIFY_AUDIT_KEY_FILE)",
                missing.join(", ")
            ))
            .into());
        }
        let target_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&self.readers).await?;
        if manifest.schema_version > target_version.unwrap_or(0) {
            return Err(bad(format!(
                "it was written at schema version {}, newer than this program's {}",
                manifest.schema_version,
                target_version.unwrap_or(0)
            )));
        }
        self.refuse_unless_empty().await?;

        let file = std::fs::File::open(path).map_err(|e| io(path.display(), e))?;
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad(e.to_string()))?;
        check_signature(&mut zip, &self.audit_keys)?;
        check_archived_chain(&mut zip, &manifest, &self.audit_keys)?;
        let added = restore_evidence(&mut zip, &manifest, evidence_dir)?;
        let result = self.restore_tables(&mut zip, &manifest).await;
        match result {
            Ok(rows) => Ok(RestoreSummary {
                rows,
                evidence_files: manifest.evidence.len(),
                audit_entries: manifest.audit.entries,
            }),
            Err(e) => {
                for file in added {
                    let _ = std::fs::remove_file(file);
                }
                Err(e)
            }
        }
    }

    async fn refuse_unless_empty(&self) -> Result<(), BackupError> {
        let mut conn = self.readers.acquire().await?;
        refuse_unless_empty(&mut conn).await
    }

    async fn restore_tables<R: Read + Seek>(
        &self,
        zip: &mut zip::ZipArchive<R>,
        manifest: &Manifest,
    ) -> Result<u64, BackupError> {
        let mut tx = self.begin_long_write().await?;
        refuse_unless_empty(&mut tx).await?;
        let mut rows = 0;
        for entry in &manifest.tables {
            let member = zip.by_name(&entry.file).map_err(|e| bad(format!("{}: {e}", entry.file)))?;
            let restored = restore_table(&mut tx, self.backend(), &entry.name, BufReader::new(member)).await?;
            if restored != entry.rows {
                return Err(bad(format!("{} holds {restored} rows, the manifest says {}", entry.file, entry.rows)));
            }
            rows += restored;
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let (seq, hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        if seq != manifest.audit.entries || hash != manifest.audit.head_hash {
            return Err(bad(format!(
                "the restored audit trail ends at entry {seq}, the manifest says {}",
                manifest.audit.entries
            )));
        }
        // Sealed names, contacts and evidence files need the keys that sealed them: without the
        // backed-up database's data key ring the restore is refused, rolled back.
        let data_keys: Vec<String> = sqlx::query_scalar("SELECT key_id FROM data_keys").fetch_all(&mut *tx).await?;
        let missing: Vec<&str> = data_keys.iter().map(String::as_str).filter(|id| !self.data_keys.holds(id)).collect();
        if !missing.is_empty() {
            return Err(StorageError::DataKey(format!(
                "the backup's personal data and evidence files are sealed with data key(s) {} that the data key ring \
                 in use does not hold; use the data key ring of the backed-up database ({})",
                missing.join(", "),
                crate::sealed::KEY_FILE_ENV
            ))
            .into());
        }
        // The restored entries are the backup's own, copied as they are: the one write that
        // commits without appending an entry of its own.
        tx.commit_verbatim().await?;
        Ok(rows)
    }
}

/// Reads the manifest of the archive at `path` and checks the SM3 of every member it names
/// against it, and the manifest's own; nothing is written.
pub fn verify_archive(path: &Path) -> Result<Manifest, BackupError> {
    let file = std::fs::File::open(path).map_err(|e| io(path.display(), e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad(e.to_string()))?;
    let mut text = Vec::new();
    zip.by_name("manifest.json")
        .map_err(|_| bad("it has no manifest.json: not a rectify backup"))?
        .take(MANIFEST_MAX_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| bad(format!("manifest.json: {e}")))?;
    let mut recorded = String::new();
    zip.by_name("manifest.sm3")
        .map_err(|_| bad("it has no manifest.sm3"))?
        .take(1024)
        .read_to_string(&mut recorded)
        .map_err(|e| bad(format!("manifest.sm3: {e}")))?;
    if recorded.trim() != hex(&Sm3::digest(&text)) {
        return Err(bad("manifest.json does not match its checksum"));
    }
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| bad(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT || manifest.version != FORMAT_VERSION {
        return Err(bad(format!(
            "format {} version {} is not {FORMAT} {FORMAT_VERSION}",
            manifest.format, manifest.version
        )));
    }
    let mut seen = BTreeSet::new();
    for entry in &manifest.tables {
        if !TABLES.contains(&entry.name.as_str()) || entry.file != format!("tables/{}.jsonl", entry.name) {
            return Err(bad(format!("the manifest names an unknown table {:?}", entry.name)));
        }
        if !seen.insert(entry.name.as_str()) {
            return Err(bad(format!("the manifest names table {} twice", entry.name)));
        }
        check_member(&mut zip, &entry.file, &entry.sm3)?;
    }
    if let Some(table) = TABLES.iter().find(|t| !seen.contains(**t)) {
        return Err(bad(format!("table {table} is missing")));
    }
    for entry in &manifest.evidence {
        let expected =
            evidence_path(&entry.sha256).map(|p| format!("evidence/{}", p.to_string_lossy().replace('\\', "/")));
        if expected.as_deref() != Some(entry.file.as_str()) {
            return Err(bad(format!("the manifest names an evidence file at {:?}", entry.file)));
        }
        check_member(&mut zip, &entry.file, &entry.sm3)?;
    }
    Ok(manifest)
}

/// Checks `manifest.sig`: the manifest (and through its checksums every member) signed with a
/// key of the ring. An archive altered and re-summed by someone without the key is refused.
fn check_signature<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    ring: &crate::AuditKeyRing,
) -> Result<(), BackupError> {
    let mut text = Vec::new();
    zip.by_name("manifest.json")
        .map_err(|_| bad("it has no manifest.json"))?
        .take(MANIFEST_MAX_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| bad(format!("manifest.json: {e}")))?;
    let mut signature = String::new();
    zip.by_name("manifest.sig")
        .map_err(|_| bad("it has no manifest.sig"))?
        .take(1024)
        .read_to_string(&mut signature)
        .map_err(|e| bad(format!("manifest.sig: {e}")))?;
    let (key_id, mac) = signature.trim().split_once(' ').ok_or_else(|| bad("manifest.sig is malformed"))?;
    match ring.mac(key_id, &text) {
        Some(expected) if expected == mac => Ok(()),
        Some(_) => Err(bad("its signature does not verify: the archive was altered")),
        None => Err(StorageError::AuditKey(format!(
            "the archive is signed with audit key {key_id}, which the key ring in use does not hold; \
             use the key ring of the backed-up database (RECTIFY_AUDIT_KEY_FILE)"
        ))
        .into()),
    }
}

/// Verifies the archive's audit trail (numbers, links, signatures, end) before anything is
/// written: the checksums prove the archive unchanged since it was written, the chain proves
/// the entries were the application's.
fn check_archived_chain<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    manifest: &Manifest,
    ring: &crate::AuditKeyRing,
) -> Result<(), BackupError> {
    let member = zip.by_name("tables/audit_log.jsonl").map_err(|e| bad(format!("tables/audit_log.jsonl: {e}")))?;
    let mut lines = BufReader::new(member).lines();
    let header = lines.next().ok_or_else(|| bad("the audit table has no header"))?.map_err(|e| bad(e.to_string()))?;
    let names: Vec<String> = serde_json::from_str(&header).map_err(|e| bad(format!("audit table: {e}")))?;
    let mut check = crate::audit::ChainCheck::new(ring);
    for line in lines {
        let line = line.map_err(|e| bad(e.to_string()))?;
        let values: Vec<serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| bad(format!("audit table: {e}")))?;
        let row: serde_json::Map<String, serde_json::Value> = names.iter().cloned().zip(values).collect();
        let entry: crate::AuditEntry =
            serde_json::from_value(serde_json::Value::Object(row)).map_err(|e| bad(format!("audit table: {e}")))?;
        check.next(&entry).map_err(|broken| bad(format!("its audit trail is broken: {broken}")))?;
    }
    check
        .finish(manifest.audit.entries, &manifest.audit.head_hash)
        .map_err(|broken| bad(format!("its audit trail is broken: {broken}")))?;
    Ok(())
}

fn check_member<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str, sm3: &str) -> Result<(), BackupError> {
    let mut member = zip.by_name(name).map_err(|_| bad(format!("{name} is missing")))?;
    let mut sink = Sm3Writer::new(std::io::sink());
    std::io::copy(&mut member, &mut sink).map_err(|e| bad(format!("{name}: {e}")))?;
    if sink.finish() != sm3 {
        return Err(bad(format!("{name} does not match its checksum")));
    }
    Ok(())
}

/// Writes the evidence files of the archive under `root`; returns the files added (those that
/// were not there with the same content already), for removal if the restore fails.
fn restore_evidence<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    manifest: &Manifest,
    root: &Path,
) -> Result<Vec<PathBuf>, BackupError> {
    let mut added: Vec<PathBuf> = Vec::new();
    let result = (|| {
        for entry in &manifest.evidence {
            let relative = evidence_path(&entry.sha256).ok_or_else(|| bad("an evidence address is malformed"))?;
            let target = root.join(relative);
            if target.exists() {
                // Content-addressed: a file there already holds these bytes (or is damaged, which
                // the evidence store's readers see as before).
                continue;
            }
            let dir = target.parent().unwrap_or(root);
            std::fs::create_dir_all(dir).map_err(|e| io(dir.display(), e))?;
            let tmp = dir.join(format!(".restore-{}-{}", std::process::id(), entry.sha256));
            let mut member = zip.by_name(&entry.file).map_err(|e| bad(format!("{}: {e}", entry.file)))?;
            let written = std::fs::File::create(&tmp)
                .and_then(|mut f| std::io::copy(&mut member, &mut f).and_then(|_| f.sync_all()))
                .and_then(|()| std::fs::rename(&tmp, &target));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return Err(io(target.display(), e));
            }
            added.push(target);
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(added),
        Err(e) => {
            for file in added {
                let _ = std::fs::remove_file(file);
            }
            Err(e)
        }
    }
}

/// `ab/cdef…` for a well-formed SHA-256 (as the evidence store lays files out), else `None`.
fn evidence_path(sha256: &str) -> Option<PathBuf> {
    let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match (well_formed, sha256.get(..2), sha256.get(2..)) {
        (true, Some(dir), Some(rest)) => Some(Path::new(dir).join(rest)),
        _ => None,
    }
}

async fn refuse_unless_empty(conn: &mut AnyConnection) -> Result<(), BackupError> {
    for &table in TABLES {
        let any: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {table} LIMIT 1")))
            .fetch_optional(&mut *conn)
            .await?;
        if any.is_some() {
            return Err(BackupError::NotEmpty(format!("table {table} holds rows")));
        }
    }
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1").fetch_optional(&mut *conn).await?;
    if seq.unwrap_or(0) != 0 {
        return Err(BackupError::NotEmpty("the audit trail is not empty".to_owned()));
    }
    Ok(())
}

/// Writes one table as JSON lines to `out`; returns the number of rows.
async fn dump_table(conn: &mut AnyConnection, table: &str, out: &mut impl Write) -> Result<u64, BackupError> {
    let columns = column_types(conn, table).await?;
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let header = serde_json::to_string(&names).map_err(|e| io(table, e))?;
    writeln!(out, "{header}").map_err(|e| io(table, e))?;
    let sql = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut count = 0_u64;
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (name, kind)) in columns.iter().enumerate() {
            let value = match kind {
                Kind::Integer => row.try_get::<Option<i64>, _>(i).map(|v| v.map(serde_json::Value::from)),
                Kind::Text => row.try_get::<Option<String>, _>(i).map(|v| v.map(serde_json::Value::from)),
            }
            .map_err(|e| StorageError::corrupt(format!("{table}.{name}"), e))?;
            values.push(value.unwrap_or(serde_json::Value::Null));
        }
        let line = serde_json::to_string(&values).map_err(|e| io(table, e))?;
        writeln!(out, "{line}").map_err(|e| io(table, e))?;
        count += 1;
    }
    Ok(count)
}

/// Reads one table's JSON lines and inserts its rows; returns how many.
async fn restore_table(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    input: impl BufRead,
) -> Result<u64, BackupError> {
    let target = column_types(conn, table).await?;
    let mut lines = input.lines();
    let header =
        lines.next().ok_or_else(|| bad(format!("table {table} has no header")))?.map_err(|e| bad(e.to_string()))?;
    let names: Vec<String> = serde_json::from_str(&header).map_err(|e| bad(format!("table {table}: {e}")))?;
    let mut kinds = Vec::with_capacity(names.len());
    for name in &names {
        let kind = target
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
            .ok_or_else(|| bad(format!("table {table} has no column {name} in this version")))?;
        kinds.push(kind);
    }
    let identity = match backend {
        Backend::Postgres => identity_columns(conn, table).await?,
        Backend::Sqlite => Vec::new(),
    };
    let overriding = if identity.is_empty() { "" } else { " OVERRIDING SYSTEM VALUE" };
    let placeholders: Vec<String> = (1..=names.len()).map(|n| format!("${n}")).collect();
    let sql = format!("INSERT INTO {table} ({}){overriding} VALUES ({})", names.join(", "), placeholders.join(", "));
    let mut count = 0_u64;
    for line in lines {
        let line = line.map_err(|e| bad(format!("table {table}: {e}")))?;
        let values: Vec<serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| bad(format!("table {table} row {}: {e}", count + 1)))?;
        if values.len() != names.len() {
            return Err(bad(format!(
                "table {table} row {} has {} values for {} columns",
                count + 1,
                values.len(),
                names.len()
            )));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (value, kind) in values.into_iter().zip(&kinds) {
            query = match (kind, value) {
                (Kind::Integer, serde_json::Value::Null) => query.bind(None::<i64>),
                (Kind::Text, serde_json::Value::Null) => query.bind(None::<String>),
                (Kind::Integer, serde_json::Value::Number(n)) => {
                    query.bind(n.as_i64().ok_or_else(|| bad(format!("table {table}: {n} is not an integer")))?)
                }
                (Kind::Text, serde_json::Value::String(s)) => query.bind(s),
                (_, other) => return Err(bad(format!("table {table} row {}: unexpected value {other}", count + 1))),
            };
        }
        query.execute(&mut *conn).await?;
        count += 1;
    }
    for column in identity {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    }
    Ok(count)
}

/// How a column's values are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
}

/// The columns of `table` in the schema, in order, with their kind.
async fn column_types(conn: &mut AnyConnection, table: &str) -> Result<Vec<(String, Kind)>, BackupError> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
    } else {
        "SELECT name, type FROM pragma_table_info($1) ORDER BY cid"
    };
    let rows = sqlx::query(sql).bind(table.to_owned()).fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Err(StorageError::corrupt(table, "the table is missing").into());
    }
    rows.iter()
        .map(|row| {
            let name: String = row.try_get("name")?;
            let declared: String = row.try_get("type")?;
            let kind = if declared.to_ascii_uppercase().contains("INT") { Kind::Integer } else { Kind::Text };
            Ok((name, kind))
        })
        .collect()
}

/// PostgreSQL's identity columns of `table`, whose sequences follow the restored ids.
async fn identity_columns(conn: &mut AnyConnection, table: &str) -> Result<Vec<String>, BackupError> {
    Ok(sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
    )
    .bind(table.to_owned())
    .fetch_all(&mut *conn)
    .await?)
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// `.NAME.partial` beside `out`.
fn partial_path(out: &Path) -> Result<PathBuf, BackupError> {
    let name = out.file_name().ok_or_else(|| BackupError::Io(format!("{} is not a file name", out.display())))?;
    Ok(out.with_file_name(format!(".{}.partial", name.to_string_lossy())))
}

/// A writer that passes bytes on and computes their SM3.
struct Sm3Writer<W: Write> {
    inner: W,
    hash: Sm3,
}

impl<W: Write> Sm3Writer<W> {
    fn new(inner: W) -> Self {
        Sm3Writer { inner, hash: Sm3::new() }
    }

    fn finish(self) -> String {
        hex(&self.hash.finalize())
    }
}

impl<W: Write> Write for Sm3Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
