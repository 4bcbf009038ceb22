//! 登录、退出、修改口令、绑定动态口令: the sign-in pages. Every form carries the CSRF token of
//! [`super::csrf`]; the rules (lockout, history, TOTP) are those of [`crate::auth`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::context;
use rectify_auth::TotpSecret;
use serde::Deserialize;

use super::csrf::CsrfToken;
use super::pages::chrome;
use super::{Crumb, UiError, render};
use crate::AppState;
use crate::auth::{self, Principal};
use crate::workflow::ClientAddress;

/// Where to go after signing in: only a path of this site (never `//host` or a scheme).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

fn login_view(
    state: &AppState,
    csrf: &CsrfToken,
    next: &str,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let chrome = chrome(state, "", "登录", vec![Crumb::here("登录")], None, csrf);
    let page = context! { next, username, error };
    Ok((status, render("login.html", &chrome, page)?).into_response())
}

/// `GET /login`.
pub(crate) async fn login_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let next = safe_next(query.as_ref().ok().and_then(|q| q.next.as_deref()));
    if let Some(p) = crate::authz::current() {
        let to = p.restriction.map_or(next.as_str(), |r| r.page());
        return Ok(Redirect::to(to).into_response());
    }
    login_view(&state, &csrf, &next, "", None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`: signs in and goes on to `next`, or to the page that lifts a restriction.
pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientAddress(address): ClientAddress,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, UiError> {
    let next = safe_next(form.next.as_deref());
    let secure = auth::secure_request(&state, &uri, &headers);
    let outcome = auth::sign_in(&state, &form.username, &form.password, form.totp.as_deref(), address, secure)
        .await
        .map_err(UiError::Api)?;
    match outcome {
        Ok(signed) => {
            let to = signed.restriction.map_or(next.as_str(), |r| r.page());
            Ok(([(header::SET_COOKIE, signed.cookie)], Redirect::to(to)).into_response())
        }
        Err(failure) => {
            login_view(&state, &csrf, &next, &form.username, Some(failure.message_zh()), StatusCode::UNAUTHORIZED)
        }
    }
}

/// `POST /logout`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let secure = auth::secure_request(&state, &uri, &headers);
    let cookie = auth::sign_out(&state, &principal, secure).await.map_err(UiError::Api)?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

fn account_view(
    state: &AppState,
    principal: &Principal,
    csrf: &CsrfToken,
    mode: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> Result<Response, UiError> {
    let title = if mode == "password" { "修改口令" } else { "绑定动态口令" };
    let chrome = chrome(state, "", title, vec![Crumb::link("首页", "/"), Crumb::here(title)], None, csrf);
    let policy = state.policy();
    let page = context! {
        mode,
        restriction => principal.restriction.map(|r| r.page()),
        username => principal.user.username.clone(),
        min_length => policy.password_min_length,
        min_classes => policy.password_min_classes,
        history => policy.password_history,
        ..extra
    };
    Ok((status, render("account.html", &chrome, page)?).into_response())
}

/// `GET /account/password`.
pub(crate) async fn password_page(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, UiError> {
    account_view(&state, &principal, &csrf, "password", context! {}, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password`: changes the password and renews the session.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, UiError> {
    let secure = auth::secure_request(&state, &uri, &headers);
    match auth::change_password(&state, &principal, &form.current, &form.new, &form.confirm, secure)
        .await
        .map_err(UiError::Api)?
    {
        Ok(signed) => {
            let to = signed.restriction.map_or("/?changed=1", |r| r.page());
            Ok(([(header::SET_COOKIE, signed.cookie)], Redirect::to(to)).into_response())
        }
        Err(e) => account_view(
            &state,
            &principal,
            &csrf,
            "password",
            context! { error => e.message_zh() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

fn totp_view(
    state: &AppState,
    principal: &Principal,
    csrf: &CsrfToken,
    secret: &TotpSecret,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let extra = context! {
        secret => secret.to_base32(),
        uri => secret.otpauth_uri(&principal.user.username),
        enrolled => principal.user.totp_secret.is_some(),
        error,
    };
    account_view(state, principal, csrf, "totp", extra, status)
}

/// `GET /account/totp`: a fresh secret to add to an authenticator app.
pub(crate) async fn totp_page(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, UiError> {
    let secret = TotpSecret::generate().map_err(|e| UiError::Api(crate::ApiError::Internal(e.to_string())))?;
    totp_view(&state, &principal, &csrf, &secret, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct TotpForm {
    secret: String,
    code: String,
}

/// `POST /account/totp`: enrols the secret once a code of it is right.
pub(crate) async fn enrol_totp(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<TotpForm>,
) -> Result<Response, UiError> {
    if auth::enrol_totp(&state, &principal, &form.secret, &form.code).await.map_err(UiError::Api)? {
        return Ok(Redirect::to("/?enrolled=1").into_response());
    }
    let secret = match TotpSecret::from_base32(&form.secret) {
        Ok(s) => s,
        Err(_) => TotpSecret::generate().map_err(|e| UiError::Api(crate::ApiError::Internal(e.to_string())))?,
    };
    totp_view(
        &state,
        &principal,
        &csrf,
        &secret,
        Some("动态口令不正确，请核对验证器应用中显示的6位数字后重试"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/inbox?x=1")), "/inbox?x=1");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "javascript:alert(1)", "", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
