//! Properties of the segmenter on any text.

use proptest::prelude::*;
use rectify_segment::{domain_words, index_text, query_words, similarity_words};

/// Text mixing CJK, ASCII, digits, punctuation and the domain's words.
fn mixed_text() -> impl Strategy<Value = String> {
    let domain: Vec<String> = domain_words().map(str::to_owned).collect();
    let piece = prop_oneof![
        "[\\u{4e00}-\\u{9fa5}]{1,6}",
        "[a-zA-Z0-9]{1,5}",
        "[，。、；：！？（）《》“”\\-. \\t\\n]{1,3}",
        proptest::sample::select(domain),
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

fn is_token(t: &str) -> bool {
    !t.is_empty() && t.chars().all(char::is_alphanumeric) && !t.bytes().any(|b| b.is_ascii_uppercase())
}

proptest! {
    #[test]
    fn tokens_are_clean_words(text in mixed_text()) {
        let indexed = index_text(&text);
        if !indexed.is_empty() {
            prop_assert!(indexed.split(' ').all(is_token), "{indexed:?}");
        }
        prop_assert!(query_words(&text).iter().all(|t| is_token(t)));
        prop_assert!(similarity_words(&text).iter().all(|t| is_token(t)));
    }

    #[test]
    fn cjk_text_gives_tokens(text in "[\\u{4e00}-\\u{9fa5}]{1,40}") {
        prop_assert!(!index_text(&text).is_empty());
        prop_assert!(!query_words(&text).is_empty());
    }

    /// A domain word between any two texts is indexed whole, and as a query it is itself.
    #[test]
    fn domain_words_are_kept_whole(
        before in "[\\u{4e00}-\\u{9fa5}，。]{0,8}",
        word in proptest::sample::select(domain_words().collect::<Vec<_>>()),
        after in "[，。；][\\u{4e00}-\\u{9fa5}]{0,8}",
    ) {
        let text = format!("{before}，{word}{after}");
        let indexed = index_text(&text);
        prop_assert!(indexed.split(' ').any(|t| t == word), "{word} not whole in {indexed:?}");
        prop_assert_eq!(query_words(word), vec![word.to_owned()]);
    }

    /// Every word of a query taken from a text is among the text's indexed tokens, so a phrase
    /// copied from a document finds it.
    #[test]
    fn a_phrase_of_a_text_finds_the_text(text in "[\\u{4e00}-\\u{9fa5}]{2,30}") {
        let indexed = index_text(&text);
        let tokens: Vec<&str> = indexed.split(' ').collect();
        for word in query_words(&text) {
            prop_assert!(tokens.contains(&word.as_str()), "{word} not in {indexed:?}");
        }
    }
}
