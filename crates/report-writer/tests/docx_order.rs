//! Every .docx the crate writes keeps the children of the property elements in the order the
//! ECMA-376 Part 1 schema requires (Word rejects or silently ignores what is out of sequence).
//!
//! The sequences below are written out from the schema independently of the library's tables,
//! so a wrong rank there shows up here.

mod support;

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::Event;
use rectify_domain::supervision::Light;
use rectify_report_writer::*;
use support::*;

/// CT_PPr (17.3.1.26): CT_PPrBase, then rPr, sectPr, pPrChange.
const PPR: &str = "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd \
    tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd \
    snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment \
    textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange";
/// CT_ParaRPr (17.3.1.29): the revision marks, EG_RPrBase, then rPrChange; CT_RPr is a subsequence.
const RPR: &str = "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow \
    emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr \
    shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange";
/// CT_SectPr (17.6.17): header and footer references as one group, then EG_SectPrContents.
const SECT_PR: &str = "headerReference|footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders \
    lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings \
    sectPrChange";
/// CT_Style (17.7.4.17).
const STYLE: &str = "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat \
    locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr";
/// CT_Settings (17.15.1.78), as far as the writer's settings part goes.
const SETTINGS: &str = "writeProtection view zoom removePersonalInformation removeDateAndTime \
    doNotDisplayPageBoundaries displayBackgroundShape proofState attachedTemplate trackRevisions documentProtection \
    defaultTabStop autoHyphenation evenAndOddHeaders characterSpacingControl updateFields footnotePr endnotePr \
    compat docVars rsids themeFontLang clrSchemeMapping decimalSymbol listSeparator";

/// The rank of each child name in `sequence`; `a|b` share a rank.
fn ranks(sequence: &str) -> Vec<(String, usize)> {
    sequence
        .split_whitespace()
        .enumerate()
        .flat_map(|(rank, group)| group.split('|').map(move |name| (name.to_string(), rank)))
        .collect()
}

fn sequence_of(parent: &str) -> Option<&'static str> {
    match parent {
        "w:pPr" => Some(PPR),
        "w:rPr" => Some(RPR),
        "w:sectPr" => Some(SECT_PR),
        "w:style" => Some(STYLE),
        "w:settings" => Some(SETTINGS),
        _ => None,
    }
}

/// Every way `xml` breaks the schema sequences: children out of order, children the sequence
/// does not know, and run properties in a pPr that is not a paragraph's own (CT_PPrGeneral in
/// styles, document defaults and numbering levels has no rPr).
fn violations(part: &str, xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    // (element name, names of its element children so far)
    let mut open: Vec<(String, Vec<String>)> = Vec::new();
    let mut found = Vec::new();
    let mut check = |name: &str, parent: Option<&str>, children: &[String]| {
        let Some(sequence) = sequence_of(name) else { return };
        let ranks = ranks(sequence);
        let mut last = 0;
        for child in children {
            let local = child.strip_prefix("w:").unwrap_or(child);
            match ranks.iter().find(|(n, _)| n == local) {
                Some((_, rank)) if *rank < last => {
                    found.push(format!("{part}: <{name}> has {child} after {children:?}"));
                }
                Some((_, rank)) => last = *rank,
                None => found.push(format!("{part}: <{name}> has unexpected child {child}")),
            }
        }
        if name == "w:pPr" && parent != Some("w:p") && children.iter().any(|c| c == "w:rPr") {
            found.push(format!("{part}: <w:pPr> inside {parent:?} holds a w:rPr"));
        }
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if let Some((_, children)) = open.last_mut() {
                    children.push(name.clone());
                }
                open.push((name, Vec::new()));
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                if let Some((_, children)) = open.last_mut() {
                    children.push(name.clone());
                }
                check(&name, open.last().map(|(n, _)| n.as_str()), &[]);
            }
            Event::End(_) => {
                let (name, children) = open.pop().unwrap();
                check(&name, open.last().map(|(n, _)| n.as_str()), &children);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// The XML parts of a package with their names.
fn xml_parts(docx: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names
        .into_iter()
        .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
        .map(|name| {
            let mut text = String::new();
            zip.by_name(&name).unwrap().read_to_string(&mut text).unwrap();
            (name, text)
        })
        .collect()
}

/// Checks the parts named in `only`, or every XML part when it is empty.
fn assert_schema_order(what: &str, docx: &[u8], only: &[&str]) {
    let parts = xml_parts(docx);
    for expected in ["word/document.xml", "word/styles.xml", "word/settings.xml"] {
        assert!(parts.iter().any(|(n, _)| n == expected), "{what}: no {expected}");
    }
    let found: Vec<String> = parts
        .iter()
        .filter(|(name, _)| only.is_empty() || only.contains(&name.as_str()))
        .flat_map(|(name, xml)| violations(name, xml))
        .collect();
    assert!(found.is_empty(), "{what}: {} violations, e.g.\n{}", found.len(), found[..found.len().min(12)].join("\n"));
}

fn notice() -> SupervisionNotice {
    let item = |problem: &str, measure: &str, deadline: &str, light: Light, days_left: i64| NoticeItem {
        problem: problem.into(),
        measure: measure.into(),
        deadline: Some(date(deadline)),
        light,
        days_left: Some(days_left),
        leader: Some("某某".into()),
        departments: vec!["办公室".into(), "财务科".into()],
    };
    SupervisionNotice {
        serial: Some("〔2024〕3号".into()),
        unit: "中共某某县某某局党组".into(),
        issuer: "县委巡察办".into(),
        date: NaiveDate::from_ymd_opt(2024, 6, 20).unwrap(),
        reply_by: NaiveDate::from_ymd_opt(2024, 6, 27),
        items: vec![
            item("针对制度执行不严的问题", "修订议事规则", "2024-05-31", Light::Red, -20),
            item("针对台账不完整的问题", "补齐整改台账", "2024-06-28", Light::Yellow, 6),
        ],
    }
}

fn letterhead() -> Vec<u8> {
    use docx_rs::*;
    let docx = Docx::new()
        .header(Header::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("某某县某某局文件"))))
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().size(36).add_text("{{标题}}")))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("{{正文}}")));
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    out.into_inner()
}

#[test]
fn the_checker_sees_what_docx_rs_writes() {
    // The raw docx-rs order: rPr first in pPr, sz before rFonts, references after docGrid.
    let xml = r#"<w:document><w:body><w:p><w:pPr><w:rPr /><w:pStyle w:val="A" /></w:pPr><w:r><w:rPr><w:sz w:val="32" /><w:rFonts w:ascii="x" /></w:rPr></w:r></w:p><w:sectPr><w:pgSz /><w:footerReference /></w:sectPr></w:body></w:document>"#;
    let found = violations("test", xml);
    assert_eq!(found.len(), 3, "{found:#?}");
    let fixed = r#"<w:document><w:body><w:p><w:pPr><w:pStyle w:val="A" /><w:rPr /></w:pPr><w:r><w:rPr><w:rFonts w:ascii="x" /><w:sz w:val="32" /></w:rPr></w:r></w:p><w:sectPr><w:footerReference /><w:pgSz /></w:sectPr></w:body></w:document>"#;
    assert!(violations("test", fixed).is_empty());
    let style_ppr = r#"<w:styles><w:style><w:name /><w:pPr><w:jc /><w:rPr /></w:pPr></w:style></w:styles>"#;
    assert_eq!(violations("test", style_ppr).len(), 1);
}

#[test]
fn report_parts_are_in_schema_order() {
    for (name, ledger) in [("grouped", grouped_ledger()), ("flat", flat_ledger())] {
        for audience in [Audience::Public, Audience::Internal] {
            let opts = ReportOptions { audience, ..ReportOptions::for_ledger(&ledger) };
            assert_schema_order(&format!("{name} {audience:?}"), &render_docx(&ledger, &opts).unwrap(), &[]);
        }
    }
}

#[test]
fn supervision_notice_parts_are_in_schema_order() {
    assert_schema_order("notice", &render_supervision_notice(&notice()).unwrap(), &[]);
}

#[test]
fn filled_template_parts_are_in_schema_order() {
    let l = grouped_ledger();
    let template = letterhead();
    // The letterhead comes from docx-rs too, so its own paragraphs and styles start out of order.
    let template_parts = xml_parts(&template);
    let document = &template_parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
    assert!(!violations("template", document).is_empty());
    let out = render_docx_with_template(&l, &ReportOptions::for_ledger(&l), &template).unwrap();
    // The writer rewrites these two; the unit's other parts are copied as they are.
    assert_schema_order("template", &out, &["word/document.xml", "word/styles.xml"]);
}

#[test]
fn reordering_keeps_every_fact_the_readers_rely_on() {
    // The order changes, the content does not: fonts, sizes, styles and the text are all there.
    let l = grouped_ledger();
    let parts = xml_parts(&render_docx(&l, &ReportOptions::for_ledger(&l)).unwrap());
    let part = |n: &str| parts.iter().find(|(name, _)| name == n).map(|(_, x)| x.as_str()).unwrap();
    let document = part("word/document.xml");
    assert!(document.contains(r#"<w:pPr><w:pStyle w:val="RectifyTitle" />"#), "pStyle leads the pPr");
    assert!(document.contains(
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1" /><w:footerReference w:type="even" r:id="rIdFooter2" /><w:pgSz w:w="11906" w:h="16838" />"#
    ));
    let styles = part("word/styles.xml");
    assert!(styles.contains(
        r#"<w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:hAnsi="仿宋_GB2312" w:cs="仿宋_GB2312" w:eastAsia="仿宋_GB2312" /><w:spacing w:val="-5" /><w:sz w:val="32" /><w:szCs w:val="32" /></w:rPr>"#
    ));
    let footer = part("word/footer1.xml");
    assert!(
        footer
            .contains(r#"<w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:cs="宋体" w:eastAsia="宋体" /><w:sz w:val="28" />"#)
    );
    assert!(part("word/settings.xml").contains(r#"<w:zoom w:percent="100" /><w:defaultTabStop w:val="840" />"#));
}
