//! 三员分立: the administration pages and API of the three administrators.
//!
//! The system administrator (系统管理员) creates accounts (without roles: granting them is not
//! theirs), disables and enables them and resets passwords. The security administrator
//! (安全管理员) grants roles with their data scopes and edits the security policy, which may only
//! be made stricter than 等保2.0 level 3. The route table of [`crate::authz`] decides who reaches
//! each handler; storage audits every change. The JSON handlers and the form handlers share one
//! function per action, so the rules cannot drift apart.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use minijinja::context;
use rectify_auth::{SecurityPolicy, check_new_password, hash_password};
use rectify_domain::roles::{Role, RoleConflict};
use rectify_storage::{AccountError, NewUser, RoleGrant, StorageError, User, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::csrf::CsrfToken;
use super::pages::chrome;
use super::{Crumb, UiError, render, ser};
use crate::AppState;
use crate::auth::{Principal, security_event};
use crate::error::{ApiError, ErrorBody, parse_id};

/// An account as the administrators see it (never the password hash or the TOTP secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct UserDto {
    id: i64,
    username: String,
    display_name: String,
    disabled: bool,
    must_change_password: bool,
    /// Locked after failed sign-ins until this instant (RFC 3339), if locked.
    locked_until: Option<String>,
    created_at: String,
    /// Whether a TOTP authenticator is enrolled.
    second_factor: bool,
    roles: Vec<RoleGrantDto>,
}

/// A role with its data scope; an absent limit means "all".
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct RoleGrantDto {
    /// `unit_liaison`, `department`, `leader_in_charge`, `leading_group`, `inspection_office`,
    /// `discipline_inspection`, `system_admin`, `security_admin` or `audit_admin`.
    #[schema(value_type = String)]
    role: Role,
    #[serde(default)]
    inspection_id: Option<i64>,
    #[serde(default)]
    department: Option<String>,
    /// For 分管领导: the leader's name as the ledger writes it.
    #[serde(default)]
    leader_name: Option<String>,
}

impl From<&RoleGrant> for RoleGrantDto {
    fn from(g: &RoleGrant) -> Self {
        RoleGrantDto {
            role: g.role,
            inspection_id: g.inspection_id,
            department: g.department.clone(),
            leader_name: g.leader_name.clone(),
        }
    }
}

/// Empty text is no limit.
fn limit(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

impl From<RoleGrantDto> for RoleGrant {
    fn from(g: RoleGrantDto) -> Self {
        RoleGrant {
            role: g.role,
            inspection_id: g.inspection_id,
            department: limit(g.department),
            leader_name: limit(g.leader_name),
        }
    }
}

fn user_dto(user: &User) -> UserDto {
    UserDto {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        disabled: user.disabled,
        must_change_password: user.must_change_password,
        locked_until: user.locked_until.clone(),
        created_at: user.created_at.clone(),
        second_factor: user.totp_secret.is_some(),
        roles: user.roles.iter().map(RoleGrantDto::from).collect(),
    }
}

/// An account to create: it gets no role (the security administrator grants them) and must
/// change the initial password at the first sign-in.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewUserRequest {
    username: String,
    display_name: String,
    /// The initial password; it must satisfy the security policy in force.
    password: String,
}

/// A temporary password set by the system administrator.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ResetPasswordRequest {
    password: String,
}

/// The complete set of roles an account is to hold (an empty list revokes them all).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RolesRequest {
    roles: Vec<RoleGrantDto>,
}

fn refused(message: impl Into<String>, message_zh: impl Into<String>) -> ApiError {
    ApiError::Refused { message: message.into(), message_zh: message_zh.into() }
}

/// The Chinese explanation of a role set that breaks 三员分立.
fn conflict_zh(conflict: &RoleConflict) -> String {
    match conflict {
        RoleConflict::TwoAdminRoles(a, b) => format!("三员分立：同一账号不能同时担任{a}和{b}"),
        RoleConflict::AdminAndBusiness(a, b) => {
            format!("三员分立：管理员账号（{a}）不能同时承担业务角色（{b}）")
        }
    }
}

fn account_error(e: AccountError) -> ApiError {
    match e {
        AccountError::DuplicateUsername(name) => {
            refused(format!("the username {name:?} is taken"), format!("用户名“{name}”已被使用"))
        }
        AccountError::EmptyUsername => refused("the username must not be empty", "用户名不能为空"),
        AccountError::Roles(conflict) => refused(conflict.to_string(), conflict_zh(&conflict)),
        AccountError::Storage(e) => e.into(),
    }
}

fn not_found(id: UserId) -> ApiError {
    ApiError::Storage(StorageError::NotFound(format!("no user has id {id}")))
}

async fn load(state: &AppState, id: UserId) -> Result<User, ApiError> {
    state.store().get_user(id).await?.ok_or_else(|| not_found(id))
}

/// Administrators act on other accounts: their own goes through `/account/password`, and
/// disabling or demoting oneself could leave nobody to undo it.
fn not_self(principal: &Principal, id: UserId) -> Result<(), ApiError> {
    if principal.user.id == id {
        return Err(refused("administrators cannot change their own account here", "不能在此修改本人账号"));
    }
    Ok(())
}

/// Checks a new password against the policy in force and hashes it (off the async threads).
async fn hashed(state: &AppState, username: &str, password: &str) -> Result<String, ApiError> {
    let (policy, name, candidate) = (state.policy(), username.to_owned(), password.to_owned());
    let checked = tokio::task::spawn_blocking(move || {
        check_new_password(&policy, &name, &candidate, &[])?;
        Ok::<_, rectify_auth::PasswordRejection>(hash_password(&candidate))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?;
    match checked {
        Ok(phc) => phc.map_err(|e| ApiError::Internal(e.to_string())),
        Err(rejection) => {
            Err(refused(format!("the password is not acceptable: {rejection:?}"), rejection.message_zh()))
        }
    }
}

async fn do_create(state: &AppState, principal: &Principal, request: NewUserRequest) -> Result<User, ApiError> {
    let username = request.username.trim().to_owned();
    if username.is_empty() {
        return Err(account_error(AccountError::EmptyUsername));
    }
    let display_name = match request.display_name.trim() {
        "" => username.clone(),
        name => name.to_owned(),
    };
    let password_phc = hashed(state, &username, &request.password).await?;
    let new = NewUser { username, display_name, password_phc, must_change_password: true, roles: Vec::new() };
    let id = state
        .store()
        .create_user(&new, &principal.acting_as(Role::SystemAdmin), state.now())
        .await
        .map_err(account_error)?;
    load(state, id).await
}

async fn do_set_disabled(
    state: &AppState,
    principal: &Principal,
    id: UserId,
    disabled: bool,
) -> Result<User, ApiError> {
    not_self(principal, id)?;
    load(state, id).await?;
    state.store().set_disabled(id, disabled, &principal.acting_as(Role::SystemAdmin), state.now()).await?;
    load(state, id).await
}

async fn do_reset(state: &AppState, principal: &Principal, id: UserId, password: &str) -> Result<User, ApiError> {
    not_self(principal, id)?;
    let user = load(state, id).await?;
    let phc = hashed(state, &user.username, password).await?;
    let keep = usize::try_from(state.policy().password_history).unwrap_or(usize::MAX);
    let acting = principal.acting_as(Role::SystemAdmin);
    state.store().set_password(id, &phc, true, keep, &acting, state.now()).await?;
    let ended = state.store().delete_user_sessions(id).await?;
    security_event(
        state,
        Some(&principal.user),
        &principal.user.username,
        principal.address.clone(),
        "user.reset_password",
        "ok",
        Some(json!({ "user_id": id, "username": user.username, "sessions_ended": ended })),
    )
    .await?;
    load(state, id).await
}

async fn do_set_roles(
    state: &AppState,
    principal: &Principal,
    id: UserId,
    roles: Vec<RoleGrant>,
) -> Result<User, ApiError> {
    not_self(principal, id)?;
    load(state, id).await?;
    let known: Vec<i64> = state.store().list_inspections().await?.iter().map(|s| s.id).collect();
    if let Some(missing) = roles.iter().filter_map(|g| g.inspection_id).find(|i| !known.contains(i)) {
        return Err(refused(
            format!("no inspection has id {missing}"),
            format!("数据范围中的巡察台账（编号{missing}）不存在"),
        ));
    }
    let acting = principal.acting_as(Role::SecurityAdmin);
    state.store().set_roles(id, &roles, &acting, state.now()).await.map_err(account_error)?;
    // A changed grant applies at once: the account signs in again under its new roles.
    state.store().delete_user_sessions(id).await?;
    load(state, id).await
}

async fn do_set_policy(state: &AppState, principal: &Principal, policy: SecurityPolicy) -> Result<(), ApiError> {
    if let Err(e) = policy.validate() {
        return Err(refused(e.to_string(), e.message_zh()));
    }
    let text = serde_json::to_string(&policy).map_err(|e| ApiError::Internal(e.to_string()))?;
    let acting = principal.acting_as(Role::SecurityAdmin);
    state.store().set_security_policy(&text, &acting, state.now()).await?;
    state.set_policy(policy);
    Ok(())
}

/// A JSON body, or 400 saying what is wrong with it.
fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(v)| v).map_err(|e| ApiError::Invalid(e.body_text()))
}

// ---- JSON API ----

/// Every account, by username (the system administrator).
#[utoipa::path(get, path = "/api/users", tag = "admin",
    responses((status = 200, body = Vec<UserDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_users(State(state): State<AppState>) -> Result<Json<Vec<UserDto>>, ApiError> {
    Ok(Json(state.store().list_users().await?.iter().map(user_dto).collect()))
}

/// Creates an account without roles; the initial password must be changed at the first sign-in.
#[utoipa::path(post, path = "/api/users", tag = "admin", request_body = NewUserRequest,
    responses((status = 201, body = UserDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Username taken or password weaker than the policy", body = ErrorBody)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    payload: Result<Json<NewUserRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let user = do_create(&state, &principal, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(user_dto(&user))))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn disable_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    let id = parse_id("user", &id)?;
    Ok(Json(user_dto(&do_set_disabled(&state, &principal, id, true).await?)))
}

/// Enables a disabled account.
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn enable_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    let id = parse_id("user", &id)?;
    Ok(Json(user_dto(&do_set_disabled(&state, &principal, id, false).await?)))
}

/// Sets a temporary password, which must be changed at the next sign-in, and ends the sessions.
#[utoipa::path(post, path = "/api/users/{id}/reset-password", tag = "admin", params(("id" = i64, Path)),
    request_body = ResetPasswordRequest,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<ResetPasswordRequest>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let id = parse_id("user", &id)?;
    let request = body(payload)?;
    Ok(Json(user_dto(&do_reset(&state, &principal, id, &request.password).await?)))
}

/// Replaces the roles of an account (the security administrator); role sets that break 三员分立
/// are refused with 422.
#[utoipa::path(put, path = "/api/users/{id}/roles", tag = "admin", params(("id" = i64, Path)),
    request_body = RolesRequest,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn set_roles(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    payload: Result<Json<RolesRequest>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let id = parse_id("user", &id)?;
    let roles = body(payload)?.roles.into_iter().map(RoleGrant::from).collect();
    Ok(Json(user_dto(&do_set_roles(&state, &principal, id, roles).await?)))
}

/// The security policy in force.
#[utoipa::path(get, path = "/api/security-policy", tag = "admin",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn get_policy(State(state): State<AppState>) -> Json<SecurityPolicy> {
    Json(state.policy().as_ref().clone())
}

/// Replaces the security policy (missing fields take the level-3 default); a policy weaker
/// than 等保2.0 level 3 is refused with 422. It applies at once and after restarts.
#[utoipa::path(put, path = "/api/security-policy", tag = "admin", request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn put_policy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    payload: Result<Json<SecurityPolicy>, JsonRejection>,
) -> Result<Json<SecurityPolicy>, ApiError> {
    let policy = body(payload)?;
    do_set_policy(&state, &principal, policy.clone()).await?;
    Ok(Json(policy))
}

// ---- Pages ----

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// The confirmation shown after a redirect (a fixed list: the query is not echoed).
fn done_zh(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "账号已创建，首次登录须修改初始口令。角色由安全管理员分配。",
        "disabled" => "账号已停用，其会话已结束。",
        "enabled" => "账号已启用。",
        "reset" => "口令已重置，该用户下次登录须修改口令，其会话已结束。",
        "roles" => "角色已更新，该用户须重新登录。",
        "policy" => "安全策略已保存并立即生效。",
        _ => return None,
    })
}

/// What a refused form shows; other errors become the error page.
fn form_error(e: ApiError) -> Result<String, UiError> {
    match e {
        ApiError::Refused { message_zh, .. } => Ok(message_zh),
        ApiError::Storage(StorageError::NotFound(_)) => Ok("该账号不存在".to_owned()),
        other => Err(UiError::Api(other)),
    }
}

async fn users_view(
    state: &AppState,
    csrf: &CsrfToken,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let users: Vec<UserDto> = state.store().list_users().await?.iter().map(user_dto).collect();
    let chrome =
        chrome(state, "admin_users", "用户管理", vec![Crumb::link("首页", "/"), Crumb::here("用户管理")], None, csrf);
    let policy = state.policy();
    let labels = role_labels();
    let page = context! {
        users => ser(&users), notice, error, labels => ser(&labels),
        min_length => policy.password_min_length, min_classes => policy.password_min_classes,
    };
    Ok((status, render("admin_users.html", &chrome, page)?).into_response())
}

/// Role names in Chinese, keyed by their API name.
fn role_labels() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label_zh())).collect()
}

/// `GET /admin/users`.
pub(crate) async fn users_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    users_view(&state, &csrf, done_zh(done.as_deref()), None, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
}

/// `POST /admin/users`.
pub(crate) async fn create_user_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<NewUserForm>,
) -> Result<Response, UiError> {
    let request = NewUserRequest { username: form.username, display_name: form.display_name, password: form.password };
    match do_create(&state, &principal, request).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=created").into_response()),
        Err(e) => users_view(&state, &csrf, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    /// `disable` or `enable`.
    action: String,
}

/// `POST /admin/users/{id}/status`.
pub(crate) async fn status_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, UiError> {
    let id = parse_id("user", &id).map_err(UiError::Api)?;
    let (disabled, done) = match form.action.as_str() {
        "disable" => (true, "disabled"),
        "enable" => (false, "enabled"),
        _ => return Err(UiError::Api(ApiError::Invalid("action must be disable or enable".into()))),
    };
    match do_set_disabled(&state, &principal, id, disabled).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response()),
        Err(e) => users_view(&state, &csrf, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    password: String,
}

/// `POST /admin/users/{id}/password`.
pub(crate) async fn reset_password_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, UiError> {
    let id = parse_id("user", &id).map_err(UiError::Api)?;
    match do_reset(&state, &principal, id, &form.password).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=reset").into_response()),
        Err(e) => users_view(&state, &csrf, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn roles_view(
    state: &AppState,
    csrf: &CsrfToken,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let users: Vec<UserDto> = state.store().list_users().await?.iter().map(user_dto).collect();
    let inspections = state.store().list_inspections().await?;
    let inspections: Vec<(i64, String)> =
        inspections.iter().map(|s| (s.id, super::pages::inspection_name(s))).collect();
    let chrome =
        chrome(state, "admin_roles", "角色分配", vec![Crumb::link("首页", "/"), Crumb::here("角色分配")], None, csrf);
    let page = context! {
        users => ser(&users), notice, error, labels => ser(role_labels()), inspections => ser(&inspections),
    };
    Ok((status, render("admin_roles.html", &chrome, page)?).into_response())
}

/// `GET /admin/roles`.
pub(crate) async fn roles_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    roles_view(&state, &csrf, done_zh(done.as_deref()), None, StatusCode::OK).await
}

/// One grant per submission: the page assigns a single role (the API takes several).
#[derive(Debug, Deserialize)]
pub(crate) struct RoleForm {
    /// A role's API name, or empty to revoke every role.
    role: String,
    #[serde(default)]
    inspection_id: Option<String>,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    leader_name: Option<String>,
}

/// `POST /admin/roles/{id}`.
pub(crate) async fn roles_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, UiError> {
    let id = parse_id("user", &id).map_err(UiError::Api)?;
    let roles = match form.role.trim() {
        "" => Vec::new(),
        name => {
            let role = Role::from_name(name)
                .ok_or_else(|| UiError::Api(ApiError::Invalid(format!("unknown role {name:?}"))))?;
            let inspection_id = match limit(form.inspection_id) {
                Some(text) => Some(parse_id("inspection", &text).map_err(UiError::Api)?),
                None => None,
            };
            vec![RoleGrant {
                role,
                inspection_id,
                department: limit(form.department),
                leader_name: limit(form.leader_name),
            }]
        }
    };
    match do_set_roles(&state, &principal, id, roles).await {
        Ok(_) => Ok(Redirect::to("/admin/roles?done=roles").into_response()),
        Err(e) => roles_view(&state, &csrf, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

fn policy_view(
    state: &AppState,
    csrf: &CsrfToken,
    policy: &SecurityPolicy,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let chrome =
        chrome(state, "admin_policy", "安全策略", vec![Crumb::link("首页", "/"), Crumb::here("安全策略")], None, csrf);
    let page = context! { policy => ser(policy), notice, error };
    Ok((status, render("admin_policy.html", &chrome, page)?).into_response())
}

/// `GET /admin/policy`.
pub(crate) async fn policy_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    policy_view(&state, &csrf, &state.policy(), done_zh(done.as_deref()), None, StatusCode::OK)
}

/// The policy form: every number is required; an unticked box sends nothing.
#[derive(Debug, Deserialize)]
pub(crate) struct PolicyForm {
    password_min_length: u32,
    password_min_classes: u32,
    password_max_age_days: u32,
    password_history: u32,
    lockout_threshold: u32,
    lockout_minutes: u32,
    session_idle_minutes: u32,
    session_lifetime_hours: u32,
    reminder_min_interval_hours: u32,
    #[serde(default)]
    second_factor_for_admins: Option<String>,
    #[serde(default)]
    second_factor_for_everyone: Option<String>,
}

impl From<PolicyForm> for SecurityPolicy {
    fn from(f: PolicyForm) -> Self {
        SecurityPolicy {
            password_min_length: f.password_min_length,
            password_min_classes: f.password_min_classes,
            password_max_age_days: f.password_max_age_days,
            password_history: f.password_history,
            lockout_threshold: f.lockout_threshold,
            lockout_minutes: f.lockout_minutes,
            session_idle_minutes: f.session_idle_minutes,
            session_lifetime_hours: f.session_lifetime_hours,
            second_factor_for_admins: f.second_factor_for_admins.is_some(),
            second_factor_for_everyone: f.second_factor_for_everyone.is_some(),
            reminder_min_interval_hours: f.reminder_min_interval_hours,
        }
    }
}

/// `POST /admin/policy`.
pub(crate) async fn policy_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<PolicyForm>,
) -> Result<Response, UiError> {
    let policy = SecurityPolicy::from(form);
    match do_set_policy(&state, &principal, policy.clone()).await {
        Ok(()) => Ok(Redirect::to("/admin/policy?done=policy").into_response()),
        Err(e) => policy_view(&state, &csrf, &policy, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY),
    }
}
