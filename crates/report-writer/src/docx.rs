//! .docx laid out per GB/T 9704-2012: A4, margins 37/35/28/26 mm, 22 lines of 28 characters,
//! 2号 方正小标宋简体 title, 3号 仿宋_GB2312 body, 黑体 / 楷体_GB2312 headings, "— N —" page numbers
//! in 4号 宋体 at the outer corners, signature and date placed per §7.3.5.
//!
//! docx-rs writes the package; its fixed font table is replaced by one that names the Chinese
//! fonts with their English names, panose and GB2312 charset so that Word and WPS substitute
//! sensibly where a font is missing.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BuildXML, DocGrid, DocGridType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Style, StyleType,
};
use rectify_domain::Ledger;

use crate::ooxml_order::to_schema_order;
use crate::{Block, ReportOptions, WriteError, build_blocks};

/// Twentieths of a point per millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;

const fn mm(v: u32) -> i32 {
    // Rounded to the nearest twip: 37 mm → 2098.
    ((v as f64) * TWIPS_PER_MM + 0.5) as i32
}

pub(crate) const PAGE_WIDTH: u32 = 11906; // 210 mm
pub(crate) const PAGE_HEIGHT: u32 = 16838; // 297 mm
pub(crate) const MARGIN_TOP: i32 = mm(37);
pub(crate) const MARGIN_BOTTOM: i32 = mm(35);
pub(crate) const MARGIN_LEFT: i32 = mm(28);
pub(crate) const MARGIN_RIGHT: i32 = mm(26);
/// The page number's dash sits 7 mm below the text block; a 4号 line is about 5 mm high.
const FOOTER_DISTANCE: i32 = mm(35 - 7 - 5);
const HEADER_DISTANCE: i32 = mm(15);
/// 225 mm text block ÷ 22 lines = 28.95 pt, written as an exact line height (579 twips).
pub(crate) const LINE_PITCH: i32 = 579;
/// 3号 = 16 pt (w:sz counts half-points).
pub(crate) const BODY_SIZE: usize = 32;
/// 2号 = 22 pt.
pub(crate) const TITLE_SIZE: usize = 44;
/// 4号 = 14 pt.
pub(crate) const PAGE_NUMBER_SIZE: usize = 28;
/// One 3号 character in twips.
const CHAR: i32 = 320;
/// 156 mm ÷ 28 characters = 315.9 twips per character: condensing each 16 pt character by
/// 0.25 pt (5 twips) puts exactly 28 on a line in any renderer.
const CHARACTER_SPACING: i32 = -5;

// The grid holds: 22 lines fit the 225 mm text block and 23 do not; 28 condensed characters fit
// the 156 mm line and 29 do not.
const _: () = {
    let block_height = PAGE_HEIGHT as i32 - MARGIN_TOP - MARGIN_BOTTOM;
    let block_width = PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT;
    let ch = CHAR + CHARACTER_SPACING;
    assert!(22 * LINE_PITCH <= block_height && 23 * LINE_PITCH > block_height);
    assert!(28 * ch <= block_width && 29 * ch > block_width);
};

pub(crate) const FONT_TITLE: &str = "方正小标宋简体";
pub(crate) const FONT_BODY: &str = "仿宋_GB2312";
pub(crate) const FONT_HEADING1: &str = "黑体";
pub(crate) const FONT_HEADING2: &str = "楷体_GB2312";
pub(crate) const FONT_PAGE_NUMBER: &str = "宋体";

pub(crate) const STYLE_TITLE: &str = "RectifyTitle";
pub(crate) const STYLE_HEADING1: &str = "RectifyHeading1";
pub(crate) const STYLE_HEADING2: &str = "RectifyHeading2";
pub(crate) const STYLE_HEADING3: &str = "RectifyHeading3";
pub(crate) const STYLE_BODY: &str = "RectifyBody";
pub(crate) const STYLE_SIGNATURE: &str = "RectifySignature";
pub(crate) const STYLE_DATE: &str = "RectifyDate";

/// The report as a .docx file.
pub fn render_docx(ledger: &Ledger, opts: &ReportOptions) -> Result<Vec<u8>, WriteError> {
    blocks_to_docx(&build_blocks(ledger, opts))
}

/// Lays out any block list as a GB/T 9704 document (the report, the supervision notice).
pub(crate) fn blocks_to_docx(blocks: &[Block]) -> Result<Vec<u8>, WriteError> {
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(HEADER_DISTANCE)
                .footer(FOOTER_DISTANCE)
                .gutter(0),
        )
        .default_fonts(fonts(FONT_BODY))
        .default_size(BODY_SIZE)
        .footer(page_number_footer(true))
        .even_footer(page_number_footer(false));
    docx.document =
        docx.document.doc_grid(DocGrid::new().grid_type(DocGridType::Lines).line_pitch(LINE_PITCH as usize));
    for style in styles() {
        docx = docx.add_style(style);
    }
    for p in paragraphs(blocks) {
        docx = docx.add_paragraph(p);
    }
    let mut xml = docx.build();
    xml.font_table = font_table_xml().into_bytes();
    in_schema_order("word/document.xml", &mut xml.document)?;
    in_schema_order("word/styles.xml", &mut xml.styles)?;
    in_schema_order("word/settings.xml", &mut xml.settings)?;
    in_schema_order("word/numbering.xml", &mut xml.numberings)?;
    in_schema_order("word/footnotes.xml", &mut xml.footnotes)?;
    in_schema_order("word/comments.xml", &mut xml.comments)?;
    for (i, part) in xml.headers.iter_mut().enumerate() {
        in_schema_order(&format!("word/header{}.xml", i + 1), part)?;
    }
    for (i, part) in xml.footers.iter_mut().enumerate() {
        in_schema_order(&format!("word/footer{}.xml", i + 1), part)?;
    }
    let mut out = Cursor::new(Vec::with_capacity(16 * 1024));
    xml.pack(&mut out).map_err(|e| WriteError::Package(Box::new(e)))?;
    Ok(out.into_inner())
}

/// Rewrites one generated part with its property elements in schema order (docx-rs writes them
/// in its own order, which Word may reject).
fn in_schema_order(part: &str, xml: &mut Vec<u8>) -> Result<(), WriteError> {
    *xml = to_schema_order(xml).map_err(|source| WriteError::PartXml { part: part.to_string(), source })?;
    Ok(())
}

/// The same font for Latin, East Asian and complex-script text, as official templates do.
pub(crate) fn fonts(name: &str) -> RunFonts {
    RunFonts::new().ascii(name).hi_ansi(name).east_asia(name).cs(name)
}

fn exact_lines() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(LINE_PITCH).before(0).after(0)
}

/// A paragraph style with the report's grid: exact 28.95 pt lines, condensed to 28 characters.
fn style(id: &str, name: &str, font: &str, size: usize) -> Style {
    let mut s = Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next(STYLE_BODY)
        .q_format(true)
        .fonts(fonts(font))
        .size(size)
        .line_spacing(exact_lines())
        .align(AlignmentType::Both)
        .indent(Some(0), Some(SpecialIndentType::FirstLine(2 * CHAR)), None, None);
    s.run_property = s.run_property.character_spacing(CHARACTER_SPACING);
    s
}

/// The styles the report's paragraphs refer to; also injected into a unit's template.
pub(crate) fn styles() -> Vec<Style> {
    let title = Style::new(STYLE_TITLE, StyleType::Paragraph)
        .name("通报标题")
        .based_on("Normal")
        .next(STYLE_BODY)
        .q_format(true)
        .fonts(fonts(FONT_TITLE))
        .size(TITLE_SIZE)
        .align(AlignmentType::Center)
        // A 22 pt line would snap to two grid lines in LibreOffice.
        .snap_to_grid(false)
        // On the grid like the text (a taller line would take two grid lines), and one blank
        // line between the title and the text.
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(LINE_PITCH).after(LINE_PITCH as u32))
        .indent(Some(0), None, Some(0), None);
    vec![
        title,
        style(STYLE_HEADING1, "通报一级标题", FONT_HEADING1, BODY_SIZE).outline_lvl(0),
        style(STYLE_HEADING2, "通报二级标题", FONT_HEADING2, BODY_SIZE).outline_lvl(1),
        style(STYLE_HEADING3, "通报三级标题", FONT_BODY, BODY_SIZE).outline_lvl(2),
        style(STYLE_BODY, "通报正文", FONT_BODY, BODY_SIZE),
        style(STYLE_SIGNATURE, "通报署名", FONT_BODY, BODY_SIZE)
            .align(AlignmentType::Right)
            .indent(Some(0), None, Some(0), None)
            // One blank line between the text and the signature.
            .line_spacing(exact_lines().before(LINE_PITCH as u32)),
        style(STYLE_DATE, "通报成文日期", FONT_BODY, BODY_SIZE).align(AlignmentType::Right).indent(
            Some(0),
            None,
            Some(0),
            None,
        ),
    ]
}

/// The blocks as paragraphs referring to [`styles`]; signature and date carry their own
/// right indents.
pub(crate) fn paragraphs(blocks: &[Block]) -> Vec<Paragraph> {
    let signature = blocks.iter().find_map(|b| if let Block::Signature(t) = b { Some(t.as_str()) } else { None });
    let date = blocks.iter().find_map(|b| if let Block::Date(t) = b { Some(t.as_str()) } else { None });
    let (name_indent, date_indent) = signature_indents(signature.unwrap_or(""), date.unwrap_or(""));
    let right = |hundredths: u32| Some(hundredths as i32 * CHAR / 100);
    blocks
        .iter()
        .map(|block| {
            let run = Run::new().add_text(block.text());
            let p = Paragraph::new().add_run(run);
            match block {
                Block::Title(_) => p.style(STYLE_TITLE),
                Block::Heading1(_) => p.style(STYLE_HEADING1).keep_next(true),
                Block::Heading2(_) => p.style(STYLE_HEADING2).keep_next(true),
                Block::Heading3(_) => p.style(STYLE_HEADING3).keep_next(true),
                Block::Paragraph(_) => p.style(STYLE_BODY),
                Block::Signature(_) => {
                    p.style(STYLE_SIGNATURE).keep_next(true).indent(Some(0), None, right(name_indent), None)
                }
                Block::Date(_) => p.style(STYLE_DATE).indent(Some(0), None, right(date_indent), None),
            }
        })
        .collect()
}

/// Paragraphs as WordprocessingML, for insertion into a template's body.
pub(crate) fn paragraphs_xml(blocks: &[Block]) -> String {
    paragraphs(blocks).iter().map(|p| String::from_utf8_lossy(&p.build()).into_owned()).collect()
}

/// Width of text in hundredths of a 3号 character: Han characters one, Arabic digits half, and
/// a quarter for each switch between them (the gap Word and WPS insert between Chinese text
/// and numbers).
fn width(text: &str) -> u32 {
    let glyphs: u32 = text.chars().map(|c| if c.is_ascii() { 50 } else { 100 }).sum();
    let chars: Vec<bool> = text.chars().map(|c| c.is_ascii()).collect();
    let switches = chars.windows(2).filter(|w| w.first() != w.get(1)).count() as u32;
    glyphs + 25 * switches
}

/// Right indents (hundredths of a character) of the signature and the date without a seal
/// (GB/T 9704 §7.3.5.2): the name is right-indented two characters and the date starts two
/// characters to the right of the name's first character; when the date is too long for that,
/// the date is right-indented two characters and the name moves left instead.
pub(crate) fn signature_indents(name: &str, date: &str) -> (u32, u32) {
    let (name_w, date_w) = (width(name), width(date));
    let date_indent = name_w.saturating_sub(date_w).max(200);
    let name_indent = (date_indent + date_w + 200).saturating_sub(name_w);
    (name_indent, date_indent)
}

/// `— N —` in 4号 宋体: right-aligned one character in on odd pages, left on even pages.
fn page_number_footer(odd: bool) -> Footer {
    let run = || Run::new().fonts(fonts(FONT_PAGE_NUMBER)).size(PAGE_NUMBER_SIZE);
    let one_char = Some(PAGE_NUMBER_SIZE as i32 * 10);
    let p = Paragraph::new()
        .add_run(run().add_text("— "))
        .add_run(
            run()
                .add_field_char(FieldCharType::Begin, false)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
        .add_run(run().add_text(" —"));
    let p = if odd {
        p.align(AlignmentType::Right).indent(Some(0), None, one_char, None)
    } else {
        p.align(AlignmentType::Left).indent(one_char, None, Some(0), None)
    };
    Footer::new().add_paragraph(p)
}

/// The font table: each Chinese font with its English name, panose and the GB2312 charset
/// (86), which Word and WPS use to pick a substitute (e.g. 仿宋 for 仿宋_GB2312).
fn font_table_xml() -> String {
    const FONTS: [(&str, &str, &str, &str, &str); 6] = [
        (FONT_BODY, "FangSong_GB2312", "02010609030101010101", "modern", "fixed"),
        (FONT_TITLE, "FZXiaoBiaoSong-B05S", "02000000000000000000", "script", "variable"),
        (FONT_HEADING1, "SimHei", "02010609060101010101", "modern", "fixed"),
        (FONT_HEADING2, "KaiTi_GB2312", "02010609030101010101", "modern", "fixed"),
        (FONT_PAGE_NUMBER, "SimSun", "02010600030101010101", "auto", "variable"),
        ("Times New Roman", "", "02020603050405020304", "roman", "variable"),
    ];
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    for (name, alt, panose, family, pitch) in FONTS {
        let charset = if alt.is_empty() { "00" } else { "86" };
        xml.push_str(&format!(r#"<w:font w:name="{name}">"#));
        if !alt.is_empty() {
            xml.push_str(&format!(r#"<w:altName w:val="{alt}"/>"#));
        }
        xml.push_str(&format!(
            r#"<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>"#
        ));
    }
    xml.push_str("</w:fonts>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_in_twips_match_the_standard() {
        assert_eq!((MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT), (2098, 1984, 1587, 1474));
        // Text block 156 mm × 225 mm.
        assert_eq!(PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT, 8845);
        assert_eq!(PAGE_HEIGHT as i32 - MARGIN_TOP - MARGIN_BOTTOM, 12756);
    }

    #[test]
    fn signature_and_date_follow_the_no_seal_rule() {
        // The date is 3 Han characters, 7 digits (3.5) and 5 switches (1.25): 7.75 characters.
        assert_eq!(width("2024年7月23日"), 775);
        // 14-character name: name indented 2, the date starts 2 characters further right.
        let (name, date) = signature_indents("中共某某市某某办公室党组委员", "2024年7月23日");
        assert_eq!(name, 200);
        assert_eq!(date, 1400 - 775);
        // A short name: the date keeps 2 characters, the name moves left so it still leads by 2.
        let (name, date) = signature_indents("某某局", "2024年7月23日");
        assert_eq!(date, 200);
        assert_eq!(name, 200 + 775 + 200 - 300);
    }
}
