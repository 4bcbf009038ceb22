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
    Ok(all.iter().filter(|u| sees_unit(principal, u)).cloned().collect())
}

/// Every round by name with the figures of its units the principal sees (the units shared,
/// not copied: the caller narrows them with [`sees_unit`]).
pub async fn all_with_units(state: &AppState) -> Result<Vec<(RoundSummary, std::sync::Arc<Vec<RoundUnit>>)>, AppError> {
    Ok(state.store().rounds_with_units(state.today()).await?)
}

/// Whether the principal sees a unit of a round.
pub fn sees_unit(principal: &Principal, unit: &RoundUnit) -> bool {
    any_sees_inspection(&principal.grants, InspectionRef { id: unit.inspection_id, unit: unit.unit.as_deref() })
}

/// The rounds holding an inspection the principal sees, by name.
pub async fn visible(state: &AppState, principal: &Principal) -> Result<Vec<RoundSummary>, AppError> {
    let mut ids: Vec<i64> =
        super::scope::visible_inspections(state, &principal.grants).await?.iter().filter_map(|s| s.round_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // One read of every round (there are few), not one query per round.
    let (all, _) = state.store().list_rounds(Page { offset: 0, limit: u32::MAX }).await?;
    let mut out: Vec<RoundSummary> = all.into_iter().filter(|r| ids.binary_search(&r.id).is_ok()).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
