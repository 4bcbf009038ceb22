//! Errors of the API, answered as JSON `{"error": "...", "message": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rectify_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

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

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: i64 },
    #[error("no resource at {0}")]
    NoRoute(String),
    #[error("invalid {what}: {value:?} is not a positive integer id")]
    BadId { what: &'static str, value: String },
    #[error("invalid query string: {0}")]
    BadQuery(String),
    /// No valid session: sign in first.
    #[error("sign-in required")]
    Unauthorized,
    /// Signed in, but the role or the data scope does not reach this.
    #[error("not permitted: {0}")]
    Forbidden(String),
    /// The account must change its password or enrol a second factor before anything else.
    #[error("account action required first: {0}")]
    AccountActionRequired(&'static str),
    /// The state-changing request lacks the session's CSRF token (`X-CSRF-Token`).
    #[error("missing or wrong X-CSRF-Token header")]
    Csrf,
    /// A stale `version` (optimistic locking).
    #[error("the measure was changed meanwhile (now at version {current_version}); reload it")]
    Conflict { current_version: i64 },
    /// The rules refuse the step.
    #[error("{message}")]
    Refused { message: String, message_zh: String },
    #[error("too soon: {0}")]
    TooSoon(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute(_) | ApiError::Storage(StorageError::NotFound(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            ApiError::BadId { .. } | ApiError::BadQuery(_) | ApiError::Invalid(_) => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::AccountActionRequired(code) => (StatusCode::FORBIDDEN, code),
            ApiError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            ApiError::Refused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            ApiError::TooSoon(_) => (StatusCode::TOO_MANY_REQUESTS, "too_soon"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMedia(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::Internal(_) | ApiError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            // The details (SQL, file paths) go to the log, not to the client.
            tracing::error!(error = %self, "request failed");
            "internal server error; the incident has been logged".to_string()
        } else {
            self.to_string()
        };
        let message_zh = match &self {
            ApiError::Unauthorized => Some("请先登录".to_string()),
            ApiError::Forbidden(_) => Some("无权访问：超出本账号的角色或数据范围".to_string()),
            ApiError::AccountActionRequired("password_change_required") => Some("请先修改口令".to_string()),
            ApiError::AccountActionRequired(_) => Some("请先绑定动态口令（双因素认证）".to_string()),
            ApiError::Csrf => Some("请求未通过安全校验".to_string()),
            ApiError::Conflict { .. } => Some("该措施已被他人更新，请刷新后重新操作".to_string()),
            ApiError::Refused { message_zh, .. } => Some(message_zh.clone()),
            _ => None,
        };
        let current_version = match self {
            ApiError::Conflict { current_version } => Some(current_version),
            _ => None,
        };
        (status, Json(ErrorBody { error: code.to_string(), message, message_zh, current_version })).into_response()
    }
}

/// Reads a path or query id: a positive integer, else 400.
pub(crate) fn parse_id(what: &'static str, value: &str) -> Result<i64, ApiError> {
    match value.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::BadId { what, value: value.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive_integers() {
        assert_eq!(parse_id("inspection id", "12").unwrap(), 12);
        for bad in ["0", "-3", "abc", "1.5", "", "99999999999999999999"] {
            assert!(matches!(parse_id("inspection id", bad), Err(ApiError::BadId { .. })), "{bad}");
        }
    }

    #[test]
    fn server_errors_do_not_leak_details() {
        let e = ApiError::Storage(StorageError::Corrupt("table measures: secret detail".into()));
        let (status, code) = e.status_and_code();
        assert_eq!((status, code), (StatusCode::INTERNAL_SERVER_ERROR, "internal"));
    }
}
