//! Puts the children of WordprocessingML property elements into the order ECMA-376 Part 1
//! requires.
//!
//! docx-rs writes e.g. `<w:pPr><w:rPr/><w:pStyle/>…` and `<w:rPr><w:sz/><w:rFonts/>…`, while
//! CT_PPr wants `pStyle` first and EG_RPrBase wants `rFonts` before `sz`. LibreOffice does not
//! mind; Word may refuse the part or silently drop run properties that are out of sequence.
//! The rewrite works on the raw bytes: only whole child elements of the listed parents move
//! (stably, unknown ones last), and everything else — declarations, attributes, text, the
//! whitespace between children — is copied as it was.

use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The WordprocessingML namespaces (transitional and strict).
const WML_NAMESPACES: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];

/// CT_PPr (§17.3.1.26): CT_PPrBase, then the paragraph mark's rPr, sectPr and pPrChange. The
/// pPr of a style, of the document defaults and of a numbering level is CT_PPrGeneral: the same
/// sequence without rPr and sectPr.
const PARAGRAPH_PROPERTIES: &[&str] = &[
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
];

/// CT_ParaRPr (§17.3.1.29): the revision marks, EG_RPrBase, rPrChange. A run's CT_RPr and the
/// CT_RPr of styles and defaults are the same sequence without the revision marks.
const RUN_PROPERTIES: &[&str] = &[
    "ins",
    "del",
    "moveFrom",
    "moveTo",
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "rPrChange",
];

/// CT_SectPr (§17.6.17): the header and footer references are one choice group (kept in their
/// own order), then EG_SectPrContents and sectPrChange.
const SECTION_PROPERTIES: &[&str] = &[
    "headerReference|footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
];

/// CT_Style (§17.7.4.17).
const STYLE: &[&str] = &[
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
];

/// CT_TblPr (§17.4.60): CT_TblPrBase (also a table style's tblPr), then tblPrChange.
const TABLE_PROPERTIES: &[&str] = &[
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
];

/// CT_TrPr (§17.4.82): CT_TrPrBase is an unordered choice, so its children share one rank;
/// the revision marks and trPrChange follow.
const ROW_PROPERTIES: &[&str] = &[
    "cnfStyle|divId|gridBefore|gridAfter|wBefore|wAfter|cantSplit|trHeight|tblHeader|tblCellSpacing|jc|hidden",
    "ins",
    "del",
    "trPrChange",
];

/// CT_TcPr (§17.4.70): CT_TcPrBase, the cell revision marks (one choice), tcPrChange.
const CELL_PROPERTIES: &[&str] = &[
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns|cellDel|cellMerge",
    "tcPrChange",
];

/// CT_Settings (§17.15.1.78). `mathPr` and `schemaLibrary` belong to other namespaces.
const SETTINGS: &[&str] = &[
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
];

/// The rank of children that the schema sequence does not name: after all known ones.
const UNKNOWN: u8 = u8::MAX;

/// An element whose children must follow a schema sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    ParagraphProperties,
    RunProperties,
    SectionProperties,
    Style,
    TableProperties,
    RowProperties,
    CellProperties,
    Settings,
}

impl Parent {
    /// The parent a WordprocessingML element's local name stands for.
    fn of(local: &str) -> Option<Parent> {
        Some(match local {
            "pPr" => Parent::ParagraphProperties,
            "rPr" => Parent::RunProperties,
            "sectPr" => Parent::SectionProperties,
            "style" => Parent::Style,
            "tblPr" => Parent::TableProperties,
            "trPr" => Parent::RowProperties,
            "tcPr" => Parent::CellProperties,
            "settings" => Parent::Settings,
            _ => return None,
        })
    }

    fn sequence(self) -> &'static [&'static str] {
        match self {
            Parent::ParagraphProperties => PARAGRAPH_PROPERTIES,
            Parent::RunProperties => RUN_PROPERTIES,
            Parent::SectionProperties => SECTION_PROPERTIES,
            Parent::Style => STYLE,
            Parent::TableProperties => TABLE_PROPERTIES,
            Parent::RowProperties => ROW_PROPERTIES,
            Parent::CellProperties => CELL_PROPERTIES,
            Parent::Settings => SETTINGS,
        }
    }

    /// Position of a child in this parent's sequence; [`UNKNOWN`] when it has none.
    fn rank(self, in_wml: bool, local: &str) -> u8 {
        // Settings name two children from the math and schema-library namespaces.
        let named = in_wml || (self == Parent::Settings && matches!(local, "mathPr" | "schemaLibrary"));
        if !named {
            return UNKNOWN;
        }
        self.sequence()
            .iter()
            .position(|group| group.split('|').any(|name| name == local))
            .and_then(|rank| u8::try_from(rank).ok())
            .unwrap_or(UNKNOWN)
    }
}

/// An element open inside the part.
struct Frame {
    /// Set when this element's children follow a schema sequence.
    parent: Option<Parent>,
    /// `w:p`: only a paragraph's own pPr may hold run properties.
    is_paragraph: bool,
    /// An attribute-less `w:rPr` (dropped from a CT_PPrGeneral when it also has no children).
    bare_run_properties: bool,
    /// This element's rank among the children of the element it sits in.
    rank: u8,
    /// Where the start tag begins in the output.
    element_start: usize,
    /// Where the children begin in the output.
    content_start: usize,
    /// Index of this element's first finished child in the shared child list.
    first_child: usize,
}

/// A finished child of an element being reordered, as a byte range of the output.
struct Child {
    rank: u8,
    range: Range<usize>,
    /// An empty `w:rPr` without attributes: it carries nothing.
    empty_run_properties: bool,
}

/// Buffers reused across the elements of a part.
#[derive(Default)]
struct Scratch {
    bytes: Vec<u8>,
    order: Vec<usize>,
}

/// `xml` with the children of `w:pPr`, `w:rPr`, `w:sectPr`, `w:style`, `w:tblPr`, `w:trPr`,
/// `w:tcPr` and `w:settings` stably sorted into schema order; children a sequence does not know
/// go last in their own order. Nothing else changes, except that an empty `<w:rPr/>` is left out
/// of the pPr of a style, a numbering level or the document defaults (CT_PPrGeneral, which has no
/// rPr; docx-rs writes one into every pPr).
pub(crate) fn to_schema_order(xml: &[u8]) -> Result<Vec<u8>, quick_xml::Error> {
    let mut out = Vec::with_capacity(xml.len());
    // The reader's positions leave out a byte order mark: copy it here and parse the rest.
    let xml = match xml.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            out.extend_from_slice(b"\xEF\xBB\xBF");
            rest
        }
        None => xml,
    };
    let mut reader = Reader::from_reader(xml);
    let mut open: Vec<Frame> = Vec::with_capacity(32);
    let mut children: Vec<Child> = Vec::with_capacity(64);
    let mut scratch = Scratch::default();
    let mut wml_prefix: Option<String> = None;
    let mut copied = 0usize;
    loop {
        let event = reader.read_event()?;
        let end = usize::try_from(reader.buffer_position()).map_or(xml.len(), |p| p.min(xml.len()));
        // This event's raw bytes, with anything the reader skipped before it.
        let raw = xml.get(copied..end).unwrap_or_default();
        copied = end;
        match event {
            Event::Start(e) => {
                let prefix = wml_prefix.get_or_insert_with(|| declared_wml_prefix(&e));
                let name = e.name();
                let (in_wml, local) = split_name(name.as_ref(), prefix);
                let rank = open.last().and_then(|o| o.parent).map_or(UNKNOWN, |p| p.rank(in_wml, local));
                let element_start = out.len();
                out.extend_from_slice(raw);
                open.push(Frame {
                    parent: if in_wml { Parent::of(local) } else { None },
                    is_paragraph: in_wml && local == "p",
                    bare_run_properties: in_wml && local == "rPr" && e.attributes_raw().trim().is_empty(),
                    rank,
                    element_start,
                    content_start: out.len(),
                    first_child: children.len(),
                });
            }
            Event::End(_) => {
                let Some(frame) = open.pop() else {
                    out.extend_from_slice(raw);
                    continue;
                };
                if let Some(parent) = frame.parent {
                    let kids = children.get(frame.first_child..).unwrap_or_default();
                    let drop_empty_run_properties =
                        parent == Parent::ParagraphProperties && open.last().is_some_and(|o| !o.is_paragraph);
                    reorder(&mut out, frame.content_start, kids, drop_empty_run_properties, &mut scratch);
                }
                children.truncate(frame.first_child);
                let empty_run_properties = frame.bare_run_properties
                    && out.get(frame.content_start..).unwrap_or_default().iter().all(u8::is_ascii_whitespace);
                out.extend_from_slice(raw);
                if open.last().is_some_and(|o| o.parent.is_some()) {
                    children.push(Child {
                        rank: frame.rank,
                        range: frame.element_start..out.len(),
                        empty_run_properties,
                    });
                }
            }
            Event::Empty(e) => {
                let prefix = wml_prefix.get_or_insert_with(|| declared_wml_prefix(&e));
                let start = out.len();
                out.extend_from_slice(raw);
                if let Some(parent) = open.last().and_then(|o| o.parent) {
                    let name = e.name();
                    let (in_wml, local) = split_name(name.as_ref(), prefix);
                    children.push(Child {
                        rank: parent.rank(in_wml, local),
                        range: start..out.len(),
                        empty_run_properties: in_wml && local == "rPr" && e.attributes_raw().trim().is_empty(),
                    });
                }
            }
            Event::Eof => {
                out.extend_from_slice(xml.get(copied..).unwrap_or_default());
                break;
            }
            _ => out.extend_from_slice(raw),
        }
    }
    Ok(out)
}

/// Rewrites `out[content_start..]` (one element's children, its end tag not yet written) with
/// the child elements sorted by rank into the same slots: the text between children stays where
/// it is.
fn reorder(out: &mut Vec<u8>, content_start: usize, kids: &[Child], drop_empty: bool, scratch: &mut Scratch) {
    let dropping = drop_empty && kids.iter().any(|c| c.empty_run_properties);
    if !dropping && kids.is_sorted_by_key(|c| c.rank) {
        return;
    }
    scratch.order.clear();
    scratch
        .order
        .extend((0..kids.len()).filter(|&i| !(drop_empty && kids.get(i).is_some_and(|c| c.empty_run_properties))));
    scratch.order.sort_by_key(|&i| kids.get(i).map_or(UNKNOWN, |c| c.rank));
    scratch.bytes.clear();
    let mut cursor = content_start;
    let mut kept = scratch.order.iter().filter_map(|&i| kids.get(i));
    for slot in kids {
        scratch.bytes.extend_from_slice(out.get(cursor..slot.range.start).unwrap_or_default());
        if let Some(child) = kept.next() {
            scratch.bytes.extend_from_slice(out.get(child.range.clone()).unwrap_or_default());
        }
        cursor = slot.range.end;
    }
    scratch.bytes.extend_from_slice(out.get(cursor..).unwrap_or_default());
    out.truncate(content_start);
    out.extend_from_slice(&scratch.bytes);
}

/// The prefix the root element binds to the WordprocessingML namespace (`""` when it is the
/// default namespace); `w` when the root declares none, as in a fragment.
fn declared_wml_prefix(root: &BytesStart<'_>) -> String {
    root.attributes()
        .flatten()
        .find_map(|a| {
            let key: &str = a.key.as_ref();
            let prefix = if key == "xmlns" { Some("") } else { key.strip_prefix("xmlns:") };
            prefix.filter(|_| WML_NAMESPACES.contains(&a.value.as_ref())).map(str::to_string)
        })
        .unwrap_or_else(|| "w".to_string())
}

/// Whether a qualified name is in the WordprocessingML namespace, and its local name.
fn split_name<'n>(qname: &'n str, wml_prefix: &str) -> (bool, &'n str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (prefix == wml_prefix, local),
        None => (wml_prefix.is_empty(), qname),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn order(xml: &str) -> String {
        String::from_utf8(to_schema_order(xml.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn paragraph_properties_put_the_style_first_and_the_mark_properties_last() {
        let xml = r#"<w:p><w:pPr><w:rPr><w:b/></w:rPr><w:jc w:val="center"/><w:pStyle w:val="A"/><w:keepNext/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"#;
        assert_eq!(
            order(xml),
            r#"<w:p><w:pPr><w:pStyle w:val="A"/><w:keepNext/><w:jc w:val="center"/><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn run_properties_put_the_fonts_before_the_size() {
        let xml = r#"<w:r><w:rPr><w:sz w:val="32" /><w:szCs w:val="32" /><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312" /><w:spacing w:val="-5" /></w:rPr><w:t xml:space="preserve">一 &amp; 二</w:t></w:r>"#;
        assert_eq!(
            order(xml),
            r#"<w:r><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312" /><w:spacing w:val="-5" /><w:sz w:val="32" /><w:szCs w:val="32" /></w:rPr><w:t xml:space="preserve">一 &amp; 二</w:t></w:r>"#
        );
    }

    #[test]
    fn nested_run_properties_are_ordered_inside_their_reordered_parent() {
        let xml = r#"<w:p><w:pPr><w:rPr><w:sz w:val="28"/><w:ins w:id="1"/><w:b/></w:rPr><w:ind w:left="0"/><w:pStyle w:val="A"/></w:pPr></w:p>"#;
        assert_eq!(
            order(xml),
            r#"<w:p><w:pPr><w:pStyle w:val="A"/><w:ind w:left="0"/><w:rPr><w:ins w:id="1"/><w:b/><w:sz w:val="28"/></w:rPr></w:pPr></w:p>"#
        );
    }

    #[test]
    fn section_properties_lead_with_the_references_in_their_own_order() {
        let xml = r#"<w:sectPr><w:pgSz w:w="11906"/><w:pgMar w:top="2098"/><w:cols w:space="425"/><w:docGrid w:type="lines"/><w:footerReference w:type="default" r:id="f1"/><w:headerReference w:type="default" r:id="h1"/><w:footerReference w:type="even" r:id="f2"/><w:titlePg/></w:sectPr>"#;
        assert_eq!(
            order(xml),
            r#"<w:sectPr><w:footerReference w:type="default" r:id="f1"/><w:headerReference w:type="default" r:id="h1"/><w:footerReference w:type="even" r:id="f2"/><w:pgSz w:w="11906"/><w:pgMar w:top="2098"/><w:cols w:space="425"/><w:titlePg/><w:docGrid w:type="lines"/></w:sectPr>"#
        );
    }

    #[test]
    fn a_style_as_docx_rs_writes_it_comes_out_in_ct_style_order() {
        let xml = r#"<w:style w:type="paragraph" w:styleId="Body"><w:name w:val="正文" /><w:rPr><w:sz w:val="32" /><w:rFonts w:ascii="黑体" /></w:rPr><w:pPr><w:rPr /><w:jc w:val="both" /><w:ind w:firstLine="640" /><w:spacing w:line="579" /></w:pPr><w:next w:val="Body" /><w:qFormat /><w:basedOn w:val="Normal" /></w:style>"#;
        // The empty rPr of the style's pPr (CT_PPrGeneral has none) is the only thing dropped.
        assert_eq!(
            order(xml),
            r#"<w:style w:type="paragraph" w:styleId="Body"><w:name w:val="正文" /><w:basedOn w:val="Normal" /><w:next w:val="Body" /><w:qFormat /><w:pPr><w:spacing w:line="579" /><w:ind w:firstLine="640" /><w:jc w:val="both" /></w:pPr><w:rPr><w:rFonts w:ascii="黑体" /><w:sz w:val="32" /></w:rPr></w:style>"#
        );
    }

    #[test]
    fn empty_run_properties_leave_only_a_general_paragraph_property_list() {
        // A paragraph's own pPr keeps its (empty) mark properties.
        let paragraph = r#"<w:p><w:pPr><w:rPr></w:rPr><w:jc w:val="left"/></w:pPr></w:p>"#;
        assert_eq!(order(paragraph), r#"<w:p><w:pPr><w:jc w:val="left"/><w:rPr></w:rPr></w:pPr></w:p>"#);
        // In a numbering level or the defaults an empty one goes, self-closing or not; one with
        // content is kept (and put last) rather than lose what it says.
        let level = r#"<w:lvl w:ilvl="0"><w:lvlJc w:val="left" /><w:pPr><w:rPr></w:rPr><w:ind w:left="420" /></w:pPr><w:rPr /></w:lvl>"#;
        assert_eq!(
            order(level),
            r#"<w:lvl w:ilvl="0"><w:lvlJc w:val="left" /><w:pPr><w:ind w:left="420" /></w:pPr><w:rPr /></w:lvl>"#
        );
        let defaults = r#"<w:pPrDefault><w:pPr><w:rPr /></w:pPr></w:pPrDefault><w:pPrDefault><w:pPr><w:rPr><w:b/></w:rPr><w:jc w:val="left"/></w:pPr></w:pPrDefault>"#;
        assert_eq!(
            order(defaults),
            r#"<w:pPrDefault><w:pPr></w:pPr></w:pPrDefault><w:pPrDefault><w:pPr><w:jc w:val="left"/><w:rPr><w:b/></w:rPr></w:pPr></w:pPrDefault>"#
        );
        // An rPr with attributes is not empty.
        let attributed = r#"<w:style><w:pPr><w:rPr w14:x="1"/><w:jc w:val="left"/></w:pPr></w:style>"#;
        assert_eq!(order(attributed), r#"<w:style><w:pPr><w:jc w:val="left"/><w:rPr w14:x="1"/></w:pPr></w:style>"#);
    }

    #[test]
    fn unknown_children_go_last_in_their_own_order() {
        let xml = r#"<w:rPr><w14:textOutline w14:w="1"><w14:noFill/></w14:textOutline><w:sz w:val="2"/><w:madeUp/><w:b/><w14:ligatures w14:val="all"/></w:rPr>"#;
        assert_eq!(
            order(xml),
            r#"<w:rPr><w:b/><w:sz w:val="2"/><w14:textOutline w14:w="1"><w14:noFill/></w14:textOutline><w:madeUp/><w14:ligatures w14:val="all"/></w:rPr>"#
        );
    }

    #[test]
    fn self_closing_and_open_close_children_move_whole() {
        let xml = r#"<w:r><w:rPr><w:sz w:val="2"></w:sz><w:color w:val="FF0000"/><w:b></w:b></w:rPr></w:r><w:p><w:pPr></w:pPr><w:pPr/></w:p>"#;
        assert_eq!(
            order(xml),
            r#"<w:r><w:rPr><w:b></w:b><w:color w:val="FF0000"/><w:sz w:val="2"></w:sz></w:rPr></w:r><w:p><w:pPr></w:pPr><w:pPr/></w:p>"#
        );
    }

    #[test]
    fn everything_outside_the_moved_children_is_kept_byte_for_byte() {
        let head = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<!-- made by hand -->\n\
            <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:a=\"urn:a\">\n  <w:body>\n";
        let xml = format!(
            "{head}    <w:p w:rsidR = '00A1'>\n      <w:pPr>\n        <w:jc w:val=\"both\"  />\n        <!-- keep -->\n        <w:pStyle w:val='Body'/>\n      </w:pPr>\n      <w:r><w:t xml:space=\"preserve\"> a &lt; b &#x4E00; </w:t><w:t><![CDATA[<w:sz/>]]></w:t></w:r>\n    </w:p>\n    <a:pPr><a:z/><a:b/></a:pPr>\n  </w:body>\n</w:document>\n"
        );
        // The two elements swap slots; the whitespace, the comment and all else stay put.
        let expected = format!(
            "{head}    <w:p w:rsidR = '00A1'>\n      <w:pPr>\n        <w:pStyle w:val='Body'/>\n        <!-- keep -->\n        <w:jc w:val=\"both\"  />\n      </w:pPr>\n      <w:r><w:t xml:space=\"preserve\"> a &lt; b &#x4E00; </w:t><w:t><![CDATA[<w:sz/>]]></w:t></w:r>\n    </w:p>\n    <a:pPr><a:z/><a:b/></a:pPr>\n  </w:body>\n</w:document>\n"
        );
        assert_eq!(order(&xml), expected);
        // Already in order: not a byte changes.
        assert_eq!(order(&expected), expected);
    }

    #[test]
    fn the_wordprocessing_namespace_is_found_by_uri_not_by_prefix() {
        // DrawingML's a:pPr has its own children and is left alone; here "w" is not WML at all.
        let xml = r#"<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w="urn:other"><x:p><x:pPr><x:jc/><x:pStyle/></x:pPr></x:p><w:pPr><w:jc/><w:pStyle/></w:pPr></x:document>"#;
        assert_eq!(
            order(xml),
            r#"<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w="urn:other"><x:p><x:pPr><x:pStyle/><x:jc/></x:pPr></x:p><w:pPr><w:jc/><w:pStyle/></w:pPr></x:document>"#
        );
        let default_ns = r#"<document xmlns="http://purl.oclc.org/ooxml/wordprocessingml/main"><p><pPr><jc/><pStyle/></pPr></p></document>"#;
        assert_eq!(
            order(default_ns),
            r#"<document xmlns="http://purl.oclc.org/ooxml/wordprocessingml/main"><p><pPr><pStyle/><jc/></pPr></p></document>"#
        );
    }

    #[test]
    fn table_properties_follow_their_sequences() {
        let xml = r#"<w:tbl><w:tblPr><w:tblLook w:val="04A0"/><w:tblW w:w="0"/><w:tblStyle w:val="Grid"/></w:tblPr><w:tr><w:trPr><w:ins w:id="2"/><w:tblHeader/><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:vAlign w:val="center"/><w:gridSpan w:val="2"/><w:tcW w:w="100"/></w:tcPr></w:tc></w:tr></w:tbl>"#;
        // trPr's base properties are an unordered choice: they keep their order before w:ins.
        assert_eq!(
            order(xml),
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="0"/><w:tblLook w:val="04A0"/></w:tblPr><w:tr><w:trPr><w:tblHeader/><w:cantSplit/><w:ins w:id="2"/></w:trPr><w:tc><w:tcPr><w:tcW w:w="100"/><w:gridSpan w:val="2"/><w:vAlign w:val="center"/></w:tcPr></w:tc></w:tr></w:tbl>"#
        );
    }

    #[test]
    fn settings_as_docx_rs_writes_them_come_out_in_ct_settings_order() {
        let xml = r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><w:defaultTabStop w:val="840" /><w:zoom w:percent="100" /><w:themeFontLang w:val="zh-CN"/><m:mathPr><m:mathFont m:val="Cambria Math"/></m:mathPr><w:compat><w:useFELayout /></w:compat><w:evenAndOddHeaders /></w:settings>"#;
        assert_eq!(
            order(xml),
            r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><w:zoom w:percent="100" /><w:defaultTabStop w:val="840" /><w:evenAndOddHeaders /><w:compat><w:useFELayout /></w:compat><m:mathPr><m:mathFont m:val="Cambria Math"/></m:mathPr><w:themeFontLang w:val="zh-CN"/></w:settings>"#
        );
    }

    #[test]
    fn reordering_twice_changes_nothing_more() {
        let xml = r#"<w:style><w:rPr><w:sz/><w:b/></w:rPr><w:pPr><w:rPr/><w:jc/><w:keepNext/></w:pPr><w:name/></w:style><w:p><w:pPr><w:rPr><w:sz/><w:rFonts/></w:rPr><w:sectPr><w:pgSz/><w:headerReference/></w:sectPr><w:pStyle/></w:pPr></w:p>"#;
        let once = order(xml);
        assert_ne!(once, xml);
        assert_eq!(order(&once), once);
    }

    #[test]
    fn malformed_xml_is_an_error() {
        assert!(to_schema_order(b"<w:p><w:pPr><w:jc/></w:p></w:pPr>").is_err());
    }

    /// The direct children of the only `<w:{parent}>` in `xml`, as raw text.
    fn children_of(xml: &str, parent: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let mut depth = 0usize;
        let mut inside = false;
        let mut start = 0;
        let mut out = Vec::new();
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap();
            let event = reader.read_event().unwrap();
            let after = usize::try_from(reader.buffer_position()).unwrap();
            match event {
                Event::Start(e) if !inside && e.name().as_ref() == format!("w:{parent}") => inside = true,
                Event::Start(_) if inside => {
                    if depth == 0 {
                        start = before;
                    }
                    depth += 1;
                }
                Event::End(_) if inside && depth == 0 => inside = false,
                Event::End(_) if inside => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(xml[start..after].to_string());
                    }
                }
                Event::Empty(_) if inside && depth == 0 => out.push(xml[before..after].to_string()),
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    fn local_name(child: &str) -> &str {
        let name = child.trim_start_matches('<').split([' ', '/', '>']).next().unwrap_or_default();
        name.strip_prefix("w:").unwrap_or(name)
    }

    /// A child element: a known name of the sequence or an unknown one, self-closing or not,
    /// tagged with a serial number so that equal names can be told apart.
    fn arb_children(sequence: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        let names: Vec<String> = sequence
            .iter()
            .flat_map(|g| g.split('|'))
            .map(|n| format!("w:{n}"))
            .chain(["w14:glow", "w:madeUp", "mc:AlternateContent"].map(String::from))
            .collect();
        prop::collection::vec((prop::sample::select(names), any::<bool>()), 0..24).prop_map(|picks| {
            picks
                .into_iter()
                .enumerate()
                .map(|(i, (name, open_close))| {
                    if open_close {
                        format!(r#"<{name} w:n="{i}"><w:x/>t{i}</{name}>"#)
                    } else {
                        format!(r#"<{name} w:n="{i}"/>"#)
                    }
                })
                .collect()
        })
    }

    fn check_sorted(parent: Parent, wrapper: &str, local: &str, children: &[String]) -> Result<(), TestCaseError> {
        let xml = format!("<w:{wrapper}><w:{local}>{}</w:{local}></w:{wrapper}>", children.concat());
        let out = order(&xml);
        let got = children_of(&out, local);
        let rank = |c: &String| {
            let in_wml = c.starts_with("<w:");
            parent.rank(in_wml, local_name(c))
        };
        // Exactly the stable sort by schema rank: the same children, known ones in order,
        // unknown ones last, equal ranks in their original order.
        let mut expected = children.to_vec();
        expected.sort_by_key(rank);
        prop_assert_eq!(&got, &expected);
        prop_assert!(got.iter().map(rank).is_sorted());
        prop_assert_eq!(order(&out), out);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn paragraph_properties_are_sorted_and_complete(children in arb_children(PARAGRAPH_PROPERTIES)) {
            check_sorted(Parent::ParagraphProperties, "p", "pPr", &children)?;
        }

        #[test]
        fn run_properties_are_sorted_and_complete(children in arb_children(RUN_PROPERTIES)) {
            check_sorted(Parent::RunProperties, "r", "rPr", &children)?;
        }
    }
}
