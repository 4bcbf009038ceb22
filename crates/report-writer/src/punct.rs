//! Full-width punctuation inside Chinese prose. Ledger text often comes from web pages or
//! spreadsheets typed with ASCII marks (`整改情况:一是…,二是…`); a published report must not.

/// Whether `c` is a Han character or full-width punctuation, i.e. Chinese prose around a mark.
fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F   // CJK symbols and punctuation
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFF01..=0xFF60 // full-width forms
        | 0x201C..=0x201D // “ ”
        | 0x2018..=0x2019 // ‘ ’
        | 0x2014
        | 0x2026)
}

/// Replaces `,` `;` `:` `?` `!` `(` `)` by their full-width forms where they stand next to
/// Chinese text. Marks between digits (`10:30`, `1,000`) and in ASCII-only runs (e-mail
/// addresses, URLs) are kept; brackets change in pairs only.
pub fn to_full_width_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // Positions of open brackets and whether each was converted.
    let mut open: Vec<bool> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let near_chinese = prev.is_some_and(is_chinese) || next.is_some_and(is_chinese);
        let between_digits = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let mapped = match c {
            ',' | ';' | ':' | '?' | '!' if near_chinese && !between_digits => match c {
                ',' => '，',
                ';' => '；',
                ':' => '：',
                '?' => '？',
                _ => '！',
            },
            '(' => {
                let convert = near_chinese || chars[i + 1..].iter().take_while(|&&n| n != ')').any(|&n| is_chinese(n));
                open.push(convert);
                if convert { '（' } else { '(' }
            }
            ')' => match open.pop() {
                Some(true) => '）',
                Some(false) => ')',
                None if near_chinese => '）',
                None => ')',
            },
            other => other,
        };
        out.push(mapped);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_marks_in_chinese_prose() {
        assert_eq!(to_full_width_punctuation("整改情况:一是学习,二是落实;"), "整改情况：一是学习，二是落实；");
        assert_eq!(to_full_width_punctuation("全市12所初级中学(八年级)人防"), "全市12所初级中学（八年级）人防");
        assert_eq!(to_full_width_punctuation("是否完成?完成!"), "是否完成？完成！");
    }

    #[test]
    fn keeps_numbers_addresses_and_ascii_runs() {
        assert_eq!(to_full_width_punctuation("上午10:30召开"), "上午10:30召开");
        assert_eq!(to_full_width_punctuation("金额1,000元"), "金额1,000元");
        assert_eq!(to_full_width_punctuation("邮箱a@b.cn"), "邮箱a@b.cn");
        assert_eq!(to_full_width_punctuation("see (ref) here"), "see (ref) here");
        // Brackets change together: the closing one follows its opening one.
        assert_eq!(to_full_width_punctuation("于(2023)年"), "于（2023）年");
    }
}
