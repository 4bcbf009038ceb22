//! Uploaded files waiting for the user's confirmation. Nothing reaches the database before the
//! confirm button is pressed; until then the bytes live here, keyed by a random token, for a
//! limited time and in a limited number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::AppError;

/// How long a preview stays confirmable.
const TTL: Duration = Duration::from_secs(30 * 60);

/// At most this many uploads wait at once (each up to the upload limit); the oldest goes first.
const MAX_PENDING: usize = 16;

/// What kind of file an upload is, decided by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadKind {
    /// A report as plain text (UTF-8, UTF-16 or GB18030).
    Text,
    /// A report as Word .docx.
    Docx,
    /// A ledger workbook (.xlsx).
    Xlsx,
}

impl UploadKind {
    pub(crate) fn label_zh(self) -> &'static str {
        match self {
            UploadKind::Text => "整改报告（文本）",
            UploadKind::Docx => "整改报告（Word）",
            UploadKind::Xlsx => "整改台账（Excel）",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub name: String,
    pub kind: UploadKind,
    pub bytes: Arc<Vec<u8>>,
    created: Instant,
}

/// The server-side store of pending uploads; clones share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Uploads(Arc<Mutex<HashMap<String, Pending>>>);

impl Uploads {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while holding the lock cannot leave the map half-updated: recover it.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps an upload and returns its token (random, URL-safe).
    pub(crate) fn put(&self, name: String, kind: UploadKind, bytes: Vec<u8>) -> Result<String, AppError> {
        let token = rectify_auth::new_csrf_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, p| now.duration_since(p.created) < TTL);
        while map.len() >= MAX_PENDING {
            let oldest = map.iter().min_by_key(|(_, p)| p.created).map(|(k, _)| k.clone());
            match oldest {
                Some(key) => map.remove(&key),
                None => break,
            };
        }
        map.insert(token.clone(), Pending { name, kind, bytes: Arc::new(bytes), created: now });
        Ok(token)
    }

    /// The upload under `token`, if it has not expired.
    pub(crate) fn get(&self, token: &str) -> Option<Pending> {
        let map = self.lock();
        map.get(token).filter(|p| p.created.elapsed() < TTL).cloned()
    }

    /// Forgets an upload once it has been imported.
    pub(crate) fn remove(&self, token: &str) {
        self.lock().remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_bounded_number_and_forgets_on_remove() {
        let uploads = Uploads::default();
        let first = uploads.put("a.txt".into(), UploadKind::Text, b"x".to_vec()).unwrap();
        assert_eq!(uploads.get(&first).map(|p| p.name), Some("a.txt".to_string()));
        for i in 0..MAX_PENDING {
            uploads.put(format!("{i}.txt"), UploadKind::Text, Vec::new()).unwrap();
        }
        assert!(uploads.get(&first).is_none(), "the oldest upload is evicted");
        let last = uploads.put("b.txt".into(), UploadKind::Text, Vec::new()).unwrap();
        uploads.remove(&last);
        assert!(uploads.get(&last).is_none());
        assert!(uploads.get("not-a-token").is_none());
    }
}
