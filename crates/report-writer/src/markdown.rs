//! Markdown: a readable preview and the source for web publishing.

use rectify_domain::Ledger;

use crate::{Block, ReportOptions, build_blocks};

/// The report as CommonMark: `#` title, `##`/`###`/`####` for the three heading levels.
pub fn render_markdown(ledger: &Ledger, opts: &ReportOptions) -> String {
    blocks_to_markdown(&build_blocks(ledger, opts))
}

pub(crate) fn blocks_to_markdown(blocks: &[Block]) -> String {
    let mut out = String::with_capacity(blocks.iter().map(|b| b.text().len() + 8).sum());
    for block in blocks {
        let prefix = match block {
            Block::Title(_) => "# ",
            Block::Heading1(_) => "## ",
            Block::Heading2(_) => "### ",
            Block::Heading3(_) => "#### ",
            Block::Paragraph(_) | Block::Signature(_) | Block::Date(_) => "",
        };
        out.push_str(prefix);
        out.push_str(&escape(block.text(), prefix.is_empty()));
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Escapes what Markdown would read as markup. At the start of a paragraph, also what would
/// open a heading, a list or a quote (`1.` would otherwise become an ordered list).
fn escape(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    if at_line_start {
        let digits = out.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && matches!(out.as_bytes().get(digits), Some(b'.' | b')')) {
            out.insert(digits, '\\');
        } else if out.starts_with(['-', '+']) {
            out.insert(0, '\\');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text() {
        assert_eq!(escape("**重点**", false), "\\*\\*重点\\*\\*");
        assert_eq!(escape("1.开头", true), "1\\.开头");
        assert_eq!(escape("1.开头", false), "1.开头");
        assert_eq!(escape("- 列表", true), "\\- 列表");
        assert_eq!(escape("<b>", false), "\\<b\\>");
    }
}
