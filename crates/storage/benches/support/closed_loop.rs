//! What both closed-loop write benchmarks share (storage alone, and through the HTTP stack:
//! `crates/server/benches/progress.rs` includes this file by path): the ledger, the summary, and
//! a fresh PostgreSQL database.

use std::time::Duration;

use rectify_domain::{Aspect, Ledger, Measure, NonEmptyText, PartialDate, Problem, Status};

/// One aspect of `measures` problems with one open measure each, due in 2030.
pub fn ledger(measures: usize) -> Ledger {
    let text = |s: String| NonEmptyText::new(s).unwrap();
    let mut ledger = Ledger::empty();
    ledger.unit = Some("中共基准县某局党组".into());
    let mut aspect = Aspect { number: Some("一".into()), title: Some("关于基准方面".into()), problems: vec![] };
    for p in 0..measures {
        let mut problem = Problem::new(Some((p + 1).to_string()), text(format!("针对第{p}个问题")), Status::InProgress);
        let mut measure = Measure::from_text(text(format!("落实第{p}个问题的整改措施。")));
        measure.status = Some(Status::InProgress);
        measure.deadline = PartialDate::month(2030, 12).ok();
        problem.measures.push(measure);
        aspect.problems.push(problem);
    }
    ledger.aspects.push(aspect);
    ledger
}

/// Waits for the clients' tasks, each returning its latencies, and prints throughput and the
/// latency distribution over all of them: `{what} by {clients} {who}`.
pub async fn report(
    what: &str,
    who: &str,
    clients: usize,
    started: std::time::Instant,
    tasks: Vec<tokio::task::JoinHandle<Vec<Duration>>>,
) {
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    println!(
        "{what}: {} progress updates by {clients} {who} in {:.2} s = {:.0}/s; p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// A new database named `name` on the PostgreSQL server whose URL is `admin` (`RECTIFY_TEST_POSTGRES_URL`):
/// its URL, and the connection to the server that made it (to drop it with [`drop_database`]).
pub async fn create_database(admin: &str, name: &str) -> (String, sqlx::PgConnection) {
    use sqlx::Connection;
    let mut server = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut server).await.unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    (format!("{base}/{name}"), server)
}

/// Drops the database `name` made by [`create_database`].
pub async fn drop_database(server: &mut sqlx::PgConnection, name: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(server).await.unwrap();
}
