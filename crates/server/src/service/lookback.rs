//! Look-back (回头看): a reproducible sample of closed problems drawn by the inspection office,
//! each checked again and found consolidated (巩固) or relapsed (反弹, which reopens it).

use chrono::NaiveDate;
use rectify_storage::{Lookback, LookbackResult, ProblemRecord};

use super::session::Principal;
use super::state::AppState;
use super::workflow::verifier_role;
use crate::error::AppError;
use crate::ids::{InspectionId, LookbackItemId};

/// Draws and schedules a look-back of `sample_size` closed problems.
pub async fn schedule(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    scheduled_for: NaiveDate,
    sample_size: u32,
    seed: &str,
) -> Result<Lookback, AppError> {
    let acting = principal.acting_as(verifier_role(principal));
    Ok(state
        .store()
        .schedule_lookback(inspection.get(), scheduled_for, sample_size, seed, &acting, state.now())
        .await?)
}

/// Where an item belongs: (its look-back's id, the inspection's id).
pub async fn locate_item(state: &AppState, item: LookbackItemId) -> Result<(i64, InspectionId), AppError> {
    let missing = || AppError::not_found("look-back item", item);
    let lookback = state.store().lookback_of_item(item.get()).await?.ok_or_else(missing)?;
    let found = state.store().get_lookback(lookback).await?.ok_or_else(missing)?;
    Ok((lookback, InspectionId::new(found.inspection_id).ok_or_else(missing)?))
}

/// Records what the second look at one item found.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    item: LookbackItemId,
    result: LookbackResult,
    note: &str,
) -> Result<(), AppError> {
    let acting = principal.acting_as(verifier_role(principal));
    state.store().record_lookback_result(item.get(), result, note, &acting, state.now()).await?;
    Ok(())
}

/// The problems of an inspection and its look-backs, newest first.
pub async fn overview(
    state: &AppState,
    inspection: InspectionId,
) -> Result<(Vec<ProblemRecord>, Vec<Lookback>), AppError> {
    let problems = state.store().list_problems(inspection.get()).await?;
    let lookbacks = state.store().list_lookbacks(inspection.get()).await?;
    Ok((problems, lookbacks))
}
