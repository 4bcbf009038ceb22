//! Filling a unit's own letterhead: a .docx with a paragraph `{{正文}}` (the body) and optional
//! `{{标题}}` and `{{日期}}`. Only `word/document.xml` (the placeholders) and `word/styles.xml`
//! (the report's styles, added when missing) change, and both are written with their property
//! elements in schema order; headers, footers, page setup and every other part are copied byte
//! for byte.

use std::io::{Cursor, Read, Write};

use rectify_domain::Ledger;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::docx::{paragraphs_xml, styles};
use crate::ooxml_order::to_schema_order;
use crate::xml::{ParagraphSpan, paragraphs};
use crate::{Block, ReportOptions, WriteError, build_blocks};

const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
pub(crate) const BODY_PLACEHOLDER: &str = "{{正文}}";
pub(crate) const TITLE_PLACEHOLDER: &str = "{{标题}}";
pub(crate) const DATE_PLACEHOLDER: &str = "{{日期}}";

/// The report written into `template_docx`. The title and the date go to `{{标题}}` and
/// `{{日期}}` when the template has them (keeping that paragraph's formatting), else they stay
/// in the body.
pub fn render_docx_with_template(
    ledger: &Ledger,
    opts: &ReportOptions,
    template_docx: &[u8],
) -> Result<Vec<u8>, WriteError> {
    let mut archive = ZipArchive::new(Cursor::new(template_docx)).map_err(WriteError::TemplateZip)?;
    let document = read_part(&mut archive, DOCUMENT)?.ok_or(WriteError::TemplateMissingPart(DOCUMENT))?;
    let styles_xml = read_part(&mut archive, STYLES)?.ok_or(WriteError::TemplateMissingPart(STYLES))?;

    let blocks = build_blocks(ledger, opts);
    let document = in_schema_order(DOCUMENT, &fill_document(&document, &blocks)?)?;
    let styles_xml = in_schema_order(STYLES, &add_styles(&styles_xml)?)?;

    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(template_docx.len() + 16 * 1024)));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).map_err(WriteError::TemplateZip)?;
        let name = file.name().map_err(WriteError::TemplateZip)?.into_owned();
        let replacement = match name.as_str() {
            DOCUMENT => Some(&document),
            STYLES => Some(&styles_xml),
            _ => None,
        };
        match replacement {
            Some(content) => {
                drop(file);
                out.start_file(name, options).map_err(WriteError::TemplateZip)?;
                out.write_all(content)?;
            }
            None => out.raw_copy_file(file).map_err(WriteError::TemplateZip)?,
        }
    }
    Ok(out.finish().map_err(WriteError::TemplateZip)?.into_inner())
}

/// A part we write, with its property elements in schema order: our paragraphs and styles come
/// from docx-rs, and a template made by another tool may itself be out of order.
fn in_schema_order(part: &'static str, xml: &str) -> Result<Vec<u8>, WriteError> {
    to_schema_order(xml.as_bytes()).map_err(|source| WriteError::TemplateXml { part, source })
}

fn read_part<R: Read + std::io::Seek>(
    archive: &mut ZipArchive<R>,
    name: &'static str,
) -> Result<Option<String>, WriteError> {
    let mut file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(WriteError::TemplateZip(e)),
    };
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(Some(text))
}

/// Replaces the placeholder paragraphs of `document.xml`.
pub(crate) fn fill_document(document: &str, blocks: &[Block]) -> Result<String, WriteError> {
    let spans = paragraphs(document).map_err(|source| WriteError::TemplateXml { part: DOCUMENT, source })?;
    let find = |placeholder: &str| spans.iter().find(|p| p.text.contains(placeholder));
    let body = find(BODY_PLACEHOLDER).ok_or(WriteError::TemplateNoBodyPlaceholder)?;
    let title = find(TITLE_PLACEHOLDER);
    let date = find(DATE_PLACEHOLDER);

    let title_text = blocks.iter().find_map(|b| if let Block::Title(t) = b { Some(t.as_str()) } else { None });
    let date_text = blocks.iter().find_map(|b| if let Block::Date(t) = b { Some(t.as_str()) } else { None });
    let body_blocks: Vec<Block> = blocks
        .iter()
        .filter(|b| match b {
            Block::Title(_) => title.is_none(),
            Block::Date(_) => date.is_none(),
            _ => true,
        })
        .cloned()
        .collect();

    let mut edits: Vec<(std::ops::Range<usize>, String)> = vec![(body.range.clone(), paragraphs_xml(&body_blocks))];
    if let Some(p) = title {
        edits.push((p.range.clone(), refill(document, p, TITLE_PLACEHOLDER, title_text.unwrap_or(""))));
    }
    if let Some(p) = date {
        edits.push((p.range.clone(), refill(document, p, DATE_PLACEHOLDER, date_text.unwrap_or(""))));
    }
    // The same paragraph may hold two placeholders; the body wins, then the first found.
    edits.sort_by_key(|(r, _)| r.start);
    edits.dedup_by(|later, earlier| later.0.start < earlier.0.end);
    let mut out = String::with_capacity(document.len() + edits.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut at = 0;
    for (range, replacement) in &edits {
        out.push_str(document.get(at..range.start).unwrap_or_default());
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(document.get(at..).unwrap_or_default());
    Ok(out)
}

/// The paragraph rewritten as one run with `placeholder` replaced by `value`, keeping the
/// paragraph's properties and the formatting of its first text run.
fn refill(document: &str, p: &ParagraphSpan, placeholder: &str, value: &str) -> String {
    let slice = |r: &Option<std::ops::Range<usize>>| r.clone().and_then(|r| document.get(r)).unwrap_or_default();
    let open_tag_end = document.get(p.range.clone()).and_then(|s| s.find('>')).map_or(0, |i| i + 1);
    let open_tag = document.get(p.range.start..p.range.start + open_tag_end).unwrap_or("<w:p>");
    let text = p.text.replace(placeholder, value);
    format!(
        r#"{open_tag}{}<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        slice(&p.properties),
        slice(&p.first_run_properties),
        quick_xml::escape::escape(text.as_str())
    )
}

/// Adds the report's paragraph styles to the template's `styles.xml` unless a style of the same
/// id is already there (a template made from an earlier report).
fn add_styles(styles_xml: &str) -> Result<String, WriteError> {
    let close =
        styles_xml.rfind("</w:styles>").ok_or(WriteError::TemplateMissingPart("</w:styles> in word/styles.xml"))?;
    let mut added = String::new();
    for style in styles() {
        let marker = format!(r#"w:styleId="{}""#, style.style_id);
        if !styles_xml.contains(&marker) {
            added.push_str(&String::from_utf8_lossy(&docx_rs::BuildXML::build(&style)));
        }
    }
    let (head, tail) = styles_xml.split_at(close);
    Ok(format!("{head}{added}{tail}"))
}
