//! Evidence files (佐证材料) on disk, content-addressed.
//!
//! A file is stored under its SHA-256 (`root/ab/cdef…`), so the same content is stored once and
//! a name chosen by a user never reaches the file system. The type is decided by the content,
//! never by the declared name, and only the types an evidence file can be are accepted. Files are
//! written to a temporary name and renamed, so a reader never sees half a file. Who may read a
//! file is the server's decision (see `Store::evidence_measure`); the root must lie outside any
//! directory served as is.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::hex;

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
}

/// The evidence files under one directory.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    root: PathBuf,
    max_bytes: u64,
}

impl EvidenceStore {
    /// A store under `root` (created on first write) with the default size limit.
    pub fn new(root: impl Into<PathBuf>) -> EvidenceStore {
        EvidenceStore { root: root.into(), max_bytes: DEFAULT_MAX_BYTES }
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
            let dir = path.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile_in(dir)?;
            tmp.1.write_all(bytes)?;
            tmp.1.sync_all()?;
            drop(tmp.1);
            // rename is atomic within a directory; a concurrent writer of the same content wins
            // or loses the race with identical bytes.
            if let Err(e) = std::fs::rename(&tmp.0, &path) {
                let _ = std::fs::remove_file(&tmp.0);
                return Err(e.into());
            }
        }
        Ok(StoredFile { sha256, size, media_type })
    }

    /// Opens a stored file for reading.
    pub fn open(&self, sha256: &str) -> Result<std::fs::File, FileError> {
        let path = self.path_of(sha256)?;
        std::fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FileError::NotFound(sha256.to_owned()),
            _ => FileError::Io(e),
        })
    }

    /// The file's media type, decided by its content again (for the Content-Type header).
    pub fn media_type(&self, sha256: &str) -> Result<&'static str, FileError> {
        let mut bytes = Vec::new();
        self.open(sha256)?.read_to_end(&mut bytes)?;
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
