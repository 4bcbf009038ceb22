//! Checks on the raw lines: half-width punctuation in Chinese prose, markup and sentences split
//! by page breaks (`page_break_artifact`), and variant characters (台帐 → 台账).

use crate::structure::starts_with_heading;
use crate::text::{Doc, MAX_EXCERPT, ends_sentence, excerpt, head, is_chinese, is_ideograph, tail};
use crate::{Defect, DefectKind};

/// Non-standard characters that official writing replaces (money-related 帐 is written 账 since
/// the 2013 通用规范汉字表 usage notes).
const VARIANTS: [(&str, &str); 13] = [
    ("台帐", "台账"),
    ("帐户", "账户"),
    ("帐目", "账目"),
    ("对帐", "对账"),
    ("帐簿", "账簿"),
    ("记帐", "记账"),
    ("报帐", "报账"),
    ("做帐", "做账"),
    ("查帐", "查账"),
    ("挂帐", "挂账"),
    ("销帐", "销账"),
    ("帐务", "账务"),
    ("帐号", "账号"),
];

pub(crate) fn check(doc: &Doc, out: &mut Vec<Defect>) {
    for (index, line) in doc.lines().iter().enumerate() {
        let number = index + 1;
        if let Some(defect) = halfwidth(line, number) {
            out.push(defect);
        }
        if let Some(at) = line.find("**") {
            out.push(Defect::new(
                DefectKind::PageBreakArtifact,
                number,
                excerpt(line, at),
                "Markdown bold markers ** left over from a conversion; remove them".to_string(),
            ));
        }
        for (variant, standard) in VARIANTS {
            if let Some(at) = line.find(variant) {
                out.push(Defect::new(
                    DefectKind::VariantCharacter,
                    number,
                    excerpt(line, at),
                    format!("{variant} is a variant form; the standard spelling is {standard}"),
                ));
            }
        }
    }
    split_sentences(doc, out);
}

/// The full-width form a half-width mark should take in Chinese text.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '.' => '。',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

/// At most one defect per line: the first half-width mark that touches Chinese text, not counting
/// heading numbers (1.), decimals, times, URLs and e-mail addresses.
fn halfwidth(line: &str, number: usize) -> Option<Defect> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let neighbour = |from: usize, step: isize| {
        let mut i = from.checked_add_signed(step)?;
        loop {
            let (_, c) = *chars.get(i)?;
            if !c.is_whitespace() {
                return Some(c);
            }
            i = i.checked_add_signed(step)?;
        }
    };
    let mut hits = chars.iter().enumerate().filter(|(i, (_, c))| {
        if full_width(*c).is_none() {
            return false;
        }
        let prev = neighbour(*i, -1);
        let next = neighbour(*i, 1);
        let ascii_both =
            prev.is_some_and(|p| p.is_ascii_alphanumeric()) && next.is_some_and(|n| n.is_ascii_alphanumeric());
        match c {
            ',' | ':' if ascii_both => false,
            ':' if line.get(chars.get(*i).map_or(0, |(b, _)| *b)..).is_some_and(|rest| rest.starts_with("://")) => {
                false
            }
            '.' if ascii_both || is_list_number(&chars, *i) => false,
            _ => prev.is_some_and(is_chinese) || next.is_some_and(is_chinese),
        }
    });
    let (_, (byte, mark)) = hits.next()?;
    let more = hits.count();
    let wanted = full_width(*mark).unwrap_or(*mark);
    let also = if more > 0 { format!(" ({more} more on this line)") } else { String::new() };
    Some(Defect::new(
        DefectKind::HalfwidthPunctuation,
        number,
        excerpt(line, *byte),
        format!("half-width '{mark}' in Chinese text; use '{wanted}'{also}"),
    ))
}

/// Whether the '.' at `i` ends a list number: digits at the start of the line (after spaces or
/// `**`) or right after the end of a sentence (an item glued to the previous one).
fn is_list_number(chars: &[(usize, char)], i: usize) -> bool {
    let mut j = i;
    while j > 0 && chars.get(j - 1).is_some_and(|(_, c)| *c == ' ' || *c == '\t') {
        j -= 1;
    }
    let digits_end = j;
    while j > 0 && chars.get(j - 1).is_some_and(|(_, c)| c.is_ascii_digit()) {
        j -= 1;
    }
    if j == digits_end || digits_end - j > 3 {
        return false;
    }
    let before =
        chars.get(..j).unwrap_or_default().iter().rev().map(|(_, c)| *c).find(|c| !c.is_whitespace() && *c != '*');
    before.is_none_or(|c| ends_sentence(c) && c != '.')
}

/// A paragraph that stops in mid-sentence and resumes after blank lines: the page break of the
/// source document survived text extraction (落实"一岗 / 双责"…).
fn split_sentences(doc: &Doc, out: &mut Vec<Defect>) {
    let lines = doc.lines();
    let filled: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, _)| i).collect();
    for (k, pair) in filled.windows(2).enumerate() {
        let &[i, j] = pair else { continue };
        let (Some(this), Some(next)) = (lines.get(i), lines.get(j)) else { continue };
        let (this, next) = (this.trim(), next.trim());
        if j == i + 1 || !breaks_off(this) {
            continue;
        }
        // A title in the first lines, or a signature above its date, ends without punctuation.
        let title_like = k < 3 && !this.contains(['。', '，', ',']) && balanced(this);
        let prose =
            this.chars().count() >= 30 || this.contains(['。', '，', '、', '；', '：', ',', ':', '“', '（', '(']);
        let bare_heading = starts_with_heading(this) && !this.contains(['。', '；']);
        if title_like || !prose || bare_heading || starts_with_heading(next) || is_date_line(next) {
            continue;
        }
        let joined = format!("{} ⏎ {}", tail(this, 12), head(next, 14));
        out.push(Defect::new(
            DefectKind::PageBreakArtifact,
            i + 1,
            joined.chars().take(MAX_EXCERPT).collect(),
            format!(
                "the sentence breaks off at the end of this line and resumes on line {} after a blank line \
                 (a page break left by text extraction); join the two lines",
                j + 1
            ),
        ));
    }
}

/// Whether a line ends in the middle of a sentence: on a character or an opening mark.
fn breaks_off(line: &str) -> bool {
    line.chars().last().is_some_and(|c| is_ideograph(c) || "、，,“‘（(《".contains(c))
}

/// Whether every opening quote or bracket of the line is closed on it.
fn balanced(line: &str) -> bool {
    let count = |set: &[char]| line.chars().filter(|c| set.contains(c)).count();
    count(&['“', '‘', '（', '(', '《']) == count(&['”', '’', '）', ')', '》'])
}

fn is_date_line(line: &str) -> bool {
    let line = line.trim();
    line.ends_with('日') && line.contains('年') && line.contains('月') && line.chars().count() <= 14
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hw(line: &str) -> Option<String> {
        halfwidth(line, 1).map(|d| d.message)
    }

    #[test]
    fn halfwidth_flags_prose_but_not_numbers() {
        assert!(hw("整改情况:一是").is_some());
        assert!(hw("5.人防工程建设有差距.").is_some_and(|m| m.contains("'.'")));
        assert!(hw("5.人防工程建设有差距。").is_none());
        assert!(hw("金额合计50.68万元。").is_none());
        assert!(hw("于10:30召开，邮箱a.b@qq.com，网址https://x.cn。").is_none());
        assert!(hw("共1,000元。").is_none());
        assert!(hw("三是强化职责。 8.“三公”经费管理不严。").is_none());
        assert!(hw("对全市12所初级中学(八年级)开展检查").is_some_and(|m| m.contains("'('") && m.contains("1 more")));
    }

    #[test]
    fn list_numbers_are_recognised() {
        let chars: Vec<(usize, char)> = "  12. 针对".char_indices().collect();
        assert!(is_list_number(&chars, 4));
        let chars: Vec<(usize, char)> = "约12.标准".char_indices().collect();
        assert!(!is_list_number(&chars, 3));
    }
}
