//! Conversions between domain values and the column types both databases share through
//! `sqlx::Any` (i64, f64, text): dates as their `YYYY[-MM[-DD]]` text, money as 分 plus the
//! printed decimals, enums by their JSON names, small lists as JSON text.

use rectify_domain::{PartialDate, WanYuan};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::StorageError;

/// An amount as stored in JSON lists: exact, unlike the `f64` of the ledger JSON.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredAmount {
    fen: i64,
    decimals: u8,
}

pub(crate) fn date_text(date: Option<PartialDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(crate) fn parse_date(column: &str, text: Option<String>) -> Result<Option<PartialDate>, StorageError> {
    text.map(|t| t.parse().map_err(|e| StorageError::corrupt(column, e))).transpose()
}

pub(crate) fn required_date(column: &str, text: String) -> Result<PartialDate, StorageError> {
    text.parse().map_err(|e| StorageError::corrupt(column, e))
}

pub(crate) fn money(column: &str, fen: i64, decimals: i64) -> Result<WanYuan, StorageError> {
    let decimals = u8::try_from(decimals).map_err(|e| StorageError::corrupt(column, e))?;
    WanYuan::from_fen(fen, decimals).map_err(|e| StorageError::corrupt(column, e))
}

/// The name an enum has in the ledger JSON, e.g. `in_progress` for `Status::InProgress`.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Result<String, StorageError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(StorageError::Invalid(format!("expected a name, got {other}"))),
        Err(e) => Err(StorageError::Invalid(e.to_string())),
    }
}

pub(crate) fn parse_enum<T: DeserializeOwned>(column: &str, text: String) -> Result<T, StorageError> {
    serde_json::from_value(serde_json::Value::String(text)).map_err(|e| StorageError::corrupt(column, e))
}

pub(crate) fn parse_optional_enum<T: DeserializeOwned>(
    column: &str,
    text: Option<String>,
) -> Result<Option<T>, StorageError> {
    text.map(|t| parse_enum(column, t)).transpose()
}

pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Invalid(e.to_string()))
}

pub(crate) fn parse_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::corrupt(column, e))
}

pub(crate) fn amounts_text(amounts: &[WanYuan]) -> Result<String, StorageError> {
    let stored: Vec<StoredAmount> =
        amounts.iter().map(|a| StoredAmount { fen: a.fen(), decimals: a.decimals() }).collect();
    json_text(&stored)
}

pub(crate) fn parse_amounts(column: &str, text: &str) -> Result<Vec<WanYuan>, StorageError> {
    let stored: Vec<StoredAmount> = parse_json(column, text)?;
    stored.into_iter().map(|a| money(column, a.fen, a.decimals.into())).collect()
}

/// A count or position as the i64 both databases store.
pub(crate) fn int(what: &str, value: impl TryInto<i64>) -> Result<i64, StorageError> {
    value.try_into().map_err(|_| StorageError::Invalid(format!("{what} is too large to store")))
}

/// A stored i64 back into the unsigned type the domain uses.
pub(crate) fn unsigned<T: TryFrom<i64>>(column: &str, value: i64) -> Result<T, StorageError> {
    T::try_from(value).map_err(|_| StorageError::corrupt(column, format!("{value} is out of range")))
}

pub(crate) fn optional_unsigned<T: TryFrom<i64>>(column: &str, value: Option<i64>) -> Result<Option<T>, StorageError> {
    value.map(|v| unsigned(column, v)).transpose()
}

/// Lower-case hexadecimal of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A 32-byte key written as 64 hexadecimal digits (either case); `None` for anything else.
pub fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    bytes_from_hex(text.trim())?.try_into().ok()
}

/// Bytes written as hexadecimal digits (either case, an even number); `None` for anything else.
pub(crate) fn bytes_from_hex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    bytes.chunks_exact(2).map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rectify_domain::{Disclosure, Status};

    #[test]
    fn enums_use_their_json_names_both_ways() {
        assert_eq!(enum_text(&Status::PendingVerification).unwrap(), "pending_verification");
        assert_eq!(enum_text(&Disclosure::WithheldPendingCase).unwrap(), "withheld_pending_case");
        let back: Status = parse_enum("status", "long_term".to_string()).unwrap();
        assert_eq!(back, Status::LongTerm);
        assert!(parse_enum::<Status>("status", "finished".to_string()).is_err());
    }

    #[test]
    fn amounts_keep_their_printed_decimals() {
        let amounts = [WanYuan::parse_wan_yuan("6.10").unwrap(), WanYuan::parse_wan_yuan("50.68").unwrap()];
        let back = parse_amounts("amounts", &amounts_text(&amounts).unwrap()).unwrap();
        assert_eq!(back, amounts);
        assert_eq!(back[0].to_string(), "6.10万元");
    }

    #[test]
    fn corrupt_values_are_reported_with_their_column() {
        let err = parse_date("measures.deadline", Some("2023-13".to_string())).unwrap_err();
        assert!(err.to_string().contains("measures.deadline"), "{err}");
        assert!(unsigned::<u32>("claimed_problems", -1).is_err());
        assert!(money("funds.amount_fen", -5, 2).is_err());
    }
}
