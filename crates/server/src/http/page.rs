//! The context of a staff page: who is signed in, the form token, the date the lights are
//! computed for and the navigation's badge — taken from the request, never from task-locals.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::csrf::CsrfToken;
use crate::render::{Chrome, Crumb, Viewer, assets, format};
use crate::service::portal::unanswered_feedback;
use crate::service::session::Principal;
use crate::service::{AppState, notify};

/// What every staff page handler needs to lay out its page.
#[derive(Debug, Clone)]
pub(crate) struct PageContext {
    pub principal: Option<Principal>,
    pub csrf: String,
    pub today: chrono::NaiveDate,
    feedback_nav: Option<usize>,
    unread: Option<u64>,
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = parts.extensions.get::<Principal>().cloned();
        let csrf = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let feedback_nav = match principal.as_ref() {
            // A count in the navigation must not cost the page: on an error, no badge.
            Some(p) => unanswered_feedback(state, p).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "counting open feedback for the navigation failed");
                None
            }),
            None => None,
        };
        let unread = match principal.as_ref() {
            // One probe of an index; on an error, no count rather than no page.
            Some(p) => notify::unread(state, p)
                .await
                .map_err(|error| tracing::warn!(%error, "counting unread notifications failed"))
                .ok(),
            None => None,
        };
        Ok(PageContext { principal, csrf, today: state.today(), feedback_nav, unread })
    }
}

impl PageContext {
    /// The layout fields of a page.
    pub(crate) fn chrome(&self, nav: &'static str, title: &str, crumbs: Vec<Crumb>, inspection: Option<i64>) -> Chrome {
        Chrome {
            nav,
            title: title.to_owned(),
            crumbs,
            inspection_id: inspection,
            csrf: self.csrf.clone(),
            today: format::chinese_date(self.today),
            asset_version: assets::version(),
            viewer: self.principal.as_ref().map(Viewer::of),
            feedback_nav: self.feedback_nav,
            unread: self.unread,
        }
    }
}

/// Pages holding a form or a receipt code must not be kept by caches or the back button.
pub(crate) fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}
