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
        threshold_of(self.threshold.as_deref())
    }
}

/// A threshold as typed (blank: the default), checked to lie above 0 and at most 1.
pub(crate) fn threshold_of(text: Option<&str>) -> Result<f64, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_THRESHOLD),
        Some(t) => t
            .parse::<f64>()
            .ok()
            .filter(|x| *x > 0.0 && *x <= 1.0)
            .ok_or_else(|| AppError::BadQuery(format!("threshold: {t:?} is not a number above 0 and at most 1"))),
    }
}

/// The cluster to send to every unit of the round (举一反三), named by its title at a threshold.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CascadeParams {
    /// The cluster's title, as the list of common problems shows it.
    pub title: String,
    /// The threshold the cluster was found at (default 0.5).
    pub threshold: Option<String>,
}

impl CascadeParams {
    pub(crate) fn threshold(&self) -> Result<f64, AppError> {
        threshold_of(self.threshold.as_deref())
    }
}
