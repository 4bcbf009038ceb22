//! WAL checkpoints on SQLite, beside the writers rather than inside their commits.
//!
//! SQLite copies the WAL back into the database (a checkpoint) at the commit that takes the WAL
//! past 1,000 pages, on the committing connection: the write gate stays held for it (4–6 ms,
//! with two fsyncs), and every writer queued behind waits. Here a task looks at the WAL index
//! every [`EVERY`] (its header says how many frames are not copied back yet, read without a
//! statement: see [`CommitWatch::frames_to_checkpoint`]) and, if any are, runs a passive
//! checkpoint on a connection of its own. A passive checkpoint waits for nobody and makes nobody
//! wait: the writers go on appending meanwhile. Small and frequent measured better than large
//! and rare (a threshold of 1,000 frames: p99 under 50 writers 18.2 ms against 16.3). The
//! writer's own checkpoint stays, at [`FALLBACK_FRAMES`], for when this task cannot keep up (a
//! long reader holding old frames, a stopped runtime). An idle database costs a read of 100
//! bytes per tick.
//!
//! Measured (BENCHMARKS.md, session 7): one writer's p99 3.0 → 1.4 ms; 50 writers' p99 with
//! group commit 19.5 → 16.3 ms.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::AnyPool;

use crate::StorageError;
use crate::memory::CommitWatch;

/// The writer connection's own threshold (`wal_autocheckpoint`), should this task fall behind.
pub(crate) const FALLBACK_FRAMES: u32 = 10_000;

/// How often the WAL index is looked at: a read of 100 bytes.
const EVERY: Duration = Duration::from_millis(50);

/// Starts the checkpointer of the database of `pool`, watched through `watch`. It stops when
/// `alive` (owned by the store) is dropped.
pub(crate) async fn start<T: Send + Sync + 'static>(
    pool: &AnyPool,
    watch: Arc<CommitWatch>,
    alive: Weak<T>,
) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?.detach();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 {
                return;
            }
            if watch.frames_to_checkpoint().is_some_and(|frames| frames > 0) {
                // Busy (another process checkpoints) or interrupted: the next tick tries again.
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_optional(&mut conn).await {
                    tracing::debug!(%error, "a WAL checkpoint did not run");
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Some 1,600 pages are committed, far below the writer's own threshold: only the task can
    /// have copied them back, all of them (no reader holds old ones).
    #[tokio::test]
    async fn the_wal_is_copied_back_beside_the_writers() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("checkpoint.db").display());
        let store = crate::Store::connect(&url).await.unwrap();
        let watch = CommitWatch::open(&url).unwrap();
        for i in 0..400 {
            let query = sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, 't')")
                .bind(format!("large{i}"))
                .bind("整改".repeat(2_700));
            store.execute_write(query).await.unwrap();
        }
        let mut waited = Duration::ZERO;
        while watch.frames_to_checkpoint().unwrap() > 0 && waited < Duration::from_secs(3) {
            tokio::time::sleep(EVERY).await;
            waited += EVERY;
        }
        assert_eq!(watch.frames_to_checkpoint(), Some(0));
    }
}
