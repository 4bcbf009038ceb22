//! The public portal (公开通报与意见建议): published reports and citizens' feedback.
//!
//! A published report is a frozen snapshot of the public version of an inspection's report,
//! rendered by the caller at publication time, so that the public keeps seeing exactly what was
//! published whatever happens to the ledger later. Reports are withdrawn, never deleted.
//!
//! Feedback arrives from the public without an account. Each submission gets a random receipt
//! code, the citizen's only key to the answer. An anonymous submission stores no personal
//! identifier (name, contact, network address or any hash of it); the database refuses such a
//! row. Publishing, withdrawing, submitting and answering each append an audit entry in the same
//! transaction; the entries never carry a receipt code, a name or a contact.

use std::fmt;

use chrono::{DateTime, Utc};
use rectify_domain::limits;
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditRecord, timestamp};
use crate::codec::unsigned;
use crate::{Acting, InspectionId, StorageError, Store};

pub type PublicationId = i64;
pub type FeedbackId = i64;

/// The receipt code's alphabet: digits and capital letters without 0/O and 1/I, which are easy
/// to confuse when read out or typed from paper. 32 symbols, so 5 random bits pick one exactly.
pub const RECEIPT_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a receipt code: 60 random bits, far beyond guessing.
pub const RECEIPT_LEN: usize = 12;

/// Limits of a submission, in characters (not bytes); the maxima are the domain's
/// ([`rectify_domain::limits`]).
pub const SUBJECT_MAX_CHARS: usize = limits::FEEDBACK_SUBJECT.max_chars;
pub const BODY_MIN_CHARS: usize = 10;
pub const BODY_MAX_CHARS: usize = limits::FEEDBACK_BODY.max_chars;
pub const NAME_MAX_CHARS: usize = limits::FEEDBACK_NAME.max_chars;
pub const CONTACT_MAX_CHARS: usize = limits::FEEDBACK_CONTACT.max_chars;

/// How often a fresh code is drawn when the first one happens to be taken.
const RECEIPT_ATTEMPTS: usize = 5;

/// A report to publish: the public version, already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    pub inspection_id: InspectionId,
    pub unit: String,
    pub title: String,
    /// The complete public HTML page as rendered at publication time.
    pub body_html: String,
    pub body_markdown: String,
}

/// A published report without its bodies, for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedSummary {
    pub id: PublicationId,
    /// `None` once the inspection was deleted; the publication stays.
    pub inspection_id: Option<InspectionId>,
    pub unit: String,
    pub title: String,
    /// RFC 3339, UTC.
    pub published_at: String,
    pub withdrawn_at: Option<String>,
}

/// A published report with its frozen bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedReport {
    #[serde(flatten)]
    pub summary: PublishedSummary,
    pub body_html: String,
    pub body_markdown: String,
}

/// Where a feedback stands in the unit's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// 已受理
    Received,
    /// 办理中
    Processing,
    /// 已答复
    Answered,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 3] =
        [FeedbackStatus::Received, FeedbackStatus::Processing, FeedbackStatus::Answered];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "received",
            FeedbackStatus::Processing => "processing",
            FeedbackStatus::Answered => "answered",
        }
    }

    pub fn from_name(name: &str) -> Option<FeedbackStatus> {
        FeedbackStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "已受理",
            FeedbackStatus::Processing => "办理中",
            FeedbackStatus::Answered => "已答复",
        }
    }
}

/// Who sent a feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitter {
    /// 匿名: nothing about the person is kept.
    Anonymous,
    /// 实名: the name and a way to reach the person, for the unit's reply.
    RealName { name: String, contact: String },
}

/// A submission as the citizen wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub unit: String,
    /// The inspection the feedback is about, when the citizen came from its report.
    pub inspection_id: Option<InspectionId>,
    pub submitter: Submitter,
    pub subject: String,
    pub body: String,
}

/// A field of the feedback form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackField {
    Subject,
    Body,
    Name,
    Contact,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldIssue {
    Missing,
    TooShort { min: usize },
    TooLong { max: usize },
}

/// One rule of the form that a submission breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeedbackProblem {
    pub field: FeedbackField,
    pub issue: FieldIssue,
}

impl fmt::Display for FeedbackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = match self.field {
            FeedbackField::Subject => "the subject",
            FeedbackField::Body => "the text",
            FeedbackField::Name => "the name",
            FeedbackField::Contact => "the contact",
        };
        match self.issue {
            FieldIssue::Missing => write!(f, "{field} is missing"),
            FieldIssue::TooShort { min } => write!(f, "{field} is shorter than {min} characters"),
            FieldIssue::TooLong { max } => write!(f, "{field} is longer than {max} characters"),
        }
    }
}

/// Checks one text field: required, and within `min..=max` characters once trimmed.
fn check_field(problems: &mut Vec<FeedbackProblem>, field: FeedbackField, text: &str, min: usize, max: usize) {
    let chars = text.trim().chars().count();
    let issue = if chars == 0 {
        Some(FieldIssue::Missing)
    } else if chars < min {
        Some(FieldIssue::TooShort { min })
    } else if chars > max {
        Some(FieldIssue::TooLong { max })
    } else {
        None
    };
    problems.extend(issue.map(|issue| FeedbackProblem { field, issue }));
}

impl NewFeedback {
    /// Every rule of the form the submission breaks, in the order of the form's fields; empty
    /// when it may be stored. The web form shows these next to the fields.
    pub fn check(&self) -> Vec<FeedbackProblem> {
        let mut problems = Vec::new();
        if let Submitter::RealName { name, contact } = &self.submitter {
            check_field(&mut problems, FeedbackField::Name, name, 1, NAME_MAX_CHARS);
            check_field(&mut problems, FeedbackField::Contact, contact, 1, CONTACT_MAX_CHARS);
        }
        check_field(&mut problems, FeedbackField::Subject, &self.subject, 1, SUBJECT_MAX_CHARS);
        check_field(&mut problems, FeedbackField::Body, &self.body, BODY_MIN_CHARS, BODY_MAX_CHARS);
        problems
    }
}

/// What the citizen keeps after submitting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub id: FeedbackId,
    /// [`RECEIPT_LEN`] characters of [`RECEIPT_ALPHABET`].
    pub code: String,
    pub submitted_at: String,
}

/// A feedback as the unit's inbox shows it (never the receipt code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub id: FeedbackId,
    pub unit: String,
    pub inspection_id: Option<InspectionId>,
    pub submitted_at: String,
    pub anonymous: bool,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: FeedbackStatus,
    /// The approved (public) answer.
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    /// A reply waiting for a second person's approval (待审核); the citizen does not see it.
    pub pending: Option<PendingAnswer>,
    /// Why the last reply was returned (退回), until the next one.
    pub returned_reason: Option<String>,
    /// 转办: the department of the unit handling it, and the note sent with it.
    pub forwarded: Option<Forwarding>,
    /// The problem of the unit's ledger the feedback is about.
    pub problem_id: Option<i64>,
}

/// A reply awaiting approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingAnswer {
    pub text: String,
    /// The replier's account (separation of duties: not the approver).
    pub by: Option<i64>,
    pub by_name: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// A feedback forwarded (转办) to a department of its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forwarding {
    pub department: String,
    pub note: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

/// What became of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// The citizen sees it now.
    Published,
    /// The unit's replies need approval: it waits for a second person (待审核).
    AwaitingApproval,
}

/// What a receipt code shows its holder: what they wrote, where it stands and the answer. It has
/// no name and no contact, so that a code that leaks does not expose the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackLookup {
    pub unit: String,
    pub submitted_at: String,
    pub anonymous: bool,
    pub subject: String,
    pub body: String,
    pub status: FeedbackStatus,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

/// Why a feedback was not stored or not answered.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// The submission breaks rules of the form.
    #[error("the feedback is invalid: {}", list(.0))]
    Invalid(Vec<FeedbackProblem>),
    /// No report or inspection of this unit is known, so nobody would read the feedback.
    #[error("no unit named {0:?} takes feedback here")]
    UnknownUnit(String),
    /// An answer must say something.
    #[error("the answer is empty")]
    EmptyAnswer,
    /// No reply waits for approval.
    #[error("no reply of this feedback awaits approval")]
    NothingPending,
    /// Separation of duties: the replier does not approve (or return) their own reply.
    #[error("a reply is approved by another person than its author")]
    OwnAnswer,
    /// Returning a reply or forwarding needs a reason or a department.
    #[error("the {0} is missing")]
    Missing(&'static str),
    /// The problem is not one of the feedback's unit.
    #[error("problem {0} is not in a ledger of the feedback's unit")]
    OtherUnit(i64),
    /// An answer over its limit ([`limits::FEEDBACK_ANSWER`]).
    #[error(transparent)]
    TooLong(#[from] limits::TooLong),
    #[error("the operating system provides no random numbers: {0}")]
    Entropy(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for FeedbackError {
    fn from(e: sqlx::Error) -> Self {
        FeedbackError::Storage(e.into())
    }
}

fn list(problems: &[FeedbackProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// A fresh random receipt code from the operating system's generator.
pub fn new_receipt_code() -> Result<String, FeedbackError> {
    let mut bytes = [0u8; RECEIPT_LEN];
    getrandom::fill(&mut bytes).map_err(|e| FeedbackError::Entropy(e.to_string()))?;
    Ok(bytes.iter().map(|b| char::from(RECEIPT_ALPHABET[usize::from(b & 0x1f)])).collect())
}

/// A code as a citizen may type it (lower case, with spaces or dashes between groups) in its
/// stored form; `None` when it cannot be a receipt code.
pub fn normalize_receipt_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == RECEIPT_LEN && code.bytes().all(|b| RECEIPT_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A receipt code in groups of four, as printed for the citizen: `ABCD-EFGH-JKMN`.
pub fn format_receipt_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The audit entry of a submission: the public acts, unnamed and without an address.
fn submission_record(id: FeedbackId, anonymous: bool, after: serde_json::Value, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        at: now,
        actor_user_id: None,
        actor_name: if anonymous { "公众（匿名）" } else { "公众（实名）" }.to_owned(),
        address: None,
        action: "feedback.submit".to_owned(),
        target_kind: "feedback".to_owned(),
        target_id: Some(id.to_string()),
        result: "ok".to_owned(),
        before: None,
        after: Some(after),
    }
}

const PUBLISHED_COLUMNS: &str = "id, inspection_id, unit, title, published_at, withdrawn_at";

fn published_summary(row: &AnyRow) -> Result<PublishedSummary, sqlx::Error> {
    Ok(PublishedSummary {
        id: row.try_get("id")?,
        inspection_id: row.try_get("inspection_id")?,
        unit: row.try_get("unit")?,
        title: row.try_get("title")?,
        published_at: row.try_get("published_at")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
    })
}

pub(crate) const FEEDBACK_COLUMNS: &str = "id, unit, inspection_id, submitted_at, anonymous, name, contact, subject, \
     body, status, answer, answered_at, pending_answer, pending_by, pending_by_name, pending_at, \
     answer_returned_reason, forwarded_department, forward_note, forwarded_at, problem_id, receipt_code, sealed_key";

/// A feedback row, its name and contact opened with the data key ring (see `crate::sealed`).
pub(crate) fn feedback(row: &AnyRow, keys: &crate::sealed::DataKeyRing) -> Result<Feedback, StorageError> {
    let code: String = row.try_get("receipt_code")?;
    let sealed_key: Option<String> = row.try_get("sealed_key")?;
    let open = |field: &str| -> Result<Option<String>, StorageError> {
        crate::sealed_rows::open_personal(keys, field, &code, sealed_key.as_deref(), row.try_get(field)?)
    };
    let pending = match row.try_get::<Option<String>, _>("pending_answer")? {
        Some(text) => Some(PendingAnswer {
            text,
            by: row.try_get("pending_by")?,
            by_name: row.try_get::<Option<String>, _>("pending_by_name")?.unwrap_or_default(),
            at: row.try_get::<Option<String>, _>("pending_at")?.unwrap_or_default(),
        }),
        None => None,
    };
    let forwarded = match row.try_get::<Option<String>, _>("forwarded_department")? {
        Some(department) => Some(Forwarding {
            department,
            note: row.try_get("forward_note")?,
            at: row.try_get::<Option<String>, _>("forwarded_at")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Feedback {
        id: row.try_get("id")?,
        unit: row.try_get("unit")?,
        inspection_id: row.try_get("inspection_id")?,
        submitted_at: row.try_get("submitted_at")?,
        anonymous: row.try_get::<i64, _>("anonymous")? != 0,
        name: open("name")?,
        contact: open("contact")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: status(row)?,
        answer: row.try_get("answer")?,
        answered_at: row.try_get("answered_at")?,
        pending,
        returned_reason: row.try_get("answer_returned_reason")?,
        forwarded,
        problem_id: row.try_get("problem_id")?,
    })
}

pub(crate) fn status(row: &AnyRow) -> Result<FeedbackStatus, StorageError> {
    let name: String = row.try_get("status")?;
    FeedbackStatus::from_name(&name)
        .ok_or_else(|| StorageError::corrupt("feedback.status", format!("unknown status {name:?}")))
}

async fn inspection_exists(conn: &mut AnyConnection, id: InspectionId) -> Result<bool, StorageError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM inspections WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    Ok(found.is_some())
}

/// Whether the portal serves `unit`: some report of it was published.
async fn unit_known(conn: &mut AnyConnection, unit: &str) -> Result<bool, StorageError> {
    let found: Option<String> = sqlx::query_scalar("SELECT unit FROM published_reports WHERE unit = $1 LIMIT 1")
        .bind(unit.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

impl Store {
    /// Publishes the public version of an inspection's report as a frozen snapshot.
    pub async fn publish_report(
        &self,
        report: &NewPublication,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<PublicationId, StorageError> {
        let (unit, title) = (report.unit.trim(), report.title.trim());
        if unit.is_empty() {
            return Err(StorageError::Invalid("a published report needs the unit's name".to_owned()));
        }
        limits::NAME.check(unit).map_err(crate::error::too_long)?;
        limits::TITLE.check(title).map_err(crate::error::too_long)?;
        let mut tx = self.begin_write().await?;
        if !inspection_exists(&mut tx, report.inspection_id).await? {
            return Err(StorageError::NotFound(format!("no inspection has id {}", report.inspection_id)));
        }
        let id: PublicationId = sqlx::query_scalar(
            "INSERT INTO published_reports (inspection_id, unit, title, published_at, body_html, body_markdown) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(report.inspection_id)
        .bind(unit.to_owned())
        .bind(title.to_owned())
        .bind(timestamp(now))
        .bind(report.body_html.clone())
        .bind(report.body_markdown.clone())
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new(actor, "report.publish", "published_report", Some(id), now).after(json!({
            "inspection_id": report.inspection_id,
            "unit": unit,
            "title": title,
            "html_bytes": report.body_html.len(),
        }));
        tx.commit(&record).await?;
        tracing::info!(id, inspection = report.inspection_id, "report published");
        Ok(id)
    }

    /// The reports on show (not withdrawn), of one unit or of all, newest first.
    pub async fn list_published(&self, unit: Option<&str>) -> Result<Vec<PublishedSummary>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PUBLISHED_COLUMNS} FROM published_reports WHERE withdrawn_at IS NULL \
             AND ($1 IS NULL OR unit = $1) ORDER BY published_at DESC, id DESC"
        )))
        .bind(unit.map(str::to_owned))
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.iter().map(published_summary).collect::<Result<_, _>>()?)
    }

    /// One published report with its bodies, withdrawn or not (the caller decides what to show).
    pub async fn get_published(&self, id: PublicationId) -> Result<Option<PublishedReport>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PUBLISHED_COLUMNS}, body_html, body_markdown FROM published_reports WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.readers)
        .await?;
        row.map(|row| {
            Ok(PublishedReport {
                summary: published_summary(&row)?,
                body_html: row.try_get("body_html")?,
                body_markdown: row.try_get("body_markdown")?,
            })
        })
        .transpose()
    }

    /// Takes a report off the portal; `false` when it was already withdrawn.
    pub async fn withdraw_published(
        &self,
        id: PublicationId,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let withdrawn: Option<Option<String>> =
            sqlx::query_scalar("SELECT withdrawn_at FROM published_reports WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        match withdrawn {
            None => return Err(StorageError::NotFound(format!("no published report has id {id}"))),
            Some(Some(_)) => return Ok(false),
            Some(None) => {}
        }
        sqlx::query("UPDATE published_reports SET withdrawn_at = $1 WHERE id = $2")
            .bind(timestamp(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit(&AuditRecord::new(actor, "report.withdraw", "published_report", Some(id), now)).await?;
        Ok(true)
    }

    /// The units the portal serves, sorted: those with a published report (issue 13, finding 2:
    /// an imported ledger alone opens no public channel). A withdrawn report keeps its unit's
    /// channel, so that feedback already sent can still be answered and looked up.
    pub async fn portal_units(&self) -> Result<Vec<String>, StorageError> {
        let mut units: Vec<String> = sqlx::query_scalar("SELECT DISTINCT unit FROM published_reports WHERE unit <> ''")
            .fetch_all(&self.readers)
            .await?;
        units.sort();
        units.dedup();
        Ok(units)
    }

    /// Whether the portal takes feedback for `unit`.
    pub async fn is_portal_unit(&self, unit: &str) -> Result<bool, StorageError> {
        let mut conn = self.readers.acquire().await?;
        unit_known(&mut conn, unit).await
    }

    /// Stores a citizen's feedback under a fresh receipt code. Texts are stored trimmed; an
    /// anonymous submission keeps nothing about its sender.
    pub async fn submit_feedback(&self, new: &NewFeedback, now: DateTime<Utc>) -> Result<Receipt, FeedbackError> {
        let problems = new.check();
        if !problems.is_empty() {
            return Err(FeedbackError::Invalid(problems));
        }
        let unit = new.unit.trim();
        let (anonymous, name, contact) = match &new.submitter {
            Submitter::Anonymous => (true, None, None),
            Submitter::RealName { name, contact } => {
                (false, Some(name.trim().to_owned()), Some(contact.trim().to_owned()))
            }
        };
        let mut tx = self.begin_write().await?;
        if !unit_known(&mut tx, unit).await? {
            return Err(FeedbackError::UnknownUnit(unit.to_owned()));
        }
        let inspection_id = match new.inspection_id {
            Some(id) if inspection_exists(&mut tx, id).await? => Some(id),
            _ => None,
        };
        let mut code = new_receipt_code()?;
        for _ in 1..RECEIPT_ATTEMPTS {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM feedback WHERE receipt_code = $1")
                .bind(code.clone())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_none() {
                break;
            }
            code = new_receipt_code()?;
        }
        let submitted_at = timestamp(now);
        // The name and contact are stored sealed with SM4 under the current data key.
        let keys = &self.data_keys;
        let name = crate::sealed_rows::seal_personal(keys, "name", &code, name.as_deref())?;
        let contact = crate::sealed_rows::seal_personal(keys, "contact", &code, contact.as_deref())?;
        let sealed_key = (!anonymous).then(|| keys.current_id());
        let registered = sealed_key.is_some() && self.register_data_key_once(&mut tx, now).await?;
        let id: FeedbackId = sqlx::query_scalar(
            "INSERT INTO feedback (unit, inspection_id, receipt_code, submitted_at, anonymous, name, contact, \
             subject, body, sealed_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(unit.to_owned())
        .bind(inspection_id)
        .bind(code.clone())
        .bind(submitted_at.clone())
        .bind(i16::from(anonymous))
        .bind(name)
        .bind(contact)
        .bind(new.subject.trim().to_owned())
        .bind(new.body.trim().to_owned())
        .bind(sealed_key)
        .fetch_one(&mut *tx)
        .await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Feedback, id).await?;
        let after = json!({ "unit": unit, "inspection_id": inspection_id, "anonymous": anonymous });
        let record = submission_record(id, anonymous, after, now);
        tx.commit(&record).await?;
        self.data_key_committed(registered);
        Ok(Receipt { id, code, submitted_at })
    }

    /// How many feedbacks a unit received from `since` on (for the per-unit rate limit).
    pub async fn count_feedback_since(&self, unit: &str, since: DateTime<Utc>) -> Result<u64, StorageError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE unit = $1 AND submitted_at >= $2")
            .bind(unit.to_owned())
            .bind(timestamp(since))
            .fetch_one(&self.readers)
            .await?;
        unsigned("feedback count", count)
    }

    /// What the holder of a receipt code may see; `None` for an unknown or malformed code.
    pub async fn find_feedback_by_code(&self, typed: &str) -> Result<Option<FeedbackLookup>, StorageError> {
        let Some(code) = normalize_receipt_code(typed) else { return Ok(None) };
        let row = sqlx::query(
            "SELECT unit, submitted_at, anonymous, subject, body, status, answer, answered_at \
             FROM feedback WHERE receipt_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.readers)
        .await?;
        row.map(|row| {
            Ok(FeedbackLookup {
                unit: row.try_get("unit")?,
                submitted_at: row.try_get("submitted_at")?,
                anonymous: row.try_get::<i64, _>("anonymous")? != 0,
                subject: row.try_get("subject")?,
                body: row.try_get("body")?,
                status: status(&row)?,
                answer: row.try_get("answer")?,
                answered_at: row.try_get("answered_at")?,
            })
        })
        .transpose()
    }

    /// A unit's inbox, newest first, optionally of one status.
    pub async fn list_feedback(
        &self,
        unit: &str,
        status: Option<FeedbackStatus>,
    ) -> Result<Vec<Feedback>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE unit = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY submitted_at DESC, id DESC"
        )))
        .bind(unit.to_owned())
        .bind(status.map(|s| s.as_str().to_owned()))
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(|row| feedback(row, &self.data_keys)).collect()
    }

    /// How many feedback items of each unit still await an answer (received or being handled).
    pub async fn open_feedback_by_unit(&self) -> Result<std::collections::HashMap<String, u64>, StorageError> {
        let rows = sqlx::query("SELECT unit, COUNT(*) AS open FROM feedback WHERE status <> $1 GROUP BY unit")
            .bind(FeedbackStatus::Answered.as_str().to_owned())
            .fetch_all(&self.readers)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("unit")?, crate::codec::unsigned("open", row.try_get("open")?)?)))
            .collect()
    }

    /// How many feedback items of any portal unit await an answer: the badge of an account that
    /// sees every unit, one count instead of matching thousands of unit names.
    pub async fn open_feedback_of_portal_units(&self) -> Result<u64, StorageError> {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM feedback f WHERE f.status <> $1 \
             AND EXISTS (SELECT 1 FROM published_reports r WHERE r.unit = f.unit)",
        )
        .bind(FeedbackStatus::Answered.as_str().to_owned())
        .fetch_one(&self.readers)
        .await?;
        crate::codec::unsigned("open", open)
    }

    pub async fn get_feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StorageError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FEEDBACK_COLUMNS} FROM feedback WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        row.as_ref().map(|row| feedback(row, &self.data_keys)).transpose()
    }

    /// Marks a feedback as being handled (办理中); `false` when it was not newly received.
    pub async fn mark_feedback_processing(
        &self,
        id: FeedbackId,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE feedback SET status = 'processing' WHERE id = $1 AND status = 'received'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM feedback WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            return match exists {
                None => Err(StorageError::NotFound(format!("no feedback has id {id}"))),
                Some(_) => Ok(false),
            };
        }
        let record = AuditRecord::new(actor, "feedback.processing", "feedback", Some(id), now)
            .before(json!({ "status": "received" }))
            .after(json!({ "status": "processing" }));
        tx.commit(&record).await?;
        Ok(true)
    }

    /// Answers a feedback (or replaces an earlier answer). When the unit's replies need approval
    /// ([`Store::set_answers_need_approval`]) the reply waits for a second person
    /// ([`Store::approve_answer`]) and the citizen keeps seeing the approved answer, if any;
    /// otherwise the holder of the receipt code sees it at once.
    pub async fn answer_feedback(
        &self,
        id: FeedbackId,
        answer: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, FeedbackError> {
        let answer = answer.trim();
        if answer.is_empty() {
            return Err(FeedbackError::EmptyAnswer);
        }
        limits::FEEDBACK_ANSWER.check(answer)?;
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("SELECT status, unit FROM feedback WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            return Err(StorageError::NotFound(format!("no feedback has id {id}")).into());
        };
        let before: String = row.try_get("status")?;
        let unit: String = row.try_get("unit")?;
        if crate::feedback_routing::needs_approval(&mut tx, &unit).await? {
            // Received becomes being handled; an answered one stays answered (its approved
            // answer stays public) while the new reply waits.
            sqlx::query(
                "UPDATE feedback SET pending_answer = $1, pending_by = $2, pending_by_name = $3, pending_at = $4, \
                 answer_returned_reason = NULL, status = CASE WHEN status = 'received' THEN 'processing' ELSE status END \
                 WHERE id = $5",
            )
            .bind(answer.to_owned())
            .bind(actor.user_id)
            .bind(actor.user_name.clone())
            .bind(timestamp(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let record = AuditRecord::new(actor, "feedback.answer_submit", "feedback", Some(id), now)
                .before(json!({ "status": before }))
                .after(json!({ "status": "pending_approval", "answer_chars": answer.chars().count() }));
            tx.commit(&record).await?;
            return Ok(AnswerOutcome::AwaitingApproval);
        }
        sqlx::query(
            "UPDATE feedback SET status = 'answered', answer = $1, answered_at = $2, pending_answer = NULL, \
             pending_by = NULL, pending_by_name = NULL, pending_at = NULL, answer_returned_reason = NULL WHERE id = $3",
        )
        .bind(answer.to_owned())
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::search::index_item(&mut tx, crate::search::SearchKind::Feedback, id).await?;
        let record = AuditRecord::new(actor, "feedback.answer", "feedback", Some(id), now)
            .before(json!({ "status": before }))
            .after(json!({ "status": "answered", "answer_chars": answer.chars().count() }));
        tx.commit(&record).await?;
        Ok(AnswerOutcome::Published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes_use_the_unambiguous_alphabet() {
        let code = new_receipt_code().unwrap();
        assert_eq!(code.len(), RECEIPT_LEN);
        assert!(code.bytes().all(|b| RECEIPT_ALPHABET.contains(&b)), "{code}");
        for confusable in [b'0', b'O', b'1', b'I'] {
            assert!(!RECEIPT_ALPHABET.contains(&confusable));
        }
        let distinct: std::collections::HashSet<u8> = RECEIPT_ALPHABET.iter().copied().collect();
        assert_eq!(distinct.len(), 32);
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalize_receipt_code("abcd-efgh-jkmn").as_deref(), Some("ABCDEFGHJKMN"));
        assert_eq!(normalize_receipt_code(" ABCD EFGH JKMN ").as_deref(), Some("ABCDEFGHJKMN"));
        assert_eq!(normalize_receipt_code("ABCD-EFGH-JKM"), None, "too short");
        assert_eq!(normalize_receipt_code("ABCD-EFGH-JKM0"), None, "0 is not in the alphabet");
        assert_eq!(normalize_receipt_code("ＡBCD-EFGH-JKMN"), None, "full-width letter");
        assert_eq!(format_receipt_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    }

    #[test]
    fn the_form_rules_are_checked_in_characters() {
        let base = NewFeedback {
            unit: "某单位".into(),
            inspection_id: None,
            submitter: Submitter::Anonymous,
            subject: "意".repeat(SUBJECT_MAX_CHARS),
            body: "整".repeat(BODY_MIN_CHARS),
        };
        assert!(base.check().is_empty(), "{:?}", base.check());
        let long = NewFeedback { subject: "意".repeat(SUBJECT_MAX_CHARS + 1), body: "短".into(), ..base.clone() };
        assert_eq!(
            long.check(),
            vec![
                FeedbackProblem { field: FeedbackField::Subject, issue: FieldIssue::TooLong { max: 50 } },
                FeedbackProblem { field: FeedbackField::Body, issue: FieldIssue::TooShort { min: 10 } },
            ]
        );
        let real = NewFeedback {
            submitter: Submitter::RealName { name: "张三".into(), contact: "  ".into() },
            ..base.clone()
        };
        assert_eq!(real.check(), vec![FeedbackProblem { field: FeedbackField::Contact, issue: FieldIssue::Missing }]);
        let blank = NewFeedback { subject: " ".into(), body: "整".repeat(BODY_MAX_CHARS + 1), ..base };
        assert_eq!(blank.check().len(), 2);
        assert_eq!(blank.check()[0].to_string(), "the subject is missing");
    }
}
