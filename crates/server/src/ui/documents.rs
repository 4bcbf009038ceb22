//! 文档导入导出: upload a report or a ledger workbook, preview what was read and what the linter
//! finds, import on confirmation; generate and download the progress report and the workbook.

use std::io::Cursor;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::{Value, context};
use rectify_domain::Ledger;
use rectify_report_lint::DefectKind;
use rectify_report_writer::{Audience, ReportOptions};
use rectify_workbook::ImportOptions;
use serde::{Deserialize, Serialize};

use super::csrf::{CsrfToken, too_large_message};
use super::pages::{chrome, encode, figures, inspection_name};
use super::uploads::UploadKind;
use super::view::aspect_label;
use super::{Crumb, UPLOAD_LIMIT_BYTES, UiError, error_page, render, ser};
use crate::AppState;

/// The report opened in the browser carries its own inline style sheet and nothing else.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

const UNRECOGNISED: &str = "无法识别的文件类型，请上传 .txt、.docx 或 .xlsx";

/// Why an upload was refused; the message is shown next to the file field.
#[derive(Debug, thiserror::Error)]
enum UploadError {
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
    fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Unrecognised => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The kind of an upload, by its content: a zip with a Word or Excel main part, or text that
/// decodes in one of the supported encodings.
fn detect(bytes: &[u8]) -> Result<UploadKind, UploadError> {
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

/// A defect or a workbook note as the preview lists it.
#[derive(Debug, Serialize)]
struct Finding {
    label: String,
    place: String,
    excerpt: String,
    /// What to do about it, in Chinese.
    hint: String,
    /// The checker's own (English) explanation, shown on hover.
    detail: String,
}

/// Chinese names of the linter's defect kinds.
fn defect_label(kind: DefectKind) -> &'static str {
    match kind {
        DefectKind::NumberingGap => "编号不连续",
        DefectKind::CountMismatch => "数字与清单不符",
        DefectKind::BrokenEnumeration => "序号残缺",
        DefectKind::HalfwidthPunctuation => "半角标点",
        DefectKind::DateAfterReport => "日期晚于通报日期",
        DefectKind::ForeignPlace => "疑似外地地名",
        DefectKind::PageBreakArtifact => "分页或排版残留",
        DefectKind::DuplicateText => "段落重复",
        DefectKind::RateMismatch => "完成率计算不符",
        DefectKind::VariantCharacter => "不规范用字",
    }
}

/// What a clerk should check for each kind of defect.
fn defect_hint(kind: DefectKind) -> &'static str {
    match kind {
        DefectKind::NumberingGap => "序号跳号或重复，请核对编号是否连续。",
        DefectKind::CountMismatch => "文中所述数量与实际列出的条目数不一致，请核对。",
        DefectKind::BrokenEnumeration => "“一是、二是……”中缺少“是”字，请补全。",
        DefectKind::HalfwidthPunctuation => "中文行文中使用了半角标点，应改为全角标点。",
        DefectKind::DateAfterReport => "所述已完成事项的日期晚于通报日期，请核对日期。",
        DefectKind::ForeignPlace => "出现了非本地的地名，可能是套用其他材料，请核对。",
        DefectKind::PageBreakArtifact => "疑似分页、换行或排版残留，请检查原文是否断句或粘连。",
        DefectKind::DuplicateText => "同一句话出现在多个问题中，请确认是否重复粘贴。",
        DefectKind::RateMismatch => "所述完成率与所列数量计算结果不符，请核对。",
        DefectKind::VariantCharacter => "使用了不规范字形（如“台帐”应为“台账”），请改正。",
    }
}

/// What an upload reads as.
struct Analysis {
    ledger: Ledger,
    findings: Vec<Finding>,
    /// Why the ledger cannot be imported, when it cannot.
    invalid: Option<String>,
}

/// Reads an upload; `Err` says in Chinese why the file as a whole could not be read.
fn analyse(kind: UploadKind, bytes: &[u8], name: &str) -> Result<Analysis, String> {
    let (ledger, findings) = match kind {
        UploadKind::Text | UploadKind::Docx => match rectify_report_reader::read_bytes(bytes, Some(name)) {
            Ok(doc) => {
                let parsed = rectify_report_reader::parse(&doc);
                let findings = rectify_report_lint::lint(&doc, &parsed)
                    .into_iter()
                    .map(|d| Finding {
                        label: defect_label(d.kind).to_string(),
                        place: format!("第{}行", d.line),
                        excerpt: d.excerpt,
                        hint: defect_hint(d.kind).to_string(),
                        detail: d.message,
                    })
                    .collect();
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
    Ok(Analysis { ledger, findings, invalid })
}

/// Form errors and the list of exports, shared by the page and a refused upload.
async fn documents_page(
    state: &AppState,
    csrf: &CsrfToken,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let all = state.store().list_inspections().await?;
    let summaries = match crate::authz::current() {
        Some(p) => crate::authz::Visibility::new(&p.grants).inspections(all),
        None => Vec::new(),
    };
    let inspections: Vec<Value> = summaries
        .iter()
        .rev()
        .map(|s| {
            context! {
                id => s.id,
                name => inspection_name(s),
                title => s.title.clone(),
                problems => s.problems,
                measures => s.measures,
                imported_at => s.imported_at.get(..10).unwrap_or(&s.imported_at).to_string(),
            }
        })
        .collect();
    let chrome = chrome(
        state,
        "documents",
        "文档导入导出",
        vec![Crumb::link("首页", "/"), Crumb::here("文档导入导出")],
        summaries.last().map(|s| s.id),
        csrf,
    );
    let page = context! { inspections, error, limit_mb => UPLOAD_LIMIT_BYTES / (1024 * 1024) };
    Ok((status, render("documents.html", &chrome, page)?).into_response())
}

/// `GET /documents`.
pub(crate) async fn page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, UiError> {
    documents_page(&state, &csrf, None, StatusCode::OK).await
}

/// `POST /documents/upload` (multipart: `csrf_token`, `file`): keeps the file for the preview.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, UiError> {
    match read_upload(multipart).await {
        Ok((name, bytes)) => match detect(&bytes) {
            Ok(kind) => {
                let token = state.uploads.put(name, kind, bytes);
                Ok(Redirect::to(&format!("/documents/preview/{token}")).into_response())
            }
            Err(e) => documents_page(&state, &csrf, Some(e.to_string()), e.status()).await,
        },
        Err(e) => documents_page(&state, &csrf, Some(e.to_string()), e.status()).await,
    }
}

async fn read_upload(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), UploadError> {
    let mut multipart = multipart.map_err(|_| UploadError::Form)?;
    while let Some(field) = multipart.next_field().await.map_err(|_| UploadError::Form)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().map(sanitize_name).unwrap_or_default();
        let bytes = field.bytes().await.map_err(|_| UploadError::Form)?;
        if name.is_empty() && bytes.is_empty() {
            return Err(UploadError::Missing);
        }
        if bytes.len() > UPLOAD_LIMIT_BYTES {
            return Err(UploadError::TooLarge);
        }
        return Ok((name, bytes.to_vec()));
    }
    Err(UploadError::Missing)
}

/// The last path component of a browser-supplied name, without control characters.
fn sanitize_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    last.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// `GET /documents/preview/{token}`: what the upload reads as, before anything is stored.
pub(crate) async fn preview(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> Result<Response, UiError> {
    let Some(pending) = state.uploads.get(&token) else {
        return Ok(expired());
    };
    let chrome = chrome(
        &state,
        "documents",
        "导入预览",
        vec![Crumb::link("首页", "/"), Crumb::link("文档导入导出", "/documents"), Crumb::here("导入预览")],
        None,
        &csrf,
    );
    let file = context! {
        token,
        file_name => pending.name.clone(),
        kind => pending.kind.label_zh(),
        size => super::view::human_size(pending.bytes.len() as u64),
    };
    let analysis = match analyse(pending.kind, &pending.bytes, &pending.name) {
        Ok(analysis) => analysis,
        Err(failed) => return Ok(render("preview.html", &chrome, context! { failed, ..file })?.into_response()),
    };
    let ledger = &analysis.ledger;
    let aspects: Vec<Value> = ledger
        .aspects
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let problems: Vec<Value> = a
                .problems
                .iter()
                .map(|p| {
                    context! {
                        number => p.number.clone(),
                        title => p.title.to_string(),
                        status => p.status.label_zh(),
                        measures => p.measures.len(),
                    }
                })
                .collect();
            context! { label => aspect_label(a.number.as_deref(), a.title.as_deref(), i), problems }
        })
        .collect();
    let page = context! {
        title => ledger.title.clone(),
        unit => ledger.unit.clone(),
        report_date => ledger.report_date.map(|d| d.to_chinese()),
        inspector => ledger.inspection.inspector.clone(),
        aspects,
        figures => ser(figures(ledger)),
        findings => ser(&analysis.findings),
        invalid => analysis.invalid,
        ..file
    };
    Ok(render("preview.html", &chrome, page)?.into_response())
}

fn expired() -> Response {
    error_page(StatusCode::NOT_FOUND, "预览已过期", "上传的文件已过期（保留30分钟）或已导入。请重新上传。")
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    token: String,
}

/// `POST /documents/confirm`: reads the kept upload again and imports it.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Extension(principal): Extension<crate::auth::Principal>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, UiError> {
    let Some(pending) = state.uploads.get(&form.token) else {
        return Ok(expired());
    };
    let analysis = match analyse(pending.kind, &pending.bytes, &pending.name) {
        Ok(Analysis { invalid: Some(reason), .. }) | Err(reason) => {
            return Ok(error_page(StatusCode::UNPROCESSABLE_ENTITY, "无法导入", &reason));
        }
        Ok(analysis) => analysis,
    };
    let id = state.store().import_ledger_as(&analysis.ledger, &principal.acting(), state.now()).await?;
    state.uploads.remove(&form.token);
    tracing::info!(inspection = id, file = %pending.name, "imported from the web UI");
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?imported=1")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    /// `internal` for the 党内通报版; anything else is the public version.
    audience: Option<String>,
    /// `1` to show the file in the browser instead of downloading it.
    inline: Option<String>,
}

/// `GET /inspections/{id}/export/{file}` with file `report.docx`, `report.md`, `report.html` or
/// `ledger.xlsx`.
pub(crate) async fn export(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let id = id.trim().parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| UiError::not_found("inspection", &id))?;
    let query = query.map(|Query(q)| q).unwrap_or(ExportQuery { audience: None, inline: None });
    let summary = state
        .store()
        .list_inspections()
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| UiError::not_found("inspection", id.to_string()))?;
    let ledger = state.store().export_ledger(id).await?;
    let internal = query.audience.as_deref() == Some("internal");
    let inline = query.inline.as_deref() == Some("1");
    let mut options = ReportOptions::for_ledger(&ledger);
    options.audience = if internal { Audience::Internal } else { Audience::Public };
    let version = if internal { "党内通报版" } else { "公开版" };
    let base = sanitize_file_stem(&inspection_name(&summary));
    let (body, content_type, name): (Vec<u8>, &str, String) = match file.as_str() {
        "report.docx" => (
            rectify_report_writer::render_docx(&ledger, &options)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!("{base}整改进展情况报告（{version}）.docx"),
        ),
        "report.md" => (
            rectify_report_writer::render_markdown(&ledger, &options).into_bytes(),
            if inline { "text/plain; charset=utf-8" } else { "text/markdown; charset=utf-8" },
            format!("{base}整改进展情况报告（{version}）.md"),
        ),
        "report.html" => (
            rectify_report_writer::render_html(&ledger, &options).into_bytes(),
            "text/html; charset=utf-8",
            format!("{base}整改进展情况报告（{version}）.html"),
        ),
        "ledger.xlsx" => (
            rectify_workbook::write_ledger_xlsx(&ledger, state.today())?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{base}整改台账.xlsx"),
        ),
        _ => return Err(UiError::not_found("file", file)),
    };
    // Every export is a security event: who took which version of which ledger, from where.
    if let Some(principal) = crate::authz::current() {
        let record = rectify_storage::AuditRecord::new(
            &principal.acting(),
            format!("export.{file}"),
            "inspection",
            Some(id),
            state.now(),
        )
        .after(serde_json::json!({ "audience": if internal { "internal" } else { "public" } }));
        state.store().record_security_event(&record).await?;
    }
    let ascii = file.clone();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encode(&name)
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
    Ok(response)
}

/// A unit name fit for a file name: no path separators, quotes or control characters.
fn sanitize_file_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|'))
        .take(60)
        .collect();
    if cleaned.trim().is_empty() { "巡察".to_string() } else { cleaned }
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

    #[test]
    fn names_lose_paths_and_quotes() {
        assert_eq!(sanitize_name("C:\\用户\\报告.docx"), "报告.docx");
        assert_eq!(sanitize_file_stem("a/b\"c"), "abc");
        assert_eq!(sanitize_file_stem(" "), "巡察");
    }

    #[test]
    fn every_defect_kind_has_a_chinese_label() {
        for kind in [
            DefectKind::NumberingGap,
            DefectKind::CountMismatch,
            DefectKind::BrokenEnumeration,
            DefectKind::HalfwidthPunctuation,
            DefectKind::DateAfterReport,
            DefectKind::ForeignPlace,
            DefectKind::PageBreakArtifact,
            DefectKind::DuplicateText,
            DefectKind::RateMismatch,
            DefectKind::VariantCharacter,
        ] {
            assert!(defect_label(kind).chars().all(|c| !c.is_ascii()), "{kind}");
            assert!(defect_hint(kind).ends_with('。'), "{kind}");
        }
    }
}
