//! Checks a rectification progress report (巡察整改进展情况的通报) before it is published, the way a
//! careful proof-reader would: numbering that skips, headline figures that do not match the
//! list, broken enumerations (三加强… for 三是加强…), half-width punctuation, dates after the report
//! date given as done, place names of another prefecture, page-break and markup artefacts,
//! sentences pasted into several problems, completion rates that do not add up and variant
//! characters.
//!
//! ```no_run
//! let defects = rectify_report_lint::lint_file(std::path::Path::new("report.txt"))?;
//! print!("{}", rectify_report_lint::to_text(&defects));
//! // or one line per kind: "41 处半角标点（halfwidth_punctuation）：第 3、5、7… 行"
//! print!("{}", rectify_report_lint::to_grouped_text(&defects));
//! # Ok::<(), rectify_report_reader::ReadError>(())
//! ```
//!
//! Every check works on the raw lines so that line numbers point into the input; the parsed
//! ledger only contributes the report date, the unit and the title when the reader found them.

mod dates;
mod duplicates;
mod figures;
pub mod gazetteer;
mod places;
mod punctuation;
mod structure;
mod summary;
mod text;

pub use summary::{DefectGroup, GROUP_LINES, group, to_grouped_text};

use std::fmt;
use std::path::Path;

use rectify_domain::PartialDate;
use rectify_report_reader::{Document, Parsed, ReadError};
use serde::Serialize;

/// What is wrong; serialised in snake_case as the `kind` of the defects JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectKind {
    /// A numbered sequence skips or repeats.
    NumberingGap,
    /// A claimed figure differs from what the report lists.
    CountMismatch,
    /// 一是、二是、三加强…: an enumeration marker lost its 是.
    BrokenEnumeration,
    /// ASCII punctuation inside Chinese prose.
    HalfwidthPunctuation,
    /// A date later than the report date, given as done.
    DateAfterReport,
    /// A place of another prefecture than the unit's.
    ForeignPlace,
    /// A word or sentence split by a page break, an item glued to the previous line, or markup.
    PageBreakArtifact,
    /// A sentence repeated verbatim in different problems.
    DuplicateText,
    /// A stated completion rate that the stated counts do not give.
    RateMismatch,
    /// A non-standard variant character (台帐 for 台账).
    VariantCharacter,
}

impl DefectKind {
    /// The name used in JSON and in the text listing.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NumberingGap => "numbering_gap",
            Self::CountMismatch => "count_mismatch",
            Self::BrokenEnumeration => "broken_enumeration",
            Self::HalfwidthPunctuation => "halfwidth_punctuation",
            Self::DateAfterReport => "date_after_report",
            Self::ForeignPlace => "foreign_place",
            Self::PageBreakArtifact => "page_break_artifact",
            Self::DuplicateText => "duplicate_text",
            Self::RateMismatch => "rate_mismatch",
            Self::VariantCharacter => "variant_character",
        }
    }
}

impl fmt::Display for DefectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: what, where (1-based line of the input; for .docx the paragraph), a short
/// excerpt (at most 40 characters) and an English explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Defect {
    pub kind: DefectKind,
    pub line: usize,
    pub excerpt: String,
    pub message: String,
}

impl Defect {
    pub(crate) fn new(kind: DefectKind, line: usize, excerpt: String, message: String) -> Self {
        Self { kind, line, excerpt, message }
    }
}

/// Facts about the report that a parser may have found more reliably than the linter's own
/// scan of the first and last lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The signature date (成文日期); without it `date_after_report` is not checked.
    pub report_date: Option<PartialDate>,
    /// The issuing unit, e.g. 中共某某市某某局党组; locates the unit for `foreign_place`.
    pub unit: Option<String>,
    pub title: Option<String>,
}

/// Checks a read and parsed report. Defects are sorted by line.
#[must_use]
pub fn lint(doc: &Document, parsed: &Parsed) -> Vec<Defect> {
    let ledger = &parsed.ledger;
    let context = Context { report_date: ledger.report_date, unit: ledger.unit.clone(), title: ledger.title.clone() };
    lint_lines(&doc.lines, &context)
}

/// Reads, parses and checks a report file (.txt in UTF-8, GB18030 or UTF-16; .docx).
pub fn lint_file(path: &Path) -> Result<Vec<Defect>, ReadError> {
    let doc = rectify_report_reader::read_document(path)?;
    let parsed = rectify_report_reader::parse(&doc);
    Ok(lint(&doc, &parsed))
}

/// Checks report lines directly; what `context` leaves open is looked up in the text (the
/// signature date, the unit in the title or signature). Defects are sorted by line.
#[must_use]
pub fn lint_lines<S: AsRef<str>>(lines: &[S], context: &Context) -> Vec<Defect> {
    let doc = text::Doc::new(lines);
    let outline = structure::Outline::new(&doc);
    let mut out = Vec::new();
    outline.check(&doc, &mut out);
    figures::check(&doc, &outline, &mut out);
    punctuation::check(&doc, &mut out);
    duplicates::check(&doc, &outline, &mut out);
    if let Some(date) = context.report_date.or_else(|| dates::report_date(&doc)) {
        dates::check(&doc, &outline, date, &mut out);
    }
    let header = header_lines(&doc, context);
    if let Some(home) = places::Home::find(&header, &doc) {
        places::check(&doc, home, &mut out);
    }
    out.sort_by_key(|d| (d.line, d.kind));
    out
}

/// Where a report names its unit: the unit and title from the context, the first line if it
/// is a title, and the signature block at the end (short lines without a full stop).
fn header_lines<'a>(doc: &'a text::Doc, context: &'a Context) -> Vec<&'a str> {
    // A title or a signature: short, and without the punctuation of prose (a page cut in the
    // middle of a paragraph also ends on a short line).
    let short = |line: &&String| line.chars().count() <= 60 && !line.contains(['。', '，', ',', '；', ';']);
    let filled = || doc.lines().iter().filter(|l| !l.trim().is_empty());
    let mut header: Vec<&str> = context.unit.iter().chain(&context.title).map(String::as_str).collect();
    header.extend(filled().take(1).filter(short).map(String::as_str));
    header.extend(filled().rev().take_while(short).take(4).map(String::as_str));
    header
}

/// The defects JSON of the CLI contract: `{ "defects": [ … ] }`.
#[must_use]
pub fn to_json(defects: &[Defect]) -> serde_json::Value {
    serde_json::json!({ "defects": defects })
}

/// One defect per line: `L42 numbering_gap: message  «excerpt»`.
#[must_use]
pub fn to_text(defects: &[Defect]) -> String {
    defects.iter().map(|d| format!("L{} {}: {}  «{}»\n", d.line, d.kind, d.message, d.excerpt)).collect()
}
