//! Sign-in, sessions and security events, shared by the JSON API and the Chinese pages.
//!
//! The rules themselves live in `rectify-auth` (policy, lockout, TOTP, timeouts); this module
//! wires them to storage: it checks a password against the stored argon2id hash, applies
//! `login_decision`, keeps the counters, creates server-side sessions (only the token's SHA-256
//! is stored) and records every sign-in, failure, lockout, sign-out and timeout in the audit
//! trail with the client's address.

use chrono::{DateTime, Utc};
use rectify_auth::session::clear_session_cookie;
use rectify_auth::{
    AccountStatus, Grant, LoginOutcome, NameLockout, Permission, Scope, SessionState, TotpSecret, allows_any,
    hash_session_token, lockout_key, name_login_decision, new_csrf_token, new_session_token, password_expired,
    session_cookie, session_state, verify_password, verify_totp,
};
use rectify_domain::roles::Role;
use rectify_storage::{Acting, AuditRecord, LoginStatus, Session, User};
use serde::Serialize;
use serde_json::json;

use super::state::{AppState, blocking};
use crate::error::AppError;

/// Sessions are touched at most this often, so that reading pages does not write on every request.
const TOUCH_EVERY_SECONDS: i64 = 10;

/// The longest user name recorded in the audit trail for a failed sign-in (typed names are input).
const MAX_LOGGED_NAME: usize = 64;

/// What an account must do before it may use the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// First sign-in with an initial password, or the password is older than the policy allows.
    ChangePassword,
    /// An administrator without an enrolled TOTP authenticator.
    EnrolTotp,
}

impl Restriction {
    /// The page that lifts the restriction.
    pub fn page(self) -> &'static str {
        match self {
            Restriction::ChangePassword => "/account/password",
            Restriction::EnrolTotp => "/account/totp",
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Restriction::ChangePassword => "password_change_required",
            Restriction::EnrolTotp => "totp_enrolment_required",
        }
    }
}

/// The signed-in account behind a request, with its role grants as data scopes.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub grants: Vec<Grant>,
    /// The SHA-256 of the session token (the stored key of the session).
    pub token_hash: String,
    /// The session's CSRF token, which JSON clients repeat in `X-CSRF-Token`.
    pub csrf_token: String,
    pub restriction: Option<Restriction>,
    pub address: Option<String>,
}

impl Principal {
    pub fn roles(&self) -> Vec<Role> {
        self.user.roles()
    }

    /// The account's first role, for self-service actions that are not about a role.
    pub fn primary_role(&self) -> Option<Role> {
        self.user.roles.first().map(|g| g.role)
    }

    /// The actor as the audit trail records it, acting in `role`.
    pub fn acting_as(&self, role: Role) -> Acting {
        Acting {
            user_id: Some(self.user.id),
            user_name: self.user.username.clone(),
            role,
            address: self.address.clone(),
        }
    }

    /// The actor in the account's first role (every signed-in account has one: see `resolve`).
    pub fn acting(&self) -> Acting {
        self.acting_as(self.primary_role().unwrap_or(Role::AuditAdmin))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user.roles.iter().any(|g| g.role == role)
    }

    /// Whether some role of the account holds one of `permissions` (data scope aside).
    pub fn may(&self, permissions: &[Permission]) -> bool {
        let roles = self.roles();
        permissions.iter().any(|p| allows_any(&roles, *p))
    }
}

/// The data scope of a stored grant: unit-side roles are limited to their inspection (scopes fail
/// closed when it is missing), the department and leader roles to their names.
pub fn grants_of(user: &User) -> Vec<Grant> {
    user.roles
        .iter()
        .map(|g| Grant {
            role: g.role,
            scope: Scope {
                inspection_ids: g.inspection_id.map(|id| std::iter::once(id).collect()),
                unit: None,
                department: g.department.clone(),
                leader: g.leader_name.clone(),
            },
        })
        .collect()
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
}

/// Records a security event in a transaction of its own.
pub(crate) async fn security_event(
    state: &AppState,
    user: Option<&User>,
    name: &str,
    address: Option<String>,
    action: &str,
    result: &str,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let record = AuditRecord {
        at: state.now(),
        actor_user_id: user.map(|u| u.id),
        actor_name: name.chars().take(MAX_LOGGED_NAME).collect(),
        address,
        action: action.to_owned(),
        target_kind: "user".to_owned(),
        target_id: user.map(|u| u.id.to_string()),
        result: result.to_owned(),
        before: None,
        after,
    };
    state.store().record_security_event(&record).await?;
    Ok(())
}

/// Reads the session of a request: `None` when there is no cookie, the session is unknown, has
/// timed out (it is then deleted and the timeout recorded), or its account is disabled or has no
/// role.
pub(crate) async fn resolve(
    state: &AppState,
    token: Option<&str>,
    address: Option<String>,
) -> Result<Option<Principal>, AppError> {
    let Some(token) = token else { return Ok(None) };
    let token_hash = hash_session_token(token);
    let store = state.store();
    let Some((session, user)) = store.find_session_with_user(&token_hash).await? else { return Ok(None) };
    let now = state.now();
    let policy = state.policy();
    let (Some(created), Some(seen)) = (parse_time(&session.created_at), parse_time(&session.last_seen_at)) else {
        store.delete_session(&token_hash).await?;
        return Ok(None);
    };
    let ended = match session_state(&policy, created, seen, now) {
        SessionState::Active => None,
        SessionState::IdleExpired => Some("session.idle_timeout"),
        SessionState::Expired => Some("session.expired"),
    };
    if let Some(action) = ended {
        store.delete_session(&token_hash).await?;
        let name = user.as_ref().map(|u| u.username.clone()).unwrap_or_default();
        security_event(state, user.as_ref(), &name, address, action, "ok", None).await?;
        return Ok(None);
    }
    let Some(user) = user.filter(|u| !u.disabled && !u.roles.is_empty()) else {
        store.delete_session(&token_hash).await?;
        return Ok(None);
    };
    if (now - seen).num_seconds() >= TOUCH_EVERY_SECONDS {
        store.touch_session(&token_hash, now).await?;
    }
    let restriction = restriction_of(state, &user, now);
    Ok(Some(Principal {
        grants: grants_of(&user),
        user,
        token_hash,
        csrf_token: session.csrf_token,
        restriction,
        address,
    }))
}

fn holds_admin_role(user: &User) -> bool {
    user.roles.iter().any(|g| g.role.is_admin())
}

fn restriction_of(state: &AppState, user: &User, now: DateTime<Utc>) -> Option<Restriction> {
    let changed = parse_time(&user.password_changed_at).unwrap_or(DateTime::<Utc>::MIN_UTC);
    if user.must_change_password || password_expired(&state.policy(), changed, now) {
        Some(Restriction::ChangePassword)
    } else if state.policy().requires_second_factor(holds_admin_role(user)) && user.totp_secret.is_none() {
        Some(Restriction::EnrolTotp)
    } else {
        None
    }
}

/// Why a sign-in did not succeed. The messages never tell whether the user name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoginFailure {
    BadCredentials,
    Locked {
        until: DateTime<Utc>,
    },
    /// The password is right and the account needs its TOTP code.
    SecondFactorRequired,
    BadSecondFactor,
    /// The enrolled TOTP secret does not open (changed in the database, or a key the ring lacks):
    /// the sign-in fails closed until the stored secret is repaired or cleared.
    SecondFactorUnreadable,
}

/// The account's enrolled TOTP secret, opened (empty if none is enrolled); `None` when it does
/// not open, which is logged by account id — never with the secret — and fails closed.
fn enrolled_secret(state: &AppState, user: &User) -> Option<String> {
    match state.store().open_totp_secret(user) {
        Ok(secret) => Some(secret.unwrap_or_default()),
        Err(error) => {
            tracing::error!(user_id = user.id, %error, "the enrolled TOTP secret does not open");
            None
        }
    }
}

impl LoginFailure {
    pub(crate) fn message_zh(&self) -> String {
        match self {
            LoginFailure::BadCredentials => "用户名或口令错误".to_owned(),
            LoginFailure::Locked { until } => {
                let local = until.with_timezone(&super::state::BEIJING);
                format!("连续登录失败次数过多，账号已锁定，请于{}后再试", local.format("%H:%M"))
            }
            LoginFailure::SecondFactorRequired => "管理员账号须输入动态口令（6位数字）".to_owned(),
            LoginFailure::BadSecondFactor => "动态口令错误或已使用过".to_owned(),
            LoginFailure::SecondFactorUnreadable => {
                "动态口令密钥校验失败（存储的密钥已损坏或被篡改），无法登录，请联系系统管理员处理".to_owned()
            }
        }
    }

    pub(crate) fn code(&self) -> &'static str {
        match self {
            LoginFailure::BadCredentials => "bad_credentials",
            LoginFailure::Locked { .. } => "locked",
            LoginFailure::SecondFactorRequired => "second_factor_required",
            LoginFailure::BadSecondFactor => "bad_second_factor",
            LoginFailure::SecondFactorUnreadable => "second_factor_unreadable",
        }
    }
}

/// A session just created: the cookie to set and what the client needs to know.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    /// The `Set-Cookie` value.
    pub cookie: String,
    pub csrf_token: String,
    pub restriction: Option<Restriction>,
    pub user: User,
}

fn account_status(user: &User) -> AccountStatus {
    AccountStatus {
        failed_attempts: user.failed_attempts,
        locked_until: user.locked_until.as_deref().and_then(parse_time),
        password_changed_at: parse_time(&user.password_changed_at).unwrap_or(DateTime::<Utc>::MIN_UTC),
        must_change_password: user.must_change_password,
        disabled: user.disabled,
        holds_admin_role: holds_admin_role(user),
    }
}

/// The failure counter of a typed name, known or not.
async fn name_status(state: &AppState, key: &str) -> Result<NameLockout, AppError> {
    let stored = state.store().login_failures(key).await?;
    Ok(NameLockout { failed_attempts: stored.failed_attempts, locked_until: stored.locked_until })
}

async fn store_name_status(
    state: &AppState,
    key: &str,
    before: &NameLockout,
    after: &NameLockout,
) -> Result<(), AppError> {
    if before != after {
        let status = LoginStatus { failed_attempts: after.failed_attempts, locked_until: after.locked_until };
        state.store().set_login_failures(key, status, state.now()).await?;
    }
    Ok(())
}

/// One sign-in attempt: password, lockout, second factor, then a new session.
pub(crate) async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    totp: Option<&str>,
    address: Option<String>,
    secure: bool,
) -> Result<Result<SignedIn, LoginFailure>, AppError> {
    let username = username.trim();
    let typed = password.to_owned();
    let now = state.now();
    let policy = state.policy();
    // Failures are counted per typed name, known or not (rectify_auth::lockout).
    let key = lockout_key(username);
    let name_before = name_status(state, &key).await?;
    let user = if username.is_empty() { None } else { state.store().find_user_by_username(username).await? };
    let Some(user) = user else {
        // As slow as a real verification, so that timing does not reveal which names exist.
        blocking(move || rectify_auth::password::spend_verification_time(&typed)).await?;
        let (outcome, name_after) = name_login_decision(&policy, &name_before, None, false, now);
        store_name_status(state, &key, &name_before, &name_after).await?;
        let (action, result) = match outcome {
            LoginOutcome::Locked { .. } if !name_before.is_locked(now) => ("login.locked", "refused: unknown user"),
            _ => ("login.failed", "refused: unknown user"),
        };
        security_event(state, None, username, address, action, result, None).await?;
        return Ok(Err(match outcome {
            LoginOutcome::Locked { until } => LoginFailure::Locked { until },
            _ => LoginFailure::BadCredentials,
        }));
    };
    let phc = user.password_phc.clone();
    let password_ok = blocking(move || verify_password(&phc, &typed)).await?;
    let account = account_status(&user);
    let (outcome, after) = name_login_decision(&policy, &name_before, Some(&account), password_ok, now);
    store_name_status(state, &key, &name_before, &after).await?;
    let log = |action: &'static str, result: &str| {
        let result = result.to_owned();
        let address = address.clone();
        let user = &user;
        async move { security_event(state, Some(user), &user.username, address, action, &result, None).await }
    };
    match outcome {
        LoginOutcome::Disabled => {
            log("login.failed", "refused: account disabled").await?;
            Ok(Err(LoginFailure::BadCredentials))
        }
        LoginOutcome::Failed { attempts_left } => {
            log("login.failed", &format!("refused: wrong password ({attempts_left} attempts left)")).await?;
            Ok(Err(LoginFailure::BadCredentials))
        }
        LoginOutcome::Locked { until } => {
            if name_before.is_locked(now) {
                log("login.failed", "refused: account locked").await?;
            } else {
                // This failure locked the name. The account's live sessions stay: someone else
                // failing to sign in is no reason to sign its owner out.
                log("login.locked", &format!("locked until {}", until.to_rfc3339())).await?;
            }
            Ok(Err(LoginFailure::Locked { until }))
        }
        LoginOutcome::Ok { needs_second_factor, .. } => {
            if needs_second_factor && user.totp_secret.is_some() {
                let code = totp.map(str::trim).filter(|c| !c.is_empty());
                let Some(code) = code else {
                    log("login.failed", "refused: second factor missing").await?;
                    return Ok(Err(LoginFailure::SecondFactorRequired));
                };
                let Some(secret) = enrolled_secret(state, &user) else {
                    log("login.failed", "refused: the enrolled TOTP secret does not open").await?;
                    return Ok(Err(LoginFailure::SecondFactorUnreadable));
                };
                let step = TotpSecret::from_base32(&secret).ok().and_then(|secret| {
                    verify_totp(&secret, code, now, user.totp_last_step.and_then(|s| u64::try_from(s).ok()))
                });
                let fresh = match step.and_then(|s| i64::try_from(s).ok()) {
                    Some(step) => state.store().use_totp_step(user.id, step).await?,
                    None => false,
                };
                if !fresh {
                    // A wrong code counts as a failed sign-in, so codes cannot be guessed freely.
                    let (outcome, failed) = name_login_decision(&policy, &after, Some(&account), false, now);
                    store_name_status(state, &key, &after, &failed).await?;
                    log("login.failed", "refused: wrong or reused TOTP code").await?;
                    return Ok(Err(match outcome {
                        LoginOutcome::Locked { until } => LoginFailure::Locked { until },
                        _ => LoginFailure::BadSecondFactor,
                    }));
                }
            }
            let restriction = restriction_of(state, &user, now);
            let token = new_session_token().map_err(|e| AppError::Internal(e.to_string()))?;
            let csrf_token = new_csrf_token().map_err(|e| AppError::Internal(e.to_string()))?;
            let session = Session::new(token.stored_hash.clone(), user.id, csrf_token.clone(), address.clone(), now);
            state.store().create_session(&session).await?;
            let cookie = session_cookie(&token.cookie_value, secure).map_err(|e| AppError::Internal(e.to_string()))?;
            let after = restriction.map(|r| json!({ "restriction": r }));
            security_event(state, Some(&user), &user.username, address, "login.ok", "ok", after).await?;
            Ok(Ok(SignedIn { cookie, csrf_token, restriction, user }))
        }
    }
}

/// Ends the request's session and records the sign-out; returns the cookie that clears it.
pub(crate) async fn sign_out(state: &AppState, principal: &Principal, secure: bool) -> Result<String, AppError> {
    state.store().delete_session(&principal.token_hash).await?;
    security_event(
        state,
        Some(&principal.user),
        &principal.user.username,
        principal.address.clone(),
        "logout",
        "ok",
        None,
    )
    .await?;
    Ok(clear_session_cookie(secure))
}

/// Why a password change was refused, in Chinese for the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PasswordChangeError {
    WrongCurrent,
    Mismatch,
    Rejected(rectify_auth::PasswordRejection),
}

impl PasswordChangeError {
    pub(crate) fn message_zh(&self) -> String {
        match self {
            PasswordChangeError::WrongCurrent => "当前口令错误".to_owned(),
            PasswordChangeError::Mismatch => "两次输入的新口令不一致".to_owned(),
            PasswordChangeError::Rejected(r) => r.message_zh(),
        }
    }
}

/// Changes the principal's own password under the policy (complexity, no user name, not one of
/// the last five), ends all of the account's sessions and opens a fresh one for this browser.
pub(crate) async fn change_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
    confirm: &str,
    secure: bool,
) -> Result<Result<SignedIn, PasswordChangeError>, AppError> {
    let user = &principal.user;
    let (phc, typed) = (user.password_phc.clone(), current.to_owned());
    if !blocking(move || verify_password(&phc, &typed)).await? {
        security_event(
            state,
            Some(user),
            &user.username,
            principal.address.clone(),
            "password.change",
            "refused: wrong current password",
            None,
        )
        .await?;
        return Ok(Err(PasswordChangeError::WrongCurrent));
    }
    if new != confirm {
        return Ok(Err(PasswordChangeError::Mismatch));
    }
    let mut history = vec![user.password_phc.clone()];
    history.extend(state.store().password_history(user.id).await?);
    let (policy, name, candidate) = (state.policy().clone(), user.username.clone(), new.to_owned());
    let checked = blocking(move || {
        rectify_auth::check_new_password(&policy, &name, &candidate, &history)?;
        Ok::<_, rectify_auth::PasswordRejection>(rectify_auth::hash_password(&candidate))
    })
    .await?;
    let phc = match checked {
        Ok(hashed) => hashed.map_err(|e| AppError::Internal(e.to_string()))?,
        Err(rejection) => return Ok(Err(PasswordChangeError::Rejected(rejection))),
    };
    let now = state.now();
    let keep = usize::try_from(state.policy().password_history).unwrap_or(usize::MAX);
    state.store().set_password(user.id, &phc, false, keep, &principal.acting(), now).await?;
    state.store().delete_user_sessions(user.id).await?;
    let refreshed = state.store().get_user(user.id).await?.ok_or(AppError::Unauthorized)?;
    let token = new_session_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let csrf_token = new_csrf_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let session = Session::new(token.stored_hash.clone(), user.id, csrf_token.clone(), principal.address.clone(), now);
    state.store().create_session(&session).await?;
    let cookie = session_cookie(&token.cookie_value, secure).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Ok(SignedIn { cookie, csrf_token, restriction: restriction_of(state, &refreshed, now), user: refreshed }))
}

/// Which answer of a TOTP enrolment was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TotpRefusal {
    /// The code of the new secret is wrong (or the secret does not parse).
    NewCode,
    /// Replacing an enrolled authenticator: the password is wrong.
    Password,
    /// Replacing an enrolled authenticator: the code of the current one is wrong or used.
    CurrentCode,
    /// Replacing an enrolled authenticator whose stored secret does not open (changed in the
    /// database): the stored secret must be repaired or cleared first.
    Unreadable,
}

impl TotpRefusal {
    pub(crate) fn message_zh(self) -> &'static str {
        match self {
            TotpRefusal::NewCode => "动态口令不正确，请核对验证器应用中显示的6位数字后重试",
            TotpRefusal::Password => "当前登录口令不正确，未更换验证器",
            TotpRefusal::CurrentCode => "原验证器的动态口令不正确或已使用过，未更换验证器",
            TotpRefusal::Unreadable => {
                "原验证器的密钥校验失败（存储的密钥已损坏或被篡改），未更换验证器，请联系系统管理员"
            }
        }
    }
}

/// Enrols a new TOTP secret once a code of it is right. Replacing an enrolled authenticator
/// also needs the account's password and a current code of the enrolled one (issue 13,
/// finding 8): a session alone — a borrowed or stolen browser — cannot replace the second factor.
pub(crate) async fn enrol_totp(
    state: &AppState,
    principal: &Principal,
    secret: &str,
    code: &str,
    password: &str,
    current_code: &str,
) -> Result<Result<(), TotpRefusal>, AppError> {
    let user = &principal.user;
    let now = state.now();
    let refused = |why: TotpRefusal| async move {
        let result = match why {
            TotpRefusal::NewCode => "refused: wrong code",
            TotpRefusal::Password => "refused: wrong password",
            TotpRefusal::CurrentCode => "refused: wrong code of the enrolled authenticator",
            TotpRefusal::Unreadable => "refused: the enrolled TOTP secret does not open",
        };
        security_event(state, Some(user), &user.username, principal.address.clone(), "totp.enrol", result, None)
            .await?;
        Ok::<_, AppError>(Err(why))
    };
    let mut current_step = None;
    if user.totp_secret.is_some() {
        let (phc, typed) = (user.password_phc.clone(), password.to_owned());
        if !blocking(move || verify_password(&phc, &typed)).await? {
            return refused(TotpRefusal::Password).await;
        }
        let Some(enrolled) = enrolled_secret(state, user) else {
            return refused(TotpRefusal::Unreadable).await;
        };
        let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
        let step = TotpSecret::from_base32(&enrolled)
            .ok()
            .and_then(|old| verify_totp(&old, current_code, now, last))
            .and_then(|s| i64::try_from(s).ok());
        let Some(step) = step else { return refused(TotpRefusal::CurrentCode).await };
        current_step = Some(step);
    }
    let Ok(parsed) = TotpSecret::from_base32(secret) else { return refused(TotpRefusal::NewCode).await };
    let Some(step) = verify_totp(&parsed, code, now, None).and_then(|s| i64::try_from(s).ok()) else {
        return refused(TotpRefusal::NewCode).await;
    };
    state.store().set_totp(user.id, Some(&parsed.to_base32()), &principal.acting(), now).await?;
    state.store().use_totp_step(user.id, step.max(current_step.unwrap_or(step))).await?;
    Ok(Ok(()))
}
