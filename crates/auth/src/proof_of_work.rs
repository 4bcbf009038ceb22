//! A small proof of work (hashcash) that the public portal asks of a sender who has posted a lot
//! (issue 13, finding 5): the server hands out a challenge bound to the time and to the form it
//! is for, signed with HMAC-SHA256 so that any app server sharing the key can check it without
//! storing it; the browser finds a nonce such that SHA-256(challenge ":" nonce) begins with
//! `bits` zero bits. Checking costs one HMAC and one hash.

use data_encoding::HEXLOWER;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a proof was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the challenge is malformed or not signed by this server")]
    Forged,
    #[error("the challenge is for another form")]
    OtherForm,
    #[error("the challenge has expired")]
    Expired,
    #[error("the nonce does not solve the challenge")]
    Unsolved,
}

fn signature(key: &[u8], body: &str) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        // HMAC takes keys of any length; this branch cannot be reached.
        return String::new();
    };
    mac.update(b"rectify proof of work\0");
    mac.update(body.as_bytes());
    HEXLOWER.encode(&mac.finalize().into_bytes())
}

/// A challenge for `form` (e.g. a unit's feedback form) issued at `now` (Unix seconds), made
/// unique by 16 random bytes: `{now}.{random hex}.{bits}.{signature}`.
pub fn issue_challenge(key: &[u8], form: &str, bits: u32, now: i64, random: [u8; 16]) -> String {
    let body = format!("{now}.{}.{bits}", HEXLOWER.encode(&random));
    let sig = signature(key, &format!("{body}.{form}"));
    format!("{body}.{sig}")
}

/// The number of leading zero bits of a digest.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

fn work(challenge: &str, nonce: &str) -> u32 {
    let digest = Sha256::new().chain_update(challenge.as_bytes()).chain_update(b":").chain_update(nonce.as_bytes());
    leading_zero_bits(&digest.finalize())
}

/// Checks a solved challenge of `form`, issued no more than `max_age` seconds before `now`;
/// returns the difficulty it carried. Whether it was used before is the caller's to remember.
pub fn verify_proof(
    key: &[u8],
    form: &str,
    challenge: &str,
    nonce: &str,
    now: i64,
    max_age: i64,
) -> Result<u32, ProofError> {
    let mut parts = challenge.split('.');
    let (Some(issued), Some(random), Some(bits), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ProofError::Forged);
    };
    let (Ok(issued), Ok(bits)) = (issued.parse::<i64>(), bits.parse::<u32>()) else {
        return Err(ProofError::Forged);
    };
    if random.len() != 32 || nonce.len() > 64 || bits > 64 {
        return Err(ProofError::Forged);
    }
    let body = &challenge[..challenge.len() - sig.len() - 1];
    if !bool::from(signature(key, &format!("{body}.{form}")).as_bytes().ct_eq(sig.as_bytes())) {
        // A challenge signed for another form fails here too: tell the two apart only for logs.
        return Err(ProofError::OtherForm);
    }
    if now < issued || now - issued > max_age {
        return Err(ProofError::Expired);
    }
    if work(challenge, nonce) < bits {
        return Err(ProofError::Unsolved);
    }
    Ok(bits)
}

/// Finds a nonce for a challenge (what the page's script does; for tests and tools).
pub fn solve(challenge: &str, bits: u32) -> String {
    (0u64..).map(|n| n.to_string()).find(|n| work(challenge, n) >= bits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_solved_challenge_passes_once_checked_and_nothing_else_does() {
        let c = issue_challenge(KEY, "unit-A", 10, 1_000, [7; 16]);
        let nonce = solve(&c, 10);
        assert_eq!(verify_proof(KEY, "unit-A", &c, &nonce, 1_060, 600), Ok(10));
        assert!(work(&c, &nonce) >= 10);
        let wrong = (0u64..).map(|n| n.to_string()).find(|n| work(&c, n) < 10).unwrap();
        assert_eq!(verify_proof(KEY, "unit-A", &c, &wrong, 1_060, 600), Err(ProofError::Unsolved));
        assert_eq!(verify_proof(KEY, "unit-B", &c, &nonce, 1_060, 600), Err(ProofError::OtherForm));
        assert_eq!(verify_proof(b"another key", "unit-A", &c, &nonce, 1_060, 600), Err(ProofError::OtherForm));
        assert_eq!(verify_proof(KEY, "unit-A", &c, &nonce, 1_601, 600), Err(ProofError::Expired));
        // Lowering the difficulty in the challenge breaks its signature.
        let easier = c.replacen(".10.", ".0.", 1);
        assert_eq!(verify_proof(KEY, "unit-A", &easier, "x", 1_060, 600), Err(ProofError::OtherForm));
        assert_eq!(verify_proof(KEY, "unit-A", "garbage", "x", 1_060, 600), Err(ProofError::Forged));
    }

    #[test]
    fn zero_bits_are_counted_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0, 0x10, 0xff]), 19);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }
}
