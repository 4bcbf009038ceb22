//! The one error type of the server. Services return it; the http layer turns it into a JSON
//! answer (`{"error": "...", "message": "..."}`) for the API or a Chinese page for the UI and
//! the portal, by the kind of the route (see `http::error`).

use rectify_domain::workflow::WorkflowError;
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

/// The Chinese explanation of a refused step.
pub fn refusal_zh(error: &WorkflowError) -> String {
    let actor_zh = |label: &str| match label {
        "the responsible department" => "责任部门",
        "the unit liaison" => "单位联络员",
        "the leader in charge" => "分管领导",
        "the leading group" => "整改领导小组",
        "the verifier" => "巡察办（核验销号）",
        "the department or the liaison" => "责任部门或单位联络员",
        _ => "其他角色",
    };
    match error {
        WorkflowError::NotNow { .. } => "该措施当前所处环节不能办理此项操作，请刷新页面查看最新状态".to_owned(),
        WorkflowError::NotYourStep { allowed, .. } => format!("该环节应由{}办理", actor_zh(allowed)),
        WorkflowError::NoEvidence => "申请销号须至少上传一份佐证材料".to_owned(),
        WorkflowError::NoReason => "请填写理由".to_owned(),
        WorkflowError::DeadlineNotLater { new, current } => {
            format!("申请的完成时限（{}）须晚于原时限（{}）", new.to_chinese(), current.to_chinese())
        }
        WorkflowError::ExtensionPending => "已有延期申请正在等待审批".to_owned(),
        WorkflowError::NoExtensionPending => "没有待审批的延期申请".to_owned(),
    }
}

impl From<WorkflowStoreError> for AppError {
    fn from(e: WorkflowStoreError) -> Self {
        match e {
            WorkflowStoreError::Conflict { current_version } => AppError::Conflict { current_version },
            WorkflowStoreError::Refused(refused) => {
                AppError::Refused { message: refused.to_string(), message_zh: refusal_zh(&refused) }
            }
            WorkflowStoreError::Forbidden(message) => AppError::Forbidden(message),
            WorkflowStoreError::NotNow(message) => {
                AppError::Refused { message, message_zh: "当前状态下不能办理此项操作".to_owned() }
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
            other => AppError::Invalid(other.to_string()),
        }
    }
}
