//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the second
//! factor of the three administrators (三员) — any authenticator app can enrol by QR code.
//!
//! A code is accepted one step either side of the current one to allow for clock drift, and
//! never twice: [`verify_totp`] returns the step it matched, the caller stores it, and passes it
//! back next time so that the same or an earlier step is refused (replay protection).

use std::fmt;

use chrono::{DateTime, Utc};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::AuthError;

/// The issuer shown in authenticator apps.
pub const TOTP_ISSUER: &str = "巡察整改管理系统";
/// Seconds per step.
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Digits of a code.
pub const TOTP_DIGITS: u32 = 6;
/// Steps accepted either side of the current one.
pub const TOTP_WINDOW: u64 = 1;
/// Bytes of a generated secret (160 bits, the HMAC-SHA1 output size recommended by RFC 4226).
const SECRET_BYTES: usize = 20;
/// The shortest secret accepted from storage (RFC 4226 §4: at least 128 bits).
const MIN_SECRET_BYTES: usize = 16;

/// A shared TOTP secret. Its `Debug` output hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// A fresh random secret for enrolment.
    pub fn generate() -> Result<Self, AuthError> {
        let mut key = vec![0; SECRET_BYTES];
        getrandom::fill(&mut key).map_err(AuthError::Random)?;
        Ok(TotpSecret(key))
    }

    /// Reads a base32 secret (RFC 4648), tolerating lower case, spaces and `=` padding as users
    /// and apps write them.
    pub fn from_base32(text: &str) -> Result<Self, AuthError> {
        let cleaned: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        let key = BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|_| AuthError::InvalidTotpSecret)?;
        if key.len() < MIN_SECRET_BYTES {
            return Err(AuthError::InvalidTotpSecret);
        }
        Ok(TotpSecret(key))
    }

    /// Builds a secret from raw key bytes (e.g. the RFC test key).
    pub fn from_bytes(key: &[u8]) -> Result<Self, AuthError> {
        if key.len() < MIN_SECRET_BYTES {
            return Err(AuthError::InvalidTotpSecret);
        }
        Ok(TotpSecret(key.to_vec()))
    }

    /// The base32 form without padding, to store and to show for manual entry.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` URI for the enrolment QR code, labelled `issuer:account`.
    pub fn otpauth_uri(&self, account: &str) -> String {
        let issuer = percent_encode(TOTP_ISSUER);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECONDS}",
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, byte by byte of the UTF-8.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// HOTP (RFC 4226) with `digits` digits (at most 9), as a number.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash.last()? & 0x0f);
    let window: [u8; 4] = hash.get(offset..offset + 4)?.try_into().ok()?;
    let binary = u32::from_be_bytes(window) & 0x7fff_ffff;
    Some(binary % 10u32.checked_pow(digits.min(9))?)
}

/// The step that contains `now`; `None` before 1970.
pub fn totp_step(now: DateTime<Utc>) -> Option<u64> {
    u64::try_from(now.timestamp()).ok().map(|seconds| seconds / TOTP_STEP_SECONDS)
}

/// The 6-digit code of a step, zero-padded.
pub fn totp_code_at_step(secret: &TotpSecret, step: u64) -> Option<String> {
    hotp(&secret.0, step, TOTP_DIGITS).map(|code| format!("{code:06}"))
}

/// The code an authenticator app shows at `now`.
pub fn totp_code(secret: &TotpSecret, now: DateTime<Utc>) -> Option<String> {
    totp_code_at_step(secret, totp_step(now)?)
}

/// Checks a code typed at `now` (spaces allowed, as apps group the digits) against the current
/// step and one step either side. Steps at or before `last_used_step` are refused, so a code
/// cannot be used twice. Returns the matched step, which the caller stores as the new
/// `last_used_step`.
pub fn verify_totp(secret: &TotpSecret, code: &str, now: DateTime<Utc>, last_used_step: Option<u64>) -> Option<u64> {
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = totp_step(now)?;
    let first = current.saturating_sub(TOTP_WINDOW);
    let last = current.saturating_add(TOTP_WINDOW);
    (first..=last).filter(|step| last_used_step.is_none_or(|used| *step > used)).find(|step| {
        totp_code_at_step(secret, *step).is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(typed.as_bytes())))
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn rfc_key() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap()
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 Appendix B, SHA1 column, 8 digits.
        let vectors = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        let key = rfc_key();
        for (t, expected) in vectors {
            let step = totp_step(at(t)).unwrap();
            assert_eq!(hotp(&key.0, step, 8), Some(expected), "T={t}");
            // 6 digits are the last six of the 8-digit code.
            assert_eq!(totp_code(&key, at(t)), Some(format!("{:06}", expected % 1_000_000)), "T={t}");
        }
        assert_eq!(totp_code(&key, at(59)).as_deref(), Some("287082"));
        assert_eq!(totp_code(&key, at(1_111_111_109)).as_deref(), Some("081804"), "zero-padded");
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 Appendix D.
        let expected = [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489];
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(hotp(b"12345678901234567890", counter, 6), Some(code));
        }
    }

    #[test]
    fn window_is_one_step_either_side() {
        let key = rfc_key();
        let now = at(1_234_567_890);
        let step = totp_step(now).unwrap();
        for offset in [-1i64, 0, 1] {
            let code = totp_code(&key, now + Duration::seconds(30 * offset)).unwrap();
            assert_eq!(verify_totp(&key, &code, now, None), Some(step.checked_add_signed(offset).unwrap()));
        }
        for offset in [-2i64, 2] {
            let code = totp_code(&key, now + Duration::seconds(30 * offset)).unwrap();
            assert_eq!(verify_totp(&key, &code, now, None), None, "offset {offset}");
        }
    }

    #[test]
    fn a_code_cannot_be_replayed() {
        let key = rfc_key();
        let now = at(1_111_111_111);
        let code = totp_code(&key, now).unwrap();
        let used = verify_totp(&key, &code, now, None).unwrap();
        assert_eq!(verify_totp(&key, &code, now, Some(used)), None);
        assert_eq!(verify_totp(&key, &code, now + Duration::seconds(20), Some(used)), None, "still in the window");
        // An older code from the window is refused too once a later step was used.
        let previous = totp_code(&key, now - Duration::seconds(30)).unwrap();
        assert_eq!(verify_totp(&key, &previous, now, Some(used)), None);
        // The next step's code is fine.
        let next = totp_code(&key, now + Duration::seconds(30)).unwrap();
        assert_eq!(verify_totp(&key, &next, now + Duration::seconds(30), Some(used)), Some(used + 1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        let key = rfc_key();
        let now = at(59);
        assert_eq!(verify_totp(&key, "287 082", now, None), totp_step(now));
        for bad in ["", "28708", "2870822", "28708a", "２８７０８２", "94287082"] {
            assert_eq!(verify_totp(&key, bad, now, None), None, "{bad:?}");
        }
        assert_eq!(verify_totp(&key, "287082", at(-100), None), None, "before 1970");
    }

    #[test]
    fn secrets_round_trip_and_are_hidden() {
        let secret = TotpSecret::generate().unwrap();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(TotpSecret::from_base32(&text).unwrap(), secret);
        assert_eq!(TotpSecret::from_base32(&text.to_lowercase()).unwrap(), secret);
        assert_ne!(TotpSecret::generate().unwrap(), secret);
        assert_eq!(format!("{secret:?}"), "TotpSecret(…)");
        assert_eq!(rfc_key().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ").unwrap(), rfc_key());
        assert!(TotpSecret::from_base32("GEZDGNBV").is_err(), "too short");
        assert!(TotpSecret::from_base32("not base32!").is_err());
    }

    #[test]
    fn otpauth_uri_is_percent_encoded() {
        let uri = rfc_key().otpauth_uri("张三@unit");
        let issuer = "%E5%B7%A1%E5%AF%9F%E6%95%B4%E6%94%B9%E7%AE%A1%E7%90%86%E7%B3%BB%E7%BB%9F";
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/{issuer}:%E5%BC%A0%E4%B8%89%40unit?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer={issuer}&algorithm=SHA1&digits=6&period=30"
            )
        );
    }
}
