//! The query and path of the common-problems routes.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::service::common_problems::DEFAULT_THRESHOLD;

/// How alike problems must be.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ClusterParams {
    /// The TF-IDF cosine at which two problem titles count as alike, above 0 and at most 1
    /// (default 0.5; lower joins more).
    pub threshold: Option<String>,
}

impl ClusterParams {
    pub(crate) fn threshold(&self) -> Result<f64, AppError> {
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
