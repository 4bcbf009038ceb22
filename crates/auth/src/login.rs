//! The sign-in state machine (登录失败处理): failures count up to the policy's threshold, which
//! locks the account for the lockout period; a locked account stays locked whatever password
//! is given until the period ends; a success resets the count.
//!
//! The machine decides and returns the new account state; storage records it (with its audit
//! entry). The password check is done by the caller (see [`crate::verify_password`]) so that
//! the rule is testable without hashing.

use chrono::{DateTime, Utc};
use rectify_domain::roles::Role;
use serde::{Deserialize, Serialize};

use crate::password::password_expired;
use crate::policy::SecurityPolicy;

/// What the rules need to know about an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    /// Consecutive failed sign-ins since the last success or the end of the last lockout.
    pub failed_attempts: u32,
    /// Set while the account is locked.
    pub locked_until: Option<DateTime<Utc>>,
    pub password_changed_at: DateTime<Utc>,
    /// Set for new accounts and after an administrator reset the password (初始口令须修改).
    pub must_change_password: bool,
    /// 停用: disabled by the system administrator.
    pub disabled: bool,
    /// Whether the account holds one of the three administrator roles; decides the second factor.
    pub holds_admin_role: bool,
}

impl AccountStatus {
    /// A new account whose initial password was set at `password_changed_at` by an administrator,
    /// so it must be changed at first sign-in.
    pub fn new(password_changed_at: DateTime<Utc>, roles: &[Role]) -> Self {
        AccountStatus {
            failed_attempts: 0,
            locked_until: None,
            password_changed_at,
            must_change_password: true,
            disabled: false,
            holds_admin_role: roles.iter().any(|r| r.is_admin()),
        }
    }

    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// The answer to one sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LoginOutcome {
    /// The password is right. The flags tell the server where to send the user next: the
    /// password change page, or the second-factor prompt before a session is granted.
    Ok { must_change_password: bool, password_expired: bool, needs_second_factor: bool },
    /// Wrong password; `attempts_left` more failures before the lockout.
    Failed { attempts_left: u32 },
    /// Locked until the instant given (also the answer to the failure that locks).
    Locked { until: DateTime<Utc> },
    /// The account is disabled. The server should show the same text as for a wrong password
    /// unless the password was right, so that probing does not reveal the account's state.
    Disabled,
}

/// Decides one sign-in attempt at `now` and returns the account state to store.
///
/// Superseded by [`crate::name_login_decision`], which counts failures per typed name so that
/// unknown names lock like known ones; kept while the server still calls it.
///
/// A lockout that has run out is cleared first, so the count starts again from zero; failures
/// while locked neither count nor extend the lockout (an attacker cannot keep an account locked
/// for longer than by failing again after each lockout).
pub fn login_decision(
    policy: &SecurityPolicy,
    status: &AccountStatus,
    password_ok: bool,
    now: DateTime<Utc>,
) -> (LoginOutcome, AccountStatus) {
    if status.disabled {
        return (LoginOutcome::Disabled, status.clone());
    }
    if let Some(until) = status.locked_until
        && now < until
    {
        return (LoginOutcome::Locked { until }, status.clone());
    }
    let mut next = status.clone();
    if next.locked_until.take().is_some() {
        next.failed_attempts = 0;
    }
    if password_ok {
        next.failed_attempts = 0;
        let outcome = LoginOutcome::Ok {
            must_change_password: next.must_change_password,
            password_expired: password_expired(policy, next.password_changed_at, now),
            needs_second_factor: policy.requires_second_factor(next.holds_admin_role),
        };
        return (outcome, next);
    }
    next.failed_attempts = next.failed_attempts.saturating_add(1);
    if next.failed_attempts >= policy.lockout_threshold {
        let until = now.checked_add_signed(policy.lockout_duration()).unwrap_or(DateTime::<Utc>::MAX_UTC);
        next.locked_until = Some(until);
        return (LoginOutcome::Locked { until }, next);
    }
    (LoginOutcome::Failed { attempts_left: policy.lockout_threshold - next.failed_attempts }, next)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::clock::{Clock, FixedClock};

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-02T08:30:00Z").unwrap().to_utc()
    }

    fn active(roles: &[Role]) -> AccountStatus {
        AccountStatus { must_change_password: false, ..AccountStatus::new(start(), roles) }
    }

    #[test]
    fn fifth_failure_locks_for_thirty_minutes() {
        let p = SecurityPolicy::default();
        let clock = FixedClock::new(start());
        let mut status = active(&[Role::UnitLiaison]);
        for left in [4, 3, 2, 1] {
            let (outcome, next) = login_decision(&p, &status, false, clock.now());
            assert_eq!(outcome, LoginOutcome::Failed { attempts_left: left });
            status = next;
            clock.advance(Duration::seconds(10));
        }
        let (outcome, locked) = login_decision(&p, &status, false, clock.now());
        let until = clock.now() + Duration::minutes(30);
        assert_eq!(outcome, LoginOutcome::Locked { until });
        assert_eq!(locked.locked_until, Some(until));

        // The right password does not help while locked, and the lock is not extended.
        clock.advance(Duration::minutes(29) + Duration::seconds(59));
        let (outcome, still) = login_decision(&p, &locked, true, clock.now());
        assert_eq!(outcome, LoginOutcome::Locked { until });
        assert_eq!(still, locked);
        let (_, still) = login_decision(&p, &locked, false, clock.now());
        assert_eq!(still, locked);

        // At the 30th minute it opens, and the counter starts afresh.
        clock.set(until);
        let (outcome, after) = login_decision(&p, &locked, true, clock.now());
        assert!(matches!(outcome, LoginOutcome::Ok { .. }), "{outcome:?}");
        assert_eq!((after.failed_attempts, after.locked_until), (0, None));
        let (outcome, after) = login_decision(&p, &locked, false, clock.now());
        assert_eq!(outcome, LoginOutcome::Failed { attempts_left: 4 });
        assert_eq!(after.locked_until, None);
    }

    #[test]
    fn success_resets_the_counter() {
        let p = SecurityPolicy::default();
        let mut status = active(&[Role::Department]);
        for _ in 0..4 {
            status = login_decision(&p, &status, false, start()).1;
        }
        assert_eq!(status.failed_attempts, 4);
        let (outcome, status) = login_decision(&p, &status, true, start());
        assert_eq!(
            outcome,
            LoginOutcome::Ok { must_change_password: false, password_expired: false, needs_second_factor: false }
        );
        assert_eq!(status.failed_attempts, 0);
        assert_eq!(login_decision(&p, &status, false, start()).0, LoginOutcome::Failed { attempts_left: 4 });
    }

    #[test]
    fn configured_threshold_and_duration_apply() {
        let p = SecurityPolicy { lockout_threshold: 3, lockout_minutes: 60, ..SecurityPolicy::default() };
        let mut status = active(&[]);
        status = login_decision(&p, &status, false, start()).1;
        status = login_decision(&p, &status, false, start()).1;
        assert_eq!(
            login_decision(&p, &status, false, start()).0,
            LoginOutcome::Locked { until: start() + Duration::hours(1) }
        );
    }

    #[test]
    fn disabled_accounts_never_sign_in() {
        let p = SecurityPolicy::default();
        let status = AccountStatus { disabled: true, ..active(&[]) };
        assert_eq!(login_decision(&p, &status, true, start()), (LoginOutcome::Disabled, status.clone()));
        assert_eq!(login_decision(&p, &status, false, start()).1.failed_attempts, 0);
    }

    #[test]
    fn flags_for_first_sign_in_expiry_and_admins() {
        let p = SecurityPolicy::default();
        let fresh = AccountStatus::new(start(), &[Role::AuditAdmin]);
        assert_eq!(
            login_decision(&p, &fresh, true, start()).0,
            LoginOutcome::Ok { must_change_password: true, password_expired: false, needs_second_factor: true }
        );
        let old = active(&[Role::LeaderInCharge]);
        let day_90 = start() + Duration::days(90);
        assert_eq!(
            login_decision(&p, &old, true, day_90).0,
            LoginOutcome::Ok { must_change_password: false, password_expired: true, needs_second_factor: false }
        );
        assert_eq!(
            login_decision(&p, &old, true, day_90 - Duration::seconds(1)).0,
            LoginOutcome::Ok { must_change_password: false, password_expired: false, needs_second_factor: false }
        );
    }
}
