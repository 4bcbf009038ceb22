//! Lockout by the name typed (登录失败处理，按用户名计数): the failure counter belongs to the user
//! name as typed, known or not, so that probing cannot tell which names exist (issue 13,
//! finding 6), and a lockout only refuses new sign-ins: it never ends the sessions the account
//! already has (someone else failing to sign in is no reason to sign the owner out).
//!
//! How the server applies it, per attempt:
//!
//! 1. `key = lockout_key(typed_name)`; read the stored [`NameLockout`] under `key` (the default
//!    when none is stored);
//! 2. look the account up; for an unknown name spend the time a password check takes;
//! 3. `(outcome, next) = name_login_decision(&policy, &name, account.as_ref(), password_ok, now)`
//!    — for an unknown name `account` is `None` (and `password_ok` is ignored);
//! 4. store `next` under `key` (delete the row when it equals the default), record the audit
//!    entry, and answer by `outcome` alone: `Failed` and `Disabled` as "wrong name or password",
//!    `Locked` as locked with its end — the same for known and unknown names;
//! 5. never end sessions because of the outcome.
//!
//! The counter is stored under a digest of the name, not the name: people type their password
//! into the name field, and a table of failed names would keep them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::login::{AccountStatus, LoginOutcome};
use crate::password::password_expired;
use crate::policy::SecurityPolicy;

/// The sign-in failure state of one typed name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameLockout {
    /// Consecutive failed sign-ins under the name since the last success or the end of the last
    /// lockout.
    pub failed_attempts: u32,
    /// Set while sign-ins under the name are refused.
    pub locked_until: Option<DateTime<Utc>>,
}

impl NameLockout {
    /// Whether sign-ins under the name are refused at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Whether there is anything to store (the default state needs no row).
    pub fn is_clear(&self) -> bool {
        self == &NameLockout::default()
    }
}

/// The key under which a typed name's counter is stored: SHA-256 (hex) of the name trimmed and
/// in lower case, so that `Alice`, ` alice ` and `ALICE` share one counter.
pub fn lockout_key(typed_name: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"rectify-login-name\0");
    h.update(typed_name.trim().to_lowercase().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Decides one sign-in attempt under a typed name at `now`, for the account of that name if
/// there is one, and returns the name's state to store.
///
/// Unknown names, disabled accounts and wrong passwords count alike: the answers to a series of
/// failed attempts are the same whether the name exists or not. A lockout that has run out is
/// cleared first; failures while locked neither count nor extend it; the right password does not
/// open a locked name. The outcome never asks for sessions to end.
pub fn name_login_decision(
    policy: &SecurityPolicy,
    name: &NameLockout,
    account: Option<&AccountStatus>,
    password_ok: bool,
    now: DateTime<Utc>,
) -> (LoginOutcome, NameLockout) {
    if let Some(until) = name.locked_until
        && now < until
    {
        return (LoginOutcome::Locked { until }, name.clone());
    }
    let mut next = name.clone();
    if next.locked_until.take().is_some() {
        next.failed_attempts = 0;
    }
    if let Some(account) = account
        && password_ok
    {
        if account.disabled {
            // Only someone who knows the password learns that the account is disabled.
            return (LoginOutcome::Disabled, next);
        }
        next.failed_attempts = 0;
        let outcome = LoginOutcome::Ok {
            must_change_password: account.must_change_password,
            password_expired: password_expired(policy, account.password_changed_at, now),
            needs_second_factor: policy.requires_second_factor(account.holds_admin_role),
        };
        return (outcome, next);
    }
    next.failed_attempts = next.failed_attempts.saturating_add(1);
    if next.failed_attempts >= policy.lockout_threshold {
        let until = now.checked_add_signed(policy.lockout_duration()).unwrap_or(DateTime::<Utc>::MAX_UTC);
        next.locked_until = Some(until);
        return (LoginOutcome::Locked { until }, next);
    }
    (LoginOutcome::Failed { attempts_left: policy.lockout_threshold.saturating_sub(next.failed_attempts) }, next)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proptest::prelude::*;
    use rectify_domain::roles::Role;

    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-02T08:30:00Z").unwrap().to_utc()
    }

    fn account() -> AccountStatus {
        AccountStatus { must_change_password: false, ..AccountStatus::new(start(), &[Role::Department]) }
    }

    #[test]
    fn an_unknown_name_locks_like_a_known_one() {
        let p = SecurityPolicy::default();
        let (mut known, mut unknown) = (NameLockout::default(), NameLockout::default());
        let acct = account();
        for left in [4, 3, 2, 1] {
            let (a, next_known) = name_login_decision(&p, &known, Some(&acct), false, start());
            let (b, next_unknown) = name_login_decision(&p, &unknown, None, false, start());
            assert_eq!(a, LoginOutcome::Failed { attempts_left: left });
            assert_eq!(a, b);
            (known, unknown) = (next_known, next_unknown);
        }
        let until = start() + Duration::minutes(30);
        let (a, known) = name_login_decision(&p, &known, Some(&acct), false, start());
        let (b, unknown) = name_login_decision(&p, &unknown, None, true, start());
        assert_eq!((a, b), (LoginOutcome::Locked { until }, LoginOutcome::Locked { until }));
        assert_eq!(known, unknown, "the stored states are alike too");
        // The right password does not open a locked name.
        assert_eq!(name_login_decision(&p, &known, Some(&acct), true, start()).0, LoginOutcome::Locked { until });
        // At the end of the period both open; an unknown name never signs in.
        assert!(matches!(name_login_decision(&p, &known, Some(&acct), true, until).0, LoginOutcome::Ok { .. }));
        assert_eq!(name_login_decision(&p, &unknown, None, true, until).0, LoginOutcome::Failed { attempts_left: 4 });
    }

    #[test]
    fn a_disabled_account_counts_failures_like_any_name() {
        let p = SecurityPolicy::default();
        let disabled = AccountStatus { disabled: true, ..account() };
        let (outcome, next) = name_login_decision(&p, &NameLockout::default(), Some(&disabled), false, start());
        assert_eq!(outcome, LoginOutcome::Failed { attempts_left: 4 });
        assert_eq!(name_login_decision(&p, &next, Some(&disabled), true, start()).0, LoginOutcome::Disabled);
    }

    #[test]
    fn success_clears_the_count_and_keys_ignore_case_and_spaces() {
        let p = SecurityPolicy::default();
        let (_, failed) = name_login_decision(&p, &NameLockout::default(), Some(&account()), false, start());
        let (outcome, cleared) = name_login_decision(&p, &failed, Some(&account()), true, start());
        assert!(matches!(outcome, LoginOutcome::Ok { .. }));
        assert!(cleared.is_clear());
        assert_eq!(lockout_key(" Alice "), lockout_key("alice"));
        assert_ne!(lockout_key("alice"), lockout_key("bob"));
        assert_eq!(lockout_key("alice").len(), 64);
        assert!(!lockout_key("alice").contains("alice"));
    }

    proptest! {
        /// Any series of failed attempts, at any times: a known name (active or disabled) and an
        /// unknown one get the same answers and store the same states.
        #[test]
        fn failures_never_tell_known_names_from_unknown(
            steps in proptest::collection::vec(0u32..2_000, 1..40),
            disabled in any::<bool>(),
        ) {
            let p = SecurityPolicy::default();
            let acct = AccountStatus { disabled, ..account() };
            let (mut known, mut unknown) = (NameLockout::default(), NameLockout::default());
            let mut now = start();
            for seconds in steps {
                now += Duration::seconds(i64::from(seconds));
                let (a, k) = name_login_decision(&p, &known, Some(&acct), false, now);
                let (b, u) = name_login_decision(&p, &unknown, None, false, now);
                prop_assert_eq!(a, b);
                prop_assert_eq!(&k, &u);
                (known, unknown) = (k, u);
            }
        }
    }
}
