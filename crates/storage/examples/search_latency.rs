//! Times full-text searches on an existing database (e.g. the 2,000-unit province):
//!
//!     cargo run --release -p rectify-storage --example search_latency -- sqlite:/path/rectify.db [ROUNDS]
//!
//! Each round runs every query of a fixed list as the inspection office (everything) and as one
//! unit (its own inspection), one page of 50 with the total, as the API does; prints p50, p99
//! and the slowest per scope. Builds the index first if it is empty.

use std::time::{Duration, Instant};

use rectify_storage::{SearchQuery, SearchScope, Store};

const QUERIES: &[&str] = &[
    "销号",
    "回头看",
    "八项规定",
    "津贴补贴",
    "立行立改",
    "台账",
    "主体责任",
    "三重一大",
    "形式主义",
    "整改 销号",
    "党风廉政建设",
    "公务接待",
    "意识形态",
    "政府采购",
    "违规发放",
    "专项资金",
    "干部选拔任用",
    "民主生活会",
    "巡察整改",
    "整改",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("usage: search_latency DATABASE_URL [ROUNDS]");
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let store = Store::connect(&url).await.expect("connect");
    if let Some(n) = store.ensure_search_index().await.expect("index") {
        println!("indexed {n} texts first");
    }
    let units: Vec<i64> = store.list_inspections().await.expect("inspections").iter().map(|s| s.id).collect();
    for (label, unit_scope) in [("office (everything)", false), ("one unit", true)] {
        let mut times = Vec::new();
        let mut worst = (Duration::ZERO, "");
        for round in 0..rounds {
            for (q, text) in QUERIES.iter().enumerate() {
                let scope = if unit_scope {
                    let unit = units[(round * QUERIES.len() + q) * 7919 % units.len()];
                    SearchScope::Within {
                        inspections: vec![unit],
                        problems: vec![],
                        measures: vec![],
                        feedback_of: vec![unit],
                    }
                } else {
                    SearchScope::Everything { feedback: true }
                };
                let started = Instant::now();
                let query = SearchQuery {
                    words: rectify_segment::query_words(text),
                    scope,
                    inspections: None,
                    kind: None,
                    problem_status: None,
                    limit: 50,
                    offset: 0,
                };
                let (hits, total) = store.search(&query).await.expect("search");
                let took = started.elapsed();
                if round == 0 && !unit_scope {
                    println!("  {text}: {total} hits, {} on the page, {:.1} ms", hits.len(), took.as_secs_f64() * 1e3);
                }
                if took > worst.0 {
                    worst = (took, text);
                }
                times.push(took);
            }
        }
        times.sort();
        println!(
            "{label}: {} searches, p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms ({})",
            times.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            worst.0.as_secs_f64() * 1e3,
            worst.1
        );
    }
}
