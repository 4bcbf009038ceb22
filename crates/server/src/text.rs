//! Plain-text helpers shared by the services and the render kit.

/// The first `n` characters of `text`, with an ellipsis when cut.
pub fn short(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// Text typed into a form: line breaks as `\n`, and no other control characters.
pub fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
}
