//! Audit retention (审计记录留存 ≥ 184 days, `audit::RETENTION_DAYS`): no entry can be deleted or
//! changed through the database, whatever its age, and no code of the project deletes entries.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use rectify_domain::roles::Role;
use rectify_storage::audit::RETENTION_DAYS;
use rectify_storage::*;

mod common;

use common::backends;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-01T08:00:00Z").unwrap().to_utc()
}

#[tokio::test]
async fn no_audit_entry_can_be_deleted_or_changed_whatever_its_age() {
    let retention = TimeDelta::days(i64::from(RETENTION_DAYS));
    for db in backends().await {
        let actor =
            Acting { user_id: None, user_name: "审计管理员".into(), role: Role::AuditAdmin, address: None };
        // Entries a day, just under and well over the retention period old.
        for age in [TimeDelta::days(1), retention - TimeDelta::days(1), retention + TimeDelta::days(100)] {
            let record = AuditRecord::new(&actor, "login.ok", "user", Some(1), now() - age);
            db.store.record_security_event(&record).await.unwrap();
        }
        let cutoff = audit::AuditFilter { until: Some(now() - retention), ..AuditFilter::default() };
        assert_eq!(
            db.store.list_audit(&cutoff, Page::default()).await.unwrap().len(),
            1,
            "one entry is past the period"
        );
        let mut statements = vec![
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE seq = 3",
            "UPDATE audit_log SET at = '2000-01-01T00:00:00.000000Z' WHERE seq = 1",
        ];
        if db.store.backend() == Backend::Postgres {
            statements.push("TRUNCATE audit_log");
        }
        for sql in statements {
            let err = sqlx::query(sql).execute(db.store.pool()).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        assert_eq!(db.store.verify_audit().await.unwrap().entries, 3);
        db.finish().await;
    }
}

fn rust_and_sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Tests tamper with the trail on purpose, to show that tampering is caught.
            if !["target", "tests", "node_modules", "fuzz", ".git"].contains(&name) {
                rust_and_sql_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs" || e == "sql") {
            out.push(path);
        }
    }
}

/// What a code review would look for: no statement of the project's code or migrations deletes,
/// truncates, drops or rewrites audit entries or their guards (the guards' own definitions aside).
#[test]
fn no_code_of_the_project_deletes_audit_entries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    rust_and_sql_files(&root.join("crates"), &mut files);
    rust_and_sql_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the scan sees the project's files ({})", files.len());
    let forbidden = [
        "delete from audit_log",
        "truncate audit_log",
        "truncate table audit_log",
        "drop table audit_log",
        "update audit_log",
        "drop trigger audit_log",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap().to_lowercase();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for pattern in forbidden {
            // The test modules of source files tamper on purpose; they live after `#[cfg(test)]`.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            assert!(!code.contains(pattern), "{} contains {pattern:?}", file.display());
        }
    }
}
