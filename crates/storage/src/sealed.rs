//! Personal data and evidence files sealed at rest with SM4 (数据存储保密性, GB/T 39786-2021):
//! citizens' names and contacts in public feedback, the accounts' TOTP secrets, and evidence
//! files on disk.
//!
//! **The envelope** (one format for both, the only place that encrypts or decrypts):
//!
//! ```text
//! version (1 byte, 0x01) | key id (8 bytes) | nonce (12 bytes, random) | SM4-GCM ciphertext | tag (16 bytes)
//! ```
//!
//! SM4 (GB/T 32907) in GCM mode (GB/T 17964-2021; the AEAD of RFC 8998), through the RustCrypto
//! `sm4` block cipher and the `aes-gcm` crate's generic GCM (a known-answer test below checks
//! RFC 8998's vector). The version byte and the key id are authenticated with a *context* the
//! caller names (`feedback.name/RECEIPT`, `user.totp/ID`, `evidence/SHA256`), so a value copied into another row
//! or a file renamed to another address fails to open instead of showing someone else's data.
//! A value opens to its plaintext or to a [`SealError`], never to garbage.
//!
//! In a text column the envelope is written `sm4:` + hex; on disk a file is [`FILE_MAGIC`] +
//! envelope. The magic begins with a zero byte, so no evidence file (which must start with a
//! PDF, image or zip signature) can be mistaken for a sealed one, nor the reverse.
//!
//! **The keys** live in a data key ring (数据加密密钥环) outside the database, laid out like the
//! audit key ring (`audit_key.rs`): a text file, mode 0600, one `key` line of 32 hex digits
//! (128 bits, SM4's key size) per key, oldest first. The last key seals; the earlier ones still
//! open what they sealed. Where it is ([`DataKeys::Default`]): `RECTIFY_DATA_KEY_FILE`, else
//! `PATH.data-keys` beside a SQLite file, else `rectify-data/data-keys` for PostgreSQL, and a
//! key made for the store's lifetime for an in-memory database. Every app server on one
//! PostgreSQL must read the same ring (the same file or secret mount on each).

use std::fmt;
use std::path::{Path, PathBuf};

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use sm3::{Digest, Sm3};

use crate::StorageError;
use crate::codec::{bytes_from_hex, hex};
use crate::key_file;

/// The environment variable naming the data key ring file.
pub const KEY_FILE_ENV: &str = "RECTIFY_DATA_KEY_FILE";

/// The ring of a PostgreSQL database when no file is named, relative to the working directory.
pub const DEFAULT_POSTGRES_KEY_FILE: &str = "rectify-data/data-keys";

/// The suffix of the ring beside a SQLite database file.
pub const SQLITE_KEY_FILE_SUFFIX: &str = ".data-keys";

/// What a sealed text column value starts with.
pub const TEXT_PREFIX: &str = "sm4:";

/// What a sealed evidence file starts with (a zero byte: no evidence type starts so).
pub const FILE_MAGIC: &[u8; 8] = b"\0RCTSM4\x01";

/// The version of the envelope.
const VERSION: u8 = 1;
/// SM4's key: 128 bits.
const KEY_BYTES: usize = 16;
const KEY_ID_BYTES: usize = 8;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
const HEADER_BYTES: usize = 1 + KEY_ID_BYTES + NONCE_BYTES;

/// SM4 in Galois/Counter Mode with a 96-bit nonce.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Why a sealed value does not open. Never a panic, never a wrong plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("{context}: the sealed value is malformed ({detail})")]
    Malformed { context: String, detail: &'static str },
    #[error("{context}: sealed with envelope version {version}, which this version does not know")]
    UnknownVersion { context: String, version: u8 },
    #[error(
        "{context}: sealed with data key {key_id}, which the data key ring does not hold; use this database's ring \
         ({KEY_FILE_ENV})"
    )]
    UnknownKey { context: String, key_id: String },
    #[error("{context}: the sealed value was changed or belongs elsewhere (authentication failed)")]
    Tampered { context: String },
    #[error("{context}: the sealed text is not UTF-8")]
    NotText { context: String },
    #[error("no randomness for a nonce: {0}")]
    NoRandomness(String),
}

/// One key of the ring.
#[derive(Clone)]
struct DataKey {
    id: [u8; KEY_ID_BYTES],
    secret: [u8; KEY_BYTES],
}

impl DataKey {
    fn new(secret: [u8; KEY_BYTES]) -> DataKey {
        let digest = Sm3::new().chain_update(b"rectify-data-key-id").chain_update(secret).finalize();
        let mut id = [0u8; KEY_ID_BYTES];
        id.copy_from_slice(&digest[..KEY_ID_BYTES]);
        DataKey { id, secret }
    }

    fn generate() -> Result<DataKey, StorageError> {
        let mut secret = [0u8; KEY_BYTES];
        getrandom::fill(&mut secret).map_err(|e| StorageError::DataKey(format!("no randomness for a key: {e}")))?;
        Ok(DataKey::new(secret))
    }

    fn cipher(&self) -> Sm4Gcm {
        // A 16-byte key is SM4's only size; `new_from_slice` cannot fail on it.
        Sm4Gcm::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!("SM4 takes 16-byte keys"))
    }
}

/// The keys that seal and open personal data and evidence files of one database. Its `Debug`
/// shows key ids only.
#[derive(Clone)]
pub struct DataKeyRing {
    path: Option<PathBuf>,
    /// Oldest first; the last one seals.
    keys: Vec<DataKey>,
}

impl fmt::Debug for DataKeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeyRing").field("path", &self.path).field("key_ids", &self.ids()).finish()
    }
}

/// Where [`crate::Store::connect_with`] finds the data key ring.
#[derive(Debug, Clone, Default)]
pub enum DataKeys {
    /// `RECTIFY_DATA_KEY_FILE`, else the default place for the database (see the module doc).
    #[default]
    Default,
    /// This file (created with a fresh key if missing and the database has sealed nothing yet).
    File(PathBuf),
    /// This ring, as given (tests, tools).
    Ring(DataKeyRing),
}

impl DataKeyRing {
    /// A ring of one fresh key, in memory.
    pub fn generate() -> Result<DataKeyRing, StorageError> {
        Ok(DataKeyRing { path: None, keys: vec![DataKey::generate()?] })
    }

    /// Reads a ring file. Refused when group or others may read it (Unix).
    pub fn load(path: &Path) -> Result<DataKeyRing, StorageError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| StorageError::DataKey(format!("cannot read the data key ring {}: {e}", path.display())))?;
        key_file::check_private(path, "data key ring").map_err(StorageError::DataKey)?;
        let mut ring =
            DataKeyRing::parse(&text).map_err(|e| StorageError::DataKey(format!("{}: {e}", path.display())))?;
        ring.path = Some(path.to_owned());
        Ok(ring)
    }

    /// Reads the ring at `path`, or creates it there (mode 0600, parent folders too) with one
    /// fresh key. Two processes creating it at once end up with the same ring.
    pub fn load_or_create(path: &Path) -> Result<DataKeyRing, StorageError> {
        if path.exists() {
            return DataKeyRing::load(path);
        }
        let mut ring = DataKeyRing::generate()?;
        match key_file::create_once(path, &ring.render()) {
            Ok(true) => {
                tracing::warn!(path = %path.display(), "created the data key ring; back it up apart from the database");
                ring.path = Some(path.to_owned());
                Ok(ring)
            }
            Ok(false) => DataKeyRing::load(path),
            Err(e) => Err(StorageError::DataKey(format!("cannot create the data key ring {}: {e}", path.display()))),
        }
    }

    /// Adds a fresh key to the ring file at `path`, which seals from then on; the old keys stay
    /// to open older values. Returns the new key's id. The file is replaced atomically.
    pub fn rotate(path: &Path) -> Result<String, StorageError> {
        let mut ring = DataKeyRing::load(path)?;
        let key = DataKey::generate()?;
        let id = hex(&key.id);
        ring.keys.push(key);
        key_file::replace(path, &ring.render())
            .map_err(|e| StorageError::DataKey(format!("cannot write the data key ring {}: {e}", path.display())))?;
        Ok(id)
    }

    /// The ids of the keys (16 hex digits), oldest first; the last one seals.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| hex(&k.id)).collect()
    }

    /// The id of the key that seals new values.
    pub fn current_id(&self) -> String {
        self.keys.last().map_or_else(String::new, |k| hex(&k.id))
    }

    /// Whether the ring holds the key with this id (16 hex digits).
    pub fn holds(&self, id: &str) -> bool {
        self.keys.iter().any(|k| hex(&k.id) == id)
    }

    /// The file the ring came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Seals `plaintext` under the current key, bound to `context`.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let key = self
            .keys
            .last()
            .ok_or_else(|| SealError::UnknownKey { context: context.to_owned(), key_id: "-".into() })?;
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| SealError::NoRandomness(e.to_string()))?;
        let mut out = Vec::with_capacity(HEADER_BYTES + plaintext.len() + TAG_BYTES);
        out.push(VERSION);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce);
        let aad = associated_data(&out[..1 + KEY_ID_BYTES], context);
        let sealed = key
            .cipher()
            .encrypt(&Nonce::<U12>::from(nonce), Payload { msg: plaintext, aad: &aad })
            .map_err(|_| SealError::Malformed { context: context.to_owned(), detail: "too long to seal" })?;
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens an envelope sealed under `context` by any key of the ring.
    pub fn open(&self, context: &str, envelope: &[u8]) -> Result<Vec<u8>, SealError> {
        let header = envelope_header(context, envelope)?;
        let Some(key) = self.keys.iter().find(|k| k.id == header.key_id) else {
            // Another process may have rotated the key since this ring was read.
            if let Some(ring) = self.reloaded().filter(|r| r.keys.iter().any(|k| k.id == header.key_id)) {
                return ring.open(context, envelope);
            }
            return Err(SealError::UnknownKey { context: context.to_owned(), key_id: hex(&header.key_id) });
        };
        let aad = associated_data(&envelope[..1 + KEY_ID_BYTES], context);
        let nonce = Nonce::<U12>::try_from(&envelope[1 + KEY_ID_BYTES..HEADER_BYTES])
            .map_err(|_| SealError::Malformed { context: context.to_owned(), detail: "nonce" })?;
        key.cipher()
            .decrypt(&nonce, Payload { msg: &envelope[HEADER_BYTES..], aad: &aad })
            .map_err(|_| SealError::Tampered { context: context.to_owned() })
    }

    /// A text sealed for a text column: `sm4:` + hex of the envelope.
    pub fn seal_text(&self, context: &str, plaintext: &str) -> Result<String, SealError> {
        Ok(format!("{TEXT_PREFIX}{}", hex(&self.seal(context, plaintext.as_bytes())?)))
    }

    /// Opens what [`DataKeyRing::seal_text`] wrote.
    pub fn open_text(&self, context: &str, sealed: &str) -> Result<String, SealError> {
        let malformed = |detail| SealError::Malformed { context: context.to_owned(), detail };
        let digits = sealed.strip_prefix(TEXT_PREFIX).ok_or_else(|| malformed("no sm4: prefix"))?;
        let envelope = bytes_from_hex(digits).ok_or_else(|| malformed("not hexadecimal"))?;
        String::from_utf8(self.open(context, &envelope)?)
            .map_err(|_| SealError::NotText { context: context.to_owned() })
    }

    /// Bytes sealed for a file: [`FILE_MAGIC`] + envelope.
    pub fn seal_file(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let envelope = self.seal(context, plaintext)?;
        let mut out = Vec::with_capacity(FILE_MAGIC.len() + envelope.len());
        out.extend_from_slice(FILE_MAGIC);
        out.extend_from_slice(&envelope);
        Ok(out)
    }

    /// Opens what [`DataKeyRing::seal_file`] wrote; a file without the magic is not sealed and
    /// comes back as it is (files from before migration 0022, until they are sealed).
    pub fn open_file(&self, context: &str, bytes: Vec<u8>) -> Result<Vec<u8>, SealError> {
        match bytes.strip_prefix(FILE_MAGIC.as_slice()) {
            Some(envelope) => self.open(context, envelope),
            None => Ok(bytes),
        }
    }

    fn reloaded(&self) -> Option<DataKeyRing> {
        DataKeyRing::load(self.path.as_deref()?).ok()
    }

    fn parse(text: &str) -> Result<DataKeyRing, String> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            match word {
                "key" => {
                    let secret: [u8; KEY_BYTES] = bytes_from_hex(value.trim())
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| format!("line {}: a key is 32 hexadecimal digits", n + 1))?;
                    keys.push(DataKey::new(secret));
                }
                other => return Err(format!("line {}: unknown word {other:?}", n + 1)),
            }
        }
        if keys.is_empty() {
            return Err("the data key ring holds no key".to_owned());
        }
        Ok(DataKeyRing { path: None, keys })
    }

    fn render(&self) -> String {
        let mut out = String::from(
            "# rectify data key ring (数据加密密钥环): SM4 keys sealing citizens' names and contacts and\n\
             # evidence files. Secret: keep mode 0600, back it up apart from the database; without it\n\
             # the sealed data cannot be read. The last key seals; earlier ones open older values.\n",
        );
        for key in &self.keys {
            out.push_str("key ");
            out.push_str(&hex(&key.secret));
            out.push('\n');
        }
        out
    }
}

/// The id of the key a sealed text was sealed with, without opening it.
pub fn text_key_id(sealed: &str) -> Option<String> {
    let digits = sealed.strip_prefix(TEXT_PREFIX)?;
    Some(digits.get(2..2 + 2 * KEY_ID_BYTES)?.to_owned())
}

/// What every text sealed by the key `key_id` (16 hex digits) starts with: a `LIKE` pattern's
/// prefix that finds the values not yet under the current key without opening them.
pub(crate) fn text_prefix_of_key(key_id: &str) -> String {
    format!("{TEXT_PREFIX}{}{key_id}", hex(&[VERSION]))
}

/// The id of the key a sealed file's first bytes name; `None` for a file that is not sealed.
pub fn file_key_id(head: &[u8]) -> Option<String> {
    let envelope = head.strip_prefix(FILE_MAGIC.as_slice())?;
    Some(hex(envelope.get(1..1 + KEY_ID_BYTES)?))
}

/// How many bytes [`file_key_id`] needs.
pub const FILE_HEAD_BYTES: usize = FILE_MAGIC.len() + 1 + KEY_ID_BYTES;

struct Header {
    key_id: [u8; KEY_ID_BYTES],
}

fn envelope_header(context: &str, envelope: &[u8]) -> Result<Header, SealError> {
    if envelope.len() < HEADER_BYTES + TAG_BYTES {
        return Err(SealError::Malformed { context: context.to_owned(), detail: "too short" });
    }
    if envelope[0] != VERSION {
        return Err(SealError::UnknownVersion { context: context.to_owned(), version: envelope[0] });
    }
    let mut key_id = [0u8; KEY_ID_BYTES];
    key_id.copy_from_slice(&envelope[1..1 + KEY_ID_BYTES]);
    Ok(Header { key_id })
}

/// What GCM authenticates besides the ciphertext: the version, the key id and the context.
fn associated_data(version_and_key: &[u8], context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(version_and_key.len() + context.len());
    aad.extend_from_slice(version_and_key);
    aad.extend_from_slice(context.as_bytes());
    aad
}

/// The default place of the data key ring for a database URL, or `None` for an in-memory one.
pub(crate) fn default_key_file_for(url: &str, backend: crate::Backend) -> Option<PathBuf> {
    key_file::place(url, backend, KEY_FILE_ENV, SQLITE_KEY_FILE_SUFFIX, DEFAULT_POSTGRES_KEY_FILE)
}

/// Where [`crate::Store::connect`] looks for the data key ring of the database at `url`.
pub fn key_file_for(url: &str) -> Result<Option<PathBuf>, StorageError> {
    Ok(default_key_file_for(url, crate::Backend::from_url(url)?))
}

/// The context of a feedback's personal field: bound to the row's receipt code.
pub(crate) fn feedback_context(field: &str, receipt_code: &str) -> String {
    format!("feedback.{field}/{receipt_code}")
}

/// The context of an account's TOTP secret: bound to the account's id, so that a sealed secret
/// copied into another account's row does not open there.
pub(crate) fn totp_context(user_id: crate::UserId) -> String {
    format!("user.totp/{user_id}")
}

/// The context of an evidence file: bound to its address.
pub(crate) fn evidence_context(sha256: &str) -> String {
    format!("evidence/{sha256}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring() -> DataKeyRing {
        DataKeyRing::generate().unwrap()
    }

    /// RFC 8998, appendix A.1 (SM4-GCM): the mode is GCM over SM4, not something of our own.
    #[test]
    fn sm4_gcm_matches_the_rfc_8998_vector() {
        let key = bytes_from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let nonce = bytes_from_hex("00001234567800000000ABCD").unwrap();
        let aad = bytes_from_hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let plaintext = bytes_from_hex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF\
             EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
        let out = cipher
            .encrypt(&Nonce::<U12>::try_from(nonce.as_slice()).unwrap(), Payload { msg: &plaintext, aad: &aad })
            .unwrap();
        assert_eq!(
            hex(&out).to_uppercase(),
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15\
             A56834CBCF98C397B4024A2691233B8D83DE3541E4C2B58177E065A9BF7B62EC"
        );
    }

    #[test]
    fn a_sealed_text_hides_the_plaintext_and_opens_only_in_its_context() {
        let ring = ring();
        let sealed = ring.seal_text("feedback.name/ABC", "张三").unwrap();
        assert!(sealed.starts_with(TEXT_PREFIX) && !sealed.contains("张三"), "{sealed}");
        assert_eq!(ring.open_text("feedback.name/ABC", &sealed).unwrap(), "张三");
        assert_ne!(sealed, ring.seal_text("feedback.name/ABC", "张三").unwrap(), "a fresh nonce each time");
        assert!(matches!(ring.open_text("feedback.name/XYZ", &sealed), Err(SealError::Tampered { .. })));
        assert!(matches!(ring.open_text("c", "sm4:zz"), Err(SealError::Malformed { .. })));
        assert!(matches!(ring.open_text("c", "张三"), Err(SealError::Malformed { .. })));
        assert_eq!(text_key_id(&sealed).unwrap(), ring.current_id());
        assert!(sealed.starts_with(&text_prefix_of_key(&ring.current_id())), "{sealed}");
    }

    #[test]
    fn another_ring_cannot_open_and_says_which_key_is_missing() {
        let (a, b) = (ring(), ring());
        let sealed = a.seal("c", b"x").unwrap();
        let err = b.open("c", &sealed).unwrap_err();
        assert_eq!(err, SealError::UnknownKey { context: "c".into(), key_id: a.current_id() });
        assert!(err.to_string().contains(&a.current_id()), "{err}");
    }

    #[test]
    fn a_ring_round_trips_through_its_file_and_rotation_keeps_old_values_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("data-keys");
        let ring = DataKeyRing::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let old = ring.seal_file("evidence/x", b"%PDF-1.7 old").unwrap();
        let new_id = DataKeyRing::rotate(&path).unwrap();
        let rotated = DataKeyRing::load(&path).unwrap();
        assert_eq!(rotated.ids(), vec![ring.current_id(), new_id.clone()]);
        assert_eq!(rotated.open_file("evidence/x", old.clone()).unwrap(), b"%PDF-1.7 old");
        let new = rotated.seal_file("evidence/x", b"%PDF-1.7 new").unwrap();
        assert_eq!(file_key_id(&new[..FILE_HEAD_BYTES]), Some(new_id));
        assert_eq!(file_key_id(&old[..FILE_HEAD_BYTES]), Some(ring.current_id()));
        // The process that read the ring before the rotation re-reads it for the new key.
        assert_eq!(ring.open_file("evidence/x", new).unwrap(), b"%PDF-1.7 new");
        assert!(!format!("{rotated:?}").contains(&hex(&rotated.keys[0].secret)), "Debug shows no key");
        assert_eq!(rotated.open_file("evidence/x", b"%PDF-1.7 plain".to_vec()).unwrap(), b"%PDF-1.7 plain");
    }

    #[cfg(unix)]
    #[test]
    fn a_ring_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        DataKeyRing::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = DataKeyRing::load(&path).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    #[test]
    fn malformed_rings_are_refused() {
        for text in ["", "# only a comment\n", "key 12\n", &format!("key {}\n", "ab".repeat(32)), "colour blue\n"] {
            assert!(DataKeyRing::parse(text).is_err(), "{text:?}");
        }
        assert_eq!(DataKeyRing::parse(&format!("key {}\n", "AB".repeat(16))).unwrap().ids().len(), 1);
    }

    proptest! {
        #[test]
        fn seal_then_open_gives_the_plaintext_back(plaintext in proptest::collection::vec(any::<u8>(), 0..300), context in ".{0,40}") {
            let ring = ring();
            let sealed = ring.seal(&context, &plaintext).unwrap();
            prop_assert_eq!(sealed.len(), HEADER_BYTES + plaintext.len() + TAG_BYTES);
            prop_assert_eq!(ring.open(&context, &sealed).unwrap(), plaintext);
        }

        #[test]
        fn any_flipped_bit_is_refused(plaintext in proptest::collection::vec(any::<u8>(), 0..64), at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let ring = ring();
            let mut sealed = ring.seal("ctx", &plaintext).unwrap();
            let i = at.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(ring.open("ctx", &sealed).is_err());
        }

        #[test]
        fn any_cut_is_refused(plaintext in proptest::collection::vec(any::<u8>(), 0..64), at in any::<prop::sample::Index>()) {
            let ring = ring();
            let sealed = ring.seal("ctx", &plaintext).unwrap();
            let cut = at.index(sealed.len());
            prop_assert!(ring.open("ctx", &sealed[..cut]).is_err());
        }
    }
}
