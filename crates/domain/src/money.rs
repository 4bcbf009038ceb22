//! Money kept exactly, in 分 (hundredths of a yuan), and shown in 万元 as the source wrote it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const FEN_PER_WAN_YUAN: i64 = 1_000_000;
/// 分 is the smallest unit, so 万元 never needs more than six decimals.
const MAX_DECIMALS: u8 = 6;

/// A non-negative amount of money, stored in 分 with the number of 万元 decimals the source
/// printed (7.132万元 keeps three decimals; 5万元 keeps none).
///
/// Two amounts are equal when their values are: the decimals only say how to print. A JSON
/// number cannot carry trailing zeros, so `6.10` read from JSON prints as `6.1万元`; text sources
/// and the database keep them.
#[derive(Debug, Clone, Copy)]
pub struct WanYuan {
    fen: i64,
    decimals: u8,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidAmount {
    #[error("amount must not be negative, got {0}")]
    Negative(String),
    #[error("amount is not a finite number or too large: {0}")]
    OutOfRange(String),
}

impl WanYuan {
    pub const ZERO: WanYuan = WanYuan { fen: 0, decimals: 0 };

    pub fn from_fen(fen: i64, decimals: u8) -> Result<Self, InvalidAmount> {
        if fen < 0 {
            return Err(InvalidAmount::Negative(fen.to_string()));
        }
        Ok(Self { fen, decimals: decimals.min(MAX_DECIMALS) })
    }

    /// Reads an amount written in 万元, keeping the decimals of its shortest form.
    pub fn from_wan_yuan(value: f64) -> Result<Self, InvalidAmount> {
        if !value.is_finite() || value.abs() > 9.0e12 {
            return Err(InvalidAmount::OutOfRange(value.to_string()));
        }
        if value < 0.0 {
            return Err(InvalidAmount::Negative(value.to_string()));
        }
        let fen = (value * FEN_PER_WAN_YUAN as f64).round() as i64;
        Ok(Self { fen, decimals: decimals_of(value) })
    }

    /// Parses a decimal written in the text (`"50.68"`), keeping its exact digits.
    pub fn parse_wan_yuan(text: &str) -> Result<Self, InvalidAmount> {
        let t = text.trim();
        let out_of_range = || InvalidAmount::OutOfRange(t.to_string());
        if t.starts_with('-') {
            return Err(InvalidAmount::Negative(t.to_string()));
        }
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(out_of_range());
        }
        let whole: i64 = int.parse().map_err(|_| out_of_range())?;
        let kept = &frac[..frac.len().min(MAX_DECIMALS as usize)];
        let mut part: i64 = if kept.is_empty() { 0 } else { kept.parse().map_err(|_| out_of_range())? };
        for _ in kept.len()..MAX_DECIMALS as usize {
            part *= 10;
        }
        let fen = whole.checked_mul(FEN_PER_WAN_YUAN).and_then(|f| f.checked_add(part)).ok_or_else(out_of_range)?;
        Ok(Self { fen, decimals: kept.len() as u8 })
    }

    /// Converts an amount given in 元 (`"3000元"` in a measure) to 万元.
    pub fn from_yuan_text(text: &str) -> Result<Self, InvalidAmount> {
        let w = Self::parse_wan_yuan(text)?;
        // 元 → 万元 shifts the decimal point four places; the exact value stays in 分.
        let fen = w.fen / 10_000;
        Ok(Self { fen, decimals: needed_decimals(fen) })
    }

    pub fn fen(&self) -> i64 {
        self.fen
    }

    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    pub fn as_wan_yuan(&self) -> f64 {
        self.fen as f64 / FEN_PER_WAN_YUAN as f64
    }

    /// Sum of amounts; the result keeps the largest precision among the parts.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        Some(Self { fen: self.fen.checked_add(other.fen)?, decimals: self.decimals.max(other.decimals) })
    }

    /// The number as printed in a report, e.g. `50.68` (to be followed by 万元).
    pub fn format_number(&self) -> String {
        let whole = self.fen / FEN_PER_WAN_YUAN;
        let frac = self.fen % FEN_PER_WAN_YUAN;
        let decimals = self.decimals.max(needed_decimals(self.fen));
        if decimals == 0 {
            return whole.to_string();
        }
        let digits = format!("{frac:06}");
        format!("{whole}.{}", &digits[..decimals as usize])
    }
}

/// 分 in one hundredth of a 万元 (the last digit a dashboard shows).
const FEN_PER_HUNDREDTH_WAN: i64 = FEN_PER_WAN_YUAN / 100;

impl WanYuan {
    /// The amount as a dashboard shows it: 万元 with exactly two decimals, rounded half up
    /// (`180.281` → `180.28万元`, `5` → `5.00万元`), whatever precision the source wrote.
    pub fn to_dashboard_text(&self) -> String {
        let hundredths = self.fen.saturating_add(FEN_PER_HUNDREDTH_WAN / 2) / FEN_PER_HUNDREDTH_WAN;
        format!("{}.{:02}万元", hundredths / 100, hundredths % 100)
    }
}

fn needed_decimals(fen: i64) -> u8 {
    let mut frac = fen % FEN_PER_WAN_YUAN;
    if frac == 0 {
        return 0;
    }
    let mut d = MAX_DECIMALS;
    while frac % 10 == 0 {
        frac /= 10;
        d -= 1;
    }
    d
}

fn decimals_of(value: f64) -> u8 {
    // Rust prints the shortest representation that reads back to the same f64.
    let s = value.to_string();
    s.split_once('.').map(|(_, f)| f.len().min(MAX_DECIMALS as usize) as u8).unwrap_or(0)
}

impl PartialEq for WanYuan {
    fn eq(&self, other: &Self) -> bool {
        self.fen == other.fen
    }
}

impl Eq for WanYuan {}

impl std::hash::Hash for WanYuan {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fen.hash(state);
    }
}

impl PartialOrd for WanYuan {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for WanYuan {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.fen.cmp(&other.fen)
    }
}

impl fmt::Display for WanYuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}万元", self.format_number())
    }
}

impl Serialize for WanYuan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_wan_yuan())
    }
}

impl<'de> Deserialize<'de> for WanYuan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Self::from_wan_yuan(v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_source_decimals() {
        assert_eq!(WanYuan::parse_wan_yuan("7.132").unwrap().to_string(), "7.132万元");
        assert_eq!(WanYuan::parse_wan_yuan("6.10").unwrap().to_string(), "6.10万元");
        assert_eq!(WanYuan::parse_wan_yuan("5").unwrap().to_string(), "5万元");
        assert_eq!(WanYuan::from_wan_yuan(50.68).unwrap().to_string(), "50.68万元");
        assert_eq!(WanYuan::from_wan_yuan(5.0).unwrap().to_string(), "5万元");
    }

    #[test]
    fn dashboards_show_two_decimals_rounded_half_up() {
        let text = |t: &str| WanYuan::parse_wan_yuan(t).unwrap().to_dashboard_text();
        assert_eq!(text("180.281"), "180.28万元");
        assert_eq!(text("175.155"), "175.16万元");
        assert_eq!(text("1.27"), "1.27万元");
        assert_eq!(text("5"), "5.00万元");
        assert_eq!(text("0.004999"), "0.00万元");
        assert_eq!(text("0.005"), "0.01万元");
        assert_eq!(text("99.999"), "100.00万元");
        assert_eq!(WanYuan::ZERO.to_dashboard_text(), "0.00万元");
    }

    #[test]
    fn exact_in_fen() {
        let a = WanYuan::parse_wan_yuan("0.1").unwrap();
        let b = WanYuan::parse_wan_yuan("0.2").unwrap();
        assert_eq!(a.checked_add(b).unwrap().fen(), 300_000);
        assert_eq!(a.checked_add(b).unwrap().to_string(), "0.3万元");
    }

    #[test]
    fn yuan_become_wan_yuan() {
        assert_eq!(WanYuan::from_yuan_text("3000").unwrap().to_string(), "0.3万元");
        assert_eq!(WanYuan::from_yuan_text("1234.56").unwrap().to_string(), "0.123456万元");
    }

    #[test]
    fn refuses_negative_and_garbage() {
        assert!(WanYuan::from_wan_yuan(-1.0).is_err());
        assert!(WanYuan::parse_wan_yuan("-3").is_err());
        assert!(WanYuan::parse_wan_yuan("3,0").is_err());
        assert!(WanYuan::from_wan_yuan(f64::NAN).is_err());
        assert!(serde_json::from_str::<WanYuan>("-0.5").is_err());
    }
}
