//! Turning the bytes of a file into text lines: encoding detection for plain text and
//! paragraph extraction for .docx.

use std::io::{Cursor, Read};

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::{Document, ReadError, SourceKind};

/// word/document.xml of a real report is well under this; the cap stops zip bombs.
const MAX_DOCUMENT_XML: u64 = 256 * 1024 * 1024;

/// Decodes `bytes`, deciding the format by content: a zip archive is read as .docx, anything
/// else as text in UTF-8, UTF-16 (with BOM) or GB18030/GBK.
pub fn read_bytes(bytes: &[u8], file_name: Option<&str>) -> Result<Document, ReadError> {
    let name = file_name.unwrap_or("input");
    if bytes.starts_with(b"PK\x03\x04") {
        return read_docx(bytes, name);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".docx") {
        return Err(ReadError::NotDocx { name: name.to_string(), reason: "it is not a zip archive".into() });
    }
    if lower.ends_with(".doc") && bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::Unsupported { name: name.to_string(), format: "legacy Word .doc".into() });
    }
    if bytes.starts_with(b"%PDF") {
        return Err(ReadError::Unsupported { name: name.to_string(), format: "PDF (extract its text first)".into() });
    }
    let (text, encoding) = decode_text(bytes).ok_or_else(|| ReadError::Undecodable { name: name.to_string() })?;
    if text.contains('\0') {
        return Err(ReadError::Undecodable { name: name.to_string() });
    }
    Ok(Document { lines: split_lines(&text), encoding, kind: SourceKind::Text })
}

/// Text with its encoding name, or `None` when no supported encoding reads it cleanly.
fn decode_text(bytes: &[u8]) -> Option<(String, &'static str)> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        return (!had_errors).then(|| (text.into_owned(), enc.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some((text.to_string(), "UTF-8"));
    }
    // UTF-16 without a BOM shows as every other byte being zero in ASCII-heavy text.
    if let Some(enc) = guess_bomless_utf16(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Some((text.into_owned(), enc.name()));
        }
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (text.into_owned(), "GB18030"))
}

fn guess_bomless_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let even_zero = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zero = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_zero * 3 > pairs && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 3 > pairs && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Splits on `\r\n`, `\n` and lone `\r`, so Windows and old Mac files number lines alike.
fn split_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(['\n', '\r']) {
        lines.push(rest[..pos].to_string());
        let skip = if rest[pos..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[pos + skip..];
    }
    if !rest.is_empty() {
        lines.push(rest.to_string());
    }
    lines
}

fn read_docx(bytes: &[u8], name: &str) -> Result<Document, ReadError> {
    let not_docx = |reason: String| ReadError::NotDocx { name: name.to_string(), reason };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_docx(e.to_string()))?;
    let entry = archive.by_name("word/document.xml").map_err(|_| not_docx("it has no word/document.xml".into()))?;
    let mut xml = Vec::new();
    entry.take(MAX_DOCUMENT_XML).read_to_end(&mut xml).map_err(|e| not_docx(e.to_string()))?;
    let xml = String::from_utf8(xml).map_err(|_| not_docx("word/document.xml is not UTF-8".into()))?;
    let lines = docx_paragraphs(&xml).map_err(not_docx)?;
    Ok(Document { lines, encoding: "UTF-8", kind: SourceKind::Docx })
}

/// One string per `w:p`: the `w:t` texts, `w:tab` as a tab and `w:br` as a space (a soft
/// break keeps the paragraph's index equal to its line number).
fn docx_paragraphs(xml: &str) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_str(xml);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_paragraph = false;
    let mut in_text = false;
    loop {
        let event = reader.read_event().map_err(|e| format!("word/document.xml is not well-formed: {e}"))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "p" => {
                    in_paragraph = true;
                    current.clear();
                }
                "t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "p" => paragraphs.push(String::new()),
                "tab" if in_paragraph => current.push('\t'),
                "br" | "cr" if in_paragraph => current.push(' '),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "p" => {
                    in_paragraph = false;
                    paragraphs.push(std::mem::take(&mut current));
                }
                "t" => in_text = false,
                _ => {}
            },
            Event::Text(t) if in_text => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    current.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_gbk_and_utf16_are_detected() {
        let text = "一、整改情况\n1.问题。";
        let doc = read_bytes(text.as_bytes(), None).unwrap();
        assert_eq!((doc.encoding, doc.lines.len()), ("UTF-8", 2));

        let (gbk, _, _) = GB18030.encode(text);
        let doc = read_bytes(&gbk, Some("a.txt")).unwrap();
        assert_eq!(doc.encoding, "GB18030");
        assert_eq!(doc.lines[1], "1.问题。");

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let doc = read_bytes(&utf16, None).unwrap();
        assert_eq!(doc.encoding, "UTF-16LE");
        assert_eq!(doc.lines[0], "一、整改情况");
    }

    #[test]
    fn line_endings() {
        assert_eq!(split_lines("a\r\nb\rc\n\nd"), vec!["a", "b", "c", "", "d"]);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(read_bytes(&[0x81, 0x20, 0xFF, 0xFE, 0x00, 0x81], None).is_err());
        assert!(read_bytes(b"PK\x03\x04garbage", Some("x.docx")).is_err());
        assert!(read_bytes(b"not a zip", Some("x.docx")).is_err());
    }

    #[test]
    fn docx_xml_paragraphs() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>一、</w:t></w:r><w:r><w:t xml:space="preserve">整改 &amp; 落实</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(docx_paragraphs(xml).unwrap(), vec!["一、整改 & 落实", "", "a\tb"]);
    }
}
