//! Chinese word segmentation (分词) with the rectification domain's dictionary.
//!
//! jieba's general dictionary splits the domain's words (立行立改 even wrongly, as 立行立/改),
//! so the words of `data/domain.txt` are added to it and kept whole. One segmenter serves the
//! whole process: loading the dictionary takes about 0.1 s (0.4 s unoptimised).
//!
//! Tokens are normalised the same way for indexing and for queries, so that SQLite FTS5
//! (`unicode61`) and PostgreSQL (`to_tsvector('simple', …)`) split the space-joined text into the
//! same words: only letters and digits (anything else separates tokens), ASCII lowercased,
//! nothing longer than [`MAX_TOKEN_CHARS`]. HMM guessing of unknown words is off: the same text
//! then always gives the same tokens, in a document as in a query.

use std::collections::HashSet;
use std::sync::LazyLock;

use jieba_rs::Jieba;

/// The domain's words, one a line (`#` starts a comment).
const DOMAIN_WORDS: &str = include_str!("../data/domain.txt");

/// Longer tokens (a pasted hash, a run of digits) are dropped: nobody searches for them, and
/// PostgreSQL skips words of more than 2,047 bytes, which would make the backends differ.
pub const MAX_TOKEN_CHARS: usize = 64;

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in domain_words() {
        jieba.add_word(word, None, None);
    }
    jieba
});

/// The words of the domain dictionary.
pub fn domain_words() -> impl Iterator<Item = &'static str> {
    DOMAIN_WORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Loads the dictionary now rather than on the first text (e.g. at start, off the request path).
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// The text to index, as space-joined tokens: every word, and the dictionary words inside longer
/// words (巡察整改 → 巡察 整改 巡察整改), so that a query for a part finds the whole.
pub fn index_text(text: &str) -> String {
    let jieba = &*JIEBA;
    let mut out = String::with_capacity(text.len() * 2);
    let mut push = |word: &str| {
        normalise(word, |token| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
        })
    };
    for token in jieba.cut_for_search(text, false) {
        push(token.word);
        // cut_for_search offers only the 2- and 3-character words inside a word; a longer
        // one (党风廉政 in 党风廉政建设) is found here.
        let chars: Vec<(usize, char)> = token.word.char_indices().collect();
        if chars.len() > 4 {
            for len in 4..chars.len() {
                for start in 0..=chars.len() - len {
                    let from = chars[start].0;
                    let to = chars.get(start + len).map_or(token.word.len(), |c| c.0);
                    let inner = &token.word[from..to];
                    if jieba.has_word(inner) {
                        push(inner);
                    }
                }
            }
        }
    }
    out
}

/// The words of a query, each to be found (AND), without repeats, in the order typed.
pub fn query_words(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    for token in JIEBA.cut(query, false) {
        normalise(token.word, |t| {
            if seen.insert(t.to_owned()) {
                words.push(t.to_owned());
            }
        });
    }
    words
}

/// The words that tell texts apart, for similarity (e.g. clustering common problems): the
/// segmented words without single characters and function words, with repeats.
pub fn similarity_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in JIEBA.cut(text, false) {
        normalise(token.word, |t| {
            if t.chars().count() > 1 && !STOP_WORDS.contains(&t) && !t.chars().all(|c| c.is_ascii_digit()) {
                words.push(t.to_owned());
            }
        });
    }
    words
}

/// Words that say nothing about what a problem is.
const STOP_WORDS: &[&str] = &[
    "问题",
    "存在",
    "方面",
    "情况",
    "工作",
    "一些",
    "部分",
    "个别",
    "没有",
    "不够",
    "不到",
    "不力",
    "不足",
    "等",
    "进一步",
    "以及",
    "及其",
    "其中",
    "相关",
    "有关",
    "对于",
    "关于",
    "通过",
    "进行",
    "开展",
    "我们",
    "他们",
    "这个",
    "那个",
    "还有",
    "已经",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
];

/// Splits `word` at every character that is neither a letter nor a digit, lowercases ASCII, and
/// hands each non-empty part of at most [`MAX_TOKEN_CHARS`] characters to `emit`.
fn normalise(word: &str, mut emit: impl FnMut(&str)) {
    for part in word.split(|c: char| !c.is_alphanumeric()) {
        if part.is_empty() || part.chars().count() > MAX_TOKEN_CHARS {
            continue;
        }
        if part.bytes().any(|b| b.is_ascii_uppercase()) {
            emit(&part.to_ascii_lowercase());
        } else {
            emit(part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split(' ').collect()
    }

    #[test]
    fn domain_words_stay_whole() {
        assert!(words(&index_text("坚持立行立改，抓好整改销号")).contains(&"立行立改"));
        assert_eq!(query_words("立行立改"), ["立行立改"]);
        assert_eq!(query_words("回头看"), ["回头看"]);
        assert_eq!(query_words("落实两个责任"), ["落实", "两个责任"]);
    }

    #[test]
    fn parts_of_long_words_are_indexed_with_the_whole() {
        let indexed = index_text("加强党风廉政建设");
        for part in ["党风", "廉政", "党风廉政", "党风廉政建设", "建设"] {
            assert!(words(&indexed).contains(&part), "{part} missing from {indexed}");
        }
        let indexed = index_text("巡察整改");
        for part in ["巡察", "整改", "巡察整改"] {
            assert!(words(&indexed).contains(&part), "{part} missing from {indexed}");
        }
    }

    #[test]
    fn punctuation_and_spaces_are_dropped_and_ascii_lowercased() {
        assert_eq!(index_text("  ，。！ ？ "), "");
        assert_eq!(query_words("OA系统，WES-5.4"), ["oa", "系统", "wes", "5", "4"]);
        assert!(!index_text("OA系统").contains("OA"));
    }

    #[test]
    fn similarity_leaves_out_function_words() {
        let words = similarity_words("存在违规发放津贴补贴的问题");
        assert!(words.contains(&"津贴补贴".to_owned()), "{words:?}");
        assert!(!words.iter().any(|w| w == "问题" || w == "的"), "{words:?}");
    }
}
