//! Uploaded files waiting for the user's confirmation. Nothing reaches the database before the
//! confirm button is pressed; until then the bytes live here, keyed by a random token and by the
//! account that uploaded them, for a limited time and in a limited number per account: a new
//! upload pushes out its own uploader's oldest preview, never another importer's (issue 13).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::AppError;

/// How long a preview stays confirmable.
const TTL: Duration = Duration::from_secs(30 * 60);

/// At most this many uploads of one account wait at once; its oldest goes first.
const MAX_PER_OWNER: usize = 4;

/// At most this many uploads wait at once in all (each up to the upload limit, so the memory
/// they take is bounded); when they are all taken, a new upload waits for one to expire.
const MAX_PENDING: usize = 32;

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
    /// The account that uploaded it: only it sees the preview and confirms it.
    owner: i64,
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

    /// Keeps an upload of account `owner` and returns its token (random, URL-safe).
    pub(crate) fn put(&self, owner: i64, name: String, kind: UploadKind, bytes: Vec<u8>) -> Result<String, AppError> {
        let token = rectify_auth::new_csrf_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, p| now.duration_since(p.created) < TTL);
        while map.values().filter(|p| p.owner == owner).count() >= MAX_PER_OWNER {
            let oldest = map.iter().filter(|(_, p)| p.owner == owner).min_by_key(|(_, p)| p.created);
            match oldest.map(|(k, _)| k.clone()) {
                Some(key) => map.remove(&key),
                None => break,
            };
        }
        if map.len() >= MAX_PENDING {
            return Err(AppError::TooSoon(
                "too many uploads are waiting for confirmation; try again in a few minutes".to_owned(),
            ));
        }
        map.insert(token.clone(), Pending { owner, name, kind, bytes: Arc::new(bytes), created: now });
        Ok(token)
    }

    /// The upload of `owner` under `token`, if it has not expired.
    pub(crate) fn get(&self, owner: i64, token: &str) -> Option<Pending> {
        let map = self.lock();
        map.get(token).filter(|p| p.owner == owner && p.created.elapsed() < TTL).cloned()
    }

    /// Forgets an upload of `owner` once it has been imported.
    pub(crate) fn remove(&self, owner: i64, token: &str) {
        let mut map = self.lock();
        if map.get(token).is_some_and(|p| p.owner == owner) {
            map.remove(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_importer_keeps_its_own_bounded_previews() {
        let uploads = Uploads::default();
        let (alice, bob) = (1, 2);
        let bobs = uploads.put(bob, "b.txt".into(), UploadKind::Text, b"x".to_vec()).unwrap();
        let first = uploads.put(alice, "a.txt".into(), UploadKind::Text, b"x".to_vec()).unwrap();
        assert_eq!(uploads.get(alice, &first).map(|p| p.name), Some("a.txt".to_string()));
        assert!(uploads.get(bob, &first).is_none(), "another account's preview is not found");
        for i in 0..3 * MAX_PER_OWNER {
            uploads.put(alice, format!("{i}.txt"), UploadKind::Text, Vec::new()).unwrap();
        }
        assert!(uploads.get(alice, &first).is_none(), "the uploader's own oldest upload is evicted");
        assert_eq!(uploads.get(bob, &bobs).map(|p| p.name), Some("b.txt".to_string()), "not another's");
        uploads.remove(alice, &bobs);
        assert!(uploads.get(bob, &bobs).is_some(), "nobody removes another's upload");
        uploads.remove(bob, &bobs);
        assert!(uploads.get(bob, &bobs).is_none());
        // Many importers fill the store: a new upload is refused, nobody's is pushed out.
        for owner in 10..10 + MAX_PENDING as i64 {
            let _ = uploads.put(owner, "x.txt".into(), UploadKind::Text, Vec::new());
        }
        let kept = uploads.lock().len();
        assert_eq!(kept, MAX_PENDING);
        assert!(matches!(uploads.put(99, "y.txt".into(), UploadKind::Text, Vec::new()), Err(AppError::TooSoon(_))));
        assert!(uploads.get(alice, "not-a-token").is_none());
    }
}
