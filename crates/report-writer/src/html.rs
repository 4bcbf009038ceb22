//! HTML: one self-contained page (inline CSS, no scripts, no outside resources).

use rectify_domain::Ledger;

use crate::docx::signature_indents;
use crate::{Block, ReportOptions, build_blocks};

/// Font stacks: the GB/T 9704 fonts first, then what Windows, macOS and Linux usually have.
const CSS: &str = r#"
body{margin:0;background:#f4f4f4}
main{box-sizing:border-box;max-width:210mm;margin:1.5em auto;padding:37mm 26mm 35mm 28mm;background:#fff;
color:#000;font:16pt/28.95pt "仿宋_GB2312","仿宋",FangSong,STFangsong,"Noto Serif CJK SC","Source Han Serif SC",serif}
h1{margin:0 0 28.95pt;text-align:center;font-weight:normal;font-size:22pt;line-height:1.4;
font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","华文中宋",STZhongsong,"Noto Serif CJK SC","Source Han Serif SC",serif}
h2,h3,h4,p{margin:0;font-size:16pt;font-weight:normal;text-indent:2em;text-align:justify}
h2{font-family:"黑体",SimHei,"Noto Sans CJK SC","Source Han Sans SC",sans-serif}
h3{font-family:"楷体_GB2312","楷体",KaiTi,STKaiti,"AR PL UKai CN","Noto Serif CJK SC",serif}
p.signature,p.date{text-indent:0;text-align:right}
p.signature{margin-top:28.95pt}
@media print{body{background:#fff}main{margin:0;max-width:none;padding:0}@page{size:A4;margin:37mm 26mm 35mm 28mm}}
"#;

/// The report as a complete HTML5 page, every text escaped.
pub fn render_html(ledger: &Ledger, opts: &ReportOptions) -> String {
    blocks_to_html(&build_blocks(ledger, opts))
}

/// Any block list as a complete HTML5 page laid out like the printed document.
pub(crate) fn blocks_to_html(blocks: &[Block]) -> String {
    let title = blocks.iter().find_map(|b| if let Block::Title(t) = b { Some(t.as_str()) } else { None });
    let signature = blocks.iter().find_map(|b| if let Block::Signature(t) = b { Some(t.as_str()) } else { None });
    let date = blocks.iter().find_map(|b| if let Block::Date(t) = b { Some(t.as_str()) } else { None });
    let (name_indent, date_indent) = signature_indents(signature.unwrap_or(""), date.unwrap_or(""));

    let mut out = String::with_capacity(blocks.iter().map(|b| b.text().len() + 32).sum::<usize>() + CSS.len() + 256);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    out.push_str(&escape(title.unwrap_or("整改进展情况的通报")));
    out.push_str("</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    for block in blocks {
        let (open, close) = match block {
            Block::Title(_) => ("<h1>".to_string(), "</h1>"),
            Block::Heading1(_) => ("<h2>".to_string(), "</h2>"),
            Block::Heading2(_) => ("<h3>".to_string(), "</h3>"),
            Block::Heading3(_) => ("<h4>".to_string(), "</h4>"),
            Block::Paragraph(_) => ("<p>".to_string(), "</p>"),
            Block::Signature(_) => {
                (format!("<p class=\"signature\" style=\"padding-right:{}em\">", em(name_indent)), "</p>")
            }
            Block::Date(_) => (format!("<p class=\"date\" style=\"padding-right:{}em\">", em(date_indent)), "</p>"),
        };
        out.push_str(&open);
        out.push_str(&escape(block.text()));
        out.push_str(close);
        out.push('\n');
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Hundredths of a character as a CSS `em` value.
fn em(hundredths: u32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
