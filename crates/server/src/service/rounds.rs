//! Rounds (巡察轮次) and the inspection office's overview of every unit of a round, narrowed to
//! the units the account sees.

use rectify_auth::InspectionRef;
use rectify_auth::scope::any_sees_inspection;
use rectify_domain::roles::Role;
use rectify_domain::{InspectionGroup, PartialDate, RoundDetails, RoundDetailsError};
use rectify_storage::{Page, RoundChangeError, RoundEdit, RoundRecord, RoundSummary, RoundUnit};
use serde::Deserialize;

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
        RoundChangeError::Conflict { current_version } => AppError::Conflict { current_version },
        RoundChangeError::NotInRound(id) => AppError::refused(
            format!("inspection {id} is not in this round"),
            format!("巡察组所列单位（台账{id}）不属于本轮次。"),
        ),
        RoundChangeError::Storage(e) => e.into(),
    }
}

fn details_error(e: RoundDetailsError) -> AppError {
    AppError::refused(e.to_string(), e.message_zh())
}

/// A round with its record (committee, groups, dates), or 404.
pub async fn record(state: &AppState, id: i64) -> Result<RoundRecord, AppError> {
    state.store().round_record(id).await?.ok_or_else(|| AppError::not_found("round", id))
}

/// One group of a round as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// 巡察组, e.g. 区委第一巡察组.
    pub name: String,
    /// 组长.
    #[serde(default)]
    pub leader: Option<String>,
    /// The inspections (units) it inspected, by id; each must be in the round.
    #[serde(default)]
    pub units: Vec<i64>,
}

/// The office's change to a round as typed: a field left out stays as it is, `null` or blank
/// clears it; `groups`, when given, replaces every group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    /// The version the change was made on (required).
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    /// 派出巡察的党组织 or its leading group.
    #[serde(default, deserialize_with = "super::editing::present")]
    pub committee: Option<Option<String>>,
    /// The on-site inspection's first day, `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`).
    #[serde(default, deserialize_with = "super::editing::present")]
    pub start: Option<Option<String>>,
    /// Its last day.
    #[serde(default, deserialize_with = "super::editing::present")]
    pub end: Option<Option<String>>,
    /// 反馈日期.
    #[serde(default, deserialize_with = "super::editing::present")]
    pub feedback_date: Option<Option<String>>,
    #[serde(default)]
    pub groups: Option<Vec<GroupInput>>,
}

/// A typed date field applied to what the round holds.
fn date_field(
    field: &Option<Option<String>>,
    keep: Option<PartialDate>,
    label: &str,
) -> Result<Option<PartialDate>, AppError> {
    match field.as_ref().map(|t| t.as_deref().map(str::trim).filter(|t| !t.is_empty())) {
        None => Ok(keep),
        Some(None) => Ok(None),
        Some(Some(text)) => text.parse().map(Some).map_err(|_| {
            AppError::refused(
                format!("{label}: {text:?} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
                format!("{label}格式不正确，应为“2024-03-04”“2024-03”或“2024”。"),
            )
        }),
    }
}

/// Changes a round's name and record (the inspection office; audited as `round.update`, 409
/// when the round moved on since `patch.version`). Answers the round as it now is.
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: i64,
    patch: &RoundPatch,
) -> Result<RoundRecord, AppError> {
    let version = patch.version.ok_or_else(|| {
        AppError::refused(
            "the round's version is required; read the round first",
            "缺少版本号（version），请先读取轮次再修改。",
        )
    })?;
    let current = record(state, id).await?;
    let name = patch.name.as_deref().map(round_name).transpose()?;
    let d = &current.details;
    let clean = |t: &str| crate::text::clean_text(t);
    let committee = match &patch.committee {
        None => d.committee().map(str::to_owned),
        Some(c) => c.as_deref().map(clean),
    };
    let groups = match &patch.groups {
        None => d.groups().to_vec(),
        Some(groups) => groups
            .iter()
            .map(|g| InspectionGroup::new(&clean(&g.name), g.leader.as_deref().map(clean).as_deref(), g.units.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(details_error)?,
    };
    let details = RoundDetails::new(
        committee.as_deref(),
        date_field(&patch.start, d.start(), "进驻开始日期")?,
        date_field(&patch.end, d.end(), "进驻结束日期")?,
        date_field(&patch.feedback_date, d.feedback_date(), "反馈日期")?,
        groups,
    )
    .map_err(details_error)?;
    let acting = principal.acting_as(Role::InspectionOffice);
    let edit = RoundEdit { version, name, details };
    state.store().update_round(id, &edit, &acting, state.now()).await.map_err(change_error)?;
    record(state, id).await
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
