//! Signed-in requests on SQLite find their session (with its account and roles) in memory
//! instead of the database, as long as this process has committed no write since it was read.
//!
//! Every request is signed in, and reading its session was one of the two statements of a small
//! request — each a hand-off to SQLite's worker thread, the larger part of the request's cost.
//! An SQLite database is served by one process, whose every write passes the write gate and is
//! counted there ([`crate::write_tx`]): sign-out, a disabled account, changed roles, a deleted
//! inspection and its grants — any commit makes every remembered session stale. A session's own
//! last use is the one write not counted; it updates the remembered copy instead.
//!
//! What a second process writes to the same file (`rectify user add`, a misuse as a second
//! server) is not counted here: a remembered session is therefore read again after
//! [`AT_MOST`] whatever the count. PostgreSQL, shared by several servers, remembers nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::users::{Session, User};

/// The longest a session is taken from memory without reading it again.
pub(crate) const AT_MOST: Duration = Duration::from_secs(1);
/// Sessions remembered at once; beyond it memory starts afresh (bounded whatever the traffic).
const CAPACITY: usize = 10_000;

pub(crate) type Found = (Session, Option<User>);

#[derive(Debug)]
pub(crate) struct SessionMemory {
    commits: Arc<AtomicU64>,
    entries: Mutex<HashMap<String, Remembered>>,
}

#[derive(Debug)]
struct Remembered {
    commits: u64,
    read_at: Instant,
    found: Arc<Found>,
}

/// What a lookup needs to remember what it then reads: the count of commits before the read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    commits: u64,
    read_at: Instant,
}

impl SessionMemory {
    /// Remembers sessions while `commits`, the SQLite writer's count, stands still.
    pub(crate) fn new(commits: Arc<AtomicU64>) -> SessionMemory {
        SessionMemory { commits, entries: Mutex::default() }
    }

    /// Stamp this before reading the session from the database.
    pub(crate) fn stamp(&self) -> Stamp {
        Stamp { commits: self.commits.load(Ordering::Acquire), read_at: Instant::now() }
    }

    /// The session of `token_hash` as last read, if nothing was committed since and it is fresh.
    pub(crate) fn get(&self, token_hash: &str) -> Option<Arc<Found>> {
        let now = self.stamp();
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = entries.get(token_hash)?;
        (hit.commits == now.commits && now.read_at.duration_since(hit.read_at) < AT_MOST)
            .then(|| Arc::clone(&hit.found))
    }

    /// Remembers what was read after `stamp` was taken.
    pub(crate) fn put(&self, token_hash: &str, stamp: Stamp, found: Arc<Found>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY && !entries.contains_key(token_hash) {
            entries.clear();
        }
        entries.insert(token_hash.to_owned(), Remembered { commits: stamp.commits, read_at: stamp.read_at, found });
    }

    /// The session's last use was written as `last_seen_at`: the remembered copy follows.
    pub(crate) fn used(&self, token_hash: &str, last_seen_at: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get_mut(token_hash) {
            let (session, user) = &*entry.found;
            let session = Session { last_seen_at: last_seen_at.to_owned(), ..session.clone() };
            entry.found = Arc::new((session, user.clone()));
        }
    }
}
