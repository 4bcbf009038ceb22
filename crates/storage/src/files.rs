//! Evidence files (佐证材料) on disk, content-addressed.
//!
//! A file is stored under its SHA-256 (`root/ab/cdef…`), so the same content is stored once and
//! a name chosen by a user never reaches the file system. The type is decided by the content,
//! never by the declared name, and only the types an evidence file can be are accepted. Files are
//! written to a temporary name and renamed, so a reader never sees half a file. Who may read a
//! file is the server's decision (see `Store::evidence_measure`); the root must lie outside any
//! directory served as is.
//!
//! With a data key ring ([`EvidenceStore::with_keys`], as the server and the command line always
//! give it) a file is written sealed with SM4 (`crate::sealed`): on disk it is the magic and the
//! envelope, bound to its address. Files written before that are read as they are until
//! [`EvidenceStore::seal_files`] seals them (at the server's start, and by `keys rotate-data`).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::hex;
use crate::sealed::{self, DataKeyRing, SealError};

/// 20 MiB: scans and photos of meeting minutes fit; videos do not belong here.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// A file in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// Lower-case hex; the file's address.
    pub sha256: String,
    pub size: u64,
    pub media_type: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is {size} bytes; at most {limit} are accepted")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("the content of {name:?} is not a PDF, PNG, JPEG, GIF, WebP, Word (.docx) or Excel (.xlsx) file")]
    UnsupportedType { name: String },
    #[error("{0:?} is not the SHA-256 of a stored file")]
    BadAddress(String),
    #[error("no stored file has the SHA-256 {0}")]
    NotFound(String),
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
    /// A sealed file that does not open: changed on disk, moved to another address, or sealed
    /// under a key the ring does not hold.
    #[error(transparent)]
    Sealed(#[from] SealError),
    /// A sealed file met by a store without a data key ring.
    #[error("the evidence file {0} is sealed, and no data key ring was given to open it")]
    NoKeys(String),
}

/// What [`EvidenceStore::seal_files`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SealedFiles {
    /// Plaintext files sealed, or files re-sealed under the current key.
    pub sealed: u64,
    /// Files already under the current key.
    pub unchanged: u64,
}

/// The evidence files under one directory.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    root: PathBuf,
    max_bytes: u64,
    keys: Option<Arc<DataKeyRing>>,
}

impl EvidenceStore {
    /// A store under `root` (created on first write) with the default size limit.
    pub fn new(root: impl Into<PathBuf>) -> EvidenceStore {
        EvidenceStore { root: root.into(), max_bytes: DEFAULT_MAX_BYTES, keys: None }
    }

    /// Seals the files it writes with these keys, and opens sealed files with them.
    pub fn with_keys(mut self, keys: Arc<DataKeyRing>) -> EvidenceStore {
        self.keys = Some(keys);
        self
    }

    /// Whether files are sealed on writing.
    pub fn seals(&self) -> bool {
        self.keys.is_some()
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> EvidenceStore {
        self.max_bytes = max_bytes;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks and stores `bytes`; storing the same content again changes nothing.
    /// `original_name` is only used in messages.
    pub fn store(&self, bytes: &[u8], original_name: &str) -> Result<StoredFile, FileError> {
        let size = bytes.len() as u64;
        if size == 0 {
            return Err(FileError::Empty);
        }
        if size > self.max_bytes {
            return Err(FileError::TooLarge { size, limit: self.max_bytes });
        }
        let media_type = sniff(bytes).ok_or_else(|| FileError::UnsupportedType { name: original_name.to_owned() })?;
        let sha256 = hex(&Sha256::digest(bytes));
        let path = self.path_of(&sha256)?;
        if !path.exists() {
            match &self.keys {
                Some(keys) => {
                    self.write_atomically(&path, &keys.seal_file(&sealed::evidence_context(&sha256), bytes)?)?
                }
                None => self.write_atomically(&path, bytes)?,
            }
        }
        Ok(StoredFile { sha256, size, media_type })
    }

    /// Writes `bytes` at `path` under a temporary name, then renames it into place.
    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> Result<(), FileError> {
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        drop(tmp.1);
        // rename is atomic within a directory; a concurrent writer of the same content wins
        // or loses the race with identical plaintext.
        if let Err(e) = std::fs::rename(&tmp.0, path) {
            let _ = std::fs::remove_file(&tmp.0);
            return Err(e.into());
        }
        Ok(())
    }

    /// A stored file's content, opened if sealed.
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        let path = self.path_of(sha256)?;
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FileError::NotFound(sha256.to_owned()),
            _ => FileError::Io(e),
        })?;
        if !bytes.starts_with(sealed::FILE_MAGIC) {
            return Ok(bytes);
        }
        let keys = self.keys.as_ref().ok_or_else(|| FileError::NoKeys(sha256.to_owned()))?;
        Ok(keys.open_file(&sealed::evidence_context(sha256), bytes)?)
    }

    /// Seals every file under the root that is not yet sealed under the current key: plaintext
    /// files from before migration 0022, and files of older keys after a rotation. Each file is
    /// opened, checked against its address, sealed and renamed into place, so a reader sees the
    /// old or the new file, both readable. Files not named by an address are left alone.
    pub fn seal_files(&self) -> Result<SealedFiles, FileError> {
        let Some(keys) = &self.keys else { return Ok(SealedFiles::default()) };
        let current = keys.current_id();
        let mut done = SealedFiles::default();
        let dirs = match std::fs::read_dir(&self.root) {
            Ok(dirs) => dirs,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(done),
            Err(e) => return Err(e.into()),
        };
        for dir in dirs {
            let dir = dir?;
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !dir.file_type()?.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(dir.path())? {
                let file = file?;
                let sha256 = format!("{prefix}{}", file.file_name().to_string_lossy());
                let Ok(path) = self.path_of(&sha256) else { continue };
                let mut head = [0u8; sealed::FILE_HEAD_BYTES];
                let read = std::fs::File::open(&path)?.read(&mut head)?;
                if sealed::file_key_id(&head[..read]).as_deref() == Some(current.as_str()) {
                    done.unchanged += 1;
                    continue;
                }
                let plaintext = self.read(&sha256)?;
                if hex(&Sha256::digest(&plaintext)) != sha256 {
                    return Err(FileError::Io(std::io::Error::other(format!(
                        "the evidence file {} does not match its address; left as it is",
                        path.display()
                    ))));
                }
                self.write_atomically(&path, &keys.seal_file(&sealed::evidence_context(&sha256), &plaintext)?)?;
                done.sealed += 1;
            }
        }
        Ok(done)
    }

    /// The file's media type, decided by its content again (for the Content-Type header).
    pub fn media_type(&self, sha256: &str) -> Result<&'static str, FileError> {
        let bytes = self.read(sha256)?;
        sniff(&bytes).ok_or_else(|| FileError::UnsupportedType { name: sha256.to_owned() })
    }

    /// `root/ab/cdef…` for a well-formed address; anything else is refused before it can name
    /// a path.
    fn path_of(&self, sha256: &str) -> Result<PathBuf, FileError> {
        let well_formed =
            sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        match (well_formed, sha256.get(..2), sha256.get(2..)) {
            (true, Some(dir), Some(rest)) => Ok(self.root.join(dir).join(rest)),
            _ => Err(FileError::BadAddress(sha256.to_owned())),
        }
    }
}

/// A new file with a unique name in `dir`.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let name = format!(".tmp-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The media type the content shows, if it is one evidence may be.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else if bytes.starts_with(b"PK\x03\x04") {
        office_type(bytes)
    } else {
        None
    }
}

/// A .docx or .xlsx: a zip whose central directory lists the part that makes it one.
fn office_type(bytes: &[u8]) -> Option<&'static str> {
    let names = zip_entry_names(bytes)?;
    if names.iter().any(|n| n == "word/document.xml") {
        Some(DOCX)
    } else if names.iter().any(|n| n == "xl/workbook.xml") {
        Some(XLSX)
    } else {
        None
    }
}

/// The names in a zip's central directory, read without extracting anything (so a zip bomb
/// costs nothing). `None` when the structure is not a well-formed zip.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CENTRAL: &[u8] = b"PK\x01\x02";
    // The end record is within the last 22 + 65535 bytes (its comment is at most 65535).
    let search_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let tail = bytes.get(search_from..)?;
    let eocd = search_from + tail.windows(4).rposition(|w| w == EOCD)?;
    let mut cursor = std::io::Cursor::new(bytes);
    cursor.seek(SeekFrom::Start(eocd as u64 + 10)).ok()?;
    let entries = read_u16(&mut cursor)?;
    let _size = read_u32(&mut cursor)?;
    let offset = read_u32(&mut cursor)?;
    let mut names = Vec::with_capacity(usize::from(entries).min(1024));
    let mut at = usize::try_from(offset).ok()?;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != CENTRAL {
            return None;
        }
        let field = |from: usize| -> Option<usize> {
            let b = bytes.get(at + from..at + from + 2)?;
            Some(usize::from(u16::from_le_bytes([*b.first()?, *b.get(1)?])))
        };
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

fn read_u16(r: &mut impl Read) -> Option<u16> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b).ok()?;
    Some(u16::from_le_bytes(b))
}

fn read_u32(r: &mut impl Read) -> Option<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).ok()?;
    Some(u32::from_le_bytes(b))
}
