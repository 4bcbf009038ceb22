//! Reads published rectification progress reports (巡察整改进展情况的通报) into a
//! [`rectify_domain::Ledger`], so that no unit has to retype its report.
//!
//! The reader knows the genre, not particular reports: numbered aspects (（一）…方面),
//! problems (`1.`, `针对…的问题`, bare title lines), enumerated measures (一是/二是, （1）, ①),
//! headline figures, inspection facts and contact channels, and it copes with the artefacts of
//! web pages, PDF extraction and Word files.
//!
//! ```no_run
//! let parsed = rectify_report_reader::parse_file(std::path::Path::new("report.txt"))?;
//! println!("{}", rectify_report_reader::outline(&parsed));
//! # Ok::<(), rectify_report_reader::ReadError>(())
//! ```

mod decode;
mod extract;
pub mod normalize;
mod outline;
mod paragraphs;
pub mod script;
mod structure;

use std::path::Path;

use rectify_domain::Ledger;

pub use decode::read_bytes;
pub use outline::outline;
pub use structure::parse;

/// Where the text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A plain text file.
    Text,
    /// A Word .docx file: one line per paragraph.
    Docx,
}

/// A report as text lines, before any interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The lines; line `n` (1-based) is `lines[n - 1]`. For .docx, one line per paragraph.
    pub lines: Vec<String>,
    /// The detected encoding ("UTF-8", "GB18030", "UTF-16LE", "UTF-16BE").
    pub encoding: &'static str,
    pub kind: SourceKind,
}

impl Document {
    /// A document made from text already in memory (tests, pasted text).
    pub fn from_text(text: &str) -> Self {
        Document { lines: text.lines().map(str::to_string).collect(), encoding: "UTF-8", kind: SourceKind::Text }
    }

    /// The 1-based line `n`, if there is one.
    pub fn line(&self, n: usize) -> Option<&str> {
        n.checked_sub(1).and_then(|i| self.lines.get(i)).map(String::as_str)
    }
}

/// Why a file could not be read as a report. Its message is one line.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{name} is not text in UTF-8, UTF-16 (with BOM) or GB18030/GBK")]
    Undecodable { name: String },
    #[error("{name} is not a readable .docx file: {reason}")]
    NotDocx { name: String, reason: String },
    #[error("{name} is in an unsupported format: {format}")]
    Unsupported { name: String, format: String },
}

/// The outcome of parsing: the ledger, and where in the input each part was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub ledger: Ledger,
    pub spans: Spans,
    /// What kind of text this was read as (a unit's report, an audit report, news, an aggregate).
    pub genre: Genre,
    /// How each part was read, with a confidence: which section was taken as the problem list
    /// and why, where the unit, the date and the inspection facts came from, what was skipped.
    pub notes: Vec<Note>,
}

/// The kind of text (体裁), decided from lexical cues of the genre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Genre {
    /// A unit's own report on its rectification (整改进展情况的通报), with parts 一、二、三.
    UnitReport,
    /// A government's report to a people's congress on the rectification of audit findings
    /// (审计查出问题整改情况的报告).
    AuditReport,
    /// News of one unit's rectification: a meeting, a check, a return visit (新闻、会议报道).
    News,
    /// An inspection office's, discipline body's or newspaper's report across many units or a
    /// whole round (综述、统计): round totals, no unit, no problem list.
    Aggregate,
}

impl Genre {
    pub fn label_zh(self) -> &'static str {
        match self {
            Genre::UnitReport => "单位整改通报",
            Genre::AuditReport => "审计整改报告",
            Genre::News => "新闻报道",
            Genre::Aggregate => "综述（多单位或整轮）",
        }
    }
}

/// The part of the reading a [`Note`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Genre,
    ProblemList,
    Figures,
    Unit,
    ReportDate,
    Inspector,
    Round,
    Kind,
}

impl Topic {
    pub fn label_zh(self) -> &'static str {
        match self {
            Topic::Genre => "体裁",
            Topic::ProblemList => "问题清单",
            Topic::Figures => "通报所称数字",
            Topic::Unit => "单位",
            Topic::ReportDate => "日期",
            Topic::Inspector => "巡察组",
            Topic::Round => "轮次",
            Topic::Kind => "类别",
        }
    }
}

/// How sure the reader is of a part: `High` when a strong cue of the genre gave it (a title,
/// a signature, a 发布时间 line), `Low` when it was inferred or is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn label_zh(self) -> &'static str {
        match self {
            Confidence::High => "高",
            Confidence::Medium => "中",
            Confidence::Low => "低",
        }
    }
}

/// One explanation of the reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub topic: Topic,
    pub confidence: Confidence,
    /// The 1-based line the part was read from, when there is one.
    pub line: Option<usize>,
    /// What was read and why, in Chinese.
    pub message: String,
}

/// 1-based line numbers of what the parser recognised, so that a linter can point at lines.
///
/// `aspects[i].problems[j].measures[k]` corresponds to the ledger's
/// `aspects[i].problems[j].measures[k]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    pub title: Option<usize>,
    pub unit: Option<usize>,
    pub report_date: Option<usize>,
    /// The top-level parts (一、二、三、…) in order.
    pub parts: Vec<HeadingSpan>,
    pub aspects: Vec<AspectSpan>,
    /// Every headline figure found, with its line.
    pub claimed: Vec<ClaimSpan>,
    /// Lines of the public feedback channels.
    pub contacts: Vec<usize>,
}

/// A numbered heading: where it starts and its numbering as printed (`（一）`, `1.`, `一是`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingSpan {
    pub line: usize,
    /// The numbering token as printed (after width folding), e.g. `二、`; `None` when unnumbered.
    pub token: Option<String>,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AspectSpan {
    /// `None` for the implicit aspect of problems that stand under no aspect heading.
    pub line: Option<usize>,
    pub token: Option<String>,
    pub problems: Vec<ProblemSpan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProblemSpan {
    pub line: usize,
    /// `1.`, `（1）`, `问题一：`; `None` for `针对…的问题` lines and bare titles.
    pub token: Option<String>,
    /// The numeric value of the token, for sequence checks.
    pub number: Option<u32>,
    /// Line of the status statement (整改状态：…), when there is one.
    pub status_line: Option<usize>,
    /// Amounts written in the problem's title (未及时收缴房屋租金6.1万元), in 万元; the
    /// domain's `Problem` has no field for them yet.
    pub title_amounts_wan_yuan: Vec<rectify_domain::WanYuan>,
    pub measures: Vec<MeasureSpan>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureSpan {
    pub line: usize,
    /// `一是`, `（1）`, `①`, `第一`, or the bare numeral of a broken marker (`三` in `三对…`);
    /// `None` for an un-enumerated paragraph.
    pub token: Option<String>,
    pub number: Option<u32>,
}

/// Which headline figure a claim states.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClaimedFigure {
    Aspects,
    Problems,
    Measures,
    Completed,
    InProgress,
    CompletionRate,
    Rules,
    Funds,
    /// 问责 of the named kind (通报批评, 批评教育 …).
    Accountability(String),
    /// 大类: a grouping above the aspects (4大类16个方面). The ledger has no field for it.
    Categories,
    /// 具体问题 under coarser problems (14项28个具体问题). The ledger has no field for it.
    SubProblems,
    /// 任务 / 工作节点 (160条整改任务). The ledger has no field for it.
    Tasks,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClaimSpan {
    pub figure: ClaimedFigure,
    pub line: usize,
    /// The words that state it, e.g. `30个具体问题`.
    pub excerpt: String,
}

/// Reads a report file (.txt in any supported encoding, or .docx, decided by content).
pub fn read_document(path: &Path) -> Result<Document, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { path: path.display().to_string(), source })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    read_bytes(&bytes, name.as_deref())
}

/// Reads and parses a report file.
pub fn parse_file(path: &Path) -> Result<Parsed, ReadError> {
    read_document(path).map(|doc| parse(&doc))
}
