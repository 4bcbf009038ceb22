//! The closed-loop summary both write benchmarks print (storage alone, and through the HTTP
//! stack: `crates/server/benches/progress.rs` includes this file by path).

use std::time::Duration;

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
