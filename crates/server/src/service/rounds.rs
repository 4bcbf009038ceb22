//! Rounds (巡察轮次) and the inspection office's overview of every unit of a round, narrowed to
//! the units the account sees.

use rectify_auth::InspectionRef;
use rectify_auth::scope::any_sees_inspection;
use rectify_storage::{Page, RoundSummary, RoundUnit};

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// The rounds, a page of them, with how many there are.
pub async fn list(state: &AppState, page: Page) -> Result<(Vec<RoundSummary>, u64), AppError> {
    Ok(state.store().list_rounds(page).await?)
}

/// One round, or 404.
pub async fn round(state: &AppState, id: i64) -> Result<RoundSummary, AppError> {
    state.store().round(id).await?.ok_or_else(|| AppError::not_found("round", id))
}

/// The units of a round the principal sees, with their figures today.
pub async fn units(state: &AppState, principal: &Principal, id: i64) -> Result<Vec<RoundUnit>, AppError> {
    round(state, id).await?;
    let all = state.store().round_units(id, state.today()).await?;
    Ok(all
        .iter()
        .filter(|u| {
            any_sees_inspection(&principal.grants, InspectionRef { id: u.inspection_id, unit: u.unit.as_deref() })
        })
        .cloned()
        .collect())
}

/// The rounds holding an inspection the principal sees, by name.
pub async fn visible(state: &AppState, principal: &Principal) -> Result<Vec<RoundSummary>, AppError> {
    let mut ids: Vec<i64> =
        super::scope::visible_inspections(state, &principal.grants).await?.iter().filter_map(|s| s.round_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(r) = state.store().round(id).await? {
            out.push(r);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
