//! The numbering of official documents (GB/T 9704 §7.3.3): 一、 → （一） → 1. → （1）, and the
//! in-paragraph enumeration 一是、二是… used for measures.

use rectify_domain::numerals;

/// First-level heading number: `一、`.
pub fn level1(n: u32) -> String {
    format!("{}、", numerals::to_chinese(n))
}

/// Second-level heading number: `（一）` (full-width brackets, no trailing mark).
pub fn level2(n: u32) -> String {
    format!("（{}）", numerals::to_chinese(n))
}

/// Third-level heading number: `1.` (Arabic digit with a full stop, as the standard prints it).
pub fn level3(n: u32) -> String {
    format!("{n}.")
}

/// The ordinal that opens a measure inside a paragraph: `一是`.
pub fn measure_ordinal(n: u32) -> String {
    format!("{}是", numerals::to_chinese(n))
}

/// Reads a printed item number in any of the forms ledgers carry: `3`, `三`, `（三）`, `(3)`,
/// `3.`, `三、`. `None` when there is no number.
pub fn parse_item_number(text: &str) -> Option<u32> {
    let core = text.trim().trim_matches(|c: char| "（）()、.．,，:：[]【】 ".contains(c));
    if core.is_empty() {
        return None;
    }
    if core.bytes().all(|b| b.is_ascii_digit()) {
        return core.parse().ok();
    }
    if core.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
        let ascii: String = core
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { char::from(b'0' + (c as u32 - '０' as u32) as u8) })
            .collect();
        return ascii.parse().ok();
    }
    numerals::parse_chinese(core)
}

/// Splits a leading `一是` / `二是，` / `三是：` from a measure's text, so that the writer numbers
/// measures itself and never prints `一是一是`. Returns the ordinal found and the rest.
pub fn strip_measure_ordinal(text: &str) -> (Option<u32>, &str) {
    let trimmed = text.trim_start();
    let numeral_len: usize = trimmed.chars().take_while(|&c| numerals::is_numeral_char(c)).map(char::len_utf8).sum();
    if numeral_len == 0 {
        return (None, text);
    }
    let (numeral, rest) = trimmed.split_at(numeral_len);
    let Some(rest) = rest.strip_prefix('是') else {
        return (None, text);
    };
    // "一是" but not "一是非…": the ordinal must read as a number of at most two digits' worth.
    let Some(n) = numerals::parse_chinese(numeral).filter(|&n| (1..=99).contains(&n)) else {
        return (None, text);
    };
    let rest = rest.trim_start_matches(|c: char| "，,：:、 ".contains(c));
    (Some(n), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_numbers_follow_the_standard() {
        assert_eq!(level1(1), "一、");
        assert_eq!(level1(3), "三、");
        assert_eq!(level2(10), "（十）");
        assert_eq!(level2(12), "（十二）");
        assert_eq!(level3(7), "7.");
        assert_eq!(measure_ordinal(1), "一是");
        assert_eq!(measure_ordinal(11), "十一是");
    }

    #[test]
    fn printed_numbers_read_back() {
        assert_eq!(parse_item_number("3"), Some(3));
        assert_eq!(parse_item_number("三"), Some(3));
        assert_eq!(parse_item_number("（十二）"), Some(12));
        assert_eq!(parse_item_number("(4)"), Some(4));
        assert_eq!(parse_item_number("5."), Some(5));
        assert_eq!(parse_item_number("二十、"), Some(20));
        assert_eq!(parse_item_number("１２"), Some(12));
        assert_eq!(parse_item_number(""), None);
        assert_eq!(parse_item_number("甲"), None);
    }

    #[test]
    fn measure_ordinals_are_stripped_once() {
        assert_eq!(strip_measure_ordinal("一是制定制度。"), (Some(1), "制定制度。"));
        assert_eq!(strip_measure_ordinal("十二是，完善台账"), (Some(12), "完善台账"));
        assert_eq!(strip_measure_ordinal("三是：开展培训"), (Some(3), "开展培训"));
        assert_eq!(strip_measure_ordinal("制定制度"), (None, "制定制度"));
        // A numeral that is not followed by 是 is part of the text.
        assert_eq!(strip_measure_ordinal("三张清单已建立"), (None, "三张清单已建立"));
        assert_eq!(strip_measure_ordinal("是否"), (None, "是否"));
    }
}
