//! The JSON API of sign-in and of the closure workflow: steps on measures under optimistic
//! locking, progress with evidence uploads, problem closure and reopening, reminders,
//! supervision, look-back and the audit trail. Authorization (role, scope, CSRF) has already
//! been decided by [`crate::authz`] when a handler runs; handlers only narrow lists.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use rectify_domain::roles::Role;
use rectify_domain::supervision::Light;
use rectify_domain::workflow::{Action, Actor, MeasureState, ReviewStage, WorkflowError};
use rectify_domain::{Evidence, NonEmptyText, PartialDate, ProgressEntry};
use rectify_storage::workflow::workflow_actor;
use rectify_storage::{
    AuditEntry, AuditFilter, FileError, LookbackResult, MeasureWorkflowView, Page, ReminderTarget, WorkflowStoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{self, Principal, Restriction};
use crate::authz::{Visibility, summary};
use crate::error::{ApiError, ErrorBody, parse_id};

/// The client's address, for the audit trail (absent when served without connection info).
pub(crate) struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(auth::client_address(&parts.extensions)))
    }
}

fn json_body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(v)| v).map_err(|e| ApiError::Invalid(e.body_text()))
}

/// Credentials for `POST /api/session`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The 6-digit TOTP code; required for the three administrator roles once enrolled.
    #[serde(default)]
    pub totp: Option<String>,
}

/// A role as the UI names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    /// `unit_liaison`, `department`, … (the columns of `permissions.tsv`).
    pub role: String,
    pub label: String,
    pub inspection_id: Option<i64>,
    pub department: Option<String>,
    pub leader: Option<String>,
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<RoleDto>,
    /// Repeat in the `X-CSRF-Token` header of every state-changing API call.
    pub csrf_token: String,
    /// `password_change_required` / `totp_enrolment_required` until done; null otherwise.
    pub restriction: Option<String>,
}

fn me_dto(user: &rectify_storage::User, csrf_token: &str, restriction: Option<Restriction>) -> MeDto {
    MeDto {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles: user
            .roles
            .iter()
            .map(|g| RoleDto {
                role: g.role.as_str().to_owned(),
                label: g.role.label_zh().to_owned(),
                inspection_id: g.inspection_id,
                department: g.department.clone(),
                leader: g.leader_name.clone(),
            })
            .collect(),
        csrf_token: csrf_token.to_owned(),
        restriction: restriction.map(|r| r.code().to_owned()),
    }
}

/// Signs in and sets the session cookie (HttpOnly, SameSite=Strict, Secure over TLS).
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = MeDto),
        (status = 401, description = "Wrong credentials, locked, or the TOTP code is missing or wrong", body = ErrorBody)
    ))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let login = json_body(payload)?;
    let secure = auth::secure_request(&state, &uri, &headers);
    match auth::sign_in(&state, &login.username, &login.password, login.totp.as_deref(), address, secure).await? {
        Ok(signed) => {
            let body = me_dto(&signed.user, &signed.csrf_token, signed.restriction);
            Ok(([(header::SET_COOKIE, signed.cookie)], Json(body)).into_response())
        }
        Err(failure) => {
            let body = ErrorBody {
                error: failure.code().to_owned(),
                message: "sign-in failed".to_owned(),
                message_zh: Some(failure.message_zh()),
                current_version: None,
            };
            Ok((StatusCode::UNAUTHORIZED, Json(body)).into_response())
        }
    }
}

/// Signs out: deletes the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let secure = auth::secure_request(&state, &uri, &headers);
    let cookie = auth::sign_out(&state, &principal, secure).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in account, its roles and its CSRF token.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub(crate) async fn me(Extension(principal): Extension<Principal>) -> Json<MeDto> {
    Json(me_dto(&principal.user, &principal.csrf_token, principal.restriction))
}

/// The Chinese explanation of a refused step.
pub(crate) fn refusal_zh(error: &WorkflowError) -> String {
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

impl From<WorkflowStoreError> for ApiError {
    fn from(e: WorkflowStoreError) -> Self {
        match e {
            WorkflowStoreError::Conflict { current_version } => ApiError::Conflict { current_version },
            WorkflowStoreError::Refused(refused) => {
                ApiError::Refused { message: refused.to_string(), message_zh: refusal_zh(&refused) }
            }
            WorkflowStoreError::Forbidden(message) => ApiError::Forbidden(message),
            WorkflowStoreError::NotNow(message) => {
                ApiError::Refused { message, message_zh: "当前状态下不能办理此项操作".to_owned() }
            }
            WorkflowStoreError::TooSoon { last_at } => ApiError::TooSoon(format!(
                "a reminder about this measure was already sent at {last_at}; wait before sending another"
            )),
            WorkflowStoreError::Invalid(message) => ApiError::Invalid(message),
            WorkflowStoreError::Storage(e) => ApiError::Storage(e),
        }
    }
}

/// The role an account acts in for a step: the one whose part of the workflow the step is, so
/// that an account holding several roles acts as the right one.
pub(crate) fn role_for(principal: &Principal, action: &Action, state: MeasureState) -> Role {
    let wanted: &[Actor] = match action {
        Action::Start
        | Action::MarkBasicallyCompleted
        | Action::Resume
        | Action::Claim
        | Action::RequestExtension { .. } => &[Actor::Department, Actor::UnitLiaison],
        Action::Approve | Action::SendBack { .. } => match state {
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => &[Actor::LeaderInCharge],
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => &[Actor::LeadingGroup],
            _ => &[Actor::Verifier],
        },
        _ => &[Actor::Verifier],
    };
    let roles = principal.roles();
    roles
        .iter()
        .copied()
        .find(|r| workflow_actor(*r).is_some_and(|a| wanted.contains(&a)))
        .or_else(|| roles.iter().copied().find(|r| workflow_actor(*r).is_some()))
        .or_else(|| principal.primary_role())
        .unwrap_or(Role::AuditAdmin)
}

/// Takes one step on a measure as the principal (shared by the API and the pages).
pub(crate) async fn apply_action(
    state: &AppState,
    principal: &Principal,
    measure_id: i64,
    action: Action,
    version: i64,
) -> Result<MeasureWorkflowView, ApiError> {
    let store = state.store();
    let view =
        store.measure_workflow(measure_id).await?.ok_or(ApiError::NotFound { what: "measure", id: measure_id })?;
    let role = role_for(principal, &action, view.state);
    Ok(store.apply_measure_action(measure_id, &principal.acting_as(role), action, version, state.now()).await?)
}

/// A step with the version the caller saw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// `start`, `mark_basically_completed`, `resume`, `claim`, `approve`, `send_back` (needs
    /// `reason`), `request_extension` (needs `new_deadline`, `reason`), `approve_extension`,
    /// `decline_extension` (needs `reason`), `declare_long_term`, `close_stage`, `close_long_term`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub action: Action,
    /// The `version` of the measure's workflow as last read.
    pub version: i64,
}

/// Takes one step of the closure (销号) workflow on a measure.
#[utoipa::path(post, path = "/api/measures/{id}/actions", tag = "workflow", request_body = ActionRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, description = "The measure's workflow after the step", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, description = "The rules refuse the step (English and Chinese message)", body = ErrorBody)
    ))]
pub(crate) async fn measure_action(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<ActionRequest>, JsonRejection>,
) -> Result<Json<MeasureWorkflowView>, ApiError> {
    let id = parse_id("measure id", &id)?;
    let request = json_body(payload)?;
    Ok(Json(apply_action(&state, &principal, id, request.action, request.version).await?))
}

/// A progress entry as a form gives it.
#[derive(Debug, Default)]
pub(crate) struct ProgressInput {
    pub version: Option<i64>,
    pub date: Option<String>,
    pub text: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub file: Option<(String, Vec<u8>)>,
}

/// Reads the multipart fields of a progress form, keeping at most the evidence limit of a file.
pub(crate) async fn read_progress_form(mut multipart: Multipart) -> Result<ProgressInput, ApiError> {
    let mut input = ProgressInput::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| ApiError::Invalid(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or("evidence").to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge(too_large())
                } else {
                    ApiError::Invalid(e.body_text())
                }
            })?;
            if !bytes.is_empty() {
                input.file = Some((filename, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(|e| ApiError::Invalid(e.body_text()))?;
        match name.as_str() {
            "version" => input.version = text.trim().parse().ok(),
            "date" => input.date = Some(text).filter(|t| !t.trim().is_empty()),
            "text" => input.text = text,
            "title" => input.title = Some(text).filter(|t| !t.trim().is_empty()),
            "kind" => input.kind = Some(text).filter(|t| !t.trim().is_empty()),
            _ => {}
        }
    }
    Ok(input)
}

fn too_large() -> String {
    format!("the file is larger than {} MB", crate::EVIDENCE_LIMIT_BYTES / (1024 * 1024))
}

/// Stores the evidence file (type checked by content) and appends the progress entry.
pub(crate) async fn record_progress(
    state: &AppState,
    principal: &Principal,
    measure_id: i64,
    input: ProgressInput,
) -> Result<MeasureWorkflowView, ApiError> {
    let version = input.version.ok_or_else(|| ApiError::Invalid("the form needs the measure's version".into()))?;
    let text = NonEmptyText::new(input.text.trim())
        .map_err(|_| ApiError::Invalid("the progress text must not be empty".into()))?;
    let date = match input.date.as_deref() {
        Some(d) => d.trim().parse::<PartialDate>().map_err(|e| ApiError::Invalid(e.to_string()))?,
        None => {
            let today = state.today();
            PartialDate::day(
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
                chrono::Datelike::day(&today),
            )
            .map_err(|e| ApiError::Invalid(e.to_string()))?
        }
    };
    let mut evidence = Vec::new();
    if let Some((name, bytes)) = input.file {
        let files = state.evidence().clone();
        let original = name.clone();
        let stored = tokio::task::spawn_blocking(move || files.store(&bytes, &original))
            .await
            .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
            .map_err(|e| match e {
                FileError::TooLarge { .. } => ApiError::TooLarge(e.to_string()),
                FileError::UnsupportedType { .. } | FileError::Empty => ApiError::UnsupportedMedia(e.to_string()),
                other => ApiError::Internal(other.to_string()),
            })?;
        let title = input.title.unwrap_or_else(|| clean_file_name(&name));
        evidence.push(Evidence {
            title: NonEmptyText::new(title.trim()).unwrap_or_else(|_| text.clone()),
            kind: input.kind,
            date: Some(date),
            media_type: Some(stored.media_type.to_owned()),
            size_bytes: Some(stored.size),
            sha256: Some(stored.sha256),
        });
    }
    let entry = ProgressEntry { date, text, evidence };
    let role = [Role::Department, Role::UnitLiaison]
        .into_iter()
        .find(|r| principal.has_role(*r))
        .or_else(|| principal.primary_role())
        .unwrap_or(Role::Department);
    Ok(state.store().add_progress(measure_id, &principal.acting_as(role), &entry, version, state.now()).await?)
}

/// The last path component of an uploaded file's name, without control characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() { "佐证材料".to_owned() } else { cleaned }
}

/// Reports progress on a measure, optionally with one evidence file (multipart: `version`,
/// `text`, `date`, `file`, `title`, `kind`). The file's type is decided by its content (PDF,
/// images, Word, Excel); it is stored outside the web root under its SHA-256.
#[utoipa::path(post, path = "/api/measures/{id}/progress", tag = "workflow",
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    request_body(content_type = "multipart/form-data", content = Object),
    responses(
        (status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, description = "The file is too large", body = ErrorBody),
        (status = 415, description = "The file's content is not an accepted type", body = ErrorBody)
    ))]
pub(crate) async fn add_progress(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Json<MeasureWorkflowView>, ApiError> {
    let id = parse_id("measure id", &id)?;
    let input = read_progress_form(multipart).await?;
    Ok(Json(record_progress(&state, &principal, id, input).await?))
}

/// Downloads an evidence file, only for accounts that may see a measure it belongs to.
#[utoipa::path(get, path = "/api/evidence/{sha256}", tag = "workflow",
    params(("sha256" = String, Path, description = "The file's SHA-256 (64 hex digits)")),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    ))]
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    // `?inline=1` shows an image or a PDF in the browser (evidence preview); anything else is
    // always downloaded.
    let wants_inline = uri.query().is_some_and(|q| q.split('&').any(|p| p == "inline=1"));
    let sha256 = sha256.to_ascii_lowercase();
    if state.store().evidence_measure(&sha256).await?.is_empty() {
        return Err(ApiError::NoRoute(format!("/api/evidence/{sha256}")));
    }
    let files = state.evidence().clone();
    let address = sha256.clone();
    let read = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, &'static str), FileError> {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut files.open(&address)?, &mut bytes)?;
        let media_type = rectify_storage::files::sniff(&bytes).unwrap_or("application/octet-stream");
        Ok((bytes, media_type))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?;
    let (bytes, media_type) = match read {
        Ok(found) => found,
        Err(FileError::NotFound(_) | FileError::BadAddress(_)) => {
            return Err(ApiError::NoRoute(format!("/api/evidence/{sha256}")));
        }
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    let extension = match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        t if t.contains("wordprocessingml") => "docx",
        t if t.contains("spreadsheetml") => "xlsx",
        _ => "bin",
    };
    let short = sha256.get(..12).unwrap_or(&sha256);
    let inline = wants_inline && (media_type == "application/pdf" || media_type.starts_with("image/"));
    let disposition =
        format!("{}; filename=\"evidence-{short}.{extension}\"", if inline { "inline" } else { "attachment" });
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if inline {
        // An uploaded file shown in the browser runs no script and reaches nothing of the site.
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    }
    Ok(response)
}

/// Closes (销号) a problem whose measures are all closed: the inspection office.
#[utoipa::path(post, path = "/api/problems/{id}/close", tag = "workflow",
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Closed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "Measures are still open", body = ErrorBody)))]
pub(crate) async fn close_problem(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("problem id", &id)?;
    close_problem_as(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn close_problem_as(state: &AppState, principal: &Principal, id: i64) -> Result<(), ApiError> {
    let acting = principal.acting_as(verifier_role(principal));
    Ok(state.store().close_problem(id, &acting, state.now()).await?)
}

fn verifier_role(principal: &Principal) -> Role {
    if principal.has_role(Role::InspectionOffice) {
        Role::InspectionOffice
    } else {
        principal.primary_role().unwrap_or(Role::AuditAdmin)
    }
}

/// Why a closed problem is reopened.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
}

/// Reopens a closed problem (反弹) with its closed measures: the inspection office.
#[utoipa::path(post, path = "/api/problems/{id}/reopen", tag = "workflow", request_body = ReasonRequest,
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, description = "How many measures were reopened", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reopen_problem(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<ReasonRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = parse_id("problem id", &id)?;
    let request = json_body(payload)?;
    let acting = principal.acting_as(verifier_role(&principal));
    let reopened = state.store().reopen_problem(id, &acting, &request.reason, state.now()).await?;
    Ok(Json(serde_json::json!({ "problem_id": id, "measures_reopened": reopened })))
}

/// A reminder (催办) to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReminderRequest {
    pub message: String,
    /// A role (`department`, `leader_in_charge`, …) within the inspection; default `department`.
    #[serde(default)]
    pub to_role: Option<String>,
    /// One user instead of a role.
    #[serde(default)]
    pub to_user_id: Option<i64>,
}

/// Sends a reminder about a measure, at most once per the policy's interval.
#[utoipa::path(post, path = "/api/measures/{id}/reminders", tag = "supervision", request_body = ReminderRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, description = "Sent too recently", body = ErrorBody)))]
pub(crate) async fn remind(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<ReminderRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let id = parse_id("measure id", &id)?;
    let request = json_body(payload)?;
    let to = match (request.to_user_id, request.to_role.as_deref()) {
        (Some(user), _) => ReminderTarget::User(user),
        (None, Some(name)) => ReminderTarget::Role(
            Role::from_name(name).ok_or_else(|| ApiError::Invalid(format!("unknown role {name:?}")))?,
        ),
        (None, None) => ReminderTarget::Role(Role::Department),
    };
    let reminder = send_reminder(&state, &principal, id, to, &request.message).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "reminder_id": reminder }))))
}

/// Sends one reminder as the principal's supervising role.
pub(crate) async fn send_reminder(
    state: &AppState,
    principal: &Principal,
    measure_id: i64,
    to: ReminderTarget,
    message: &str,
) -> Result<i64, ApiError> {
    let role = [
        Role::InspectionOffice,
        Role::LeadingGroup,
        Role::LeaderInCharge,
        Role::UnitLiaison,
        Role::DisciplineInspection,
    ]
    .into_iter()
    .find(|r| principal.has_role(*r))
    .or_else(|| principal.primary_role())
    .unwrap_or(Role::AuditAdmin);
    let interval = state.policy().reminder_min_interval();
    Ok(state.store().send_reminder(measure_id, to, message, &principal.acting_as(role), interval, state.now()).await?)
}

/// A reminder received.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDto {
    pub id: i64,
    pub measure_id: i64,
    pub from: String,
    pub message: String,
    pub sent_at: String,
}

/// The reminders the account received that are about measures it sees.
pub(crate) async fn reminders_for(state: &AppState, principal: &Principal) -> Result<Vec<ReminderDto>, ApiError> {
    let visibility = Visibility::new(&principal.grants);
    let mut out = Vec::new();
    for r in state.store().list_reminders_for(principal.user.id).await? {
        if visibility.sees_measure_id(state, r.measure_id).await? {
            out.push(ReminderDto {
                id: r.id,
                measure_id: r.measure_id,
                from: r.from_name,
                message: r.message,
                sent_at: r.sent_at,
            });
        }
    }
    Ok(out)
}

/// The reminders (催办) the signed-in account received, newest first.
#[utoipa::path(get, path = "/api/me/reminders", tag = "supervision",
    responses((status = 200, body = Vec<ReminderDto>), (status = 401, body = ErrorBody)))]
pub(crate) async fn my_reminders(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<ReminderDto>>, ApiError> {
    Ok(Json(reminders_for(&state, &principal).await?))
}

/// One overdue or at-risk measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlaggedDto {
    pub measure_id: i64,
    pub problem_id: i64,
    /// `red` (overdue), `yellow`, `green`.
    pub light: String,
    pub deadline: Option<String>,
    pub leader: Option<String>,
    pub departments: Vec<String>,
}

/// Counts of flagged measures for one leader or department.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct LightCounts {
    pub name: String,
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
}

/// Supervision (督办) of one inspection.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionDto {
    pub inspection_id: i64,
    pub unit: Option<String>,
    pub today: String,
    pub measures: Vec<FlaggedDto>,
    pub by_leader: Vec<LightCounts>,
    pub by_department: Vec<LightCounts>,
}

fn light_name(light: Light) -> &'static str {
    match light {
        Light::Red => "red",
        Light::Yellow => "yellow",
        Light::Green => "green",
        Light::None => "none",
        Light::Grey => "grey",
    }
}

fn count_into(list: &mut Vec<LightCounts>, name: &str, light: Light) {
    let index = match list.iter().position(|c| c.name == name) {
        Some(i) => i,
        None => {
            list.push(LightCounts { name: name.to_owned(), ..LightCounts::default() });
            list.len() - 1
        }
    };
    if let Some(c) = list.get_mut(index) {
        match light {
            Light::Red => c.red += 1,
            Light::Yellow => c.yellow += 1,
            Light::Green => c.green += 1,
            Light::None | Light::Grey => {}
        }
    }
}

/// Overdue and at-risk measures of an inspection, by leader and by department (within scope).
#[utoipa::path(get, path = "/api/inspections/{id}/supervision", tag = "supervision",
    params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 200, body = SupervisionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn supervision(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<SupervisionDto>, ApiError> {
    let id = parse_id("inspection id", &id)?;
    let store = state.store();
    let s = summary(&state, id).await?.ok_or(ApiError::NotFound { what: "inspection", id })?;
    let today = state.today();
    let lights = store.round_policy(id).await?.lights;
    let flagged = store.overdue_and_at_risk(id, &lights, today).await?;
    let (problems, measures) = Visibility::new(&principal.grants).records(
        &s,
        store.list_problems(id).await?,
        store.list_measures(id, None).await?,
    );
    let mut dto = SupervisionDto {
        inspection_id: id,
        unit: s.unit.clone(),
        today: today.to_string(),
        measures: Vec::new(),
        by_leader: Vec::new(),
        by_department: Vec::new(),
    };
    for (record, light) in flagged {
        if !measures.iter().any(|m| m.id == record.id) {
            continue;
        }
        let problem = problems.iter().find(|p| p.id == record.problem_id);
        let own = &record.measure.responsibility;
        let inherited = problem.map(|p| &p.problem.responsibility);
        let leader = own.leader.clone().or_else(|| inherited.and_then(|r| r.leader.clone()));
        let departments = if own.departments.is_empty() {
            inherited.map(|r| r.departments.clone()).unwrap_or_default()
        } else {
            own.departments.clone()
        };
        count_into(&mut dto.by_leader, leader.as_deref().unwrap_or("未明确"), light);
        for d in &departments {
            count_into(&mut dto.by_department, d, light);
        }
        dto.measures.push(FlaggedDto {
            measure_id: record.id,
            problem_id: record.problem_id,
            light: light_name(light).to_owned(),
            deadline: record.measure.deadline.map(|d| d.to_string()),
            leader,
            departments,
        });
    }
    Ok(Json(dto))
}

/// A look-back (回头看) to schedule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LookbackRequest {
    /// `YYYY-MM-DD`.
    pub scheduled_for: String,
    pub sample_size: u32,
    /// The seed of the reproducible draw; by default the inspection id and the current instant.
    #[serde(default)]
    pub seed: Option<String>,
}

/// Schedules a look-back of a reproducible sample of closed problems.
#[utoipa::path(post, path = "/api/inspections/{id}/lookbacks", tag = "lookback", request_body = LookbackRequest,
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn schedule_lookback(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<LookbackRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<rectify_storage::Lookback>), ApiError> {
    let id = parse_id("inspection id", &id)?;
    let request = json_body(payload)?;
    let date: NaiveDate = request
        .scheduled_for
        .trim()
        .parse()
        .map_err(|_| ApiError::Invalid("scheduled_for must be YYYY-MM-DD".into()))?;
    let now = state.now();
    let seed = request.seed.unwrap_or_else(|| format!("{id}-{}", now.to_rfc3339()));
    let acting = principal.acting_as(verifier_role(&principal));
    let lookback = state.store().schedule_lookback(id, date, request.sample_size, &seed, &acting, now).await?;
    Ok((StatusCode::CREATED, Json(lookback)))
}

/// What the second look found.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LookbackResultRequest {
    /// `consolidated` (巩固) or `relapsed` (反弹: reopens the problem).
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// Records the result of one look-back item.
#[utoipa::path(post, path = "/api/lookback-items/{id}", tag = "lookback", request_body = LookbackResultRequest,
    params(("id" = i64, Path, description = "Look-back item id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn record_lookback(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<LookbackResultRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("look-back item id", &id)?;
    let request = json_body(payload)?;
    let result = match request.result.as_str() {
        "consolidated" => LookbackResult::Consolidated,
        "relapsed" => LookbackResult::Relapsed,
        other => return Err(ApiError::Invalid(format!("result must be consolidated or relapsed, not {other:?}"))),
    };
    let acting = principal.acting_as(verifier_role(&principal));
    state.store().record_lookback_result(id, result, &request.note, &acting, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The acting user's id.
    pub actor: Option<i64>,
    /// e.g. `login.failed`, `measure.approve`.
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// From this day (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    /// Until this day (`YYYY-MM-DD`, inclusive).
    pub until: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> Result<AuditFilter, ApiError> {
        let day = |text: &Option<String>, end: bool| -> Result<Option<DateTime<Utc>>, ApiError> {
            let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
            let date: NaiveDate =
                text.parse().map_err(|_| ApiError::BadQuery(format!("{text:?} is not YYYY-MM-DD")))?;
            let date = if end { date.succ_opt().unwrap_or(date) } else { date };
            Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
        };
        let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        Ok(AuditFilter {
            actor_user_id: self.actor,
            action: text(&self.action),
            target_kind: text(&self.target_kind),
            target_id: text(&self.target_id),
            from: day(&self.from, false)?,
            until: day(&self.until, true)?,
        })
    }

    pub(crate) fn page(&self) -> Page {
        Page { offset: self.offset.unwrap_or(0), limit: self.limit.unwrap_or(50).clamp(1, 500) }
    }
}

/// Entries of the audit trail, newest first (the audit administrator only).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<Object>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_list(
    State(state): State<AppState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    Ok(Json(state.store().list_audit(&query.filter()?, query.page()).await?))
}

/// The filtered audit trail as CSV (UTF-8 with BOM); the export is itself audited.
#[utoipa::path(get, path = "/api/audit/export.csv", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_export(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let acting = principal.acting_as(Role::AuditAdmin);
    let csv = state.store().export_audit_csv(&query.filter()?, &acting, state.now()).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", state.now().format("%Y%m%d-%H%M%S"));
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// The result of checking the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerifyDto {
    pub intact: bool,
    pub entries: Option<u64>,
    /// The first broken entry.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Checks every link and hash of the SM3-chained audit trail.
pub(crate) async fn verify(state: &AppState) -> Result<AuditVerifyDto, ApiError> {
    match state.store().verify_audit().await {
        Ok(check) => Ok(AuditVerifyDto { intact: true, entries: Some(check.entries), broken_at: None, reason: None }),
        Err(rectify_storage::AuditVerifyError::Broken(b)) => {
            Ok(AuditVerifyDto { intact: false, entries: None, broken_at: Some(b.seq), reason: Some(b.reason) })
        }
        Err(rectify_storage::AuditVerifyError::Storage(e)) => Err(e.into()),
    }
}

/// Verifies the tamper-evident chain of the audit trail.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerifyDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_verify(State(state): State<AppState>) -> Result<Json<AuditVerifyDto>, ApiError> {
    Ok(Json(verify(&state).await?))
}
