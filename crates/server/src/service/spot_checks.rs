//! 双随机、一公开 spot checks as a finding source: a unit's registry of supervised objects and of
//! inspectors, check rounds drawn from them reproducibly with a published seed, the finding per
//! drawn object, the 专项检查 ledger made from the hazards (so that they run through the same
//! workflow, statistics and reports), and publication on the portal.
//!
//! Who: a registry and its rounds belong to a unit (named as the ledgers name it). An account
//! reaches the units of the grants that hold the permission: every unit for an unlimited office
//! grant, else the unit its grant names or the units of the inspections it is limited to. The
//! unit's liaison manages (`manage_spot_checks`); the office reads all (`read_spot_checks`);
//! both may publish (`publish_spot_checks`). The ledger is made by whoever may create an
//! inspection for the unit (the rule of [`super::editing::creator_role`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use rectify_auth::{Permission, allows_any};
use rectify_domain::spot_check::{DrawSize, Finding, InspectorInput, ObjectInput, clean_line};
use rectify_domain::{
    Aspect, Claimed, Contacts, Disclosure, Inspection, InspectionKind, Ledger, Measure, MeasureKind, NonEmptyText,
    Organisation, Outcomes, PartialDate, Problem, Responsibility, RoundPolicy, Status,
};
use rectify_storage::{NewSpotRound, SpotCheckError, SpotInspector, SpotObject, SpotRound, SpotUnits};

use super::session::Principal;
use super::state::AppState;
use super::{editing, scope};
use crate::error::AppError;
use crate::ids::InspectionId;

/// Reading a unit's registry and rounds.
pub const READ: &[Permission] = &[Permission::ReadSpotChecks, Permission::ManageSpotChecks];
/// Keeping the registry and running rounds.
pub const MANAGE: &[Permission] = &[Permission::ManageSpotChecks];
/// Publishing a round on the portal.
pub const PUBLISH: &[Permission] = &[Permission::PublishSpotChecks];
/// Making the 专项检查 ledger (the service checks the unit with the creation rule).
pub const LEDGER: &[Permission] = &[Permission::CreateInspection, Permission::ManageSpotChecks];

/// Which units an account reaches with some permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Units(Vec<String>),
}

impl Reach {
    pub fn covers(&self, unit: &str) -> bool {
        match self {
            Reach::All => true,
            Reach::Units(units) => units.iter().any(|u| u == unit.trim()),
        }
    }

    fn units(&self) -> SpotUnits<'_> {
        match self {
            Reach::All => SpotUnits::All,
            Reach::Units(units) => SpotUnits::Only(units),
        }
    }
}

/// The units the principal's grants holding one of `permissions` reach.
pub async fn reach(state: &AppState, principal: &Principal, permissions: &[Permission]) -> Result<Reach, AppError> {
    let mut units: Vec<String> = Vec::new();
    for grant in &principal.grants {
        if !permissions.iter().any(|p| allows_any(&[grant.role], *p)) {
            continue;
        }
        if grant.sees_everything() {
            return Ok(Reach::All);
        }
        let s = &grant.scope;
        match (&s.inspection_ids, &s.unit) {
            (_, Some(unit)) => units.push(unit.trim().to_owned()),
            (Some(ids), None) => {
                for id in ids.iter().filter_map(|id| InspectionId::new(*id)) {
                    if let Some(unit) = scope::inspection(state, id).await?.and_then(|s| s.unit) {
                        units.push(unit.trim().to_owned());
                    }
                }
            }
            (None, None) => {}
        }
    }
    units.sort();
    units.dedup();
    Ok(Reach::Units(units))
}

fn refused(en: impl Into<String>, zh: impl Into<String>) -> AppError {
    AppError::refused(en, zh)
}

fn spot_error(e: SpotCheckError) -> AppError {
    match e {
        SpotCheckError::Refused { en, zh } => refused(en, zh),
        SpotCheckError::Storage(e) => e.into(),
    }
}

/// The unit a write goes to: the one asked for (in reach), or the only one the account manages.
async fn unit_to_manage(state: &AppState, principal: &Principal, asked: Option<&str>) -> Result<String, AppError> {
    let reach = reach(state, principal, MANAGE).await?;
    match (asked.and_then(clean_line), &reach) {
        (Some(unit), _) if reach.covers(&unit) => Ok(unit),
        (Some(unit), _) => Err(refused(
            "the unit is outside the account's data scope",
            format!("您不能管理“{unit}”的抽查名录（超出本账号的数据范围）"),
        )),
        (None, Reach::Units(units)) if units.len() == 1 => Ok(units[0].clone()),
        (None, _) => Err(refused("name the unit", "请选择所属单位")),
    }
}

/// 403 unless the account reaches the record's unit with `permissions`.
async fn require_unit(
    state: &AppState,
    principal: &Principal,
    permissions: &[Permission],
    unit: &str,
) -> Result<(), AppError> {
    if reach(state, principal, permissions).await?.covers(unit) { Ok(()) } else { Err(AppError::out_of_scope()) }
}

fn field_errors(errors: Vec<rectify_domain::spot_check::FieldError>) -> AppError {
    let zh: Vec<String> = errors.into_iter().map(|e| e.0).collect();
    refused(format!("invalid fields: {}", zh.len()), zh.join("；"))
}

/// A filter of a list by unit, within what the account reaches.
async fn listed_units(state: &AppState, principal: &Principal, unit: Option<&str>) -> Result<Reach, AppError> {
    let reach = reach(state, principal, READ).await?;
    Ok(match unit.and_then(clean_line) {
        Some(u) if reach.covers(&u) => Reach::Units(vec![u]),
        Some(_) => Reach::Units(Vec::new()),
        None => reach,
    })
}

/// The units the account may choose from in a form (empty for an unlimited reader).
pub async fn managed_units(state: &AppState, principal: &Principal) -> Result<Vec<String>, AppError> {
    Ok(match reach(state, principal, MANAGE).await? {
        Reach::All => Vec::new(),
        Reach::Units(units) => units,
    })
}

// ---- objects ----

pub async fn objects(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    retired: bool,
    page: rectify_storage::Page,
) -> Result<(Vec<SpotObject>, u64), AppError> {
    let reach = listed_units(state, principal, unit).await?;
    Ok(state.store().spot_objects(reach.units(), retired, page.offset, page.limit).await?)
}

async fn object_in_scope(
    state: &AppState,
    principal: &Principal,
    id: i64,
    permissions: &[Permission],
) -> Result<SpotObject, AppError> {
    let object = state.store().spot_object(id).await?.ok_or_else(|| AppError::not_found("spot object", id))?;
    require_unit(state, principal, permissions, &object.unit).await?;
    Ok(object)
}

pub async fn object(state: &AppState, principal: &Principal, id: i64) -> Result<SpotObject, AppError> {
    object_in_scope(state, principal, id, READ).await
}

pub async fn add_object(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    input: &ObjectInput,
) -> Result<i64, AppError> {
    let unit = unit_to_manage(state, principal, unit).await?;
    let fields = input.check().map_err(field_errors)?;
    Ok(state.store().add_spot_object(&unit, &fields, &principal.acting(), state.now()).await?)
}

pub async fn update_object(
    state: &AppState,
    principal: &Principal,
    id: i64,
    input: &ObjectInput,
) -> Result<(), AppError> {
    object_in_scope(state, principal, id, MANAGE).await?;
    let fields = input.check().map_err(field_errors)?;
    Ok(state.store().update_spot_object(id, &fields, &principal.acting(), state.now()).await?)
}

pub async fn retire_object(state: &AppState, principal: &Principal, id: i64) -> Result<(), AppError> {
    object_in_scope(state, principal, id, MANAGE).await?;
    state.store().retire_spot_object(id, &principal.acting(), state.now()).await?;
    Ok(())
}

fn registry_error(e: rectify_workbook::RegistryError) -> AppError {
    refused(e.to_string(), e.message_zh())
}

/// Imports objects from an Excel workbook, all rows or none; answers how many.
pub async fn import_objects(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    bytes: &[u8],
) -> Result<usize, AppError> {
    let unit = unit_to_manage(state, principal, unit).await?;
    let objects = rectify_workbook::read_objects_xlsx(bytes).map_err(registry_error)?;
    Ok(state.store().import_spot_objects(&unit, &objects, &principal.acting(), state.now()).await?.len())
}

// ---- inspectors ----

pub async fn inspectors(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    page: rectify_storage::Page,
) -> Result<(Vec<SpotInspector>, u64), AppError> {
    let reach = listed_units(state, principal, unit).await?;
    Ok(state.store().spot_inspectors(reach.units(), page.offset, page.limit).await?)
}

pub async fn inspector(state: &AppState, principal: &Principal, id: i64) -> Result<SpotInspector, AppError> {
    let found = state.store().spot_inspector(id).await?.ok_or_else(|| AppError::not_found("spot inspector", id))?;
    require_unit(state, principal, READ, &found.unit).await?;
    Ok(found)
}

pub async fn add_inspector(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    input: &InspectorInput,
) -> Result<i64, AppError> {
    let unit = unit_to_manage(state, principal, unit).await?;
    let fields = input.check().map_err(field_errors)?;
    Ok(state.store().add_spot_inspector(&unit, &fields, &principal.acting(), state.now()).await?)
}

pub async fn update_inspector(
    state: &AppState,
    principal: &Principal,
    id: i64,
    input: &InspectorInput,
) -> Result<(), AppError> {
    let found = state.store().spot_inspector(id).await?.ok_or_else(|| AppError::not_found("spot inspector", id))?;
    require_unit(state, principal, MANAGE, &found.unit).await?;
    let fields = input.check().map_err(field_errors)?;
    Ok(state.store().update_spot_inspector(id, &fields, &principal.acting(), state.now()).await?)
}

pub async fn import_inspectors(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    bytes: &[u8],
) -> Result<usize, AppError> {
    let unit = unit_to_manage(state, principal, unit).await?;
    let inspectors = rectify_workbook::read_inspectors_xlsx(bytes).map_err(registry_error)?;
    Ok(state.store().import_spot_inspectors(&unit, &inspectors, &principal.acting(), state.now()).await?.len())
}

// ---- rounds ----

/// A new round as typed.
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub unit: Option<String>,
    pub name: String,
    pub check_date: String,
    pub objects: String,
    pub inspectors_per_object: String,
}

fn date(what_zh: &str, text: &str) -> Result<NaiveDate, AppError> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        refused(format!("{t:?} is not YYYY-MM-DD"), format!("{what_zh}“{t}”无效，请按“2026-11-20”的格式填写"))
    })
}

fn count(what_zh: &str, text: &str) -> Result<u32, AppError> {
    text.trim().parse::<u32>().map_err(|_| refused(format!("{text:?} is not a count"), format!("{what_zh}须为正整数")))
}

pub async fn rounds(
    state: &AppState,
    principal: &Principal,
    unit: Option<&str>,
    page: rectify_storage::Page,
) -> Result<(Vec<SpotRound>, u64), AppError> {
    let reach = listed_units(state, principal, unit).await?;
    Ok(state.store().spot_rounds(reach.units(), false, page.offset, page.limit).await?)
}

pub async fn create_round(state: &AppState, principal: &Principal, input: &RoundInput) -> Result<i64, AppError> {
    let unit = unit_to_manage(state, principal, input.unit.as_deref()).await?;
    let name = clean_line(&input.name).ok_or_else(|| refused("the round needs a name", "请填写抽查批次名称"))?;
    rectify_domain::limits::NAME.check(&name).map_err(|e| refused(e.to_string(), "批次名称不能超过200个字"))?;
    let size = DrawSize::new(
        count("抽查对象数量", &input.objects)?,
        count("每个对象的检查人员数", &input.inspectors_per_object)?,
    )
    .map_err(|e| refused("invalid size", e.0))?;
    let round = NewSpotRound { name, check_date: date("检查日期", &input.check_date)?, size };
    Ok(state.store().add_spot_round(&unit, &round, &principal.acting(), state.now()).await?)
}

/// A round the account reaches with `permissions`, with its items.
async fn round_in_scope(
    state: &AppState,
    principal: &Principal,
    id: i64,
    permissions: &[Permission],
) -> Result<SpotRound, AppError> {
    let round = state.store().spot_round(id).await?.ok_or_else(|| AppError::not_found("spot-check round", id))?;
    require_unit(state, principal, permissions, &round.unit).await?;
    Ok(round)
}

pub async fn round(state: &AppState, principal: &Principal, id: i64) -> Result<SpotRound, AppError> {
    round_in_scope(state, principal, id, READ).await
}

/// A fresh random seed: 16 hex digits.
fn random_seed() -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no entropy for a seed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Draws a round with the seed given, or a fresh random one; answers the round.
/// The names people know the accounts by, for the logins a round records (who drew, who
/// recorded a finding), in one query; a login whose account no longer exists is missing from the
/// map and stands for itself.
pub async fn display_names(state: &AppState, logins: &[String]) -> Result<HashMap<String, String>, AppError> {
    Ok(state.store().display_names_by_login(logins).await?)
}

pub async fn draw(state: &AppState, principal: &Principal, id: i64, seed: Option<&str>) -> Result<SpotRound, AppError> {
    round_in_scope(state, principal, id, MANAGE).await?;
    let seed = match seed.and_then(clean_line) {
        Some(s) => s,
        None => random_seed()?,
    };
    if seed.chars().count() > 100 {
        return Err(refused("the seed is longer than 100 characters", "随机种子不能超过100个字"));
    }
    state.store().draw_spot_round(id, &seed, &principal.acting(), state.now()).await.map_err(spot_error)?;
    round_in_scope(state, principal, id, MANAGE).await
}

/// What the check of one object found, as typed: no hazards means 未发现问题.
#[derive(Debug, Clone, Default)]
pub struct FindingInput {
    pub item: i64,
    pub hazards: Vec<(String, String)>,
}

/// Records the finding of one drawn object of the round.
pub async fn record(state: &AppState, principal: &Principal, id: i64, input: &FindingInput) -> Result<(), AppError> {
    let round = round_in_scope(state, principal, id, MANAGE).await?;
    if !round.items.iter().any(|i| i.id == input.item) {
        return Err(AppError::not_found("spot-check item", input.item));
    }
    let mut hazards = Vec::with_capacity(input.hazards.len());
    for (n, (text, deadline)) in input.hazards.iter().enumerate() {
        if text.trim().is_empty() && deadline.trim().is_empty() {
            continue;
        }
        hazards.push((text.clone(), date(&format!("第{}个问题的整改期限", n + 1), deadline)?));
    }
    let finding = Finding::new(hazards, round.check_date).map_err(|e| refused("invalid finding", e.0))?;
    state.store().record_spot_finding(input.item, &finding, &principal.acting(), state.now()).await.map_err(spot_error)
}

/// The 专项检查 ledger of a round: one aspect for the round, one problem per hazard with one
/// measure (限期整改, by the hazard's deadline), the object's owner responsible (else the unit).
pub fn ledger_of(round: &SpotRound) -> Result<Ledger, AppError> {
    let text =
        |t: String| NonEmptyText::new(t).map_err(|_| AppError::Internal("empty text in a spot-check ledger".into()));
    let mut problems = Vec::new();
    for item in &round.items {
        for hazard in item.finding.as_ref().map(Finding::hazards).unwrap_or_default() {
            let short: String = hazard.text.chars().take(120).collect();
            let department = item.object_owner.clone().unwrap_or_else(|| round.unit.clone());
            let place = item.object_address.as_deref().map(|a| format!("（{a}）")).unwrap_or_default();
            problems.push(Problem {
                number: Some((problems.len() + 1).to_string()),
                title: text(format!("{}：{short}", item.object_name))?,
                status: Status::NotStarted,
                measures: vec![Measure {
                    text: text(format!("对{}存在的问题限期整改到位：{}", item.object_name, hazard.text))?,
                    dates: Vec::new(),
                    amounts_wan_yuan: Vec::new(),
                    documents: Vec::new(),
                    kind: Some(MeasureKind::TimeLimited),
                    deadline: Some(PartialDate::Day(hazard.deadline)),
                    status: None,
                    responsibility: Responsibility::default(),
                    progress: Vec::new(),
                    evidence: Vec::new(),
                }],
                category: item.object_category.clone(),
                scope: None,
                description: Some(format!(
                    "{}年{}月{}日“{}”抽查发现，{}{}：{}",
                    round.check_date.format("%Y"),
                    round.check_date.format("%-m"),
                    round.check_date.format("%-d"),
                    round.name,
                    item.object_name,
                    place,
                    hazard.text
                )),
                disclosure: Disclosure::default(),
                responsibility: Responsibility { departments: vec![department], ..Responsibility::default() },
            });
        }
    }
    if problems.is_empty() {
        return Err(refused("no hazards were recorded", "本批次尚未记录发现的问题，无需生成整改台账"));
    }
    Ok(Ledger {
        title: Some(format!("{}整改台账", round.name)),
        unit: Some(round.unit.clone()),
        report_date: None,
        inspection: Inspection {
            inspector: Some("双随机、一公开抽查".to_owned()),
            start: Some(PartialDate::Day(round.check_date)),
            end: Some(PartialDate::Day(round.check_date)),
            feedback_date: Some(PartialDate::Day(round.check_date)),
            round: Some(round.name.clone()),
            kind: Some(InspectionKind::SpotCheck),
            feedback_document: None,
        },
        claimed: Claimed::default(),
        aspects: vec![Aspect {
            number: Some("一".to_owned()),
            title: Some(format!("{}发现的问题", round.name)),
            problems,
        }],
        named_documents: Vec::new(),
        contacts: Contacts::default(),
        organisation: Organisation::default(),
        outcomes: Outcomes::default(),
        policy: RoundPolicy::default(),
    })
}

/// Makes the round's 专项检查 ledger once every drawn object's finding is recorded; a second
/// call answers the same inspection. Answers the inspection and whether it was made now.
pub async fn make_ledger(state: &AppState, principal: &Principal, id: i64) -> Result<(i64, bool), AppError> {
    let round = round_in_scope(state, principal, id, READ).await?;
    if let Some(existing) = round.inspection_id {
        return Ok((existing, false));
    }
    let role = editing::creator_role(principal, &round.unit).ok_or_else(|| {
        refused(
            "the account may not create an inspection for this unit",
            format!("您不能为“{}”生成整改台账（须由巡察办或具有本单位新建台账权限的账号生成）", round.unit),
        )
    })?;
    if round.draw.is_none() {
        return Err(refused("the round is not drawn yet", "该批次尚未抽取"));
    }
    let open = round.items.iter().filter(|i| i.finding.is_none()).count();
    if open > 0 {
        return Err(refused("findings are missing", format!("还有{open}个抽查对象未记录检查结果")));
    }
    let ledger = ledger_of(&round)?;
    let gaps = editing::ledger_gaps(&ledger);
    if !gaps.is_empty() {
        return Err(AppError::Internal(format!("the spot-check ledger is incomplete: {}", gaps.join("；"))));
    }
    Ok(state.store().create_spot_ledger(id, &ledger, &principal.acting_as(role), state.now()).await?)
}

/// Publishes a drawn round on the portal, or withdraws it.
pub async fn publish(state: &AppState, principal: &Principal, id: i64, publish: bool) -> Result<(), AppError> {
    round_in_scope(state, principal, id, PUBLISH).await?;
    state.store().publish_spot_round(id, publish, &principal.acting(), state.now()).await.map_err(spot_error)?;
    Ok(())
}

/// Why a round cannot be published yet, in Chinese (the page shows it beside the disabled
/// button); `None` when it can. The store refuses the same (`Store::publish_spot_round`).
pub fn publish_blocked(round: &SpotRound) -> Option<String> {
    let f = figures(round);
    let unrecorded = u64::try_from(f.drawn.saturating_sub(f.recorded)).unwrap_or(u64::MAX);
    rectify_storage::spot_checks::publish_refusal_zh(round.draw.is_some(), unrecorded)
}

/// Counts of a round's findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RoundFigures {
    pub drawn: usize,
    pub recorded: usize,
    pub clear: usize,
    pub with_hazards: usize,
    pub hazards: usize,
}

pub fn figures(round: &SpotRound) -> RoundFigures {
    let mut f = RoundFigures { drawn: round.items.len(), ..RoundFigures::default() };
    for item in &round.items {
        match &item.finding {
            None => {}
            Some(Finding::Clear) => {
                f.recorded += 1;
                f.clear += 1;
            }
            Some(Finding::Hazards { hazards }) => {
                f.recorded += 1;
                f.with_hazards += 1;
                f.hazards += hazards.len();
            }
        }
    }
    f
}

// ---- the portal ----

/// Published rounds, newest first, without their items.
pub async fn published(state: &AppState, page: rectify_storage::Page) -> Result<(Vec<SpotRound>, u64), AppError> {
    Ok(state.store().spot_rounds(SpotUnits::All, true, page.offset, page.limit).await?)
}

/// A published round; 404 for one not published (or withdrawn) as for one that does not exist.
pub async fn published_round(state: &AppState, id: i64) -> Result<SpotRound, AppError> {
    match state.store().spot_round(id).await? {
        Some(round) if round.published_at.is_some() => Ok(round),
        _ => Err(AppError::not_found("spot-check round", id)),
    }
}
