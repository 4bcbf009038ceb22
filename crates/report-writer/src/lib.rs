//! The published progress report (整改进展情况的通报) of one unit, written from its ledger, and the
//! aggregate report of a round (轮次整改情况汇总报告), written from the round's counted figures.
//!
//! Every format is rendered from the same list of typed [`Block`]s built by [`build_blocks`], so
//! the Markdown preview, the HTML page and the .docx (laid out per GB/T 9704-2012 《党政机关公文格式》)
//! never disagree. What the ledger does not know is left out rather than invented; the public
//! version drops withheld problems (keeping their original numbers unless asked to renumber) and
//! names no individuals.

mod blocks;
mod docx;
mod evaluation;
mod html;
mod markdown;
mod notice;
mod numbering;
mod ooxml_order;
mod punct;
mod round;
mod template;
mod text;
mod xml;

pub use blocks::{Block, build_blocks};
pub use docx::render_docx;
pub use evaluation::{EvaluationSheet, SheetAdjustment, SheetLine, render_evaluation_sheet};
pub use html::render_html;
pub use markdown::render_markdown;
pub use notice::{NoticeItem, SupervisionNotice, render_supervision_notice};
pub use numbering::{parse_item_number, strip_measure_ordinal};
pub use punct::to_full_width_punctuation;
pub use round::{BEHIND_LISTED, render_round_docx, render_round_html, render_round_markdown, round_blocks};
pub use template::render_docx_with_template;
pub use text::statistics_sentence;

/// Who the report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// 社会公开版: withheld problems left out, no individual named.
    #[default]
    Public,
    /// 党内通报版: everything, with responsibility and the persons held to account.
    Internal,
}

/// How part 二 lists the problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Grouped under their aspects (方面): （一）… then 1. 2. 3.
    ByAspect,
    /// One numbered list of all problems.
    Flat,
}

impl Layout {
    /// By aspect when the ledger has real aspects (two or more, or a titled one), flat otherwise.
    pub fn default_for(ledger: &rectify_domain::Ledger) -> Layout {
        if ledger.aspects.len() >= 2 || ledger.aspects.iter().any(|a| a.title.is_some()) {
            Layout::ByAspect
        } else {
            Layout::Flat
        }
    }
}

/// Choices that change the wording or selection of the report, never its facts.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub audience: Audience,
    pub layout: Layout,
    /// Public version only: `false` keeps the original numbers, leaving gaps where items are
    /// withheld (the common practice); `true` numbers the printed items 1, 2, 3 ….
    pub renumber: bool,
    /// `Some(kinds)` prints every listed accountability kind in the statistics sentence, zero
    /// included ("诫勉0人"), as fixed-template bulletins do; kinds not listed follow.
    pub fixed_accountability_kinds: Option<Vec<String>>,
    /// The paragraphs of part 三 (next steps). Empty: a short section built from the ledger's
    /// own figures.
    pub next_steps: Vec<String>,
    /// The unit's indicators (整改指标), each told in one sentence after the statistics; the
    /// caller reads them (the writer stays free of the database). Empty: no sentence.
    pub indicators: Vec<rectify_domain::indicator::IndicatorSummary>,
}

impl ReportOptions {
    /// The public version with the layout that suits the ledger.
    pub fn for_ledger(ledger: &rectify_domain::Ledger) -> Self {
        ReportOptions {
            audience: Audience::Public,
            layout: Layout::default_for(ledger),
            renumber: false,
            fixed_accountability_kinds: None,
            next_steps: Vec::new(),
            indicators: Vec::new(),
        }
    }
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            audience: Audience::Public,
            layout: Layout::ByAspect,
            renumber: false,
            fixed_accountability_kinds: None,
            next_steps: Vec::new(),
            indicators: Vec::new(),
        }
    }
}

/// Why a .docx could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not assemble the .docx package")]
    Package(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the template is not a readable .docx (zip) file")]
    TemplateZip(#[source] zip::result::ZipError),
    #[error("the template has no {0}")]
    TemplateMissingPart(&'static str),
    #[error("the template's {part} is not well-formed XML")]
    TemplateXml {
        part: &'static str,
        #[source]
        source: quick_xml::Error,
    },
    #[error("the template has no paragraph holding the placeholder {{{{正文}}}}")]
    TemplateNoBodyPlaceholder,
    #[error("the generated {part} is not well-formed XML, so its properties could not be put in schema order")]
    PartXml {
        part: String,
        #[source]
        source: quick_xml::Error,
    },
    #[error("could not read or write a part of the package")]
    Io(#[from] std::io::Error),
}
