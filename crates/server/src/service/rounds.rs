//! Rounds (巡察轮次) and the inspection office's overview of every unit of a round, narrowed to
//! the units the account sees.

use rectify_auth::InspectionRef;
use rectify_auth::scope::any_sees_inspection;
use rectify_domain::roles::Role;
use rectify_storage::{Page, RoundChangeError, RoundSummary, RoundUnit};

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

/// The aggregate report of a round over the units the principal sees, as of today.
pub async fn report(state: &AppState, principal: &Principal, id: i64) -> Result<rectify_domain::RoundReport, AppError> {
    state
        .store()
        .round_report(id, state.today(), |u| {
            any_sees_inspection(&principal.grants, InspectionRef { id: u.inspection_id, unit: u.unit.as_deref() })
        })
        .await?
        .ok_or_else(|| AppError::not_found("round", id))
}

/// A round's new name, checked: one line, not blank, at most [`limits::NAME`] characters.
pub fn round_name(raw: &str) -> Result<String, AppError> {
    let name: String = crate::text::clean_text(raw).split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::refused("the round's name is empty", "轮次名称不能为空。"));
    }
    let max = rectify_domain::limits::NAME.max_chars;
    if name.chars().count() > max {
        return Err(AppError::refused(
            format!("the round's name is longer than {max} characters"),
            format!("轮次名称不能超过{max}个字。"),
        ));
    }
    Ok(name)
}

fn change_error(e: RoundChangeError) -> AppError {
    match e {
        RoundChangeError::NoRound(id) => AppError::not_found("round", id),
        RoundChangeError::NoInspection(id) => AppError::not_found("inspection", id),
        RoundChangeError::NameTaken(name) => AppError::refused(
            format!("a round named {name:?} exists already; merge into it instead"),
            format!("已有名为“{name}”的轮次，如需合并请使用“合并轮次”。"),
        ),
        RoundChangeError::IntoItself => {
            AppError::refused("a round cannot be merged into itself", "不能将轮次合并到它自身。")
        }
        RoundChangeError::Storage(e) => e.into(),
    }
}

/// Renames a round (the inspection office, audited).
pub async fn rename(state: &AppState, principal: &Principal, id: i64, raw_name: &str) -> Result<String, AppError> {
    let name = round_name(raw_name)?;
    let acting = principal.acting_as(Role::InspectionOffice);
    state.store().rename_round(id, &name, &acting, state.now()).await.map_err(change_error)?;
    Ok(name)
}

/// Merges round `from` into round `into`: its inspections move, the emptied round goes.
pub async fn merge(state: &AppState, principal: &Principal, from: i64, into: i64) -> Result<u64, AppError> {
    let acting = principal.acting_as(Role::InspectionOffice);
    state.store().merge_rounds(from, into, &acting, state.now()).await.map_err(change_error)
}

/// Moves one inspection to round `into`.
pub async fn move_inspection(
    state: &AppState,
    principal: &Principal,
    inspection: rectify_storage::InspectionId,
    into: i64,
) -> Result<(), AppError> {
    let acting = principal.acting_as(Role::InspectionOffice);
    state.store().move_inspection_to_round(inspection, into, &acting, state.now()).await.map_err(change_error)
}
