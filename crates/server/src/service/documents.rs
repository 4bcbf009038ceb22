//! Documents in and out: what an uploaded file is (by content), what it reads as and what the
//! linter finds in it, importing it once confirmed, and writing a ledger's report or workbook.

use std::io::Cursor;

use axum::http::StatusCode;
use rectify_domain::Ledger;
use rectify_report_writer::{Audience, ReportOptions};
use rectify_workbook::ImportOptions;
use serde::Serialize;

use super::session::Principal;
use super::state::{AppState, UPLOAD_LIMIT_BYTES};
use super::uploads::UploadKind;
use crate::error::AppError;
use crate::ids::InspectionId;

const UNRECOGNISED: &str = "无法识别的文件类型，请上传 .txt、.docx 或 .xlsx";

pub(crate) fn too_large_message() -> String {
    format!("文件过大（上限{}MB）", UPLOAD_LIMIT_BYTES / (1024 * 1024))
}

/// Why an upload was refused; the message is shown next to the file field.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("请选择要上传的文件")]
    Missing,
    #[error("文件为空，请检查后重新上传")]
    Empty,
    #[error("{}", too_large_message())]
    TooLarge,
    #[error("{UNRECOGNISED}")]
    Unrecognised,
    #[error("表单读取失败，请重新选择文件上传")]
    Form,
}

impl UploadError {
    pub fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Unrecognised => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The kind of an upload, by its content: a zip with a Word or Excel main part, or text that
/// decodes in one of the supported encodings.
pub fn detect(bytes: &[u8]) -> Result<UploadKind, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| UploadError::Unrecognised)?;
        let has = |name: &str| archive.file_names().any(|n| n.is_ok_and(|n| n == name));
        return if has("word/document.xml") {
            Ok(UploadKind::Docx)
        } else if has("xl/workbook.xml") {
            Ok(UploadKind::Xlsx)
        } else {
            Err(UploadError::Unrecognised)
        };
    }
    match rectify_report_reader::read_bytes(bytes, None) {
        Ok(doc) if doc.lines.iter().any(|l| !l.trim().is_empty()) => Ok(UploadKind::Text),
        Ok(_) => Err(UploadError::Empty),
        Err(_) => Err(UploadError::Unrecognised),
    }
}

/// The linter's defects of one kind, or one workbook note, as the preview lists it: 41
/// half-width punctuation marks are one row "41 处半角标点", not 41 rows.
#[derive(Debug, Serialize)]
pub struct Finding {
    label: String,
    /// How many defects the row stands for.
    count: usize,
    /// "41 处半角标点", or the label alone for a single note.
    summary: String,
    /// Where: "第3、5、7行等" for a group.
    place: String,
    /// The first defect's text, as an example.
    excerpt: String,
    /// What to do about it, in Chinese.
    hint: String,
    /// The checker's own (English) explanation of the first defect, shown on hover.
    detail: String,
}

impl Finding {
    /// How many defects the row stands for.
    #[must_use]
    pub fn count(&self) -> usize {
        self.count
    }
}

impl From<rectify_report_lint::DefectGroup> for Finding {
    fn from(g: rectify_report_lint::DefectGroup) -> Self {
        let lines: Vec<String> = g.lines.iter().map(usize::to_string).collect();
        Finding {
            label: g.kind.label_zh().to_string(),
            count: g.count,
            summary: g.summary_zh,
            place: format!("第{}行{}", lines.join("、"), if g.more_lines { "等" } else { "" }),
            excerpt: g.first.excerpt,
            hint: g.kind.hint_zh().to_string(),
            detail: g.first.message,
        }
    }
}

/// How one part of a report was read and how sure the reader is (识别说明).
#[derive(Debug, Serialize)]
pub struct ReadingNote {
    /// 体裁, 问题清单, 单位, 日期 …
    topic: &'static str,
    /// 高, 中 or 低.
    confidence: &'static str,
    /// `high`, `medium` or `low`, for the badge's colour.
    level: &'static str,
    place: Option<String>,
    message: String,
}

impl From<&rectify_report_reader::Note> for ReadingNote {
    fn from(n: &rectify_report_reader::Note) -> Self {
        use rectify_report_reader::Confidence;
        ReadingNote {
            topic: n.topic.label_zh(),
            confidence: n.confidence.label_zh(),
            level: match n.confidence {
                Confidence::High => "high",
                Confidence::Medium => "medium",
                Confidence::Low => "low",
            },
            place: n.line.map(|l| format!("第{l}行")),
            message: n.message.clone(),
        }
    }
}

/// What an upload reads as.
pub struct Analysis {
    pub ledger: Ledger,
    pub findings: Vec<Finding>,
    /// How each part of a report was read, least sure first (none for a workbook or JSON).
    pub notes: Vec<ReadingNote>,
    /// What kind of text a report was read as (体裁).
    pub genre: Option<&'static str>,
    /// Why the ledger cannot be imported, when it cannot.
    pub invalid: Option<String>,
}

/// Reads an upload; `Err` says in Chinese why the file as a whole could not be read.
pub fn analyse(kind: UploadKind, bytes: &[u8], name: &str) -> Result<Analysis, String> {
    let mut notes = Vec::new();
    let mut genre = None;
    let (ledger, findings) = match kind {
        UploadKind::Text | UploadKind::Docx => match rectify_report_reader::read_bytes(bytes, Some(name)) {
            Ok(doc) => {
                let parsed = rectify_report_reader::parse(&doc);
                let defects = rectify_report_lint::lint(&doc, &parsed);
                let findings = rectify_report_lint::group(&defects).into_iter().map(Finding::from).collect();
                let mut read = parsed.notes.clone();
                // What the clerk should check first: the least sure parts on top.
                read.sort_by_key(|n| n.confidence);
                notes = read.iter().map(ReadingNote::from).collect();
                genre = Some(parsed.genre.label_zh());
                (parsed.ledger, findings)
            }
            Err(e) => return Err(format!("文件无法读取：{e}")),
        },
        UploadKind::Xlsx => match rectify_workbook::read_ledger_xlsx(bytes, &ImportOptions::default()) {
            Ok(imported) => {
                let findings = imported
                    .warnings
                    .iter()
                    .map(|w| Finding {
                        label: "读取提示".to_string(),
                        count: 1,
                        summary: "读取提示".to_string(),
                        place: match &w.column {
                            Some(c) => format!("{} 第{}行 {c}列", w.sheet, w.row),
                            None => format!("{} 第{}行", w.sheet, w.row),
                        },
                        excerpt: String::new(),
                        hint: w.message.clone(),
                        detail: w.message.clone(),
                    })
                    .collect();
                (imported.ledger, findings)
            }
            Err(e) => return Err(format!("台账无法导入：{e}")),
        },
    };
    let invalid = if ledger.aspects.iter().all(|a| a.problems.is_empty()) {
        Some("文件中没有识别出任何问题，无法导入。请确认上传的是整改进展情况报告或整改台账。".to_string())
    } else {
        ledger.check().err().map(|e| format!("台账校验未通过：{e}"))
    };
    Ok(Analysis { ledger, findings, notes, genre, invalid })
}

/// Reads a kept upload (off the async threads: parsing a large report takes a while).
pub async fn analyse_upload(
    kind: UploadKind,
    bytes: std::sync::Arc<Vec<u8>>,
    name: String,
) -> Result<Result<Analysis, String>, AppError> {
    super::state::blocking(move || analyse(kind, &bytes, &name)).await
}

/// Imports a ledger read from an upload; returns the new inspection's id.
/// A ledger that still lacks responsibility or deadlines comes in as a draft (草稿) for the
/// unit's liaison to complete and take live (see `editing`).
/// The ledger must name a unit inside the importer's data scope (issue 13, finding 2): an
/// import creates a ledger and, once its report is published, a channel on the public portal,
/// so a unit's liaison cannot create one for another unit. An importer who sees every unit (the
/// inspection office) may import any unit's ledger, or one that names no unit.
pub async fn import(state: &AppState, principal: &Principal, ledger: &Ledger) -> Result<i64, AppError> {
    check_import_scope(state, principal, ledger).await?;
    let store = state.store();
    if super::editing::ledger_gaps(ledger).is_empty() {
        Ok(store.import_ledger_as(ledger, &principal.acting(), state.now()).await?)
    } else {
        Ok(store.import_ledger_as_draft(ledger, &principal.acting(), state.now()).await?)
    }
}

/// Refuses a ledger whose unit lies outside the importer's data scope: an importing grant
/// without limits (the inspection office) takes any ledger; a limited one (a unit's liaison,
/// limited to its inspection) only a ledger of a unit whose inspections it already sees.
pub(crate) async fn check_import_scope(
    state: &AppState,
    principal: &Principal,
    ledger: &Ledger,
) -> Result<(), AppError> {
    use rectify_auth::{Permission, allows_any};
    let importing: Vec<rectify_auth::Grant> =
        principal.grants.iter().filter(|g| allows_any(&[g.role], Permission::ImportDocuments)).cloned().collect();
    if importing.iter().any(rectify_auth::Grant::sees_everything) {
        return Ok(());
    }
    let Some(unit) = ledger.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
        return Err(AppError::refused(
            "the ledger names no unit and the importer is limited to some units",
            "文件中没有写明被巡察单位，本账号只能导入本单位的台账。请在文件中写明单位名称后重新上传。",
        ));
    };
    let seen = super::scope::visible_inspections(state, &importing).await?;
    if seen.iter().any(|s| s.unit.as_deref().map(str::trim) == Some(unit)) {
        return Ok(());
    }
    Err(AppError::refused(
        "the ledger names a unit outside the importer's data scope",
        format!("文件中的被巡察单位“{unit}”不在本账号的数据范围内，不能导入。请由巡察办导入，或核对文件中的单位名称。"),
    ))
}

/// For the preview: why the principal may not import this ledger, if they may not.
pub async fn out_of_scope_reason(
    state: &AppState,
    principal: Option<&Principal>,
    ledger: &Ledger,
) -> Result<Option<String>, AppError> {
    let Some(principal) = principal else { return Ok(None) };
    match check_import_scope(state, principal, ledger).await {
        Ok(()) => Ok(None),
        Err(AppError::Refused { message_zh, .. }) => Ok(Some(message_zh)),
        Err(e) => Err(e),
    }
}

/// The files a ledger can be exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFile {
    ReportDocx,
    ReportMarkdown,
    ReportHtml,
    LedgerXlsx,
}

impl ExportFile {
    /// The file as the URL names it (`report.docx` …).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "report.docx" => ExportFile::ReportDocx,
            "report.md" => ExportFile::ReportMarkdown,
            "report.html" => ExportFile::ReportHtml,
            "ledger.xlsx" => ExportFile::LedgerXlsx,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ExportFile::ReportDocx => "report.docx",
            ExportFile::ReportMarkdown => "report.md",
            ExportFile::ReportHtml => "report.html",
            ExportFile::LedgerXlsx => "ledger.xlsx",
        }
    }
}

/// Writes an inspection's report or workbook (the internal version for `internal`) and records
/// the export in the audit trail: who took which version of which ledger, from where.
pub async fn export(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
    file: ExportFile,
    internal: bool,
) -> Result<Vec<u8>, AppError> {
    let ledger = state.store().export_ledger(id.get()).await?;
    let mut options = ReportOptions::for_ledger(&ledger);
    options.audience = if internal { Audience::Internal } else { Audience::Public };
    options.indicators = super::indicators::summaries(state, id.get()).await?;
    let today = state.today();
    let body = super::state::blocking(move || -> Result<Vec<u8>, AppError> {
        Ok(match file {
            ExportFile::ReportDocx => rectify_report_writer::render_docx(&ledger, &options)?,
            ExportFile::ReportMarkdown => rectify_report_writer::render_markdown(&ledger, &options).into_bytes(),
            ExportFile::ReportHtml => rectify_report_writer::render_html(&ledger, &options).into_bytes(),
            ExportFile::LedgerXlsx => rectify_workbook::write_ledger_xlsx(&ledger, today)?,
        })
    })
    .await??;
    let record = rectify_storage::AuditRecord::new(
        &principal.acting(),
        format!("export.{}", file.name()),
        "inspection",
        Some(id.get()),
        state.now(),
    )
    .after(serde_json::json!({ "audience": if internal { "internal" } else { "public" } }));
    super::audit::record_event(state, &record).await?;
    Ok(body)
}

/// The ledger workbook of only the problems and measures of `keep` (the ledger page's filters,
/// applied by the caller to what the principal sees), audited like every export.
pub async fn export_filtered_ledger(
    state: &AppState,
    principal: &Principal,
    visible: &super::ledger::VisibleInspection,
    keep: &[(i64, Vec<i64>)],
    filters: serde_json::Value,
) -> Result<Vec<u8>, AppError> {
    let mut ledger = (*visible.ledger).clone();
    for (index, aspect) in ledger.aspects.iter_mut().enumerate() {
        let mut chosen: Vec<_> = visible
            .problems
            .iter()
            .filter(|p| p.aspect_index == index)
            .filter_map(|p| keep.iter().find(|(id, _)| *id == p.id).map(|(_, measures)| (p, measures)))
            .collect();
        chosen.sort_by_key(|(p, _)| p.position);
        aspect.problems = chosen
            .into_iter()
            .map(|(p, measure_ids)| {
                let mut measures: Vec<_> =
                    visible.measures.iter().filter(|m| m.problem_id == p.id && measure_ids.contains(&m.id)).collect();
                measures.sort_by_key(|m| m.position);
                let mut problem = p.problem.clone();
                problem.measures = measures.into_iter().map(|m| m.measure.clone()).collect();
                problem
            })
            .collect();
    }
    // The outcomes (建章立制, 资金, 问责) point at problems by position, which the filter moves:
    // a filtered workbook lists the problems and measures only.
    ledger.outcomes = Default::default();
    let today = state.today();
    let body = super::state::blocking(move || rectify_workbook::write_ledger_xlsx(&ledger, today)).await??;
    let id = visible.summary.id;
    let record = rectify_storage::AuditRecord::new(
        &principal.acting(),
        "export.ledger.xlsx",
        "inspection",
        Some(id),
        state.now(),
    )
    .after(serde_json::json!({ "filters": filters }));
    super::audit::record_event(state, &record).await?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content() {
        assert_eq!(detect("一、整改情况\n".as_bytes()).ok(), Some(UploadKind::Text));
        assert!(matches!(detect(b""), Err(UploadError::Empty)));
        assert!(matches!(detect(b"PK\x03\x04garbage"), Err(UploadError::Unrecognised)));
        assert!(matches!(detect(b"%PDF-1.7\n"), Err(UploadError::Unrecognised)));
        assert!(matches!(detect(&[0x89, b'P', b'N', b'G', 0, 0, 0, 0x0d, 0xff, 0xfe]), Err(UploadError::Unrecognised)));
    }
}
