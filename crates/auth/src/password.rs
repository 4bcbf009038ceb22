//! Password storage (argon2id PHC strings) and the complexity, name and history rules for new
//! passwords (口令复杂度、定期更换、不得重复使用).

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};

use crate::AuthError;
use crate::policy::{MAX_PASSWORD_CHARS, SecurityPolicy};

/// Production cost: argon2id, 19 MiB, 2 passes, 1 lane (the OWASP minimum). Checked at compile
/// time.
const PRODUCTION_PARAMS: Params = match Params::new(19_456, 2, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("invalid argon2 parameters"),
};

/// The hasher for new hashes. Unit tests use a tiny cost so the suite stays fast; verification
/// always uses the parameters stored in the PHC string, so test hashes verify anywhere.
fn hasher() -> Argon2<'static> {
    #[cfg(not(test))]
    let params = PRODUCTION_PARAMS;
    #[cfg(test)]
    let params = Params::new(64, 1, 1, None).unwrap_or(PRODUCTION_PARAMS);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh random salt into a PHC string (`$argon2id$v=19$m=19456,…`).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let hash = hasher().hash_password(password.as_bytes()).map_err(AuthError::Hashing)?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed or foreign PHC string never
/// matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// Spends as long as a real verification, for sign-in attempts on unknown user names, so that
/// response time does not reveal which names exist.
pub fn spend_verification_time(password: &str) {
    // The result is irrelevant; only the time spent matters.
    let _ = hasher().hash_password(password.as_bytes());
}

/// Whether a password set at `changed_at` has passed the policy's maximum age at `now`
/// (expired from the instant the age is reached).
pub fn password_expired(policy: &SecurityPolicy, changed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    changed_at.checked_add_signed(policy.password_max_age()).is_none_or(|expiry| now >= expiry)
}

/// Why a new password was refused. Display is English (logs); [`message_zh`](Self::message_zh)
/// is for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    #[error("the password has {actual} characters; at least {min} are required")]
    TooShort { min: u32, actual: u32 },
    #[error("the password is longer than {max} characters")]
    TooLong { max: u32 },
    #[error(
        "the password mixes {found} of the character classes (lower case, upper case, digits, symbols); {required} are required"
    )]
    TooFewClasses { required: u32, found: u32 },
    #[error("the password must not contain the user name")]
    ContainsUserName,
    #[error("the password must not contain control characters")]
    ControlCharacter,
    #[error("the password was used recently; it must differ from the last {history}")]
    Reused { history: u32 },
}

impl PasswordRejection {
    pub fn message_zh(&self) -> String {
        match self {
            PasswordRejection::TooShort { min, actual } => format!("口令长度为{actual}位，不得少于{min}位"),
            PasswordRejection::TooLong { max } => format!("口令长度不得超过{max}位"),
            PasswordRejection::TooFewClasses { required, found } => {
                format!("口令须包含大写字母、小写字母、数字、特殊字符中的至少{required}类，当前仅{found}类")
            }
            PasswordRejection::ContainsUserName => "口令不得包含用户名".to_owned(),
            PasswordRejection::ControlCharacter => "口令不得包含控制字符".to_owned(),
            PasswordRejection::Reused { history } => format!("不得使用最近{history}次用过的口令"),
        }
    }
}

/// The character classes a password mixes: lower case, upper case, digits, and symbols (every
/// other character, including spaces and CJK characters).
pub fn character_classes(password: &str) -> u32 {
    let (mut lower, mut upper, mut digit, mut symbol) = (false, false, false, false);
    for c in password.chars() {
        if c.is_lowercase() {
            lower = true;
        } else if c.is_uppercase() {
            upper = true;
        } else if c.is_numeric() {
            digit = true;
        } else {
            symbol = true;
        }
    }
    [lower, upper, digit, symbol].into_iter().map(u32::from).sum()
}

/// Checks a new password against the policy. `history_phcs` are the account's previous password
/// hashes, newest first, including the current one; only the first
/// `policy.password_history` are compared. The cheap rules run first, the hash comparisons last.
pub fn check_new_password(
    policy: &SecurityPolicy,
    username: &str,
    new: &str,
    history_phcs: &[String],
) -> Result<(), PasswordRejection> {
    let length = u32::try_from(new.chars().count()).unwrap_or(u32::MAX);
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordRejection::TooLong { max: MAX_PASSWORD_CHARS });
    }
    if length < policy.password_min_length {
        return Err(PasswordRejection::TooShort { min: policy.password_min_length, actual: length });
    }
    if new.chars().any(char::is_control) {
        return Err(PasswordRejection::ControlCharacter);
    }
    let found = character_classes(new);
    if found < policy.password_min_classes {
        return Err(PasswordRejection::TooFewClasses { required: policy.password_min_classes, found });
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() && new.to_lowercase().contains(&name) {
        return Err(PasswordRejection::ContainsUserName);
    }
    let recent = usize::try_from(policy.password_history).unwrap_or(usize::MAX);
    if history_phcs.iter().take(recent).any(|phc| verify_password(phc, new)) {
        return Err(PasswordRejection::Reused { history: policy.password_history });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::clock::{Clock, FixedClock};

    fn policy() -> SecurityPolicy {
        SecurityPolicy::default()
    }

    #[test]
    fn production_parameters_are_argon2id_19m_2_1() {
        assert_eq!(
            (PRODUCTION_PARAMS.m_cost(), PRODUCTION_PARAMS.t_cost(), PRODUCTION_PARAMS.p_cost()),
            (19_456, 2, 1)
        );
    }

    #[test]
    fn hash_then_verify() {
        let phc = hash_password("Zg2024!ok").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_password(&phc, "Zg2024!ok"));
        assert!(!verify_password(&phc, "Zg2024!oK"));
        assert!(!verify_password("not a phc string", "Zg2024!ok"));
        assert!(!verify_password("", ""));
        // A fresh salt each time.
        assert_ne!(hash_password("Zg2024!ok").unwrap(), phc);
    }

    #[test]
    fn classes_are_counted() {
        assert_eq!(character_classes("abcdefgh"), 1);
        assert_eq!(character_classes("abcDEF12"), 3);
        assert_eq!(character_classes("aB3!"), 4);
        assert_eq!(character_classes("整改abc12"), 3, "CJK characters count as symbols");
        assert_eq!(character_classes(""), 0);
    }

    #[test]
    fn length_and_classes() {
        let p = policy();
        assert_eq!(
            check_new_password(&p, "zhangsan", "aB3!xyz", &[]),
            Err(PasswordRejection::TooShort { min: 8, actual: 7 })
        );
        // Length counts characters, not bytes.
        assert_eq!(
            check_new_password(&p, "zhangsan", "整改Ab1", &[]),
            Err(PasswordRejection::TooShort { min: 8, actual: 5 })
        );
        assert_eq!(
            check_new_password(&p, "zhangsan", "abcdefgh12", &[]),
            Err(PasswordRejection::TooFewClasses { required: 3, found: 2 })
        );
        assert_eq!(check_new_password(&p, "zhangsan", "abcdefG12", &[]), Ok(()));
        let long = "aB3!".repeat(33);
        assert_eq!(check_new_password(&p, "zhangsan", &long, &[]), Err(PasswordRejection::TooLong { max: 128 }));
        assert_eq!(check_new_password(&p, "zhangsan", "abcdEF12\n", &[]), Err(PasswordRejection::ControlCharacter));
        let strict = SecurityPolicy { password_min_length: 12, password_min_classes: 4, ..policy() };
        assert!(matches!(check_new_password(&strict, "u", "abcdefG12!", &[]), Err(PasswordRejection::TooShort { .. })));
        assert_eq!(
            check_new_password(&strict, "u1", "abcdefghG123", &[]),
            Err(PasswordRejection::TooFewClasses { required: 4, found: 3 })
        );
    }

    #[test]
    fn user_name_is_refused_in_any_case() {
        let p = policy();
        assert_eq!(check_new_password(&p, "ZhangSan", "zhangsan#1A", &[]), Err(PasswordRejection::ContainsUserName));
        assert_eq!(check_new_password(&p, "zhangsan", "My-ZHANGSAN-9", &[]), Err(PasswordRejection::ContainsUserName));
        // Equal to the name apart from case (lower, digit, symbol: complex enough otherwise).
        assert_eq!(check_new_password(&p, "Zhangsan1!", "zhangsan1!", &[]), Err(PasswordRejection::ContainsUserName));
        assert_eq!(check_new_password(&p, "zhangsan", "Zhang-san9", &[]), Ok(()));
    }

    #[test]
    fn last_five_passwords_cannot_be_reused() {
        let p = policy();
        let used: Vec<String> = (1..=6).map(|i| hash_password(&format!("Old-pass{i}")).unwrap()).collect();
        // Newest first: Old-pass1 is the current password, Old-pass6 the oldest.
        for i in 1..=5 {
            assert_eq!(
                check_new_password(&p, "li", &format!("Old-pass{i}"), &used),
                Err(PasswordRejection::Reused { history: 5 })
            );
        }
        assert_eq!(check_new_password(&p, "li", "Old-pass6", &used), Ok(()), "the sixth is out of the window");
        assert_eq!(check_new_password(&p, "li", "New-pass7", &used), Ok(()));
        let longer = SecurityPolicy { password_history: 6, ..p };
        assert!(check_new_password(&longer, "li", "Old-pass6", &used).is_err());
    }

    #[test]
    fn expiry_at_ninety_days() {
        let p = policy();
        let changed = DateTime::parse_from_rfc3339("2025-01-01T09:00:00Z").unwrap().to_utc();
        let clock = FixedClock::new(changed);
        clock.advance(Duration::days(90) - Duration::seconds(1));
        assert!(!password_expired(&p, changed, clock.now()));
        clock.advance(Duration::seconds(1));
        assert!(password_expired(&p, changed, clock.now()));
        assert!(password_expired(
            &SecurityPolicy { password_max_age_days: 30, ..p },
            changed,
            changed + Duration::days(30)
        ));
    }

    #[test]
    fn messages_in_both_languages() {
        let r = PasswordRejection::TooShort { min: 8, actual: 5 };
        assert_eq!(r.to_string(), "the password has 5 characters; at least 8 are required");
        assert_eq!(r.message_zh(), "口令长度为5位，不得少于8位");
        assert_eq!(PasswordRejection::Reused { history: 5 }.message_zh(), "不得使用最近5次用过的口令");
    }
}
