//! Text normalisation shared by the parser and the linter.
//!
//! Reports mix full-width and half-width forms (`１２`, `,` next to `，`), carry extraction
//! artefacts (spaces inside Chinese text, `**` bold markers) and page numbers. The parser works
//! on a normalised copy of every line so that one set of patterns covers all of them; the
//! linter uses the same predicates to explain what it found in the original lines.

/// Whether `c` is a Chinese character or a full-width (CJK) punctuation mark.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK symbols and punctuation: 、。〈〉《》「」【】〔〕
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms: ，：；（）
        | '\u{2014}' | '\u{2026}' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{00B7}'
        | '\u{2460}'..='\u{2473}' // ①..⑳
        | '\u{20000}'..='\u{2FA1F}')
}

/// Whether `c` is a Chinese ideograph (not punctuation).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Punctuation that ends a sentence or a clause list item, in either width.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '…' | '.' | '!' | '?' | ';')
}

/// Width on a printed page: Chinese characters and full-width forms take two columns.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Folds full-width letters, digits and a few symbols to ASCII (`１２％` → `12%`), and every
/// kind of space to an ASCII space. Chinese punctuation (，。：；) is kept.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '％' => '%',
        '．' => '.',
        '－' => '-',
        '＠' => '@',
        '／' => '/',
        '＿' => '_',
        '＋' => '+',
        '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\t' => ' ',
        _ => c,
    }
}

/// The full-width form of an ASCII punctuation mark used inside Chinese prose, if it has one.
pub fn full_width_punctuation(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '(' => '（',
        ')' => '）',
        '?' => '？',
        '!' => '！',
        _ => return None,
    })
}

/// Normalises one line of a report for parsing:
/// - trims it, removes zero-width characters, Markdown bold markers (`**`) and heading hashes;
/// - folds full-width letters and digits to ASCII;
/// - writes ASCII punctuation next to Chinese text in its full-width form (`,` → `，`, and a
///   sentence-final `.` → `。`), but keeps `1.` numbering, decimals, times and e-mail addresses;
/// - removes spaces next to Chinese text (`2021 年度` → `2021年度`), which extraction leaves.
pub fn normalize_line(line: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(line.len() / 2 + 1);
    let mut it = line.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\r' | '\u{000C}' => {}
            '*' if it.peek() == Some(&'*') => {
                it.next();
            }
            '\u{0000}'..='\u{0008}' | '\u{000B}' | '\u{000E}'..='\u{001F}' | '\u{007F}' => {}
            _ => chars.push(fold_width(c)),
        }
    }
    // Markdown heading hashes at the start.
    let start = chars.iter().position(|&c| c != '#' && c != ' ').unwrap_or(chars.len());
    let hashes = chars[..start].contains(&'#');
    let body: &[char] = if hashes { &chars[start..] } else { &chars };

    let mut out = String::with_capacity(line.len());
    let n = body.len();
    let mut i = 0;
    while i < n {
        let c = body[i];
        if c == ' ' {
            let run_end = body[i..].iter().position(|&x| x != ' ').map_or(n, |p| i + p);
            let before = out.chars().next_back();
            let after = body.get(run_end).copied();
            let keep = match (before, after) {
                (None, _) | (_, None) => false,
                (Some(b), Some(a)) => !is_cjk(b) && !is_cjk(a),
            };
            if keep {
                out.push(' ');
            }
            i = run_end;
            continue;
        }
        let prev = out.chars().next_back();
        let next = body.get(i + 1).copied();
        let next_visible = body[i + 1..].iter().copied().find(|&x| x != ' ');
        let cjk_prev = prev.is_some_and(is_cjk);
        let cjk_next = next_visible.is_some_and(is_cjk);
        match c {
            '.' => {
                let digit_prev = prev.is_some_and(|p| p.is_ascii_digit());
                let digit_next = next.is_some_and(|p| p.is_ascii_alphanumeric());
                if cjk_prev && !digit_next && (next_visible.is_none() || cjk_next) && !digit_prev {
                    out.push('。');
                } else {
                    out.push('.');
                }
            }
            ':' => {
                let ascii_around = prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|p| p.is_ascii_alphanumeric() || p == '/');
                if ascii_around { out.push(':') } else { out.push('：') }
            }
            ',' => {
                let digits = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|p| p.is_ascii_digit());
                if digits || !(cjk_prev || cjk_next) { out.push(',') } else { out.push('，') }
            }
            '(' | ')' | ';' | '?' | '!' => {
                let cjk_context = cjk_prev || cjk_next || paren_holds_number(body, i);
                match full_width_punctuation(c) {
                    Some(full) if cjk_context => out.push(full),
                    _ => out.push(c),
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `(1)` at the start of a line is Chinese numbering even with ASCII brackets.
fn paren_holds_number(body: &[char], i: usize) -> bool {
    let c = body[i];
    if c == '(' {
        let digits = body[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        digits > 0 && body.get(i + 1 + digits) == Some(&')')
    } else if c == ')' {
        let digits = body[..i].iter().rev().take_while(|c| c.is_ascii_digit()).count();
        digits > 0 && i > digits && body[i - digits - 1] == '('
    } else {
        false
    }
}

/// Whether a line holds only a page number: `— 3 —`, `- 3 -`, `第3页`, `第 3 页 共 12 页`,
/// `3/12` or a bare number, as text extracted from a PDF leaves between pages.
pub fn is_page_number(line: &str) -> bool {
    // A line of prose is rejected before it is copied.
    if line.chars().filter(|c| !c.is_whitespace()).nth(16).is_some() {
        return false;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || t.chars().count() > 16 {
        return false;
    }
    let core = t.trim_matches(|c| matches!(c, '—' | '-' | '–' | '－' | '~' | '·' | '_'));
    if core.is_empty() {
        return false;
    }
    let digits_only = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if digits_only(core) {
        return true;
    }
    if let Some((a, b)) = core.split_once('/') {
        return digits_only(a) && digits_only(b);
    }
    if let Some(rest) = core.strip_prefix('第') {
        let (num, tail) = rest.split_once('页').unwrap_or((rest, "x"));
        if !digits_only(num) {
            return false;
        }
        let tail = tail.trim_start_matches(['，', ',']);
        return tail.is_empty() || tail.strip_prefix('共').and_then(|t| t.strip_suffix('页')).is_some_and(digits_only);
    }
    false
}

/// Whether the brackets and quotation marks of `s` leave one open (`建立“党` does): such a
/// line continues on the next one even across a page break.
pub fn has_open_bracket(s: &str) -> bool {
    let mut depth: i32 = 0;
    for c in s.chars() {
        match c {
            '“' | '（' | '《' | '【' | '〔' | '‘' => depth += 1,
            '”' | '）' | '》' | '】' | '〕' | '’' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_widths_and_punctuation_in_chinese_context() {
        assert_eq!(normalize_line("  整改情况:一是完成,二是推进.  "), "整改情况：一是完成，二是推进。");
        assert_eq!(normalize_line("１２．５％"), "12.5%");
        assert_eq!(normalize_line("1.国防动员规划"), "1.国防动员规划");
        assert_eq!(normalize_line("金额6.1万元"), "金额6.1万元");
        assert_eq!(normalize_line("http://www.a.cn"), "http://www.a.cn");
        assert_eq!(normalize_line("(1)关于"), "（1）关于");
    }

    #[test]
    fn removes_extraction_artefacts() {
        assert_eq!(normalize_line("**二是**认真梳理"), "二是认真梳理");
        assert_eq!(normalize_line("2021 年度 比例约 70%"), "2021年度比例约70%");
        assert_eq!(normalize_line("## 一、总体情况"), "一、总体情况");
        assert_eq!(normalize_line("Copyright 2024 All"), "Copyright 2024 All");
    }

    #[test]
    fn recognises_page_numbers() {
        for s in ["— 3 —", "- 12 -", "3", "第 3 页", "第3页 共12页", "3/12"] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["2023年", "一、", "— —", "第三页", "12345"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn open_brackets() {
        assert!(has_open_bracket("建立“党"));
        assert!(!has_open_bracket("“党组负总责”"));
    }
}
