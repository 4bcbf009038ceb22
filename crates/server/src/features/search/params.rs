//! The query string of a search, shared by the API and the page.

use rectify_domain::Status;
use rectify_storage::SearchKind;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::extract::Paging;
use crate::service::search::{Request, checked_text};

/// `q` and the filters. Blank values (an untouched form field) mean "any".
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The words to find (all of them), at most 200 characters.
    pub q: Option<String>,
    /// Only this round (id).
    pub round: Option<String>,
    /// Only this unit's inspection (id).
    pub inspection: Option<String>,
    /// Only hits of this kind: problem, measure, progress, evidence or feedback.
    pub kind: Option<String>,
    /// Only hits whose problem has this status (e.g. in_progress, completed).
    pub status: Option<String>,
    /// How many hits (default 50, at most 500).
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn id(name: &str, v: &Option<String>) -> Result<Option<i64>, AppError> {
    blank(v)
        .map(|t| {
            t.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::BadQuery(format!("{name}: {t:?} is not an id")))
        })
        .transpose()
}

impl SearchParams {
    pub(crate) fn request(&self) -> Result<Request, AppError> {
        let kind = blank(&self.kind)
            .map(|k| SearchKind::parse(k).ok_or_else(|| AppError::BadQuery(format!("kind: unknown kind {k:?}"))))
            .transpose()?;
        let status = blank(&self.status)
            .map(|s| Status::from_name(s).ok_or_else(|| AppError::BadQuery(format!("status: unknown status {s:?}"))))
            .transpose()?;
        Ok(Request {
            text: checked_text(self.q.as_deref().unwrap_or(""))?,
            round: id("round", &self.round)?,
            inspection: id("inspection", &self.inspection)?,
            kind,
            status,
            page: Paging { limit: self.limit, offset: self.offset }.page(),
        })
    }
}
