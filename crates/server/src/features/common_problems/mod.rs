//! 共性问题: problems that several units of a round share, clustered by the words of their
//! titles, for the office to have them fixed everywhere (举一反三).

mod api;
mod pages;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::common_problems::DEFAULT_THRESHOLD;
use crate::service::scope::sets::READ;

pub(crate) use api::{ClusterDto, ClusterProblemDto, CommonProblemsDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds/{id}/common-problems", api::common_problems, AnyOf(READ), Target::None, Api,
        doc = api::__path_common_problems),
    route!(GET "/rounds/{id}/common-problems", pages::common_problems, AnyOf(READ), Target::None, Page),
];

/// How alike problems must be.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ClusterParams {
    /// The TF-IDF cosine at which two problem titles count as alike, above 0 and at most 1
    /// (default 0.5; lower joins more).
    pub threshold: Option<String>,
}

impl ClusterParams {
    fn threshold(&self) -> Result<f64, AppError> {
        match self.threshold.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(DEFAULT_THRESHOLD),
            Some(t) => {
                t.parse::<f64>().ok().filter(|x| *x > 0.0 && *x <= 1.0).ok_or_else(|| {
                    AppError::BadQuery(format!("threshold: {t:?} is not a number above 0 and at most 1"))
                })
            }
        }
    }
}

/// The round id of a path, or 400.
fn round_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadId { what: "round", value: text.to_owned() })
}
