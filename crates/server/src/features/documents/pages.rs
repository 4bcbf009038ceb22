//! 文档导入导出: upload a report or a ledger workbook, preview what was read and what the linter
//! finds, import on confirmation; generate and download the progress report and the workbook.

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::error;
use crate::http::page::PageContext;
use crate::ids::InspectionId;
use crate::render::rows::{self, LedgerQuery, aspect_label};
use crate::render::{Crumb, figures, format, render, ser};
use crate::service::documents::{self, Analysis, ExportFile, UploadError, detect};
use crate::service::session::Principal;
use crate::service::{AppState, UPLOAD_LIMIT_BYTES, ledger, scope};

/// The report opened in the browser carries its own inline style sheet and nothing else.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// Form errors and the list of exports, shared by the page and a refused upload.
async fn documents_page(
    state: &AppState,
    page: &PageContext,
    error: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let summaries = match page.principal.as_ref() {
        Some(p) => scope::visible_inspections(state, &p.grants).await?,
        None => Vec::new(),
    };
    let inspections: Vec<Value> = summaries
        .iter()
        .rev()
        .map(|s| {
            context! {
                id => s.id,
                name => scope::inspection_name(s),
                title => s.title.clone(),
                problems => s.problems,
                measures => s.measures,
                imported_at => s.imported_at.get(..10).unwrap_or(&s.imported_at).to_string(),
            }
        })
        .collect();
    let chrome = page.chrome(
        "documents",
        "文档导入导出",
        vec![Crumb::link("首页", "/"), Crumb::here("文档导入导出")],
        summaries.last().map(|s| s.id),
    );
    let fields = context! { inspections, error, notice, limit_mb => UPLOAD_LIMIT_BYTES / (1024 * 1024) };
    Ok((status, render("documents.html", &chrome, fields)?).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    /// `outside` after an import whose ledger lies outside the importer's data scope.
    imported: Option<String>,
}

/// `GET /documents`.
pub(crate) async fn page(
    State(state): State<AppState>,
    page: PageContext,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let outside = query.is_ok_and(|Query(q)| q.imported.as_deref() == Some("outside"));
    let notice = outside.then_some(
        "导入成功，但新台账不在本账号的数据范围内，因此无法打开。请联系巡察办将新台账分配给本账号，或核对报告中的被巡察单位名称。",
    );
    documents_page(&state, &page, None, notice, StatusCode::OK).await
}

/// `POST /documents/upload` (multipart: `csrf_token`, `file`): keeps the file for the preview.
pub(crate) async fn upload(
    State(state): State<AppState>,
    page: PageContext,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    match read_upload(multipart).await {
        Ok((name, bytes)) => match detect(&bytes) {
            Ok(kind) => {
                let owner = page.principal.as_ref().map_or(0, |p| p.user.id);
                let token = state.uploads().put(owner, name, kind, bytes)?;
                Ok(Redirect::to(&format!("/documents/preview/{token}")).into_response())
            }
            Err(e) => documents_page(&state, &page, Some(e.to_string()), None, e.status()).await,
        },
        Err(e) => documents_page(&state, &page, Some(e.to_string()), None, e.status()).await,
    }
}

pub(crate) async fn read_upload(
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
    page: PageContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let owner = page.principal.as_ref().map_or(0, |p| p.user.id);
    let Some(pending) = state.uploads().get(owner, &token) else {
        return Ok(expired(page.principal.as_ref()));
    };
    let chrome = page.chrome(
        "documents",
        "导入预览",
        vec![Crumb::link("首页", "/"), Crumb::link("文档导入导出", "/documents"), Crumb::here("导入预览")],
        None,
    );
    let file = context! {
        token,
        file_name => pending.name.clone(),
        kind => pending.kind.label_zh(),
        size => format::human_size(pending.bytes.len() as u64),
    };
    let analysis = match documents::analyse_upload(pending.kind, pending.bytes.clone(), pending.name.clone()).await? {
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
    let fields = context! {
        title => ledger.title.clone(),
        unit => ledger.unit.clone(),
        report_date => ledger.report_date.map(|d| d.to_chinese()),
        inspector => ledger.inspection.inspector.clone(),
        inspection_kind => ledger.inspection.kind.map(|k| k.as_str()),
        aspects,
        figures => ser(figures::figures(ledger)),
        findings => ser(&analysis.findings),
        finding_count => analysis.findings.iter().map(documents::Finding::count).sum::<usize>(),
        notes => ser(&analysis.notes),
        genre => analysis.genre,
        invalid => match analysis.invalid {
            Some(reason) => Some(reason),
            None => documents::out_of_scope_reason(&state, page.principal.as_ref(), ledger).await?,
        },
        ..file
    };
    Ok(render("preview.html", &chrome, fields)?.into_response())
}

fn expired(principal: Option<&Principal>) -> Response {
    error::page(principal, StatusCode::NOT_FOUND, "预览已过期", "上传的文件已过期（保留30分钟）或已导入。请重新上传。")
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    token: String,
}

/// `POST /documents/confirm`: reads the kept upload again and imports it.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    principal: Principal,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let Some(pending) = state.uploads().get(principal.user.id, &form.token) else {
        return Ok(expired(Some(&principal)));
    };
    let analysis = match documents::analyse_upload(pending.kind, pending.bytes.clone(), pending.name.clone()).await? {
        Ok(Analysis { invalid: Some(reason), .. }) | Err(reason) => {
            return Ok(error::page(Some(&principal), StatusCode::UNPROCESSABLE_ENTITY, "无法导入", &reason));
        }
        Ok(analysis) => analysis,
    };
    let id = documents::import(&state, &principal, &analysis.ledger).await?;
    state.uploads().remove(principal.user.id, &form.token);
    tracing::info!(inspection = id, file = %pending.name, "imported from the web UI");
    // A report whose unit lies outside the importer's scope (another unit's report, or a unit
    // named otherwise than in the grant) is stored, but its ledger would answer 403: say so.
    let visible = match InspectionId::new(id) {
        Some(new) => scope::inspection(&state, new)
            .await?
            .is_some_and(|s| scope::Visibility::new(&principal.grants).sees_inspection(&s)),
        None => false,
    };
    if visible {
        Ok(Redirect::to(&format!("/inspections/{id}/ledger?imported=1")).into_response())
    } else {
        Ok(Redirect::to("/documents?imported=outside").into_response())
    }
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
    principal: Principal,
    id: InspectionId,
    Path((_, file)): Path<(String, String)>,
    query: Result<Query<ExportQuery>, QueryRejection>,
    filters: Result<Query<LedgerQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let query = query.map(|Query(q)| q).unwrap_or(ExportQuery { audience: None, inline: None });
    let summary = scope::require_inspection(&state, id).await?;
    let kind = ExportFile::from_name(&file).ok_or_else(|| AppError::not_found("file", &file))?;
    let internal = query.audience.as_deref() == Some("internal");
    let inline = query.inline.as_deref() == Some("1");
    let version = if internal { "党内通报版" } else { "公开版" };
    let base = sanitize_file_stem(&scope::inspection_name(&summary));
    let (content_type, name): (&str, String) = match kind {
        ExportFile::ReportDocx => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!("{base}整改进展情况报告（{version}）.docx"),
        ),
        ExportFile::ReportMarkdown => (
            if inline { "text/plain; charset=utf-8" } else { "text/markdown; charset=utf-8" },
            format!("{base}整改进展情况报告（{version}）.md"),
        ),
        ExportFile::ReportHtml => ("text/html; charset=utf-8", format!("{base}整改进展情况报告（{version}）.html")),
        ExportFile::LedgerXlsx => {
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", format!("{base}整改台账.xlsx"))
        }
    };
    let filters = filters.map(|Query(q)| q).unwrap_or_default();
    let body = if kind == ExportFile::LedgerXlsx && filters.is_filtered() {
        // The ledger as the page shows it filtered: the same filters over the same visible rows.
        let visible = ledger::visible(&state, &principal, id).await?;
        let kept: Vec<(i64, Vec<i64>)> = rows::filter(rows::of_visible(&visible, state.today()), &filters)
            .into_iter()
            .map(|r| (r.id, r.measures.iter().map(|m| m.id).collect()))
            .collect();
        let described = serde_json::Value::Object(
            filters.pairs(false).into_iter().map(|(k, v)| (k.to_owned(), serde_json::Value::String(v))).collect(),
        );
        documents::export_filtered_ledger(&state, &principal, &visible, &kept, described).await?
    } else {
        documents::export(&state, &principal, id, kind, internal).await?
    };
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        kind.name(),
        format::encode(&name)
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
    fn names_lose_paths_and_quotes() {
        assert_eq!(sanitize_name("C:\\用户\\报告.docx"), "报告.docx");
        assert_eq!(sanitize_file_stem("a/b\"c"), "abc");
        assert_eq!(sanitize_file_stem(" "), "巡察");
    }
}
