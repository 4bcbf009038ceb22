//! The audit trail over the API (the audit administrator only): entries, CSV export, the check
//! of the chain.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use rectify_storage::{AuditEntry, AuditFilter, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{Paging, QueryOf};
use crate::http::paged::Paged;
use crate::service::AppState;
use crate::service::audit::{self, ChainCheck};
use crate::service::session::Principal;

/// Filters of the audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The acting user's id.
    pub actor: Option<i64>,
    /// e.g. `login.failed`, `measure.approve`.
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// From this day (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    /// Until this day (`YYYY-MM-DD`, inclusive).
    pub until: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> Result<AuditFilter, AppError> {
        let day = |text: &Option<String>, end: bool| -> Result<Option<DateTime<Utc>>, AppError> {
            let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
            let date: NaiveDate =
                text.parse().map_err(|_| AppError::BadQuery(format!("{text:?} is not YYYY-MM-DD")))?;
            let date = if end { date.succ_opt().unwrap_or(date) } else { date };
            Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
        };
        let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        Ok(AuditFilter {
            actor_user_id: self.actor,
            action: text(&self.action),
            target_kind: text(&self.target_kind),
            target_id: text(&self.target_id),
            from: day(&self.from, false)?,
            until: day(&self.until, true)?,
        })
    }

    pub(crate) fn page(&self) -> Page {
        Paging { limit: self.limit, offset: self.offset }.page()
    }
}

/// One entry of the trail as the API shows it: every stored field, so that a reader can check
/// the chain's links and hashes itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    /// RFC 3339, UTC, microseconds.
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub address: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    /// `ok`, `refused`, `failed`.
    pub result: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub key_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        AuditEntryDto {
            seq: e.seq,
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor_name: e.actor_name,
            address: e.address,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            result: e.result,
            before_json: e.before_json,
            after_json: e.after_json,
            prev_hash: e.prev_hash,
            hash: e.hash,
            key_id: e.key_id,
        }
    }
}

/// A page of the audit trail, newest first (the audit administrator only): `limit` (default
/// 50, at most 500), `offset`, and the number of matching entries.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "`{\"items\": [AuditEntryDto], \"total\": N}`, newest first", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_list(
    State(state): State<AppState>,
    QueryOf(query): QueryOf<AuditQuery>,
) -> Result<Json<Paged<AuditEntryDto>>, AppError> {
    let (entries, total) = audit::page(&state, &query.filter()?, query.page()).await?;
    Ok(Json(Paged { items: entries.into_iter().map(AuditEntryDto::from).collect(), total }))
}

/// The filtered audit trail as CSV (UTF-8 with BOM); the export is itself audited.
#[utoipa::path(get, path = "/api/audit/export.csv", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_export(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(query): QueryOf<AuditQuery>,
) -> Result<Response, AppError> {
    let csv = audit::export_csv(&state, &principal, &query.filter()?).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", state.now().format("%Y%m%d-%H%M%S"));
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// The result of checking the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerifyDto {
    pub intact: bool,
    pub entries: Option<u64>,
    /// The first broken entry.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Checks every link and hash of the SM3-chained audit trail.
pub(crate) async fn verify(state: &AppState) -> Result<AuditVerifyDto, AppError> {
    Ok(match audit::verify(state).await? {
        ChainCheck::Intact { entries } => {
            AuditVerifyDto { intact: true, entries: Some(entries), broken_at: None, reason: None }
        }
        ChainCheck::Broken { seq, reason } => {
            AuditVerifyDto { intact: false, entries: None, broken_at: Some(seq), reason: Some(reason) }
        }
    })
}

/// Verifies the tamper-evident chain of the audit trail.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerifyDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn audit_verify(State(state): State<AppState>) -> Result<Json<AuditVerifyDto>, AppError> {
    Ok(Json(verify(&state).await?))
}
