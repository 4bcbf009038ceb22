//! Storing and reading back a ledger of 30 problems / 120 measures (the size of a typical
//! county-level round), on SQLite and, when `RECTIFY_TEST_POSTGRES_URL` is set, on PostgreSQL.
//!
//! `cargo bench -p rectify-storage` (or under `scripts/with-postgres.sh` for both databases).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rectify_domain::*;
use rectify_storage::Store;
use sqlx::{AssertSqlSafe, Connection};
use tokio::runtime::Runtime;

fn text(s: String) -> NonEmptyText {
    NonEmptyText::new(s).unwrap()
}

/// 4 aspects × 7–8 problems × 4 measures, each measure with a date, a document, a deadline,
/// responsibility, two progress entries and a piece of evidence; plus outcomes.
fn ledger() -> Ledger {
    let mut ledger = Ledger::empty();
    ledger.title = Some("关于巡察整改进展情况的通报".into());
    ledger.unit = Some("中共基准县某局党组".into());
    ledger.report_date = PartialDate::day(2024, 7, 1).ok();
    ledger.inspection.feedback_date = PartialDate::day(2023, 2, 1).ok();
    ledger.claimed.problems = Some(30);
    ledger.claimed.measures = Some(120);
    let statuses = [Status::Completed, Status::InProgress, Status::LongTerm];
    for a in 0..4usize {
        let problems = if a < 2 { 8 } else { 7 };
        let mut aspect =
            Aspect { number: Some(format!("{}", a + 1)), title: Some(format!("关于第{a}方面")), problems: vec![] };
        for p in 0..problems {
            let mut problem =
                Problem::new(Some((p + 1).to_string()), text(format!("针对第{a}方面第{p}个问题")), statuses[p % 3]);
            problem.responsibility.leader = Some("某某".into());
            problem.responsibility.departments = vec!["办公室".into()];
            for m in 0..4u32 {
                let mut measure = Measure::from_text(text(format!("{}是落实第{p}个问题的第{m}项整改措施。", m + 1)));
                measure.dates = vec![PartialDate::month(2023, m + 3).unwrap()];
                measure.amounts_wan_yuan = vec![WanYuan::parse_wan_yuan("3.34").unwrap()];
                measure.documents = vec![format!("《第{m}项制度》")];
                measure.kind = Some(MeasureKind::TimeLimited);
                measure.deadline = PartialDate::month(2023, 12).ok();
                measure.status = Some(statuses[m as usize % 3]);
                measure.responsibility.departments = vec!["财务科".into(), "人事科".into()];
                measure.progress = (0..2)
                    .map(|i| ProgressEntry {
                        date: PartialDate::month(2023, 5 + i).unwrap(),
                        text: text(format!("第{i}次进展")),
                        evidence: vec![],
                    })
                    .collect();
                measure.evidence = vec![Evidence {
                    title: text("会议纪要".into()),
                    kind: Some("会议纪要".into()),
                    date: None,
                    media_type: Some("application/pdf".into()),
                    size_bytes: Some(123_456),
                    sha256: None,
                }];
                problem.measures.push(measure);
            }
            aspect.problems.push(problem);
        }
        ledger.aspects.push(aspect);
    }
    ledger.outcomes.meetings = (0..6)
        .map(|i| Meeting {
            kind: text("调度会".into()),
            date: None,
            title: None,
            decisions: vec![],
            problems: vec![ProblemRef { aspect: i % 4, problem: i }],
        })
        .collect();
    ledger.check().unwrap();
    ledger
}

fn bench_store(c: &mut Criterion, name: &str, runtime: &Runtime, store: &Store) {
    let ledger = ledger();
    let id = runtime.block_on(store.import_ledger(&ledger)).unwrap();
    assert_eq!(runtime.block_on(store.export_ledger(id)).unwrap(), ledger);
    let mut group = c.benchmark_group(name);
    group.bench_function("import 30 problems / 120 measures", |b| {
        b.iter(|| runtime.block_on(store.import_ledger(black_box(&ledger))).unwrap())
    });
    // The first read after a change of the inspection (setup, not timed, raises its version as a
    // write would), then a read of the remembered ledger.
    group.bench_function("export 30 problems / 120 measures", |b| {
        b.iter_batched(
            || {
                runtime.block_on(async {
                    sqlx::query("UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = $1")
                        .bind(id)
                        .execute(store.pool())
                        .await
                        .unwrap()
                })
            },
            |_| runtime.block_on(store.export_ledger(black_box(id))).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("export 30 problems / 120 measures, remembered", |b| {
        b.iter(|| runtime.block_on(store.export_ledger(black_box(id))).unwrap())
    });
    group.finish();
}

fn storage(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let sqlite = runtime.block_on(Store::connect(&url)).unwrap();
    bench_store(c, "sqlite", &runtime, &sqlite);
    runtime.block_on(sqlite.close());

    let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("RECTIFY_TEST_POSTGRES_URL is not set: PostgreSQL skipped");
        return;
    };
    let name = format!("bench_{}", std::process::id());
    let (base, _) = admin.rsplit_once('/').unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    });
    let postgres = runtime.block_on(Store::connect(&format!("{base}/{name}"))).unwrap();
    bench_store(c, "postgres", &runtime, &postgres);
    runtime.block_on(async {
        postgres.close().await;
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&mut conn).await.unwrap();
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = storage
}
criterion_main!(benches);
