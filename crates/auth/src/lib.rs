//! Authentication and authorization rules of rectify, written to the level-3 practice of
//! 等保2.0 (GB/T 22239-2019): password storage and rules, lockout, session timeouts, TOTP for the
//! three administrators (三员), the role/permission table and data scopes.
//!
//! Everything here is pure apart from drawing random numbers: storage records users, sessions
//! and audit entries, the server wires the rules in, and every rule that depends on time takes
//! the instant from the caller (see [`Clock`]), so each can be tested at exact boundaries.
//!
//! | 等保2.0 level 3 | here |
//! |---|---|
//! | 身份鉴别 a: unique identity, complexity, periodic change | [`check_new_password`], [`password_expired`], [`SecurityPolicy`] |
//! | 身份鉴别 b: login failure handling, session end, timeout | [`name_login_decision`] (per typed name, known or not; never ends sessions), [`session_state`] |
//! | 身份鉴别 d: two factors | [`totp`] for the administrators (or everyone, by policy) |
//! | 访问控制: least privilege, 三员分立 | [`permissions`], [`scope`] |
//!
//! A sign-in, as the server runs it:
//!
//! ```
//! use chrono::{Duration, Utc};
//! use rectify_auth::{AccountStatus, LoginOutcome, Permission, SecurityPolicy, allows, login_decision};
//! use rectify_domain::roles::Role;
//!
//! let policy = SecurityPolicy::default();
//! let now = Utc::now();
//! let account = AccountStatus::new(now - Duration::days(1), &[Role::SecurityAdmin]);
//! // `true` stands for `verify_password(&stored_phc, typed)`.
//! let (outcome, to_store) = login_decision(&policy, &account, true, now);
//! assert_eq!(
//!     outcome,
//!     LoginOutcome::Ok { must_change_password: true, password_expired: false, needs_second_factor: true }
//! );
//! assert_eq!(to_store.failed_attempts, 0);
//! assert!(allows(Some(Role::SecurityAdmin), Permission::ManageSecurityPolicy));
//! assert!(!allows(Some(Role::SecurityAdmin), Permission::ReadAuditTrail));
//! ```

pub mod clock;
pub mod lockout;
pub mod login;
pub mod password;
pub mod permissions;
pub mod policy;
pub mod proof_of_work;
pub mod scope;
pub mod session;
pub mod totp;

pub use clock::{Clock, FixedClock, SystemClock};
pub use lockout::{NameLockout, lockout_key, name_login_decision};
pub use login::{AccountStatus, LoginOutcome, login_decision};
pub use password::{PasswordRejection, check_new_password, hash_password, password_expired, verify_password};
pub use permissions::{Permission, allows, allows_any};
pub use policy::{PolicyError, SecurityPolicy};
pub use scope::{Grant, InspectionRef, Scope};
pub use session::{
    NewSessionToken, SessionState, anonymous_form_token, csrf_matches, hash_session_token, new_csrf_token,
    new_session_token, session_cookie, session_state,
};
pub use totp::{TotpSecret, verify_totp};

/// Failures of the machinery (not of a user's input, which has its own rejection types).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the operating system's random source failed: {0}")]
    Random(getrandom::Error),
    #[error("password hashing failed: {0}")]
    Hashing(argon2::password_hash::Error),
    #[error("the TOTP secret is not valid base32 of at least 16 bytes")]
    InvalidTotpSecret,
    #[error("a cookie value may hold only URL-safe base64 characters")]
    InvalidCookieValue,
}
