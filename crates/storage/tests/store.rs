//! The storage suite. Every test runs on SQLite (a temporary file) and, when
//! `RECTIFY_TEST_POSTGRES_URL` names an admin connection (see `scripts/with-postgres.sh`), on a
//! fresh PostgreSQL database of its own, dropped at the end.

#![recursion_limit = "512"]

use rectify_domain::{Ledger, Status};
use rectify_storage::{Backend, StorageError, Store};
use serde_json::json;
use sqlx::{AnyPool, AssertSqlSafe};

mod common;

use common::backends;

const TABLES: [&str; 14] = [
    "inspections",
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
    "_sqlx_migrations",
];

async fn row_counts(pool: &AnyPool) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let n: i64 =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(pool).await.unwrap();
        counts.push((table, n));
    }
    counts
}

/// A ledger in which every field holds something (no defaults), read through the validating
/// JSON entry point like outside data. Invented names; the genre's shape.
fn rich_ledger() -> Ledger {
    let doc = json!({
        "title": "中共示例县测试局党组关于巡察整改进展情况的通报",
        "unit": "中共示例县测试局党组",
        "report_date": "2024-06-30",
        "inspection": {
            "inspector": "县委第二巡察组", "start": "2023-03-01", "end": "2023-04", "feedback_date": "2023-06-12",
            "round": "十四届县委第三轮", "kind": "巡察", "feedback_document": "《关于对测试局党组巡察情况的反馈意见》"
        },
        "claimed": {
            "aspects": 2, "problems": 3, "measures": 5, "completed": 1, "in_progress": 1,
            "completion_rate_percent": 66.67, "rules_made_or_revised": 2, "funds_recovered_wan_yuan": 6.1,
            "accountability": { "通报批评": 2, "批评教育": 5, "诫勉": 1 }
        },
        "aspects": [
            {
                "number": "一", "title": "关于落实主体责任方面",
                "problems": [
                    {
                        "number": "1", "title": "针对学习贯彻不深入的问题", "status": "completed",
                        "category": "政治建设", "scope": "general", "description": "理论学习流于形式。",
                        "disclosure": "public",
                        "responsibility": {
                            "first_responsible": "赵某", "leader": "钱某", "departments": ["办公室", "人事科"],
                            "liaison": "孙某"
                        },
                        "measures": [
                            {
                                "text": "一是修订《党组理论学习中心组学习制度》。", "dates": ["2023-08", "2023-09-15"],
                                "amounts_wan_yuan": [], "documents": ["《党组理论学习中心组学习制度》"],
                                "kind": "long_term", "deadline": "2023-12", "status": "completed",
                                "responsibility": { "first_responsible": null, "leader": "钱某",
                                                    "departments": ["办公室"], "liaison": "李某" },
                                "progress": [
                                    { "date": "2023-07", "text": "起草制度初稿。", "evidence": [] },
                                    { "date": "2023-09-15", "text": "党组会审议通过。",
                                      "evidence": [ { "title": "党组会会议纪要", "kind": "会议纪要",
                                                      "date": "2023-09-15", "media_type": "application/pdf",
                                                      "size_bytes": 18_446_744, "sha256": "ab12" } ] }
                                ],
                                "evidence": [ { "title": "制度文本", "kind": "制度文件", "date": "2023-09",
                                                "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                                "size_bytes": 0, "sha256": "00ff" } ]
                            },
                            {
                                "text": "二是开展专题学习4次。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                                "kind": "immediate", "deadline": null, "status": "in_progress"
                            }
                        ]
                    },
                    {
                        "number": "3", "title": "针对违规发放津补贴的问题", "status": "in_progress",
                        "category": null, "scope": "specific", "description": null,
                        "disclosure": "withheld_pending_case",
                        "measures": [
                            {
                                "text": "清退违规发放的津补贴6.10万元、0.325万元。", "dates": ["2023"],
                                "amounts_wan_yuan": [6.1, 0.325], "documents": [], "kind": "time_limited",
                                "deadline": "2024-03-31", "status": "extended"
                            }
                        ]
                    }
                ]
            },
            { "number": null, "title": null, "problems": [
                {
                    "number": null, "title": "针对档案管理不规范的问题", "status": "long_term",
                    "measures": [
                        { "text": "完善档案管理制度。", "dates": [], "amounts_wan_yuan": [], "documents": [] },
                        { "text": "整改触发点。", "dates": [], "amounts_wan_yuan": [], "documents": [] }
                    ]
                }
            ] },
            { "number": "三", "title": "关于没有问题的方面", "problems": [] }
        ],
        "named_documents": ["《党组理论学习中心组学习制度》", "《档案管理办法》"],
        "contacts": {
            "phones": ["0000-12345678"], "emails": ["jubangongshi@example.org"],
            "addresses": ["示例县示例路1号"], "postcodes": ["000000"]
        },
        "organisation": {
            "former_names": [ { "name": "中共示例县旧名局党组", "until": "2021-12" }, { "name": "示例县更旧名称局", "until": null } ],
            "leading_group": [ { "role": "组长", "name": "赵某" }, { "role": "副组长", "name": "钱某" } ],
            "work_team": [ { "role": "成员", "name": "孙某" } ],
            "liaison": "李某"
        },
        "outcomes": {
            "rules": [
                { "title": "《党组理论学习中心组学习制度》", "action": "revised", "date": "2023-09-15",
                  "measure": { "aspect": 0, "problem": 0, "measure": 0 } },
                { "title": "档案管理办法", "action": "made", "date": null, "measure": null }
            ],
            "funds": [
                { "kind": "refunded", "amount_wan_yuan": 6.1, "date": "2023-11",
                  "measure": { "aspect": 0, "problem": 1, "measure": 0 }, "note": "已全部清退" },
                { "kind": "losses_avoided", "amount_wan_yuan": 12.0, "date": null, "measure": null, "note": null }
            ],
            "accountability": [
                { "kind": "通报批评", "count": 2, "counting": "persons", "persons": ["周某"], "date": "2023-10",
                  "problem": { "aspect": 0, "problem": 1 } },
                { "kind": "批评教育", "count": 5, "counting": "person_times", "persons": [], "date": null,
                  "problem": null }
            ],
            "meetings": [
                { "kind": "专题民主生活会", "date": "2023-07-05", "title": "巡察整改专题民主生活会",
                  "decisions": ["逐条对照检查"], "problems": [ { "aspect": 0, "problem": 0 }, { "aspect": 1, "problem": 0 } ] },
                { "kind": "调度会", "date": null, "title": null, "decisions": [], "problems": [] },
                { "kind": "调度会", "date": "2024-01", "title": null, "decisions": [], "problems": [] }
            ]
        },
        "policy": { "long_term_counts_as_completed": true, "rate_decimals": 1 }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

/// Exactly the keys of the contract's ledger JSON, nothing of the extensions.
fn contract_ledger() -> Ledger {
    let doc = json!({
        "title": "关于巡察整改情况的通报",
        "unit": "中共示例市样例办公室党组",
        "report_date": "2024-07",
        "inspection": { "inspector": "市委第一巡察组", "start": null, "end": null, "feedback_date": "2023" },
        "claimed": {
            "aspects": 1, "problems": 30, "measures": null, "completed": null, "in_progress": null,
            "completion_rate_percent": null, "rules_made_or_revised": null, "funds_recovered_wan_yuan": null,
            "accountability": {}
        },
        "aspects": [
            { "number": null, "title": null, "problems": [
                { "number": "1", "title": "针对制度执行不到位的问题", "status": "unknown",
                  "measures": [ { "text": "一是建立台账。", "dates": ["2023-11"], "amounts_wan_yuan": [5.0],
                                  "documents": ["《台账管理办法》"] } ] },
                { "number": "2", "title": "针对宣传不到位的问题", "status": "completed", "measures": [] }
            ] }
        ],
        "named_documents": [],
        "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

#[tokio::test]
async fn rich_ledger_round_trips_field_for_field() {
    let ledger = rich_ledger();
    for db in backends().await {
        let id = db.store.import_ledger(&ledger).await.unwrap();
        let back = db.store.export_ledger(id).await.unwrap();
        assert_eq!(back, ledger, "{:?}", db.store.backend());
        // Money comes back with the decimals it went in with (6.1 has one, 0.325 three).
        let amounts = &back.aspects[0].problems[1].measures[0].amounts_wan_yuan;
        assert_eq!(amounts.iter().map(ToString::to_string).collect::<Vec<_>>(), ["6.1万元", "0.325万元"]);
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&ledger).unwrap());
        db.finish().await;
    }
}

#[tokio::test]
async fn contract_shaped_ledger_round_trips() {
    let ledger = contract_ledger();
    for db in backends().await {
        let id = db.store.import_ledger(&ledger).await.unwrap();
        let back = db.store.export_ledger(id).await.unwrap();
        assert_eq!(back, ledger);
        assert_eq!(back.aspects[0].number, None);
        assert_eq!(back.aspects[0].problems[0].measures[0].amounts_wan_yuan[0].to_string(), "5万元");
        db.finish().await;
    }
}

#[tokio::test]
async fn two_inspections_live_side_by_side() {
    let (rich, small) = (rich_ledger(), contract_ledger());
    for db in backends().await {
        let store = &db.store;
        let a = store.import_ledger(&rich).await.unwrap();
        let b = store.import_ledger(&small).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(store.export_ledger(a).await.unwrap(), rich);
        assert_eq!(store.export_ledger(b).await.unwrap(), small);

        let list = store.list_inspections().await.unwrap();
        assert_eq!(list.iter().map(|s| s.id).collect::<Vec<_>>(), [a, b]);
        let first = &list[0];
        assert_eq!(first.unit.as_deref(), Some("中共示例县测试局党组"));
        assert_eq!(first.inspector.as_deref(), Some("县委第二巡察组"));
        assert_eq!(first.feedback_date.as_deref(), Some("2023-06-12"));
        assert_eq!(first.report_date.as_deref(), Some("2024-06-30"));
        // 3 aspects (one empty), 2 + 1 problems, 2 + 1 + 2 measures.
        assert_eq!((first.aspects, first.problems, first.measures), (3, 3, 5));
        assert_eq!((list[1].aspects, list[1].problems, list[1].measures), (1, 2, 1));
        assert!(chrono::DateTime::parse_from_rfc3339(&first.imported_at).is_ok(), "{}", first.imported_at);

        assert_eq!(store.list_problems(a).await.unwrap().len(), 3);
        assert_eq!(store.list_problems(b).await.unwrap().len(), 2);
        assert_eq!(store.list_measures(b, None).await.unwrap().len(), 1);
        db.finish().await;
    }
}

#[tokio::test]
async fn resolve_inspection_by_id_unit_or_title() {
    let rich = rich_ledger();
    let mut namesake = contract_ledger();
    namesake.unit = rich.unit.clone();
    for db in backends().await {
        let store = &db.store;
        assert!(matches!(store.resolve_inspection(None).await, Err(StorageError::NotFound(_))));
        assert!(store.is_empty().await.unwrap());

        let a = store.import_ledger(&rich).await.unwrap();
        assert!(!store.is_empty().await.unwrap());
        assert_eq!(store.resolve_inspection(None).await.unwrap(), a);
        assert_eq!(store.resolve_inspection(Some(&a.to_string())).await.unwrap(), a);
        assert_eq!(store.resolve_inspection(Some("中共示例县测试局党组")).await.unwrap(), a);
        assert_eq!(store.resolve_inspection(Some(" 中共示例县测试局党组 ")).await.unwrap(), a);

        let b = store.import_ledger(&namesake).await.unwrap();
        assert!(matches!(store.resolve_inspection(None).await, Err(StorageError::Ambiguous(_))));
        let err = store.resolve_inspection(Some("中共示例县测试局党组")).await.unwrap_err();
        assert!(
            matches!(err, StorageError::Ambiguous(ref m) if m.contains(&a.to_string()) && m.contains(&b.to_string()))
        );
        assert_eq!(store.resolve_inspection(Some("关于巡察整改情况的通报")).await.unwrap(), b);
        assert_eq!(store.resolve_inspection(Some(&b.to_string())).await.unwrap(), b);
        assert!(matches!(store.resolve_inspection(Some("中共别处党组")).await, Err(StorageError::NotFound(_))));
        assert!(matches!(store.resolve_inspection(Some("999999")).await, Err(StorageError::NotFound(_))));
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_that_fails_half_way_leaves_nothing_behind() {
    for db in backends().await {
        let store = &db.store;
        store.import_ledger(&contract_ledger()).await.unwrap();
        let before = row_counts(store.pool()).await;

        // A value the domain accepts but a BIGINT cannot hold, met after the header, the first
        // aspect and a problem are written.
        let mut too_big = rich_ledger();
        too_big.aspects[0].problems[0].measures[0].evidence[0].size_bytes = Some(u64::MAX);
        let err = store.import_ledger(&too_big).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(ref m) if m.contains("too large")), "{err}");
        assert_eq!(row_counts(store.pool()).await, before);

        // A constraint error raised by the database itself on the last measure.
        install_refusing_trigger(store).await;
        let err = store.import_ledger(&rich_ledger()).await.unwrap_err();
        assert!(matches!(err, StorageError::Database(_)), "{err}");
        assert!(err.to_string().contains("refused by test trigger"), "{err}");
        assert_eq!(row_counts(store.pool()).await, before);
        assert_eq!(store.list_inspections().await.unwrap().len(), 1);

        // A ledger whose outcome points at a measure that does not exist is refused up front.
        let mut dangling = contract_ledger();
        dangling.outcomes.rules.push(rectify_domain::Rule {
            title: rectify_domain::DocumentTitle::new("《某制度》").unwrap(),
            action: rectify_domain::RuleAction::Made,
            date: None,
            measure: Some(rectify_domain::MeasureRef { aspect: 0, problem: 1, measure: 0 }),
        });
        assert!(matches!(store.import_ledger(&dangling).await, Err(StorageError::Invalid(_))));
        assert_eq!(row_counts(store.pool()).await, before);
        db.finish().await;
    }
}

/// Makes the database refuse the rich ledger's last measure ("整改触发点。").
async fn install_refusing_trigger(store: &Store) {
    let statements: &[&'static str] = match store.backend() {
        Backend::Sqlite => &["CREATE TRIGGER refuse_measure BEFORE INSERT ON measures WHEN NEW.text = '整改触发点。' \
             BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_measure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.text = '整改触发点。' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER refuse_measure BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION refuse_measure()",
        ],
    };
    for sql in statements {
        sqlx::raw_sql(*sql).execute(store.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn problems_and_measures_are_listed_in_ledger_order_with_ids() {
    let ledger = rich_ledger();
    for db in backends().await {
        let store = &db.store;
        let other = store.import_ledger(&contract_ledger()).await.unwrap();
        let id = store.import_ledger(&ledger).await.unwrap();

        let problems = store.list_problems(id).await.unwrap();
        let titles: Vec<&str> = problems.iter().map(|p| p.problem.title.as_str()).collect();
        assert_eq!(titles, ["针对学习贯彻不深入的问题", "针对违规发放津补贴的问题", "针对档案管理不规范的问题"]);
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.aspect_index, p.position)).collect();
        assert_eq!(places, [(0, 0), (0, 1), (1, 0)]);
        assert_eq!(problems[0].aspect_number.as_deref(), Some("一"));
        assert_eq!(problems[0].aspect_title.as_deref(), Some("关于落实主体责任方面"));
        assert_eq!(problems[2].aspect_number, None);
        assert_eq!(problems.iter().map(|p| p.measure_count).collect::<Vec<_>>(), [2, 1, 2]);
        assert!(problems.iter().all(|p| p.inspection_id == id && p.problem.measures.is_empty()));
        assert_eq!(problems[1].problem.disclosure, rectify_domain::Disclosure::WithheldPendingCase);
        assert_eq!(problems[0].problem.responsibility.departments, ["办公室", "人事科"]);
        for p in &problems {
            let mut expected = ledger.problem(p.reference()).unwrap().clone();
            expected.measures.clear();
            assert_eq!(p.problem, expected);
            assert_eq!(store.get_problem(p.id).await.unwrap().as_ref(), Some(p));
        }

        let all = store.list_measures(id, None).await.unwrap();
        let texts: Vec<&str> = all.iter().map(|m| m.measure.text.as_str()).collect();
        let expected: Vec<&str> = ledger.measures().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, expected);
        assert_eq!(all.iter().map(|m| m.position).collect::<Vec<_>>(), [0, 1, 0, 0, 1]);
        assert!(all.iter().all(|m| m.inspection_id == id));

        let of_first = store.list_measures(id, Some(problems[0].id)).await.unwrap();
        assert_eq!(of_first.len(), 2);
        assert!(of_first.iter().all(|m| m.problem_id == problems[0].id));
        // A problem of another inspection yields nothing under this one.
        let foreign = store.list_problems(other).await.unwrap()[0].id;
        assert!(store.list_measures(id, Some(foreign)).await.unwrap().is_empty());

        let first = store.get_measure(of_first[0].id).await.unwrap().unwrap();
        assert_eq!(first, of_first[0]);
        assert_eq!(first.measure, ledger.aspects[0].problems[0].measures[0]);
        assert_eq!(first.measure.progress.len(), 2);
        assert_eq!(first.measure.progress[1].evidence[0].title.as_str(), "党组会会议纪要");
        assert_eq!(first.measure.evidence[0].size_bytes, Some(0));

        assert_eq!(store.get_problem(i64::MAX).await.unwrap(), None);
        assert_eq!(store.get_measure(-1).await.unwrap(), None);
        assert!(store.list_problems(i64::MAX).await.unwrap().is_empty());
        assert!(matches!(store.export_ledger(i64::MAX).await, Err(StorageError::NotFound(_))));
        db.finish().await;
    }
}

#[tokio::test]
async fn statistics_come_from_the_stored_ledger() {
    let ledger = rich_ledger();
    for db in backends().await {
        let id = db.store.import_ledger(&ledger).await.unwrap();
        let stats = db.store.statistics(id).await.unwrap();
        assert_eq!(stats, ledger.statistics());
        // Read off the ledger above: 3 problems (completed, in progress, long term) and long-term
        // items count as completed in this round → 2 of 3; measures: 1 of 5 completed.
        assert_eq!(stats.problems.total, 3);
        assert_eq!(stats.completion_percent(1).as_deref(), Some("66.7"));
        assert_eq!((stats.measures_total, stats.measures_completed), (5, 1));
        assert_eq!((stats.rules_made, stats.rules_revised), (1, 1));
        assert_eq!(stats.funds_total().to_string(), "18.1万元");
        assert_eq!(
            stats.meetings.iter().map(|m| (m.kind.as_str(), m.count)).collect::<Vec<_>>(),
            [("专题民主生活会", 1), ("调度会", 2)]
        );
        assert!(matches!(db.store.statistics(id + 1000).await, Err(StorageError::NotFound(_))));
        db.finish().await;
    }
}

#[tokio::test]
async fn deleting_an_inspection_removes_everything_under_it() {
    for db in backends().await {
        let store = &db.store;
        // Imported first, with null figures (a float NULL once poisoned PostgreSQL's statement cache
        // for the rich ledger's rate that follows).
        let keep = store.import_ledger(&contract_ledger()).await.unwrap();
        let before = row_counts(store.pool()).await;
        let gone = store.import_ledger(&rich_ledger()).await.unwrap();
        assert!(store.delete_inspection(gone).await.unwrap());
        assert!(!store.delete_inspection(gone).await.unwrap());
        assert_eq!(row_counts(store.pool()).await, before);
        assert_eq!(store.export_ledger(keep).await.unwrap(), contract_ledger());
        db.finish().await;
    }
}

#[tokio::test]
async fn a_sqlite_file_is_created_and_reopened_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub-dir-free.db");
    let url = format!("sqlite:{}", path.display());
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists());
    let id = store.import_ledger(&contract_ledger()).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(store.pool()).await.unwrap();
    assert_eq!(fk, 1);
    store.close().await;

    // Migrations run again on connect and find nothing to do.
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.export_ledger(id).await.unwrap(), contract_ledger());
    again.close().await;

    let memory = Store::connect("sqlite::memory:").await.unwrap();
    let id = memory.import_ledger(&contract_ledger()).await.unwrap();
    assert_eq!(memory.export_ledger(id).await.unwrap().aspects[0].problems[1].status, Status::Completed);
    memory.close().await;
}

/// Writers queue on the write lock (SQLite) or run side by side (PostgreSQL); none fails and every
/// ledger lands whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_imports_all_land() {
    let ledger = rich_ledger();
    for db in backends().await {
        let imports = (0..6).map(|_| {
            let store = db.store.clone();
            let ledger = ledger.clone();
            tokio::spawn(async move { store.import_ledger(&ledger).await })
        });
        let mut ids = Vec::new();
        for handle in imports.collect::<Vec<_>>() {
            ids.push(handle.await.unwrap().unwrap());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 6);
        for id in ids {
            assert_eq!(db.store.export_ledger(id).await.unwrap(), ledger);
        }
        db.finish().await;
    }
}

/// Values edited by hand into something the domain refuses are reported, not panicked on.
#[tokio::test]
async fn corrupt_stored_values_are_reported_with_their_column() {
    for db in backends().await {
        let store = &db.store;
        let id = store.import_ledger(&contract_ledger()).await.unwrap();
        sqlx::query("UPDATE measures SET dates = '[\"2023-13\"]'").execute(store.pool()).await.unwrap();
        let err = store.export_ledger(id).await.unwrap_err();
        assert!(matches!(err, StorageError::Corrupt(ref m) if m.contains("measures.dates")), "{err}");
        sqlx::query("UPDATE measures SET dates = '[]'").execute(store.pool()).await.unwrap();
        sqlx::query("UPDATE problems SET status = 'finished'").execute(store.pool()).await.unwrap();
        let err = store.list_problems(id).await.unwrap_err();
        assert!(matches!(err, StorageError::Corrupt(ref m) if m.contains("problems.status")), "{err}");
        db.finish().await;
    }
}

#[tokio::test]
async fn unsupported_urls_are_refused_by_name() {
    let err = Store::connect("mysql://localhost/x").await.unwrap_err();
    assert!(matches!(err, StorageError::UnsupportedUrl(_)));
    assert!(err.to_string().contains("mysql://localhost/x"));
}

/// 16 generated ledgers on SQLite, 8 more on PostgreSQL when configured, all in one store each
/// (so ids and positions of earlier cases must not leak into later ones). Every field varies, with
/// SQL-special text and the extremes of the column types (u32::MAX counts, i64::MAX amounts and
/// sizes, six decimals of money, dates 1949–2200).
#[test]
fn generated_ledgers_round_trip() {
    use proptest::test_runner::{Config, TestRunner};
    use rectify_domain::arbitrary::{LedgerConfig, ledger_with};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for db in runtime.block_on(backends()) {
        let cases = match db.store.backend() {
            Backend::Sqlite => 16,
            Backend::Postgres => 8,
        };
        let mut runner = TestRunner::new(Config { cases, ..Config::default() });
        runner
            .run(&ledger_with(LedgerConfig::STORAGE), |ledger| {
                runtime.block_on(async {
                    let id = db.store.import_ledger(&ledger).await.unwrap();
                    let back = db.store.export_ledger(id).await.unwrap();
                    proptest::prop_assert_eq!(&back, &ledger);
                    proptest::prop_assert_eq!(db.store.statistics(id).await.unwrap(), ledger.statistics());
                    Ok(())
                })
            })
            .unwrap();
        runtime.block_on(db.finish());
    }
}
