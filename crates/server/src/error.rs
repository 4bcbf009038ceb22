//! The one error type of the server. Services return it; the http layer turns it into a JSON
//! answer (`{"error": "...", "message": "..."}`) for the API or a Chinese page for the UI and
//! the portal, by the kind of the route (see `http::error`).

use rectify_storage::{FeedbackError, StorageError, WorkflowStoreError};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("no resource at {0}")]
    NoRoute(String),
    #[error("invalid {what}: {value:?} is not a positive integer id")]
    BadId { what: &'static str, value: String },
    #[error("invalid query string: {0}")]
    BadQuery(String),
    /// No valid session: sign in first.
    #[error("sign-in required")]
    Unauthorized,
    /// Signed in, but the role or the data scope does not reach this.
    #[error("not permitted: {0}")]
    Forbidden(String),
    /// The account must change its password or enrol a second factor before anything else.
    #[error("account action required first: {0}")]
    AccountActionRequired(&'static str),
    /// The state-changing request lacks the session's CSRF token (`X-CSRF-Token`).
    #[error("missing or wrong X-CSRF-Token header")]
    Csrf,
    /// A stale `version` (optimistic locking).
    #[error("the measure was changed meanwhile (now at version {current_version}); reload it")]
    Conflict { current_version: i64 },
    /// The rules refuse the step.
    #[error("{message}")]
    Refused { message: String, message_zh: String },
    #[error("too soon: {0}")]
    TooSoon(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A request that can never succeed as sent (400), with the reason in Chinese.
    #[error("invalid request: {message}")]
    BadRequest { message: String, message_zh: String },
    /// A published report that its unit has withdrawn (410).
    #[error("{0} was withdrawn")]
    Gone(&'static str),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AppError {
    /// A record that does not exist.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        AppError::NotFound { what, id: id.to_string() }
    }

    /// A refusal by the rules, in English and in Chinese.
    pub fn refused(message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        AppError::Refused { message: message.into(), message_zh: message_zh.into() }
    }

    /// Outside the account's data scope.
    pub fn out_of_scope() -> Self {
        AppError::Forbidden("outside the account's data scope".into())
    }
}

/// Failures of the template engine, the document writers and the QR encoder are the server's
/// own faults: logged in full, answered as 500.
macro_rules! internal_from {
    ($($source:ty),* $(,)?) => {$(
        impl From<$source> for AppError {
            fn from(e: $source) -> Self {
                AppError::Internal(format!("{e:#}"))
            }
        }
    )*};
}

internal_from!(
    minijinja::Error,
    rectify_report_writer::WriteError,
    rectify_workbook::WorkbookError,
    qrcode::types::QrError,
    tokio::task::JoinError,
);

impl From<WorkflowStoreError> for AppError {
    fn from(e: WorkflowStoreError) -> Self {
        match e {
            WorkflowStoreError::Conflict { current_version } => AppError::Conflict { current_version },
            WorkflowStoreError::Refused(refused) => {
                AppError::Refused { message: refused.to_string(), message_zh: refused.message_zh() }
            }
            WorkflowStoreError::Forbidden(refused) => AppError::Forbidden(refused.to_string()),
            WorkflowStoreError::NotNow(refused) => {
                AppError::Refused { message: refused.to_string(), message_zh: refused.message_zh() }
            }
            WorkflowStoreError::TooSoon { last_at } => AppError::TooSoon(format!(
                "a reminder about this measure was already sent at {last_at}; wait before sending another"
            )),
            WorkflowStoreError::Invalid(message) => AppError::Invalid(message),
            WorkflowStoreError::Storage(e) => AppError::Storage(e),
        }
    }
}

impl From<FeedbackError> for AppError {
    fn from(e: FeedbackError) -> Self {
        match e {
            FeedbackError::Storage(e) => AppError::Storage(e),
            FeedbackError::UnknownUnit(unit) => AppError::not_found("unit", unit),
            FeedbackError::Entropy(message) => AppError::Internal(message),
            FeedbackError::TooLong(e) => AppError::Refused { message: e.to_string(), message_zh: e.message_zh() },
            other => AppError::Invalid(other.to_string()),
        }
    }
}
