//! What can go wrong when storing or reading a ledger.

/// An error of the storage layer. The variants tell a caller how to answer: `NotFound` and
/// `Ambiguous` are the user's to fix (name another inspection), `Invalid` is the input's,
/// `Corrupt` and `Database` are the operator's.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Nothing matches the id or the name asked for.
    #[error("not found: {0}")]
    NotFound(String),
    /// A name matches several inspections, or several are stored where one was expected.
    #[error("ambiguous: {0}")]
    Ambiguous(String),
    /// The ledger breaks a rule of the domain or does not fit the database.
    #[error("invalid ledger: {0}")]
    Invalid(String),
    /// The database holds a value the domain refuses (edited by hand or by a newer version).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The connection URL names no supported database.
    #[error("unsupported database URL {0:?}: expected sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StorageError {
    pub(crate) fn corrupt(what: impl std::fmt::Display, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("{what}: {detail}"))
    }
}

/// Why a step of the workflow on the ledger was not taken. `Conflict`, `Refused`, `NotNow` and
/// `TooSoon` are the user's to resolve (reload, take another step, wait); `Forbidden` means the
/// role may not act at all.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowStoreError {
    /// Someone changed the measure since the actor loaded it: reload and decide again.
    #[error("the measure was changed by someone else meanwhile (now at version {current_version}); reload it")]
    Conflict { current_version: i64 },
    /// The closure rules refuse the step.
    #[error(transparent)]
    Refused(#[from] rectify_domain::workflow::WorkflowError),
    /// The actor's role may not do this.
    #[error("not permitted: {0}")]
    Forbidden(String),
    /// The record is not in a state that allows this.
    #[error("not possible now: {0}")]
    NotNow(String),
    /// A reminder about the same measure was sent too recently.
    #[error("a reminder about this measure was already sent at {last_at}")]
    TooSoon { last_at: String },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for WorkflowStoreError {
    fn from(e: sqlx::Error) -> Self {
        WorkflowStoreError::Storage(e.into())
    }
}
