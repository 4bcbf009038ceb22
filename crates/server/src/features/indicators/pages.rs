//! The forms of a unit's dashboard that add an indicator and record a reading.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::AppError;
use crate::ids::{IndicatorId, InspectionId};
use crate::service::AppState;
use crate::service::indicators::{self, IndicatorInput, ReadingInput};
use crate::service::session::Principal;

/// The new-indicator form.
#[derive(Debug, Deserialize)]
pub(crate) struct IndicatorForm {
    name: String,
    unit_of_measure: String,
    baseline: String,
    #[serde(default)]
    target: Option<String>,
}

/// `POST /inspections/{id}/indicators`, back to the dashboard.
pub(crate) async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<IndicatorForm>,
) -> Result<Response, AppError> {
    let inspection = InspectionId::parse(&id)?.get();
    let input = IndicatorInput {
        name: form.name,
        unit_of_measure: form.unit_of_measure,
        baseline: form.baseline,
        target: form.target,
    };
    indicators::create(&state, &principal, inspection, &input).await?;
    Ok(Redirect::to(&format!("/inspections/{inspection}/dashboard#indicators")).into_response())
}

/// The reading form.
#[derive(Debug, Deserialize)]
pub(crate) struct ReadingForm {
    date: String,
    value: String,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /indicators/{id}/readings`, back to the dashboard.
pub(crate) async fn add_reading(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<ReadingForm>,
) -> Result<Response, AppError> {
    let indicator = IndicatorId::parse(&id)?.get();
    let input = ReadingInput { date: form.date, value: form.value, note: form.note };
    let (_, inspection) = indicators::add_reading(&state, &principal, indicator, &input).await?;
    Ok(Redirect::to(&format!("/inspections/{inspection}/dashboard#indicators")).into_response())
}
