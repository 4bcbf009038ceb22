//! The key of the audit chain (审计日志密钥): entries are signed with HMAC-SM3 under a key kept
//! outside the database, so that someone who can write the database but cannot read the key file
//! cannot re-compute the chain after editing an entry.
//!
//! The keys live in a key ring file (审计密钥环), a small text file with mode 0600:
//!
//! ```text
//! # rectify audit key ring (审计日志密钥环) …
//! legacy-until 0
//! key 9f2c…(64 hexadecimal digits, 256 bits)
//! key 41d0…
//! ```
//!
//! The last `key` line signs new entries; the earlier ones stay so that entries signed before a
//! rotation still verify. Each entry stores the id of its key (`key_id`, the first 16 hex digits
//! of SM3 over the key: it names the key without revealing it). `legacy-until N` says that
//! entries 1…N were written before the chain was keyed (plain SM3, no key id); every later entry
//! must be signed, so stripping the signatures from entries is caught like any other edit.
//!
//! Where the ring is ([`AuditKeys::Default`]): the file named by `RECTIFY_AUDIT_KEY_FILE`; else,
//! for `sqlite:PATH`, the file `PATH.audit-keys` beside the database; for PostgreSQL,
//! `rectify-data/audit-keys` under the working directory (the server's data directory, as for
//! evidence files); for `sqlite::memory:` a key made for the store's lifetime (the database dies
//! with it). A missing ring is created on first use with one fresh key, unless the database
//! already holds signed entries: then the right ring is missing, and connecting fails instead of
//! starting a second, unverifiable key.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sm3::{Digest, Sm3};

use crate::StorageError;
use crate::codec::{hex, key_from_hex};
use crate::key_file;

/// The environment variable naming the key ring file.
pub const KEY_FILE_ENV: &str = "RECTIFY_AUDIT_KEY_FILE";

/// The ring of a PostgreSQL database when no file is named, relative to the working directory.
pub const DEFAULT_POSTGRES_KEY_FILE: &str = "rectify-data/audit-keys";

/// The suffix of the ring beside a SQLite database file.
pub const SQLITE_KEY_FILE_SUFFIX: &str = ".audit-keys";

/// Bytes of one key: 256 bits, the size of an SM3 digest.
const KEY_BYTES: usize = 32;

type HmacSm3 = Hmac<Sm3>;

/// One key of the ring.
#[derive(Clone, PartialEq, Eq)]
struct AuditKey {
    id: String,
    secret: [u8; KEY_BYTES],
}

impl AuditKey {
    fn new(secret: [u8; KEY_BYTES]) -> AuditKey {
        let mut h = Sm3::new();
        h.update(b"rectify-audit-key-id");
        h.update(secret);
        let id = hex(&h.finalize())[..16].to_owned();
        AuditKey { id, secret }
    }

    fn generate() -> Result<AuditKey, StorageError> {
        let mut secret = [0u8; KEY_BYTES];
        getrandom::fill(&mut secret).map_err(|e| StorageError::AuditKey(format!("no randomness for a key: {e}")))?;
        Ok(AuditKey::new(secret))
    }
}

/// The keys that sign and verify the audit chain of one database. Its `Debug` shows key ids only.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKeyRing {
    /// The file the ring was read from; verification reads it again when it meets a key id it
    /// does not hold (another process rotated the key).
    path: Option<PathBuf>,
    /// Entries numbered up to this were written before the chain was keyed.
    legacy_until: i64,
    /// Oldest first; the last one signs.
    keys: Vec<AuditKey>,
}

impl fmt::Debug for AuditKeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKeyRing")
            .field("path", &self.path)
            .field("legacy_until", &self.legacy_until)
            .field("key_ids", &self.ids())
            .finish()
    }
}

/// Where [`crate::Store::connect_with`] finds the ring.
#[derive(Debug, Clone, Default)]
pub enum AuditKeys {
    /// `RECTIFY_AUDIT_KEY_FILE`, else the default place for the database (see the module doc).
    #[default]
    Default,
    /// This file (created with a fresh key if missing).
    File(PathBuf),
    /// This ring, as given (tests, tools).
    Ring(AuditKeyRing),
}

impl AuditKeyRing {
    /// A ring of one fresh key, in memory, for a database whose entries 1…`legacy_until` are
    /// unsigned.
    pub fn generate(legacy_until: i64) -> Result<AuditKeyRing, StorageError> {
        Ok(AuditKeyRing { path: None, legacy_until, keys: vec![AuditKey::generate()?] })
    }

    /// Reads a ring file. Refused when group or others may read it (Unix).
    pub fn load(path: &Path) -> Result<AuditKeyRing, StorageError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| StorageError::AuditKey(format!("cannot read the audit key ring {}: {e}", path.display())))?;
        key_file::check_private(path, "audit key ring").map_err(StorageError::AuditKey)?;
        let mut ring =
            AuditKeyRing::parse(&text).map_err(|e| StorageError::AuditKey(format!("{}: {e}", path.display())))?;
        ring.path = Some(path.to_owned());
        Ok(ring)
    }

    /// Reads the ring at `path`, or creates it there (mode 0600, parent folders too) with one
    /// fresh key if no file is there yet. Two processes creating it at once end up with the same.
    pub fn load_or_create(path: &Path, legacy_until: i64) -> Result<AuditKeyRing, StorageError> {
        if path.exists() {
            return AuditKeyRing::load(path);
        }
        let mut ring = AuditKeyRing::generate(legacy_until)?;
        match key_file::create_once(path, &ring.render()) {
            Ok(true) => {
                tracing::warn!(path = %path.display(), "created the audit key ring; back it up apart from the database");
                ring.path = Some(path.to_owned());
                Ok(ring)
            }
            Ok(false) => AuditKeyRing::load(path),
            Err(e) => Err(StorageError::AuditKey(format!("cannot create the audit key ring {}: {e}", path.display()))),
        }
    }

    /// Adds a fresh key to the ring file at `path`, which signs from then on (in processes that
    /// open the database afterwards); the old keys stay for verification. Returns the new key's
    /// id. The file is replaced atomically (written beside, then renamed).
    pub fn rotate(path: &Path) -> Result<String, StorageError> {
        let mut ring = AuditKeyRing::load(path)?;
        let key = AuditKey::generate()?;
        let id = key.id.clone();
        ring.keys.push(key);
        key_file::replace(path, &ring.render())
            .map_err(|e| StorageError::AuditKey(format!("cannot write the audit key ring {}: {e}", path.display())))?;
        Ok(id)
    }

    /// The ids of the keys, oldest first; the last one signs.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// The id of the key that signs new entries.
    pub fn current_id(&self) -> &str {
        // A ring always holds a key: parse and generate refuse to make an empty one.
        self.keys.last().map_or("", |k| k.id.as_str())
    }

    /// Entries numbered up to this may be unsigned (written before the chain was keyed).
    pub fn legacy_until(&self) -> i64 {
        self.legacy_until
    }

    /// The file the ring came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the ring holds the key with this id.
    pub fn holds(&self, id: &str) -> bool {
        self.keys.iter().any(|k| k.id == id)
    }

    /// HMAC-SM3 of `message` under the key `id`, as lower-case hex; `None` for an unknown id.
    pub fn mac(&self, id: &str, message: &[u8]) -> Option<String> {
        let key = self.keys.iter().find(|k| k.id == id)?;
        Some(hmac_sm3(&key.secret, message))
    }

    /// `message` signed with the current key: its id and the HMAC-SM3 (hex).
    pub fn sign(&self, message: &[u8]) -> (String, String) {
        let id = self.current_id().to_owned();
        let mac = self.mac(&id, message).unwrap_or_default();
        (id, mac)
    }

    /// The ring read again from its file, for verification that meets an unknown key id.
    pub(crate) fn reloaded(&self) -> Option<AuditKeyRing> {
        let path = self.path.as_deref()?;
        match AuditKeyRing::load(path) {
            Ok(ring) => Some(ring),
            Err(error) => {
                tracing::warn!(%error, "cannot read the audit key ring again");
                None
            }
        }
    }

    fn parse(text: &str) -> Result<AuditKeyRing, String> {
        let mut legacy_until = None;
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let value = value.trim();
            match word {
                "legacy-until" => {
                    let v: i64 = value.parse().map_err(|_| format!("line {}: legacy-until needs a number", n + 1))?;
                    legacy_until = Some(v.max(0));
                }
                "key" => {
                    let secret =
                        key_from_hex(value).ok_or_else(|| format!("line {}: a key is 64 hexadecimal digits", n + 1))?;
                    keys.push(AuditKey::new(secret));
                }
                other => return Err(format!("line {}: unknown word {other:?}", n + 1)),
            }
        }
        if keys.is_empty() {
            return Err("the key ring holds no key".to_owned());
        }
        Ok(AuditKeyRing { path: None, legacy_until: legacy_until.unwrap_or(0), keys })
    }

    fn render(&self) -> String {
        let mut out = String::from(
            "# rectify audit key ring (审计日志密钥环): HMAC-SM3 keys of the audit chain.\n\
             # Secret: keep mode 0600, back it up apart from the database; without it the audit\n\
             # trail cannot be verified. The last key signs; earlier ones verify older entries.\n",
        );
        out.push_str(&format!("legacy-until {}\n", self.legacy_until));
        for key in &self.keys {
            out.push_str("key ");
            out.push_str(&hex(&key.secret));
            out.push('\n');
        }
        out
    }
}

/// HMAC-SM3 (GB/T 15852.2 with the SM3 hash of GB/T 32905) as lower-case hex.
pub fn hmac_sm3(key: &[u8], message: &[u8]) -> String {
    // `new_from_slice` accepts a key of any length (HMAC hashes long keys, pads short ones).
    let mut mac = <HmacSm3 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// The default place of the ring for a database URL, or `None` for an in-memory database.
pub fn default_key_file(url: &str) -> Option<PathBuf> {
    key_file::place(url, crate::Backend::Sqlite, KEY_FILE_ENV, SQLITE_KEY_FILE_SUFFIX, DEFAULT_POSTGRES_KEY_FILE)
}

/// Where [`crate::Store::connect`] looks for the key ring of the database at `url`
/// (`RECTIFY_AUDIT_KEY_FILE`, else the default place); `None` for an in-memory database.
pub fn key_file_for(url: &str) -> Result<Option<PathBuf>, StorageError> {
    Ok(default_key_file_for(url, crate::Backend::from_url(url)?))
}

/// [`default_key_file`] with the PostgreSQL default.
pub(crate) fn default_key_file_for(url: &str, backend: crate::Backend) -> Option<PathBuf> {
    key_file::place(url, backend, KEY_FILE_ENV, SQLITE_KEY_FILE_SUFFIX, DEFAULT_POSTGRES_KEY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC by its definition (RFC 2104 / GB/T 15852.2) over SM3's 64-byte block.
    fn hmac_by_hand(key: &[u8], message: &[u8]) -> String {
        let mut block = [0u8; 64];
        block[..key.len()].copy_from_slice(key);
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = Sm3::new().chain_update(pad(0x36)).chain_update(message).finalize();
        hex(&Sm3::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
    }

    #[test]
    fn hmac_sm3_follows_the_definition() {
        let key = [7u8; 32];
        assert_eq!(hmac_sm3(&key, b"abc"), hmac_by_hand(&key, b"abc"));
        assert_ne!(hmac_sm3(&key, b"abc"), hmac_sm3(&[8u8; 32], b"abc"));
    }

    #[test]
    fn a_ring_round_trips_through_its_file_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("keys");
        let ring = AuditKeyRing::load_or_create(&path, 3).unwrap();
        assert_eq!((ring.legacy_until(), ring.ids().len()), (3, 1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = AuditKeyRing::load_or_create(&path, 99).unwrap();
        assert_eq!(again, ring, "an existing ring is read, not replaced");
        let new_id = AuditKeyRing::rotate(&path).unwrap();
        let rotated = AuditKeyRing::load(&path).unwrap();
        assert_eq!(rotated.ids(), vec![ring.current_id(), new_id.as_str()]);
        assert_eq!(rotated.current_id(), new_id);
        assert_eq!(rotated.mac(ring.current_id(), b"x"), ring.mac(ring.current_id(), b"x"));
        assert!(!format!("{rotated:?}").contains(&hex(&rotated.keys[0].secret)), "Debug shows no key");
    }

    #[cfg(unix)]
    #[test]
    fn a_ring_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        AuditKeyRing::load_or_create(&path, 0).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = AuditKeyRing::load(&path).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    #[test]
    fn malformed_rings_are_refused() {
        for text in ["", "legacy-until 0\n", "key 12\n", "key zz\n", "colour blue\n"] {
            assert!(AuditKeyRing::parse(text).is_err(), "{text:?}");
        }
        let ok = format!("# c\nlegacy-until 5\nkey {}\n", "ab".repeat(32));
        assert_eq!(AuditKeyRing::parse(&ok).unwrap().legacy_until(), 5);
    }

    #[test]
    fn default_places() {
        // SAFETY-free: the variable is only read here; other tests do not set it.
        if std::env::var_os(KEY_FILE_ENV).is_some() {
            return;
        }
        assert_eq!(default_key_file("sqlite:data/r.db"), Some(PathBuf::from("data/r.db.audit-keys")));
        assert_eq!(default_key_file("sqlite:data/r.db?mode=rwc"), Some(PathBuf::from("data/r.db.audit-keys")));
        assert_eq!(default_key_file("sqlite::memory:"), None);
        assert_eq!(
            default_key_file_for("postgres://x/y", crate::Backend::Postgres),
            Some(PathBuf::from(DEFAULT_POSTGRES_KEY_FILE))
        );
    }
}
