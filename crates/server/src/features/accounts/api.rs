//! Sign-in over the API: sessions (HttpOnly cookie plus the CSRF token JSON clients repeat) and
//! the signed-in account.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{ClientAddress, JsonBody, SecureCookies};
use crate::service::AppState;
use crate::service::session::{self, Principal, Restriction};

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
        (status = 401, description = "Wrong credentials, locked, the TOTP code is missing or wrong, or the enrolled TOTP secret does not open", body = ErrorBody)
    ))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    SecureCookies(secure): SecureCookies,
    JsonBody(login): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    match session::sign_in(&state, &login.username, &login.password, login.totp.as_deref(), address, secure).await? {
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
    principal: Principal,
    SecureCookies(secure): SecureCookies,
) -> Result<Response, AppError> {
    let cookie = session::sign_out(&state, &principal, secure).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in account, its roles and its CSRF token.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub(crate) async fn me(principal: Principal) -> Json<MeDto> {
    Json(me_dto(&principal.user, &principal.csrf_token, principal.restriction))
}
