//! Whole-inspection reads, remembered until the data changes.
//!
//! Every page reads whole lists (the ledger, its problems, its measures), and each of those is a
//! dozen queries. But every change of the data appends to the audit trail in its own transaction
//! (see [`crate::audit`]), so the number of the chain's last entry is a version of the whole
//! database: a remembered read is current as long as that number has not moved. Checking it is
//! one small query, whichever process or server wrote last.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::AnyConnection;

use crate::StorageError;

/// How many entries one kind of read keeps; beyond it the oldest version is forgotten first.
const CAPACITY: usize = 256;

/// Reads of one kind, by key, each with the data version it was read at.
#[derive(Debug)]
pub(crate) struct Remembered<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

impl<K: Eq + Hash + Clone, V> Default for Remembered<K, V> {
    fn default() -> Self {
        Remembered { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Clone, V> Remembered<K, V> {
    /// The value read at exactly `version`, if remembered.
    pub(crate) fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(at, _)| *at == version).map(|(_, value)| Arc::clone(value))
    }

    pub(crate) fn put(&self, key: K, version: i64, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            let oldest = entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, (version, value));
    }
}

/// The version of the data: the number of the audit trail's last entry.
pub(crate) async fn data_version(conn: &mut AnyConnection) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?)
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
    fn the_oldest_version_goes_first_when_full() {
        let cache: Remembered<usize, usize> = Remembered::default();
        for key in 0..CAPACITY {
            cache.put(key, 100 + i64::try_from(key).unwrap(), Arc::new(key));
        }
        cache.put(CAPACITY, 1_000, Arc::new(CAPACITY));
        assert_eq!(cache.get(&0, 100), None);
        assert!(cache.get(&1, 101).is_some());
        assert!(cache.get(&CAPACITY, 1_000).is_some());
    }
}
