//! What can go wrong when storing or reading a ledger.

use rectify_domain::Status;
use rectify_domain::roles::Role;

use crate::{Acting, MeasureId, ProblemId};

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
    /// The commit shared by a group of SQLite writes failed (or never came): none of them is
    /// stored. The message is the database's, told to every writer of the group.
    #[error("database error: the group commit failed: {0}")]
    GroupCommit(String),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The audit chain's key ring is missing, unreadable, too open, or not this database's.
    #[error("audit key: {0}")]
    AuditKey(String),
    /// The data key ring (SM4 at rest) is missing, unreadable, too open, or not this database's.
    #[error("data key: {0}")]
    DataKey(String),
    /// A sealed value or file does not open (changed, moved, or sealed under a key not held).
    #[error("sealed data: {0}")]
    Sealed(#[from] crate::sealed::SealError),
}

impl StorageError {
    pub(crate) fn corrupt(what: impl std::fmt::Display, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("{what}: {detail}"))
    }
}

/// A role that may not do something, and the roles that may.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is for {}, not for {}", role_list(.allowed), .role.label_zh())]
pub struct NotPermitted {
    /// What was tried, in English ("closing a problem").
    pub what: &'static str,
    pub role: Role,
    pub allowed: &'static [Role],
}

impl NotPermitted {
    /// 巡察办不能办理该事项（应由责任部门或单位联络员办理）.
    pub fn message_zh(&self) -> String {
        let allowed: Vec<&str> = self.allowed.iter().map(|r| r.label_zh()).collect();
        format!("{}不能办理该事项（应由{}办理）", self.role.label_zh(), allowed.join("或"))
    }
}

/// `Ok` if the actor's role is among `allowed`; the one check of a role in this crate.
pub(crate) fn require_role(
    actor: &Acting,
    allowed: &'static [Role],
    what: &'static str,
) -> Result<(), WorkflowStoreError> {
    if allowed.contains(&actor.role) {
        Ok(())
    } else {
        Err(WorkflowStoreError::Forbidden(NotPermitted { what, role: actor.role, allowed }))
    }
}

fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join(" / ")
}

/// Why a record is not in a state that allows what was asked (the user's to resolve: reload,
/// reopen first, close the measures first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotNow {
    #[error("measure {measure_id} is closed; reopen it first")]
    MeasureClosed { measure_id: MeasureId },
    #[error("problem {problem_id} is already closed")]
    ProblemClosed { problem_id: ProblemId },
    /// Only a closed problem can be reopened.
    #[error("problem {problem_id} is not closed ({})", .status.as_str())]
    ProblemNotClosed { problem_id: ProblemId, status: Status },
    #[error("problem {problem_id} has no measure to verify")]
    NoMeasures { problem_id: ProblemId },
    #[error("{open} of the {total} measures of problem {problem_id} are not closed yet")]
    MeasuresOpen { problem_id: ProblemId, open: u32, total: u32 },
    /// A look-back item is decided once; `result` is the stored one.
    #[error("look-back item {item_id} was already found {result}")]
    AlreadyChecked { item_id: i64, result: String },
    /// A retired (作废) item is kept as it was.
    #[error("{kind} {id} is retired and can no longer be changed")]
    Retired { kind: &'static str, id: i64 },
    /// Work has started: the item can be retired with a reason, not deleted.
    #[error("work on {kind} {id} has started; retire it with a reason instead of deleting it")]
    WorkStarted { kind: &'static str, id: i64 },
    #[error("aspect {aspect_id} still holds problems")]
    AspectNotEmpty { aspect_id: i64 },
}

impl NotNow {
    /// The refusal as the pages and the API's `message_zh` say it.
    pub fn message_zh(&self) -> String {
        match self {
            NotNow::MeasureClosed { .. } => "该措施已销号，须先重新打开".to_owned(),
            NotNow::ProblemClosed { .. } => "该问题已销号".to_owned(),
            NotNow::ProblemNotClosed { status, .. } => {
                format!("该问题尚未销号（当前状态：{}），不能重新打开", status.label_zh())
            }
            NotNow::NoMeasures { .. } => "该问题没有可核验的整改措施".to_owned(),
            NotNow::MeasuresOpen { open, total, .. } => {
                format!("该问题的{total}项整改措施中尚有{open}项未销号，不能销号")
            }
            NotNow::AlreadyChecked { .. } => "该抽查事项已记录结果".to_owned(),
            NotNow::Retired { kind, .. } => format!("该{}已作废，不能再修改", kind_zh(kind)),
            NotNow::WorkStarted { kind, .. } => {
                format!("该{}已开始整改，不能删除，只能填写理由后作废", kind_zh(kind))
            }
            NotNow::AspectNotEmpty { .. } => "该方面下仍有问题，不能删除".to_owned(),
        }
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "aspect" => "方面",
        "problem" => "问题",
        "measure" => "整改措施",
        _ => "记录",
    }
}

/// Why a step of the workflow on the ledger was not taken. `Conflict`, `Refused`, `NotNow` and
/// `TooSoon` are the user's to resolve (reload, take another step, wait); `Forbidden` means the
/// role may not act at all. The refusals are typed and say themselves in Chinese (`message_zh`).
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
    Forbidden(#[from] NotPermitted),
    /// The record is not in a state that allows this.
    #[error("not possible now: {0}")]
    NotNow(#[from] NotNow),
    /// A reminder about the same measure was sent too recently.
    #[error("a reminder about this measure was already sent at {last_at}")]
    TooSoon { last_at: String },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rectify_domain::limits::TooLong> for WorkflowStoreError {
    /// A text over its limit is refused like a step of the workflow: typed, with `message_zh`.
    fn from(e: rectify_domain::limits::TooLong) -> Self {
        WorkflowStoreError::Refused(e.into())
    }
}

/// An account's text over its limit, for the account functions (whose error has no variant of
/// its own for it).
pub(crate) fn too_long(e: rectify_domain::limits::TooLong) -> StorageError {
    StorageError::Invalid(e.to_string())
}

impl From<sqlx::Error> for WorkflowStoreError {
    fn from(e: sqlx::Error) -> Self {
        WorkflowStoreError::Storage(e.into())
    }
}
