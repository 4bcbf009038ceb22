//! On SQLite, what a request reads often — its session (with account and roles), one problem,
//! one measure — is kept in memory after the first read and used again as long as nobody has
//! committed a write to the database since.
//!
//! Every request is signed in, and each statement is a hand-off to SQLite's worker thread, the
//! larger part of a small request's cost. Whether anything was committed is read, without a
//! statement, from the header of the database's WAL index (the `-shm` file beside it): SQLite
//! rewrites it at every commit of every process — that rewrite is what makes a commit visible
//! to readers — with a change counter in it. So a write through a second server on the same
//! file, sign-out, a disabled account, changed roles, an edited problem: any commit makes
//! everything remembered stale at once. Coarse, and therefore simple to trust: no write has to
//! know what it makes stale.
//!
//! The header is read as SQLite documents it (<https://sqlite.org/walformat.html>, "the
//! wal-index header"): two copies of 48 bytes, equal when no commit is under way, whose first
//! word is the format's version. A header being written, another version, or no WAL index at all
//! (a database in memory) remembers nothing. Anything remembered is read again after [`AT_MOST`]
//! regardless. PostgreSQL remembers nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest anything is taken from memory without reading it again.
pub(crate) const AT_MOST: Duration = Duration::from_secs(1);
/// Values remembered at once; beyond it memory starts afresh (bounded whatever the traffic).
const CAPACITY: usize = 10_000;
/// One copy of the wal-index header.
const HEADER: usize = 48;
/// The header's first word in the format SQLite has written since 3.7.0.
const WAL_INDEX_VERSION: u32 = 3_007_000;

/// The database's WAL index, opened to read its header.
#[derive(Debug)]
pub(crate) struct CommitWatch {
    shm: std::fs::File,
}

impl CommitWatch {
    /// Watches the WAL index of the SQLite file at `url`; `None` for a database without one.
    pub(crate) fn open(url: &str) -> Option<CommitWatch> {
        let file = crate::key_file::sqlite_file(url)?;
        let shm = std::fs::File::open(format!("{file}-shm")).ok()?;
        Some(CommitWatch { shm })
    }

    /// The header as it stands: `None` while a commit writes it, or in a format not known here.
    fn header(&self) -> Option<[u8; HEADER]> {
        let mut both = [0u8; 2 * HEADER];
        read_at(&self.shm, &mut both)?;
        checked_header(&both)
    }

    /// How many frames of the WAL hold commits not yet copied back into the database: the
    /// header's `mxFrame` (the last committed frame) less the checkpoint's `nBackfill` (the
    /// frames copied), which follows the two copies of the header. `None` as for the header.
    pub(crate) fn frames_to_checkpoint(&self) -> Option<u32> {
        let mut both_and_backfill = [0u8; 2 * HEADER + 4];
        read_at(&self.shm, &mut both_and_backfill)?;
        let header = checked_header(&both_and_backfill[..2 * HEADER])?;
        let last_frame = u32::from_ne_bytes(header[16..20].try_into().ok()?);
        let backfilled = u32::from_ne_bytes(both_and_backfill[2 * HEADER..].try_into().ok()?);
        Some(last_frame.saturating_sub(backfilled))
    }
}

/// The first copy of the header in `both`, if the copies agree and the format is known.
fn checked_header(both: &[u8]) -> Option<[u8; HEADER]> {
    let (first, second) = both.split_at(HEADER);
    let version = u32::from_ne_bytes(first[0..4].try_into().ok()?);
    (first == second && version == WAL_INDEX_VERSION).then(|| first.try_into().ok()).flatten()
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8]) -> Option<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, 0).ok()
}

#[cfg(not(unix))]
fn read_at(_file: &std::fs::File, _buffer: &mut [u8]) -> Option<()> {
    None
}

/// Values by key, valid while the database's commit header stands.
#[derive(Debug)]
pub(crate) struct Memory<K, V> {
    watch: Arc<CommitWatch>,
    entries: Mutex<HashMap<K, Remembered<V>>>,
}

#[derive(Debug)]
struct Remembered<V> {
    stamp: Stamp,
    value: Arc<V>,
}

/// When a value was read: the commit header seen before the read, and the time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    header: [u8; HEADER],
    read_at: Instant,
}

impl<K: Eq + Hash, V> Memory<K, V> {
    pub(crate) fn new(watch: Arc<CommitWatch>) -> Memory<K, V> {
        Memory { watch, entries: Mutex::default() }
    }

    /// Taken before a value is read from the database, to remember the value with; `None` when
    /// the header cannot vouch for it (a commit is being written).
    fn stamp(&self) -> Option<Stamp> {
        Some(Stamp { header: self.watch.header()?, read_at: Instant::now() })
    }

    /// The value of `key` as last read, if nothing was committed since and it is fresh.
    fn get(&self, key: &K) -> Option<Arc<V>> {
        let now = self.stamp()?;
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = entries.get(key)?;
        let fresh = hit.stamp.header == now.header && now.read_at.duration_since(hit.stamp.read_at) < AT_MOST;
        fresh.then(|| Arc::clone(&hit.value))
    }

    fn put(&self, key: K, stamp: Stamp, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, Remembered { stamp, value });
    }
}

/// `read` through `memory` when there is one (SQLite), straight to the database otherwise.
/// Only found values are remembered: a key that names nothing is read every time, so that
/// unknown keys never fill the memory.
pub(crate) async fn read_through<K: Eq + Hash, V: Clone, E>(
    memory: Option<&Memory<K, V>>,
    key: K,
    read: impl AsyncFnOnce() -> Result<Option<V>, E>,
) -> Result<Option<V>, E> {
    let Some(memory) = memory else { return read().await };
    if let Some(hit) = memory.get(&key) {
        return Ok(Some(V::clone(&hit)));
    }
    let stamp = memory.stamp();
    let found = read().await?;
    if let (Some(value), Some(stamp)) = (&found, stamp) {
        memory.put(key, stamp, Arc::new(value.clone()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL index whose header copies are `first` and `second`, each a header of `version`
    /// whose change counter is the given number.
    fn shm_with(version: u32, first: u32, second: u32) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db").display().to_string();
        let copy = |change: u32| {
            let mut header = [0u8; HEADER];
            header[..4].copy_from_slice(&version.to_ne_bytes());
            header[8..12].copy_from_slice(&change.to_ne_bytes());
            header
        };
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&copy(first));
        bytes.extend_from_slice(&copy(second));
        bytes.extend_from_slice(&[0u8; 64]);
        std::fs::write(format!("{db}-shm"), bytes).unwrap();
        (dir, format!("sqlite:{db}"))
    }

    #[test]
    fn the_header_vouches_only_when_its_copies_agree_in_the_known_format() {
        let (_dir, url) = shm_with(WAL_INDEX_VERSION, 7, 7);
        assert!(CommitWatch::open(&url).unwrap().header().is_some());
        let (_dir, url) = shm_with(WAL_INDEX_VERSION, 7, 8);
        assert!(CommitWatch::open(&url).unwrap().header().is_none(), "a commit is being written");
        let (_dir, url) = shm_with(3_999_000, 7, 7);
        assert!(CommitWatch::open(&url).unwrap().header().is_none(), "another format");
        assert!(CommitWatch::open("sqlite::memory:").is_none());
    }

    #[test]
    fn a_changed_header_or_an_old_reading_is_read_again() {
        let (dir, url) = shm_with(WAL_INDEX_VERSION, 1, 1);
        let memory: Memory<i64, String> = Memory::new(Arc::new(CommitWatch::open(&url).unwrap()));
        let stamp = memory.stamp().unwrap();
        memory.put(1, stamp, Arc::new("read".to_owned()));
        assert_eq!(memory.get(&1).as_deref().map(String::as_str), Some("read"));
        // A commit: both copies rewritten with the next change counter.
        let next = shm_with(WAL_INDEX_VERSION, 2, 2);
        std::fs::copy(next.0.path().join("x.db-shm"), dir.path().join("x.db-shm")).unwrap();
        assert_eq!(memory.get(&1), None);
        let old = Stamp { read_at: Instant::now() - AT_MOST, ..memory.stamp().unwrap() };
        memory.put(2, old, Arc::new("old".to_owned()));
        assert_eq!(memory.get(&2), None, "a second old at most");
    }
}
