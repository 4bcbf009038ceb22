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
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute(_) | ApiError::Storage(StorageError::NotFound(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            ApiError::BadId { .. } | ApiError::BadQuery(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
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
        (status, Json(ErrorBody { error: code.to_string(), message })).into_response()
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
