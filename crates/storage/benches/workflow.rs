//! Progress updates (each with its audit entry) by 50 concurrent writers on 50 different
//! measures: throughput and p50/p99 latency, on SQLite and, when `RECTIFY_TEST_POSTGRES_URL` is
//! set, on PostgreSQL. The baseline, measured in the same run, is one writer alone: the service
//! time of one update without queueing.
//!
//! `cargo bench -p rectify-storage --bench workflow` (or under `scripts/with-postgres.sh`).
//! A plain timing loop rather than criterion: what matters is the latency distribution under
//! contention, which criterion's one-at-a-time iterations do not produce.

use std::time::Instant;

use chrono::Utc;
use rectify_domain::roles::Role;
use rectify_domain::*;
use rectify_storage::{Acting, Store};

#[path = "support/closed_loop.rs"]
mod closed_loop;

const WRITERS: usize = 50;
const UPDATES: usize = 10_000;

fn text(s: String) -> NonEmptyText {
    NonEmptyText::new(s).unwrap()
}

async fn run(label: &str, store: &Store, writers: usize) {
    let before = store.verify_audit().await.unwrap().entries as usize;
    let inspection = store.import_ledger(&closed_loop::ledger(writers)).await.unwrap();
    let measures = store.list_measures(inspection, None).await.unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for record in measures {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Acting { user_id: None, user_name: "基准".into(), role: Role::Department, address: None };
            let mut version = 0;
            let mut latencies = Vec::with_capacity(UPDATES / writers);
            for i in 0..UPDATES / writers {
                let entry = ProgressEntry {
                    date: PartialDate::day(2024, 7, 1).unwrap(),
                    text: text(format!("第{i}次推进")),
                    evidence: vec![],
                };
                let t = Instant::now();
                let view = store.add_progress(record.id, &actor, &entry, version, Utc::now()).await.unwrap();
                latencies.push(t.elapsed());
                version = view.version;
            }
            latencies
        }));
    }
    closed_loop::report(label, "writer(s)", writers, started, tasks).await;
    let check = store.verify_audit().await.unwrap();
    // One entry per update, and one for the import that set up the ledger.
    assert_eq!(check.entries as usize, before + UPDATES + 1);
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url).await.unwrap();
        run("SQLite", &store, 1).await;
        run("SQLite", &store, WRITERS).await;
        store.close().await;

        if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
            let name = format!("bench_workflow_{}", std::process::id());
            let (url, mut server) = closed_loop::create_database(&admin, &name).await;
            let store = Store::connect(&url).await.unwrap();
            run("PostgreSQL", &store, 1).await;
            run("PostgreSQL", &store, WRITERS).await;
            store.close().await;
            closed_loop::drop_database(&mut server, &name).await;
        }
    });
}
