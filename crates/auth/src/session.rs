//! Session tokens, timeouts (登录连接超时自动退出), CSRF tokens and the session cookie.
//!
//! The browser holds a random token; the database stores only its SHA-256, so a leaked sessions
//! table cannot be replayed as cookies.

use chrono::{DateTime, Utc};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AuthError;
use crate::policy::SecurityPolicy;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "rectify_session";
/// Random bytes in a session or CSRF token (256 bits).
const TOKEN_BYTES: usize = 32;

/// A new session token: the value for the cookie and the hash for the sessions table.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSessionToken {
    /// URL-safe base64 (no padding) of 32 random bytes; goes to the cookie only.
    pub cookie_value: String,
    /// Lower-case hex SHA-256 of `cookie_value`; the only form that is stored.
    pub stored_hash: String,
}

impl std::fmt::Debug for NewSessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSessionToken").field("stored_hash", &self.stored_hash).finish_non_exhaustive()
    }
}

fn random_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(AuthError::Random)?;
    Ok(BASE64URL_NOPAD.encode(&bytes))
}

/// Creates a session token.
pub fn new_session_token() -> Result<NewSessionToken, AuthError> {
    let cookie_value = random_token()?;
    let stored_hash = hash_session_token(&cookie_value);
    Ok(NewSessionToken { cookie_value, stored_hash })
}

/// The stored form of a cookie's token, to look the session up.
pub fn hash_session_token(cookie_value: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(cookie_value.as_bytes()))
}

/// Where a session stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Active,
    /// No request for the policy's idle timeout.
    IdleExpired,
    /// Older than the policy's absolute lifetime, however active.
    Expired,
}

/// Decides whether a session created at `created_at` and last used at `last_seen_at` is still
/// valid at `now`. Both limits are inclusive: at exactly 30 idle minutes the session is over.
/// The absolute lifetime is checked first, so a session past both reports `Expired`.
pub fn session_state(
    policy: &SecurityPolicy,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> SessionState {
    let reached = |since: DateTime<Utc>, limit| since.checked_add_signed(limit).is_none_or(|end| now >= end);
    if reached(created_at, policy.session_lifetime()) {
        SessionState::Expired
    } else if reached(last_seen_at, policy.session_idle_timeout()) {
        SessionState::IdleExpired
    } else {
        SessionState::Active
    }
}

/// A new CSRF token (URL-safe base64 of 32 random bytes), bound to the session by the caller.
pub fn new_csrf_token() -> Result<String, AuthError> {
    random_token()
}

/// Compares a submitted CSRF token with the session's in constant time (for equal lengths; the
/// length of a token is not secret). Empty tokens never match.
pub fn csrf_matches(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

/// The form token of a visitor without a session: HMAC-SHA256 under the server's form key of the
/// random nonce in the visitor's cookie. A cookie value planted by someone else (another site,
/// a sibling subdomain) with the same value in the form no longer passes: the token must be the
/// server's MAC of the nonce, which only the server can compute.
pub fn anonymous_form_token(key: &[u8], nonce: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        // HMAC takes keys of any length; this branch cannot be reached.
        return String::new();
    };
    mac.update(b"rectify form token\0");
    mac.update(nonce.as_bytes());
    HEXLOWER.encode(&mac.finalize().into_bytes())
}

fn is_token_value(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `Set-Cookie` value for a session: a browser-session cookie (no Max-Age: closing the
/// browser ends it) that scripts cannot read and other sites cannot send. `secure` adds
/// `Secure` and should be set whenever the server is reached over TLS. Values other than
/// URL-safe base64 are refused, so nothing can be smuggled into the attributes.
pub fn session_cookie(value: &str, secure: bool) -> Result<String, AuthError> {
    if !is_token_value(value) {
        return Err(AuthError::InvalidCookieValue);
    }
    let secure = if secure { "; Secure" } else { "" };
    Ok(format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"))
}

/// The `Set-Cookie` value that removes the session cookie at sign-out.
pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

/// The session token from a `Cookie` request header, if it carries a well-formed one.
pub fn session_token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|value| is_token_value(value))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::clock::{Clock, FixedClock};

    #[test]
    fn tokens_are_random_and_only_their_hash_is_stored() {
        let a = new_session_token().unwrap();
        let b = new_session_token().unwrap();
        assert_ne!(a.cookie_value, b.cookie_value);
        assert_eq!(a.cookie_value.len(), 43, "32 bytes in unpadded base64");
        assert!(is_token_value(&a.cookie_value));
        assert_eq!(a.stored_hash, hash_session_token(&a.cookie_value));
        assert_eq!(a.stored_hash.len(), 64);
        assert!(!format!("{a:?}").contains(&a.cookie_value));
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(hash_session_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn idle_timeout_at_thirty_minutes_and_lifetime_at_twelve_hours() {
        let p = SecurityPolicy::default();
        let created = DateTime::parse_from_rfc3339("2025-04-01T08:00:00Z").unwrap().to_utc();
        let clock = FixedClock::new(created);
        assert_eq!(session_state(&p, created, created, clock.now()), SessionState::Active);
        clock.advance(Duration::minutes(29) + Duration::seconds(59));
        assert_eq!(session_state(&p, created, created, clock.now()), SessionState::Active);
        clock.advance(Duration::seconds(1));
        assert_eq!(session_state(&p, created, created, clock.now()), SessionState::IdleExpired);

        // Kept busy, it still ends at 12 hours.
        let at_11_59 = created + Duration::hours(12) - Duration::minutes(1);
        assert_eq!(session_state(&p, created, at_11_59 - Duration::minutes(5), at_11_59), SessionState::Active);
        let at_12 = created + Duration::hours(12);
        assert_eq!(session_state(&p, created, at_12 - Duration::minutes(5), at_12), SessionState::Expired);

        let strict = SecurityPolicy { session_idle_minutes: 10, ..p };
        assert_eq!(
            session_state(&strict, created, created, created + Duration::minutes(10)),
            SessionState::IdleExpired
        );
    }

    #[test]
    fn csrf_tokens() {
        let token = new_csrf_token().unwrap();
        assert!(csrf_matches(&token, &token.clone()));
        assert!(!csrf_matches(&token, &new_csrf_token().unwrap()));
        assert!(!csrf_matches(&token, &token[..token.len() - 1]));
        assert!(!csrf_matches("", ""));
        let nonce = "ab".repeat(32);
        let token = anonymous_form_token(b"key one", &nonce);
        assert_eq!(token.len(), 64);
        assert_eq!(token, anonymous_form_token(b"key one", &nonce));
        assert_ne!(token, anonymous_form_token(b"key two", &nonce));
        assert_ne!(token, nonce);
    }

    #[test]
    fn cookie_attributes() {
        assert_eq!(
            session_cookie("abc-_09", false).unwrap(),
            "rectify_session=abc-_09; Path=/; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            session_cookie("abc", true).unwrap(),
            "rectify_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        for bad in ["", "a;b", "a b", "x; Domain=evil", "a=b", "整改"] {
            assert!(session_cookie(bad, true).is_err(), "{bad:?}");
        }
        assert_eq!(
            clear_session_cookie(true),
            "rectify_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
        );
    }

    #[test]
    fn token_is_read_from_the_cookie_header() {
        assert_eq!(session_token_from_cookie_header("theme=dark; rectify_session=AbC_-9; lang=zh"), Some("AbC_-9"));
        assert_eq!(session_token_from_cookie_header("rectify_session=AbC"), Some("AbC"));
        assert_eq!(session_token_from_cookie_header("rectify_sessionx=AbC"), None);
        assert_eq!(session_token_from_cookie_header("rectify_session="), None);
        assert_eq!(session_token_from_cookie_header("rectify_session=a%20b"), None);
        assert_eq!(session_token_from_cookie_header(""), None);
    }
}
