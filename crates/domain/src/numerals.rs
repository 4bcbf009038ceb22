//! Chinese numerals as used in official numbering (一、（一）, 一是, 第十二).

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Writes 1..=9999 in Chinese numerals as headings use them: 十一, 二十, 一百零五.
pub fn to_chinese(n: u32) -> String {
    if n == 0 {
        return "零".to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut pending_zero = false;
    for (value, name) in units {
        let d = rest / value;
        rest %= value;
        if d > 0 {
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            // 十一 rather than 一十一 when ten leads the number.
            if !(value == 10 && d == 1 && out.is_empty()) {
                out.push(DIGITS[d as usize]);
            }
            out.push(name);
        } else if !out.is_empty() {
            pending_zero = true;
        }
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '零' | '〇' | 'О' => Some(0),
        '一' | '壹' => Some(1),
        '二' | '两' | '贰' => Some(2),
        '三' | '叁' => Some(3),
        '四' | '肆' => Some(4),
        '五' | '伍' => Some(5),
        '六' | '陆' => Some(6),
        '七' | '柒' => Some(7),
        '八' | '捌' => Some(8),
        '九' | '玖' => Some(9),
        _ => None,
    }
}

/// Whether `c` can be part of a Chinese numeral.
pub fn is_numeral_char(c: char) -> bool {
    digit_value(c).is_some() || matches!(c, '十' | '拾' | '百' | '佰' | '千' | '仟')
}

/// Reads a Chinese numeral (十二, 二十, 一百零五, 二〇二四 as digits). `None` when it is not one.
pub fn parse_chinese(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() || !chars.iter().all(|&c| is_numeral_char(c)) {
        return None;
    }
    // A run of plain digits (二〇二四) is read digit by digit.
    if chars.len() > 1 && chars.iter().all(|&c| digit_value(c).is_some()) {
        return chars.iter().try_fold(0u32, |acc, &c| acc.checked_mul(10)?.checked_add(digit_value(c)?));
    }
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for &c in &chars {
        if let Some(d) = digit_value(c) {
            if current.is_some() && d != 0 {
                return None; // 二三 is not a number here
            }
            current = if d == 0 { None } else { Some(d) };
        } else {
            let unit = match c {
                '十' | '拾' => 10,
                '百' | '佰' => 100,
                _ => 1000,
            };
            total = total.checked_add(current.unwrap_or(1).checked_mul(unit)?)?;
            current = None;
        }
    }
    total.checked_add(current.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_heading_numbers() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (23, "二十三"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
        ];
        for (n, s) in cases {
            assert_eq!(to_chinese(n), s, "{n}");
        }
    }

    #[test]
    fn reads_what_it_writes() {
        for n in 1..=2000 {
            assert_eq!(parse_chinese(&to_chinese(n)), Some(n), "{n}");
        }
    }

    #[test]
    fn reads_digit_runs_and_refuses_nonsense() {
        assert_eq!(parse_chinese("二〇二四"), Some(2024));
        assert_eq!(parse_chinese("两"), Some(2));
        assert_eq!(parse_chinese("是"), None);
        assert_eq!(parse_chinese(""), None);
    }
}
