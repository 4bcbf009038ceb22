//! Numbers, dates and names as people read them: Beijing time, Chinese dates, 第N是 ordinals,
//! sizes, percent-encoded links, shortened titles.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::service::BEIJING;

/// Percent-encodes a query component (everything but unreserved ASCII).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `k=v&k2=v2` with every value percent-encoded.
pub(crate) fn query_string(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

pub(crate) use crate::text::short;

/// An RFC 3339 timestamp as Beijing time, `2024年8月1日 17:00`; `date_only` drops the time.
/// An unreadable timestamp is shown as it is.
pub(crate) fn beijing(timestamp: &str, date_only: bool) -> String {
    match DateTime::parse_from_rfc3339(timestamp) {
        Ok(at) => beijing_at(at, date_only),
        Err(_) => timestamp.to_owned(),
    }
}

/// An instant as Beijing time, `2024年8月1日 17:00`; `date_only` drops the time.
pub(crate) fn beijing_at(at: DateTime<FixedOffset>, date_only: bool) -> String {
    let local = at.with_timezone(&BEIJING);
    local.format(if date_only { "%Y年%-m月%-d日" } else { "%Y年%-m月%-d日 %H:%M" }).to_string()
}

/// A date in Chinese, `2024年8月1日`.
pub(crate) fn chinese_date(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// The ordinal of a measure within its problem, as reports write it: `一是`, `二是` …
pub(crate) fn ordinal(position: usize) -> String {
    let n = u32::try_from(position).unwrap_or(u32::MAX - 1).saturating_add(1);
    format!("{}是", rectify_domain::numerals::to_chinese(n))
}

/// 1786773 → "1.7 MB"; binary multiples as file managers show them.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("B");
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {name}") }
}

/// Text for an HTML body where no template is at hand (the template engine's own escaping).
pub(crate) fn escape(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode("整改 a&b=c"), "%E6%95%B4%E6%94%B9%20a%26b%3Dc");
        assert_eq!(query_string(&[("q", "x y".into()), ("page", "2".into())]), "q=x%20y&page=2");
    }

    proptest::proptest! {
        #[test]
        fn encoded_components_are_plain_ascii_and_decode_back(text in "\\PC{0,40}") {
            let encoded = encode(&text);
            proptest::prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let mut bytes = Vec::new();
            let mut rest = encoded.as_bytes();
            while let Some((&b, tail)) = rest.split_first() {
                if b == b'%' {
                    let hex = std::str::from_utf8(&tail[..2]).unwrap();
                    bytes.push(u8::from_str_radix(hex, 16).unwrap());
                    rest = &tail[2..];
                } else {
                    bytes.push(b);
                    rest = tail;
                }
            }
            proptest::prop_assert_eq!(String::from_utf8(bytes).unwrap(), text);
        }
    }

    #[test]
    fn times_are_beijing_time() {
        assert_eq!(beijing("2024-08-01T17:30:00.000000Z", false), "2024年8月2日 01:30");
        assert_eq!(beijing("2024-08-01T17:30:00Z", true), "2024年8月2日");
        assert_eq!(beijing("later", false), "later");
    }

    #[test]
    fn short_cuts_by_characters() {
        assert_eq!(short("巡察整改管理", 4), "巡察整改…");
        assert_eq!(short("巡察", 4), "巡察");
    }

    #[test]
    fn ordinals_and_escapes() {
        assert_eq!(ordinal(0), "一是");
        assert_eq!(ordinal(9), "十是");
        assert!(!escape("<a href='x'>&</a>").contains(['<', '>', '\'']));
    }
}
