//! The schema migrations, embedded in the binary.
//!
//! The SQL files are included with `include_str!` and handed to sqlx's runtime [`Migrator`]
//! instead of going through the `sqlx::migrate!` macro: that macro alone needs sqlx's `macros`
//! feature, whose proc-macro crate links both database drivers (and a second build of SQLite's
//! C source) into the compiler — the largest serial unit of a clean build. Version, description,
//! checksum and the `-- no-transaction` opt-out are derived exactly as the macro derives them
//! (checked against the folder by a test below), so databases migrated by earlier builds are
//! recognised as up to date.

use std::borrow::Cow;
use std::sync::LazyLock;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(file name, contents)` of each migration of one backend.
macro_rules! migration_files {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        &[$(($file, include_str!(concat!("../migrations/", $dir, "/", $file)))),+]
    };
}

/// Every file of `migrations/sqlite`, in order. A new migration is added here too (a test fails
/// when the folder holds a file this list does not).
const SQLITE: &[(&str, &str)] = migration_files!("sqlite":
    "0001_ledger.sql",
    "0002_workflow.sql",
    "0003_portal.sql",
    "0004_light_policy.sql",
    "0005_settings.sql",
    "0006_audit_chain_triggers.sql",
    "0007_inspection_version.sql",
    "0008_rounds.sql",
    "0009_security.sql",
    "0010_search.sql",
    "0011_evaluations.sql",
    "0012_ledger_editing.sql",
    "0013_separation_of_duties.sql",
    "0014_review_queue.sql",
    "0016_notifications.sql",
    "0018_supervision_notices.sql",
    "0019_indicators.sql",
    "0020_spot_checks.sql",
    "0021_feedback_routing.sql",
    "0022_sealed_data.sql",
    "0023_round_details.sql",
);

/// Every file of `migrations/postgres`, in order.
const POSTGRES: &[(&str, &str)] = migration_files!("postgres":
    "0001_ledger.sql",
    "0002_workflow.sql",
    "0003_portal.sql",
    "0004_light_policy.sql",
    "0005_settings.sql",
    "0006_audit_chain_triggers.sql",
    "0007_inspection_version.sql",
    "0008_rounds.sql",
    "0009_security.sql",
    "0010_search.sql",
    "0011_evaluations.sql",
    "0012_ledger_editing.sql",
    "0013_separation_of_duties.sql",
    "0014_review_queue.sql",
    "0016_notifications.sql",
    "0018_supervision_notices.sql",
    "0019_indicators.sql",
    "0020_spot_checks.sql",
    "0021_feedback_routing.sql",
    "0022_sealed_data.sql",
    "0023_round_details.sql",
);

pub(crate) static SQLITE_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| migrator(SQLITE));
pub(crate) static POSTGRES_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| migrator(POSTGRES));

fn migrator(files: &'static [(&'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(files.iter().map(|&(file, sql)| migration(file, sql)).collect())
}

/// One migration as sqlx's folder resolver reads it: `<version>_<description>.sql`, the
/// description with `_` read as a space.
fn migration(file: &str, sql: &'static str) -> Migration {
    let (version, rest) = file.split_once('_').expect("migration file name is <version>_<description>.sql");
    let version: i64 = version.parse().expect("migration file name starts with an integer version");
    let migration_type = MigrationType::from_filename(rest);
    let description = rest.trim_end_matches(migration_type.suffix()).replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(version, Cow::Owned(description), migration_type, sql.into_sql_str(), no_tx)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The embedded list is the folder, and each migration is what `sqlx::migrate!` made of it
    /// (same version, description, type, checksum and transaction mode).
    async fn same_as_folder(embedded: &Migrator, dir: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let from_folder = Migrator::new(path.as_path()).await.unwrap();
        let key = |m: &Migration| {
            (
                m.version,
                m.description.to_string(),
                m.migration_type,
                m.checksum.to_vec(),
                m.no_tx,
                m.sql.as_str().to_owned(),
            )
        };
        let embedded: Vec<_> = embedded.iter().map(key).collect();
        let from_folder: Vec<_> = from_folder.iter().map(key).collect();
        assert_eq!(embedded, from_folder, "crates/storage/migrations/{dir} and src/migrations.rs differ");
    }

    #[tokio::test]
    async fn the_embedded_migrations_are_the_folders() {
        same_as_folder(&SQLITE_MIGRATIONS, "sqlite").await;
        same_as_folder(&POSTGRES_MIGRATIONS, "postgres").await;
    }

    #[test]
    fn descriptions_read_underscores_as_spaces() {
        let m = migration("0006_audit_chain_triggers.sql", "select 1;");
        assert_eq!((m.version, m.description.as_ref(), m.no_tx), (6, "audit chain triggers", false));
        assert_eq!(m.migration_type, MigrationType::Simple);
    }
}
