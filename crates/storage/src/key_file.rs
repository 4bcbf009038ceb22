//! The files that hold key rings (the audit key ring, the data key ring): where they are, made
//! once and readable by their owner only, replaced whole. One place for both rings, so that
//! they are created, checked and rotated alike.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file next to `path` with `suffix`, hidden.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{file_name}.{suffix}"))
}

/// Writes a new file readable by its owner only (mode 0600 on Unix); refuses an existing file.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Refuses a key file (`what`: "audit key ring") that group or others may read or write (Unix).
pub(crate) fn check_private(path: &Path, what: &str) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the {what} {} may be read by others (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    Ok(())
}

/// Where a key file of the database at `url` is: the file named by the variable `env`, else
/// `PATH{sqlite_suffix}` beside a SQLite file, else `postgres_default`; `None` in memory.
pub(crate) fn place(
    url: &str,
    backend: crate::Backend,
    env: &str,
    sqlite_suffix: &str,
    postgres_default: &str,
) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if backend == crate::Backend::Postgres {
        return Some(PathBuf::from(postgres_default));
    }
    Some(PathBuf::from(format!("{}{sqlite_suffix}", sqlite_file(url)?)))
}

/// The file of a `sqlite:PATH` URL; `None` for a database in memory or another URL.
pub(crate) fn sqlite_file(url: &str) -> Option<&str> {
    let sqlite = url.strip_prefix("sqlite:")?;
    let sqlite = sqlite.strip_prefix("//").unwrap_or(sqlite);
    let file = sqlite.split('?').next().unwrap_or("");
    if file.is_empty() || file.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(file)
}

/// Creates the file at `path` holding `text` (mode 0600, parent folders too) unless a file is
/// there: `Ok(false)` then. Written beside and linked into place, so the link fails if another
/// process made it meanwhile, and nobody ever reads a half-written ring.
pub(crate) fn create_once(path: &Path, text: &str) -> std::io::Result<bool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = beside(path, &format!("new.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let linked = write_private(&tmp, text.as_bytes()).and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces the file at `path` with `text` atomically (written beside, then renamed), mode 0600.
pub(crate) fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = beside(path, &format!("rotate.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    write_private(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
