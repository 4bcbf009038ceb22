//! 三员分立 over the API: accounts (the system administrator), roles with their data scopes and
//! the security policy (the security administrator). The rules are in
//! [`crate::service::accounts`], shared with the pages.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rectify_auth::SecurityPolicy;
use rectify_domain::roles::Role;
use rectify_storage::{RoleGrant, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::UserId;
use crate::service::AppState;
use crate::service::accounts;
use crate::service::session::Principal;

/// An account as the administrators see it (never the password hash or the TOTP secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
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
pub struct RoleGrantDto {
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
pub(crate) fn limit(text: Option<String>) -> Option<String> {
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

pub(crate) fn user_dto(user: &User) -> UserDto {
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
pub struct NewUserRequest {
    username: String,
    display_name: String,
    /// The initial password; it must satisfy the security policy in force.
    password: String,
}

/// A temporary password set by the system administrator.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    password: String,
}

/// The complete set of roles an account is to hold (an empty list revokes them all).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesRequest {
    roles: Vec<RoleGrantDto>,
}

/// A page of the accounts, by username (the system administrator).
#[utoipa::path(get, path = "/api/users", tag = "admin", params(Paging),
    responses((status = 200, description = "`{\"items\": [UserDto], \"total\": N}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<UserDto>>, AppError> {
    let (users, total) = accounts::page(&state, paging.page()).await?;
    Ok(Json(Paged { items: users.iter().map(user_dto).collect(), total }))
}

/// Creates an account without roles; the initial password must be changed at the first sign-in.
#[utoipa::path(post, path = "/api/users", tag = "admin", request_body = NewUserRequest,
    responses((status = 201, body = UserDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Username taken or password weaker than the policy", body = ErrorBody)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<NewUserRequest>,
) -> Result<(StatusCode, Json<UserDto>), AppError> {
    let user =
        accounts::create(&state, &principal, &request.username, &request.display_name, &request.password).await?;
    Ok((StatusCode::CREATED, Json(user_dto(&user))))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn disable_user(
    State(state): State<AppState>,
    principal: Principal,
    id: UserId,
) -> Result<Json<UserDto>, AppError> {
    Ok(Json(user_dto(&accounts::set_disabled(&state, &principal, id, true).await?)))
}

/// Enables a disabled account.
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn enable_user(
    State(state): State<AppState>,
    principal: Principal,
    id: UserId,
) -> Result<Json<UserDto>, AppError> {
    Ok(Json(user_dto(&accounts::set_disabled(&state, &principal, id, false).await?)))
}

/// Sets a temporary password, which must be changed at the next sign-in, and ends the sessions.
#[utoipa::path(post, path = "/api/users/{id}/reset-password", tag = "admin", params(("id" = i64, Path)),
    request_body = ResetPasswordRequest,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    principal: Principal,
    id: UserId,
    JsonBody(request): JsonBody<ResetPasswordRequest>,
) -> Result<Json<UserDto>, AppError> {
    Ok(Json(user_dto(&accounts::reset_password(&state, &principal, id, &request.password).await?)))
}

/// Clears the account's TOTP authenticator (重置动态口令), lost or unreadable, and ends its
/// sessions; it then signs in with the password alone and may enrol again. An account without a
/// second factor, or the caller's own, is refused with 422.
#[utoipa::path(post, path = "/api/users/{id}/reset-second-factor", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn reset_second_factor(
    State(state): State<AppState>,
    principal: Principal,
    id: UserId,
) -> Result<Json<UserDto>, AppError> {
    Ok(Json(user_dto(&accounts::reset_second_factor(&state, &principal, id).await?)))
}

/// Replaces the roles of an account (the security administrator); role sets that break 三员分立
/// are refused with 422.
#[utoipa::path(put, path = "/api/users/{id}/roles", tag = "admin", params(("id" = i64, Path)),
    request_body = RolesRequest,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn set_roles(
    State(state): State<AppState>,
    principal: Principal,
    id: UserId,
    JsonBody(request): JsonBody<RolesRequest>,
) -> Result<Json<UserDto>, AppError> {
    let roles = request.roles.into_iter().map(RoleGrant::from).collect();
    Ok(Json(user_dto(&accounts::set_roles(&state, &principal, id, roles).await?)))
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
    principal: Principal,
    JsonBody(request): JsonBody<SecurityPolicy>,
) -> Result<Json<SecurityPolicy>, AppError> {
    let policy = request;
    accounts::set_policy(&state, &principal, policy.clone()).await?;
    Ok(Json(policy))
}
