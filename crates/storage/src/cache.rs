//! Whole-inspection reads, remembered until the data changes.
//!
//! Every page reads whole lists (the ledger, its problems, its measures), and each of those is a
//! dozen queries. A remembered read is current as long as the version it was read at stands, and
//! checking a version is one small query, whichever process or server wrote last:
//! - one inspection's data has its row in `inspection_versions`, raised by triggers with every
//!   change of its rows (migration 0007), so a change in one unit leaves the other units' reads
//!   valid;
//! - the list of inspections has the catalog version, raised by triggers when an inspection
//!   comes, goes or changes its header or counts (migration 0008) — not by progress.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::AnyConnection;

use crate::StorageError;

/// How many entries one kind of read keeps; beyond it the one stored longest ago goes first.
const CAPACITY: usize = 256;

/// Reads of one kind, by key, each with the data version it was read at.
#[derive(Debug)]
pub(crate) struct Remembered<K, V> {
    entries: Mutex<Entries<K, V>>,
}

#[derive(Debug)]
struct Entries<K, V> {
    /// Value, the version it was read at, and when it was stored (a counter).
    by_key: HashMap<K, (i64, Arc<V>, u64)>,
    stored: u64,
}

impl<K: Eq + Hash + Clone, V> Default for Remembered<K, V> {
    fn default() -> Self {
        Remembered { entries: Mutex::new(Entries { by_key: HashMap::new(), stored: 0 }) }
    }
}

impl<K: Eq + Hash + Clone, V> Remembered<K, V> {
    /// The value read at exactly `version`, if remembered.
    pub(crate) fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.by_key.get(key).filter(|(at, _, _)| *at == version).map(|(_, value, _)| Arc::clone(value))
    }

    pub(crate) fn put(&self, key: K, version: i64, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.by_key.len() >= CAPACITY && !entries.by_key.contains_key(&key) {
            let oldest = entries.by_key.iter().min_by_key(|(_, (_, _, stored))| *stored).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.by_key.remove(&oldest);
            }
        }
        entries.stored += 1;
        let stored = entries.stored;
        entries.by_key.insert(key, (version, value, stored));
    }
}

/// Which version a remembered read depends on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Version {
    /// The list of inspections: raised by triggers when one comes, goes or changes its header or
    /// counts (migration 0008).
    Catalog,
    /// One inspection's data; an inspection that does not exist has version -1.
    Inspection(i64),
}

impl Version {
    pub(crate) async fn read(self, conn: &mut AnyConnection) -> Result<i64, StorageError> {
        Ok(match self {
            Version::Catalog => {
                sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1").fetch_one(&mut *conn).await?
            }
            Version::Inspection(id) => {
                sqlx::query_scalar::<_, i64>("SELECT version FROM inspection_versions WHERE inspection_id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .unwrap_or(-1)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_returned_only_at_the_version_it_was_read_at() {
        let cache: Remembered<i64, &str> = Remembered::default();
        cache.put(1, 10, Arc::new("v10"));
        assert_eq!(cache.get(&1, 10).as_deref(), Some(&"v10"));
        assert_eq!(cache.get(&1, 11), None);
        assert_eq!(cache.get(&2, 10), None);
        cache.put(1, 11, Arc::new("v11"));
        assert_eq!(cache.get(&1, 10), None);
        assert_eq!(cache.get(&1, 11).as_deref(), Some(&"v11"));
    }

    #[test]
    fn the_entry_stored_longest_ago_goes_first_when_full() {
        let cache: Remembered<usize, usize> = Remembered::default();
        // Versions of different keys are unrelated (each inspection counts its own).
        for key in 0..CAPACITY {
            cache.put(key, 1_000 - i64::try_from(key).unwrap(), Arc::new(key));
        }
        cache.put(0, 7, Arc::new(0)); // stored again: now the newest
        cache.put(CAPACITY, 1, Arc::new(CAPACITY));
        assert_eq!(cache.get(&1, 999), None, "stored longest ago");
        assert!(cache.get(&0, 7).is_some());
        assert!(cache.get(&2, 998).is_some());
        assert!(cache.get(&CAPACITY, 1).is_some());
    }
}
