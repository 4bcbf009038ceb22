//! 登录、退出、修改口令、绑定动态口令: the sign-in pages. Every form carries the CSRF token of
//! [`crate::http::csrf`]; the rules (lockout, history, TOTP) are those of
//! [`crate::service::session`].

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use rectify_auth::TotpSecret;
use serde::Deserialize;

use crate::error::AppError;
use crate::http::extract::{ClientAddress, SecureCookies, safe_next};
use crate::http::page::PageContext;
use crate::render::{Crumb, render};
use crate::service::AppState;
use crate::service::session::{self, Principal};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

fn login_view(
    page: &PageContext,
    next: &str,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = page.chrome("", "登录", vec![Crumb::here("登录")], None);
    let fields = context! { next, username, error };
    Ok((status, render("login.html", &chrome, fields)?).into_response())
}

/// `GET /login`.
pub(crate) async fn login_page(
    page: PageContext,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let next = safe_next(query.as_ref().ok().and_then(|q| q.next.as_deref()));
    if let Some(p) = page.principal.as_ref() {
        let to = p.restriction.map_or(next.as_str(), |r| r.page());
        return Ok(Redirect::to(to).into_response());
    }
    login_view(&page, &next, "", None, StatusCode::OK)
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
    page: PageContext,
    ClientAddress(address): ClientAddress,
    SecureCookies(secure): SecureCookies,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let outcome =
        session::sign_in(&state, &form.username, &form.password, form.totp.as_deref(), address, secure).await?;
    match outcome {
        Ok(signed) => {
            let to = signed.restriction.map_or(next.as_str(), |r| r.page());
            Ok(([(header::SET_COOKIE, signed.cookie)], Redirect::to(to)).into_response())
        }
        Err(failure) => login_view(&page, &next, &form.username, Some(failure.message_zh()), StatusCode::UNAUTHORIZED),
    }
}

/// `POST /logout`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    principal: Principal,
    SecureCookies(secure): SecureCookies,
) -> Result<Response, AppError> {
    let cookie = session::sign_out(&state, &principal, secure).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

fn account_view(
    state: &AppState,
    page: &PageContext,
    principal: &Principal,
    mode: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = if mode == "password" { "修改口令" } else { "绑定动态口令" };
    let chrome = page.chrome("", title, vec![Crumb::link("首页", "/"), Crumb::here(title)], None);
    let policy = state.policy();
    let fields = context! {
        mode,
        restriction => principal.restriction.map(|r| r.page()),
        username => principal.user.username.clone(),
        min_length => policy.password_min_length,
        min_classes => policy.password_min_classes,
        history => policy.password_history,
        ..extra
    };
    Ok((status, render("account.html", &chrome, fields)?).into_response())
}

/// `GET /account/password`.
pub(crate) async fn password_page(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
) -> Result<Response, AppError> {
    account_view(&state, &page, &principal, "password", context! {}, StatusCode::OK)
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
    principal: Principal,
    page: PageContext,
    SecureCookies(secure): SecureCookies,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match session::change_password(&state, &principal, &form.current, &form.new, &form.confirm, secure).await? {
        Ok(signed) => {
            let to = signed.restriction.map_or("/?changed=1", |r| r.page());
            Ok(([(header::SET_COOKIE, signed.cookie)], Redirect::to(to)).into_response())
        }
        Err(e) => account_view(
            &state,
            &page,
            &principal,
            "password",
            context! { error => e.message_zh() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

fn totp_view(
    state: &AppState,
    page: &PageContext,
    principal: &Principal,
    secret: &TotpSecret,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let uri = secret.otpauth_uri(&principal.user.username);
    // Drawn here as SVG (no script, no image request): the app scans it from the screen.
    let qr = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .ok()
        .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build());
    let extra = context! {
        secret => secret.to_base32(),
        qr,
        uri,
        enrolled => principal.user.totp_secret.is_some(),
        error,
    };
    account_view(state, page, principal, "totp", extra, status)
}

/// `GET /account/totp`: a fresh secret to add to an authenticator app.
pub(crate) async fn totp_page(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
) -> Result<Response, AppError> {
    let secret = TotpSecret::generate().map_err(|e| AppError::Internal(e.to_string()))?;
    totp_view(&state, &page, &principal, &secret, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct TotpForm {
    secret: String,
    code: String,
    /// Replacing an enrolled authenticator: the account's password and a code of the current one.
    #[serde(default)]
    password: String,
    #[serde(default)]
    current_code: String,
}

/// `POST /account/totp`: enrols the secret once a code of it is right.
pub(crate) async fn enrol_totp(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Form(form): Form<TotpForm>,
) -> Result<Response, AppError> {
    let refused =
        match session::enrol_totp(&state, &principal, &form.secret, &form.code, &form.password, &form.current_code)
            .await?
        {
            Ok(()) => return Ok(Redirect::to("/?enrolled=1").into_response()),
            Err(refused) => refused,
        };
    let secret = match TotpSecret::from_base32(&form.secret) {
        Ok(s) => s,
        Err(_) => TotpSecret::generate().map_err(|e| AppError::Internal(e.to_string()))?,
    };
    totp_view(&state, &page, &principal, &secret, Some(refused.message_zh()), StatusCode::UNPROCESSABLE_ENTITY)
}
