//! The `rectify` binary as outside checks run it (shared/contracts.md): exit statuses, output
//! shapes, and "nothing stored" on refused input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rectify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rectify")).args(args).output().expect("the binary runs")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The seed reports live beside the repository (`../shared/seeds`), in CI as on every machine.
fn seed(prefix: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no seed {prefix}* in {}", dir.display()))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("t.db").display())
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn import_then_export_gives_the_ledger_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let import = rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]);
    assert!(import.status.success(), "{}", stderr(&import));
    let export = rectify(&["export", "--database", &url, "--json"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ledger.json")).unwrap()).unwrap();
    assert_eq!(json(&export), original);
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_bad_ledger_is_refused_with_its_path_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert!(rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]).status.success());
    let before = digest(&dir.path().join("t.db"));

    let mut bad: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ledger.json")).unwrap()).unwrap();
    bad["aspects"][0]["problems"][1]["measures"][0]["deadline"] = "2023-01-05".into();
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();

    let out = rectify(&["import", bad_path.to_str().unwrap(), "--database", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("aspects[0].problems[1].measures[0].deadline"), "{}", stderr(&out));
    assert_eq!(digest(&dir.path().join("t.db")), before, "the database file must be byte-for-byte unchanged");

    let export = rectify(&["export", "--database", &url, "--json"]);
    assert_eq!(json(&export)["aspects"][0]["problems"].as_array().map(Vec::len), Some(2));
}

#[test]
fn invalid_json_and_unknown_status_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "{ \"title\": ").unwrap();
    let out = rectify(&["report", "--ledger", path.to_str().unwrap(), "--format", "md", "-o", "x.md"]);
    assert_eq!(out.status.code(), Some(2));

    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ledger.json")).unwrap()).unwrap();
    v["aspects"][1]["problems"][0]["status"] = "finished-ish".into();
    std::fs::write(&path, v.to_string()).unwrap();
    let out = rectify(&["import", path.to_str().unwrap(), "--database", &sqlite_url(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("aspects[1].problems[0].status"), "{}", stderr(&out));
}

#[test]
fn export_needs_a_choice_when_there_are_two_inspections() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    for _ in 0..2 {
        assert!(rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]).status.success());
    }
    assert_eq!(rectify(&["export", "--database", &url, "--json"]).status.code(), Some(2));
    let one = rectify(&["export", "--database", &url, "--inspection", "2", "--json"]);
    assert!(one.status.success(), "{}", stderr(&one));
    let empty_dir = tempfile::tempdir().unwrap();
    assert_eq!(rectify(&["export", "--database", &sqlite_url(empty_dir.path()), "--json"]).status.code(), Some(2));
}

#[test]
fn report_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (format, magic) in
        [("md", &b"#"[..]), ("html", &b"<!DOCTYPE html"[..]), ("docx", &b"PK"[..]), ("xlsx", &b"PK"[..])]
    {
        let out_path = dir.path().join(format!("report.{format}"));
        let out = rectify(&[
            "report",
            "--ledger",
            fixture("ledger.json").to_str().unwrap(),
            "--format",
            format,
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let bytes = std::fs::read(&out_path).unwrap();
        assert!(bytes.starts_with(magic), "{format} output starts with {:?}", &bytes[..bytes.len().min(16)]);
    }
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("针对河湖长制落实不到位的问题"));
    assert!(
        md.contains("反馈了巡察意见（《关于对县水务局党组巡察情况的反馈意见》）"),
        "the feedback document is cited"
    );
    assert!(!md.contains("针对公务用车管理不规范的问题"), "a withheld problem must not be published");
    assert!(!md.contains("李明"), "the public report names no individuals");
}

#[test]
fn parse_prints_a_ledger_and_refuses_unreadable_input() {
    let seed = seed("001_");
    let out = rectify(&["parse", seed.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["report_date"], "2024-07-23");
    let problems: usize =
        v["aspects"].as_array().unwrap().iter().map(|a| a["problems"].as_array().unwrap().len()).sum();
    assert_eq!(problems, 30);

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let out = rectify(&["parse", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "one-line error: {}", stderr(&out));
}

#[test]
fn lint_exits_1_on_the_seeds_and_0_on_a_clean_report() {
    for prefix in ["000_", "001_"] {
        let seed = seed(prefix);
        let out = rectify(&["lint", seed.to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(1), "{prefix}: {}", stderr(&out));
        assert!(!json(&out)["defects"].as_array().unwrap().is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("clean.docx");
    let out = rectify(&[
        "report",
        "--ledger",
        fixture("ledger.json").to_str().unwrap(),
        "--format",
        "docx",
        "--audience",
        "internal",
        "-o",
        docx.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out = rectify(&["lint", docx.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a complete report we generate is clean: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_parsed_report_imports_and_a_workbook_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let out = rectify(&["import", seed("001_").to_str().unwrap(), "--database", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 problems"));
    let xlsx = dir.path().join("ledger.xlsx");
    assert!(
        rectify(&[
            "report",
            "--ledger",
            fixture("ledger.json").to_str().unwrap(),
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap()
        ])
        .status
        .success()
    );
    let url2 = sqlite_url(&dir.path().join("second"));
    std::fs::create_dir_all(dir.path().join("second")).unwrap();
    let out = rectify(&["import", xlsx.to_str().unwrap(), "--database", &url2]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export = rectify(&["export", "--database", &url2, "--json"]);
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ledger.json")).unwrap()).unwrap();
    assert_eq!(json(&export), original, "xlsx → import → export gives the ledger back");
}

#[test]
fn audit_verify_finds_an_entry_changed_behind_the_applications_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert!(rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]).status.success());
    let out = rectify(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));

    // Append two entries the way the application does, then edit one directly in the database,
    // as someone with access to the file would (dropping the guard trigger first).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(rectify_storage::Store::connect(&url)).unwrap();
    rt.block_on(async {
        for action in ["login", "export"] {
            let record = rectify_storage::AuditRecord {
                at: chrono::Utc::now(),
                actor_user_id: None,
                actor_name: "tester".into(),
                address: Some("127.0.0.1".into()),
                action: action.into(),
                target_kind: "session".into(),
                target_id: None,
                result: "ok".into(),
                before: None,
                after: None,
            };
            store.record_security_event(&record).await.unwrap();
        }
    });
    assert_eq!(rectify(&["audit", "verify", "--database", &url]).status.code(), Some(0));
    rt.block_on(async {
        sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update").execute(store.pool()).await.unwrap();
        sqlx::query("UPDATE audit_log SET result = 'failed' WHERE seq = 1").execute(store.pool()).await.unwrap();
        store.close().await;
    });
    let out = rectify(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("entry 1"), "{stdout}");
}

#[test]
fn notice_chases_overdue_measures_in_a_docx() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("督办单.docx");
    let args = |date: &str| {
        rectify(&[
            "notice",
            "--ledger",
            fixture("ledger.json").to_str().unwrap(),
            "--issuer",
            "县委巡察办",
            "--date",
            date,
            "-o",
            out_path.to_str().unwrap(),
        ])
    };
    // The fixture's open measure is due in June 2025.
    let quiet = args("2025-03-01");
    assert!(quiet.status.success());
    assert!(String::from_utf8_lossy(&quiet.stdout).contains("nothing to chase"));
    assert!(!out_path.exists());
    let out = args("2025-07-15");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 measures chased"));
    assert!(std::fs::read(&out_path).unwrap().starts_with(b"PK"));
}

#[test]
fn the_audit_key_ring_lies_beside_the_database_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert!(rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]).status.success());
    let ring = dir.path().join("t.db.audit-keys");
    let keys = |text: &str| text.lines().filter(|l| l.starts_with("key ")).count();
    assert_eq!(keys(&std::fs::read_to_string(&ring).unwrap()), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&ring).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let out = rectify(&["audit", "rotate-key", "--database", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(keys(&std::fs::read_to_string(&ring).unwrap()), 2);
    let out = rectify(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 entries"));

    // Without its key ring the trail cannot be verified, and no new ring is started for it.
    std::fs::rename(&ring, dir.path().join("elsewhere")).unwrap();
    let out = rectify(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no key ring"), "{}", stderr(&out));
    assert!(!ring.exists());
}
