//! 三员分立 in the browser: 用户管理 (the system administrator), 角色分配 and 安全策略 (the
//! security administrator). Each form calls the same service function as the API.

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use rectify_auth::SecurityPolicy;
use rectify_domain::roles::Role;
use rectify_storage::{RoleGrant, StorageError};
use serde::Deserialize;

use super::api::{UserDto, limit, user_dto};
use crate::error::AppError;
use crate::http::page::PageContext;
use crate::ids::{InspectionId, UserId};
use crate::render::{Crumb, render, ser};
use crate::service::AppState;
use crate::service::accounts;
use crate::service::session::Principal;

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
        "totp" => "动态口令已重置，其会话已结束。该用户凭口令登录后可重新绑定动态口令（管理员账号登录时须重新绑定）。",
        "roles" => "角色已更新，该用户须重新登录。",
        "policy" => "安全策略已保存并立即生效。",
        _ => return None,
    })
}

/// What a refused form shows; other errors become the error page.
fn form_error(e: AppError) -> Result<String, AppError> {
    match e {
        AppError::Refused { message_zh, .. } => Ok(message_zh),
        AppError::NotFound { .. } | AppError::Storage(StorageError::NotFound(_)) => Ok("该账号不存在".to_owned()),
        other => Err(other),
    }
}

async fn users_view(
    state: &AppState,
    page: &PageContext,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let users: Vec<UserDto> = accounts::list(state).await?.iter().map(user_dto).collect();
    let chrome = page.chrome("admin_users", "用户管理", vec![Crumb::link("首页", "/"), Crumb::here("用户管理")], None);
    let policy = state.policy();
    let labels = role_labels();
    // One's own account is changed at 修改口令 and by another administrator, never here.
    let me = page.principal.as_ref().map(|p| p.user.id);
    let fields = context! {
        users => ser(&users), notice, error, labels => ser(&labels), me,
        min_length => policy.password_min_length, min_classes => policy.password_min_classes,
    };
    Ok((status, render("admin_users.html", &chrome, fields)?).into_response())
}

/// Role names in Chinese, keyed by their API name.
fn role_labels() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label_zh())).collect()
}

/// `GET /admin/users`.
pub(crate) async fn users_page(
    State(state): State<AppState>,
    page: PageContext,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    users_view(&state, &page, done_zh(done.as_deref()), None, StatusCode::OK).await
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
    principal: Principal,
    page: PageContext,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    match accounts::create(&state, &principal, &form.username, &form.display_name, &form.password).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=created").into_response()),
        Err(e) => users_view(&state, &page, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
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
    principal: Principal,
    page: PageContext,
    id: UserId,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let (disabled, done) = match form.action.as_str() {
        "disable" => (true, "disabled"),
        "enable" => (false, "enabled"),
        _ => return Err(AppError::Invalid("action must be disable or enable".into())),
    };
    match accounts::set_disabled(&state, &principal, id, disabled).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response()),
        Err(e) => users_view(&state, &page, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    password: String,
}

/// `POST /admin/users/{id}/password`.
pub(crate) async fn reset_password_form(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: UserId,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match accounts::reset_password(&state, &principal, id, &form.password).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=reset").into_response()),
        Err(e) => users_view(&state, &page, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// `POST /admin/users/{id}/totp`: 重置动态口令 (the form carries only its token).
pub(crate) async fn reset_second_factor_form(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: UserId,
) -> Result<Response, AppError> {
    match accounts::reset_second_factor(&state, &principal, id).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=totp").into_response()),
        Err(e) => users_view(&state, &page, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn roles_view(
    state: &AppState,
    page: &PageContext,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let users: Vec<UserDto> = accounts::list(state).await?.iter().map(user_dto).collect();
    let inspections = accounts::inspection_choices(state).await?;
    let chrome = page.chrome("admin_roles", "角色分配", vec![Crumb::link("首页", "/"), Crumb::here("角色分配")], None);
    let fields = context! {
        users => ser(&users), notice, error, labels => ser(role_labels()), inspections => ser(&inspections),
    };
    Ok((status, render("admin_roles.html", &chrome, fields)?).into_response())
}

/// `GET /admin/roles`.
pub(crate) async fn roles_page(
    State(state): State<AppState>,
    page: PageContext,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    roles_view(&state, &page, done_zh(done.as_deref()), None, StatusCode::OK).await
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
    principal: Principal,
    page: PageContext,
    id: UserId,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let roles = match form.role.trim() {
        "" => Vec::new(),
        name => {
            let role = Role::from_name(name).ok_or_else(|| AppError::Invalid(format!("unknown role {name:?}")))?;
            let inspection_id = match limit(form.inspection_id) {
                Some(text) => Some(InspectionId::parse(&text)?.get()),
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
    match accounts::set_roles(&state, &principal, id, roles).await {
        Ok(_) => Ok(Redirect::to("/admin/roles?done=roles").into_response()),
        Err(e) => roles_view(&state, &page, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

fn policy_view(
    page: &PageContext,
    policy: &SecurityPolicy,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = page.chrome("admin_policy", "安全策略", vec![Crumb::link("首页", "/"), Crumb::here("安全策略")], None);
    let fields = context! { policy => ser(policy), notice, error };
    Ok((status, render("admin_policy.html", &chrome, fields)?).into_response())
}

/// `GET /admin/policy`.
pub(crate) async fn policy_page(
    State(state): State<AppState>,
    page: PageContext,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let done = query.ok().and_then(|Query(q)| q.done);
    policy_view(&page, &state.policy(), done_zh(done.as_deref()), None, StatusCode::OK)
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
    principal: Principal,
    page: PageContext,
    Form(form): Form<PolicyForm>,
) -> Result<Response, AppError> {
    let policy = SecurityPolicy::from(form);
    match accounts::set_policy(&state, &principal, policy.clone()).await {
        Ok(()) => Ok(Redirect::to("/admin/policy?done=policy").into_response()),
        Err(e) => policy_view(&page, &policy, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY),
    }
}
