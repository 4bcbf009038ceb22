//! Plain-text helpers shared by the services and the render kit.

/// The first `n` characters of `text`, with an ellipsis when cut.
pub fn short(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}
