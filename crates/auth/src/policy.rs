//! The security policy: every number the authentication rules use, editable by the security
//! administrator (安全管理员) only.
//!
//! The defaults are the figures commonly applied for 等保2.0 level 3 (GB/T 22239-2019 §8.1.4.1
//! 身份鉴别 and §8.1.4.2 访问控制). [`SecurityPolicy::validate`] treats them as a floor: a security
//! administrator may make the policy stricter, never weaker, and values that are stricter but
//! absurd (a 1000-character minimum, a zero-minute lockout) are refused as out of range.

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// The longest password accepted at all; longer input is refused before hashing.
pub const MAX_PASSWORD_CHARS: u32 = 128;

/// Authentication settings. Unknown fields are refused and missing fields take the level-3
/// default, so a stored policy written by an older version still loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityPolicy {
    /// 口令最小长度, in characters. Level-3 floor: 8.
    pub password_min_length: u32,
    /// How many of the four character classes (lower case, upper case, digits, symbols) a
    /// password must mix. Level-3 floor: 3.
    pub password_min_classes: u32,
    /// 口令定期更换: days after which a password must be changed. Level-3 ceiling: 90.
    pub password_max_age_days: u32,
    /// A new password may not equal any of the last this-many passwords. Floor: 5.
    pub password_history: u32,
    /// 登录失败处理: consecutive failures that lock the account. Ceiling: 5.
    pub lockout_threshold: u32,
    /// How long a lockout lasts, in minutes. Floor: 30.
    pub lockout_minutes: u32,
    /// 登录连接超时自动退出: idle minutes after which a session ends. Ceiling: 30.
    pub session_idle_minutes: u32,
    /// Hours after sign-in at which a session ends however active it is. Ceiling: 24 (a
    /// project choice: 等保 names no figure; the default is one working day, 12 h).
    pub session_lifetime_hours: u32,
    /// The three administrator roles (三员) sign in with a second factor (TOTP). Cannot be
    /// turned off.
    pub second_factor_for_admins: bool,
    /// Every account signs in with a second factor (the full reading of §8.1.4.1 d).
    pub second_factor_for_everyone: bool,
    /// Minimum hours between two reminders (催办) about the same item, used by supervision so
    /// that units are not flooded.
    pub reminder_min_interval_hours: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            password_min_length: 8,
            password_min_classes: 3,
            password_max_age_days: 90,
            password_history: 5,
            lockout_threshold: 5,
            lockout_minutes: 30,
            session_idle_minutes: 30,
            session_lifetime_hours: 12,
            second_factor_for_admins: true,
            second_factor_for_everyone: false,
            reminder_min_interval_hours: 24,
        }
    }
}

/// Why a policy cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{field} = {value} is weaker than the 等保2.0 level-3 limit of {limit}")]
    WeakerThanLevel3 { field: &'static str, value: u32, limit: u32 },
    #[error("{field} = {value} is outside the sensible range {min}..={max}")]
    OutOfRange { field: &'static str, value: u32, min: u32, max: u32 },
    #[error("second_factor_for_admins cannot be turned off: level 3 requires two-factor sign-in for administrators")]
    AdminSecondFactorOff,
}

impl PolicyError {
    /// The message for the security administrator's settings page.
    pub fn message_zh(&self) -> String {
        match self {
            PolicyError::WeakerThanLevel3 { field, value, limit } => {
                format!("{}设为{value}，弱于等保2.0第三级要求（{limit}），不能保存", field_zh(field))
            }
            PolicyError::OutOfRange { field, value, min, max } => {
                format!("{}设为{value}，超出合理范围（{min}至{max}）", field_zh(field))
            }
            PolicyError::AdminSecondFactorOff => "管理员双因素认证不能关闭（等保2.0第三级要求）".to_owned(),
        }
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "password_min_length" => "口令最小长度",
        "password_min_classes" => "口令字符类别数",
        "password_max_age_days" => "口令有效期（天）",
        "password_history" => "不得重复使用的历史口令数",
        "lockout_threshold" => "连续登录失败锁定次数",
        "lockout_minutes" => "锁定时长（分钟）",
        "session_idle_minutes" => "会话空闲超时（分钟）",
        "session_lifetime_hours" => "会话最长有效期（小时）",
        "reminder_min_interval_hours" => "催办最小间隔（小时）",
        _ => "该项",
    }
}

/// Which end of a range makes the policy weaker.
#[derive(Clone, Copy)]
enum Weaker {
    Lower,
    Higher,
    Neither,
}

struct Bound {
    field: &'static str,
    value: u32,
    min: u32,
    max: u32,
    weaker: Weaker,
}

impl Bound {
    fn check(&self) -> Option<PolicyError> {
        let Bound { field, value, min, max, weaker } = *self;
        match weaker {
            Weaker::Lower if value < min => Some(PolicyError::WeakerThanLevel3 { field, value, limit: min }),
            Weaker::Higher if value > max => Some(PolicyError::WeakerThanLevel3 { field, value, limit: max }),
            _ if !(min..=max).contains(&value) => Some(PolicyError::OutOfRange { field, value, min, max }),
            _ => None,
        }
    }
}

impl SecurityPolicy {
    /// The first reason the policy cannot be saved, if any.
    pub fn validate(&self) -> Result<(), PolicyError> {
        match self.violations().into_iter().next() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Every reason the policy cannot be saved, so a settings form can mark all fields at once.
    pub fn violations(&self) -> Vec<PolicyError> {
        use Weaker::{Higher, Lower, Neither};
        let bound = |field, value, min, max, weaker| Bound { field, value, min, max, weaker };
        let bounds = [
            bound("password_min_length", self.password_min_length, 8, 64, Lower),
            bound("password_min_classes", self.password_min_classes, 3, 4, Lower),
            bound("password_max_age_days", self.password_max_age_days, 1, 90, Higher),
            bound("password_history", self.password_history, 5, 24, Lower),
            bound("lockout_threshold", self.lockout_threshold, 1, 5, Higher),
            bound("lockout_minutes", self.lockout_minutes, 30, 7 * 24 * 60, Lower),
            bound("session_idle_minutes", self.session_idle_minutes, 1, 30, Higher),
            bound("session_lifetime_hours", self.session_lifetime_hours, 1, 24, Higher),
            bound("reminder_min_interval_hours", self.reminder_min_interval_hours, 1, 30 * 24, Neither),
        ];
        let mut errors: Vec<PolicyError> = bounds.iter().filter_map(Bound::check).collect();
        if !self.second_factor_for_admins {
            errors.push(PolicyError::AdminSecondFactorOff);
        }
        errors
    }

    /// Whether an account signs in with a second factor, given whether it holds one of the three
    /// administrator roles.
    pub fn requires_second_factor(&self, holds_admin_role: bool) -> bool {
        self.second_factor_for_everyone || (holds_admin_role && self.second_factor_for_admins)
    }

    pub fn password_max_age(&self) -> Duration {
        Duration::days(i64::from(self.password_max_age_days))
    }

    pub fn lockout_duration(&self) -> Duration {
        Duration::minutes(i64::from(self.lockout_minutes))
    }

    pub fn session_idle_timeout(&self) -> Duration {
        Duration::minutes(i64::from(self.session_idle_minutes))
    }

    pub fn session_lifetime(&self) -> Duration {
        Duration::hours(i64::from(self.session_lifetime_hours))
    }

    pub fn reminder_min_interval(&self) -> Duration {
        Duration::hours(i64::from(self.reminder_min_interval_hours))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_level3_figures_and_valid() {
        let p = SecurityPolicy::default();
        assert_eq!(
            (p.password_min_length, p.password_min_classes, p.password_max_age_days, p.password_history),
            (8, 3, 90, 5)
        );
        assert_eq!((p.lockout_threshold, p.lockout_minutes, p.session_idle_minutes), (5, 30, 30));
        assert!(p.second_factor_for_admins);
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.session_idle_timeout(), Duration::minutes(30));
        assert_eq!(p.lockout_duration(), Duration::minutes(30));
        assert_eq!(p.password_max_age(), Duration::days(90));
    }

    #[test]
    fn stricter_values_are_accepted() {
        let p = SecurityPolicy {
            password_min_length: 12,
            password_min_classes: 4,
            password_max_age_days: 30,
            password_history: 10,
            lockout_threshold: 3,
            lockout_minutes: 60,
            session_idle_minutes: 15,
            session_lifetime_hours: 8,
            second_factor_for_everyone: true,
            ..SecurityPolicy::default()
        };
        assert_eq!(p.violations(), vec![]);
    }

    #[test]
    fn weaker_values_are_refused_field_by_field() {
        let weak = SecurityPolicy {
            password_min_length: 6,
            password_min_classes: 2,
            password_max_age_days: 180,
            password_history: 3,
            lockout_threshold: 10,
            lockout_minutes: 5,
            session_idle_minutes: 60,
            session_lifetime_hours: 48,
            second_factor_for_admins: false,
            ..SecurityPolicy::default()
        };
        let errors = weak.violations();
        let fields: Vec<&str> = errors
            .iter()
            .filter_map(|e| match e {
                PolicyError::WeakerThanLevel3 { field, .. } => Some(*field),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            [
                "password_min_length",
                "password_min_classes",
                "password_max_age_days",
                "password_history",
                "lockout_threshold",
                "lockout_minutes",
                "session_idle_minutes",
                "session_lifetime_hours"
            ]
        );
        assert_eq!(errors.last(), Some(&PolicyError::AdminSecondFactorOff));
        assert_eq!(
            weak.validate(),
            Err(PolicyError::WeakerThanLevel3 { field: "password_min_length", value: 6, limit: 8 })
        );
        assert_eq!(errors[0].message_zh(), "口令最小长度设为6，弱于等保2.0第三级要求（8），不能保存");
    }

    #[test]
    fn absurd_strict_values_are_out_of_range() {
        let p = SecurityPolicy { lockout_threshold: 0, session_idle_minutes: 0, ..SecurityPolicy::default() };
        assert_eq!(
            p.violations(),
            vec![
                PolicyError::OutOfRange { field: "lockout_threshold", value: 0, min: 1, max: 5 },
                PolicyError::OutOfRange { field: "session_idle_minutes", value: 0, min: 1, max: 30 },
            ]
        );
        let p =
            SecurityPolicy { password_min_length: 500, reminder_min_interval_hours: 0, ..SecurityPolicy::default() };
        assert_eq!(p.violations().len(), 2);
        assert!(p.violations().iter().all(|e| matches!(e, PolicyError::OutOfRange { .. })));
    }

    #[test]
    fn serde_fills_defaults_and_refuses_unknown_fields() {
        let p: SecurityPolicy = serde_json::from_str(r#"{"lockout_threshold": 3}"#).unwrap();
        assert_eq!(p, SecurityPolicy { lockout_threshold: 3, ..SecurityPolicy::default() });
        assert!(serde_json::from_str::<SecurityPolicy>(r#"{"lockout_treshold": 3}"#).is_err());
        let round: SecurityPolicy = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(round, p);
    }

    #[test]
    fn second_factor_rule() {
        let p = SecurityPolicy::default();
        assert!(p.requires_second_factor(true));
        assert!(!p.requires_second_factor(false));
        let all = SecurityPolicy { second_factor_for_everyone: true, ..p };
        assert!(all.requires_second_factor(false));
    }
}
