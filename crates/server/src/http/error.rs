//! How an [`AppError`] is answered: JSON `{"error", "message"}` for the API; for pages, the same
//! error carried to the page layer of the route ([`staff_pages`], [`public_pages`]), which
//! renders a Chinese page in the right layout, for the signed-in user, with the page's policy.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rectify_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

use super::csp::{PAGE_CSP, PUBLIC_CSP};
use crate::error::AppError;
use crate::render;
use crate::service::documents::too_large_message;
use crate::service::session::Principal;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `not_found`, `bad_request` or `internal`.
    #[schema(example = "not_found")]
    pub error: String,
    /// What went wrong, for people; never contains internals of the server.
    #[schema(example = "inspection 7 not found")]
    pub message: String,
    /// The same in Chinese, for refusals shown to users (`refused`, `forbidden`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    /// With `conflict`: the measure's version now; reload and decide again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

fn status_and_code(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::NotFound { .. } | AppError::NoRoute(_) | AppError::Storage(StorageError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "not_found")
        }
        AppError::BadId { .. }
        | AppError::BadQuery(_)
        | AppError::Invalid(_)
        | AppError::BadRequest { .. }
        | AppError::Storage(StorageError::Invalid(_)) => (StatusCode::BAD_REQUEST, "bad_request"),
        AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::AccountActionRequired(code) => (StatusCode::FORBIDDEN, code),
        AppError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        AppError::Refused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        AppError::TooSoon(_) => (StatusCode::TOO_MANY_REQUESTS, "too_soon"),
        AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        AppError::UnsupportedMedia(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        AppError::Gone(_) => (StatusCode::GONE, "gone"),
        AppError::Internal(_) | AppError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// What a page says about an error: status, heading and message, in Chinese.
#[derive(Debug, Clone)]
pub(crate) struct PageText {
    pub status: StatusCode,
    pub heading: &'static str,
    pub message: String,
}

fn what_zh(what: &str) -> &'static str {
    match what {
        "inspection" | "inspection id" => "巡察台账",
        "problem" | "problem id" => "问题",
        "measure" | "measure id" => "整改措施",
        "upload" => "上传文件",
        "report" | "report id" => "通报",
        "unit" => "单位",
        "feedback" | "feedback id" => "意见建议",
        "user" => "账号",
        _ => "记录",
    }
}

/// The Chinese page of an error (a mistyped id on a page is a missing page, not a bad request).
pub(crate) fn page_text(e: &AppError) -> PageText {
    let text = |status, heading, message: &str| PageText { status, heading, message: message.to_owned() };
    match e {
        AppError::NotFound { what, .. } | AppError::BadId { what, .. } => PageText {
            status: StatusCode::NOT_FOUND,
            heading: match what_zh(what) {
                "问题" => "未找到该问题",
                "整改措施" => "未找到该整改措施",
                "巡察台账" => "未找到该巡察台账",
                "通报" => "未找到该通报",
                "单位" => "未找到该单位",
                "意见建议" => "未找到该意见建议",
                _ => "未找到该记录",
            },
            message: "要查看的内容不存在，可能已被删除或链接有误。请从首页重新进入。".to_owned(),
        },
        AppError::NoRoute(_) | AppError::Storage(StorageError::NotFound(_)) => {
            text(StatusCode::NOT_FOUND, "未找到该记录", "要查看的内容不存在，可能已被删除或链接有误。")
        }
        AppError::Forbidden(_) => {
            text(StatusCode::FORBIDDEN, "无权办理", "您的账号不能办理该事项，或该内容不在您负责的范围内。")
        }
        AppError::Conflict { .. } => text(
            StatusCode::CONFLICT,
            "内容已被他人更新",
            "您提交前该措施已被他人更新，操作未执行。请返回刷新页面后重新办理。",
        ),
        AppError::Refused { message_zh, .. } => {
            PageText { status: StatusCode::UNPROCESSABLE_ENTITY, heading: "不能办理", message: message_zh.clone() }
        }
        AppError::BadRequest { message_zh, .. } => {
            PageText { status: StatusCode::BAD_REQUEST, heading: "不能办理", message: message_zh.clone() }
        }
        AppError::TooSoon(_) => {
            text(StatusCode::TOO_MANY_REQUESTS, "催办过于频繁", "该措施近期已催办过，请稍后再催办。")
        }
        AppError::TooLarge(_) => {
            PageText { status: StatusCode::PAYLOAD_TOO_LARGE, heading: "文件过大", message: too_large_message() }
        }
        AppError::UnsupportedMedia(_) => text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "文件类型不支持",
            "佐证材料须为 PDF、图片（PNG、JPEG、GIF、WebP）、Word（.docx）或 Excel（.xlsx）文件，以文件内容为准。",
        ),
        AppError::Invalid(_) | AppError::BadQuery(_) => {
            text(StatusCode::BAD_REQUEST, "填写有误", "提交的内容不完整或格式有误，请返回检查后重新提交。")
        }
        AppError::Gone(_) => text(StatusCode::GONE, "该通报已撤回", "该通报已由发布单位撤回，不再公开。"),
        AppError::Unauthorized => {
            text(StatusCode::UNAUTHORIZED, "请先登录", "登录已超时或尚未登录，请重新登录后再试。")
        }
        AppError::Csrf | AppError::AccountActionRequired(_) => {
            text(StatusCode::FORBIDDEN, "请求未通过安全校验", "请重新登录后再试。")
        }
        AppError::Internal(_) | AppError::Storage(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "系统内部错误",
            "页面暂时无法显示，错误已记入日志。请稍后重试或联系管理员。",
        ),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self);
        let message = if status.is_server_error() {
            // The details (SQL, file paths) go to the log, not to the client.
            tracing::error!(error = %self, "request failed");
            "internal server error; the incident has been logged".to_string()
        } else {
            self.to_string()
        };
        let message_zh = match &self {
            AppError::Unauthorized => Some("请先登录".to_string()),
            AppError::Forbidden(_) => Some("无权访问：超出本账号的角色或数据范围".to_string()),
            AppError::AccountActionRequired("password_change_required") => Some("请先修改口令".to_string()),
            AppError::AccountActionRequired(_) => Some("请先绑定动态口令（双因素认证）".to_string()),
            AppError::Csrf => Some("请求未通过安全校验".to_string()),
            AppError::Conflict { .. } => Some("该措施已被他人更新，请刷新后重新操作".to_string()),
            AppError::Refused { message_zh, .. } | AppError::BadRequest { message_zh, .. } => Some(message_zh.clone()),
            AppError::NotFound { what, .. } => Some(format!("未找到该{}", what_zh(what))),
            _ => None,
        };
        let current_version = match self {
            AppError::Conflict { current_version } => Some(current_version),
            _ => None,
        };
        let text = page_text(&self);
        let mut response =
            (status, Json(ErrorBody { error: code.to_string(), message, message_zh, current_version })).into_response();
        // For the page layer of the route, if it has one; the API sends the JSON.
        response.extensions_mut().insert(text);
        response
    }
}

/// A staff page saying what went wrong, in the system's layout for `principal`.
pub(crate) fn page(principal: Option<&Principal>, status: StatusCode, heading: &str, message: &str) -> Response {
    let mut response = (status, render::error_page(principal, heading, message)).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    response
}

/// A public page saying what went wrong, in the portal's layout.
pub(crate) fn public_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let mut response = (status, render::public_error_page(heading, message)).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PUBLIC_CSP));
    response
}

/// The page layer of staff routes: an error answer becomes the Chinese error page.
pub(crate) async fn staff_pages(request: Request, next: Next) -> Response {
    let principal = request.extensions().get::<Principal>().cloned();
    let response = next.run(request).await;
    match response.extensions().get::<PageText>() {
        Some(text) => {
            let mut page = page(principal.as_ref(), text.status, text.heading, &text.message);
            copy_retry_after(&response, &mut page);
            page
        }
        None => response,
    }
}

/// The page layer of the public portal: an error answer becomes the portal's error page.
pub(crate) async fn public_pages(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match response.extensions().get::<PageText>() {
        Some(text) => {
            let (heading, message) = match text.status {
                StatusCode::NOT_FOUND => {
                    ("未找到该页面", "要查看的内容不存在或已撤回，请从公开通报栏目重新进入。".to_owned())
                }
                StatusCode::INTERNAL_SERVER_ERROR => ("系统繁忙", "页面暂时无法显示，请稍后重试。".to_owned()),
                _ => (text.heading, text.message.clone()),
            };
            let mut page = public_page(text.status, heading, &message);
            copy_retry_after(&response, &mut page);
            page
        }
        None => response,
    }
}

fn copy_retry_after(from: &Response, to: &mut Response) {
    if let Some(value) = from.headers().get(header::RETRY_AFTER) {
        to.headers_mut().insert(header::RETRY_AFTER, value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_do_not_leak_details() {
        let e = AppError::Storage(StorageError::Corrupt("table measures: secret detail".into()));
        assert_eq!(status_and_code(&e), (StatusCode::INTERNAL_SERVER_ERROR, "internal"));
        assert_eq!(page_text(&e).status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!page_text(&e).message.contains("secret"));
    }

    #[test]
    fn a_mistyped_id_on_a_page_is_a_missing_page() {
        let e = AppError::BadId { what: "measure id", value: "abc".into() };
        assert_eq!(status_and_code(&e).0, StatusCode::BAD_REQUEST);
        assert_eq!(page_text(&e).status, StatusCode::NOT_FOUND);
        assert_eq!(page_text(&e).heading, "未找到该整改措施");
    }
}
