//! Property tests of the time-dependent rules, with random policies and random event timings.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use rectify_auth::session::{SessionState, session_state};
use rectify_auth::totp::{TotpSecret, totp_code, verify_totp};
use rectify_auth::{AccountStatus, LoginOutcome, SecurityPolicy, csrf_matches, login_decision};

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600, 0).unwrap() // 2025-01-01T00:00:00Z
}

fn policies() -> impl Strategy<Value = SecurityPolicy> {
    (1u32..=5, 30u32..=240).prop_map(|(threshold, minutes)| SecurityPolicy {
        lockout_threshold: threshold,
        lockout_minutes: minutes,
        ..SecurityPolicy::default()
    })
}

/// Attempts: whether the password was right, and seconds since the previous attempt (mostly
/// short bursts, sometimes long pauses that outlast a lockout).
fn attempts() -> impl Strategy<Value = Vec<(bool, i64)>> {
    prop::collection::vec((prop::bool::weighted(0.3), prop_oneof![3 => 0i64..120, 1 => 0i64..20_000]), 1..60)
}

proptest! {
    /// The machine agrees step by step with a plain model of the rule: count consecutive
    /// failures; lock at exactly the threshold for the configured time; while locked answer
    /// `Locked` with the same instant and change nothing; after it, start counting afresh.
    #[test]
    fn login_machine_follows_the_model(policy in policies(), events in attempts()) {
        let mut status = AccountStatus { must_change_password: false, ..AccountStatus::new(start(), &[]) };
        let mut now = start();
        let mut failures = 0u32;
        let mut lock: Option<DateTime<Utc>> = None;
        for (password_ok, pause) in events {
            now += Duration::seconds(pause);
            let (outcome, next) = login_decision(&policy, &status, password_ok, now);
            match lock {
                Some(until) if now < until => {
                    // Never unlocks early, whatever the password.
                    prop_assert_eq!(outcome, LoginOutcome::Locked { until });
                    prop_assert_eq!(&next, &status);
                }
                _ => {
                    if lock.take().is_some() {
                        failures = 0;
                    }
                    if password_ok {
                        prop_assert!(matches!(outcome, LoginOutcome::Ok { .. }), "{:?}", outcome);
                        failures = 0;
                    } else {
                        failures += 1;
                        if failures >= policy.lockout_threshold {
                            // Locks at the configured count, not before.
                            prop_assert_eq!(failures, policy.lockout_threshold);
                            let until = now + policy.lockout_duration();
                            prop_assert_eq!(outcome, LoginOutcome::Locked { until });
                            lock = Some(until);
                        } else {
                            prop_assert_eq!(outcome, LoginOutcome::Failed { attempts_left: policy.lockout_threshold - failures });
                        }
                    }
                }
            }
            prop_assert_eq!(next.is_locked(now), lock.is_some_and(|until| now < until));
            status = next;
        }
    }

    /// Stated directly: an attempt answered `Ok` or `Failed` never happens before a lockout ends,
    /// and a `Locked` answer to an unlocked account comes only after `threshold` straight failures.
    #[test]
    fn never_unlocks_early_never_locks_early(policy in policies(), events in attempts()) {
        let mut status = AccountStatus::new(start(), &[]);
        let mut now = start();
        let mut streak = 0u32;
        for (password_ok, pause) in events {
            now += Duration::seconds(pause);
            let was_locked = status.locked_until.is_some_and(|until| now < until);
            let (outcome, next) = login_decision(&policy, &status, password_ok, now);
            match outcome {
                LoginOutcome::Ok { .. } | LoginOutcome::Failed { .. } => prop_assert!(!was_locked),
                LoginOutcome::Locked { .. } if !was_locked => {
                    if status.locked_until.is_some() { streak = 0; }
                    prop_assert!(!password_ok);
                    prop_assert_eq!(streak + 1, policy.lockout_threshold);
                }
                _ => {}
            }
            if !was_locked {
                if status.locked_until.is_some() { streak = 0; }
                streak = if password_ok { 0 } else { streak + 1 };
                if next.locked_until.is_some() { streak = 0; }
            }
            status = next;
        }
    }

    /// A session is active exactly while under both the idle and the absolute limit.
    #[test]
    fn session_limits(idle in 1u32..=30, hours in 1u32..=24, since_start in 0i64..100_000, since_seen in 0i64..4_000) {
        let policy = SecurityPolicy { session_idle_minutes: idle, session_lifetime_hours: hours, ..SecurityPolicy::default() };
        let now = start() + Duration::seconds(since_start);
        let seen = now - Duration::seconds(since_seen.min(since_start));
        let state = session_state(&policy, start(), seen, now);
        let expected = if since_start >= i64::from(hours) * 3600 {
            SessionState::Expired
        } else if since_seen.min(since_start) >= i64::from(idle) * 60 {
            SessionState::IdleExpired
        } else {
            SessionState::Active
        };
        prop_assert_eq!(state, expected);
    }

    /// A fresh code verifies once within its window and never again.
    #[test]
    fn totp_codes_work_once(key in prop::collection::vec(any::<u8>(), 20), t in 0i64..4_000_000_000, drift in -30i64..=30) {
        let secret = TotpSecret::from_bytes(&key).unwrap();
        let issued = DateTime::from_timestamp(t, 0).unwrap();
        let code = totp_code(&secret, issued).unwrap();
        let typed_at = issued + Duration::seconds(drift);
        let step = verify_totp(&secret, &code, typed_at, None);
        prop_assert!(step.is_some());
        prop_assert_eq!(verify_totp(&secret, &code, typed_at, step), None);
    }

    #[test]
    fn csrf_matches_is_equality(a in "[A-Za-z0-9_-]{0,44}", b in "[A-Za-z0-9_-]{0,44}") {
        prop_assert_eq!(csrf_matches(&a, &b), !a.is_empty() && a == b);
        prop_assert_eq!(csrf_matches(&a, &a), !a.is_empty());
    }
}
