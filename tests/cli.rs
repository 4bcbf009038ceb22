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

#[test]
fn search_prints_the_apis_answer_over_everything_stored() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert!(rectify(&["import", fixture("ledger.json").to_str().unwrap(), "--database", &url]).status.success());
    let out = rectify(&["search", "--database", &url, "河湖", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer = json(&out);
    let items = answer["items"].as_array().unwrap();
    assert!(!items.is_empty() && answer["total"].as_u64() == Some(items.len() as u64), "{answer}");
    for item in items {
        for key in ["kind", "id", "inspection_id", "unit", "title", "snippet"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(item["snippet"].as_str().unwrap().contains("河湖"), "{item}");
    }
    // Rebuilding the index finds the same; words found nowhere: no hits, still exit 0.
    let again = rectify(&["search", "--database", &url, "--reindex", "河湖", "--json"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(json(&again), answer);
    let none = rectify(&["search", "--database", &url, "八项规定", "--json"]);
    assert!(none.status.success());
    assert_eq!(json(&none)["total"], 0);
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

/// The files `generate -o DIR` wrote, in name order.
fn generated_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn generate_to(dir: &Path, units: &str, seed: &str) -> Output {
    rectify(&["generate", "--units", units, "--seed", seed, "--today", "2025-06-18", "-o", dir.to_str().unwrap()])
}

#[test]
fn generated_units_import_in_one_run_and_export_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("units");
    let out = generate_to(&data, "4", "7");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("written 4/4"), "a progress line: {}", stderr(&out));
    let files = generated_files(&data);
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["unit-0001.json", "unit-0002.json", "unit-0003.json", "unit-0004.json"]);

    let url = sqlite_url(dir.path());
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend(["--database".to_string(), url.clone()]);
    let out = rectify(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 4, "one line per file: {stdout}");
    for (line, file) in stdout.lines().zip(&files) {
        assert!(line.starts_with(&format!("{}: stored inspection", file.display())), "{line}");
        assert!(line.ends_with("30 problems, 120 measures"), "{line}");
    }

    let export = rectify(&["export", "--database", &url, "--inspection", "3", "--json"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let original: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[2]).unwrap()).unwrap();
    assert_eq!(json(&export), original, "a generated unit comes back from the database as it was");
}

#[test]
fn one_bad_file_among_good_ones_is_refused_alone_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("units");
    assert!(generate_to(&data, "2", "11").status.success());
    let files = generated_files(&data);
    let mut bad: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    bad["aspects"][0]["problems"][0]["measures"][0]["deadline"] = "1990-01-01".into();
    let bad_path = data.join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();

    let url = sqlite_url(dir.path());
    let (good_a, good_b, bad_path) =
        (files[0].to_str().unwrap(), files[1].to_str().unwrap(), bad_path.to_str().unwrap());
    let out = rectify(&["import", good_a, bad_path, good_b, "--database", &url]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err = stderr(&out);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.lines().next().unwrap().starts_with(&format!("{good_a}: stored inspection 1")), "{stdout}");
    assert!(stdout.lines().nth(1).unwrap().starts_with(&format!("{good_b}: stored inspection 2")), "{stdout}");
    let refusal: Vec<&str> = err.lines().filter(|l| l.contains("refused")).collect();
    assert_eq!(refusal.len(), 2, "the file's line and the summary: {err}");
    assert!(refusal[0].starts_with(&format!("{bad_path}: refused: ")), "{err}");
    assert!(refusal[0].contains("aspects[0].problems[0].measures[0].deadline"), "{err}");

    // The good files stay stored, the bad one left nothing behind.
    assert!(rectify(&["export", "--database", &url, "--inspection", "2", "--json"]).status.success());
    assert_eq!(rectify(&["export", "--database", &url, "--inspection", "3", "--json"]).status.code(), Some(2));
}

#[test]
fn the_same_seed_generates_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    assert!(generate_to(&a, "3", "5").status.success());
    assert!(generate_to(&b, "3", "5").status.success());
    assert!(generate_to(&c, "3", "6").status.success());
    let read = |d: &Path| generated_files(d).iter().map(|p| std::fs::read(p).unwrap()).collect::<Vec<_>>();
    assert_eq!(read(&a), read(&b), "byte-identical");
    assert_ne!(read(&a), read(&c), "another seed, other data");
}

#[test]
fn generate_imports_straight_into_a_database_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let out = rectify(&["generate", "--units", "3", "--today", "2025-06-18", "--database", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("imported 3/3 ("), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("imported 3 units (90 problems, 360 measures, 1800 progress entries) in "), "{stdout}");
    assert!(rectify(&["export", "--database", &url, "--inspection", "3", "--json"]).status.success());
    let out = rectify(&["generate", "--units", "3", "--today", "1900-01-01", "--database", &url]);
    assert_eq!(out.status.code(), Some(2), "a day the domain cannot date is refused");
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

#[test]
fn the_data_key_ring_lies_beside_the_database_and_rotation_re_seals_everything() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let (ring, evidence) = (dir.path().join("t.db.audit-keys"), dir.path().join("evidence"));
    fill(&url, &evidence, &[], &ring);
    let data_keys = dir.path().join("t.db.data-keys");
    let keys = |path: &Path| std::fs::read_to_string(path).unwrap().lines().filter(|l| l.starts_with("key ")).count();
    assert_eq!(keys(&data_keys), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&data_keys).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let before = files_under(&evidence);
    let out = rectify(&["keys", "rotate-data", "--database", &url, "--evidence", evidence.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("re-sealed 1 feedback rows and 2 evidence files"), "{stdout}");
    assert_eq!(keys(&data_keys), 2);
    let after = files_under(&evidence);
    let new_key = stdout.split("new key ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    for ((path, old), (same, new)) in before.iter().zip(&after) {
        assert_eq!(path, same);
        assert_ne!(old, new, "re-sealed");
        let head = &new[..rectify_storage::sealed::FILE_HEAD_BYTES];
        assert_eq!(rectify_storage::sealed::file_key_id(head).as_deref(), Some(new_key.as_str()));
    }
    let (contact, contents) = sealed_contents(&url, &ring, &evidence);
    assert_eq!(contact.as_deref(), Some(CONTACT));
    assert!(contents.iter().all(|c| c.starts_with(b"%PDF-1.4\n")));
    let out = rectify(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Without its data key ring the database is not opened, and no new ring is started.
    std::fs::rename(&data_keys, dir.path().join("elsewhere")).unwrap();
    let out = rectify(&["export", "--database", &url, "--json"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("no data key ring at"), "{}", stderr(&out));
    assert!(!data_keys.exists());
}

fn rectify_with(env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rectify"));
    for (key, value) in env {
        command.env(key, value);
    }
    command.args(args).output().expect("the binary runs")
}

/// Every file under `dir` with its bytes, by relative path.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
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

/// Fills the database at `url`: the fixture ledger imported by the binary, then progress with
/// two evidence files through the store, as the server records it.
fn fill(url: &str, evidence: &Path, env: &[(&str, &Path)], ring: &Path) {
    let out = rectify_with(env, &["import", fixture("ledger.json").to_str().unwrap(), "--database", url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = connect(url, ring).await;
        let files = rectify_storage::EvidenceStore::new(evidence).with_keys(store.data_keys());
        let id = store.resolve_inspection(None).await.unwrap();
        let views = store.measure_workflows(id).await.unwrap();
        let open = views.values().find(|v| v.state != rectify_domain::workflow::MeasureState::Closed).unwrap();
        let mut items = Vec::new();
        for n in [1u8, 2] {
            let mut bytes = b"%PDF-1.4\n".to_vec();
            bytes.extend(std::iter::repeat_n(n, 500));
            let stored = files.store(&bytes, "纪要.pdf").unwrap();
            items.push(rectify_domain::Evidence {
                title: rectify_domain::NonEmptyText::new(format!("会议纪要{n}")).unwrap(),
                kind: Some("会议纪要".into()),
                date: None,
                media_type: Some(stored.media_type.into()),
                size_bytes: Some(stored.size),
                sha256: Some(stored.sha256),
            });
        }
        let entry = rectify_domain::ProgressEntry {
            date: rectify_domain::PartialDate::day(2025, 1, 10).unwrap(),
            text: rectify_domain::NonEmptyText::new("召开专题会议研究整改").unwrap(),
            evidence: items,
        };
        let actor = rectify_storage::Acting {
            user_id: None,
            user_name: "办公室".into(),
            role: rectify_domain::roles::Role::Department,
            address: None,
        };
        store.add_progress(open.measure_id, &actor, &entry, open.version, chrono::Utc::now()).await.unwrap();
        // A citizen's real-name feedback: its name and contact are stored sealed.
        let unit = store.export_ledger(id).await.unwrap().unit.unwrap();
        let publication = rectify_storage::NewPublication {
            inspection_id: id,
            unit: unit.clone(),
            title: "通报".into(),
            body_html: "<!DOCTYPE html><html><body><main><h1>通报</h1></main></body></html>".into(),
            body_markdown: "# 通报\n".into(),
        };
        store.publish_report(&publication, &rectify_storage::Acting::system(), chrono::Utc::now()).await.unwrap();
        let feedback = rectify_storage::NewFeedback {
            unit,
            inspection_id: None,
            submitter: rectify_storage::Submitter::RealName { name: "王小明".into(), contact: CONTACT.into() },
            subject: "整改时限".into(),
            body: "建议公开整改台账的完成时限。".into(),
        };
        store.submit_feedback(&feedback, chrono::Utc::now()).await.unwrap();
        store.close().await;
    });
}

/// The contact of the citizen whose feedback `fill` stores.
const CONTACT: &str = "13800138000";

/// The data key ring beside the audit key ring `ring` (`….data-keys`).
fn data_ring(ring: &Path) -> PathBuf {
    PathBuf::from(ring.to_string_lossy().replace("audit-keys", "data-keys"))
}

/// A store on `url` with the audit key ring `ring` and the data key ring beside it.
async fn connect(url: &str, ring: &Path) -> rectify_storage::Store {
    let options = rectify_storage::ConnectOptions {
        audit_keys: rectify_storage::AuditKeys::File(ring.to_path_buf()),
        data_keys: rectify_storage::DataKeys::File(data_ring(ring)),
    };
    rectify_storage::Store::connect_with(url, options).await.unwrap()
}

/// The contact of the first feedback and the content of every evidence file, read through a
/// store on `url` (opened with the data key ring beside `ring`).
fn sealed_contents(url: &str, ring: &Path, evidence: &Path) -> (Option<String>, Vec<Vec<u8>>) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = connect(url, ring).await;
        let unit = store.portal_units().await.unwrap().remove(0);
        let contact = store.list_feedback(&unit, None).await.unwrap().remove(0).contact;
        let files = rectify_storage::EvidenceStore::new(evidence).with_keys(store.data_keys());
        let mut contents = Vec::new();
        for (path, _) in files_under(evidence) {
            let sha256 = path.to_string_lossy().replace(['/', '\\'], "");
            contents.push(files.read(&sha256).unwrap());
        }
        store.close().await;
        (contact, contents)
    })
}

/// Backs up `source`, restores into the empty `target`, and finds the export, the audit
/// verification and the evidence files identical; a second restore into the filled target is
/// refused.
fn backup_and_restore(
    dir: &Path,
    (source, target): (&str, &str),
    env: &[(&str, &Path)],
    ring: &Path,
    before_restore: impl Fn(),
) {
    let (evidence, restored) = (dir.join("evidence"), dir.join("restored-evidence"));
    fill(source, &evidence, env, ring);
    let archive = dir.join("backup.zip");
    let evidence_arg = evidence.to_str().unwrap();
    let out = rectify_with(
        env,
        &["backup", "--database", source, "-o", archive.to_str().unwrap(), "--evidence", evidence_arg],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    before_restore();
    let restore_args =
        ["restore", archive.to_str().unwrap(), "--database", target, "--evidence", restored.to_str().unwrap()];
    let out = rectify_with(env, &restore_args);
    assert!(out.status.success(), "{}", stderr(&out));
    // The search index is built by the restore, not left to the first server start.
    let built = stderr(&out)
        .lines()
        .find_map(|line| line.strip_prefix("search index built: ")?.split(' ').next()?.parse::<u64>().ok());
    assert!(built.is_some_and(|texts| texts > 0), "{}", stderr(&out));

    let export = |url: &str| rectify_with(env, &["export", "--database", url, "--json"]);
    let (a, b) = (export(source), export(target));
    assert!(a.status.success() && b.status.success(), "{}{}", stderr(&a), stderr(&b));
    assert_eq!(json(&a), json(&b), "the export is identical");
    let verify = |url: &str| rectify_with(env, &["audit", "verify", "--database", url]);
    let (a, b) = (verify(source), verify(target));
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)), "{}{}", stderr(&a), stderr(&b));
    // The backed-up trail, then the restore's own rebuild of the search index (`search.reindex`).
    let entries = |out: &std::process::Output| -> u64 {
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        said.trim().strip_prefix("audit trail intact: ").and_then(|n| n.strip_suffix(" entries")?.parse().ok()).unwrap()
    };
    assert_eq!(entries(&b), entries(&a) + 1, "{}", String::from_utf8_lossy(&b.stdout));
    let files = files_under(&evidence);
    assert_eq!(files.len(), 2);
    assert_eq!(files_under(&restored), files, "the evidence files are identical");
    // Sealed on disk and in the archive; the restored database opens them with the same ring.
    assert!(files.iter().all(|(_, bytes)| !bytes.windows(5).any(|w| w == b"%PDF-")), "no plaintext on disk");
    let (contact, contents) = sealed_contents(target, ring, &restored);
    assert_eq!(contact.as_deref(), Some(CONTACT));
    assert_eq!(contents.len(), 2);
    assert!(contents.iter().all(|c| c.starts_with(b"%PDF-1.4\n")), "the evidence opens after the restore");

    // Into a database that holds data: refused, exit 2, nothing changed.
    let out = rectify_with(env, &restore_args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(entries(&verify(target)), entries(&verify(source)) + 1);
}

#[test]
fn backup_and_restore_give_the_same_export_audit_trail_and_evidence_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (sqlite_url(dir.path()), format!("sqlite:{}", dir.path().join("restored.db").display()));
    let ring = dir.path().join("t.db.audit-keys");
    backup_and_restore(dir.path(), (&source, &target), &[], &ring, || {
        // Without the backed-up database's key ring, a restore is refused before it writes.
        let archive = dir.path().join("backup.zip");
        let out = rectify(&["restore", archive.to_str().unwrap(), "--database", &target]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("key ring"), "{}", stderr(&out));
        assert!(!dir.path().join("restored.db").exists(), "no database file is left behind");
        // The documented step: the ring goes beside the new database.
        std::fs::copy(&ring, dir.path().join("restored.db.audit-keys")).unwrap();
        // The data key ring too: without it the sealed names and files could not be read.
        let out = rectify(&["restore", archive.to_str().unwrap(), "--database", &target]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("data key ring"), "{}", stderr(&out));
        assert!(!dir.path().join("restored.db").exists(), "no database file is left behind");
        std::fs::copy(data_ring(&ring), dir.path().join("restored.db.data-keys")).unwrap();
    });
}

#[test]
fn backup_and_restore_give_the_same_export_audit_trail_and_evidence_on_postgresql() {
    let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let names =
        [format!("cli_backup_{}_{stamp}", std::process::id()), format!("cli_restore_{}_{stamp}", std::process::id())];
    let admin_sql = |sql: String| {
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
        })
    };
    for name in &names {
        admin_sql(format!("CREATE DATABASE {name}"));
    }
    let (base, _) = admin.rsplit_once('/').unwrap();
    let (source, target) = (format!("{base}/{}", names[0]), format!("{base}/{}", names[1]));
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("audit-keys");
    let data_keys = data_ring(&ring);
    let env = [("RECTIFY_AUDIT_KEY_FILE", ring.as_path()), ("RECTIFY_DATA_KEY_FILE", data_keys.as_path())];
    backup_and_restore(dir.path(), (&source, &target), &env, &ring, || {});
    for name in &names {
        admin_sql(format!("DROP DATABASE {name} WITH (FORCE)"));
    }
}

/// A unit's own workbook with cells the reader cannot read is stored, and `import` says which
/// cells it read with a guess or left out (sheet, row, column).
#[test]
fn importing_a_workbook_prints_the_readers_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("台账.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("台账").unwrap();
    let rows = [
        ["序号", "问题", "整改措施", "完成时限", "整改状态"],
        ["1", "问题甲", "措施甲", "明年再说", "已完成"],
        ["2", "问题乙", "措施乙", "2023年7月", "很好"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let out = rectify(&["import", path.to_str().unwrap(), "--database", &sqlite_url(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("2 warnings:"), "{err}");
    assert!(err.contains("sheet 台账 row 2 column D（完成时限）") && err.contains("明年再说"), "{err}");
    assert!(err.contains("sheet 台账 row 3 column E（整改状态）") && err.contains("很好"), "{err}");
}

/// Many defects of one kind take one line in the text listing; few are listed one by one.
#[test]
fn lint_groups_many_defects_of_one_kind() {
    let out = rectify(&["lint", seed("001_").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let halfwidth: Vec<&str> = text.lines().filter(|l| l.contains("halfwidth_punctuation")).collect();
    assert_eq!(halfwidth.len(), 1, "{text}");
    assert!(halfwidth[0].contains("处半角标点") && halfwidth[0].contains("第 2、"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("L27 broken_enumeration: ")), "{text}");
}

/// Two units of 区委第三轮巡察 imported from the fixture ledger under other names.
fn round_database(dir: &Path) -> String {
    let url = sqlite_url(dir);
    let mut ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ledger.json")).unwrap()).unwrap();
    ledger["inspection"]["round"] = "区委第三轮巡察".into();
    ledger["inspection"]["kind"] = "巡察".into();
    for unit in ["中共某县甲局党组", "中共某县乙局党组"] {
        ledger["unit"] = unit.into();
        let path = dir.join(format!("{unit}.json"));
        std::fs::write(&path, serde_json::to_vec(&ledger).unwrap()).unwrap();
        let import = rectify(&["import", path.to_str().unwrap(), "--database", &url]);
        assert!(import.status.success(), "{}", stderr(&import));
    }
    url
}

#[test]
fn the_round_report_is_written_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let url = round_database(dir.path());
    for (format, magic) in
        [("md", &b"#"[..]), ("html", &b"<!DOCTYPE html"[..]), ("docx", &b"PK"[..]), ("xlsx", &b"PK"[..])]
    {
        let out_path = dir.path().join(format!("round.{format}"));
        let out = rectify(&[
            "report",
            "--database",
            &url,
            "--round",
            "1",
            "--format",
            format,
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let bytes = std::fs::read(&out_path).unwrap();
        assert!(bytes.starts_with(magic), "{format} output starts with {:?}", &bytes[..bytes.len().min(16)]);
    }
    let md = std::fs::read_to_string(dir.path().join("round.md")).unwrap();
    assert!(md.starts_with("# 关于区委第三轮巡察整改情况的报告"), "{md}");
    // The round's dates come from the imported ledgers (the office never typed them).
    assert!(md.contains("区委第三轮巡察于2024年4月8日至6月5日共对2家单位开展巡察，2024年8月20日反馈问题6个"), "{md}");
    assert!(!md.contains("巡察巡察"), "{md}");
}

#[test]
fn a_round_report_of_an_unknown_round_or_format_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = round_database(dir.path());
    let out_path = dir.path().join("x.md");
    let out = |round: &str, format: &str| {
        rectify(&["report", "--database", &url, "--round", round, "--format", format, "-o", out_path.to_str().unwrap()])
    };
    for (round, format, says) in
        [("99", "md", "no round with id 99"), ("abc", "md", "not a round id"), ("1", "pdf", "pdf")]
    {
        let o = out(round, format);
        assert_eq!(o.status.code(), Some(2), "{round} {format}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(says), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert!(!out_path.exists(), "nothing written");
}
